"""The sqlite KV store's small inline writes: they never block the event loop, and the WAL stays bounded."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from soma_core.builtins.sqlite_kv import CHECKPOINT_ROWS, SQLiteKVStore

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteKVStore]:
    async with SQLiteKVStore(SQLiteKVStore.Config(path=str(tmp_path / "kv.sqlite3"))) as kv:
        yield kv


async def test_small_write_waits_off_the_loop_while_another_process_writes(store: SQLiteKVStore) -> None:
    other = sqlite3.connect(store.path, isolation_level=None)  # stands in for another server worker
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO soma_kv VALUES ('ns', 'theirs', x'01', NULL)")
        write = asyncio.create_task(store.apply("ns", put={"mine": b"1"}, add={"f:tea": 1}))
        await asyncio.sleep(0.2)  # returns only if the write did not block the event loop
        assert not write.done()
        other.execute("COMMIT")
        await asyncio.wait_for(write, 5)
    finally:
        other.close()
    assert await store.mget("ns", ["theirs", "mine", "f:tea"]) == [b"\x01", b"1", b"1"]


async def test_small_writes_checkpoint_the_wal(store: SQLiteKVStore) -> None:
    for n in range(2 * CHECKPOINT_ROWS + 10):
        await store.mset("ns", {f"k:{n}": b"v"})
    probe = sqlite3.connect(store.path, isolation_level=None)
    try:
        _, frames, _ = probe.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        probe.close()
    assert 0 <= frames < CHECKPOINT_ROWS + 50, f"{frames} WAL frames: the writer never checkpointed"
    assert len(await store.scan("ns", "k:", limit=5000)) == 2 * CHECKPOINT_ROWS + 10
