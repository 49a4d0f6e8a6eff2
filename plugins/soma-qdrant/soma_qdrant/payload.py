"""How Soma's ids, payloads and filters map onto Qdrant points and conditions.

Qdrant point ids must be unsigned ints or UUIDs, so a memory id becomes a
deterministic UUID (uuid5 of namespace and id) and the original id rides in the
payload. Metadata equality is matched through ``metadata_terms``: one keyword
per top-level scalar, tagged with its type, so that ``True`` never matches ``1``
while ``1`` matches ``1.0`` — exactly :func:`soma_core.filters.scalar_equal` —
with one keyword index serving every metadata key, in local and server mode alike.
"""

from __future__ import annotations

import json
import math
import uuid
from typing import Any

from qdrant_client import models

from soma_core.errors import InvalidInputError
from soma_core.filters import Filter

NAMESPACE = "namespace"
MEMORY_ID = "memory_id"
TERMS = "metadata_terms"
EXPIRES_AT = "expires_at"
RESERVED = (NAMESPACE, MEMORY_ID, TERMS)
"""Payload keys this store adds to the engine's own (memory_type, created_at, expires_at, metadata)."""

_ROOT = uuid.uuid5(uuid.NAMESPACE_URL, "soma:qdrant:point-id")

INDEXES: dict[str, models.PayloadSchemaType | models.KeywordIndexParams] = {
    NAMESPACE: models.KeywordIndexParams(type=models.KeywordIndexType.KEYWORD, is_tenant=True),
    "memory_type": models.PayloadSchemaType.KEYWORD,
    "created_at": models.PayloadSchemaType.FLOAT,
    EXPIRES_AT: models.PayloadSchemaType.FLOAT,
    TERMS: models.PayloadSchemaType.KEYWORD,
}
"""Payload indexes of the shared collection in url mode; ``namespace`` is the tenant key.

Local mode ignores payload indexes, so its collections get none."""


def point_id(namespace: str, memory_id: str) -> str:
    """The point UUID of ``memory_id`` in ``namespace``: stable, and distinct per namespace."""
    return str(uuid.uuid5(_ROOT, json.dumps([namespace, memory_id], ensure_ascii=False)))


def scalar_token(value: Any) -> str | None:
    """A string equal for two scalars exactly when ``scalar_equal`` says they are; None for non-scalars."""
    if isinstance(value, bool):
        return "b:true" if value else "b:false"
    if isinstance(value, int):
        return f"n:{value}"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return f"n:{int(value)}"  # 1.0 is 1, as in Python; exact for large values too
        return f"n:{value!r}"  # 0.5, inf, -inf; nan is never stored, so never matches
    if isinstance(value, str):
        return f"s:{value}"
    return None


def metadata_term(key: str, value: Any) -> str | None:
    token = scalar_token(value)
    return None if token is None else json.dumps([key, token], ensure_ascii=False, separators=(",", ":"))


def metadata_terms(metadata: Any) -> list[str]:
    """The terms of every top-level scalar of ``metadata`` (NaN equals nothing, so it gets none)."""
    if not isinstance(metadata, dict):
        return []
    terms = []
    for key, value in metadata.items():
        if isinstance(value, float) and math.isnan(value):
            continue
        term = metadata_term(str(key), value)
        if term is not None:
            terms.append(term)
    return terms


def point_payload(namespace: str, memory_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The engine's payload plus the namespace, the original id and the metadata terms."""
    return {
        **payload,
        NAMESPACE: namespace,
        MEMORY_ID: memory_id,
        TERMS: metadata_terms(payload.get("metadata")),
    }


def namespace_condition(namespace: str) -> models.FieldCondition:
    return models.FieldCondition(key=NAMESPACE, match=models.MatchValue(value=namespace))


def to_qdrant_filter(
    namespace: str | None, filter: Filter | None, *, alive_at: float | None = None
) -> models.Filter | None:
    """``filter``'s conditions, plus the namespace condition and 'not expired at ``alive_at``' when given.

    None when that leaves no condition at all: qdrant-client's local mode
    evaluates any filter point by point in Python, but scores an unfiltered
    query with numpy alone.
    """
    must: list[models.Condition] = [] if namespace is None else [namespace_condition(namespace)]
    if filter is not None:
        if filter.memory_type is not None:
            must.append(models.FieldCondition(key="memory_type", match=models.MatchValue(value=filter.memory_type)))
        if filter.created_after is not None or filter.created_before is not None:
            bounds = models.Range(gte=filter.created_after, lt=filter.created_before)
            must.append(models.FieldCondition(key="created_at", range=bounds))
        for key, value in filter.metadata.items():
            term = metadata_term(key, value)
            if term is None:
                raise InvalidInputError(
                    f"metadata filter {key!r}: values must be str, int, float or bool, not {type(value).__name__}",
                    field="metadata",
                )
            must.append(models.FieldCondition(key=TERMS, match=models.MatchValue(value=term)))
    should: list[models.Condition] | None = None
    if alive_at is not None:
        should = [
            models.IsEmptyCondition(is_empty=models.PayloadField(key=EXPIRES_AT)),
            models.FieldCondition(key=EXPIRES_AT, range=models.Range(gt=alive_at)),
        ]
    if not must and should is None:
        return None
    return models.Filter(must=must or None, should=should)


def is_alive(payload: dict[str, Any] | None, now: float) -> bool:
    """The expiry condition of :func:`to_qdrant_filter`, in Python: no ``expires_at``, or one after ``now``."""
    value = (payload or {}).get(EXPIRES_AT)
    if value is None or value == []:
        return True
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > now
