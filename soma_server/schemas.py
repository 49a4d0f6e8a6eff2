"""Request and response bodies as msgspec Structs; they are also the OpenAPI schema.

Request structs forbid unknown fields (a typo is a 422, not silently ignored).
Timestamps cross the wire as ISO 8601 strings in UTC (``2025-01-31T12:00:00.123456Z``);
the engine keeps Unix seconds, and :func:`record_out` converts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import msgspec

from soma_core.engine import SearchResult
from soma_core.ids import ID_PATTERN
from soma_core.records import MemoryRecord

MemoryType = Literal["episodic", "semantic"]
Dedupe = Annotated[
    Literal["allow", "skip", "merge"],
    msgspec.Meta(description="Near-duplicate policy for this request (default: the configured dedupe.mode)."),
]
Importance = Annotated[float, msgspec.Meta(ge=0.0, le=1.0, description="In [0, 1]; omit to let the scorer decide.")]
Ttl = Annotated[float, msgspec.Meta(gt=0, description="Seconds until the memory expires.")]
MemoryId = Annotated[
    str,
    msgspec.Meta(
        pattern=ID_PATTERN.pattern,
        description="1-128 letters, digits, '_', '.', ':' or '-', starting with a letter or digit.",
    ),
]
UtcTime = Annotated[
    datetime, msgspec.Meta(tz=True, description="ISO 8601 with a time zone, e.g. 2025-01-31T12:00:00Z.")
]


class _In(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of request bodies: unknown fields are errors."""


class MemoryIn(_In):
    """One memory to store. A client-chosen ``id`` makes the store idempotent."""

    content: str
    importance: Importance | None = None
    memory_type: MemoryType = "episodic"
    metadata: dict[str, Any] | None = None
    ttl_seconds: Ttl | None = None
    id: MemoryId | None = None
    created_at: Annotated[
        UtcTime | None, msgspec.Meta(description="Backdate an imported memory (not in the future).")
    ] = None

    def as_input(self) -> dict[str, Any]:
        """The engine's MemoryInput fields."""
        return {
            "content": self.content,
            "importance": self.importance,
            "memory_type": self.memory_type,
            "metadata": self.metadata or {},
            "ttl": self.ttl_seconds,
            "id": self.id,
            "created_at": None if self.created_at is None else self.created_at.timestamp(),
        }


class StoreIn(MemoryIn):
    """One memory to store, and optionally the near-duplicate policy for this request."""

    dedupe: Dedupe | None = None


class BatchIn(_In):
    """Many memories, stored all or nothing (embedded in batches)."""

    items: list[MemoryIn]
    dedupe: Dedupe | None = None


class BatchOut(msgspec.Struct):
    """The ids of the stored memories, in request order."""

    ids: list[str]


class MemoryPatch(_In):
    """Fields to change; omitted (or null) fields keep their value. ``metadata`` replaces the whole object."""

    content: str | None = None
    importance: Importance | None = None
    metadata: dict[str, Any] | None = None
    memory_type: MemoryType | None = None
    ttl_seconds: Annotated[Ttl | None, msgspec.Meta(description="New expiry, counted from now.")] = None


class MemoryOut(msgspec.Struct):
    """A stored memory. Times are ISO 8601 UTC; ``last_accessed_at`` and ``expires_at`` may be null."""

    id: str
    namespace: str
    content: str
    memory_type: str
    importance: float
    metadata: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    last_accessed_at: datetime | None
    access_count: int
    expires_at: datetime | None


class PageOut(msgspec.Struct):
    """One page of memories; pass ``next_cursor`` as ``cursor`` for the next (null: no more)."""

    items: list[MemoryOut]
    next_cursor: str | None


class Filters(_In):
    """All conditions must hold: memory type, metadata equality on top-level keys, creation time range."""

    memory_type: MemoryType | None = None
    metadata: dict[str, str | int | float | bool] | None = None
    created_after: UtcTime | None = None
    created_before: UtcTime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "memory_type": self.memory_type,
            "metadata": self.metadata or {},
            "created_after": None if self.created_after is None else self.created_after.timestamp(),
            "created_before": None if self.created_before is None else self.created_before.timestamp(),
        }


class WeightsIn(_In):
    """Per-search ranking overrides; omitted ones keep the namespace's defaults."""

    relevance: Annotated[float, msgspec.Meta(ge=0)] | None = None
    importance: Annotated[float, msgspec.Meta(ge=0)] | None = None
    recency: Annotated[float, msgspec.Meta(ge=0)] | None = None
    half_life_days: Annotated[float, msgspec.Meta(gt=0)] | None = None
    lexical_weight: Annotated[float, msgspec.Meta(ge=0, le=1)] | None = None
    fusion: Literal["weighted", "rrf"] | None = None
    usage_boost: Annotated[float, msgspec.Meta(ge=0, le=1)] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in msgspec.structs.asdict(self).items() if v is not None}


class SearchIn(_In):
    """A ranked search; ``explain`` adds each result's score components."""

    query: str
    k: Annotated[int, msgspec.Meta(ge=1)] = 10
    mode: Literal["hybrid", "dense", "lexical"] = "hybrid"
    filters: Filters | None = None
    weights: WeightsIn | None = None
    explain: bool = False


class Explain(msgspec.Struct):
    """Score components; ``dense`` and ``lexical`` are null when that signal was not computed."""

    relevance: float
    importance: float
    recency: float
    score: float
    dense: float | None
    lexical: float | None


class SearchHit(msgspec.Struct, omit_defaults=True):
    memory: MemoryOut
    score: float
    explain: Explain | None = None


class SearchOut(msgspec.Struct):
    results: list[SearchHit]


class StatsOut(msgspec.Struct):
    """Counts for one namespace."""

    namespace: str
    count: int
    by_type: dict[str, int]
    pending_repair: int
    embedder: str
    dim: int


class BackendOut(msgspec.Struct):
    backend: str
    plugin: str
    distribution: str
    version: str
    capabilities: dict[str, bool]
    options: dict[str, Any]


class StackOut(msgspec.Struct):
    """The configured backends (options as each backend chooses to show them: no secrets)."""

    kv: BackendOut
    vectors: BackendOut
    embedder: BackendOut
    scorer: BackendOut
    notices: list[str]


class HealthOut(msgspec.Struct):
    status: Literal["ok"]


class ReadyOut(msgspec.Struct):
    """``backends`` maps each slot to "ok" or the reason it failed."""

    status: Literal["ok", "unavailable"]
    backends: dict[str, str]


def utc(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, tz=UTC)


def record_out(record: MemoryRecord) -> MemoryOut:
    return MemoryOut(
        id=record.id,
        namespace=record.namespace,
        content=record.content,
        memory_type=record.memory_type,
        importance=record.importance,
        metadata=record.metadata,
        created_at=datetime.fromtimestamp(record.created_at, tz=UTC),
        updated_at=datetime.fromtimestamp(record.updated_at, tz=UTC),
        last_accessed_at=utc(record.last_accessed_at),
        access_count=record.access_count,
        expires_at=utc(record.expires_at),
    )


def hit_out(result: SearchResult) -> SearchHit:
    explain = None
    if result.explain is not None:
        c = result.explain
        explain = Explain(c.relevance, c.importance, c.recency, c.score, c.dense, c.lexical)
    return SearchHit(memory=record_out(result.memory), score=result.score, explain=explain)
