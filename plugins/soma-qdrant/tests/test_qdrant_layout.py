"""Local mode's collection-per-namespace layout: isolation, expiry on the hits, counts, reopen, adopting old data."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
import pytest_asyncio
from pydantic import ValidationError
from qdrant_client import AsyncQdrantClient, models
from soma_qdrant import QdrantConfig, QdrantVectorStore
from soma_qdrant.collection import creation_options
from soma_qdrant.config import LOCAL_COLLECTION_MAX
from soma_qdrant.exact import local_view
from soma_qdrant.layout import namespace_collection
from soma_qdrant.local import tune_local_storage
from soma_qdrant.payload import point_id, point_payload

from soma_core.errors import ConfigError, DimensionMismatchError
from soma_core.filters import Filter
from soma_core.testing.vectors import payload, unit

DIM = 16
ODD_NAMESPACES = ["Alice", "alice", "日本語", "a/b\\c:d", "..", "x" * 300, "default~lex", ""]


@pytest_asyncio.fixture
async def store(local_store_class: type[QdrantVectorStore], tmp_path: Path) -> AsyncIterator[QdrantVectorStore]:
    """An empty path store, searched as local mode runs and on its fallback path (see conftest)."""
    async with local_store_class(QdrantConfig(path=str(tmp_path))) as opened:
        await opened.ensure_collection(DIM)
        yield opened


def _rows(seeds: range | list[int]) -> np.ndarray:
    return np.stack([unit(i) for i in seeds])


async def _collections(path: Path) -> set[str]:
    client = AsyncQdrantClient(path=str(path))
    try:
        return {c.name for c in (await client.get_collections()).collections}
    finally:
        await client.close()


@pytest.mark.asyncio
async def test_each_namespace_is_its_own_collection_and_isolated(store: QdrantVectorStore, tmp_path: Path) -> None:
    for n, namespace in enumerate(ODD_NAMESPACES):
        await store.upsert(namespace, ["same-id"], unit(n)[None, :], [payload(user=namespace)])
    for n, namespace in enumerate(ODD_NAMESPACES):
        assert await store.count(namespace) == 1
        hits = await store.query(namespace, unit(n), k=5)
        assert [h.id for h in hits] == ["same-id"] and hits[0].score == pytest.approx(1.0, abs=1e-3)
        assert await store.count(namespace, Filter(metadata={"user": namespace})) == 1
        np.testing.assert_allclose((await store.get(namespace, ["same-id"]))[0], unit(n), atol=1e-5)
    await store.delete("Alice", ["same-id"])
    assert await store.count("Alice") == 0 and await store.count("alice") == 1
    assert await store.count("never-written") == 0 and await store.query("never-written", unit(1), k=3) == []
    assert await store.get("never-written", ["same-id"]) == [None]
    await store.delete("never-written", ["same-id"])
    await store.close()
    expected = {namespace_collection(store.config, ns) for ns in ODD_NAMESPACES}
    assert len(expected) == len(ODD_NAMESPACES)  # "Alice" and "alice" too: safe on case-insensitive file systems
    assert await _collections(tmp_path) == expected | {"soma"}


@pytest.mark.asyncio
async def test_expired_vectors_are_skipped_and_k_still_filled(store: QdrantVectorStore) -> None:
    n = 60
    ids = [f"v{i}" for i in range(n)]
    query = unit(0)
    order = np.argsort(-(_rows(range(n)) @ query))  # nearest first
    gone = {ids[i] for i in order[:40]}  # the 40 nearest have expired: more than any first oversampled ask
    payloads = [{**payload(), "expires_at": 1.0 if key in gone else None} for key in ids]
    await store.upsert("ns", ids, _rows(range(n)), payloads)
    hits = await store.query("ns", query, k=10)
    assert [h.id for h in hits] == [ids[i] for i in order[40:50]]
    batch = await store.query_batch("ns", np.stack([query, unit(1)]), k=10)
    assert [h.id for h in batch[0]] == [h.id for h in hits] and len(batch[1]) == 10
    assert not gone & {h.id for row in batch for h in row}
    assert {h.id for h in await store.query("ns", query, k=100)} == set(ids) - gone  # fewer than k: all live ones
    assert await store.count("ns") == n  # count includes vectors not yet swept, like the numpy reference
    episodic = Filter(memory_type="episodic")
    assert [h.id for h in await store.query("ns", query, k=15, filter=episodic)] == [ids[i] for i in order[40:55]]


@pytest.mark.asyncio
async def test_reopened_path_store_finds_every_namespace(tmp_path: Path) -> None:
    config = QdrantConfig(path=str(tmp_path))
    async with QdrantVectorStore(config) as store:
        await store.ensure_collection(DIM)
        await store.upsert("default", ["a", "b"], _rows([1, 2]), [payload(), payload("semantic")])
        await store.upsert("default~lex", ["a"], _rows([3]), [payload()])
    async with QdrantVectorStore(config) as store:
        with pytest.raises(DimensionMismatchError, match="holds 16-d vectors, but 8-d"):
            await store.ensure_collection(8)
        await store.ensure_collection(DIM)
        assert await store.count("default") == 2 and await store.count("default~lex") == 1
        assert await store.count("default", Filter(memory_type="semantic")) == 1
        assert (await store.query("default", unit(2), k=1))[0].id == "b"
        assert (await store.query("default~lex", unit(2), k=1))[0].id == "a"


@pytest.mark.asyncio
async def test_drop_removes_this_stores_collections_only(tmp_path: Path) -> None:
    async with QdrantVectorStore(QdrantConfig(path=str(tmp_path), collection="soma")) as store:
        await store.ensure_collection(DIM)
        await store.upsert("one", ["a"], _rows([1]), [payload()])
        await store.upsert("two", ["a"], _rows([1]), [payload()])
    async with QdrantVectorStore(QdrantConfig(path=str(tmp_path), collection="soma-other")) as other:
        await other.ensure_collection(DIM)
        await other.upsert("one", ["z"], _rows([1]), [payload()])
    async with QdrantVectorStore(QdrantConfig(path=str(tmp_path), collection="soma")) as store:
        await store.ensure_collection(DIM)
        await store.drop_collection()
        assert await store.count("one") == 0
        await store.ensure_collection(DIM * 2)
        await store.upsert("one", ["x"], np.ones((1, DIM * 2), dtype=np.float32), [payload()])
        assert await store.count("one") == 1 and await store.count("two") == 0
    async with QdrantVectorStore(QdrantConfig(path=str(tmp_path), collection="soma-other")) as other:
        await other.ensure_collection(DIM)
        assert await other.count("one") == 1


@pytest.mark.asyncio
async def test_a_namespace_collection_of_another_size_is_refused(tmp_path: Path) -> None:
    """A run cut short between dropping namespace collections and the anchor still cannot mix sizes."""
    config = QdrantConfig(path=str(tmp_path))
    client = AsyncQdrantClient(path=str(tmp_path))
    await client.create_collection(namespace_collection(config, "ns"), **creation_options(config, 8))
    await client.close()
    async with QdrantVectorStore(config) as store:
        with pytest.raises(DimensionMismatchError, match="holds 8-d vectors, but 16-d"):
            await store.ensure_collection(DIM)
        await store.ensure_collection(8)


async def _write_shared_layout(path: Path, points: dict[str, list[str]], *, foreign: bool = False) -> None:
    """A path store as earlier versions wrote it: every namespace in collection 'soma', namespace in the payload."""
    client = AsyncQdrantClient(path=str(path))
    await client.create_collection("soma", **creation_options(QdrantConfig(path=str(path)), DIM))
    assert tune_local_storage(client)  # WAL: a commit per point without waiting for the disk each time
    structs = [
        models.PointStruct(id=point_id(ns, key), vector=unit(seed).tolist(), payload=point_payload(ns, key, payload()))
        for seed, (ns, key) in enumerate((ns, key) for ns, keys in points.items() for key in keys)
    ]
    if foreign:
        structs.append(models.PointStruct(id=1, vector=unit(99).tolist(), payload={"text": "not Soma's"}))
    await client.upsert("soma", points=structs, wait=True)
    await client.close()


@pytest.mark.asyncio
async def test_data_in_the_old_shared_layout_is_moved_not_lost(tmp_path: Path) -> None:
    await _write_shared_layout(tmp_path, {"default": [f"m{i}" for i in range(1500)], "default~lex": ["m0", "m1"]})
    config = QdrantConfig(path=str(tmp_path))
    async with QdrantVectorStore(config) as store:
        await store.ensure_collection(DIM)
        assert await store.count("default") == 1500 and await store.count("default~lex") == 2
        assert (await store.query("default", unit(1234), k=1))[0].id == "m1234"
        np.testing.assert_allclose((await store.get("default~lex", ["m1"]))[0], unit(1501), atol=1e-5)
        assert store._client is not None and (await store._client.count("soma")).count == 0  # the anchor is empty
    async with QdrantVectorStore(config) as store:  # the next open finds nothing left to move
        await store.ensure_collection(DIM)
        assert await store.count("default") == 1500


@pytest.mark.asyncio
async def test_points_soma_did_not_write_stop_the_move_and_stay(tmp_path: Path) -> None:
    await _write_shared_layout(tmp_path, {"default": ["a", "b"]}, foreign=True)
    async with QdrantVectorStore(QdrantConfig(path=str(tmp_path))) as store:
        with pytest.raises(ConfigError, match="holds points Soma did not write .* choose another collection"):
            await store.ensure_collection(DIM)
    assert await _collections(tmp_path) == {"soma"}  # nothing created, nothing moved


def test_local_collection_name_leaves_room_for_the_namespace_suffix() -> None:
    longest = "c" * LOCAL_COLLECTION_MAX
    assert QdrantConfig(location=":memory:", collection=longest).collection == longest
    with pytest.raises(ValidationError, match=f"at most {LOCAL_COLLECTION_MAX} characters in local mode"):
        QdrantConfig(path="/x", collection=longest + "c")
    assert QdrantConfig(url="http://qdrant:6333", collection=longest + "c").mode == "url"


@pytest.mark.asyncio
@pytest.mark.parametrize("reopen", [False, True], ids=["as-written", "reloaded-from-disk"])
async def test_exact_search_agrees_with_qdrant_client(tmp_path: Path, reopen: bool) -> None:
    """soma_qdrant.exact (unfiltered local queries) gives qdrant-client's own ranking and scores.

    Rows of varied length and a zero row, replaced and deleted points; reloaded from disk the rows are no longer
    normalised (qdrant-client stores them as given), which the scores must not notice.
    """
    rng = np.random.default_rng(7)
    n = 300
    vectors = rng.standard_normal((n, DIM)).astype(np.float32) * rng.uniform(0.1, 10.0, (n, 1)).astype(np.float32)
    vectors[5] = 0.0
    ids = [f"p{i}" for i in range(n)]
    config = QdrantConfig(path=str(tmp_path))
    async with QdrantVectorStore(config) as store:
        await store.ensure_collection(DIM)
        await store.upsert("ns", ids, vectors, [payload()] * n)
        replacements = rng.standard_normal((10, DIM)).astype(np.float32) * 3
        await store.upsert("ns", ids[:10], replacements, [payload()] * 10)  # replaced in place
        await store.delete("ns", ids[20:40])
    async with QdrantVectorStore(config) as store:
        await store.ensure_collection(DIM)
        if not reopen:
            await store.upsert("ns", ["fresh"], unit(1)[None, :], [payload()])
            await store.delete("ns", ["fresh"])
        assert store._client is not None
        name = namespace_collection(config, "ns")
        queries = np.concatenate([rng.standard_normal((6, DIM)).astype(np.float32), vectors[[12, 50]], replacements])
        mine = await store.query_batch("ns", queries, k=25)
        for row, hits in zip(queries, mine, strict=True):
            theirs = (await store._client.query_points(name, query=row.tolist(), limit=25, with_payload=True)).points
            assert [h.id for h in hits] == [p.payload["memory_id"] for p in theirs if p.payload]
            assert [h.score for h in hits] == pytest.approx([p.score for p in theirs], abs=1e-5)
        assert not {h.id for hits in mine for h in hits} & set(ids[20:40])


@pytest.mark.asyncio
async def test_exact_search_is_active(tmp_path: Path) -> None:
    """The installed qdrant-client has the internals soma_qdrant.exact reads; if this fails after an upgrade, the
    store still works (through the slower public API) and soma_qdrant/exact.py needs a look."""
    for config in (QdrantConfig(location=":memory:"), QdrantConfig(path=str(tmp_path))):
        async with QdrantVectorStore(config) as store:
            await store.ensure_collection(DIM)
            await store.upsert("ns", ["a", "b"], _rows([1, 2]), [payload(), payload()])
            assert store._client is not None
            view = local_view(store._client, namespace_collection(config, "ns"))
            assert view is not None and view.matrix.shape == (2, DIM) and view.live.tolist() == [True, True]
