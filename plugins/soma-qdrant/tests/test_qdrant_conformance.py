"""The conformance kit against qdrant-client's local mode, in memory and on disk, and url mode's layout.

Local mode is qdrant-client's own Python implementation of the Qdrant API. It
keeps a collection per namespace; url mode's one shared collection (namespace
and expiry as query conditions) runs the same suite on a local client, since no
server runs here. test_qdrant_url.py covers url mode's construction and errors.
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


class TestQdrantLocalPublicApi(VectorStoreSuite):
    """Local mode's fallback when soma_qdrant.exact cannot read qdrant-client's internals (see conftest)."""

    @pytest_asyncio.fixture
    async def backend(
        self, public_api_store_class: type[QdrantVectorStore], tmp_path: Path
    ) -> AsyncIterator[QdrantVectorStore]:
        async with public_api_store_class(QdrantConfig(path=str(tmp_path / "qdrant"))) as store:
            yield store


class TestQdrantSharedLayout(VectorStoreSuite):
    """url mode's layout and calls on an in-memory local client (see conftest.SharedLayoutStore)."""

    @pytest_asyncio.fixture
    async def backend(self, shared_layout_store_class: type[QdrantVectorStore]) -> AsyncIterator[QdrantVectorStore]:
        async with shared_layout_store_class(QdrantConfig(location=":memory:", collection="shared")) as store:
            yield store
