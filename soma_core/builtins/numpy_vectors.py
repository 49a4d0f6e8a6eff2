"""``numpy`` vector store: exact cosine search over one contiguous float32 matrix per namespace.

Nothing is written to disk: the engine rebuilds the index from the KV store when
the stack opens (``persistent=False``), and a single process owns it
(``multi_process=False``).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..errors import DimensionMismatchError
from ..filters import Filter, scalar_equal
from ..hookspecs import hookimpl
from ..interfaces import Capabilities, VectorHit, VectorStore, normalize


THREAD_THRESHOLD = 20_000
"""Rows x queries above which a search runs in a worker thread."""
SPARSE_FRACTION = 8
"""A query with at most dim / SPARSE_FRACTION non-zero dimensions reads only those columns."""


class _Index:
    """Rows 0..size-1 of ``matrix`` are live; deletion moves the last row into the hole."""

    def __init__(self, dim: int) -> None:
        self.lock = threading.Lock()  # searches may run in a worker thread while the loop writes
        self.matrix = np.zeros((0, dim), dtype=np.float32)
        self.size = 0
        self.ids: list[str] = []
        self.rows: dict[str, int] = {}
        self.created = np.zeros(0, dtype=np.float64)
        self.expires = np.zeros(0, dtype=np.float64)  # +inf: never
        self.types: list[str] = []
        self.metadata: list[dict[str, Any]] = []

    def _grow(self, needed: int) -> None:
        capacity = len(self.matrix)
        if needed <= capacity:
            return
        new_capacity = max(needed, capacity * 2, 1024)
        for name in ("matrix", "created", "expires"):
            old = getattr(self, name)
            grown = np.zeros((new_capacity, *old.shape[1:]), dtype=old.dtype)
            grown[: self.size] = old[: self.size]
            setattr(self, name, grown)

    def upsert(self, ids: Sequence[str], vectors: np.ndarray, payloads: Sequence[dict[str, Any]]) -> None:
        latest = {key: i for i, key in enumerate(ids)}  # a repeated id: the last one wins
        fresh = [key for key in latest if key not in self.rows]
        self._grow(self.size + len(fresh))
        for key in fresh:
            self.rows[key] = self.size
            self.ids.append(key)
            self.types.append("")
            self.metadata.append({})
            self.size += 1
        rows = np.fromiter((self.rows[key] for key in latest), dtype=np.int64, count=len(latest))
        sources = np.fromiter(latest.values(), dtype=np.int64, count=len(latest))
        self.matrix[rows] = vectors[sources]
        for row, source in zip(rows.tolist(), sources.tolist(), strict=True):
            payload = payloads[source]
            self.created[row] = payload.get("created_at") or 0.0
            expires = payload.get("expires_at")
            self.expires[row] = np.inf if expires is None else expires
            self.types[row] = payload.get("memory_type", "")
            self.metadata[row] = payload.get("metadata") or {}

    def delete(self, ids: Sequence[str]) -> None:
        for key in set(ids):
            row = self.rows.pop(key, None)
            if row is None:
                continue
            last = self.size - 1
            if row != last:
                moved = self.ids[last]
                self.matrix[row] = self.matrix[last]
                self.created[row] = self.created[last]
                self.expires[row] = self.expires[last]
                self.ids[row], self.types[row], self.metadata[row] = moved, self.types[last], self.metadata[last]
                self.rows[moved] = row
            self.ids.pop()
            self.types.pop()
            self.metadata.pop()
            self.size = last

    def mask(self, filter: Filter | None, now: float) -> np.ndarray:
        """Rows that match ``filter`` and expire after ``now``."""
        keep = self.expires[: self.size] > now
        if filter is None:
            return keep
        if filter.created_after is not None:
            keep &= self.created[: self.size] >= filter.created_after
        if filter.created_before is not None:
            keep &= self.created[: self.size] < filter.created_before
        if filter.memory_type is not None:
            keep &= np.fromiter((t == filter.memory_type for t in self.types), dtype=bool, count=self.size)
        for key, value in filter.metadata.items():
            keep &= np.fromiter(
                (key in m and scalar_equal(m[key], value) for m in self.metadata), dtype=bool, count=self.size
            )
        return keep


class NumpyVectorStore(VectorStore):
    """Exact search: one matrix-vector product per query, top-k by argpartition."""

    name = "numpy"
    capabilities = Capabilities(filters=True)

    def __init__(self, config: VectorStore.Config | None = None) -> None:
        super().__init__(config)
        self.dim: int | None = None
        self._indexes: dict[str, _Index] = {}

    async def ensure_collection(self, dim: int) -> None:
        if self.dim is not None and self.dim != dim:
            raise DimensionMismatchError(f"numpy index holds {self.dim}-d vectors, not {dim}-d")
        self.dim = dim

    async def drop_collection(self) -> None:
        self._indexes.clear()
        self.dim = None

    def _check(self, vectors: np.ndarray) -> np.ndarray:
        if self.dim is None:
            raise DimensionMismatchError("numpy index has no dimension yet: call ensure_collection first")
        array = np.asarray(vectors, dtype=np.float32)
        if array.shape[-1] != self.dim:
            raise DimensionMismatchError(f"numpy index holds {self.dim}-d vectors; got {array.shape[-1]}-d")
        return array

    async def upsert(
        self, namespace: str, ids: Sequence[str], vectors: np.ndarray, payloads: Sequence[dict[str, Any]]
    ) -> None:
        array = self._check(vectors).reshape(len(ids), -1)
        if len(ids) != len(payloads):
            raise ValueError("ids, vectors and payloads differ in length")
        if not ids:
            return
        index = self._indexes.get(namespace)
        if index is None:
            index = self._indexes[namespace] = _Index(self.dim or array.shape[1])
        normalized = normalize(array)
        with index.lock:
            index.upsert(ids, normalized, payloads)

    async def query(
        self, namespace: str, vector: np.ndarray, *, k: int, filter: Filter | None = None
    ) -> list[VectorHit]:
        return (await self.query_batch(namespace, np.asarray(vector)[None, :], k=k, filter=filter))[0]

    async def query_batch(
        self, namespace: str, vectors: np.ndarray, *, k: int, filter: Filter | None = None
    ) -> list[list[VectorHit]]:
        queries = normalize(self._check(vectors).reshape(-1, self.dim))
        index = self._indexes.get(namespace)
        if index is None or index.size == 0 or k <= 0:
            return [[] for _ in queries]
        if index.size * len(queries) >= THREAD_THRESHOLD:  # numpy releases the GIL: keep the loop free
            return await asyncio.to_thread(self._search, index, queries, k, filter)
        return self._search(index, queries, k, filter)

    @staticmethod
    def _search(index: _Index, queries: np.ndarray, k: int, filter: Filter | None) -> list[list[VectorHit]]:
        with index.lock:
            return NumpyVectorStore._search_locked(index, queries, k, filter)

    @staticmethod
    def _search_locked(index: _Index, queries: np.ndarray, k: int, filter: Filter | None) -> list[list[VectorHit]]:
        keep = index.mask(filter, time.time())
        candidates: np.ndarray | None = np.flatnonzero(keep)
        if candidates.size == 0:
            return [[] for _ in queries]
        columns = np.flatnonzero(queries.any(axis=0))
        if columns.size * SPARSE_FRACTION <= queries.shape[1]:
            # sparse queries (term vectors have a few non-zero dimensions): read only those columns
            queries = queries[:, columns]
        else:
            columns = None
        rows = index.matrix[: index.size] if candidates.size == index.size else index.matrix[candidates]
        if candidates.size == index.size:
            candidates = None
        scores = queries @ (rows if columns is None else rows[:, columns]).T
        take = min(k, scores.shape[1])
        results = []
        for row in scores:
            top = np.argpartition(-row, take - 1)[:take] if take < row.size else np.arange(row.size)
            top = top[np.argsort(-row[top], kind="stable")]
            positions = top if candidates is None else candidates[top]
            results.append([VectorHit(index.ids[p], float(row[t])) for p, t in zip(positions.tolist(), top.tolist(), strict=True)])
        return results

    async def get(self, namespace: str, ids: Sequence[str]) -> list[np.ndarray | None]:
        index = self._indexes.get(namespace)
        if index is None:
            return [None for _ in ids]
        rows = [index.rows.get(key) for key in ids]
        return [None if row is None else index.matrix[row].copy() for row in rows]

    async def delete(self, namespace: str, ids: Sequence[str]) -> None:
        index = self._indexes.get(namespace)
        if index is not None:
            with index.lock:
                index.delete(ids)

    async def count(self, namespace: str, filter: Filter | None = None) -> int:
        index = self._indexes.get(namespace)
        if index is None:
            return 0
        return int(index.mask(filter, float("-inf")).sum())  # expired rows still count


@hookimpl
def register_vector_stores(register: Callable[[type[VectorStore]], None]) -> None:
    register(NumpyVectorStore)
