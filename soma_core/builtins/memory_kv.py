"""``memory`` KV store: a dict in this process, for tests and throwaway stacks."""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable, Mapping, Sequence

from ..hookspecs import hookimpl
from ..interfaces import Capabilities, KVStore


class MemoryKVStore(KVStore):
    """Keeps everything in process memory; nothing survives close."""

    name = "memory"
    capabilities = Capabilities(ttl=True)

    def __init__(self, config: KVStore.Config | None = None) -> None:
        super().__init__(config)
        self._data: dict[str, dict[str, tuple[bytes, float | None]]] = {}
        self._keys: dict[str, list[str]] = {}  # sorted, for ordered scans

    def _live(self, namespace: str, key: str, now: float) -> bytes | None:
        entry = self._data.get(namespace, {}).get(key)
        if entry is None or (entry[1] is not None and entry[1] <= now):
            return None
        return entry[0]

    async def mget(self, namespace: str, keys: Sequence[str]) -> list[bytes | None]:
        now = time.time()
        return [self._live(namespace, key, now) for key in keys]

    async def mset(self, namespace: str, items: Mapping[str, bytes], *, ttl: float | None = None) -> None:
        data = self._data.setdefault(namespace, {})
        keys = self._keys.setdefault(namespace, [])
        expires = time.time() + ttl if ttl is not None else None
        for key, value in items.items():
            if key not in data:
                bisect.insort(keys, key)
            data[key] = (bytes(value), expires)

    async def mdelete(self, namespace: str, keys: Sequence[str]) -> int:
        data = self._data.get(namespace, {})
        now = time.time()
        existed = 0
        for key in set(keys):
            if key in data:
                existed += self._live(namespace, key, now) is not None
                del data[key]
                sorted_keys = self._keys[namespace]
                sorted_keys.pop(bisect.bisect_left(sorted_keys, key))
        return existed

    async def apply(
        self,
        namespace: str,
        *,
        put: Mapping[str, bytes] | None = None,
        add: Mapping[str, int] | None = None,
        delete: Sequence[str] = (),
    ) -> None:
        """Atomic: none of these methods suspends, so the batch runs in one step of the event loop."""
        if delete:
            await self.mdelete(namespace, delete)
        if put:
            await self.mset(namespace, put)
        now = time.time()
        for key, delta in (add or {}).items():
            if not delta:
                continue
            total = int(self._live(namespace, key, now) or 0) + int(delta)
            if total > 0:
                await self.mset(namespace, {key: b"%d" % total})
            else:
                await self.mdelete(namespace, [key])

    async def scan(
        self, namespace: str, prefix: str = "", *, after: str | None = None, limit: int = 1000
    ) -> list[tuple[str, bytes]]:
        keys = self._keys.get(namespace, [])
        start = prefix if after is None or after < prefix else after
        index = bisect.bisect_right(keys, start) if after is not None and after >= prefix else bisect.bisect_left(keys, start)
        now = time.time()
        found: list[tuple[str, bytes]] = []
        while index < len(keys) and len(found) < limit and keys[index].startswith(prefix):
            value = self._live(namespace, keys[index], now)
            if value is not None:
                found.append((keys[index], value))
            index += 1
        return found


@hookimpl
def register_kv_stores(register: Callable[[type[KVStore]], None]) -> None:
    register(MemoryKVStore)
