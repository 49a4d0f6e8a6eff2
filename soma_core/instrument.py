"""Timing of backend operations, for metrics and tracing, without touching backend code.

:func:`instrument` wraps the public coroutine methods of each backend *instance*
in a stack so that every call reports (slot, backend, operation, seconds, ok) to
an observer — the server feeds Prometheus histograms from it.
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable
from typing import Any

from .stack import Stack

Observer = Callable[[str, str, str, float, bool], None]
"""Called as observer(slot, backend_name, operation, seconds, ok) after each call."""

OPERATIONS: dict[str, tuple[str, ...]] = {
    "kv": ("mget", "mset", "mdelete", "scan", "apply"),
    "vectors": ("upsert", "query", "query_batch", "get", "delete", "count"),
    "embedder": ("embed_batch",),
    "scorer": ("score_batch",),
}


def instrument(stack: Stack, observer: Observer) -> None:
    """Report every backend operation of ``stack`` to ``observer`` (idempotent per stack)."""
    for slot, backend in stack.slots().items():
        if getattr(backend, "_soma_instrumented", False):
            continue
        for operation in OPERATIONS[slot]:
            method = getattr(backend, operation)
            if inspect.iscoroutinefunction(method):
                setattr(backend, operation, _timed(method, slot, backend.name, operation, observer))
        backend._soma_instrumented = True  # type: ignore[attr-defined]


def _timed(method: Callable[..., Any], slot: str, name: str, operation: str, observer: Observer) -> Callable[..., Any]:
    @functools.wraps(method)
    async def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        ok = False
        try:
            result = await method(*args, **kwargs)
            ok = True
            return result
        finally:
            observer(slot, name, operation, time.perf_counter() - started, ok)

    return timed
