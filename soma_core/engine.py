"""The memory engine: every operation on memories, over any stack.

:class:`MemoryEngine` is composed of three parts, one module each:
:mod:`~soma_core.writing` (store, update, delete and the write guarantee),
:mod:`~soma_core.retrieval` (search) and :mod:`~soma_core.maintenance`
(open checks, repair, reindex); the reads below complete it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from . import keys as K
from .config import Settings
from .errors import InvalidInputError, NotFoundError
from .filters import Filter
from .maintenance import Maintenance
from .records import MemoryRecord
from .retrieval import Retrieval, SearchResult
from .stack import Stack
from .validation import check_id, check_memory_type, check_namespace
from .writing import Writes

__all__ = ["MemoryEngine", "Page", "SearchResult"]


@dataclass(frozen=True, slots=True)
class Page:
    """A page of :meth:`MemoryEngine.list`; pass ``next_cursor`` back for the next one (None: done)."""

    items: list[MemoryRecord]
    next_cursor: str | None


class MemoryEngine(Writes, Retrieval, Maintenance):
    """Store, recall, search, update and delete memories on an opened :class:`Stack`.

    Build one with :func:`soma_core.open_engine`. Every method takes an optional
    ``namespace`` (default: the configured one); namespaces never see each other.
    """

    def __init__(self, stack: Stack, settings: Settings) -> None:
        Maintenance.__init__(self, stack, settings)
        self._counts = {}

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
        by_type: dict[str, int] = {}
        if self.vectors.capabilities.filters:
            by_type = {t: await self.vectors.count(ns, Filter(memory_type=t)) for t in ("episodic", "semantic")}
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
