"""The Chroma collections one prefix owns: a size record and one collection per namespace.

For prefix ``soma``: ``soma-meta`` records the vector size in its metadata
(``soma_dim``) and holds no vectors; each namespace lives in
``soma-ns-<slug>-<hash>`` (see :mod:`.naming`), created on first write with
metadata ``soma_prefix``, ``soma_dim`` and ``soma_namespace``. Only collections
whose ``soma_prefix`` matches are ever read, checked or dropped, so prefixes
that share a start (``p`` and ``p-ns``) stay apart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from soma_core.errors import DimensionMismatchError

from .config import ChromaConfig
from .connection import ChromaConnection
from .naming import meta_collection, namespace_collection

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

T = TypeVar("T")
LIST_PAGE = 100


def not_found() -> type[Exception]:
    """chromadb's NotFoundError, imported late: chromadb is slow to import and only needed once open."""
    from chromadb.errors import NotFoundError

    return NotFoundError


class Catalog:
    """Finds, creates, checks and drops this prefix's collections; caches them by namespace."""

    def __init__(self, config: ChromaConfig, conn: ChromaConnection) -> None:
        self.config = config
        self.conn = conn
        self.dim: int | None = None
        self._cache: dict[str, Collection] = {}
        self._lock = asyncio.Lock()

    def clear(self) -> None:
        self._cache.clear()

    def _client(self) -> ClientAPI:
        if self.conn.client is None:
            raise self.conn.unavailable("store is not open")
        return self.conn.client

    def _metadata(self, dim: int) -> dict[str, Any]:
        return {"soma_prefix": self.config.collection_prefix, "soma_dim": dim}

    def _configuration(self) -> dict[str, Any]:
        cfg = self.config
        hnsw = {"space": "cosine", "ef_construction": cfg.ef_construction, "ef_search": cfg.ef_search}
        return {"hnsw": hnsw | {"max_neighbors": cfg.max_neighbors}}

    def _list_owned(self) -> list[Collection]:
        """Every collection of this prefix (blocking: run it in a thread)."""
        client, prefix = self._client(), self.config.collection_prefix
        owned: list[Collection] = []
        offset = 0
        while True:
            page = client.list_collections(limit=LIST_PAGE, offset=offset)
            for collection in page:
                ours = (collection.metadata or {}).get("soma_prefix") == prefix
                if ours and collection.name.startswith(f"{prefix}-"):
                    owned.append(collection)
            if len(page) < LIST_PAGE:
                return owned
            offset += LIST_PAGE

    async def ensure(self, dim: int) -> None:
        """Record ``dim``, or raise DimensionMismatchError if any owned collection records another."""
        if dim < 1:
            raise ValueError(f"vector size must be positive, not {dim}")
        client = self._client()
        for collection in await self.conn.run(self._list_owned):
            recorded = (collection.metadata or {}).get("soma_dim")
            if recorded is not None and recorded != dim:
                raise DimensionMismatchError(
                    f"chroma collections with prefix {self.config.collection_prefix!r} hold {recorded}-d vectors, "
                    f"not {dim}-d; reindex (drop the collection) to change the embedder"
                )
        name = meta_collection(self.config.collection_prefix)
        metadata = self._metadata(dim) | {"soma_role": "meta"}
        await self.conn.run(client.get_or_create_collection, name, metadata=metadata, embedding_function=None)
        self.dim = dim

    async def drop(self) -> None:
        """Delete every owned collection, the size record last."""
        client = self._client()
        meta = meta_collection(self.config.collection_prefix)

        def drop_all() -> None:
            for collection in sorted(self._list_owned(), key=lambda c: c.name == meta):
                try:
                    client.delete_collection(collection.name)
                except not_found():
                    pass  # another process dropped it first

        async with self._lock:
            self._cache.clear()
            await self.conn.run(drop_all)
        self.dim = None

    async def get(self, namespace: str, *, create: bool) -> Collection | None:
        """The namespace's collection, created if ``create``; None when absent."""
        cached = self._cache.get(namespace)
        if cached is not None:
            return cached
        client = self._client()
        name = namespace_collection(self.config.collection_prefix, namespace)
        async with self._lock:
            if namespace in self._cache:
                return self._cache[namespace]
            if create:
                collection = await self.conn.run(
                    client.get_or_create_collection,
                    name,
                    configuration=self._configuration(),
                    metadata=self._metadata(self.width()) | {"soma_namespace": namespace},
                    embedding_function=None,
                )
            else:
                try:
                    collection = await self.conn.run(client.get_collection, name, embedding_function=None)
                except not_found():
                    return None
            await self._adopt(collection)
            self._cache[namespace] = collection
            return collection

    async def _adopt(self, collection: Collection) -> None:
        """Check an existing collection's size and bring its ef_search up to the configured one."""
        recorded = (collection.metadata or {}).get("soma_dim")
        if self.dim is not None and recorded is not None and recorded != self.dim:
            raise DimensionMismatchError(
                f"chroma collection {collection.name!r} holds {recorded}-d vectors, not {self.dim}-d"
            )
        hnsw = (collection.configuration_json or {}).get("hnsw") or {}
        if hnsw.get("ef_search") not in (None, self.config.ef_search):
            await self.conn.run(collection.modify, configuration={"hnsw": {"ef_search": self.config.ef_search}})

    async def on(self, namespace: str, create: bool, op: Callable[[Collection], T], absent: T) -> T:
        """Run ``op`` on the namespace's collection in a thread; once more if another process dropped it."""
        collection = await self.get(namespace, create=create)
        if collection is None:
            return absent
        try:
            return await self.conn.run(op, collection)
        except not_found():
            self._cache.pop(namespace, None)
        collection = await self.get(namespace, create=create)
        return absent if collection is None else await self.conn.run(op, collection)

    def width(self) -> int:
        """The recorded vector size, or DimensionMismatchError before ensure()."""
        if self.dim is None:
            raise DimensionMismatchError("chroma store has no vector size yet: call ensure_collection first")
        return self.dim
