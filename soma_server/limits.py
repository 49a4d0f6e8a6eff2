"""Configurable request limits (``server.limits``), each failing with a 422 that names the field.

The body size limit (413) is enforced by Litestar before parsing; these run on
the parsed body, before the engine sees it.
"""

from __future__ import annotations

from typing import Any

import msgspec

from soma_core.errors import InvalidInputError
from soma_core.validation import check_input

from .schemas import BatchIn, MemoryIn, MemoryPatch, SearchIn
from .settings import Limits


def check_memory(item: MemoryIn | MemoryPatch, limits: Limits, prefix: str = "") -> None:
    if item.content is not None:
        check_text(item.content, limits, f"{prefix}content")
    if item.metadata is not None:
        check_metadata(item.metadata, limits, f"{prefix}metadata")


def check_batch(batch: BatchIn, limits: Limits) -> None:
    if len(batch.items) > limits.max_batch_items:
        raise InvalidInputError(
            f"items: {len(batch.items)} items exceed the limit of {limits.max_batch_items} per batch "
            "(server.limits.max_batch_items)",
            field="items",
        )
    for index, item in enumerate(batch.items):
        check_memory(item, limits, f"items[{index}].")
        try:
            check_input(item.as_input())  # the engine checks again, but could not say which item
        except InvalidInputError as exc:
            raise InvalidInputError(f"items[{index}]: {exc}", field=f"items[{index}].{exc.field}") from None


def check_search(search: SearchIn, limits: Limits) -> None:
    check_text(search.query, limits, "query")
    if search.k > limits.max_k:
        raise InvalidInputError(f"k: {search.k} exceeds the limit of {limits.max_k} (server.limits.max_k)", field="k")


def check_list_limit(limit: int, limits: Limits) -> None:
    if limit > limits.max_list_limit:
        raise InvalidInputError(
            f"limit: {limit} exceeds the limit of {limits.max_list_limit} (server.limits.max_list_limit)",
            field="limit",
        )


def check_text(text: str, limits: Limits, field: str) -> None:
    if len(text) > limits.max_content_chars:
        raise InvalidInputError(
            f"{field}: {len(text)} characters exceed the limit of {limits.max_content_chars} "
            "(server.limits.max_content_chars)",
            field=field,
        )


def check_metadata(metadata: dict[str, Any], limits: Limits, field: str) -> None:
    if _deeper_than(metadata, limits.max_metadata_depth):
        raise InvalidInputError(
            f"{field}: nested deeper than {limits.max_metadata_depth} levels (server.limits.max_metadata_depth)",
            field=field,
        )
    size = len(msgspec.json.encode(metadata))
    if size > limits.max_metadata_bytes:
        raise InvalidInputError(
            f"{field}: {size} bytes of JSON exceed the limit of {limits.max_metadata_bytes} "
            "(server.limits.max_metadata_bytes)",
            field=field,
        )


def _deeper_than(value: Any, depth: int) -> bool:
    """True if ``value`` nests more than ``depth`` objects/arrays; stops looking once it knows."""
    if not isinstance(value, (dict, list)):
        return False
    if depth <= 0:
        return True
    children = value.values() if isinstance(value, dict) else value
    return any(_deeper_than(child, depth - 1) for child in children)
