"""Chroma-specific behaviour beyond the standard suite, in both modes (embedded and a real server)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import pytest_asyncio

from soma_chroma import ChromaConfig, ChromaVectorStore
from soma_core.errors import BackendUnavailableError, DimensionMismatchError
from soma_core.filters import Filter
from soma_core.interfaces import normalize

pytestmark = pytest.mark.asyncio
NS = "ns"
DIM = 8
MakeConfig = Callable[..., ChromaConfig]


def unit(seed: int, dim: int = DIM) -> np.ndarray:
    return normalize(np.random.default_rng(seed).standard_normal(dim).astype(np.float32))


def payload(
    memory_type: str = "episodic", created_at: float = 1.0, expires_at: float | None = None, **md: Any
) -> dict[str, Any]:
    return {"memory_type": memory_type, "created_at": created_at, "expires_at": expires_at, "metadata": md}


@pytest_asyncio.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.chroma_server)])
async def make_config(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[MakeConfig]:
    """Configs on one storage (a directory, or the session server) under prefixes unique to this test."""
    made: list[ChromaConfig] = []
    base: dict[str, Any] = {"path": str(tmp_path / "chroma")}
    if request.param == "server":
        server = request.getfixturevalue("chroma_server")
        base = {"host": server.host, "port": server.port}
    default_prefix = f"t{uuid.uuid4().hex[:12]}"

    def make(**options: Any) -> ChromaConfig:
        config = ChromaConfig(**{"collection_prefix": default_prefix, **base, **options})
        made.append(config)
        return config

    yield make
    if request.param == "server":
        for prefix in {config.collection_prefix for config in made}:
            async with ChromaVectorStore(make(collection_prefix=prefix)) as cleaner:
                await cleaner.drop_collection()


@pytest_asyncio.fixture
async def store(make_config: MakeConfig) -> AsyncIterator[ChromaVectorStore]:
    async with ChromaVectorStore(make_config()) as opened:
        await opened.ensure_collection(DIM)
        yield opened


async def test_upsert_replaces_the_whole_payload(store: ChromaVectorStore) -> None:
    """Chroma's upsert merges metadata; the store must clear keys the new payload lacks."""
    await store.upsert(NS, ["a"], unit(1)[None, :], [payload("semantic", expires_at=5.0, user="ann", flag=True)])
    await store.upsert(NS, ["a"], unit(1)[None, :], [payload("episodic", topic="x")])
    assert await store.count(NS, Filter(metadata={"user": "ann"})) == 0
    assert await store.count(NS, Filter(metadata={"flag": True})) == 0
    assert await store.count(NS, Filter(memory_type="semantic")) == 0
    assert await store.count(NS, Filter(memory_type="episodic", metadata={"topic": "x"})) == 1


async def test_numbers_compare_like_soma(store: ChromaVectorStore) -> None:
    """Metadata equality agrees with Filter.matches: ``1`` equals ``1.0``, ``True`` is not ``1``, and a
    fractional float never matches an int (Chroma alone truncates ``1.5`` to ``1`` against ints)."""
    stored: list[Any] = [-2, -1, 0, 1, 2, -1.5, -0.5, 0.5, 1.0, 1.5, 2.0, True, False, 10**15, "1"]
    ids = [f"v{i}" for i in range(len(stored))]
    vectors = np.stack([unit(i) for i in range(len(stored))])
    await store.upsert(NS, ids, vectors, [payload(n=value) for value in stored])
    for wanted in [1, 1.0, 1.5, -1.5, 0.5, -0.5, 0, 2, True, False, 10**15 + 0.5, 1e15, 1.9999, "1"]:
        f = Filter(metadata={"n": wanted})
        expected = {key for key, value in zip(ids, stored, strict=True) if f.matches(payload(n=value))}
        hits = {hit.id for hit in await store.query(NS, unit(0), k=len(ids), filter=f)}
        assert hits == expected, f"filter n == {wanted!r}"
        assert await store.count(NS, f) == len(expected)


async def test_created_at_bounds_take_ints_and_infinities(store: ChromaVectorStore) -> None:
    """created_at is stored as a float, so int stamps and int bounds compare; infinite bounds work."""
    stamps = (10, 20, 30.5)
    vectors = np.stack([unit(i) for i in range(3)])
    await store.upsert(NS, ["a", "b", "c"], vectors, [payload(created_at=t) for t in stamps])

    async def found(f: Filter) -> set[str]:
        return {hit.id for hit in await store.query(NS, unit(0), k=10, filter=f)}

    assert await found(Filter(created_after=10, created_before=30)) == {"a", "b"}
    assert await found(Filter(created_after=20.5)) == {"c"}
    assert await found(Filter(created_after=float("-inf"), created_before=float("inf"))) == {"a", "b", "c"}
    assert await found(Filter(created_before=float("-inf"))) == set()
    assert await found(Filter(created_after=float("nan"))) == set()


async def test_unfilterable_values_are_skipped(store: ChromaVectorStore) -> None:
    """Nested values, None, huge ints and NaN are stored without error and match no filter."""
    odd = payload(nested={"a": 1}, items=[1, 2], nothing=None, huge=2**70, nan=float("nan"), plain="yes")
    await store.upsert(NS, ["o"], unit(3)[None, :], [odd])
    assert await store.count(NS, Filter(metadata={"plain": "yes"})) == 1
    assert await store.count(NS, Filter(metadata={"huge": 2**70})) == 0
    assert await store.count(NS, Filter(metadata={"nan": float("nan")})) == 0
    assert [hit.id for hit in await store.query(NS, unit(3), k=1, filter=Filter(metadata={"huge": 2**70}))] == []


async def test_awkward_namespaces_stay_apart(store: ChromaVectorStore) -> None:
    """Namespaces whose sanitised names collide, or that are long or odd, are still separate collections."""
    names = ["a:b", "a_b", "a/b", "x" * 300, "ünï ñame", ""]
    for i, namespace in enumerate(names):
        n = i + 1
        vectors = np.stack([unit(j) for j in range(n)])
        await store.upsert(namespace, [f"id{j}" for j in range(n)], vectors, [payload()] * n)
    assert [await store.count(namespace) for namespace in names] == [1, 2, 3, 4, 5, 6]


async def test_drop_leaves_other_prefixes_alone(make_config: MakeConfig) -> None:
    """drop_collection removes this prefix's collections only, even when another prefix starts with it."""
    mine_config = make_config()
    theirs_config = make_config(collection_prefix=f"{mine_config.collection_prefix}-ns")
    async with ChromaVectorStore(mine_config) as mine, ChromaVectorStore(theirs_config) as theirs:
        for store in (mine, theirs):
            await store.ensure_collection(DIM)
            await store.upsert(NS, ["k"], unit(1)[None, :], [payload()])
        await mine.drop_collection()
        assert await theirs.count(NS) == 1
        await mine.ensure_collection(DIM * 2)  # a new size after a drop: fine
        assert await mine.count(NS) == 0


async def test_small_batches_are_chunked(make_config: MakeConfig) -> None:
    """With batch_size 4 every call is split into chunks, and results come back whole and in order."""
    async with ChromaVectorStore(make_config(batch_size=4)) as store:
        await store.ensure_collection(DIM)
        ids = [f"c{i}" for i in range(23)]
        await store.upsert(NS, ids, np.stack([unit(i) for i in range(23)]), [payload(n=i) for i in range(23)])
        assert await store.count(NS) == 23
        got = await store.get(NS, [*ids, "absent", ids[0]])
        assert got[23] is None and all(vector is not None for vector in got[:23] + got[24:])
        np.testing.assert_allclose(normalize(np.asarray(got[7])), unit(7), atol=1e-5)
        batch = await store.query_batch(NS, np.stack([unit(i) for i in range(9)]), k=2)
        assert [hits[0].id for hits in batch] == ids[:9]
        await store.delete(NS, ids[:10])
        assert await store.count(NS) == 13


async def test_query_batch_is_one_chroma_call(store: ChromaVectorStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many query rows go to Chroma in one query call (under the batch limit), not one call per row."""
    from chromadb.api.models.Collection import Collection

    await store.upsert(NS, [f"q{i}" for i in range(10)], np.stack([unit(i) for i in range(10)]), [payload()] * 10)
    calls: list[int] = []
    real_query = Collection.query

    def counting_query(self: Collection, *args: Any, **kwargs: Any) -> Any:
        calls.append(len(kwargs["query_embeddings"]))
        return real_query(self, *args, **kwargs)

    monkeypatch.setattr(Collection, "query", counting_query)
    batch = await store.query_batch(NS, np.stack([unit(i) for i in range(6)]), k=1)
    assert [hits[0].id for hits in batch] == [f"q{i}" for i in range(6)]
    assert calls == [6]


async def test_the_size_is_recorded_before_any_data(make_config: MakeConfig) -> None:
    """ensure_collection records the size, so a store of another size is refused even with no vectors yet."""
    config = make_config()
    async with ChromaVectorStore(config) as first:
        await first.ensure_collection(DIM)
    async with ChromaVectorStore(config) as second:
        with pytest.raises(DimensionMismatchError, match=f"hold {DIM}-d vectors, not {DIM * 2}-d"):
            await second.ensure_collection(DIM * 2)
        await second.ensure_collection(DIM)


async def test_vectors_before_ensure_collection_are_refused(make_config: MakeConfig) -> None:
    async with ChromaVectorStore(make_config()) as store:
        with pytest.raises(DimensionMismatchError, match="call ensure_collection first"):
            await store.upsert(NS, ["a"], unit(1)[None, :], [payload()])
        assert await store.count(NS) == 0


@pytest.mark.filterwarnings("ignore:legacy embedding function config:DeprecationWarning")  # chromadb's modify()
async def test_ef_search_is_applied_to_existing_collections(make_config: MakeConfig) -> None:
    async with ChromaVectorStore(make_config(ef_search=50)) as store:
        await store.ensure_collection(DIM)
        await store.upsert(NS, ["a"], unit(1)[None, :], [payload()])
    for _ in range(2):  # the first re-open modifies the collection, the second sees the change
        async with ChromaVectorStore(make_config(ef_search=70)) as store:
            await store.ensure_collection(DIM)
            collection = await store._catalog.get(NS, create=False)
            assert collection is not None and await store.count(NS) == 1
    assert collection.configuration_json["hnsw"]["ef_search"] == 70
    assert collection.configuration_json["hnsw"]["space"] == "cosine"


async def test_ping_and_use_after_close(make_config: MakeConfig) -> None:
    store = ChromaVectorStore(make_config())
    await store.open()
    await store.ping()
    await store.close()
    with pytest.raises(BackendUnavailableError, match="not open"):
        await store.ping()
    with pytest.raises(BackendUnavailableError, match="not open"):
        await store.count(NS)


async def test_unusable_directory_is_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    store = ChromaVectorStore(ChromaConfig(path=str(blocker / "chroma")))
    with pytest.raises(BackendUnavailableError, match=f"'chroma' is unavailable: {blocker / 'chroma'}: cannot open"):
        await store.open()
