"""Checks on caller input, each failing with an InvalidInputError that names the field."""

from __future__ import annotations

import json
import math
import re
import time
from dataclasses import dataclass, field
from typing import Any

from .config import NAMESPACE_PATTERN
from .errors import InvalidInputError
from .filters import Filter
from .ids import is_valid_id
from .records import MemoryType

_NAMESPACE = re.compile(NAMESPACE_PATTERN)
MEMORY_TYPES = {t.value for t in MemoryType}


@dataclass(slots=True)
class MemoryInput:
    """One memory to store; see :meth:`MemoryEngine.store` for each field."""

    content: str
    importance: float | None = None
    memory_type: str = MemoryType.EPISODIC.value
    metadata: dict[str, Any] = field(default_factory=dict)
    ttl: float | None = None
    id: str | None = None
    created_at: float | None = None


def check_namespace(namespace: str) -> str:
    if not isinstance(namespace, str) or not _NAMESPACE.match(namespace):
        raise InvalidInputError(
            f"namespace {namespace!r} is invalid: use 1-128 letters, digits, '_', '.', ':' or '-', "
            "starting with a letter or digit",
            field="namespace",
        )
    return namespace


def check_id(memory_id: str, field_name: str = "id") -> str:
    if not isinstance(memory_id, str) or not is_valid_id(memory_id):
        raise InvalidInputError(
            f"{field_name} {memory_id!r} is invalid: use 1-128 letters, digits, '_', '.', ':' or '-'",
            field=field_name,
        )
    return memory_id


def check_content(content: Any, field_name: str = "content") -> str:
    if not isinstance(content, str) or not content.strip():
        raise InvalidInputError(f"{field_name} must be a non-empty string", field=field_name)
    return content


def check_importance(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= float(value) <= 1.0:
        raise InvalidInputError(f"importance must be a number in [0, 1], not {value!r}", field="importance")
    return float(value)


def check_memory_type(value: Any) -> str:
    if value not in MEMORY_TYPES:
        raise InvalidInputError(
            f"memory_type must be one of {', '.join(sorted(MEMORY_TYPES))}, not {value!r}", field="memory_type"
        )
    return str(value)


def check_metadata(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
        raise InvalidInputError("metadata must be a JSON object with string keys", field="metadata")
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"metadata must be JSON-serialisable: {exc}", field="metadata") from None
    return value


def check_ttl(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise InvalidInputError(f"ttl must be a positive number of seconds, not {value!r}", field="ttl")
    return float(value)


def check_created_at(value: Any) -> float | None:
    """A backdated creation time: Unix seconds, not in the future (5 minutes of clock skew allowed)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise InvalidInputError(f"created_at must be Unix seconds, not {value!r}", field="created_at")
    if value > time.time() + 300:
        raise InvalidInputError("created_at must not be in the future", field="created_at")
    return float(value)


def check_input(item: MemoryInput | dict[str, Any] | str) -> MemoryInput:
    """A validated MemoryInput from a MemoryInput, a plain dict or just the content."""
    if isinstance(item, str):
        item = MemoryInput(item)
    elif isinstance(item, dict):
        unknown = set(item) - set(MemoryInput.__dataclass_fields__)
        if unknown:
            raise InvalidInputError(f"unknown field(s): {', '.join(sorted(unknown))}", field=sorted(unknown)[0])
        item = MemoryInput(**item)
    elif not isinstance(item, MemoryInput):
        raise InvalidInputError(f"expected a memory (str, dict or MemoryInput), not {type(item).__name__}")
    return MemoryInput(
        content=check_content(item.content),
        importance=check_importance(item.importance),
        memory_type=check_memory_type(item.memory_type),
        metadata=check_metadata(item.metadata),
        ttl=check_ttl(item.ttl),
        id=None if item.id is None else check_id(item.id),
        created_at=check_created_at(item.created_at),
    )


def to_filter(value: Filter | dict[str, Any] | None) -> Filter | None:
    """A Filter from a Filter, a plain dict with the same keys, or None."""
    if value is None or isinstance(value, Filter):
        return value
    if not isinstance(value, dict):
        raise InvalidInputError("filters must be an object", field="filters")
    allowed = {"memory_type", "metadata", "created_after", "created_before"}
    unknown = set(value) - allowed
    if unknown:
        raise InvalidInputError(
            f"unknown filter(s): {', '.join(sorted(unknown))}; use {', '.join(sorted(allowed))}", field="filters"
        )
    memory_type = value.get("memory_type")
    if memory_type is not None:
        check_memory_type(memory_type)
    metadata = value.get("metadata") or {}
    if not isinstance(metadata, dict) or not all(
        isinstance(v, (str, int, float, bool)) and not (isinstance(v, float) and not math.isfinite(v))
        for v in metadata.values()
    ):
        raise InvalidInputError("filters.metadata must map keys to strings, numbers or booleans", field="filters")
    bounds = {}
    for name in ("created_after", "created_before"):
        bound = value.get(name)
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, (int, float))):
            raise InvalidInputError(f"filters.{name} must be Unix seconds", field="filters")
        bounds[name] = None if bound is None else float(bound)
    return Filter(memory_type=memory_type, metadata=dict(metadata), **bounds)
