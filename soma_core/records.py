"""The memory record and how it is stored as bytes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any


class MemoryType(StrEnum):
    EPISODIC = "episodic"
    """Something that happened: a conversation turn, an event."""
    SEMANTIC = "semantic"
    """A fact or preference that holds regardless of when it was learned."""


@dataclass(slots=True)
class MemoryRecord:
    """One memory. Times are Unix seconds (UTC)."""

    id: str
    namespace: str
    content: str
    memory_type: str = MemoryType.EPISODIC.value
    importance: float = 0.5
    metadata: dict[str, Any] = field(default_factory=dict)
    created_at: float = 0.0
    updated_at: float = 0.0
    last_accessed_at: float | None = None
    access_count: int = 0
    expires_at: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (metadata is shared, not copied)."""
        return {name: getattr(self, name) for name in _FIELDS}

    def to_bytes(self) -> bytes:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> MemoryRecord:
        return cls(**json.loads(raw))

    @classmethod
    def many_from_bytes(cls, raws: list[bytes]) -> list[MemoryRecord]:
        """Decode many records with one JSON parse (a search hydrates ~100 at a time)."""
        if not raws:
            return []
        return [cls(**fields) for fields in json.loads(b"[" + b",".join(raws) + b"]")]

    def is_expired(self, now: float) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def payload(self) -> dict[str, Any]:
        """What the vector store keeps beside the vector, for filtering."""
        return {
            "memory_type": self.memory_type,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "metadata": self.metadata,
        }

    @property
    def reference_time(self) -> float:
        """Where recency decay starts: the last access, else creation."""
        return self.last_accessed_at if self.last_accessed_at is not None else self.created_at


_FIELDS = tuple(f.name for f in fields(MemoryRecord))
