"""What the conformance kit does not pin down: typed metadata equality, ids, expiry, collection checks."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import pytest_asyncio
from qdrant_client import AsyncQdrantClient, models
from soma_qdrant import QdrantConfig, QdrantVectorStore
from soma_qdrant.collection import ensure_collection
from soma_qdrant.layout import namespace_collection
from soma_qdrant.payload import INDEXES, point_id, scalar_token

from soma_core.errors import BackendUnavailableError, ConfigError, DimensionMismatchError
from soma_core.filters import Filter
from soma_core.testing.vectors import payload, unit

DIM = 16
NS = "behaviour"

# Values that Python's == and scalar_equal treat subtly: bool vs int, int vs float, big ints, strings.
ODD_VALUES: list[Any] = [1, 1.0, True, "1", 0, 0.0, -0.0, False, "", 0.5, 2**60 + 1, float(2**60), 2**60, "ann", "Ann"]


@pytest_asyncio.fixture
async def store(store_class: type[QdrantVectorStore]) -> AsyncIterator[QdrantVectorStore]:
    """An empty in-memory store, once in local mode's layout and once in url mode's (see conftest)."""
    async with store_class(QdrantConfig(location=":memory:")) as opened:
        await opened.ensure_collection(DIM)
        yield opened


class _Spy:
    """Records the calls of one real client method and passes them on."""

    def __init__(self, target: Any) -> None:
        self.target = target
        self.calls: list[dict[str, Any]] = []

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append({"args": args, **kwargs})
        return await self.target(*args, **kwargs)


@pytest.mark.asyncio
async def test_metadata_equality_is_exactly_scalar_equal(store: QdrantVectorStore) -> None:
    payloads = [
        payload(created_at=float(i), v=value, **{"dotted.key": value, "日本": i}) for i, value in enumerate(ODD_VALUES)
    ]
    payloads.append(payload(v=[1], nested={"v": 1}))  # non-scalars never equal a scalar
    ids = [f"m{i}" for i in range(len(payloads))]
    await store.upsert(NS, ids, np.stack([unit(i) for i in range(len(ids))]), payloads)
    for value in [*ODD_VALUES, 3, "missing"]:
        for key in ("v", "dotted.key"):
            wanted = Filter(metadata={key: value})
            expected = {i for i, p in zip(ids, payloads, strict=True) if wanted.matches(p)}
            found = {h.id for h in await store.query(NS, unit(0), k=len(ids), filter=wanted)}
            assert found == expected, f"{key}={value!r}"
            assert await store.count(NS, wanted) == len(expected)
    assert await store.count(NS, Filter(metadata={"日本": 3})) == 1


def test_scalar_tokens_agree_with_python_equality() -> None:
    for a in ODD_VALUES:
        for b in ODD_VALUES:
            same = Filter(metadata={"k": b}).matches({"metadata": {"k": a}})
            assert (scalar_token(a) == scalar_token(b)) == same, (a, b)
    assert scalar_token(None) is None and scalar_token([1]) is None


@pytest.mark.asyncio
async def test_original_ids_come_back_and_namespaces_do_not_collide(store: QdrantVectorStore) -> None:
    ids = ["42", "", "a/b c", "日本語", "x" * 500, "123e4567-e89b-12d3-a456-426614174000"]
    await store.upsert(NS, ids, np.stack([unit(i) for i in range(len(ids))]), [payload()] * len(ids))
    await store.upsert("other", ["42"], unit(99)[None, :], [payload()])
    for i, key in enumerate(ids):
        assert (await store.query(NS, unit(i), k=1))[0].id == key
    got = await store.get(NS, ["42", "42", "nope"])
    assert got[2] is None and np.allclose(got[0], got[1]) and np.allclose(got[0], unit(0), atol=1e-5)
    assert await store.get("other", ["日本語"]) == [None]
    assert point_id(NS, "42") != point_id("other", "42") == point_id("other", "42")
    assert uuid.UUID(point_id(NS, "42")).version == 5


@pytest.mark.asyncio
async def test_repeated_id_in_one_batch_keeps_the_last(store: QdrantVectorStore) -> None:
    await store.upsert(NS, ["a", "a"], np.stack([unit(1), unit(2)]), [payload("episodic"), payload("semantic")])
    assert await store.count(NS) == 1
    assert await store.count(NS, Filter(memory_type="semantic")) == 1
    assert (await store.query(NS, unit(2), k=1))[0].score == pytest.approx(1.0, abs=1e-3)


@pytest.mark.asyncio
async def test_expired_vectors_leave_queries_but_still_count(store: QdrantVectorStore) -> None:
    gone = {**payload(), "expires_at": 1.0}
    later = {**payload(), "expires_at": 4_000_000_000.0}
    await store.upsert(NS, ["gone", "later", "never"], np.stack([unit(1), unit(2), unit(3)]), [gone, later, payload()])
    assert {h.id for h in await store.query(NS, unit(1), k=5)} == {"later", "never"}
    assert {h.id for hits in await store.query_batch(NS, unit(1)[None, :], k=5) for h in hits} == {"later", "never"}
    assert await store.count(NS) == 3  # like the numpy reference: count includes the not yet swept


@pytest.mark.asyncio
async def test_zero_k_and_empty_batches(store: QdrantVectorStore) -> None:
    await store.upsert(NS, [], np.zeros((0, DIM), dtype=np.float32), [])
    assert await store.query(NS, unit(1), k=0) == []
    assert await store.query_batch(NS, np.zeros((0, DIM), dtype=np.float32), k=3) == []
    assert await store.get(NS, []) == []


@pytest.mark.asyncio
async def test_batch_size_chunks_upserts_and_deletes() -> None:
    async with QdrantVectorStore(QdrantConfig(location=":memory:", batch_size=3)) as store:
        await store.ensure_collection(DIM)
        assert store._client is not None
        upserts = _Spy(store._client.upsert)
        store._client.upsert = upserts  # type: ignore[method-assign]
        await store.upsert(NS, [f"c{i}" for i in range(10)], np.stack([unit(i) for i in range(10)]), [payload()] * 10)
        assert [len(call["points"]) for call in upserts.calls] == [3, 3, 3, 1]
        assert all(call["wait"] is True for call in upserts.calls)
        assert await store.count(NS) == 10
        await store.delete(NS, [f"c{i}" for i in range(7)])
        assert await store.count(NS) == 3


@pytest.mark.asyncio
async def test_url_mode_creation_carries_index_options_and_tenant_index() -> None:
    """url mode's own ensure_collection, run against a real (local) client: the requests a server would get."""
    config = QdrantConfig(url="http://qdrant:6333", hnsw_m=0, hnsw_payload_m=16, hnsw_ef_construct=64, on_disk=True)
    client = AsyncQdrantClient(location=":memory:")
    try:
        creates, indexes = _Spy(client.create_collection), _Spy(client.create_payload_index)
        client.create_collection = creates  # type: ignore[method-assign]
        client.create_payload_index = indexes  # type: ignore[method-assign]
        await ensure_collection(client, config, DIM)
        assert [call["args"][0] for call in creates.calls] == ["soma"]
        hnsw, vectors = creates.calls[0]["hnsw_config"], creates.calls[0]["vectors_config"]
        assert (hnsw.m, hnsw.payload_m, hnsw.ef_construct) == (0, 16, 64)
        assert (vectors.size, vectors.distance, vectors.on_disk) == (DIM, models.Distance.COSINE, True)
        made = {call["args"][1]: call["field_schema"] for call in indexes.calls}
        assert made == INDEXES
        assert made["namespace"].is_tenant is True
    finally:
        await client.close()


def test_url_mode_filters_carry_namespace_and_expiry() -> None:
    """url mode keeps every namespace in one collection: each query names its namespace and asks for live points."""
    store = QdrantVectorStore(QdrantConfig(url="http://qdrant:6333"))
    where = store._where(NS, Filter(memory_type="semantic"), alive_at=5.0)
    assert where is not None and where.must is not None and where.should is not None
    assert where.must[0] == models.FieldCondition(key="namespace", match=models.MatchValue(value=NS))
    assert models.FieldCondition(key="expires_at", range=models.Range(gt=5.0)) in where.should
    assert store.describe()["layout"] == "one collection, namespace payload field"


@pytest.mark.asyncio
async def test_local_mode_creates_collections_with_options_and_no_filters() -> None:
    """Local mode: the anchor and each namespace collection get the same vector options; payload indexes (which
    local mode ignores) are not made, and an unfiltered query or count reaches qdrant-client with no filter."""
    config = QdrantConfig(location=":memory:", hnsw_m=0, hnsw_payload_m=16, on_disk=True)
    async with QdrantVectorStore(config) as store:
        assert store._client is not None
        creates, indexes = _Spy(store._client.create_collection), _Spy(store._client.create_payload_index)
        queries, counts = _Spy(store._client.query_points), _Spy(store._client.count)
        store._client.create_collection = creates  # type: ignore[method-assign]
        store._client.create_payload_index = indexes  # type: ignore[method-assign]
        store._client.query_points = queries  # type: ignore[method-assign]
        store._client.count = counts  # type: ignore[method-assign]
        await store.ensure_collection(DIM)
        await store.upsert(NS, ["a"], unit(1)[None, :], [payload()])
        assert [call["args"][0] for call in creates.calls] == ["soma", namespace_collection(config, NS)]
        for call in creates.calls:
            vectors, hnsw = call["vectors_config"], call["hnsw_config"]
            assert (vectors.size, vectors.on_disk, hnsw.m) == (DIM, True, 0)
        assert indexes.calls == []
        assert (await store.query(NS, unit(1), k=1))[0].id == "a"
        assert await store.query(NS, unit(1), k=1, filter=Filter(memory_type="semantic")) == []
        assert queries.calls == []  # soma_qdrant.exact answers queries from the collection's arrays
        assert await store.count(NS) == 1
        assert counts.calls[-1]["count_filter"] is None
        assert await store.count(NS, Filter(memory_type="semantic")) == 0
        assert counts.calls[-1]["count_filter"] is not None
        assert store.describe()["layout"] == "collection per namespace"


@pytest.mark.asyncio
async def test_existing_collection_of_another_size_names_both(tmp_path: Path) -> None:
    config = QdrantConfig(path=str(tmp_path), collection="sized")
    async with QdrantVectorStore(config) as store:
        await store.ensure_collection(8)
    async with QdrantVectorStore(config) as store:
        with pytest.raises(DimensionMismatchError, match=r"'sized' holds 8-d vectors, but 16-d"):
            await store.ensure_collection(16)
        await store.ensure_collection(8)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("vectors", "message"),
    [
        (models.VectorParams(size=DIM, distance=models.Distance.DOT), "uses Dot distance; Soma needs Cosine"),
        ({"text": models.VectorParams(size=DIM, distance=models.Distance.COSINE)}, "has named vectors"),
    ],
)
async def test_foreign_collection_is_refused(tmp_path: Path, vectors: Any, message: str) -> None:
    raw = AsyncQdrantClient(path=str(tmp_path))
    await raw.create_collection("theirs", vectors_config=vectors)
    await raw.close()
    async with QdrantVectorStore(QdrantConfig(path=str(tmp_path), collection="theirs")) as store:
        with pytest.raises(ConfigError, match=message):
            await store.ensure_collection(DIM)


@pytest.mark.asyncio
async def test_vectors_before_ensure_collection_are_refused() -> None:
    async with QdrantVectorStore(QdrantConfig(location=":memory:")) as store:
        with pytest.raises(DimensionMismatchError, match="call ensure_collection first"):
            await store.upsert(NS, ["a"], unit(1)[None, :], [payload()])


@pytest.mark.asyncio
async def test_closed_store_raises_unavailable() -> None:
    store = QdrantVectorStore(QdrantConfig(location=":memory:"))
    with pytest.raises(BackendUnavailableError, match="not open"):
        await store.count(NS)
    await store.open()
    await store.ensure_collection(DIM)
    await store.ping()
    await store.close()
    with pytest.raises(BackendUnavailableError, match="qdrant"):
        await store.ping()
