"""Key-value store interface: the source of truth for memory records."""

from __future__ import annotations

import asyncio
from abc import abstractmethod
from collections.abc import Mapping, Sequence

from .base import Backend


class KVStore(Backend):
    """An async, batch-first key-value store of bytes, partitioned by namespace.

    Keys are non-empty strings; values are bytes. A namespace is a separate key
    space: nothing written under one namespace is visible from another.
    Every method takes a batch so that network backends can serve it in one round trip.

    Four methods are abstract. :meth:`apply` (a mixed batch with atomic counter
    additions) has a default built on them; override it to make it one
    transaction, and atomic across processes when the store claims ``multi_process``.
    """

    @abstractmethod
    async def mget(self, namespace: str, keys: Sequence[str]) -> list[bytes | None]:
        """Values for ``keys``, in the same order; None for a missing or expired key."""

    @abstractmethod
    async def mset(self, namespace: str, items: Mapping[str, bytes], *, ttl: float | None = None) -> None:
        """Write every item, all or none (one transaction where the backend has them).

        ``ttl`` (seconds) asks the store to forget these keys afterwards; only
        stores with ``capabilities.ttl`` honour it, others ignore it and the
        engine expires records itself. A later ``mset`` without ``ttl`` clears it.
        """

    @abstractmethod
    async def mdelete(self, namespace: str, keys: Sequence[str]) -> int:
        """Delete ``keys``; missing keys are not an error. Returns how many existed."""

    @abstractmethod
    async def scan(
        self, namespace: str, prefix: str = "", *, after: str | None = None, limit: int = 1000
    ) -> list[tuple[str, bytes]]:
        """Up to ``limit`` (key, value) pairs whose key starts with ``prefix``.

        Ordered by key (code point order), starting strictly after ``after`` when
        given, so that the last key of one page is the cursor for the next.
        Expired keys are never returned.
        """

    async def apply(
        self,
        namespace: str,
        *,
        put: Mapping[str, bytes] | None = None,
        add: Mapping[str, int] | None = None,
        delete: Sequence[str] = (),
    ) -> None:
        """Delete ``delete``, write ``put`` (without TTL), then add ``add`` to counters: one batch, in that order.

        A counter is an integer kept as ASCII decimal (``b"12"``, what :meth:`mget`
        returns); a missing or expired key counts as 0, a counter that ends at 0 or
        below is removed, and counters never expire. A zero delta changes nothing.

        The engine finishes every write with one call (clear its pending markers,
        count the new terms), so a native override saves round trips and commits,
        and keeps document frequencies exact when several processes write at once.
        Override it to apply the whole batch in one transaction and each addition
        atomically (``UPDATE ... SET value = value + n``, ``INCRBY``). This default
        runs ``mdelete``, ``mset`` and a read-modify-write of the counters in turn:
        serialised within this instance, but neither one transaction nor safe
        against another process adding to the same counter at the same time.
        """
        if delete:
            await self.mdelete(namespace, delete)
        if put:
            await self.mset(namespace, put)
        deltas = {key: int(delta) for key, delta in (add or {}).items() if delta}
        if not deltas:
            return
        lock: asyncio.Lock | None = getattr(self, "_soma_counter_lock", None)
        if lock is None:
            lock = self._soma_counter_lock = asyncio.Lock()
        async with lock:
            keys = sorted(deltas)
            current = await self.mget(namespace, keys)
            totals = {key: int(raw or 0) + deltas[key] for key, raw in zip(keys, current, strict=True)}
            await self.mset(namespace, {key: b"%d" % n for key, n in totals.items() if n > 0})
            gone = [key for key, n in totals.items() if n <= 0]
            if gone:
                await self.mdelete(namespace, gone)

    async def madd(self, namespace: str, deltas: Mapping[str, int]) -> None:
        """Add integer deltas to counters (see :meth:`apply`); override ``apply``, not this."""
        await self.apply(namespace, add=deltas)
