"""The memory engine through its public API on the embedded stack."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from soma_core import (
    ConflictError,
    Filter,
    InvalidInputError,
    MemoryEngine,
    MemoryInput,
    NotFoundError,
    Settings,
    open_engine,
)

pytestmark = pytest.mark.asyncio


async def test_store_then_recall_returns_record_and_counts_access(engine: MemoryEngine) -> None:
    memory_id = await engine.store("Alice prefers green tea", 0.8, memory_type="semantic", metadata={"user": "alice"})
    first = await engine.recall(memory_id)
    assert (first.content, first.importance, first.memory_type, first.metadata) == (
        "Alice prefers green tea", 0.8, "semantic", {"user": "alice"}
    )
    assert first.access_count == 1 and first.last_accessed_at is not None
    second = await engine.recall(memory_id)
    assert second.access_count == 2
    assert (await engine.get(memory_id)).access_count == 2  # get does not count


async def test_ids_are_time_sortable(engine: MemoryEngine) -> None:
    ids = [await engine.store(f"memory {i}") for i in range(20)]
    assert ids == sorted(ids) and len(set(ids)) == 20


async def test_search_finds_the_matching_memory_first(engine: MemoryEngine) -> None:
    await engine.store_many(
        ["The quarterly budget review is on Friday", "Alice prefers green tea", "Bob plays the cello"]
    )
    results = await engine.search("what tea does Alice like?", k=2)
    assert results[0].memory.content == "Alice prefers green tea"
    assert len(results) == 2 and results[0].score >= results[1].score


async def test_search_explain_components_add_up(engine: MemoryEngine) -> None:
    await engine.store("Alice prefers green tea", 0.9)
    [result] = await engine.search("green tea", k=1, explain=True)
    e = result.explain
    assert e is not None
    assert result.score == pytest.approx(0.9 * e.relevance + 0.05 * e.importance + 0.05 * e.recency)
    assert e.importance == 0.9 and 0.99 < e.recency <= 1.0


async def test_weights_override_changes_order(engine: MemoryEngine) -> None:
    relevant = await engine.store("green tea with lemon", 0.0)
    important = await engine.store("a completely different topic", 1.0)
    by_relevance = await engine.search("green tea", k=2, weights={"importance": 0.0, "recency": 0.0})
    by_importance = await engine.search("green tea", k=2, weights={"relevance": 0.0, "importance": 1.0, "recency": 0.0})
    assert [r.memory.id for r in by_relevance] == [relevant, important]
    assert [r.memory.id for r in by_importance] == [important, relevant]


async def test_recency_prefers_recently_accessed(engine: MemoryEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    old = await engine.store("note about the garden")
    later = time.time() + 90 * 86_400
    monkeypatch.setattr(time, "time", lambda: later)
    fresh = await engine.store("note about the garden", dedupe="allow")
    results = await engine.search("garden", k=2, weights={"relevance": 0, "importance": 0, "recency": 1}, explain=True)
    assert results[0].memory.id == fresh
    assert results[1].memory.id == old and results[1].explain.recency == pytest.approx(0.5 ** 3, rel=1e-3)


async def test_filters_on_type_metadata_and_time(engine: MemoryEngine) -> None:
    a = await engine.store("tea at home", memory_type="semantic", metadata={"user": "ann"})
    b = await engine.store("tea at work", metadata={"user": "bob"})
    assert [r.memory.id for r in await engine.search("tea", filters={"memory_type": "semantic"})] == [a]
    assert [r.memory.id for r in await engine.search("tea", filters=Filter(metadata={"user": "bob"}))] == [b]
    created = (await engine.get(b)).created_at
    assert await engine.search("tea", filters={"created_after": created + 1}) == []


async def test_namespaces_are_isolated(engine: MemoryEngine) -> None:
    mine = await engine.store("secret plan", namespace="team-a")
    assert await engine.search("secret plan", namespace="team-b") == []
    with pytest.raises(NotFoundError):
        await engine.recall(mine, namespace="team-b")
    with pytest.raises(NotFoundError):
        await engine.delete(mine, namespace="team-b")
    assert (await engine.list(namespace="team-b")).items == []
    assert await engine.count(namespace="team-a") == 1 and await engine.count(namespace="team-b") == 0


async def test_update_reembeds_changed_content(engine: MemoryEngine) -> None:
    memory_id = await engine.store("Alice lives in Paris")
    updated = await engine.update(memory_id, content="Alice moved to Berlin", metadata={"moved": True})
    assert updated.content == "Alice moved to Berlin" and updated.metadata == {"moved": True}
    assert updated.updated_at >= updated.created_at
    [hit] = await engine.search("Berlin", k=1)
    assert hit.memory.id == memory_id and hit.memory.content == "Alice moved to Berlin"
    assert (await engine.search("Berlin", k=1, explain=True))[0].explain.relevance > 0.3


async def test_update_type_is_seen_by_filters(engine: MemoryEngine) -> None:
    memory_id = await engine.store("a fact")
    await engine.update(memory_id, memory_type="semantic", importance=0.1)
    assert [r.memory.id for r in await engine.search("fact", filters={"memory_type": "semantic"})] == [memory_id]
    assert (await engine.get(memory_id)).importance == 0.1


async def test_delete_and_delete_many(engine: MemoryEngine) -> None:
    ids = await engine.store_many(["one", "two", "three"])
    await engine.delete(ids[0])
    with pytest.raises(NotFoundError):
        await engine.recall(ids[0])
    with pytest.raises(NotFoundError):
        await engine.delete(ids[0])
    assert await engine.delete_many([ids[1], ids[2], "missing"]) == 2
    assert await engine.count() == 0 and await engine.search("one") == []


async def test_list_pages_with_cursor_and_type(engine: MemoryEngine) -> None:
    ids = await engine.store_many(
        [MemoryInput(f"m{i}", memory_type="semantic" if i % 3 == 0 else "episodic") for i in range(10)]
    )
    seen, cursor = [], None
    while True:
        page = await engine.list(limit=3, cursor=cursor)
        seen += [r.id for r in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == ids
    semantic = await engine.list(limit=10, memory_type="semantic")
    assert [r.id for r in semantic.items] == [ids[0], ids[3], ids[6], ids[9]]


async def test_ttl_expires_memories(engine: MemoryEngine) -> None:
    short = await engine.store("fleeting", ttl=0.5)
    keep = await engine.store("lasting")
    assert (await engine.get(short)).expires_at is not None
    await asyncio.sleep(0.8)
    with pytest.raises(NotFoundError):
        await engine.recall(short)
    assert [r.memory.id for r in await engine.search("fleeting lasting", k=5)] == [keep]
    assert [r.id for r in (await engine.list()).items] == [keep]


async def test_client_ids_make_store_idempotent(engine: MemoryEngine) -> None:
    assert await engine.store("same", id="fact-1") == "fact-1"
    assert await engine.store("same", id="fact-1") == "fact-1"
    assert await engine.count() == 1
    with pytest.raises(ConflictError):
        await engine.store("different", id="fact-1")
    with pytest.raises(InvalidInputError):
        await engine.store_many([{"content": "a", "id": "x"}, {"content": "b", "id": "x"}])


async def test_store_many_mixes_new_and_existing_ids(engine: MemoryEngine) -> None:
    await engine.store("known", id="k1")
    ids = await engine.store_many([{"content": "fresh"}, {"content": "known", "id": "k1"}, {"content": "also"}])
    assert ids[1] == "k1" and len(set(ids)) == 3
    assert await engine.count() == 3


async def test_importance_from_scorer_and_kept_when_given(engine: MemoryEngine) -> None:
    plain = await engine.store("ok")
    rich = await engine.store("Remember: Alice's birthday is on 12 March, I prefer to call her in the morning")
    given = await engine.store("Remember: Alice's birthday is on 12 March", 0.05)
    assert (await engine.get(rich)).importance > (await engine.get(plain)).importance
    assert (await engine.get(given)).importance == 0.05


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"content": ""}, "content"),
        ({"content": "x", "importance": 1.5}, "importance"),
        ({"content": "x", "memory_type": "procedural"}, "memory_type"),
        ({"content": "x", "metadata": {"a": {1, 2}}}, "metadata"),
        ({"content": "x", "ttl": -1}, "ttl"),
        ({"content": "x", "id": "has space"}, "id"),
        ({"content": "x", "namespace": "bad/ns"}, "namespace"),
    ],
)
async def test_invalid_input_names_the_field(engine: MemoryEngine, kwargs: dict, field: str) -> None:
    content = kwargs.pop("content")
    with pytest.raises(InvalidInputError) as info:
        await engine.store(content, **kwargs)
    assert info.value.field == field and field in str(info.value)
    assert await engine.count() == 0


async def test_bad_search_arguments(engine: MemoryEngine) -> None:
    with pytest.raises(InvalidInputError, match="k must be"):
        await engine.search("x", k=0)
    with pytest.raises(InvalidInputError, match="weights: foo: unknown option"):
        await engine.search("x", weights={"foo": 1})
    with pytest.raises(InvalidInputError, match="unknown filter"):
        await engine.search("x", filters={"colour": "red"})


async def test_stats(engine: MemoryEngine) -> None:
    await engine.store_many([{"content": "a"}, {"content": "b", "memory_type": "semantic"}])
    stats = await engine.stats()
    assert stats["count"] == 2 and stats["by_type"] == {"episodic": 1, "semantic": 1}
    assert stats["pending_repair"] == 0 and stats["dim"] == 384


async def test_data_survives_restart(settings: Settings) -> None:
    engine = await open_engine(settings)
    ids = await engine.store_many([f"memory number {i} about topic {i % 7}" for i in range(300)])
    await engine.store("the spare key is under the blue flowerpot", namespace="home")
    await engine.close()
    engine = await open_engine(settings)
    try:
        assert await engine.count() == 300
        assert (await engine.recall(ids[42])).content == "memory number 42 about topic 0"
        [hit] = await engine.search("where is the spare key", k=1, namespace="home")
        assert "flowerpot" in hit.memory.content
    finally:
        await engine.close()


async def test_sync_facade(tmp_path: Path) -> None:
    from soma_core import SyncMemory

    from ..conftest import embedded_settings

    memory = await asyncio.to_thread(SyncMemory, embedded_settings(tmp_path))
    try:
        memory_id = await asyncio.to_thread(memory.store, "sync works")
        record = await asyncio.to_thread(memory.recall, memory_id)
        assert record.content == "sync works" and record.access_count == 1
    finally:
        await asyncio.to_thread(memory.close)
