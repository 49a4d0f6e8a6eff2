"""Losing the server and getting it back, for real, without touching the shared PostgreSQL.

(a) The store's server connections are killed with pg_terminate_backend (found by
application_name). (b) The store talks through a TCP proxy started by the test;
stopping the proxy is an outage, starting it again on the same port is the
server coming back. Either way the same store instance recovers by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import psycopg
import pytest
from soma_postgres import PostgresConfig, PostgresKVStore

from soma_core.errors import BackendUnavailableError

pytestmark = [pytest.mark.postgres, pytest.mark.asyncio]

NS = "ns"
SECRET = "proxy-pw-never-shown"  # trust auth ignores it; it must never surface
T = TypeVar("T")
MakeConfig = Callable[..., PostgresConfig]


class TcpProxy:
    """Forwards 127.0.0.1:port to the real server; stop() drops the listener and every live connection."""

    def __init__(self, upstream: tuple[str, int] = ("127.0.0.1", 5432)) -> None:
        self.upstream = upstream
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in self._writers:
            writer.transport.abort()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.transport.abort()
            return
        self._writers.add(up_writer)
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(source, sink))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, ConnectionError):
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        sink.transport.abort()


async def until_ok(operation: Callable[[], Awaitable[T]], within: float) -> tuple[T, int]:
    """Retry ``operation`` on BackendUnavailableError until it succeeds; returns (result, failures)."""
    deadline = time.monotonic() + within
    failures = 0
    while True:
        try:
            return await operation(), failures
        except BackendUnavailableError:
            failures += 1
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


async def terminate(admin: psycopg.AsyncConnection, application_name: str) -> int:
    """Kill every server process of ``application_name``, waiting until each is gone."""
    cur = await admin.execute(
        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity"
        " WHERE application_name = %s AND pid <> pg_backend_pid()",
        [application_name],
    )
    row = await cur.fetchone()
    return int(row[0]) if row else 0


async def test_killed_connections_are_replaced(make_config: MakeConfig, admin: psycopg.AsyncConnection) -> None:
    """After its server processes die, the next operations work again: at most one may fail."""
    config = make_config(min_size=2, max_size=2, pool_timeout=5)
    async with PostgresKVStore(config) as store:
        await store.mset(NS, {"k": b"v"})
        assert await terminate(admin, config.application_name) >= 2
        outcomes: list[object] = []
        for _ in range(6):
            try:
                outcomes.append(await store.mget(NS, ["k"]))
            except BackendUnavailableError as exc:
                outcomes.append(exc)
        assert sum(isinstance(o, BackendUnavailableError) for o in outcomes) <= 1, outcomes
        assert outcomes[-3:] == [[b"v"]] * 3
        await store.mset(NS, {"k": b"v2"})
        assert await store.mget(NS, ["k"]) == [b"v2"]


async def test_connection_lost_mid_statement(make_config: MakeConfig, admin: psycopg.AsyncConnection) -> None:
    """A statement whose connection dies under it raises BackendUnavailableError; the store carries on."""
    config = make_config(min_size=1, max_size=2)
    table = f'"{config.schema}"."{config.table}"'
    async with PostgresKVStore(config) as store:
        await store.mset(NS, {"k": b"v"})
        async with admin.transaction():
            await admin.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")  # the store's read now waits
            blocked = asyncio.create_task(store.mget(NS, ["k"]))
            await asyncio.sleep(0.3)
            assert not blocked.done()
            assert await terminate(admin, config.application_name) >= 1
            with pytest.raises(BackendUnavailableError, match=r"lost connection to 127\.0\.0\.1:5432"):
                await asyncio.wait_for(blocked, 5)
        assert await until_ok(lambda: store.mget(NS, ["k"]), within=10) == ([b"v"], 0)


async def test_proxy_outage_and_recovery(make_config: MakeConfig, caplog: pytest.LogCaptureFixture) -> None:
    """Server unreachable: operations fail within the pool timeout; back on the same port: the same store works."""
    caplog.set_level(logging.DEBUG)
    proxy = TcpProxy()
    await proxy.start()
    config = make_config(
        url=f"postgresql://postgres:{SECRET}@127.0.0.1:{proxy.port}/test",
        min_size=1,
        max_size=2,
        connect_timeout=2,
        pool_timeout=1.5,
        reconnect_timeout=2,
    )
    try:
        async with PostgresKVStore(config) as store:
            await store.mset(NS, {"k": b"v"})
            await proxy.stop()
            for operation in (lambda: store.mget(NS, ["k"]), lambda: store.mset(NS, {"k": b"w"}), store.ping):
                started = time.monotonic()
                with pytest.raises(BackendUnavailableError) as info:
                    await operation()
                assert time.monotonic() - started < 4
                assert f"127.0.0.1:{proxy.port}" in str(info.value) and SECRET not in str(info.value)
            await proxy.start()  # same port
            assert (await until_ok(lambda: store.mget(NS, ["k"]), within=15))[0] == [b"v"]
            await store.mset(NS, {"k": b"back"})
            assert await store.mget(NS, ["k"]) == [b"back"]
    finally:
        await proxy.stop()
    assert SECRET not in caplog.text
