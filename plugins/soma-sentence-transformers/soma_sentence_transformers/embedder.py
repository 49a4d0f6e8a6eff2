"""``sentence-transformers`` embedder: semantic vectors from a local transformer model."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Sequence

import numpy as np

from soma_core.errors import BackendUnavailableError, ConfigError
from soma_core.interfaces import Capabilities, Embedder

from .config import SentenceTransformersConfig
from .models import BACKEND, LoadedModel, get_model, resolve


class SentenceTransformersEmbedder(Embedder):
    """Encodes texts with a sentence-transformers model on its own worker thread, ``batch_size`` at a time.

    The model loads at :meth:`open`, once per process and device: embedders naming
    the same model share it. Stateless, so any number of processes may run one
    (``multi_process``); each process holds its own copy of the weights.
    """

    name = BACKEND
    Config = SentenceTransformersConfig
    capabilities = Capabilities(multi_process=True)
    env_prefix = "SOMA_SENTENCE_TRANSFORMERS_"
    config: SentenceTransformersConfig

    def __init__(self, config: SentenceTransformersConfig | None = None) -> None:
        super().__init__(config)
        self.ref = resolve(self.config.model)
        self._model: LoadedModel | None = None

    @property
    def model(self) -> LoadedModel:
        """The loaded model; only after :meth:`open`."""
        if self._model is None:
            raise BackendUnavailableError(BACKEND, f"model {self.ref.label!r} is not loaded; open the embedder first")
        return self._model

    @property
    def dim(self) -> int:
        return self.model.dim

    @property
    def identity(self) -> str:
        """``sentence-transformers:<model>``: the bundled and Hub MiniLM share one name, a directory its path."""
        return f"{BACKEND}:{self.ref.label}"

    async def open(self) -> None:
        if self._model is not None:
            return
        c = self.config
        loaded = await asyncio.to_thread(get_model, self.ref, c.device, local_files_only=c.local_files_only)
        if (
            c.max_seq_length is not None
            and loaded.max_positions is not None
            and c.max_seq_length > loaded.max_positions
        ):
            raise ConfigError(
                f"{BACKEND}: max_seq_length {c.max_seq_length} exceeds the "
                f"{loaded.max_positions} tokens model {self.ref.label!r} accepts"
            )
        self._model = loaded

    async def close(self) -> None:
        """Drop this embedder's reference; the shared model stays cached for the process."""
        self._model = None

    async def ping(self) -> None:
        self.model  # noqa: B018 - raises when not open

    async def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        model = self.model
        if not texts:
            return np.zeros((0, model.dim), dtype=np.float32)
        c = self.config
        # One call for the whole batch: sentence-transformers sorts all texts by length
        # before cutting them into batch_size chunks, so padding is minimal.
        encode = functools.partial(
            model.encode, list(texts), batch_size=c.batch_size, normalize=c.normalize, max_seq_length=c.max_seq_length
        )
        return await asyncio.get_running_loop().run_in_executor(model.thread, encode)
