"""Embedder interface: text in, unit-length float32 vectors out."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence

import numpy as np

from .base import Backend


class Embedder(Backend):
    """Turns texts into vectors. One abstract batch method; conveniences live here.

    :attr:`dim` must be known after :meth:`open`. :attr:`identity` names the
    vector space: two embedders with the same identity give comparable vectors.
    The engine stores it and refuses to mix spaces (``soma reindex`` migrates).
    """

    @property
    @abstractmethod
    def dim(self) -> int:
        """Width of every vector this embedder returns."""

    @property
    def identity(self) -> str:
        """Names the vector space; override to include the model."""
        return f"{self.name}:{self.dim}"

    @abstractmethod
    async def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for ``texts``: a float32 array of shape (len(texts), dim)."""

    async def embed(self, text: str) -> np.ndarray:
        """One text's vector."""
        return (await self.embed_batch([text]))[0]

    async def embed_many(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        """Any number of texts, in chunks of ``batch_size``, L2-normalised."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [await self.embed_batch(texts[i : i + batch_size]) for i in range(0, len(texts), batch_size)]
        return normalize(np.concatenate(parts).astype(np.float32, copy=False))


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
