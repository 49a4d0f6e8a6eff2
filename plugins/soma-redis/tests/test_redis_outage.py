"""Failure behaviour against a REAL private redis-server: unreachable, wrong password, outage and recovery.

The shared Redis on 6379 is never touched here; each test starts its own server on a free port.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from redis.asyncio import Redis
from soma_redis import RedisConfig, RedisKVStore

from soma_core.errors import BackendUnavailableError

SECRET = "pa55-w0rd-never-shown"
pytestmark = [pytest.mark.redis, pytest.mark.asyncio]


async def unavailable_within(seconds: float, call: Callable[[], Awaitable[Any]]) -> BackendUnavailableError:
    started = time.monotonic()
    with pytest.raises(BackendUnavailableError) as caught:
        await call()
    assert time.monotonic() - started < seconds
    return caught.value


@pytest.mark.parametrize("form", ["url", "host"])
async def test_unreachable_at_open_names_address_not_password(form: str) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    if form == "url":
        config = RedisConfig(url=f"redis://:{SECRET}@127.0.0.1:{port}/0")
    else:
        config = RedisConfig(host="127.0.0.1", port=port, password=SECRET)
    store = RedisKVStore(config)
    error = await unavailable_within(5, store.open)
    assert error.backend == "redis"
    assert str(error) == f"backend 'redis' is unavailable: cannot connect to 127.0.0.1:{port}: Connection refused"
    assert SECRET not in str(error) and SECRET not in repr(error)
    await store.close()


async def test_wrong_password_is_unavailable_without_echoing_it(start_private_redis: Callable[..., Any]) -> None:
    server = start_private_redis("--requirepass", SECRET)
    wrong = RedisKVStore(RedisConfig(url=server.url, password="not-" + SECRET))
    error = await unavailable_within(5, wrong.open)
    assert f"cannot connect to 127.0.0.1:{server.port}: authentication failed" in str(error)
    assert SECRET not in str(error)
    error = await unavailable_within(5, RedisKVStore(RedisConfig(url=server.url, retries=1)).open)
    assert "authentication failed" in str(error)
    async with RedisKVStore(RedisConfig(url=server.url, password=SECRET)) as right:
        await right.mset("ns", {"k": b"v"})
        assert await right.mget("ns", ["k"]) == [b"v"]


async def test_outage_raises_unavailable_then_the_same_store_recovers(
    start_private_redis: Callable[..., Any],
) -> None:
    """Server stopped: every operation fails fast with BackendUnavailableError. Server back on the same
    port: the same store instance works again, without reopening (redis-py reconnects on next use)."""
    server = start_private_redis()
    store = RedisKVStore(RedisConfig(url=server.url, retries=2, socket_timeout=2, socket_connect_timeout=1))
    await store.open()
    try:
        await store.mset("ns", {"a": b"1", "b": b"2"})
        assert await store.scan("ns") == [("a", b"1"), ("b", b"2")]

        server.stop()
        for call in (
            lambda: store.mget("ns", ["a"]),
            lambda: store.mset("ns", {"c": b"3"}),
            lambda: store.mdelete("ns", ["a"]),
            lambda: store.scan("ns"),
            store.ping,
        ):
            error = await unavailable_within(5, call)
            assert f"127.0.0.1:{server.port}" in str(error)

        server.start()  # same port; this server kept nothing on disk, so the data is gone
        assert await store.mget("ns", ["a"]) == [None]
        await store.mset("ns", {"again": b"yes"})
        assert await store.scan("ns") == [("again", b"yes")]
        await store.ping()
    finally:
        await store.close()
        await store.close()


async def test_dropped_connections_reconnect_transparently(start_private_redis: Callable[..., Any]) -> None:
    """Connections killed by the server (CLIENT KILL) are re-made on next use; callers see no error."""
    server = start_private_redis()
    admin = Redis.from_url(server.url)
    try:
        async with RedisKVStore(RedisConfig(url=server.url, client_name="victim")) as store:
            await store.mset("ns", {"k": b"v"})
            killed = await admin.execute_command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes")
            assert killed >= 1
            assert await store.mget("ns", ["k"]) == [b"v"]
            await store.mset("ns", {"k2": b"v2"})
            assert await store.scan("ns") == [("k", b"v"), ("k2", b"v2")]
    finally:
        await admin.aclose()


async def test_server_out_of_memory_is_unavailable_and_writes_nothing(
    start_private_redis: Callable[..., Any],
) -> None:
    """A full server (OOM, noeviction) refuses the whole transaction: BackendUnavailableError, no partial batch."""
    server = start_private_redis("--maxmemory-policy", "noeviction")
    admin = Redis.from_url(server.url)
    try:
        async with RedisKVStore(RedisConfig(url=server.url)) as store:
            await store.mset("ns", {"a": b"old"})
            await admin.config_set("maxmemory", 1)
            error = await unavailable_within(5, lambda: store.mset("ns", {"a": b"new", "b": b"new"}))
            assert str(error).endswith("out of memory (maxmemory reached, nothing to evict); nothing was written")
            assert await store.mget("ns", ["a", "b"]) == [b"old", None]
            assert await store.scan("ns") == [("a", b"old")]
            await admin.config_set("maxmemory", 0)
            await store.mset("ns", {"brief": b"x"}, ttl=0.05)
            await admin.config_set("maxmemory", 1)
            await asyncio.sleep(0.1)
            assert await store.scan("ns") == [("a", b"old")]
            assert await admin.zcard(f"{store.config.key_prefix}ns\x01index") == 1  # sweeping frees, allowed when full
    finally:
        await admin.aclose()


async def test_read_only_replica_refuses_writes_but_serves_reads(start_private_redis: Callable[..., Any]) -> None:
    """Pointed at a replica (e.g. after a failover), writes are BackendUnavailableError; reads and scans work."""
    primary = start_private_redis("--repl-diskless-sync-delay", "0")  # sync at once, not after 5 s
    replica = start_private_redis("--replicaof", "127.0.0.1", str(primary.port))
    async with RedisKVStore(RedisConfig(url=primary.url)) as writer:
        await writer.mset("ns", {"a": b"1"})
        await writer.mset("ns", {"brief": b"2"}, ttl=0.05)
    async with RedisKVStore(RedisConfig(url=replica.url)) as store:
        deadline = time.monotonic() + 10
        while await store.mget("ns", ["a"]) != [b"1"]:
            assert time.monotonic() < deadline, "replica did not sync"
            await asyncio.sleep(0.05)
        error = await unavailable_within(5, lambda: store.mset("ns", {"b": b"2"}))
        assert str(error).endswith("read-only replica; point the store at the primary")
        await asyncio.sleep(0.1)
        assert await store.scan("ns") == [("a", b"1")]  # the failed index sweep does not fail the read
