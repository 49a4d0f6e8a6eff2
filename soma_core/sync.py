"""A synchronous facade over the async engine, for scripts and notebooks.

It runs the engine on a private event loop in a background thread and forwards
every coroutine method, so no method is written twice::

    with SyncMemory() as memory:
        memory_id = memory.store("Alice prefers tea")
        print(memory.search("what does Alice drink?"))
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from .config import Settings
from .engine import MemoryEngine
from .opening import open_engine

T = TypeVar("T")


class SyncMemory:
    """Every :class:`MemoryEngine` coroutine method, callable without ``await``."""

    def __init__(self, settings: Settings | None = None, **overrides: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="soma-sync", daemon=True)
        self._thread.start()
        try:
            self.engine: MemoryEngine = self._run(open_engine(settings, **overrides))
        except BaseException:
            self._stop()
            raise

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.engine, name)
        if not asyncio.iscoroutinefunction(attr):
            return attr

        @functools.wraps(attr)
        def call(*args: Any, **kwargs: Any) -> Any:
            return self._run(attr(*args, **kwargs))

        return call

    def close(self) -> None:
        if self._loop.is_running():
            self._run(self.engine.close())
            self._stop()

    def _stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def __enter__(self) -> SyncMemory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

