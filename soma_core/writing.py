"""The write half of the engine: store, update, delete, and the KV-then-index order.

Write order and its guarantee (see docs/concepts.md): a write first stores a
pending marker with the record and embedding in the KV store (one batch), then
writes the vector index (dense and lexical), then clears the marker and adds the
write's document-frequency changes in one more batch (``KVStore.apply``). If
indexing fails, the KV write is rolled back and the error raised; if even that
fails, the marker stays and the next repair (at every open, or ``soma repair``)
finishes the job. So a record in the KV store is always either indexed or marked
for repair. Terms are counted only once the index holds them, so a rolled-back
write never touches the counters.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Literal

import numpy as np

from . import keys as K
from . import lexical as L
from .errors import BackendUnavailableError, ConflictError, InvalidInputError, NotFoundError, SomaError
from .ids import new_id
from .interfaces import ScoreRequest
from .records import MemoryRecord
from .validation import (
    MemoryInput,
    check_content,
    check_id,
    check_importance,
    check_input,
    check_memory_type,
    check_metadata,
    check_ttl,
)

log = logging.getLogger("soma.engine")
Dedupe = Literal["allow", "skip", "merge"]


class Writes:
    """Store, update and delete (mixed into :class:`~soma_core.engine.MemoryEngine`)."""

    async def store(
        self,
        content: str,
        importance: float | None = None,
        *,
        memory_type: str = "episodic",
        metadata: dict[str, Any] | None = None,
        ttl: float | None = None,
        id: str | None = None,
        created_at: float | None = None,
        dedupe: Dedupe | None = None,
        namespace: str | None = None,
    ) -> str:
        """Store one memory and return its id.

        ``importance`` in [0, 1] is kept as given; None lets the configured scorer
        decide. ``ttl`` (seconds) makes the memory expire. A caller-chosen ``id``
        makes the call idempotent: the same id and content again returns the id
        without a duplicate; the same id with other content is a ConflictError.
        ``created_at`` backdates an imported memory. ``dedupe`` overrides the
        configured near-duplicate policy for this call.
        """
        item = MemoryInput(content, importance, memory_type, metadata or {}, ttl, id, created_at)
        return (await self.store_many([item], dedupe=dedupe, namespace=namespace))[0]

    async def store_many(
        self,
        items: Sequence[MemoryInput | dict[str, Any] | str],
        *,
        dedupe: Dedupe | None = None,
        namespace: str | None = None,
    ) -> list[str]:
        """Store many memories, embedded in batches; returns their ids in order. All or nothing.

        Near-duplicates (cosine ≥ ``dedupe.threshold`` to a stored memory or an
        earlier item of the batch) are handled by the dedupe policy: ``allow``
        stores them, ``skip`` returns the existing id, ``merge`` also folds the new
        importance (max) and metadata (new keys win) into the existing memory.
        Items with a caller-chosen id are never deduplicated.
        """
        ns = self._ns(namespace)  # type: ignore[attr-defined]
        policy = dedupe or self.settings.dedupe.mode  # type: ignore[attr-defined]
        if policy not in ("allow", "skip", "merge"):
            raise InvalidInputError(f"dedupe must be allow, skip or merge, not {policy!r}", field="dedupe")
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
        created = iter(await self._write_new(ns, fresh, policy) if fresh else [])
        return [i.id if (i.id and i.id in existing) else next(created) for i in inputs]

    async def _existing(self, ns: str, ids: list[str]) -> dict[str, MemoryRecord]:
        if not ids:
            return {}
        now = time.time()
        raws = await self.kv.mget(ns, [K.record_key(i) for i in ids])  # type: ignore[attr-defined]
        records = {i: MemoryRecord.from_bytes(raw) for i, raw in zip(ids, raws, strict=True) if raw is not None}
        return {i: r for i, r in records.items() if not r.is_expired(now)}

    async def _write_new(self, ns: str, inputs: list[MemoryInput], policy: Dedupe) -> list[str]:
        vectors = await self.embedder.embed_many(  # type: ignore[attr-defined]
            [i.content for i in inputs], batch_size=self.embed_batch_size  # type: ignore[attr-defined]
        )
        nearest = await self._nearest(ns, inputs, vectors, policy)
        duplicates = self._duplicates(inputs, vectors, nearest, policy)
        keep = [n for n in range(len(inputs)) if n not in duplicates]
        importances = await self._score([inputs[n] for n in keep], [nearest[n] for n in keep])
        now = time.time()
        records = [
            MemoryRecord(
                id=inputs[n].id or new_id(),
                namespace=ns,
                content=inputs[n].content,
                memory_type=inputs[n].memory_type,
                importance=importance,
                metadata=inputs[n].metadata,
                created_at=inputs[n].created_at or now,
                updated_at=now,
                expires_at=None if inputs[n].ttl is None else now + inputs[n].ttl,  # type: ignore[operator]
            )
            for n, importance in zip(keep, importances, strict=True)
        ]
        if records:
            await self._note_namespace(ns)  # type: ignore[attr-defined]
            await self._write(ns, records, vectors[keep], rollback={}, count_terms=True)
        ids: dict[int, str] = {n: r.id for n, r in zip(keep, records, strict=True)}
        for n, target in sorted(duplicates.items()):
            ids[n] = ids[target] if isinstance(target, int) else target
        if policy == "merge":
            await self._merge(ns, inputs, duplicates, ids)
        return [ids[n] for n in range(len(inputs))]

    async def _nearest(
        self, ns: str, inputs: list[MemoryInput], vectors: np.ndarray, policy: Dedupe
    ) -> list[tuple[str, float] | None]:
        """Each item's nearest stored memory (id, cosine), when the scorer or dedupe needs it."""
        needs_scores = any(i.importance is None for i in inputs) and self.scorer.wants_neighbors  # type: ignore[attr-defined]
        if policy == "allow" and not needs_scores:
            return [None] * len(inputs)
        hits = await self.vectors.query_batch(ns, vectors, k=1)  # type: ignore[attr-defined]
        return [(h[0].id, h[0].score) if h else None for h in hits]

    def _duplicates(
        self, inputs: list[MemoryInput], vectors: np.ndarray, nearest: list[tuple[str, float] | None], policy: Dedupe
    ) -> dict[int, str | int]:
        """Item index -> the stored id (str) or earlier batch item (int) it duplicates."""
        if policy == "allow":
            return {}
        threshold = self.settings.dedupe.threshold  # type: ignore[attr-defined]
        within = vectors @ vectors.T
        found: dict[int, str | int] = {}
        for n, item in enumerate(inputs):
            if item.id is not None:
                continue
            if nearest[n] is not None and nearest[n][1] >= threshold:  # type: ignore[index]
                found[n] = nearest[n][0]  # type: ignore[index]
                continue
            earlier = [j for j in range(n) if j not in found and inputs[j].id is None and within[n, j] >= threshold]
            if earlier:
                found[n] = earlier[0]
        return found

    async def _merge(
        self, ns: str, inputs: list[MemoryInput], duplicates: dict[int, str | int], ids: dict[int, str]
    ) -> None:
        for n in sorted(duplicates):
            target = await self.get(ids[n], namespace=ns)  # type: ignore[attr-defined]
            importance = inputs[n].importance
            await self.update(
                target.id,
                importance=max(target.importance, importance) if importance is not None else None,
                metadata={**target.metadata, **inputs[n].metadata} if inputs[n].metadata else None,
                namespace=ns,
            )

    async def _score(self, inputs: list[MemoryInput], nearest: list[tuple[str, float] | None]) -> list[float]:
        if all(i.importance is not None for i in inputs):
            return [float(i.importance) for i in inputs]  # type: ignore[arg-type]
        requests = [
            ScoreRequest(i.content, i.importance, i.memory_type, i.metadata, None if near is None else near[1])
            for i, near in zip(inputs, nearest, strict=True)
        ]
        scores = await self.scorer.score_batch(requests)  # type: ignore[attr-defined]
        return [float(min(1.0, max(0.0, s))) for s in scores]

    async def _write(
        self,
        ns: str,
        records: list[MemoryRecord],
        vectors: np.ndarray,
        *,
        rollback: dict[str, bytes],
        count_terms: bool = False,
        replaced: Sequence[str] = (),
    ) -> None:
        """KV first (marked pending), then both indexes; undo the KV write if indexing fails.

        ``rollback`` holds the previous bytes of keys that existed before (updates);
        keys not in it are deleted on rollback. With ``count_terms`` the records'
        terms are added to the document frequencies and those of the ``replaced``
        texts taken away, in the batch that clears the markers.
        """
        ids = [r.id for r in records]
        pending = [K.pending_key(i) for i in ids]
        markers = dict.fromkeys(pending, K.PENDING_UPSERT)
        groups = _by_ttl(records, time.time())
        if None not in groups:  # markers never expire: they need a batch of their own
            await self.kv.mset(ns, markers)  # type: ignore[attr-defined]
            markers = {}
        counts = [L.term_counts(r.content) for r in records]  # once per text: term vectors and frequencies
        written: list[str] = []
        try:
            # the group without TTL goes first and carries the markers: one atomic batch, one transaction fewer
            for ttl, group in sorted(groups.items(), key=lambda item: item[0] is not None):
                items: dict[str, bytes] = dict(markers) if ttl is None else {}
                for index in group:
                    items[K.record_key(records[index].id)] = records[index].to_bytes()
                    items[K.embedding_key(records[index].id)] = K.vector_bytes(vectors[index])
                await self.kv.mset(ns, items, ttl=ttl)  # type: ignore[attr-defined]
                written += [key for key in items if key not in markers]
            await self._upsert_indexes(ns, records, vectors, counts)  # type: ignore[attr-defined]
        except BaseException as exc:
            await self._undo(ns, ids, written, pending, rollback)
            if isinstance(exc, SomaError) or not isinstance(exc, Exception):
                raise
            raise BackendUnavailableError(self.stack.infos["vectors"].name, f"{type(exc).__name__}: {exc}") from exc  # type: ignore[attr-defined]
        delta: Counter[str] = Counter()
        if count_terms:
            delta = L.count_documents(counts)
            delta.subtract(L.document_frequencies(replaced))
        await self._finish(ns, pending, delta)

    async def _undo(self, ns: str, ids: list[str], written: list[str], pending: list[str], rollback: dict[str, bytes]) -> None:
        """Restore the KV store, then bring the index back in line; markers stay if that fails."""
        try:
            restore = {key: rollback[key] for key in written if key in rollback}
            if restore:
                await self.kv.mset(ns, restore)  # type: ignore[attr-defined]
            await self.kv.mdelete(ns, [key for key in written if key not in rollback])  # type: ignore[attr-defined]
            await self._reconcile(ns, ids)  # type: ignore[attr-defined]
            await self.kv.mdelete(ns, pending)  # type: ignore[attr-defined]
        except Exception as exc:
            log.warning("rollback incomplete (%s); %d ids stay marked for repair", exc, len(ids))

    async def _finish(self, ns: str, pending: list[str], delta: Counter[str]) -> None:
        """Clear pending markers and adjust document frequencies, in one KV batch.

        Best effort: a marker left behind only makes repair re-index (idempotent);
        lost counts only nudge idf until ``soma reindex`` recomputes them.
        """
        add = {L.DF_PREFIX + term: n for term, n in delta.items() if n}
        try:
            await self.kv.apply(ns, delete=pending, add=add)  # type: ignore[attr-defined]
        except Exception as exc:
            log.warning("could not clear %d pending markers (repair will) or count terms (%s)", len(pending), exc)

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
        ns = self._ns(namespace)  # type: ignore[attr-defined]
        old = await self.get(id, namespace=ns)  # type: ignore[attr-defined]
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
        previous = await self.kv.mget(ns, [K.record_key(id), K.embedding_key(id)])  # type: ignore[attr-defined]
        if record.content != old.content or previous[1] is None:
            vector = await self.embedder.embed_many([record.content])  # type: ignore[attr-defined]
        else:
            vector = K.vector_from_bytes(previous[1]).reshape(1, -1)
        rollback = {k: v for k, v in zip([K.record_key(id), K.embedding_key(id)], previous, strict=True) if v}
        changed = record.content != old.content
        replaced = [old.content] if changed else []
        await self._write(ns, [record], vector, rollback=rollback, count_terms=changed, replaced=replaced)
        return record

    async def delete(self, id: str, *, namespace: str | None = None) -> None:
        """Delete one memory; NotFoundError if there is none with this id."""
        if await self.delete_many([check_id(id)], namespace=namespace) == 0:
            raise NotFoundError(id)

    async def delete_many(self, ids: Sequence[str], *, namespace: str | None = None) -> int:
        """Delete memories; missing ids are skipped. Returns how many existed.

        The KV delete is the commit point: once it succeeds the memories are gone
        (search never returns a memory whose record is missing). The index entries
        are removed next; if that fails, a pending marker lets repair remove them.
        """
        ns = self._ns(namespace)  # type: ignore[attr-defined]
        ids = [check_id(i) for i in dict.fromkeys(ids)]
        if not ids:
            return 0
        raws = await self.kv.mget(ns, [K.record_key(i) for i in ids])  # type: ignore[attr-defined]
        contents = [MemoryRecord.from_bytes(raw).content for raw in raws if raw is not None]
        pending = [K.pending_key(i) for i in ids]
        await self.kv.mset(ns, dict.fromkeys(pending, K.PENDING_DELETE))  # type: ignore[attr-defined]
        existed = await self.kv.mdelete(ns, [K.record_key(i) for i in ids])  # type: ignore[attr-defined]
        await self.kv.mdelete(ns, [K.embedding_key(i) for i in ids])  # type: ignore[attr-defined]
        delta: Counter[str] = Counter()
        delta.subtract(L.document_frequencies(contents))
        try:
            await self._delete_indexes(ns, ids)  # type: ignore[attr-defined]
        except Exception as exc:
            log.warning("index delete failed (%s); %d ids stay marked for repair", exc, len(ids))
            pending = []  # the markers stay; the counts go down all the same
        await self._finish(ns, pending, delta)
        return existed


def _by_ttl(records: list[MemoryRecord], now: float) -> dict[float | None, list[int]]:
    groups: dict[float | None, list[int]] = {}
    for index, record in enumerate(records):
        ttl = None if record.expires_at is None else max(record.expires_at - now, 0.001)
        groups.setdefault(ttl, []).append(index)
    return groups


__all__ = ["Dedupe", "Writes"]
