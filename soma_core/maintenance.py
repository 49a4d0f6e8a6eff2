"""Opening checks and repair work: embedder identity, index rebuild, repair, reindex, expiry sweep.

:class:`Maintenance` is the base of :class:`~soma_core.engine.MemoryEngine`; it
holds the stack and everything that walks a whole namespace.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from typing import Any

import numpy as np

from . import keys as K
from . import lexical as L
from .config import Settings
from .errors import DimensionMismatchError
from .records import MemoryRecord
from .stack import Stack

log = logging.getLogger("soma.maintenance")
PAGE = 2000


class Maintenance:
    """Stack access plus whole-namespace passes; see MemoryEngine for everyday operations."""

    embed_batch_size = 256
    """Texts per embedder call; the embedder cuts them into its own model batches."""

    def __init__(self, stack: Stack, settings: Settings) -> None:
        self.stack = stack
        self.settings = settings
        self.kv = stack.kv
        self.vectors = stack.vectors
        self.embedder = stack.embedder
        self.scorer = stack.scorer
        self._known_namespaces: set[str] = set()

    async def close(self) -> None:
        await self.stack.close()

    async def __aenter__(self) -> Any:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- namespaces and meta ------------------------------------------------------

    async def namespaces(self) -> list[str]:
        """Every namespace that was ever written to."""
        names: list[str] = []
        after = None
        while page := await self.kv.scan(K.SYSTEM_NAMESPACE, K.NAMESPACE, after=after, limit=PAGE):
            names += [key[len(K.NAMESPACE) :] for key, _ in page]
            after = page[-1][0]
        return names

    async def _note_namespace(self, ns: str) -> None:
        if ns not in self._known_namespaces:
            await self.kv.mset(K.SYSTEM_NAMESPACE, {K.NAMESPACE + ns: b"1"})
            self._known_namespaces.add(ns)

    async def _read_meta(self) -> dict[str, Any] | None:
        raw = (await self.kv.mget(K.SYSTEM_NAMESPACE, [K.META_KEY]))[0]
        return None if raw is None else json.loads(raw)

    async def _write_meta(self) -> None:
        meta = {"embedder": self.embedder.identity, "dim": self.embedder.dim}
        await self.kv.mset(K.SYSTEM_NAMESPACE, {K.META_KEY: json.dumps(meta).encode()})

    async def check_embedder(self) -> None:
        """Refuse to mix vector spaces: stored embeddings must come from this embedder."""
        meta = await self._read_meta()
        if meta is None:
            await self._write_meta()
            return
        if meta.get("embedder") != self.embedder.identity or meta.get("dim") != self.embedder.dim:
            raise DimensionMismatchError(
                f"stored memories were embedded by {meta.get('embedder')!r} ({meta.get('dim')}-d), but the "
                f"configured embedder is {self.embedder.identity!r} ({self.embedder.dim}-d); run `soma reindex` "
                "to re-embed them with the configured embedder, or configure the previous one again"
            )

    # -- passes -------------------------------------------------------------------

    async def _records(self, ns: str) -> Any:
        """Yield pages of (records, raw embeddings) in id order."""
        after = None
        while page := await self.kv.scan(ns, K.RECORD, after=after, limit=PAGE):
            after = page[-1][0]
            records = [MemoryRecord.from_bytes(raw) for _, raw in page]
            embeddings = await self.kv.mget(ns, [K.embedding_key(r.id) for r in records])
            yield records, embeddings

    async def rebuild_index(self) -> int:
        """Load every live record's embedding into the vector store (for non-persistent stores)."""
        total = 0
        now = time.time()
        for ns in await self.namespaces():
            expired: list[str] = []
            async for records, embeddings in self._records(ns):
                live = [(r, e) for r, e in zip(records, embeddings, strict=True) if not r.is_expired(now)]
                expired += [r.id for r in records if r.is_expired(now)]
                total += await self._index(ns, [r for r, _ in live], [e for _, e in live])
            if expired:
                await self.delete_many(expired, namespace=ns)  # type: ignore[attr-defined]
        return total

    async def _upsert_indexes(
        self, ns: str, records: list[MemoryRecord], vectors: np.ndarray, counts: list[Counter[str]] | None = None
    ) -> None:
        """Write records' dense vectors and lexical term vectors (from ``counts`` when given) into the vector store."""
        ids = [r.id for r in records]
        payloads = [r.payload() for r in records]
        await self.vectors.upsert(ns, ids, vectors, payloads)
        term_vectors = L.document_vectors([r.content for r in records], self.embedder.dim, counts)
        await self.vectors.upsert(L.lexical_namespace(ns), ids, term_vectors, payloads)

    async def _delete_indexes(self, ns: str, ids: list[str]) -> None:
        await self.vectors.delete(ns, ids)
        await self.vectors.delete(L.lexical_namespace(ns), ids)

    async def _index(self, ns: str, records: list[MemoryRecord], raws: list[bytes | None]) -> int:
        """Index records, re-embedding any whose stored embedding is missing or of another width."""
        if not records:
            return 0
        width = 4 * self.embedder.dim
        missing = [i for i, raw in enumerate(raws) if raw is None or len(raw) != width]
        vectors = np.zeros((len(records), self.embedder.dim), dtype=np.float32)
        for i, raw in enumerate(raws):
            if raw is not None and len(raw) == width:
                vectors[i] = K.vector_from_bytes(raw)
        if missing:
            fresh = await self.embedder.embed_many([records[i].content for i in missing], batch_size=self.embed_batch_size)
            vectors[missing] = fresh
            await self.kv.mset(ns, {K.embedding_key(records[i].id): K.vector_bytes(fresh[j]) for j, i in enumerate(missing)})
        await self._upsert_indexes(ns, records, vectors)
        return len(records)

    async def _reconcile(self, ns: str, ids: list[str]) -> tuple[int, int]:
        """Make the index agree with the KV store for ``ids``: (indexed, removed)."""
        raws = await self.kv.mget(ns, [K.record_key(i) for i in ids])
        present = [MemoryRecord.from_bytes(raw) for raw in raws if raw is not None]
        gone = [i for i, raw in zip(ids, raws, strict=True) if raw is None]
        embeddings = await self.kv.mget(ns, [K.embedding_key(r.id) for r in present])
        indexed = await self._index(ns, present, embeddings)
        if gone:
            await self._delete_indexes(ns, gone)
        return indexed, len(gone)

    async def repair(self) -> dict[str, int]:
        """Finish interrupted writes: index pending records, drop index entries of deleted ones."""
        indexed = removed = 0
        for ns in await self.namespaces():
            while page := await self.kv.scan(ns, K.PENDING, limit=PAGE):
                done = await self._reconcile(ns, [K.id_of(key) for key, _ in page])
                indexed, removed = indexed + done[0], removed + done[1]
                await self.kv.mdelete(ns, [key for key, _ in page])
        return {"indexed": indexed, "removed": removed}

    async def sweep_expired(self) -> int:
        """Delete every expired memory from the KV store and the index."""
        total = 0
        now = time.time()
        for ns in await self.namespaces():
            expired: list[str] = []
            async for records, _ in self._records(ns):
                expired += [r.id for r in records if r.is_expired(now)]
            total += await self.delete_many(expired, namespace=ns)  # type: ignore[attr-defined]
        return total

    async def reindex(self) -> dict[str, int]:
        """Re-embed every record with the configured embedder; rebuild both indexes and term counts."""
        await self.vectors.drop_collection()
        await self.vectors.ensure_collection(self.embedder.dim)
        total = 0
        for ns in await self.namespaces():
            while old := await self.kv.scan(ns, L.DF_PREFIX, limit=PAGE):
                await self.kv.mdelete(ns, [key for key, _ in old])
            frequencies: Counter[str] = Counter()
            async for records, _ in self._records(ns):
                total += await self._index(ns, records, [None] * len(records))
                frequencies.update(L.document_frequencies(r.content for r in records))
            for start in range(0, len(frequencies), PAGE):
                chunk = list(frequencies.items())[start : start + PAGE]
                await self.kv.mset(ns, {L.DF_PREFIX + t: str(n).encode() for t, n in chunk})
        await self._write_meta()
        return {"reindexed": total}
