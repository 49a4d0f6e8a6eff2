"""Local mode's layout: one collection per namespace, so a query without user filters carries no filter.

qdrant-client's local mode evaluates any payload filter point by point in
Python, over every point of the collection, while an unfiltered query is one
numpy product. With the url mode's layout (one collection, a namespace
condition on every call) each local query cost tens to hundreds of
milliseconds at a few thousand points; with a collection per namespace the
namespace needs no condition at all.

Names: the configured ``collection`` is the *anchor*. It holds no points; it
records the vector size (so ``ensure_collection`` can refuse another size
before any namespace has data) and marks the store as this layout. Namespace
``ns`` lives in ``{collection}~{hash(ns)}``: ``~`` cannot occur in a configured
collection name, so the prefix names this store's collections only, and the
hash keeps any namespace a safe directory name, distinct on case-insensitive
file systems too.

An anchor that holds points is the layout of earlier versions (and of url
mode): :func:`adopt_shared_points` moves them into their namespaces'
collections, then empties the anchor.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable

from qdrant_client import AsyncQdrantClient, models

from soma_core.errors import ConfigError

from .collection import check_vectors, create_collection
from .config import NAMESPACE_SEPARATOR, QdrantConfig
from .payload import MEMORY_ID, NAMESPACE

log = logging.getLogger(__name__)

Created = Callable[[str], object]
"""Called with the name of each collection the layout creates (path mode tunes its SQLite file)."""

MIGRATION_PAGE = 1024
"""Points read per scroll while moving an old shared collection into per-namespace ones."""


def namespace_collection(config: QdrantConfig, namespace: str) -> str:
    """The collection that holds ``namespace``'s vectors in local mode."""
    digest = hashlib.sha256(namespace.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{config.collection}{NAMESPACE_SEPARATOR}{digest}"


async def namespace_collections(client: AsyncQdrantClient, config: QdrantConfig) -> list[str]:
    """Every namespace collection of this store (not the anchor, not other stores' collections)."""
    prefix = config.collection + NAMESPACE_SEPARATOR
    response = await client.get_collections()
    return sorted(c.name for c in response.collections if c.name.startswith(prefix))


async def ensure_layout(
    client: AsyncQdrantClient, config: QdrantConfig, dim: int, created: Created = lambda name: None
) -> None:
    """Check the anchor and every namespace collection hold ``dim``-d cosine vectors, create the anchor, adopt old data.

    Raises DimensionMismatchError or ConfigError before changing anything.
    """
    anchor = config.collection
    if await client.collection_exists(anchor):
        check_vectors(anchor, await client.get_collection(anchor), dim)
    for name in await namespace_collections(client, config):
        check_vectors(name, await client.get_collection(name), dim)
    if not await client.collection_exists(anchor):
        await create_collection(client, config, anchor, dim)
        created(anchor)
    await adopt_shared_points(client, config, dim, created)


async def drop_layout(client: AsyncQdrantClient, config: QdrantConfig) -> None:
    """Delete every namespace collection, then the anchor."""
    for name in await namespace_collections(client, config):
        await client.delete_collection(name)
    await client.delete_collection(config.collection)


async def adopt_shared_points(
    client: AsyncQdrantClient, config: QdrantConfig, dim: int, created: Created = lambda name: None
) -> int:
    """Move the points of an anchor in the old one-collection layout into per-namespace collections.

    Every point must carry Soma's ``namespace`` and ``memory_id`` payload, or
    ConfigError is raised and nothing is touched. Copies keep their point ids,
    so a run cut short is simply repeated at the next open; the anchor is
    emptied (deleted and recreated) only once every point is copied. Returns
    how many points were moved.
    """
    anchor = config.collection
    total = (await client.count(anchor)).count
    if not total:
        return 0
    await _check_foreign_points(client, anchor)
    namespaces: set[str] = set()
    offset: models.ExtendedPointId | None = None
    while True:
        records, offset = await client.scroll(
            anchor, limit=MIGRATION_PAGE, offset=offset, with_payload=True, with_vectors=True
        )
        grouped: dict[str, list[models.PointStruct]] = defaultdict(list)
        for record in records:
            payload = record.payload or {}
            if not isinstance(record.vector, list):  # Soma writes every point with its vector
                raise ConfigError(
                    f"Qdrant collection {anchor!r}: point {record.id} has no vector; choose another collection"
                )
            grouped[payload[NAMESPACE]].append(models.PointStruct(id=record.id, vector=record.vector, payload=payload))
        for namespace, points in grouped.items():
            name = namespace_collection(config, namespace)
            if not await client.collection_exists(name):
                await create_collection(client, config, name, dim)
                created(name)
            await client.upsert(name, points=points, wait=True)
            namespaces.add(namespace)
        if offset is None:
            break
    await client.delete_collection(anchor)
    await create_collection(client, config, anchor, dim)
    created(anchor)
    log.warning(
        "qdrant: moved %d vectors of %d namespaces from the shared collection %r into one collection per namespace "
        "(local mode's layout)",
        total,
        len(namespaces),
        anchor,
    )
    return total


async def _check_foreign_points(client: AsyncQdrantClient, anchor: str) -> None:
    offset: models.ExtendedPointId | None = None
    while True:
        records, offset = await client.scroll(
            anchor, limit=MIGRATION_PAGE, offset=offset, with_payload=[NAMESPACE, MEMORY_ID], with_vectors=False
        )
        for record in records:
            payload = record.payload or {}
            if not isinstance(payload.get(NAMESPACE), str) or not isinstance(payload.get(MEMORY_ID), str):
                raise ConfigError(
                    f"Qdrant collection {anchor!r} holds points Soma did not write (point {record.id} has no "
                    "namespace and memory_id payload): choose another collection"
                )
        if offset is None:
            return
