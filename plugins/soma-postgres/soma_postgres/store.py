"""``postgres`` KV store: psycopg 3 async through a self-healing connection pool."""

from __future__ import annotations

import asyncio
import logging
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from soma_core.errors import BackendUnavailableError
from soma_core.interfaces import Capabilities, KVStore
from soma_core.stack import redact_url

from .config import PostgresConfig
from .errors import BACKEND, Target, translated
from .queries import Queries
from .schema import SchemaTooNewError, migrate

log = logging.getLogger(__name__)


class PostgresKVStore(KVStore):
    """One table keyed by (namespace, key COLLATE "C"), shared by every namespace and process.

    Every batch is one statement, so one round trip and one transaction. The pool
    checks each connection before handing it out and replaces broken ones in the
    background, so the store recovers by itself after the server comes back.
    Expired keys are hidden on read and deleted at open and every ``sweep_interval``.
    """

    name = "postgres"
    Config = PostgresConfig
    capabilities = Capabilities(ttl=True, persistent=True, multi_process=True)
    env_prefix = "SOMA_POSTGRES_"
    config: PostgresConfig

    def __init__(self, config: PostgresConfig | None = None) -> None:
        super().__init__(config)
        self.target = Target(self.config.url.get_secret_value())
        self.queries = Queries.for_table(self.config.schema, self.config.table)
        self._pool: AsyncConnectionPool | None = None
        self._sweeper: asyncio.Task[None] | None = None

    def describe(self) -> dict[str, Any]:
        url = re.sub(r"([?&]password=)[^&#]*", r"\1***", redact_url(self.config.url.get_secret_value()))
        return {"url": url, **self.config.model_dump(mode="json", exclude={"url"})}

    def _connect_kwargs(self) -> dict[str, Any]:
        return {
            "autocommit": True,
            "connect_timeout": max(2, math.ceil(self.config.connect_timeout)),
            "application_name": self.config.application_name,
        }

    async def open(self) -> None:
        if self._pool is not None:
            return
        url = self.config.url.get_secret_value()
        try:
            conn = await asyncio.wait_for(
                psycopg.AsyncConnection.connect(url, **self._connect_kwargs()), self.config.connect_timeout
            )
        except (psycopg.Error, OSError, TimeoutError) as exc:
            detail = f"timed out after {self.config.connect_timeout:g}s" if isinstance(exc, TimeoutError) else None
            raise BackendUnavailableError(
                BACKEND, f"cannot connect to {self.target}: {detail or self.target.reason(exc)}"
            ) from None
        try:
            async with conn:
                await migrate(conn, self.config.schema, self.config.table)
                await conn.execute(self.queries.sweep)
        except SchemaTooNewError as exc:
            raise BackendUnavailableError(BACKEND, f"table {self._where}: {exc}") from None
        except psycopg.Error as exc:
            raise self.target.unavailable(exc, f"cannot prepare table {self._where} on") from None
        self._pool = await self._open_pool(url)
        if self.config.sweep_interval > 0:
            self._sweeper = asyncio.create_task(self._sweep_forever(), name=f"soma-postgres sweep {self._where}")

    @property
    def _where(self) -> str:
        return f"{self.config.schema}.{self.config.table}"

    async def _open_pool(self, url: str) -> AsyncConnectionPool:
        pool: AsyncConnectionPool = AsyncConnectionPool(
            url,
            kwargs=self._connect_kwargs(),
            min_size=self.config.min_size,
            max_size=self.config.max_size,
            open=False,
            check=AsyncConnectionPool.check_connection,
            name=f"soma-postgres {self._where}",
            timeout=self.config.pool_timeout,
            reconnect_timeout=self.config.reconnect_timeout,
        )
        try:
            await pool.open(wait=True, timeout=self.config.connect_timeout + 1)
        except PoolTimeout:
            await pool.close()
            raise BackendUnavailableError(
                BACKEND, f"cannot connect to {self.target}: pool not ready after {self.config.connect_timeout:g}s"
            ) from None
        return pool

    async def close(self) -> None:
        sweeper, self._sweeper = self._sweeper, None
        if sweeper is not None:
            sweeper.cancel()
            await asyncio.gather(sweeper, return_exceptions=True)
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    async def ping(self) -> None:
        await self._fetch(self.queries.ping, [])

    async def _fetch(self, query: Any, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        """Run one statement on a pooled connection; failures become Soma errors."""
        pool = self._pool
        if pool is None:
            raise BackendUnavailableError(BACKEND, "store is not open")
        with translated(self.target, self.config.pool_timeout):
            async with pool.connection() as conn:
                cur = await conn.execute(query, params)
                return await cur.fetchall() if cur.description else []

    async def _transaction(self, statements: list[tuple[Any, Sequence[Any]]]) -> None:
        """Run statements in one transaction, pipelined: one round trip."""
        pool = self._pool
        if pool is None:
            raise BackendUnavailableError(BACKEND, "store is not open")
        with translated(self.target, self.config.pool_timeout):
            async with pool.connection() as conn, conn.pipeline(), conn.transaction():
                for query, params in statements:
                    await conn.execute(query, params)

    async def sweep(self) -> int:
        """Delete every expired key now; returns how many went."""
        pool = self._pool
        if pool is None:
            raise BackendUnavailableError(BACKEND, "store is not open")
        with translated(self.target, self.config.pool_timeout):
            async with pool.connection() as conn:
                return (await conn.execute(self.queries.sweep)).rowcount

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.config.sweep_interval)
            try:
                await self.sweep()
            except (BackendUnavailableError, psycopg.Error) as exc:  # keep sweeping; the next round may work
                log.warning("expiry sweep of %s skipped: %s", self._where, self.target.reason(exc))

    async def mget(self, namespace: str, keys: Sequence[str]) -> list[bytes | None]:
        if not keys:
            return []
        rows = await self._fetch(self.queries.mget, [namespace, list(dict.fromkeys(keys))])
        found = dict(rows)
        return [found.get(key) for key in keys]

    async def mset(self, namespace: str, items: Mapping[str, bytes], *, ttl: float | None = None) -> None:
        if not items:
            return
        latest = dict(items)  # one row per key, the last value wins
        keys = sorted(latest)  # one lock order for every batch: overlapping batches cannot deadlock
        values = [bytes(latest[key]) for key in keys]
        await self._fetch(self.queries.mset, [namespace, ttl, keys, values])

    async def mdelete(self, namespace: str, keys: Sequence[str]) -> int:
        if not keys:
            return 0
        rows = await self._fetch(self.queries.mdelete, [namespace, sorted(set(keys))])
        return int(rows[0][0])

    async def apply(
        self,
        namespace: str,
        *,
        put: Mapping[str, bytes] | None = None,
        add: Mapping[str, int] | None = None,
        delete: Sequence[str] = (),
    ) -> None:
        """One transaction, one round trip; each counter is added in the server (an upsert with
        ``value + delta`` under the row lock), so concurrent writers lose no increment.
        Keys go in sorted order in every statement, so overlapping batches cannot deadlock."""
        statements: list[tuple[Any, Sequence[Any]]] = []
        if delete:
            statements.append((self.queries.delete, [namespace, sorted(set(delete))]))
        if put:
            latest = dict(put)
            keys = sorted(latest)
            statements.append((self.queries.mset, [namespace, None, keys, [bytes(latest[k]) for k in keys]]))
        deltas = sorted((key, int(delta)) for key, delta in (add or {}).items() if delta)
        if deltas:
            statements.append((self.queries.add, [namespace, [k for k, _ in deltas], [d for _, d in deltas]]))
            falling = [k for k, d in deltas if d < 0]  # only these can reach 0 or below
            if falling:
                statements.append((self.queries.drop_spent, [namespace, falling]))
        if len(statements) == 1:
            await self._fetch(*statements[0])  # autocommit: a single statement is its own transaction
        elif statements:
            await self._transaction(statements)

    async def scan(
        self, namespace: str, prefix: str = "", *, after: str | None = None, limit: int = 1000
    ) -> list[tuple[str, bytes]]:
        if limit <= 0:
            return []
        query, params = self.queries.scan(namespace, prefix, after, limit)
        return [(key, bytes(value)) for key, value in await self._fetch(query, params)]
