"""Search filters and their reference semantics, shared by every vector store.

A :class:`Filter` is a conjunction: memory type, metadata equality on top-level
keys, and a created_at range. :meth:`Filter.matches` is the reference that the
conformance kit holds backends to and that the engine re-applies after a query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Scalar = str | int | float | bool


@dataclass(frozen=True, slots=True)
class Filter:
    """Which memories a search or count may return.

    memory_type: only this type.
    metadata: every key must be present with an equal scalar value (``1`` equals
        ``1.0``; ``True`` is not ``1``).
    created_after / created_before: Unix seconds; inclusive / exclusive bounds.
    """

    memory_type: str | None = None
    metadata: dict[str, Scalar] = field(default_factory=dict)
    created_after: float | None = None
    created_before: float | None = None

    def is_empty(self) -> bool:
        return (
            self.memory_type is None
            and not self.metadata
            and self.created_after is None
            and self.created_before is None
        )

    def matches(self, payload: dict[str, Any]) -> bool:
        """True when a vector payload (or record fields) satisfies every condition."""
        if self.memory_type is not None and payload.get("memory_type") != self.memory_type:
            return False
        created = payload.get("created_at")
        if self.created_after is not None and (created is None or created < self.created_after):
            return False
        if self.created_before is not None and (created is None or created >= self.created_before):
            return False
        metadata = payload.get("metadata") or {}
        return all(key in metadata and scalar_equal(metadata[key], value) for key, value in self.metadata.items())


def scalar_equal(a: Any, b: Any) -> bool:
    """Equality as filters mean it: booleans only equal booleans."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return bool(a == b)
