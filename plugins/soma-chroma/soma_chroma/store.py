"""``chroma`` vector store: one Chroma collection per namespace, cosine HNSW, filters as ``where``.

Collections and their layout are :mod:`.catalog`'s business; payload
flattening and filters are :mod:`.payloads`'; this module turns the
VectorStore calls into chunked Chroma requests run in worker threads.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from soma_core.errors import DimensionMismatchError
from soma_core.filters import Filter
from soma_core.interfaces import Capabilities, VectorHit, VectorStore

from .catalog import Catalog
from .config import ChromaConfig
from .connection import ChromaConnection
from .payloads import NOTHING, cleared_keys, to_metadata, to_where

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

EMBEDDED = Capabilities(filters=True, persistent=True)
SERVER = Capabilities(filters=True, persistent=True, multi_process=True)


class _CapabilitiesByMode:
    """On the class: the embedded (conservative) flags. On an instance: the flags of its mode."""

    def __get__(self, store: ChromaVectorStore | None, owner: type) -> Capabilities:
        if store is None:
            return EMBEDDED
        return SERVER if store.config.mode == "server" else EMBEDDED


def _chunks(n: int, size: int) -> Iterator[slice]:
    for start in range(0, n, size):
        yield slice(start, min(n, start + size))


class ChromaVectorStore(VectorStore):
    """Chroma embedded (``PersistentClient``) or over HTTP (``HttpClient``), called from worker threads.

    Multi-process only in server mode: an embedded database belongs to one process.
    """

    name = "chroma"
    Config = ChromaConfig
    capabilities = _CapabilitiesByMode()  # type: ignore[assignment]
    env_prefix = "SOMA_CHROMA_"
    config: ChromaConfig

    def __init__(self, config: ChromaConfig | None = None) -> None:
        super().__init__(config)
        self._conn = ChromaConnection(self.config)
        self._catalog = Catalog(self.config, self._conn)
        self._write_locks: dict[str, asyncio.Lock] = {}

    async def open(self) -> None:
        await self._conn.open()

    async def close(self) -> None:
        self._catalog.clear()
        await self._conn.close()

    async def ping(self) -> None:
        client = self._conn.client
        if client is None:
            raise self._conn.unavailable("store is not open")
        await self._conn.run(client.heartbeat)

    def describe(self) -> dict[str, Any]:
        cfg = self.config
        shown: dict[str, Any] = {"mode": cfg.mode}
        if cfg.mode == "server":
            shown |= {"host": cfg.host, "port": cfg.port, "ssl": cfg.ssl, "headers": sorted(cfg.headers)}
            shown["request_timeout"] = cfg.request_timeout
        else:
            shown["path"] = str(cfg.database_path)
        fields = ("collection_prefix", "ef_construction", "ef_search", "max_neighbors", "batch_size")
        return shown | {name: getattr(cfg, name) for name in fields}

    @property
    def dim(self) -> int | None:
        """The vector size given to ensure_collection (None before it, and after a drop)."""
        return self._catalog.dim

    async def ensure_collection(self, dim: int) -> None:
        await self._catalog.ensure(dim)

    async def drop_collection(self) -> None:
        await self._catalog.drop()

    # -- vectors -----------------------------------------------------------------------------------

    def _rows(self, vectors: np.ndarray, count: int | None = None) -> np.ndarray:
        """``vectors`` as float32 rows of the collection's width, or DimensionMismatchError."""
        array = np.asarray(vectors, dtype=np.float32)
        width = self._catalog.width()
        if array.ndim == 0 or array.shape[-1] != width:
            got = array.shape[-1] if array.ndim else 0
            raise DimensionMismatchError(f"chroma collection holds {width}-d vectors; got {got}-d")
        rows = array.reshape(-1, width)
        if count is not None and len(rows) != count:
            raise ValueError(f"{count} ids but {len(rows)} vectors")
        return rows

    async def upsert(
        self, namespace: str, ids: Sequence[str], vectors: np.ndarray, payloads: Sequence[dict[str, Any]]
    ) -> None:
        rows = self._rows(vectors, len(ids))
        if len(payloads) != len(ids):
            raise ValueError(f"{len(ids)} ids but {len(payloads)} payloads")
        if not ids:
            return
        latest = {key: i for i, key in enumerate(ids)}  # a repeated id: the last one wins
        keys = list(latest)
        picked = rows[list(latest.values())]
        metadatas = [to_metadata(payloads[i]) for i in latest.values()]
        size = self._conn.max_batch

        def write(collection: Collection) -> None:
            for part in _chunks(len(keys), size):
                chunk = keys[part]
                old = collection.get(ids=chunk, include=["metadatas"])
                before = dict(zip(old["ids"], old["metadatas"] or [], strict=False))
                news = zip(chunk, metadatas[part], strict=True)
                merged = [cleared_keys(before.get(key), new) | new for key, new in news]
                collection.upsert(
                    ids=chunk, embeddings=picked[part], metadatas=[m or None for m in merged]  # type: ignore[misc]
                )

        lock = self._write_locks.setdefault(namespace, asyncio.Lock())
        async with lock:  # read-then-write must not interleave with another upsert of the same ids
            await self._catalog.on(namespace, True, write, None)

    async def query(
        self, namespace: str, vector: np.ndarray, *, k: int, filter: Filter | None = None
    ) -> list[VectorHit]:
        return (await self.query_batch(namespace, self._rows(vector)[:1], k=k, filter=filter))[0]

    async def query_batch(
        self, namespace: str, vectors: np.ndarray, *, k: int, filter: Filter | None = None
    ) -> list[list[VectorHit]]:
        queries = self._rows(vectors)
        where = to_where(filter)
        empty: list[list[VectorHit]] = [[] for _ in queries]
        if k <= 0 or len(queries) == 0 or where is NOTHING:
            return empty
        size = self._conn.max_batch

        def search(collection: Collection) -> list[list[VectorHit]]:
            found: list[list[VectorHit]] = []
            for part in _chunks(len(queries), size):  # one Chroma query per chunk of rows
                result = collection.query(
                    query_embeddings=queries[part],
                    n_results=k,
                    where=where,  # type: ignore[arg-type]
                    include=["distances"],
                )
                distances = result["distances"] or []
                for ids, dists in zip(result["ids"], distances, strict=True):
                    found.append([VectorHit(key, 1.0 - float(d)) for key, d in zip(ids, dists, strict=True)])
            return found

        return await self._catalog.on(namespace, False, search, empty)

    async def get(self, namespace: str, ids: Sequence[str]) -> list[np.ndarray | None]:
        unique = list(dict.fromkeys(ids))
        size = self._conn.max_batch

        def fetch(collection: Collection) -> dict[str, np.ndarray]:
            found: dict[str, np.ndarray] = {}
            for part in _chunks(len(unique), size):
                result = collection.get(ids=unique[part], include=["embeddings"])
                embeddings = result["embeddings"] if result["embeddings"] is not None else []
                for key, embedding in zip(result["ids"], embeddings, strict=True):
                    found[key] = np.asarray(embedding, dtype=np.float32)
            return found

        found = await self._catalog.on(namespace, False, fetch, {}) if unique else {}
        return [found.get(key) for key in ids]

    async def delete(self, namespace: str, ids: Sequence[str]) -> None:
        unique = list(dict.fromkeys(ids))
        if not unique:
            return
        size = self._conn.max_batch

        def remove(collection: Collection) -> None:
            for part in _chunks(len(unique), size):
                collection.delete(ids=unique[part])

        await self._catalog.on(namespace, False, remove, None)

    async def count(self, namespace: str, filter: Filter | None = None) -> int:
        where = to_where(filter)
        if where is NOTHING:
            return 0

        def tally(collection: Collection) -> int:
            if where is None:
                return collection.count()
            return len(collection.get(where=where, include=[])["ids"])  # type: ignore[arg-type]

        return await self._catalog.on(namespace, False, tally, 0)
