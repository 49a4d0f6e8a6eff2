"""What several qdrant test modules share: url mode's layout on a real local client, and local mode's fallback."""

from __future__ import annotations

import pytest
from qdrant_client import AsyncQdrantClient
from soma_qdrant import QdrantVectorStore
from soma_qdrant.exact import LocalView


class SharedLayoutStore(QdrantVectorStore):
    """url mode's layout and code paths on a local client: one collection with payload indexes, the namespace and
    expiry as query conditions, namespace-filtered deletes. What a server would be asked, minus the wire.

    No Qdrant server runs on the test machine; this keeps url mode's logic under the same suites as local mode.
    """

    @property
    def _local(self) -> bool:
        return False


class PublicApiStore(QdrantVectorStore):
    """Local mode as it runs when soma_qdrant.exact cannot read qdrant-client's internals (a future release):
    queries through qdrant-client's public API, expired hits dropped afterwards with re-queries."""

    def _exact_view(self, client: AsyncQdrantClient, name: str) -> LocalView | None:
        return None


STORE_CLASSES = {"local": QdrantVectorStore, "local-public-api": PublicApiStore, "url-layout": SharedLayoutStore}


@pytest.fixture(params=list(STORE_CLASSES))
def store_class(request: pytest.FixtureRequest) -> type[QdrantVectorStore]:
    """Local mode as it runs, local mode on its fallback path, and url mode's shared layout (on a local client)."""
    return STORE_CLASSES[request.param]


@pytest.fixture(params=["local", "local-public-api"])
def local_store_class(request: pytest.FixtureRequest) -> type[QdrantVectorStore]:
    """Local mode as it runs and on its fallback path."""
    return STORE_CLASSES[request.param]


@pytest.fixture
def public_api_store_class() -> type[QdrantVectorStore]:
    return PublicApiStore


@pytest.fixture
def shared_layout_store_class() -> type[QdrantVectorStore]:
    return SharedLayoutStore
