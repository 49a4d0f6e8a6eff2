"""Behaviour specific to the postgres store: schema versioning, index use, TTL sweeping, batching."""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from psycopg import sql
from soma_postgres import PostgresConfig, PostgresKVStore
from soma_postgres.queries import prefix_upper_bound
from soma_postgres.schema import LATEST, VERSION_TABLE

from soma_core.errors import BackendUnavailableError, InvalidInputError

NS = "ns"
MakeConfig = Callable[..., PostgresConfig]


async def rows_in_table(admin: psycopg.AsyncConnection, config: PostgresConfig) -> int:
    cur = await admin.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(config.schema, config.table)))
    row = await cur.fetchone()
    assert row is not None
    return int(row[0])


async def explain(admin: psycopg.AsyncConnection, query: Any, params: list[Any]) -> str:
    cur = await admin.execute(sql.SQL("EXPLAIN ") + query, params)
    return "\n".join(row[0] for row in await cur.fetchall())


def uses_primary_key(plan: str) -> bool:
    """An index scan (plain, index-only or bitmap) on the primary key, and no sequential scan."""
    return re.search(r"Index (Only )?Scan (using|on) soma_kv_pkey", plan) is not None and "Seq Scan" not in plan


def test_prefix_upper_bound() -> None:
    assert prefix_upper_bound("") is None
    assert prefix_upper_bound("m:") == "m;"
    assert prefix_upper_bound("a\U0010ffff") == "b"
    assert prefix_upper_bound("\U0010ffff\U0010ffff") is None
    assert prefix_upper_bound("x\ud7ff") == "x\ue000"  # surrogates cannot be stored in UTF-8


@pytest.mark.postgres
@pytest.mark.asyncio
class TestPostgresStore:
    async def test_schema_is_versioned_and_key_is_code_point_ordered(
        self, make_config: MakeConfig, admin: psycopg.AsyncConnection
    ) -> None:
        config = make_config()
        async with PostgresKVStore(config):
            pass
        async with PostgresKVStore(config):  # a second open applies nothing again
            pass
        cur = await admin.execute(
            sql.SQL("SELECT table_name, version FROM {}").format(sql.Identifier(config.schema, VERSION_TABLE))
        )
        assert await cur.fetchall() == [(config.table, LATEST)]
        cur = await admin.execute(
            "SELECT collation_name FROM information_schema.columns"
            " WHERE table_schema = %s AND table_name = %s AND column_name = 'key'",
            [config.schema, config.table],
        )
        assert await cur.fetchone() == ("C",)

    async def test_concurrent_opens_migrate_once(self, make_config: MakeConfig) -> None:
        """Processes opening a fresh schema at once race nowhere: the advisory lock serialises them."""
        stores = [PostgresKVStore(make_config(min_size=0, max_size=1, sweep_interval=0)) for _ in range(6)]
        try:
            await asyncio.gather(*(store.open() for store in stores))
            await stores[0].mset(NS, {"k": b"v"})
            assert [await store.mget(NS, ["k"]) for store in stores] == [[b"v"]] * 6
        finally:
            await asyncio.gather(*(store.close() for store in stores))

    async def test_newer_schema_is_refused(self, make_config: MakeConfig, admin: psycopg.AsyncConnection) -> None:
        config = make_config()
        async with PostgresKVStore(config):
            pass
        await admin.execute(
            sql.SQL("UPDATE {} SET version = %s").format(sql.Identifier(config.schema, VERSION_TABLE)), [LATEST + 1]
        )
        with pytest.raises(BackendUnavailableError, match=r"newer than this plugin knows.*upgrade soma-postgres"):
            await PostgresKVStore(config).open()

    async def test_scan_uses_the_primary_key_index(
        self, make_config: MakeConfig, admin: psycopg.AsyncConnection
    ) -> None:
        """The prefix scan is a range on (namespace, key): an index scan, never a sequential one."""
        config = make_config()
        async with PostgresKVStore(config) as store:
            for namespace in ("ns", "other"):
                await store.mset(namespace, {f"p{i % 50:02d}:{i:05d}": b"x" for i in range(5000)})
            await admin.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(config.schema, config.table)))
            query, params = store.queries.scan(NS, "p07:", None, 1000)
            plan = await explain(admin, query, params)
            index_cond = "Index Cond: ((namespace = 'ns'::text) AND (key >= 'p07:'::text) AND (key < 'p07;'::text))"
            assert uses_primary_key(plan) and index_cond in plan, plan
            assert len(await store.scan(NS, "p07:")) == 100
            await admin.execute("SET enable_seqscan = off")  # the index must at least be usable, in every form
            try:
                for prefix, after in (("", None), ("p07:", "p07:00107"), ("\U0010ffff", None)):
                    query, params = store.queries.scan(NS, prefix, after, 10)
                    plan = await explain(admin, query, params)
                    assert uses_primary_key(plan), plan
                plan = await explain(admin, store.queries.mget, [NS, ["p01:00001", "p02:00002"]])
                assert uses_primary_key(plan), plan
            finally:
                await admin.execute("RESET enable_seqscan")

    async def test_keys_near_the_top_of_unicode(self, make_config: MakeConfig) -> None:
        async with PostgresKVStore(make_config()) as store:
            keys = ["x\ud7ff", "x\ud7ff:1", "x\ue000", "x\U0010ffff", "y"]
            await store.mset(NS, {key: key.encode() for key in keys})
            assert [k for k, _ in await store.scan(NS, "x\ud7ff")] == ["x\ud7ff", "x\ud7ff:1"]
            assert [k for k, _ in await store.scan(NS, "x\U0010ffff")] == ["x\U0010ffff"]
            assert [k for k, _ in await store.scan(NS, "x")] == keys[:-1]

    async def test_expired_keys_are_swept(self, make_config: MakeConfig, admin: psycopg.AsyncConnection) -> None:
        config = make_config(sweep_interval=0)
        async with PostgresKVStore(config) as store:
            await store.mset(NS, {"t:1": b"1", "t:2": b"2"}, ttl=0.2)
            await store.mset(NS, {"keep": b"k"})
            await asyncio.sleep(0.4)
            assert await store.mdelete(NS, ["t:1"]) == 0  # expired keys do not count as existing
            assert await rows_in_table(admin, config) == 2  # hidden from reads, still stored
            assert await store.sweep() == 1
            assert await rows_in_table(admin, config) == 1
            await store.mset(NS, {"t:3": b"3"}, ttl=0.2)
        await asyncio.sleep(0.4)
        async with PostgresKVStore(config) as store:  # open sweeps too
            assert await rows_in_table(admin, config) == 1

    async def test_background_sweep_runs_and_stops_on_close(
        self, make_config: MakeConfig, admin: psycopg.AsyncConnection
    ) -> None:
        config = make_config(sweep_interval=0.2)
        store = PostgresKVStore(config)
        await store.open()
        sweeper = store._sweeper
        assert sweeper is not None
        await store.mset(NS, {f"t:{i}": b"x" for i in range(10)}, ttl=0.1)
        for _ in range(40):
            if await rows_in_table(admin, config) == 0:
                break
            await asyncio.sleep(0.1)
        assert await rows_in_table(admin, config) == 0
        await store.close()
        assert sweeper.done()

    async def test_shuffled_overlapping_batches_do_not_deadlock(self, make_config: MakeConfig) -> None:
        """Writers that list the same keys in different orders still lock them in one order."""
        keys = [f"d:{i:03d}" for i in range(60)]
        async with PostgresKVStore(make_config(max_size=8)) as store:

            async def writer(n: int) -> None:
                order = random.Random(n).sample(keys, len(keys))
                for _ in range(3):
                    await store.mset(NS, {k: str(n).encode() for k in order})

            await asyncio.gather(*(writer(n) for n in range(16)))
            assert len(set(await store.mget(NS, keys))) == 1

    async def test_two_stores_share_the_table(self, make_config: MakeConfig) -> None:
        """Two pools (as two processes would have) see each other's writes at once."""
        async with PostgresKVStore(make_config()) as first, PostgresKVStore(make_config()) as second:
            await first.mset(NS, {"k": b"from first"})
            assert await second.mget(NS, ["k"]) == [b"from first"]
            assert await second.mdelete(NS, ["k"]) == 1
            assert await first.mget(NS, ["k"]) == [None]

    async def test_each_batch_is_one_statement(self, make_config: MakeConfig, monkeypatch: pytest.MonkeyPatch) -> None:
        """Thousands of keys still cost one statement per call (one round trip)."""
        statements: list[str] = []
        real_execute = psycopg.AsyncConnection.execute

        async def counting_execute(self: psycopg.AsyncConnection, query: Any, *args: Any, **kwargs: Any) -> Any:
            if query != "":  # the pool's liveness check sends an empty query
                statements.append(str(query))
            return await real_execute(self, query, *args, **kwargs)

        async with PostgresKVStore(make_config()) as store:
            monkeypatch.setattr(psycopg.AsyncConnection, "execute", counting_execute)
            items = {f"b:{i:05d}": b"v" * 10 for i in range(3000)}
            await store.mset(NS, items)
            await store.mget(NS, list(items))
            await store.scan(NS, "b:", limit=5000)
            await store.mdelete(NS, list(items))
            assert len(statements) == 4

    async def test_nul_in_key_is_invalid_input(self, make_config: MakeConfig) -> None:
        async with PostgresKVStore(make_config()) as store:
            with pytest.raises(InvalidInputError, match="NUL"):
                await store.mset(NS, {"bad\x00key": b"v"})
            assert await store.mget(NS, ["ok"]) == [None]  # the pool is still healthy
