"""Redis-specific behaviour of the store: pool under burst, key layout, native TTL, the lazy index sweep."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from redis.asyncio import Redis
from soma_redis import RedisConfig, RedisKVStore
from soma_redis.keys import NamespaceKeys

from soma_core.errors import BackendUnavailableError, InvalidInputError

SHARED_URL = "redis://127.0.0.1:6379/0"
pytestmark = [pytest.mark.redis, pytest.mark.asyncio]


@pytest_asyncio.fixture
async def raw() -> AsyncIterator[Redis]:
    """A plain client on the shared Redis, to look at what the store wrote."""
    client = Redis.from_url(SHARED_URL)
    yield client
    await client.aclose()


@pytest_asyncio.fixture
async def store(key_prefix: str) -> AsyncIterator[RedisKVStore]:
    async with RedisKVStore(RedisConfig(url=SHARED_URL, key_prefix=key_prefix)) as opened:
        yield opened


async def test_burst_of_300_operations_through_5_connections(key_prefix: str, raw: Redis) -> None:
    """A bounded, blocking pool: 300 concurrent operations queue for 5 connections and all succeed."""
    name = f"soma-burst-{key_prefix.split(':')[1][:12]}"
    config = RedisConfig(url=SHARED_URL, key_prefix=key_prefix, max_connections=5, pool_timeout=30, client_name=name)
    async with RedisKVStore(config) as store:

        async def one(i: int) -> None:
            if i % 3 == 0:
                await store.mset("burst", {f"k{i:03d}": str(i).encode()})
            elif i % 3 == 1:
                await store.mget("burst", [f"k{i - 1:03d}", "missing"])
            else:
                await store.scan("burst", "k", limit=10)

        await asyncio.gather(*(one(i) for i in range(300)))
        clients = [c for c in await raw.client_list() if c.get("name") == name]
        assert 1 <= len(clients) <= 5
        assert len(await store.scan("burst", limit=1000)) == 100


async def test_pool_exhaustion_past_pool_timeout_is_unavailable(key_prefix: str) -> None:
    """When every connection stays busy longer than pool_timeout, the waiting call fails cleanly."""
    config = RedisConfig(url=SHARED_URL, key_prefix=key_prefix, max_connections=1, pool_timeout=0.2)
    async with RedisKVStore(config) as store:
        client = store._client
        assert client is not None
        blocker = asyncio.create_task(client.blpop([f"{key_prefix}never-pushed"], timeout=1))
        await asyncio.sleep(0.05)
        with pytest.raises(BackendUnavailableError, match="No connection available"):
            await store.mget("ns", ["k"])
        await blocker
        assert await store.mget("ns", ["k"]) == [None]


async def test_key_layout_under_prefix(store: RedisKVStore, raw: Redis, key_prefix: str) -> None:
    """Values at PREFIX ns \\x00 key, the index at PREFIX ns \\x01 index; nothing outside the prefix."""
    await store.mset("a", {"b:key": b"1"})
    await store.mset("a:b", {"key": b"2"})
    found = {key async for key in raw.scan_iter(match=f"{key_prefix}*")}
    p = key_prefix.encode()
    assert found == {p + b"a\x00b:key", p + b"a\x01index", p + b"a:b\x00key", p + b"a:b\x01index"}
    assert await raw.zrange(p + b"a\x01index", 0, -1) == [b"b:key"]
    assert await raw.get(p + b"a:b\x00key") == b"2"


async def test_ttl_is_native_and_rewrite_persists(store: RedisKVStore, raw: Redis) -> None:
    """ttl becomes a Redis PX expiry; a rewrite without ttl leaves the key with no expiry (PTTL -1)."""
    ns = NamespaceKeys.of(store.config.key_prefix, "t")
    await store.mset("t", {"a": b"1", "b": b"2"}, ttl=30)
    assert 29_000 < await raw.pttl(ns.data(b"a")) <= 30_000
    await store.mset("t", {"a": b"3"})
    assert await raw.pttl(ns.data(b"a")) == -1
    assert await raw.pttl(ns.data(b"b")) > 0
    await store.mset("t", {"c": b"4"}, ttl=0.0004)  # rounds up to 1 ms, never to "no expiry"
    await asyncio.sleep(0.05)
    assert await store.mget("t", ["a", "b", "c"]) == [b"3", b"2", None]


async def test_non_positive_ttl_deletes(store: RedisKVStore) -> None:
    """A write that is already expired removes the keys, from values and index alike."""
    await store.mset("t", {"a": b"1", "b": b"2"})
    await store.mset("t", {"a": b"x"}, ttl=0)
    await store.mset("t", {"b": b"y"}, ttl=-5)
    assert await store.mget("t", ["a", "b"]) == [None, None]
    assert await store.scan("t") == []


async def test_scan_sweeps_expired_members_and_still_fills_pages(store: RedisKVStore, raw: Redis) -> None:
    """Expired keys leave the index when a scan meets them; pages still hold ``limit`` live keys, in order."""
    ns = NamespaceKeys.of(store.config.key_prefix, "s")
    await store.mset("s", {f"k{i:02d}": b"live" for i in range(0, 20, 2)})
    await store.mset("s", {f"k{i:02d}": b"brief" for i in range(1, 20, 2)}, ttl=0.1)
    assert await raw.zcard(ns.index) == 20
    await asyncio.sleep(0.25)
    assert await raw.zcard(ns.index) == 20  # nothing removes them until a scan looks
    seen: list[str] = []
    cursor: str | None = None
    while page := await store.scan("s", "k", after=cursor, limit=3):
        assert len(page) == 3 or len(seen) + len(page) == 10
        seen += [k for k, _ in page]
        cursor = page[-1][0]
    assert seen == [f"k{i:02d}" for i in range(0, 20, 2)]
    assert await raw.zcard(ns.index) == 10


async def test_sweep_keeps_a_key_rewritten_meanwhile(store: RedisKVStore, raw: Redis) -> None:
    """The sweep re-checks existence atomically, so a key written after the scan's MGET stays indexed."""
    ns = NamespaceKeys.of(store.config.key_prefix, "r")
    await store.mset("r", {"gone": b"1", "back": b"2"})
    await raw.delete(ns.data(b"gone"))  # as if expired
    await store._sweep(keys=[ns.index, ns.data(b"gone"), ns.data(b"back")], args=[b"gone", b"back"])
    assert await raw.zrange(ns.index, 0, -1) == [b"back"]


async def test_mdelete_does_not_count_expired_keys(store: RedisKVStore) -> None:
    await store.mset("d", {"old": b"1"}, ttl=0.05)
    await store.mset("d", {"new": b"2"})
    await asyncio.sleep(0.15)
    assert await store.mdelete("d", ["old", "new"]) == 1


async def test_bad_namespace_or_key_is_invalid_input(store: RedisKVStore) -> None:
    with pytest.raises(InvalidInputError, match="NUL"):
        await store.mset("bad\x00ns", {"k": b"v"})
    with pytest.raises(InvalidInputError, match="lone surrogate"):
        await store.mget("ns", ["\udc80"])


async def test_unopened_or_closed_store_is_unavailable(key_prefix: str) -> None:
    store = RedisKVStore(RedisConfig(url=SHARED_URL, key_prefix=key_prefix))
    with pytest.raises(BackendUnavailableError, match="not open"):
        await store.mget("ns", ["k"])
    await store.open()
    await store.open()  # idempotent
    await store.close()
    with pytest.raises(BackendUnavailableError, match="not open"):
        await store.ping()


WRITER = """
import asyncio, sys
from soma_redis import RedisConfig, RedisKVStore

async def main():
    async with RedisKVStore(RedisConfig(url=sys.argv[1], key_prefix=sys.argv[2])) as store:
        await store.mset("shared", {"from-child": b"hello"})

asyncio.run(main())
"""


async def test_another_process_sees_the_same_data(store: RedisKVStore) -> None:
    """multi_process: a store in a separate process writes; this process reads it at once."""
    await store.mset("shared", {"from-parent": b"hi"})
    started = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", WRITER, SHARED_URL, store.config.key_prefix, stderr=subprocess.PIPE
    )
    _, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 0, err.decode()
    assert time.monotonic() - started < 30
    assert await store.scan("shared") == [("from-child", b"hello"), ("from-parent", b"hi")]
