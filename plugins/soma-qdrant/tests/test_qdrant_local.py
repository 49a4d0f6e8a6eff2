"""Local mode specifics: one client per directory, capabilities and describe() per mode."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError
from soma_qdrant import QdrantConfig, QdrantVectorStore
from soma_qdrant.local import tune_local_storage

from soma_core.errors import BackendUnavailableError
from soma_core.interfaces import Capabilities

HOLDER = textwrap.dedent(
    """
    import asyncio, sys
    from soma_qdrant import QdrantConfig, QdrantVectorStore

    async def main():
        async with QdrantVectorStore(QdrantConfig(path=sys.argv[1])):
            print("ready", flush=True)
            sys.stdin.readline()

    asyncio.run(main())
    """
)


@pytest.mark.asyncio
async def test_second_client_on_same_path_gets_clear_error(tmp_path: Path) -> None:
    first = QdrantVectorStore(QdrantConfig(path=str(tmp_path)))
    await first.open()
    second = QdrantVectorStore(QdrantConfig(path=str(tmp_path)))
    with pytest.raises(BackendUnavailableError) as caught:
        await second.open()
    message = str(caught.value)
    assert "'qdrant'" in message and str(tmp_path) in message and "already open" in message and "url" in message
    assert "\n" not in message
    await first.close()
    await second.open()  # the lock goes with close
    await second.close()


@pytest.mark.asyncio
async def test_another_process_holding_the_path_is_refused(tmp_path: Path) -> None:
    command = [sys.executable, "-c", HOLDER, str(tmp_path)]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as holder:
        assert holder.stdin is not None and holder.stdout is not None
        try:
            assert holder.stdout.readline().strip() == "ready"
            with pytest.raises(BackendUnavailableError, match="already open in another client or process"):
                await QdrantVectorStore(QdrantConfig(path=str(tmp_path))).open()
        finally:
            holder.stdin.close()  # the holder reads EOF, closes its store and exits
            holder.wait(timeout=30)
    store = QdrantVectorStore(QdrantConfig(path=str(tmp_path)))
    await store.open()
    await store.close()


@pytest.mark.asyncio
async def test_unusable_path_is_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(BackendUnavailableError, match=f"cannot open {blocker}"):
        await QdrantVectorStore(QdrantConfig(path=str(blocker))).open()


def test_capabilities_follow_the_mode() -> None:
    url = QdrantVectorStore(QdrantConfig(url="http://qdrant:6333")).capabilities
    path = QdrantVectorStore(QdrantConfig(path="/tmp/x")).capabilities
    memory = QdrantVectorStore(QdrantConfig(location=":memory:")).capabilities
    assert url == Capabilities(filters=True, persistent=True, multi_process=True)
    assert path == Capabilities(filters=True, persistent=True, multi_process=False)
    assert memory == Capabilities(filters=True) == QdrantVectorStore(QdrantConfig(path=":memory:")).capabilities
    assert QdrantVectorStore.capabilities == Capabilities(filters=True)  # the class promises what every mode keeps


def test_describe_per_mode(tmp_path: Path) -> None:
    assert QdrantVectorStore(QdrantConfig(location=":memory:")).describe()["mode"] == "memory"
    described = QdrantVectorStore(QdrantConfig(data_dir=str(tmp_path))).describe()
    assert described["mode"] == "path" and described["path"] == str(tmp_path / "qdrant")
    assert "prefer_grpc" not in described and described["collection"] == "soma"


def _journal_modes(root: Path) -> set[str]:
    """The journal mode of every collection's SQLite file (the anchor's and each namespace's)."""
    modes = set()
    for database in root.rglob("storage.sqlite"):
        with closing(sqlite3.connect(database)) as connection:
            modes.add(str(connection.execute("PRAGMA journal_mode").fetchone()[0]))
    return modes


@pytest.mark.asyncio
@pytest.mark.parametrize(("synchronous", "journal"), [("NORMAL", "wal"), ("FULL", "delete")])
async def test_local_synchronous_sets_the_journal(tmp_path: Path, synchronous: str, journal: str) -> None:
    config = QdrantConfig(path=str(tmp_path), local_synchronous=synchronous)  # type: ignore[arg-type]
    async with QdrantVectorStore(config) as store:
        await store.ensure_collection(4)
        await store.upsert("ns", ["a"], np.ones((1, 4), dtype=np.float32), [{"memory_type": "episodic"}])
    assert len(list(tmp_path.rglob("storage.sqlite"))) == 2  # the anchor and the namespace
    assert _journal_modes(tmp_path) == {journal}
    async with QdrantVectorStore(QdrantConfig(path=str(tmp_path))) as store:
        assert store._client is not None and tune_local_storage(store._client)  # qdrant-client internals as expected
        await store.ensure_collection(4)
        assert await store.count("ns") == 1
    assert _journal_modes(tmp_path) == {"wal"}


def test_local_synchronous_is_for_path_mode_only() -> None:
    with pytest.raises(ValidationError, match="local_synchronous only applies with path"):
        QdrantConfig(location=":memory:", local_synchronous="FULL")
