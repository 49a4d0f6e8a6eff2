"""``qdrant`` vector store.

url mode: one Qdrant collection, namespaces as a tenant-indexed payload field.
Local modes (path, memory): one collection per namespace (see
:mod:`soma_qdrant.layout`), expiry checked on the hits rather than in the query.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any

import numpy as np
from qdrant_client import AsyncQdrantClient, models

from soma_core.errors import BackendUnavailableError, DimensionMismatchError, InvalidInputError
from soma_core.filters import Filter
from soma_core.interfaces import Capabilities, VectorHit, VectorStore
from soma_core.stack import redact_url

from .collection import create_collection, ensure_collection
from .config import MEMORY, Mode, QdrantConfig
from .errors import first_line, scrub, unavailable_as_error, unavailable_reason
from .exact import LocalView, local_view, nearest
from .layout import drop_layout, ensure_layout, namespace_collection
from .local import is_locked, tune_local_storage
from .payload import (
    EXPIRES_AT,
    MEMORY_ID,
    NAMESPACE,
    is_alive,
    namespace_condition,
    point_id,
    point_payload,
    to_qdrant_filter,
)

CAPABILITIES: dict[Mode, Capabilities] = {
    "url": Capabilities(filters=True, persistent=True, multi_process=True),
    "path": Capabilities(filters=True, persistent=True),
    "memory": Capabilities(filters=True),
}


class _ModeCapabilities:
    """``capabilities`` per instance, from its mode; on the class, what every mode promises."""

    floor = Capabilities(filters=True)

    def __get__(self, instance: QdrantVectorStore | None, owner: type | None = None) -> Capabilities:
        return self.floor if instance is None else CAPABILITIES[instance.config.mode]


class QdrantVectorStore(VectorStore):
    """Vectors in Qdrant (cosine): one collection per namespace locally, a ``namespace`` payload field in url mode.

    Point ids are uuid5(namespace, id), the original id is in the payload, and
    metadata equality matches typed terms (see :mod:`soma_qdrant.payload`).
    """

    name = "qdrant"
    Config = QdrantConfig
    env_prefix = "SOMA_QDRANT_"
    capabilities = _ModeCapabilities()
    config: QdrantConfig

    def __init__(self, config: QdrantConfig | None = None) -> None:
        super().__init__(config)
        self._client: AsyncQdrantClient | None = None
        self._dim: int | None = None

    @property
    def address(self) -> str:
        """Where the store lives, safe to show: the redacted url, the directory or ':memory:'."""
        mode = self.config.mode
        if mode == "url":
            url = redact_url(self.config.url or "")
            return f"{url} (gRPC port {self.config.grpc_port})" if self.config.prefer_grpc else url
        return MEMORY if mode == "memory" else str(self.config.local_path)

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for :class:`AsyncQdrantClient` in this mode."""
        config = self.config
        if config.mode == "memory":
            return {"location": MEMORY}
        if config.mode == "path":
            return {"path": str(config.local_path)}
        return {
            "url": config.url,
            "api_key": config.api_key.get_secret_value() if config.api_key else None,
            "prefer_grpc": config.prefer_grpc,
            "grpc_port": config.grpc_port,
            "timeout": config.timeout,
            "check_compatibility": False,  # open() probes the server itself, without a background thread
        }

    @property
    def _secret(self) -> str | None:
        return self.config.api_key.get_secret_value() if self.config.api_key else None

    def _errors(self) -> AbstractContextManager[None]:
        return unavailable_as_error(self.name, f"Qdrant at {self.address}", self._secret)

    async def open(self) -> None:
        if self._client is not None:
            return
        client = self._connect()
        try:
            await client.collection_exists(self.config.collection)  # reachable, key accepted
        except Exception as exc:
            await _close_quietly(client)
            reason = unavailable_reason(exc) or first_line(exc)
            detail = scrub(f"cannot reach Qdrant at {self.address}: {reason}", self._secret)
            raise BackendUnavailableError(self.name, detail) from None
        self._client = client
        self._tune()

    @property
    def _local(self) -> bool:
        """Local mode (path or memory): a collection per namespace, no payload filter unless the caller gives one."""
        return self.config.mode != "url"

    def _tune(self, *names: str) -> None:
        """In path mode with NORMAL, WAL for the SQLite file of ``names`` (of every collection when none)."""
        if self._client is not None and self.config.mode == "path" and self.config.local_synchronous == "NORMAL":
            tune_local_storage(self._client, names or None)

    def _connect(self) -> AsyncQdrantClient:
        if self.config.mode == "path" and is_locked(self.config.local_path):
            raise self._locked()
        try:
            return AsyncQdrantClient(**self.client_options())
        except RuntimeError as exc:
            if "already accessed" in str(exc):  # taken between the check and the client's own lock
                raise self._locked() from None
            raise BackendUnavailableError(self.name, f"cannot open {self.address}: {exc}") from None
        except Exception as exc:
            raise BackendUnavailableError(
                self.name, scrub(f"cannot open {self.address}: {exc}", self._secret)
            ) from None

    def _locked(self) -> BackendUnavailableError:
        return BackendUnavailableError(
            self.name,
            f"local store {self.address} is already open in another client or process; local mode allows "
            "one at a time (use a Qdrant server, option url, for several processes)",
        )

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await _close_quietly(client)

    async def ping(self) -> None:
        client = self._require()
        with self._errors():
            await client.collection_exists(self.config.collection)

    def describe(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"mode": self.config.mode}
        if self.config.mode == "url":
            shown["url"] = redact_url(self.config.url or "")
            shown |= self.config.model_dump(include={"prefer_grpc", "grpc_port", "timeout"})
        elif self.config.mode == "path":
            shown["path"] = str(self.config.local_path)
            shown["local_synchronous"] = self.config.local_synchronous
        shown["layout"] = "collection per namespace" if self._local else "one collection, namespace payload field"
        keep = {
            "collection",
            "hnsw_m",
            "hnsw_ef_construct",
            "hnsw_payload_m",
            "hnsw_ef",
            "on_disk",
            "batch_size",
            "wait",
        }
        return shown | self.config.model_dump(mode="json", include=keep)

    def _require(self) -> AsyncQdrantClient:
        if self._client is None:
            raise BackendUnavailableError(self.name, f"store {self.address} is not open")
        return self._client

    async def ensure_collection(self, dim: int) -> None:
        client = self._require()
        with self._errors():
            if self._local:
                await ensure_layout(client, self.config, dim, created=self._tune)
            else:
                await ensure_collection(client, self.config, dim)
        self._dim = dim

    async def drop_collection(self) -> None:
        client = self._require()
        with self._errors():
            if self._local:
                await drop_layout(client, self.config)
            else:
                await client.delete_collection(self.config.collection)
        self._dim = None

    async def _collection(self, client: AsyncQdrantClient, namespace: str, *, create: bool = False) -> str | None:
        """Where ``namespace`` lives; None in local mode when it has no collection yet (and ``create`` is false)."""
        if not self._local:
            return self.config.collection
        name = namespace_collection(self.config, namespace)
        if await client.collection_exists(name):
            return name
        if not create or self._dim is None:
            return None
        await create_collection(client, self.config, name, self._dim)
        self._tune(name)  # its own SQLite file
        return name

    def _where(self, namespace: str, filter: Filter | None, *, alive_at: float | None = None) -> models.Filter | None:
        """The Qdrant filter: in url mode with the namespace (and expiry); locally ``filter``'s conditions only."""
        if self._local:
            return to_qdrant_filter(None, filter)  # expiry is checked on the hits: see _search
        return to_qdrant_filter(namespace, filter, alive_at=alive_at)

    def _check(self, vectors: np.ndarray) -> np.ndarray:
        """``vectors`` as float32 rows of the collection's width, or DimensionMismatchError."""
        if self._dim is None:
            raise DimensionMismatchError(
                f"Qdrant collection {self.config.collection!r} has no dimension yet: call ensure_collection first"
            )
        array = np.asarray(vectors, dtype=np.float32)
        width = array.shape[-1] if array.ndim else 0
        if width != self._dim:
            raise DimensionMismatchError(
                f"Qdrant collection {self.config.collection!r} holds {self._dim}-d vectors; got {width}-d"
            )
        return array.reshape(-1, self._dim)

    async def upsert(
        self, namespace: str, ids: Sequence[str], vectors: np.ndarray, payloads: Sequence[dict[str, Any]]
    ) -> None:
        array = self._check(vectors)
        if not (len(ids) == len(payloads) == len(array)):
            raise InvalidInputError(
                f"upsert got {len(ids)} ids, {len(array)} vectors and {len(payloads)} payloads; they must match"
            )
        if not ids:
            return
        latest = {key: row for row, key in enumerate(ids)}  # a repeated id: the last one wins
        points = [
            models.PointStruct(
                id=point_id(namespace, key),
                vector=array[row].tolist(),
                payload=point_payload(namespace, key, payloads[row]),
            )
            for key, row in latest.items()
        ]
        client = self._require()
        size = self.config.batch_size
        with self._errors():
            name = await self._collection(client, namespace, create=True)
            assert name is not None  # _check saw a dimension, so the collection exists or was made
            for start in range(0, len(points), size):
                await client.upsert(name, points=points[start : start + size], wait=self.config.wait)

    def _params(self) -> models.SearchParams | None:
        if self.config.hnsw_ef is None or self.config.mode != "url":
            return None  # local mode searches exhaustively; HNSW parameters mean nothing there
        return models.SearchParams(hnsw_ef=self.config.hnsw_ef)

    async def query(
        self, namespace: str, vector: np.ndarray, *, k: int, filter: Filter | None = None
    ) -> list[VectorHit]:
        row = self._check(np.asarray(vector).reshape(-1))
        if k <= 0:
            return []
        return (await self._search(namespace, row, k, filter))[0]

    async def query_batch(
        self, namespace: str, vectors: np.ndarray, *, k: int, filter: Filter | None = None
    ) -> list[list[VectorHit]]:
        rows = self._check(vectors)
        if k <= 0 or not len(rows):
            return [[] for _ in rows]
        return await self._search(namespace, rows, k, filter)

    async def _search(self, namespace: str, rows: np.ndarray, k: int, filter: Filter | None) -> list[list[VectorHit]]:
        """The ``k`` nearest live hits of each row.

        url mode asks the server for exactly that (expiry is a condition).
        Local mode searches the collection's arrays itself (:mod:`.exact`).
        Should qdrant-client's internals differ, it uses the public API, with
        expiry left out of the query (an unfiltered query then carries no
        filter): it asks for a few more than ``k``, drops expired hits, and asks
        again, further, for rows whose surplus ran out while more points remain.
        """
        client = self._require()
        now = time.time()
        where = self._where(namespace, filter, alive_at=now)
        with self._errors():
            name = await self._collection(client, namespace)
            if name is None:
                return [[] for _ in rows]
            if not self._local:
                return [_hits(points) for points in await self._nearest(client, name, rows, k, where, [MEMORY_ID])]
            view = self._exact_view(client, name) if np.isfinite(rows).all() else None
            if view is not None:
                return nearest(view, rows, k, now, filter)  # one matrix product for the batch: see soma_qdrant.exact
            found: list[list[VectorHit]] = [[] for _ in rows]
            pending, limit = list(range(len(rows))), k + k // 4 + 4
            while pending:
                answers = await self._nearest(client, name, rows[pending], limit, where, [MEMORY_ID, EXPIRES_AT])
                short = []
                for index, points in zip(pending, answers, strict=True):
                    live = [point for point in points if is_alive(point.payload, now)]
                    if len(live) >= k or len(points) < limit:
                        found[index] = _hits(live[:k])
                    else:
                        short.append(index)
                pending, limit = short, limit * 4
            return found

    def _exact_view(self, client: AsyncQdrantClient, name: str) -> LocalView | None:
        """The arrays :mod:`.exact` searches, or None to use qdrant-client's public query API."""
        return local_view(client, name)

    async def _nearest(
        self,
        client: AsyncQdrantClient,
        name: str,
        rows: np.ndarray,
        limit: int,
        where: models.Filter | None,
        keys: list[str],
    ) -> list[list[models.ScoredPoint]]:
        """One Qdrant query per row: ``query_points`` for one, the batch API (one request) for several."""
        if len(rows) == 1:
            response = await client.query_points(
                name,
                query=rows[0].tolist(),
                query_filter=where,
                search_params=self._params(),
                limit=limit,
                with_payload=keys,
            )
            return [response.points]
        requests = [
            models.QueryRequest(query=row.tolist(), filter=where, params=self._params(), limit=limit, with_payload=keys)
            for row in rows
        ]
        return [response.points for response in await client.query_batch_points(name, requests=requests)]

    async def get(self, namespace: str, ids: Sequence[str]) -> list[np.ndarray | None]:
        if not ids:
            return []
        unique = list(dict.fromkeys(ids))
        client = self._require()
        with self._errors():
            name = await self._collection(client, namespace)
            if name is None:
                return [None for _ in ids]
            records = await client.retrieve(
                name,
                ids=[point_id(namespace, key) for key in unique],
                with_payload=[NAMESPACE, MEMORY_ID],
                with_vectors=True,
            )
        found: dict[str, np.ndarray] = {}
        for record in records:
            payload = record.payload or {}
            if payload.get(NAMESPACE) == namespace and isinstance(record.vector, list):
                found[str(payload.get(MEMORY_ID))] = np.asarray(record.vector, dtype=np.float32)
        return [found[key].copy() if key in found else None for key in ids]

    async def delete(self, namespace: str, ids: Sequence[str]) -> None:
        unique: list[models.ExtendedPointId] = [point_id(namespace, key) for key in dict.fromkeys(ids)]
        if not unique:
            return
        client = self._require()
        size = self.config.batch_size
        with self._errors():
            name = await self._collection(client, namespace)
            if name is None:
                return
            for start in range(0, len(unique), size):
                chosen = self._selector(namespace, unique[start : start + size])
                await client.delete(name, points_selector=chosen, wait=True)

    def _selector(self, namespace: str, chosen: list[models.ExtendedPointId]) -> models.PointsSelector:
        """Those points; in url mode also inside the namespace. Locally a plain id list: no filter to evaluate."""
        if self._local:
            return models.PointIdsList(points=chosen)
        condition = models.HasIdCondition(has_id=chosen)
        return models.FilterSelector(filter=models.Filter(must=[namespace_condition(namespace), condition]))

    async def count(self, namespace: str, filter: Filter | None = None) -> int:
        client = self._require()
        with self._errors():
            name = await self._collection(client, namespace)
            if name is None:
                return 0
            result = await client.count(name, count_filter=self._where(namespace, filter), exact=True)
        return int(result.count)


def _hits(points: Sequence[models.ScoredPoint]) -> list[VectorHit]:
    return [VectorHit(str((point.payload or {})[MEMORY_ID]), float(point.score)) for point in points]


async def _close_quietly(client: AsyncQdrantClient) -> None:
    try:
        await client.close()
    except Exception:  # closing a half-dead connection must not mask the real error
        pass
