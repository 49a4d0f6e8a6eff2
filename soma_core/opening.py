"""Opening an engine: build the stack from settings, open it, check it, repair it."""

from __future__ import annotations

import logging
from typing import Any

from .config import Settings, load_settings
from .engine import MemoryEngine
from .stack import Stack, build_stack

log = logging.getLogger("soma")


async def open_engine(
    settings: Settings | None = None, *, stack: Stack | None = None, for_reindex: bool = False, **overrides: Any
) -> MemoryEngine:
    """An opened engine for ``settings`` (default: :func:`load_settings` with ``overrides``).

    Checks that the embedder matches the stored memories (unless ``for_reindex``),
    rebuilds a non-persistent vector index from the KV store, and runs repair.
    Close it with ``await engine.close()`` or ``async with``.
    """
    settings = settings or load_settings(**overrides)
    stack = stack or build_stack(settings)
    for notice in stack.notices:
        log.info(notice)  # the server and `soma doctor` show notices to operators
    await stack.open(vector_dim=settings.vector_dim, ensure_collection=not for_reindex)
    engine = MemoryEngine(stack, settings)
    try:
        if for_reindex:
            return engine
        await engine.check_embedder()
        if not stack.vectors.capabilities.persistent:
            await engine.rebuild_index()
        await engine.repair()
    except BaseException:
        await engine.close()
        raise
    return engine
