"""Conformance suite for :class:`~soma_core.interfaces.VectorStore` backends."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest

from ..errors import DimensionMismatchError
from ..filters import Filter
from ..interfaces import VectorStore, normalize
from ._suite import StandardSuite, reopened, require

NS = "suite-ns"
OTHER = "suite-other"
DIM = 16


def unit(seed: int, dim: int = DIM) -> np.ndarray:
    """A reproducible random unit vector."""
    return normalize(np.random.default_rng(seed).standard_normal(dim).astype(np.float32))


def payload(memory_type: str = "episodic", created_at: float = 1_000.0, **metadata: Any) -> dict[str, Any]:
    return {"memory_type": memory_type, "created_at": created_at, "expires_at": None, "metadata": metadata}


class VectorStoreSuite(StandardSuite):
    """Subclass and provide ``backend``: an opened :class:`VectorStore` with no data.

    Each test calls ``ensure_collection(DIM)`` itself (DIM = 16).
    """

    async def _ready(self, store: VectorStore) -> VectorStore:
        await store.ensure_collection(DIM)
        return store

    async def _fill(self, store: VectorStore, n: int, namespace: str = NS) -> list[str]:
        ids = [f"id-{i:04d}" for i in range(n)]
        vectors = np.stack([unit(i) for i in range(n)])
        await store.upsert(namespace, ids, vectors, [payload(created_at=1000.0 + i) for i in range(n)])
        return ids

    async def test_query_finds_exact_vector_first(self, backend: VectorStore) -> None:
        """Querying with a stored vector returns that id first with cosine ~1, best first.

        Troubleshooting: use cosine distance and convert distance to similarity (1 - d).
        """
        store = await self._ready(backend)
        ids = await self._fill(store, 50)
        hits = await store.query(NS, unit(7), k=5)
        assert hits[0].id == ids[7]
        assert hits[0].score == pytest.approx(1.0, abs=1e-3)
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        expected = float(unit(7) @ unit(int(hits[1].id[3:])))
        assert hits[1].score == pytest.approx(expected, abs=1e-3)

    async def test_query_returns_k_or_fewer(self, backend: VectorStore) -> None:
        """k larger than the collection returns everything; an empty namespace returns [].

        Troubleshooting: clamp k; do not error when the namespace or collection has no points.
        """
        store = await self._ready(backend)
        assert await store.query(NS, unit(1), k=10) == []
        await self._fill(store, 3)
        assert len(await store.query(NS, unit(1), k=10)) == 3
        assert len(await store.query(NS, unit(1), k=2)) == 2

    async def test_get_returns_vectors_in_order(self, backend: VectorStore) -> None:
        """get returns each stored vector (up to normalisation) in order, None when absent.

        Troubleshooting: ask the backend to return vectors with points; map back by id.
        """
        store = await self._ready(backend)
        ids = await self._fill(store, 5)
        got = await store.get(NS, [ids[3], "absent", ids[0]])
        assert got[1] is None
        np.testing.assert_allclose(normalize(np.asarray(got[0], dtype=np.float32)), unit(3), atol=1e-5)
        np.testing.assert_allclose(normalize(np.asarray(got[2], dtype=np.float32)), unit(0), atol=1e-5)

    async def test_upsert_replaces_vector_and_payload(self, backend: VectorStore) -> None:
        """Upserting an existing id replaces its vector and payload; count is unchanged.

        Troubleshooting: use the memory id as the point id (or a stable hash of it), not a new one.
        """
        store = await self._ready(backend)
        await store.upsert(NS, ["a"], unit(1)[None, :], [payload("episodic")])
        await store.upsert(NS, ["a"], unit(2)[None, :], [payload("semantic")])
        assert await store.count(NS) == 1
        hits = await store.query(NS, unit(2), k=1)
        assert hits[0].id == "a" and hits[0].score == pytest.approx(1.0, abs=1e-3)
        if store.capabilities.filters:
            assert await store.count(NS, Filter(memory_type="semantic")) == 1

    async def test_delete_removes_and_ignores_missing(self, backend: VectorStore) -> None:
        """Deleted ids leave queries and counts; deleting absent ids is not an error.

        Troubleshooting: delete by id filter within the namespace; swallow not-found.
        """
        store = await self._ready(backend)
        ids = await self._fill(store, 10)
        await store.delete(NS, [ids[0], ids[1], "never-existed"])
        await store.delete(NS, [])
        assert await store.count(NS) == 8
        assert ids[0] not in [h.id for h in await store.query(NS, unit(0), k=10)]
        assert await store.get(NS, [ids[0]]) == [None]

    async def test_namespaces_are_isolated(self, backend: VectorStore) -> None:
        """Vectors in one namespace never appear in another's queries, gets, counts or deletes.

        Troubleshooting: filter every operation by namespace (payload index or collection per namespace).
        """
        store = await self._ready(backend)
        await self._fill(store, 5, NS)
        await store.upsert(OTHER, ["id-0000"], unit(99)[None, :], [payload()])
        assert await store.count(OTHER) == 1
        assert [h.id for h in await store.query(OTHER, unit(1), k=10)] == ["id-0000"]
        await store.delete(OTHER, ["id-0000"])
        assert await store.count(NS) == 5
        assert (await store.query(NS, unit(0), k=1))[0].id == "id-0000"

    async def test_filters_memory_type_metadata_and_time(self, backend: VectorStore) -> None:
        """Filters on memory_type, metadata equality and created_at range select exactly the matches.

        Troubleshooting: index the payload fields; created_after is inclusive, created_before exclusive;
        metadata ``True`` must not match ``1``.
        """
        require(backend, "filters")
        store = await self._ready(backend)
        ids = [f"f{i}" for i in range(12)]
        payloads = [
            payload("semantic" if i % 2 else "episodic", 100.0 + i, user="ann" if i < 6 else "bob", n=i % 3, flag=i % 4 == 0)
            for i in range(12)
        ]
        await store.upsert(NS, ids, np.stack([unit(i) for i in range(12)]), payloads)

        async def found(f: Filter) -> set[str]:
            return {h.id for h in await store.query(NS, unit(0), k=12, filter=f)}

        assert await found(Filter(memory_type="semantic")) == {f"f{i}" for i in range(1, 12, 2)}
        assert await found(Filter(metadata={"user": "bob"})) == {f"f{i}" for i in range(6, 12)}
        assert await found(Filter(metadata={"user": "ann", "n": 0})) == {"f0", "f3"}
        assert await found(Filter(metadata={"flag": True})) == {"f0", "f4", "f8"}
        assert await found(Filter(metadata={"n": True})) == set()
        assert await found(Filter(metadata={"missing": "x"})) == set()
        assert await found(Filter(created_after=104.0, created_before=107.0)) == {"f4", "f5", "f6"}
        assert await found(Filter(memory_type="episodic", created_after=106.0, metadata={"user": "bob"})) == {
            "f6", "f8", "f10"
        }
        assert await store.count(NS, Filter(metadata={"user": "ann"})) == 6

    async def test_filtered_query_still_fills_k(self, backend: VectorStore) -> None:
        """A filtered query returns k matches even when nearer vectors do not match.

        Troubleshooting: apply the filter inside the search, not after taking the top k.
        """
        require(backend, "filters")
        store = await self._ready(backend)
        n = 200
        await store.upsert(
            NS,
            [f"v{i}" for i in range(n)],
            np.stack([unit(i) for i in range(n)]),
            [payload("semantic" if i % 50 == 0 else "episodic") for i in range(n)],
        )
        hits = await store.query(NS, unit(1), k=4, filter=Filter(memory_type="semantic"))
        assert sorted(h.id for h in hits) == ["v0", "v100", "v150", "v50"]

    async def test_wrong_dimension_is_refused(self, backend: VectorStore) -> None:
        """Upserting or querying with the wrong width raises DimensionMismatchError and writes nothing.

        Troubleshooting: compare the width with the collection's before calling the backend.
        """
        store = await self._ready(backend)
        with pytest.raises(DimensionMismatchError):
            await store.upsert(NS, ["w"], np.ones((1, DIM + 1), dtype=np.float32), [payload()])
        assert await store.count(NS) == 0
        with pytest.raises(DimensionMismatchError):
            await store.query(NS, np.ones(DIM - 1, dtype=np.float32), k=1)

    async def test_ensure_collection_refuses_other_dimension(self, backend: VectorStore) -> None:
        """ensure_collection with another size, once vectors exist, raises DimensionMismatchError.

        Troubleshooting: read the existing collection's configured size and compare; never recreate silently.
        """
        store = await self._ready(backend)
        await self._fill(store, 2)
        await store.ensure_collection(DIM)  # same size: fine, idempotent
        with pytest.raises(DimensionMismatchError):
            await store.ensure_collection(DIM * 2)

    async def test_drop_collection_empties_everything(self, backend: VectorStore) -> None:
        """After drop_collection and ensure_collection (any size), every namespace is empty.

        Troubleshooting: drop all namespaces' data, not only the default one.
        """
        store = await self._ready(backend)
        await self._fill(store, 3, NS)
        await self._fill(store, 3, OTHER)
        await store.drop_collection()
        await store.ensure_collection(DIM * 2)
        assert await store.count(NS) == 0 and await store.count(OTHER) == 0
        await store.upsert(NS, ["x"], unit(1, DIM * 2)[None, :], [payload()])
        assert (await store.query(NS, unit(1, DIM * 2), k=1))[0].id == "x"

    async def test_query_batch_matches_query(self, backend: VectorStore) -> None:
        """query_batch gives, row by row, what query gives.

        Troubleshooting: keep one result list per input row, in order.
        """
        store = await self._ready(backend)
        await self._fill(store, 30)
        queries = np.stack([unit(100 + i) for i in range(4)])
        batch = await store.query_batch(NS, queries, k=3)
        singles = [await store.query(NS, q, k=3) for q in queries]
        assert [[h.id for h in hits] for hits in batch] == [[h.id for h in hits] for hits in singles]

    async def test_large_batch_upsert(self, backend: VectorStore) -> None:
        """A batch of 2,000 vectors lands whole.

        Troubleshooting: chunk inside the backend if its API limits batch size.
        """
        store = await self._ready(backend)
        await self._fill(store, 2000)
        assert await store.count(NS) == 2000
        assert (await store.query(NS, unit(1234), k=1))[0].id == "id-1234"

    async def test_concurrent_upserts(self, backend: VectorStore) -> None:
        """Concurrent overlapping upserts all land; each id is stored once.

        Troubleshooting: make upsert idempotent by id; guard shared client state.
        """
        store = await self._ready(backend)

        async def writer(start: int) -> None:
            ids = [f"c{i}" for i in range(start, start + 20)]
            await store.upsert(NS, ids, np.stack([unit(i) for i in range(start, start + 20)]), [payload()] * 20)

        await asyncio.gather(*(writer(s) for s in range(0, 100, 10)))
        assert await store.count(NS) == 110

    async def test_data_survives_reopen(self, backend: VectorStore) -> None:
        """With ``persistent``, vectors and payloads are there after a new instance opens.

        Troubleshooting: flush/persist on close; point the fixture's config at the same storage.
        """
        require(backend, "persistent")
        store = await self._ready(backend)
        await self._fill(store, 5)
        fresh = await reopened(store)
        try:
            await fresh.ensure_collection(DIM)
            assert await fresh.count(NS) == 5
            assert (await fresh.query(NS, unit(2), k=1))[0].id == "id-0002"
        finally:
            await fresh.close()

    async def test_close_is_idempotent(self, backend: VectorStore) -> None:
        """close() may be called twice.

        Troubleshooting: set the client to None before closing it, and check first.
        """
        await backend.close()
        await backend.close()
