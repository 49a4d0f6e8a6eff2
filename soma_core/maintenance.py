"""Opening checks and repair work: embedder identity, index rebuild, repair, reindex, expiry sweep.

:class:`Maintenance` is the base of :class:`~soma_core.engine.MemoryEngine`; it
holds the stack and everything that walks a whole namespace.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import numpy as np

from . import keys as K
from .config import Settings
from .errors import DimensionMismatchError
from .records import MemoryRecord
from .stack import Stack

log = logging.getLogger("soma.maintenance")
PAGE = 2000


class Maintenance:
    """Stack access plus whole-namespace passes; see MemoryEngine for everyday operations."""

    embed_batch_size = 64

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

    async def _index(self, ns: str, records: list[MemoryRecord], raws: list[bytes | None]) -> int:
        """Upsert records into the index, re-embedding any whose stored embedding is missing."""
        if not records:
            return 0
        missing = [i for i, raw in enumerate(raws) if raw is None or len(raw) != 4 * self.embedder.dim]
        vectors = np.zeros((len(records), self.embedder.dim), dtype=np.float32)
        for i, raw in enumerate(raws):
            if i not in missing and raw is not None:
                vectors[i] = K.vector_from_bytes(raw)
        if missing:
            fresh = await self.embedder.embed_many([records[i].content for i in missing])
            vectors[missing] = fresh
            await self.kv.mset(ns, {K.embedding_key(records[i].id): K.vector_bytes(fresh[j]) for j, i in enumerate(missing)})
        await self.vectors.upsert(ns, [r.id for r in records], vectors, [r.payload() for r in records])
        return len(records)

    async def repair(self) -> dict[str, int]:
        """Finish interrupted writes: index pending records, drop index entries of deleted ones."""
        indexed = removed = 0
        for ns in await self.namespaces():
            while page := await self.kv.scan(ns, K.PENDING, limit=PAGE):
                ids = [K.id_of(key) for key, _ in page]
                records = await self.kv.mget(ns, [K.record_key(i) for i in ids])
                present = [MemoryRecord.from_bytes(raw) for raw in records if raw is not None]
                gone = [i for i, raw in zip(ids, records, strict=True) if raw is None]
                raws = await self.kv.mget(ns, [K.embedding_key(r.id) for r in present])
                indexed += await self._index(ns, present, raws)
                if gone:
                    await self.vectors.delete(ns, gone)
                    removed += len(gone)
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
        """Re-embed every record with the configured embedder and rebuild the index from scratch."""
        await self.vectors.drop_collection()
        await self.vectors.ensure_collection(self.embedder.dim)
        total = 0
        for ns in await self.namespaces():
            async for records, _ in self._records(ns):
                total += await self._index(ns, records, [None] * len(records))
        await self._write_meta()
        return {"reindexed": total}
