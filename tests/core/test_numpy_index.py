"""The numpy index: exact results in both layouts (dense matrix, sparse postings), and under load."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from soma_core.builtins.numpy_vectors import THREAD_THRESHOLD, NumpyVectorStore
from soma_core.filters import Filter
from soma_core.interfaces import normalize

pytestmark = pytest.mark.asyncio
PAYLOAD = {"memory_type": "episodic", "created_at": 0.0, "expires_at": None, "metadata": {}}


async def test_threaded_searches_race_safely_with_writes() -> None:
    """Batches of queries large enough for the worker thread, while the loop deletes and inserts."""
    dim, n = 32, 20_000
    batch = THREAD_THRESHOLD // (n * dim) + 1
    store = NumpyVectorStore()
    await store.ensure_collection(dim)
    rng = np.random.default_rng(1)
    vectors = normalize(rng.standard_normal((n, dim)).astype(np.float32))
    ids = [f"v{i}" for i in range(n)]
    await store.upsert("ns", ids, vectors, [PAYLOAD] * n)

    async def search(i: int) -> None:
        results = await store.query_batch("ns", vectors[i : i + batch], k=5)
        assert len(results) == batch
        assert all(len(hits) == 5 and len({h.id for h in hits}) == 5 for hits in results)

    async def churn(i: int) -> None:
        await store.delete("ns", [f"v{n - 1 - i}"])
        await store.upsert("ns", [f"new{i}"], vectors[i : i + 1], [PAYLOAD])

    await asyncio.gather(*(search(i) for i in range(8)), *(churn(i) for i in range(40)))
    assert await store.count("ns") == n
    [best] = await store.query("ns", vectors[7], k=1)
    assert best.id in {"v7", "new7"} and best.score == pytest.approx(1.0, abs=1e-5)


def _sparse_vectors(rng: np.random.Generator, n: int, dim: int, nonzero: int) -> np.ndarray:
    """Rows with ``nonzero`` non-zero dimensions each, like Soma's lexical term vectors."""
    out = np.zeros((n, dim), dtype=np.float32)
    for row in range(n):
        columns = rng.choice(dim, size=nonzero, replace=False)
        out[row, columns] = rng.standard_normal(nonzero)
    return out


async def _assert_exact(store: NumpyVectorStore, reference: dict[str, np.ndarray], queries: np.ndarray, k: int) -> None:
    """Every query's hits carry the exact cosine of their stored vector and are the k best scores."""
    ids = list(reference)
    matrix = normalize(np.stack([reference[i] for i in ids]))
    for query in queries:
        exact = matrix @ normalize(query[None, :])[0]
        hits = await store.query("ns", query, k=k)
        assert len(hits) == min(k, len(ids))
        by_id = dict(zip(ids, exact.tolist(), strict=True))
        for hit in hits:
            assert hit.score == pytest.approx(by_id[hit.id], abs=1e-5)
        assert [h.score for h in hits] == pytest.approx(sorted(exact.tolist(), reverse=True)[:k], abs=1e-5)


@pytest.mark.parametrize("seed", [3, 4])
async def test_sparse_vectors_search_exactly_through_churn(seed: int) -> None:
    """Sparse rows (posting lists) answer like an exact dense search through inserts, rewrites and deletes."""
    dim, rng = 96, np.random.default_rng(seed)
    store = NumpyVectorStore()
    await store.ensure_collection(dim)
    reference: dict[str, np.ndarray] = {}
    serial = 0
    for step in range(40):
        fresh = _sparse_vectors(rng, 60, dim, nonzero=int(rng.integers(1, dim // 8 + 1)))
        new_ids = [f"m{serial + i}" for i in range(len(fresh))]
        serial += len(fresh)
        rewrites = list(rng.choice(list(reference), size=min(20, len(reference)), replace=False)) if reference else []
        rewritten = _sparse_vectors(rng, len(rewrites), dim, nonzero=5)
        ids, vectors = new_ids + rewrites, np.concatenate([fresh, rewritten])
        await store.upsert("ns", ids, vectors, [PAYLOAD] * len(ids))
        reference.update(zip(ids, vectors, strict=True))
        doomed = list(rng.choice(list(reference), size=45, replace=False))
        await store.delete("ns", doomed + ["never-stored"])
        for key in doomed:
            del reference[key]
        if step % 8 == 7:
            await _assert_exact(store, reference, _sparse_vectors(rng, 5, dim, nonzero=4), k=10)
    assert await store.count("ns") == len(reference)
    sample = list(reference)[:50]
    for key, vector in zip(sample, await store.get("ns", sample), strict=True):
        assert vector is not None
        np.testing.assert_allclose(vector, normalize(reference[key][None, :])[0], atol=1e-6)
    assert (await store.get("ns", ["m0"]))[0] is None  # deleted early on


async def test_layout_switches_keep_every_vector() -> None:
    """Sparse rows joined by many dense ones, then outnumbered by sparse ones again: nothing is lost or changed."""
    dim, rng = 64, np.random.default_rng(5)
    store = NumpyVectorStore()
    await store.ensure_collection(dim)
    sparse = _sparse_vectors(rng, 300, dim, nonzero=3)
    dense = rng.standard_normal((150, dim)).astype(np.float32)
    more = _sparse_vectors(rng, 3000, dim, nonzero=2)
    reference = {f"s{i}": v for i, v in enumerate(sparse)}
    await store.upsert("ns", list(reference), sparse, [PAYLOAD] * 300)
    await store.delete("ns", ["s0", "s1"])
    del reference["s0"], reference["s1"]
    dense_ids = [f"d{i}" for i in range(150)]
    await store.upsert("ns", dense_ids, dense, [PAYLOAD] * 150)  # over a quarter non-zero now: dense layout
    reference |= dict(zip(dense_ids, dense, strict=True))
    await _assert_exact(store, reference, np.concatenate([dense[:3], sparse[5:8]]), k=20)
    await store.delete("ns", dense_ids[:100])
    for key in dense_ids[:100]:
        del reference[key]
    more_ids = [f"x{i}" for i in range(3000)]
    await store.upsert("ns", more_ids, more, [PAYLOAD] * 3000)  # under an eighth again: sparse layout
    reference |= dict(zip(more_ids, more, strict=True))
    assert await store.count("ns") == len(reference)
    await _assert_exact(store, reference, np.concatenate([dense[120:123], more[:3], sparse[9:10]]), k=20)
    kept = ["s2", "d140", "x7"]
    for key, vector in zip(kept, await store.get("ns", kept), strict=True):
        np.testing.assert_allclose(vector, normalize(reference[key][None, :])[0], atol=1e-6)


async def test_sparse_queries_filter_like_dense_ones() -> None:
    """Filters and expiry apply to sparse rows exactly as to dense ones."""
    dim = 32
    store = NumpyVectorStore()
    await store.ensure_collection(dim)
    vectors = np.zeros((4, dim), dtype=np.float32)
    vectors[:, 0] = [1.0, 0.9, 0.8, 0.7]
    payloads = [
        {**PAYLOAD, "memory_type": "semantic"},
        {**PAYLOAD, "expires_at": 1.0},  # long expired
        PAYLOAD,
        {**PAYLOAD, "memory_type": "semantic"},
    ]
    await store.upsert("ns", ["a", "b", "c", "d"], vectors, payloads)
    query = np.zeros(dim, dtype=np.float32)
    query[0] = 1.0
    assert [h.id for h in await store.query("ns", query, k=4)] == ["a", "c", "d"]
    semantic = Filter(memory_type="semantic")
    assert [h.id for h in await store.query("ns", query, k=4, filter=semantic)] == ["a", "d"]
