"""Soma payloads as flat Chroma metadata, and Soma filters as Chroma ``where`` clauses.

Chroma metadata values are scalars, so a payload is flattened: ``memory_type``,
``created_at`` (always a float: Chroma compares a float bound only with float
values), ``expires_at`` when set, and each top-level scalar of ``metadata`` as
``md.<key>``. Nested values, None, non-finite floats and integers beyond 64
bits are left out: filters compare top-level scalars only. Chroma keeps
booleans apart from numbers (``True`` never equals ``1``) and compares ``1``
equal to ``1.0``, as :func:`soma_core.filters.scalar_equal` does; but it
truncates a fractional float when comparing it with ints, which
:func:`_equals` corrects.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

from soma_core.filters import Filter

METADATA_PREFIX = "md."
INT64 = 2**63


class _Nothing:
    """A filter no stored record can satisfy (it compares with an unstorable value)."""

    def __repr__(self) -> str:
        return "NOTHING"


NOTHING: Final = _Nothing()
Where = dict[str, Any]


def storable(value: Any) -> bool:
    """Whether Chroma keeps ``value`` as a comparable scalar."""
    if isinstance(value, (bool, str)):
        return True
    if isinstance(value, int):
        return -INT64 <= value < INT64
    if isinstance(value, float):
        return math.isfinite(value)
    return False


def to_metadata(payload: Mapping[str, Any]) -> dict[str, str | int | float | bool]:
    """The flat Chroma metadata of one Soma payload."""
    flat: dict[str, str | int | float | bool] = {}
    memory_type = payload.get("memory_type")
    if isinstance(memory_type, str):
        flat["memory_type"] = memory_type
    for key in ("created_at", "expires_at"):
        value = payload.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            flat[key] = float(value)
    metadata = payload.get("metadata") or {}
    for key, value in metadata.items():
        if storable(value):
            flat[f"{METADATA_PREFIX}{key}"] = value
    return flat


def cleared_keys(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> dict[str, None]:
    """Keys to delete (set to None) so an upsert replaces metadata: Chroma's upsert merges it."""
    return {key: None for key in (old or {}) if key not in new}


def to_where(filter: Filter | None) -> Where | None | _Nothing:
    """The ``where`` clause of ``filter``: None for no condition, NOTHING when nothing can match."""
    if filter is None or filter.is_empty():
        return None
    conditions: list[Where] = []
    if filter.memory_type is not None:
        conditions.append({"memory_type": {"$eq": filter.memory_type}})
    for operator, bound in (("$gte", filter.created_after), ("$lt", filter.created_before)):
        if bound is None or bound == (-math.inf if operator == "$gte" else math.inf):
            continue  # an infinite outer bound excludes nothing
        if not math.isfinite(bound):
            return NOTHING  # NaN, or an infinite inner bound: nothing is created there
        conditions.append({"created_at": {operator: float(bound)}})
    for key, value in filter.metadata.items():
        if not storable(value):
            return NOTHING
        conditions += _equals(f"{METADATA_PREFIX}{key}", value)
    if not conditions:
        return None
    return conditions[0] if len(conditions) == 1 else {"$and": conditions}


def _equals(key: str, value: str | int | float | bool) -> list[Where]:
    """Equality as Soma means it. Chroma truncates a fractional float bound when it meets an int
    value (``$eq 1.5`` matches ``1``), so such a bound also excludes its two neighbouring ints."""
    conditions: list[Where] = [{key: {"$eq": value}}]
    if isinstance(value, float) and not value.is_integer():
        conditions += [{key: {"$ne": math.floor(value)}}, {key: {"$ne": math.ceil(value)}}]
    return conditions
