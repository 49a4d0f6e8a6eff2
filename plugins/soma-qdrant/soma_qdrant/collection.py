"""Creating and checking a collection: cosine vectors of one size, plus (in url mode) the payload indexes."""

from __future__ import annotations

import warnings
from typing import Any

import grpc
from qdrant_client import AsyncQdrantClient, models
from qdrant_client.http.exceptions import UnexpectedResponse

from soma_core.errors import ConfigError, DimensionMismatchError

from .config import QdrantConfig
from .payload import INDEXES


async def ensure_collection(client: AsyncQdrantClient, config: QdrantConfig, dim: int) -> None:
    """url mode: create the shared collection if missing, refuse one of another size or shape, add missing indexes."""
    if not await client.collection_exists(config.collection):
        await create_collection(client, config, config.collection, dim)
    info = await client.get_collection(config.collection)
    check_vectors(config.collection, info, dim)
    existing = info.payload_schema or {}
    for field, schema in INDEXES.items():
        if field in existing:
            continue
        with warnings.catch_warnings():
            # a local client (tests run this against one) warns that indexes do nothing there; a server uses them
            warnings.simplefilter("ignore", UserWarning)
            await client.create_payload_index(config.collection, field, field_schema=schema, wait=True)


def creation_options(config: QdrantConfig, dim: int) -> dict[str, Any]:
    """Keyword arguments of ``create_collection``: cosine ``dim``-sized vectors, the HNSW and on_disk options."""
    hnsw = None
    if any(value is not None for value in (config.hnsw_m, config.hnsw_ef_construct, config.hnsw_payload_m)):
        hnsw = models.HnswConfigDiff(
            m=config.hnsw_m, ef_construct=config.hnsw_ef_construct, payload_m=config.hnsw_payload_m
        )
    vectors = models.VectorParams(size=dim, distance=models.Distance.COSINE, on_disk=config.on_disk or None)
    return {"vectors_config": vectors, "hnsw_config": hnsw}


async def create_collection(client: AsyncQdrantClient, config: QdrantConfig, name: str, dim: int) -> None:
    """Create collection ``name`` with :func:`creation_options`; one created meanwhile by another client is fine."""
    try:
        await client.create_collection(name, **creation_options(config, dim))
    except (UnexpectedResponse, grpc.aio.AioRpcError) as exc:
        if not _already_exists(exc):  # another process created it first: its size is checked next
            raise


def check_vectors(name: str, info: models.CollectionInfo, dim: int) -> None:
    """DimensionMismatchError for another size; ConfigError for named vectors or a non-cosine distance."""
    vectors = info.config.params.vectors
    if not isinstance(vectors, models.VectorParams):
        raise ConfigError(
            f"Qdrant collection {name!r} has named vectors; Soma needs one unnamed vector: choose another collection"
        )
    if vectors.size != dim:
        raise DimensionMismatchError(
            f"Qdrant collection {name!r} holds {vectors.size}-d vectors, but {dim}-d were asked for; "
            "reindex to rebuild it, or choose another collection"
        )
    if vectors.distance != models.Distance.COSINE:
        raise ConfigError(
            f"Qdrant collection {name!r} uses {vectors.distance.value} distance; Soma needs Cosine: "
            "choose another collection"
        )


def _already_exists(exc: UnexpectedResponse | grpc.aio.AioRpcError) -> bool:
    if isinstance(exc, UnexpectedResponse):
        return exc.status_code == 409
    return bool(exc.code() == grpc.StatusCode.ALREADY_EXISTS)
