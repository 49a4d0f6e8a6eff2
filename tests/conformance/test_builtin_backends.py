"""The built-in backends run the same conformance kit as every plugin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from soma_core.builtins.hash_embedder import HashEmbedder
from soma_core.builtins.memory_kv import MemoryKVStore
from soma_core.builtins.numpy_vectors import NumpyVectorStore
from soma_core.builtins.scorers import ExplicitScorer, HeuristicScorer
from soma_core.builtins.sqlite_kv import SQLiteKVStore
from soma_core.testing import EmbedderSuite, KVStoreSuite, ScorerSuite, VectorStoreSuite


class TestMemoryKV(KVStoreSuite):
    @pytest_asyncio.fixture
    async def backend(self) -> AsyncIterator[MemoryKVStore]:
        async with MemoryKVStore() as store:
            yield store


class TestSQLiteKV(KVStoreSuite):
    @pytest_asyncio.fixture
    async def backend(self, tmp_path: Path) -> AsyncIterator[SQLiteKVStore]:
        async with SQLiteKVStore(SQLiteKVStore.Config(path=str(tmp_path / "kv.sqlite3"))) as store:
            yield store


class TestNumpyVectors(VectorStoreSuite):
    @pytest_asyncio.fixture
    async def backend(self) -> AsyncIterator[NumpyVectorStore]:
        async with NumpyVectorStore() as store:
            yield store


class TestHashEmbedder(EmbedderSuite):
    @pytest_asyncio.fixture
    async def backend(self) -> AsyncIterator[HashEmbedder]:
        async with HashEmbedder() as embedder:
            yield embedder


class TestExplicitScorer(ScorerSuite):
    @pytest_asyncio.fixture
    async def backend(self) -> AsyncIterator[ExplicitScorer]:
        async with ExplicitScorer() as scorer:
            yield scorer


class TestHeuristicScorer(ScorerSuite):
    @pytest_asyncio.fixture
    async def backend(self) -> AsyncIterator[HeuristicScorer]:
        async with HeuristicScorer() as scorer:
            yield scorer
