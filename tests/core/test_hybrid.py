"""Hybrid retrieval, ranking knobs and near-duplicate handling through the engine's API."""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest

from soma_core import InvalidInputError, MemoryEngine, Settings, open_engine

pytestmark = pytest.mark.asyncio

FILLER = [
    "We talked about the weather and the weekend plans",
    "The order arrived late but the package was fine",
    "Dinner with the team was at the Italian place",
    "The order for the office chairs was approved",
    "Another order of printer paper went out on Tuesday",
]


async def test_lexical_mode_weights_rare_terms_by_idf(engine: MemoryEngine) -> None:
    await engine.store_many(FILLER * 4, dedupe="allow")
    target = await engine.store("Order ZX4471 is the replacement laptop order")
    results = await engine.search("what happened to order ZX4471", k=3, mode="lexical", explain=True)
    assert results[0].memory.id == target
    assert results[0].explain.dense is None and results[0].explain.lexical > results[1].explain.lexical


async def test_idf_prefers_the_rare_term_over_repeated_common_ones(engine: MemoryEngine) -> None:
    await engine.store_many(FILLER * 4, dedupe="allow")  # "order" is in 12 of 20 memories
    common = await engine.store("order order order shipment update")
    rare = await engine.store("ZX4471 replacement laptop")
    results = await engine.search("order ZX4471", k=2, mode="lexical")
    assert [r.memory.id for r in results] == [rare, common]


async def test_explain_shows_both_signals_and_their_fusion(engine: MemoryEngine) -> None:
    await engine.store("Alice prefers green tea")
    [hit] = await engine.search("green tea", k=1, explain=True, weights={"lexical_weight": 0.4})
    e = hit.explain
    assert e.dense is not None and e.lexical is not None
    assert e.relevance == pytest.approx(0.6 * e.dense + 0.4 * e.lexical)


async def test_lexical_only_candidates_get_their_exact_dense_score(engine: MemoryEngine) -> None:
    """A memory only the lexical list finds is scored on the dense signal from its stored vector, not 0."""
    crowd = [f"order status update number {n} please" for n in range(80)]  # densely closer than the target
    await engine.store_many(crowd, dedupe="allow")
    target_text = "ZX4471 replacement laptop"
    target = await engine.store(target_text)
    query = "order status update please ZX4471"
    results = await engine.search(query, k=10, explain=True, weights={"lexical_weight": 0.9})  # 50 per list
    dense_only = await engine.search(query, k=50, mode="dense")
    assert target not in {r.memory.id for r in dense_only}  # so only the lexical list brought it
    [hit] = [r for r in results if r.memory.id == target]
    q, t = await engine.embedder.embed_many([query, target_text])
    expected = float(q @ t / (np.linalg.norm(q) * np.linalg.norm(t)))
    assert expected > 0.05
    assert hit.explain.dense == pytest.approx(expected, abs=1e-5)


async def test_rrf_fusion_is_selectable(engine: MemoryEngine) -> None:
    await engine.store_many(["green tea", "black coffee", "green smoothie"])
    results = await engine.search("green tea", k=3, explain=True, weights={"fusion": "rrf"})
    assert results[0].memory.content == "green tea"
    assert results[0].explain.relevance == pytest.approx(1.0)  # first on both lists


async def test_dense_mode_ignores_lexical(engine: MemoryEngine) -> None:
    await engine.store("Alice prefers green tea")
    [hit] = await engine.search("green tea", k=1, mode="dense", explain=True)
    assert hit.explain.lexical is None and hit.explain.relevance == pytest.approx(hit.explain.dense)
    with pytest.raises(InvalidInputError, match="mode must be one of"):
        await engine.search("x", mode="sparse")  # type: ignore[arg-type]


async def test_deleted_and_updated_memories_leave_the_lexical_index(engine: MemoryEngine) -> None:
    await engine.store_many(FILLER)
    gone = await engine.store("Licence plate KX-22-PLM belongs to the blue van")
    moved = await engine.store("The spare key is in drawer Q7")
    await engine.delete(gone)
    await engine.update(moved, content="The spare key is now with the neighbour")
    assert all(r.memory.id != gone for r in await engine.search("KX 22 PLM", mode="lexical"))
    hits = await engine.search("drawer Q7", mode="lexical", explain=True)
    assert all(r.memory.id != moved or r.explain.lexical == 0 for r in hits)
    assert (await engine.search("neighbour", k=1, mode="lexical"))[0].memory.id == moved


async def test_document_frequencies_follow_writes_and_reindex(engine: MemoryEngine) -> None:
    ids = await engine.store_many(["red apple", "red car", "blue car"])
    assert (await engine.kv.mget("default", ["f:red", "f:car", "f:blue"])) == [b"2", b"2", b"1"]
    await engine.delete(ids[0])
    assert (await engine.kv.mget("default", ["f:red", "f:apple"])) == [b"1", None]
    await engine.kv.mset("default", {"f:car": b"999"})  # drifted, e.g. by racing writers
    await engine.reindex()
    assert (await engine.kv.mget("default", ["f:car", "f:red"])) == [b"2", b"1"]


async def test_document_frequencies_stay_exact_with_two_writers(settings: Settings) -> None:
    """Two engines on one SQLite file (two server workers, say) storing at once lose no count."""
    first, second = await open_engine(settings), await open_engine(settings)
    try:
        await asyncio.gather(
            *(engine.store(f"note number {n} from {name}", dedupe="allow")
              for n in range(15) for engine, name in ((first, "first"), (second, "second")))
        )
        assert await first.kv.mget("default", ["f:note", "f:first", "f:second"]) == [b"30", b"15", b"15"]
    finally:
        await first.close()
        await second.close()


async def test_usage_boosts_importance(engine: MemoryEngine) -> None:
    used = await engine.store("the gate code is 4512", 0.2)
    for _ in range(3):
        await engine.recall(used)
    [hit] = await engine.search("gate code", k=1, explain=True, weights={"usage_boost": 0.1})
    assert hit.explain.importance == pytest.approx(0.2 + 0.1 * 2.0)  # log2(1 + 3) = 2


async def test_backdated_memories_rank_by_age(engine: MemoryEngine) -> None:
    now = time.time()
    old = await engine.store("Alice lives in Paris", created_at=now - 200 * 86_400)
    new = await engine.store("Alice lives in Berlin", created_at=now - 86_400)
    assert (await engine.get(old)).created_at == pytest.approx(now - 200 * 86_400)
    results = await engine.search("where does Alice live", k=2, weights={"recency": 0.5})
    assert [r.memory.id for r in results] == [new, old]
    with pytest.raises(InvalidInputError, match="created_at must not be in the future"):
        await engine.store("later", created_at=now + 86_400)


async def test_near_duplicates_are_skipped_by_default(engine: MemoryEngine) -> None:
    first = await engine.store("Alice prefers green tea")
    assert await engine.store("Alice prefers green tea") == first
    assert await engine.store("alice prefers green tea!") == first
    batch = await engine.store_many(["Bob plays the cello", "Bob plays the cello"])
    assert batch[0] == batch[1] != first
    assert await engine.count() == 2
    assert await engine.store("Alice prefers green tea", dedupe="allow") != first
    assert await engine.count() == 3


async def test_merge_folds_metadata_and_importance(engine: MemoryEngine) -> None:
    first = await engine.store("Alice prefers green tea", 0.3, metadata={"source": "chat"})
    again = await engine.store("Alice prefers green tea", 0.9, metadata={"confirmed": True}, dedupe="merge")
    record = await engine.get(first)
    assert again == first and record.importance == 0.9
    assert record.metadata == {"source": "chat", "confirmed": True}


async def test_caller_ids_are_never_deduplicated(engine: MemoryEngine) -> None:
    await engine.store("Alice prefers green tea", id="a")
    assert await engine.store("Alice prefers green tea", id="b") == "b"
    assert await engine.count() == 2
