"""The KV-then-index write order: failures roll back or leave work for repair, never a lost record."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from soma_core import BackendUnavailableError, Settings, open_engine
from soma_core.builtins.numpy_vectors import NumpyVectorStore
from soma_core.builtins.sqlite_kv import SQLiteKVStore
from soma_core.hookspecs import hookimpl
from soma_core.interfaces import KVStore, VectorStore
from soma_core.plugins import get_plugin_manager
from soma_core.registry import Registry
from soma_core.stack import build_stack

from ..conftest import embedded_settings

pytestmark = pytest.mark.asyncio


class FailingIndex(NumpyVectorStore):
    """The numpy index, with switches that make writes fail like an unreachable server."""

    name = "failing-index"
    fail_upsert = False
    fail_delete = False

    async def upsert(self, namespace: str, ids: Sequence[str], vectors: np.ndarray, payloads: Any) -> None:
        if FailingIndex.fail_upsert:
            raise BackendUnavailableError(self.name, "connection refused")
        await super().upsert(namespace, ids, vectors, payloads)

    async def delete(self, namespace: str, ids: Sequence[str]) -> None:
        if FailingIndex.fail_delete:
            raise BackendUnavailableError(self.name, "connection refused")
        await super().delete(namespace, ids)


class FailingKV(SQLiteKVStore):
    """SQLite whose deletes can be made to fail, to break a rollback."""

    name = "failing-kv"
    fail_delete = False

    async def mdelete(self, namespace: str, keys: Sequence[str]) -> int:
        if FailingKV.fail_delete:
            raise BackendUnavailableError(self.name, "connection refused")
        return await super().mdelete(namespace, keys)


class CountingKV(SQLiteKVStore):
    """SQLite that records which writing operations the engine calls."""

    name = "counting-kv"
    writes: list[str] = []

    async def mset(self, namespace: str, items: Any, *, ttl: float | None = None) -> None:
        CountingKV.writes.append("mset")
        await super().mset(namespace, items, ttl=ttl)

    async def mdelete(self, namespace: str, keys: Sequence[str]) -> int:
        CountingKV.writes.append("mdelete")
        return await super().mdelete(namespace, keys)

    async def apply(self, namespace: str, **batch: Any) -> None:
        CountingKV.writes.append("apply")
        await super().apply(namespace, **batch)


class TestBackends:
    @hookimpl
    def register_vector_stores(self, register: Callable[[type[VectorStore]], None]) -> None:
        register(FailingIndex)

    @hookimpl
    def register_kv_stores(self, register: Callable[[type[KVStore]], None]) -> None:
        register(FailingKV)
        register(CountingKV)


@pytest.fixture(autouse=True)
def _reset() -> None:
    FailingIndex.fail_upsert = FailingIndex.fail_delete = FailingKV.fail_delete = False


def failing_settings(tmp_path: Path) -> Settings:
    return embedded_settings(tmp_path, stack={"kv": {"backend": "failing-kv"}, "vectors": {"backend": "failing-index"}, "embedder": {"backend": "hash"}})


async def open_failing(settings: Settings) -> Any:
    pm = get_plugin_manager(entrypoints=False)
    pm.register(TestBackends(), name="test-backends")
    return await open_engine(settings, stack=build_stack(settings, registry=Registry(pm)))


async def test_failed_index_write_rolls_back(tmp_path: Path) -> None:
    engine = await open_failing(failing_settings(tmp_path))
    try:
        await engine.store("kept", id="a")
        FailingIndex.fail_upsert = True
        with pytest.raises(BackendUnavailableError, match="failing-index"):
            await engine.store("lost on purpose", id="b")
        FailingIndex.fail_upsert = False
        assert [r.id for r in (await engine.list()).items] == ["a"]
        assert (await engine.stats())["pending_repair"] == 0
        assert await engine.store("lost on purpose", id="b") == "b"  # a retry succeeds
        assert [r.memory.id for r in await engine.search("lost on purpose", k=1)] == ["b"]
    finally:
        await engine.close()


async def test_failed_index_write_leaves_term_counts_alone(tmp_path: Path) -> None:
    engine = await open_failing(failing_settings(tmp_path))
    try:
        await engine.store("kept apple", id="a")
        FailingIndex.fail_upsert = True
        with pytest.raises(BackendUnavailableError):
            await engine.store("lost apple", id="b")
        with pytest.raises(BackendUnavailableError):
            await engine.update("a", content="changed pear")
        FailingIndex.fail_upsert = False
        assert await engine.kv.mget("default", ["f:kept", "f:apple", "f:lost", "f:pear"]) == [b"1", b"1", None, None]
    finally:
        await engine.close()


async def test_a_store_commits_twice_and_clears_its_marker(tmp_path: Path) -> None:
    """The record with its marker, then the marker's removal with the term counts: two KV writes."""
    settings = embedded_settings(tmp_path, stack={"kv": {"backend": "counting-kv"}, "embedder": {"backend": "hash"}})
    engine = await open_failing(settings)
    try:
        await engine.store("warm-up: notes the namespace")
        CountingKV.writes = []
        memory_id = await engine.store("Alice prefers green tea")
        assert CountingKV.writes == ["mset", "apply"]
        CountingKV.writes = []
        await engine.update(memory_id, content="Alice prefers black tea")
        assert CountingKV.writes == ["mset", "apply"]
        assert (await engine.stats())["pending_repair"] == 0
        assert await engine.kv.mget("default", ["f:green", "f:black", "f:tea"]) == [None, b"1", b"1"]
    finally:
        await engine.close()


async def test_failed_update_restores_previous_record(tmp_path: Path) -> None:
    engine = await open_failing(failing_settings(tmp_path))
    try:
        memory_id = await engine.store("Alice lives in Paris")
        FailingIndex.fail_upsert = True
        with pytest.raises(BackendUnavailableError):
            await engine.update(memory_id, content="Alice lives in Rome")
        FailingIndex.fail_upsert = False
        assert (await engine.get(memory_id)).content == "Alice lives in Paris"
        assert (await engine.search("Paris", k=1))[0].memory.id == memory_id
    finally:
        await engine.close()


async def test_failed_rollback_leaves_record_for_repair_at_open(tmp_path: Path) -> None:
    settings = failing_settings(tmp_path)
    engine = await open_failing(settings)
    FailingIndex.fail_upsert = FailingKV.fail_delete = True
    with pytest.raises(BackendUnavailableError):
        await engine.store("the wifi password is on the fridge", id="wifi")
    FailingIndex.fail_upsert = FailingKV.fail_delete = False
    assert (await engine.stats())["pending_repair"] == 1
    await engine.close()
    engine = await open_failing(settings)  # repair runs at open
    try:
        assert (await engine.stats())["pending_repair"] == 0
        assert [r.memory.id for r in await engine.search("wifi password", k=1)] == ["wifi"]
    finally:
        await engine.close()


async def test_failed_index_delete_is_finished_by_repair(tmp_path: Path) -> None:
    engine = await open_failing(failing_settings(tmp_path))
    try:
        memory_id = await engine.store("to be removed")
        FailingIndex.fail_delete = True
        await engine.delete(memory_id)  # the KV delete is the commit point
        assert await engine.search("to be removed") == []  # stale index entry is never returned
        assert await engine.count() == 1 and (await engine.stats())["pending_repair"] == 1
        FailingIndex.fail_delete = False
        assert await engine.repair() == {"indexed": 0, "removed": 1}
        assert await engine.count() == 0 and (await engine.stats())["pending_repair"] == 0
    finally:
        await engine.close()
