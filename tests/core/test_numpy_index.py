"""The numpy index under load: searches in a worker thread while the loop writes."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from soma_core.builtins.numpy_vectors import THREAD_THRESHOLD, NumpyVectorStore
from soma_core.interfaces import normalize

pytestmark = pytest.mark.asyncio
PAYLOAD = {"memory_type": "episodic", "created_at": 0.0, "expires_at": None, "metadata": {}}


async def test_threaded_searches_race_safely_with_writes() -> None:
    store = NumpyVectorStore()
    await store.ensure_collection(32)
    n = THREAD_THRESHOLD + 5_000
    rng = np.random.default_rng(1)
    vectors = normalize(rng.standard_normal((n, 32)).astype(np.float32))
    ids = [f"v{i}" for i in range(n)]
    await store.upsert("ns", ids, vectors, [PAYLOAD] * n)

    async def search(i: int) -> None:
        hits = await store.query("ns", vectors[i], k=5)
        assert len(hits) == 5 and len({h.id for h in hits}) == 5

    async def churn(i: int) -> None:
        await store.delete("ns", [f"v{n - 1 - i}"])
        await store.upsert("ns", [f"new{i}"], vectors[i : i + 1], [PAYLOAD])

    await asyncio.gather(*(search(i) for i in range(40)), *(churn(i) for i in range(40)))
    assert await store.count("ns") == n
    [best] = await store.query("ns", vectors[7], k=1)
    assert best.id in {"v7", "new7"} and best.score == pytest.approx(1.0, abs=1e-5)
