"""The conformance kit against qdrant-client's local mode, in memory and on disk.

Local mode is qdrant-client's own Python implementation of the Qdrant API, so
these runs exercise every call this store makes; url mode is covered by
test_qdrant_url.py (construction, errors) since no server runs here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from soma_qdrant import QdrantConfig, QdrantVectorStore

from soma_core.testing import VectorStoreSuite


class TestQdrantInMemory(VectorStoreSuite):
    """``location: ":memory:"``: not persistent, so the reopen test is skipped by capability."""

    @pytest_asyncio.fixture
    async def backend(self) -> AsyncIterator[QdrantVectorStore]:
        async with QdrantVectorStore(QdrantConfig(location=":memory:", collection="suite")) as store:
            yield store


class TestQdrantOnDisk(VectorStoreSuite):
    """``path``: persistent, one process at a time."""

    @pytest_asyncio.fixture
    async def backend(self, tmp_path: Path) -> AsyncIterator[QdrantVectorStore]:
        async with QdrantVectorStore(QdrantConfig(path=str(tmp_path / "qdrant"))) as store:
            yield store
