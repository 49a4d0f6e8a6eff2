"""``numpy`` vector store: exact cosine search, per namespace a float32 matrix or posting lists.

Dense vectors (embeddings) go in one contiguous matrix; sparse ones (the
lexical term vectors) in posting lists, so a lexical query reads a few
postings instead of a second full matrix (:mod:`.numpy_storage`).

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
from .numpy_storage import SPARSE_COST, DenseRows, SparseRows, grown, layout_for

THREAD_THRESHOLD = 300_000_000
"""Multiply-adds (rows x queries x dim) above which a search runs in a worker thread.

Below it (one query over up to ~780k 384-d rows) the search runs inline: a
worker thread would free the event loop, but the loop's own work during the
scan (decoding records, SQLite reads) then contends with the worker for the
GIL, and each hand-over can cost a 5 ms switch interval, several times the
scan itself at 100k. Above it (1M rows, or batches of queries) the scan is long
enough that freeing the loop is worth it.
"""


class _Index:
    """One namespace: rows 0..size-1 are live; deletion moves the last row into the hole.

    Row metadata (ids, times, types, metadata) lives here; the vectors live in
    ``storage``, dense or sparse (see :mod:`.numpy_storage`).
    """

    def __init__(self, dim: int) -> None:
        self.lock = threading.Lock()  # searches may run in a worker thread while the loop writes
        self.dim = dim
        self.storage: DenseRows | SparseRows | None = None  # chosen by the first vectors written
        self.size = 0
        self.ids: list[str] = []
        self.rows: dict[str, int] = {}
        self.created = np.zeros(0, dtype=np.float64)
        self.expires = np.zeros(0, dtype=np.float64)  # +inf: never
        self.nonzeros = np.zeros(0, dtype=np.int32)  # per row, for the layout choice
        self.may_expire = False  # set once any row gets an expiry: until then search skips the expiry mask
        self.total_nonzeros = 0
        self.types: list[str] = []
        self.metadata: list[dict[str, Any]] = []

    @property
    def capacity(self) -> int:
        """Rows the per-row arrays have room for (the storage reserves at least as many)."""
        return len(self.created)

    def _layout(self, rows: np.ndarray, vectors: np.ndarray) -> DenseRows | SparseRows:
        """The storage to write ``vectors`` at ``rows`` into, switching layout first if the density says so."""
        counts = np.count_nonzero(vectors, axis=1).astype(np.int32)
        self.total_nonzeros += int(counts.sum()) - int(self.nonzeros[rows].sum())
        self.nonzeros[rows] = counts
        current = None if self.storage is None else self.storage.kind
        wanted = layout_for(current, self.total_nonzeros, self.size, self.dim)
        if self.storage is None:
            self.storage = SparseRows(self.dim) if wanted == "sparse" else DenseRows(self.dim)
            self.storage.reserve(self.capacity, 0)
        elif wanted != current:
            old = self.storage
            self.storage = old.to_dense() if isinstance(old, SparseRows) else old.to_sparse(self.size)
        return self.storage

    def _grow(self, needed: int) -> None:
        if needed <= self.capacity:
            return
        self.created = grown(self.created, needed, self.size)
        self.expires = grown(self.expires, needed, self.size)
        self.nonzeros = grown(self.nonzeros, needed, self.size)
        if self.storage is not None:
            self.storage.reserve(self.capacity, self.size)

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
        chosen = vectors[sources]
        self._layout(rows, chosen).write(rows, chosen)
        for row, source in zip(rows.tolist(), sources.tolist(), strict=True):
            payload = payloads[source]
            self.created[row] = payload.get("created_at") or 0.0
            expires = payload.get("expires_at")
            self.expires[row] = np.inf if expires is None else expires
            self.may_expire = self.may_expire or expires is not None
            self.types[row] = payload.get("memory_type", "")
            self.metadata[row] = payload.get("metadata") or {}

    def delete(self, ids: Sequence[str]) -> None:
        for key in set(ids):
            row = self.rows.pop(key, None)
            if row is None:
                continue
            last = self.size - 1
            assert self.storage is not None  # a row exists, so vectors were written
            self.storage.remove(row, last)
            self.total_nonzeros -= int(self.nonzeros[row])
            self.nonzeros[row], self.nonzeros[last] = self.nonzeros[last], 0
            if row != last:
                moved = self.ids[last]
                self.created[row] = self.created[last]
                self.expires[row] = self.expires[last]
                self.ids[row], self.types[row], self.metadata[row] = moved, self.types[last], self.metadata[last]
                self.rows[moved] = row
            self.ids.pop()
            self.types.pop()
            self.metadata.pop()
            self.size = last

    def vector(self, key: str) -> np.ndarray | None:
        row = self.rows.get(key)
        return None if row is None or self.storage is None else self.storage.vector(row)

    def search_cost(self, queries: int) -> int:
        """Multiply-adds for a dense layout; a sparse one reads only its query's postings and one pass over rows."""
        if isinstance(self.storage, SparseRows):
            return self.size * queries * SPARSE_COST
        return self.size * queries * self.dim

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
    """Exact search: a matrix-vector product (or a sum of postings) per query, top-k by argpartition."""

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
        if index.search_cost(len(queries)) >= THREAD_THRESHOLD:  # numpy releases the GIL: keep the loop free
            return await asyncio.to_thread(self._search, index, queries, k, filter)
        return self._search(index, queries, k, filter)

    @staticmethod
    def _search(index: _Index, queries: np.ndarray, k: int, filter: Filter | None) -> list[list[VectorHit]]:
        with index.lock:
            storage = index.storage
            keep: np.ndarray | None = None
            candidates: np.ndarray | None = None
            if filter is not None or index.may_expire:
                keep = index.mask(filter, time.time())
                candidates = np.flatnonzero(keep)
                if candidates.size == index.size:
                    keep = candidates = None
            if storage is None or (candidates is not None and candidates.size == 0):
                return [[] for _ in queries]
            results: list[list[VectorHit] | None] = [None] * len(queries)
            if isinstance(storage, SparseRows):  # most rows score 0: the positive ones are often enough
                for q, query in enumerate(queries):
                    rows, scores = storage.positive(query)
                    if keep is not None:
                        rows, scores = rows[keep[rows]], scores[keep[rows]]
                    if rows.size >= k:
                        results[q] = _best(index, scores, rows, k)
            rest = [q for q, hits in enumerate(results) if hits is None]
            if rest:
                scores = storage.scores(queries[rest], index.size, candidates)
                positions = np.arange(scores.shape[1]) if candidates is None else candidates
                for q, row in zip(rest, scores, strict=True):
                    results[q] = _best(index, row, positions, k)
            return [hits or [] for hits in results]

    async def get(self, namespace: str, ids: Sequence[str]) -> list[np.ndarray | None]:
        index = self._indexes.get(namespace)
        if index is None:
            return [None for _ in ids]
        with index.lock:
            return [index.vector(key) for key in ids]

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


def _best(index: _Index, scores: np.ndarray, rows: np.ndarray, k: int) -> list[VectorHit]:
    """The ``k`` highest of ``scores`` (for ``rows``), best first."""
    take = min(k, scores.size)
    top = np.argpartition(-scores, take - 1)[:take] if take < scores.size else np.arange(scores.size)
    top = top[np.argsort(-scores[top], kind="stable")]
    return [VectorHit(index.ids[r], float(scores[t])) for r, t in zip(rows[top].tolist(), top.tolist(), strict=True)]


@hookimpl
def register_vector_stores(register: Callable[[type[VectorStore]], None]) -> None:
    register(NumpyVectorStore)
