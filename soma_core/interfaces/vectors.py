"""Vector store interface: a rebuildable index over the embeddings in the KV store."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..filters import Filter
from .base import Backend


@dataclass(frozen=True, slots=True)
class VectorHit:
    """One query result: the memory id and its cosine similarity to the query in [-1, 1]."""

    id: str
    score: float


class VectorStore(Backend):
    """An async vector index, partitioned by namespace.

    Vectors are float32 rows of the dimension given to :meth:`ensure_collection`.
    Each id carries a payload, which filters read. The engine writes these
    payload keys: ``memory_type`` (str), ``created_at`` (float, Unix seconds),
    ``expires_at`` (float or None) and ``metadata`` (a JSON object whose
    top-level scalar values filters compare by equality).
    """

    @abstractmethod
    async def ensure_collection(self, dim: int) -> None:
        """Create storage for ``dim``-sized vectors if missing; called once after open.

        Raise :class:`~soma_core.errors.DimensionMismatchError` if existing
        storage holds vectors of another size: never resize or recreate silently.
        """

    @abstractmethod
    async def drop_collection(self) -> None:
        """Delete every vector of every namespace (used by reindex)."""

    @abstractmethod
    async def upsert(
        self, namespace: str, ids: Sequence[str], vectors: np.ndarray, payloads: Sequence[dict[str, Any]]
    ) -> None:
        """Insert or replace vectors; ``vectors`` has shape (len(ids), dim).

        Raise DimensionMismatchError (and write nothing) for a wrong width.
        """

    @abstractmethod
    async def query(
        self, namespace: str, vector: np.ndarray, *, k: int, filter: Filter | None = None
    ) -> list[VectorHit]:
        """The ``k`` nearest ids by cosine similarity, best first.

        Fewer when the namespace holds fewer matches. A store without
        ``capabilities.filters`` may ignore ``filter``; the engine then filters.
        Vectors whose payload ``expires_at`` has passed may be returned or not:
        the engine drops expired memories itself.
        """

    async def query_batch(
        self, namespace: str, vectors: np.ndarray, *, k: int, filter: Filter | None = None
    ) -> list[list[VectorHit]]:
        """:meth:`query` for each row of ``vectors``; override when the backend batches."""
        return [await self.query(namespace, row, k=k, filter=filter) for row in vectors]

    @abstractmethod
    async def get(self, namespace: str, ids: Sequence[str]) -> list[np.ndarray | None]:
        """Stored vectors for ``ids`` in order; None where an id is absent."""

    @abstractmethod
    async def delete(self, namespace: str, ids: Sequence[str]) -> None:
        """Remove ``ids``; absent ids are not an error."""

    @abstractmethod
    async def count(self, namespace: str, filter: Filter | None = None) -> int:
        """How many vectors the namespace holds (matching ``filter`` when given)."""
