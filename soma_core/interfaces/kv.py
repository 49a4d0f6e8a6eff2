"""Key-value store interface: the source of truth for memory records."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence

from .base import Backend


class KVStore(Backend):
    """An async, batch-first key-value store of bytes, partitioned by namespace.

    Keys are non-empty strings; values are bytes. A namespace is a separate key
    space: nothing written under one namespace is visible from another.
    Every method takes a batch so that network backends can serve it in one round trip.
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
