"""The standard VectorStore suite against Chroma, embedded and over HTTP to a real server."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from soma_chroma import ChromaConfig, ChromaVectorStore
from soma_chroma.testing import ChromaServer
from soma_core.testing import VectorStoreSuite


class TestChromaEmbedded(VectorStoreSuite):
    """PersistentClient in a fresh directory per test."""

    @pytest_asyncio.fixture
    async def backend(self, tmp_path: Path) -> AsyncIterator[ChromaVectorStore]:
        async with ChromaVectorStore(ChromaConfig(path=str(tmp_path / "chroma"))) as store:
            yield store


@pytest.mark.chroma_server
class TestChromaServer(VectorStoreSuite):
    """HttpClient to the session's `chroma run`; each test owns a unique collection prefix, dropped afterwards."""

    @pytest_asyncio.fixture
    async def backend(self, chroma_server: ChromaServer) -> AsyncIterator[ChromaVectorStore]:
        config = ChromaConfig(
            host=chroma_server.host, port=chroma_server.port, collection_prefix=f"t{uuid.uuid4().hex[:12]}"
        )
        store = ChromaVectorStore(config)
        await store.open()
        try:
            yield store
        finally:
            await store.close()
            async with ChromaVectorStore(config) as cleaner:  # the test may have closed `store` itself
                await cleaner.drop_collection()
