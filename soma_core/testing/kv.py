"""Conformance suite for :class:`~soma_core.interfaces.KVStore` backends."""

from __future__ import annotations

import asyncio

from ..interfaces import KVStore
from ._suite import StandardSuite, reopened, require

NS = "suite-ns"
OTHER = "suite-other"


class KVStoreSuite(StandardSuite):
    """Subclass and provide ``backend``: an opened, empty :class:`KVStore`.

    Example::

        class TestMyStore(KVStoreSuite):
            @pytest_asyncio.fixture
            async def backend(self):
                async with MyStore(MyStore.Config(url=...)) as store:
                    yield store
    """

    ttl_wait: float = 1.6
    """Seconds the TTL test sleeps after writing with ttl=1."""

    async def test_mget_missing_keys_return_none(self, backend: KVStore) -> None:
        """Missing keys come back as None, in place.

        Troubleshooting: return a list as long as ``keys``; never raise KeyError.
        """
        assert await backend.mget(NS, ["nope", "neither"]) == [None, None]
        assert await backend.mget(NS, []) == []

    async def test_mset_mget_roundtrip(self, backend: KVStore) -> None:
        """Values come back byte for byte, including NUL bytes, non-UTF-8 and large values.

        Troubleshooting: store values as binary (BYTEA, BLOB, raw Redis strings), not text.
        """
        items = {"a": b"alpha", "b": b"\x00\xff\xfe binary", "big": bytes(range(256)) * 4096, "empty": b""}
        await backend.mset(NS, items)
        assert await backend.mget(NS, list(items)) == list(items.values())

    async def test_mget_keeps_order_and_repeats(self, backend: KVStore) -> None:
        """The result follows the order of ``keys``, repeats included.

        Troubleshooting: map results back by key; a backend returning rows in storage order fails here.
        """
        await backend.mset(NS, {"x": b"1", "y": b"2", "z": b"3"})
        assert await backend.mget(NS, ["z", "missing", "x", "z", "y"]) == [b"3", None, b"1", b"3", b"2"]

    async def test_overwrite_replaces_value(self, backend: KVStore) -> None:
        """A second mset of a key replaces its value; writing the same value twice is harmless.

        Troubleshooting: use upsert semantics (INSERT ... ON CONFLICT DO UPDATE, SET).
        """
        await backend.mset(NS, {"k": b"old"})
        await backend.mset(NS, {"k": b"new"})
        await backend.mset(NS, {"k": b"new"})
        assert await backend.mget(NS, ["k"]) == [b"new"]
        assert len(await backend.scan(NS, "k")) == 1

    async def test_empty_batches_are_no_ops(self, backend: KVStore) -> None:
        """Empty batches do nothing and raise nothing.

        Troubleshooting: return early; ``IN ()`` is a syntax error in SQL and MGET with no keys errors in Redis.
        """
        await backend.mset(NS, {})
        assert await backend.mdelete(NS, []) == 0
        assert await backend.scan(NS) == []

    async def test_mdelete_counts_existing_and_ignores_missing(self, backend: KVStore) -> None:
        """mdelete returns how many keys existed and tolerates missing and repeated keys.

        Troubleshooting: deduplicate keys before counting.
        """
        await backend.mset(NS, {"a": b"1", "b": b"2", "c": b"3"})
        assert await backend.mdelete(NS, ["a", "b", "b", "missing"]) == 2
        assert await backend.mget(NS, ["a", "b", "c"]) == [None, None, b"3"]
        assert await backend.mdelete(NS, ["a"]) == 0

    async def test_namespaces_are_isolated(self, backend: KVStore) -> None:
        """Each namespace is its own key space for every operation.

        Troubleshooting: include the namespace in the primary key or key prefix, and in every query.
        """
        await backend.mset(NS, {"shared": b"mine", "only-here": b"1"})
        await backend.mset(OTHER, {"shared": b"theirs"})
        assert await backend.mget(OTHER, ["shared", "only-here"]) == [b"theirs", None]
        assert [k for k, _ in await backend.scan(OTHER)] == ["shared"]
        assert await backend.mdelete(OTHER, ["shared", "only-here"]) == 1
        assert await backend.mget(NS, ["shared"]) == [b"mine"]

    async def test_namespace_prefix_does_not_leak(self, backend: KVStore) -> None:
        """Namespaces that are prefixes of one another stay apart ("ab" vs "a" + "b...").

        Troubleshooting: separate namespace and key with a character a namespace cannot contain, or use two columns.
        """
        await backend.mset("a", {"b:key": b"from a"})
        await backend.mset("a:b", {"key": b"from a:b"})
        assert await backend.mget("a:b", ["key", "b:key"]) == [b"from a:b", None]
        assert [k for k, _ in await backend.scan("a")] == ["b:key"]

    async def test_scan_is_ordered_by_key_within_prefix(self, backend: KVStore) -> None:
        """scan returns only keys with the prefix, in key order, with their values.

        Troubleshooting: ORDER BY key with a binary collation (COLLATE "C" in PostgreSQL); sort SCAN results in Redis.
        """
        await backend.mset(NS, {"m:3": b"c", "m:1": b"a", "m:2": b"b", "n:1": b"x", "l:9": b"y", "m": b"bare"})
        assert await backend.scan(NS, "m:") == [("m:1", b"a"), ("m:2", b"b"), ("m:3", b"c")]
        assert [k for k, _ in await backend.scan(NS)] == ["l:9", "m", "m:1", "m:2", "m:3", "n:1"]

    async def test_scan_pages_with_after_and_limit(self, backend: KVStore) -> None:
        """Paging with ``after`` = last key of the previous page visits every key once.

        Troubleshooting: ``after`` is exclusive; apply ``limit`` after ordering.
        """
        keys = [f"p:{i:03d}" for i in range(25)]
        await backend.mset(NS, {k: k.encode() for k in keys})
        seen: list[str] = []
        cursor = None
        while True:
            page = await backend.scan(NS, "p:", after=cursor, limit=7)
            if not page:
                break
            assert len(page) <= 7
            seen += [k for k, _ in page]
            cursor = page[-1][0]
        assert seen == keys

    async def test_scan_prefix_with_pattern_characters(self, backend: KVStore) -> None:
        """Prefixes are literal: %, _, *, ?, [ and backslash match only themselves.

        Troubleshooting: escape LIKE wildcards in SQL and glob characters in Redis MATCH, or use a range query.
        """
        literal = {"a%_*?[x]\\:1": b"1", "a%_*?[x]\\:2": b"2"}
        decoys = {"ab_*?[x]\\:1": b"no", "a%x*?[x]\\:1": b"no", "a%_*?x\\:1": b"no", "a%_ZZ[x]\\:1": b"no"}
        await backend.mset(NS, {**literal, **decoys})
        assert [k for k, _ in await backend.scan(NS, "a%_*?[x]\\:")] == sorted(literal)

    async def test_unicode_keys_and_prefixes(self, backend: KVStore) -> None:
        """Keys may hold any Unicode; order is by code point.

        Troubleshooting: store keys as UTF-8 text with a binary collation.
        """
        await backend.mset(NS, {"u:é": b"1", "u:z": b"2", "u:日本": b"3", "u:a": b"4"})
        assert [k for k, _ in await backend.scan(NS, "u:")] == ["u:a", "u:z", "u:é", "u:日本"]
        assert await backend.mget(NS, ["u:日本"]) == [b"3"]

    async def test_large_batches(self, backend: KVStore) -> None:
        """Batches of thousands of keys work (and should be one round trip).

        Troubleshooting: chunk under the backend's parameter limits instead of failing.
        """
        items = {f"big:{i:05d}": str(i).encode() for i in range(3000)}
        await backend.mset(NS, items)
        assert await backend.mget(NS, list(items)) == list(items.values())
        assert len(await backend.scan(NS, "big:", limit=5000)) == 3000
        assert await backend.mdelete(NS, list(items)) == 3000

    async def test_concurrent_overlapping_writes(self, backend: KVStore) -> None:
        """Concurrent batches over the same keys all succeed, and each batch lands whole.

        After ten writers each set all twenty keys to their own number, every key
        holds the same writer's number: batches are atomic, never interleaved.

        Troubleshooting: one transaction per mset (MULTI/EXEC in Redis), a connection pool
        rather than one shared connection, keys written in a stable order to avoid deadlocks.
        """
        keys = [f"c:{i}" for i in range(20)]

        async def writer(n: int) -> None:
            await backend.mset(NS, {k: f"{n}".encode() for k in keys})

        await asyncio.gather(*(writer(n) for n in range(10)))
        values = await backend.mget(NS, keys)
        assert all(v is not None and int(v) in range(10) for v in values)
        assert len(set(values)) == 1, f"batches interleaved: {sorted(set(values))}"
        assert len(await backend.scan(NS, "c:")) == 20

    async def test_counters_add_and_vanish_at_zero(self, backend: KVStore) -> None:
        """madd creates, adds to and removes counters kept as ASCII decimal; zero deltas change nothing.

        Troubleshooting: a missing key counts as 0; write the sum as ``b"%d" % n``; delete a counter
        that ends at 0 or below instead of storing it; override ``apply``, not ``madd``.
        """
        await backend.madd(NS, {"f:tea": 3, "f:cello": 1, "f:zero": 0})
        assert await backend.mget(NS, ["f:tea", "f:cello", "f:zero"]) == [b"3", b"1", None]
        await backend.madd(NS, {"f:tea": -1, "f:cello": -1, "f:new": 2})
        assert await backend.mget(NS, ["f:tea", "f:cello", "f:new"]) == [b"2", None, b"2"]
        await backend.madd(NS, {"f:tea": -5, "f:never": -1})
        assert await backend.mget(NS, ["f:tea", "f:never"]) == [None, None]
        assert [k for k, _ in await backend.scan(NS, "f:")] == ["f:new"]
        await backend.madd(OTHER, {"f:new": 7})
        assert await backend.mget(NS, ["f:new"]) == [b"2"]
        assert await backend.mget(OTHER, ["f:new"]) == [b"7"]
        await backend.madd(NS, {})

    async def test_apply_deletes_then_puts_then_adds(self, backend: KVStore) -> None:
        """apply runs its deletes, then its puts, then its counter additions, as one batch.

        Troubleshooting: keep that order when a key appears twice (a put after a delete of the
        same key stays; an add after a put adds to the value put); one transaction where you have them.
        """
        await backend.mset(NS, {"p:1": b"u", "p:2": b"u", "keep": b"old", "f:a": b"4"})
        await backend.apply(NS, delete=["p:1", "p:2", "missing"], put={"p:2": b"d", "keep": b"new", "f:b": b"10"},
                            add={"f:a": 1, "f:b": 5, "f:c": 1})
        found = await backend.mget(NS, ["p:1", "p:2", "keep", "f:a", "f:b", "f:c"])
        assert found == [None, b"d", b"new", b"5", b"15", b"1"]
        await backend.apply(NS)
        await backend.apply(NS, delete=["keep"])
        assert await backend.mget(NS, ["keep"]) == [None]

    async def test_concurrent_counter_additions_lose_nothing(self, backend: KVStore) -> None:
        """Many concurrent madd calls on the same counters all count.

        Troubleshooting: add in the store (``value + n`` in SQL, INCRBY in Redis), never by
        reading and writing back from the client; or serialise within the instance.
        """
        keys = [f"f:{i}" for i in range(8)]

        async def adder(n: int) -> None:
            await backend.madd(NS, {k: 1 for k in keys[n % 3 :]})

        await asyncio.gather(*(adder(n) for n in range(30)))
        expected = [b"%d" % sum(1 for n in range(30) if n % 3 <= i) for i in range(8)]
        assert await backend.mget(NS, keys) == expected

    async def test_counter_additions_from_two_instances_lose_nothing(self, backend: KVStore) -> None:
        """With ``multi_process``, two instances on the same storage adding at once lose no increment.

        This is what keeps document frequencies exact when several server workers store at once.

        Troubleshooting: the interface's default ``apply`` reads and writes back, which is atomic
        only within one instance: override it with the store's own atomic addition (an upsert with
        ``value = value + n`` in one transaction, INCRBY or a Lua script in Redis).
        """
        require(backend, "multi_process")
        other = type(backend)(backend.config)
        await other.open()
        try:
            keys = ["f:shared", "f:also"]

            async def adder(store: KVStore, n: int) -> None:
                await store.apply(NS, put={f"x:{id(store)}:{n}": b"1"}, add={k: 1 for k in keys})

            await asyncio.gather(*(adder(store, n) for n in range(20) for store in (backend, other)))
            assert await backend.mget(NS, keys) == [b"40", b"40"], "increments were lost between the two instances"
            assert await other.mget(NS, keys) == [b"40", b"40"]
        finally:
            await other.close()

    async def test_counters_restart_from_an_expired_value(self, backend: KVStore) -> None:
        """An expired key counts as 0 for madd, and the counter then never expires.

        Troubleshooting: hide expired rows in the read of the old value (or let Redis expire the key).
        """
        require(backend, "ttl")
        await backend.mset(NS, {"f:old": b"5", "f:brief": b"5"}, ttl=1)
        await asyncio.sleep(self.ttl_wait)
        await backend.madd(NS, {"f:old": 1})
        await asyncio.sleep(0.1)
        assert await backend.mget(NS, ["f:old", "f:brief"]) == [b"1", None]

    async def test_ttl_expires_keys(self, backend: KVStore) -> None:
        """Keys written with ttl vanish from mget and scan after it; other keys stay.

        Troubleshooting: check expiry on read as well as sweeping; Redis: SET ... PX in the same pipeline.
        """
        require(backend, "ttl")
        await backend.mset(NS, {"t:short": b"1"}, ttl=1)
        await backend.mset(NS, {"t:long": b"2"})
        assert await backend.mget(NS, ["t:short"]) == [b"1"]
        await asyncio.sleep(self.ttl_wait)
        assert await backend.mget(NS, ["t:short", "t:long"]) == [None, b"2"]
        assert [k for k, _ in await backend.scan(NS, "t:")] == ["t:long"]

    async def test_rewrite_without_ttl_clears_it(self, backend: KVStore) -> None:
        """A later mset without ttl makes the key permanent again.

        Troubleshooting: reset the expiry column (or PERSIST in Redis) on every write.
        """
        require(backend, "ttl")
        await backend.mset(NS, {"t:k": b"1"}, ttl=1)
        await backend.mset(NS, {"t:k": b"2"})
        await asyncio.sleep(self.ttl_wait)
        assert await backend.mget(NS, ["t:k"]) == [b"2"]

    async def test_data_survives_reopen(self, backend: KVStore) -> None:
        """With ``persistent``, data written before close is there after a new instance opens.

        Troubleshooting: commit transactions; make the fixture's config point to the same storage.
        """
        require(backend, "persistent")
        await backend.mset(NS, {"keep": b"me"})
        fresh = await reopened(backend)
        try:
            assert await fresh.mget(NS, ["keep"]) == [b"me"]
        finally:
            await fresh.close()

    async def test_close_is_idempotent(self, backend: KVStore) -> None:
        """close() may be called twice.

        Troubleshooting: set the connection to None before closing it, and check first.
        """
        await backend.close()
        await backend.close()
