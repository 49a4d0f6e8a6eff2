"""The memory engine: every operation on memories, over any stack.

Write order and its guarantee (see docs/concepts.md): a write first records a
pending marker in the KV store, then the record and embedding, then the vector
index, then clears the marker. If the index step fails, the engine rolls the
KV write back and raises; if even the rollback fails, the marker stays and the
next repair (run at every open, or ``soma repair``) finishes the job. So a
record in the KV store is always either indexed or marked for repair.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from pydantic import ValidationError

from . import keys as K
from .config import Settings, describe_validation_error
from .errors import BackendUnavailableError, ConflictError, InvalidInputError, NotFoundError, SomaError
from .filters import Filter
from .ids import new_id
from .interfaces import ScoreRequest
from .maintenance import Maintenance
from .ranking import Components, blend
from .records import MemoryRecord
from .stack import Stack
from .validation import (
    MemoryInput,
    check_content,
    check_id,
    check_importance,
    check_input,
    check_memory_type,
    check_metadata,
    check_namespace,
    check_ttl,
    to_filter,
)

log = logging.getLogger("soma.engine")

CANDIDATES_PER_RESULT = 5
MIN_CANDIDATES = 50


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One ranked search result; ``explain`` holds the score's components when asked for."""

    memory: MemoryRecord
    score: float
    explain: Components | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """A page of :meth:`MemoryEngine.list`; pass ``next_cursor`` back for the next one (None: done)."""

    items: list[MemoryRecord]
    next_cursor: str | None


class MemoryEngine(Maintenance):
    """Store, recall, search, update and delete memories on an opened :class:`Stack`.

    Build one with :func:`soma_core.open_engine`. Every method takes an optional
    ``namespace`` (default: the configured one); namespaces never see each other.
    """

    def __init__(self, stack: Stack, settings: Settings) -> None:
        super().__init__(stack, settings)

    # -- writes -----------------------------------------------------------------

    async def store(
        self,
        content: str,
        importance: float | None = None,
        *,
        memory_type: str = "episodic",
        metadata: dict[str, Any] | None = None,
        ttl: float | None = None,
        id: str | None = None,
        namespace: str | None = None,
    ) -> str:
        """Store one memory and return its id.

        ``importance`` in [0, 1] is kept as given; None lets the configured scorer
        decide. ``ttl`` (seconds) makes the memory expire. A caller-chosen ``id``
        makes the call idempotent: storing the same id and content again returns
        the id without a duplicate; the same id with other content is a ConflictError.
        """
        item = MemoryInput(content, importance, memory_type, metadata or {}, ttl, id)
        return (await self.store_many([item], namespace=namespace))[0]

    async def store_many(
        self, items: Sequence[MemoryInput | dict[str, Any] | str], *, namespace: str | None = None
    ) -> list[str]:
        """Store many memories (embedded in batches); returns their ids in order. All or nothing."""
        ns = self._ns(namespace)
        inputs = [check_input(item) for item in items]
        if not inputs:
            return []
        given = [i.id for i in inputs if i.id is not None]
        if len(given) != len(set(given)):
            raise InvalidInputError("the same id appears twice in one batch", field="id")
        existing = await self._existing(ns, given)
        for item in inputs:
            old = existing.get(item.id) if item.id else None
            if old is not None and old.content != item.content:
                raise ConflictError(f"id {item.id!r} already holds a memory with other content")
        fresh = [i for i in inputs if not (i.id and i.id in existing)]
        ids = [i.id if i.id else None for i in inputs]
        if fresh:
            created = await self._write_new(ns, fresh)
            it = iter(created)
            ids = [i.id if (i.id and i.id in existing) else next(it) for i in inputs]
        return [str(i) for i in ids]

    async def _existing(self, ns: str, ids: list[str]) -> dict[str, MemoryRecord]:
        if not ids:
            return {}
        now = time.time()
        raws = await self.kv.mget(ns, [K.record_key(i) for i in ids])
        records = {i: MemoryRecord.from_bytes(raw) for i, raw in zip(ids, raws, strict=True) if raw is not None}
        return {i: r for i, r in records.items() if not r.is_expired(now)}

    async def _write_new(self, ns: str, inputs: list[MemoryInput]) -> list[str]:
        vectors = await self.embedder.embed_many([i.content for i in inputs], batch_size=self.embed_batch_size)
        importances = await self._score(ns, inputs, vectors)
        now = time.time()
        records = [
            MemoryRecord(
                id=item.id or new_id(),
                namespace=ns,
                content=item.content,
                memory_type=item.memory_type,
                importance=importance,
                metadata=item.metadata,
                created_at=now,
                updated_at=now,
                expires_at=None if item.ttl is None else now + item.ttl,
            )
            for item, importance in zip(inputs, importances, strict=True)
        ]
        await self._note_namespace(ns)
        await self._write(ns, records, vectors, rollback={})
        return [r.id for r in records]

    async def _score(self, ns: str, inputs: list[MemoryInput], vectors: np.ndarray) -> list[float]:
        if all(i.importance is not None for i in inputs):
            return [float(i.importance) for i in inputs]  # type: ignore[arg-type]
        nearest: list[float | None] = [None] * len(inputs)
        if self.scorer.wants_neighbors:
            hits = await self.vectors.query_batch(ns, vectors, k=1)
            nearest = [h[0].score if h else None for h in hits]
        requests = [
            ScoreRequest(i.content, i.importance, i.memory_type, i.metadata, near)
            for i, near in zip(inputs, nearest, strict=True)
        ]
        scores = await self.scorer.score_batch(requests)
        return [float(min(1.0, max(0.0, s))) for s in scores]

    async def _write(
        self,
        ns: str,
        records: list[MemoryRecord],
        vectors: np.ndarray,
        *,
        rollback: dict[str, bytes],
    ) -> None:
        """KV first (marked pending), then the index; undo the KV write if indexing fails.

        ``rollback`` holds the previous bytes of keys that existed before (updates);
        keys not in it are deleted on rollback.
        """
        ids = [r.id for r in records]
        pending = [K.pending_key(i) for i in ids]
        await self.kv.mset(ns, dict.fromkeys(pending, K.PENDING_UPSERT))
        written: list[str] = []
        try:
            for ttl, group in _by_ttl(records, time.time()).items():
                items: dict[str, bytes] = {}
                for index in group:
                    record = records[index]
                    items[K.record_key(record.id)] = record.to_bytes()
                    items[K.embedding_key(record.id)] = K.vector_bytes(vectors[index])
                await self.kv.mset(ns, items, ttl=ttl)
                written += items
            await self.vectors.upsert(ns, ids, vectors, [r.payload() for r in records])
        except BaseException as exc:
            await self._undo(ns, written, pending, rollback, exc)
            if isinstance(exc, SomaError) or not isinstance(exc, Exception):
                raise
            raise BackendUnavailableError(self.stack.infos["vectors"].name, f"{type(exc).__name__}: {exc}") from exc
        await self._clear_pending(ns, pending)

    async def _undo(
        self, ns: str, written: list[str], pending: list[str], rollback: dict[str, bytes], exc: BaseException
    ) -> None:
        try:
            restore = {key: rollback[key] for key in written if key in rollback}
            if restore:
                await self.kv.mset(ns, restore)
            await self.kv.mdelete(ns, [key for key in written if key not in rollback])
            await self.kv.mdelete(ns, pending)
        except Exception:
            log.warning("rollback after %s failed; %d ids stay marked for repair", type(exc).__name__, len(pending))

    async def _clear_pending(self, ns: str, pending: list[str]) -> None:
        try:
            await self.kv.mdelete(ns, pending)
        except Exception:  # harmless: repair re-indexes idempotently
            log.warning("could not clear %d pending markers; repair will", len(pending))

    async def update(
        self,
        id: str,
        *,
        content: str | None = None,
        importance: float | None = None,
        metadata: dict[str, Any] | None = None,
        memory_type: str | None = None,
        ttl: float | None = None,
        namespace: str | None = None,
    ) -> MemoryRecord:
        """Change the given fields and return the new record; re-embeds when content changes.

        ``metadata`` replaces the old object whole. ``ttl`` sets a new expiry
        counted from now. Fields left as None keep their values.
        """
        ns = self._ns(namespace)
        old = await self.get(id, namespace=ns)
        record = replace(
            old,
            content=old.content if content is None else check_content(content),
            importance=old.importance if importance is None else check_importance(importance),
            metadata=old.metadata if metadata is None else check_metadata(metadata),
            memory_type=old.memory_type if memory_type is None else check_memory_type(memory_type),
            updated_at=time.time(),
        )
        if ttl is not None:
            record.expires_at = record.updated_at + check_ttl(ttl)  # type: ignore[operator]
        reembed = record.content != old.content
        previous = await self.kv.mget(ns, [K.record_key(id), K.embedding_key(id)])
        if reembed or previous[1] is None:
            vector = await self.embedder.embed_many([record.content])
        else:
            vector = K.vector_from_bytes(previous[1]).reshape(1, -1)
        rollback = {k: v for k, v in zip([K.record_key(id), K.embedding_key(id)], previous, strict=True) if v}
        await self._write(ns, [record], vector, rollback=rollback)
        return record

    async def delete(self, id: str, *, namespace: str | None = None) -> None:
        """Delete one memory; NotFoundError if there is none with this id."""
        if await self.delete_many([check_id(id)], namespace=namespace) == 0:
            raise NotFoundError(id)

    async def delete_many(self, ids: Sequence[str], *, namespace: str | None = None) -> int:
        """Delete memories; missing ids are skipped. Returns how many existed.

        The KV delete is the commit point: once it succeeds the memories are gone
        (search never returns a memory whose record is missing). The index entry
        is removed next; if that fails, a pending marker lets repair remove it.
        """
        ns = self._ns(namespace)
        ids = [check_id(i) for i in dict.fromkeys(ids)]
        if not ids:
            return 0
        pending = [K.pending_key(i) for i in ids]
        await self.kv.mset(ns, dict.fromkeys(pending, K.PENDING_DELETE))
        existed = await self.kv.mdelete(ns, [K.record_key(i) for i in ids])
        await self.kv.mdelete(ns, [K.embedding_key(i) for i in ids])
        try:
            await self.vectors.delete(ns, ids)
        except Exception as exc:
            log.warning("index delete failed (%s); %d ids stay marked for repair", exc, len(ids))
            return existed
        await self._clear_pending(ns, pending)
        return existed

    # -- reads ------------------------------------------------------------------

    async def get(self, id: str, *, namespace: str | None = None) -> MemoryRecord:
        """The record, without counting an access; NotFoundError if absent or expired."""
        ns = self._ns(namespace)
        raw = (await self.kv.mget(ns, [K.record_key(check_id(id))]))[0]
        record = None if raw is None else MemoryRecord.from_bytes(raw)
        if record is None or record.is_expired(time.time()):
            raise NotFoundError(id)
        return record

    async def recall(self, id: str, *, namespace: str | None = None) -> MemoryRecord:
        """The record, counting an access: access_count + 1 and last_accessed_at = now."""
        ns = self._ns(namespace)
        record = await self.get(id, namespace=ns)
        now = time.time()
        record.access_count += 1
        record.last_accessed_at = now
        ttl = None if record.expires_at is None else max(record.expires_at - now, 0.001)
        await self.kv.mset(ns, {K.record_key(id): record.to_bytes()}, ttl=ttl)
        return record

    async def search(
        self,
        query: str,
        k: int = 10,
        *,
        filters: Filter | dict[str, Any] | None = None,
        weights: dict[str, float] | None = None,
        explain: bool = False,
        namespace: str | None = None,
    ) -> list[SearchResult]:
        """The ``k`` best memories for ``query``, ranked as :mod:`soma_core.ranking` describes.

        ``filters``: memory_type, metadata equality, created_after/created_before.
        ``weights``: per-search overrides of relevance, importance, recency, half_life_days.
        Searching does not count as an access.
        """
        ns = self._ns(namespace)
        check_content(query, "query")
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise InvalidInputError("k must be a positive integer", field="k")
        flt = to_filter(filters)
        try:
            ranking = self.settings.ranking_for(ns).override(weights)
        except ValidationError as exc:
            raise InvalidInputError(describe_validation_error(exc, prefix="weights"), field="weights") from None
        qvec = (await self.embedder.embed_many([query]))[0]
        native = flt if self.vectors.capabilities.filters else None
        want = max(k * CANDIDATES_PER_RESULT, MIN_CANDIDATES)
        while True:
            hits = await self.vectors.query(ns, qvec, k=want, filter=native)
            records = await self._hydrate(ns, [h.id for h in hits])
            pairs = [(h.score, r) for h, r in zip(hits, records, strict=True) if r is not None]
            if flt is not None:
                pairs = [(s, r) for s, r in pairs if flt.matches(r.to_dict())]
            if len(pairs) >= k or len(hits) < want or want >= 100_000:
                break
            want *= 4  # too many candidates were filtered out or stale: look further
        if not pairs:
            return []
        cosine = np.array([s for s, _ in pairs], dtype=np.float64)
        importance = np.array([r.importance for _, r in pairs], dtype=np.float64)
        reference = np.array([r.reference_time for _, r in pairs], dtype=np.float64)
        score, rel, imp, rec = blend(ranking, cosine, importance, reference, time.time())
        order = np.argsort(-score, kind="stable")[:k]
        return [
            SearchResult(
                memory=pairs[i][1],
                score=float(score[i]),
                explain=Components(float(rel[i]), float(imp[i]), float(rec[i]), float(score[i])) if explain else None,
            )
            for i in order.tolist()
        ]

    async def _hydrate(self, ns: str, ids: list[str]) -> list[MemoryRecord | None]:
        """Records for ids, None for missing or expired ones."""
        if not ids:
            return []
        now = time.time()
        raws = await self.kv.mget(ns, [K.record_key(i) for i in ids])
        out: list[MemoryRecord | None] = []
        for raw in raws:
            record = None if raw is None else MemoryRecord.from_bytes(raw)
            out.append(None if record is None or record.is_expired(now) else record)
        return out

    async def list(
        self,
        *,
        limit: int = 50,
        cursor: str | None = None,
        memory_type: str | None = None,
        namespace: str | None = None,
    ) -> Page:
        """Memories in id order (oldest first), ``limit`` at a time."""
        ns = self._ns(namespace)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidInputError("limit must be a positive integer", field="limit")
        if memory_type is not None:
            check_memory_type(memory_type)
        after = None if cursor is None else K.record_key(check_id(cursor, "cursor"))
        items: list[MemoryRecord] = []
        now = time.time()
        while len(items) < limit:
            page = await self.kv.scan(ns, K.RECORD, after=after, limit=limit)
            for key, raw in page:
                record = MemoryRecord.from_bytes(raw)
                if not record.is_expired(now) and (memory_type is None or record.memory_type == memory_type):
                    items.append(record)
                after = key
                if len(items) == limit:
                    break
            if len(page) < limit:
                return Page(items, None)
        return Page(items, K.id_of(after) if after else None)

    async def count(self, *, namespace: str | None = None) -> int:
        """How many memories the namespace holds (read from the vector index)."""
        return await self.vectors.count(self._ns(namespace))

    async def stats(self, *, namespace: str | None = None) -> dict[str, Any]:
        """Counts for one namespace: total, per memory type, and pending repairs."""
        ns = self._ns(namespace)
        by_type = {t: await self.vectors.count(ns, Filter(memory_type=t)) for t in ("episodic", "semantic")}
        if not self.vectors.capabilities.filters:
            by_type = {}
        pending = await self.kv.scan(ns, K.PENDING, limit=10_000)
        return {
            "namespace": ns,
            "count": await self.vectors.count(ns),
            "by_type": by_type,
            "pending_repair": len(pending),
            "embedder": self.embedder.identity,
            "dim": self.embedder.dim,
        }

    def _ns(self, namespace: str | None) -> str:
        return check_namespace(self.settings.namespace if namespace is None else namespace)


def _by_ttl(records: list[MemoryRecord], now: float) -> dict[float | None, list[int]]:
    groups: dict[float | None, list[int]] = {}
    for index, record in enumerate(records):
        ttl = None if record.expires_at is None else max(record.expires_at - now, 0.001)
        groups.setdefault(ttl, []).append(index)
    return groups
