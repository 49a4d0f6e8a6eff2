"""SomaClient and AsyncSomaClient against the app in-process: every operation, typed results, mapped errors."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import pytest_asyncio
from litestar import Litestar
from litestar.testing import AsyncTestClient, TestClient

from soma_client import (
    ApiError,
    AsyncSomaClient,
    AuthError,
    BackendUnavailableError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    SomaClient,
)
from soma_core import Components, Filter, MemoryInput, MemoryRecord, Page, SearchResult


@pytest.fixture
def http(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app=app) as test_client:
        yield test_client


@pytest.fixture
def soma(http: TestClient[Litestar], tokens: dict[str, str]) -> SomaClient:
    return SomaClient(token=tokens["root"], http=http)


@pytest_asyncio.fixture
async def asoma(app: Litestar, tokens: dict[str, str]) -> AsyncIterator[AsyncSomaClient]:
    async with AsyncTestClient(app=app) as test_client:
        yield AsyncSomaClient(token=tokens["root"], http=test_client)


def test_store_recall_update_delete(soma: SomaClient) -> None:
    before = time.time()
    memory_id = soma.store("Alice prefers tea", 0.8, memory_type="semantic", metadata={"who": "alice"}, ttl=3600)
    record = soma.recall(memory_id)
    assert isinstance(record, MemoryRecord)
    assert (record.id, record.content, record.importance, record.memory_type) == (
        memory_id,
        "Alice prefers tea",
        0.8,
        "semantic",
    )
    assert record.metadata == {"who": "alice"} and record.namespace == "default"
    assert before - 1 <= record.created_at <= time.time() and record.access_count == 1
    assert record.last_accessed_at is not None and record.expires_at == pytest.approx(record.created_at + 3600, abs=1)
    updated = soma.update(memory_id, content="Alice prefers green tea", metadata={})
    assert (updated.content, updated.metadata, updated.importance) == ("Alice prefers green tea", {}, 0.8)
    soma.delete(memory_id)
    with pytest.raises(NotFoundError) as info:
        soma.recall(memory_id)
    assert info.value.memory_id == memory_id
    with pytest.raises(NotFoundError):
        soma.delete(memory_id)
    with pytest.raises(NotFoundError):
        soma.update(memory_id, content="x")


def test_idempotent_store_and_conflict(soma: SomaClient) -> None:
    assert soma.store("same", id="fixed") == soma.store("same", id="fixed") == "fixed"
    with pytest.raises(ConflictError, match="fixed"):
        soma.store("different", id="fixed")


def test_store_many_list_and_stats(soma: SomaClient) -> None:
    items: list[Any] = [MemoryInput(f"note {i}", importance=0.5) for i in range(4)]
    items.append({"content": "expiring", "ttl": 60, "memory_type": "semantic"})
    ids = soma.store_many(items)
    assert len(ids) == 5
    first = soma.list(limit=3)
    assert isinstance(first, Page) and len(first.items) == 3 and first.next_cursor is not None
    rest = soma.list(limit=3, cursor=first.next_cursor)
    assert rest.next_cursor is None
    assert sorted(r.id for r in first.items + rest.items) == sorted(ids)
    assert [r.content for r in soma.list(memory_type="semantic").items] == ["expiring"]
    stats = soma.stats()
    assert stats["count"] == 5 and stats["by_type"] == {"episodic": 4, "semantic": 1}


def test_search_returns_search_results(soma: SomaClient) -> None:
    soma.store("Bob drinks black coffee", 0.3, metadata={"who": "bob"})
    soma.store("Carol likes green tea", 0.9, metadata={"who": "carol"})
    results = soma.search("green tea", k=1, explain=True)
    assert len(results) == 1 and isinstance(results[0], SearchResult)
    assert results[0].memory.content == "Carol likes green tea"
    assert isinstance(results[0].explain, Components) and results[0].explain.score == pytest.approx(results[0].score)
    assert soma.search("coffee")[0].explain is None
    bob_only = soma.search("drinks", filters={"metadata": {"who": "bob"}})
    assert [r.memory.metadata["who"] for r in bob_only] == ["bob"]
    assert soma.search("tea", filters=Filter(created_after=time.time() + 3600)) == []
    assert soma.search("tea", filters=Filter(created_before=time.time() + 3600))
    ranked = soma.search("anything", weights={"relevance": 0, "recency": 0, "importance": 1})
    assert ranked[0].memory.importance == 0.9


def test_backdating_dedupe_and_search_modes(soma: SomaClient) -> None:
    then = 1_600_000_000.5
    memory_id = soma.store("imported from the old wiki", created_at=then, dedupe="allow")
    assert soma.recall(memory_id).created_at == pytest.approx(then)
    assert soma.store("imported from the old wiki", dedupe="skip") == memory_id
    assert soma.store_many(["imported from the old wiki"], dedupe="allow") != [memory_id]
    lexical = soma.search("wiki", mode="lexical", explain=True)
    assert lexical[0].explain is not None and lexical[0].explain.dense is None and lexical[0].explain.lexical
    assert soma.search("wiki", filters=Filter(created_before=then + 1), mode="dense")[0].memory.id == memory_id


def test_input_errors_are_invalid_input(soma: SomaClient) -> None:
    with pytest.raises(InvalidInputError) as info:
        soma.store("x", importance=2.0)
    assert info.value.field == "importance"
    with pytest.raises(InvalidInputError) as info:
        soma.store_many([{"content": "ok"}, {"content": " "}])
    assert info.value.field == "items[1].content"
    with pytest.raises(InvalidInputError):
        soma.search("x", k=0)
    with pytest.raises(InvalidInputError) as info:
        soma.stats(namespace="bad namespace")
    assert info.value.field == "namespace"


def test_namespaces_and_auth_errors(http: TestClient[Litestar], tokens: dict[str, str]) -> None:
    team = SomaClient(token=tokens["team"], namespace="team", http=http)
    memory_id = team.store("team secret")
    assert team.recall(memory_id).namespace == "team"
    with pytest.raises(AuthError) as info:
        team.stats(namespace="default")
    assert info.value.status == 403 and "default" in str(info.value)
    root = SomaClient(token=tokens["root"], http=http)
    with pytest.raises(NotFoundError):
        root.recall(memory_id)  # default namespace
    assert root.recall(memory_id, namespace="team").content == "team secret"
    anonymous = SomaClient(http=http)
    with pytest.raises(AuthError) as info:
        anonymous.stats()
    assert info.value.status == 401 and info.value.problem["field"] == "Authorization"
    assert anonymous.health() == {"status": "ok"}


def test_backend_unavailable_and_unreachable_server(soma: SomaClient, app: Litestar) -> None:
    async def down(*args: Any, **kwargs: Any) -> Any:
        raise BackendUnavailableError("sqlite", "disk unplugged")

    app.state.engine.kv.mget = down
    with pytest.raises(BackendUnavailableError) as info:
        soma.recall("anything")
    assert info.value.backend == "sqlite" and "disk unplugged" in str(info.value)
    with (
        SomaClient("http://127.0.0.1:9", timeout=2) as nowhere,
        pytest.raises(BackendUnavailableError, match="cannot reach"),
    ):
        nowhere.health()


def test_other_statuses_are_api_errors(http: TestClient[Litestar], tokens: dict[str, str]) -> None:
    from soma_client import _core

    soma = SomaClient(token=tokens["root"], http=http)
    with pytest.raises(ApiError) as info:
        soma._send(_core.get_json("/v1/nothing"))  # 404 on a route, not a memory
    assert info.value.status == 404 and not isinstance(info.value, NotFoundError)


def test_ready_and_stack(soma: SomaClient) -> None:
    assert soma.ready()["status"] == "ok"
    assert soma.stack()["kv"]["backend"] == "sqlite"


@pytest.mark.asyncio
async def test_async_client_covers_the_same_operations(asoma: AsyncSomaClient) -> None:
    memory_id = await asoma.store("async memory about tea", 0.7, metadata={"k": 1})
    assert (await asoma.recall(memory_id)).access_count == 1
    ids = await asoma.store_many([{"content": "second"}, MemoryInput("third", ttl=60)])
    assert len(ids) == 2
    assert (await asoma.update(memory_id, importance=0.1)).importance == 0.1
    results = await asoma.search("tea", explain=True)
    assert results[0].memory.id == memory_id and results[0].explain is not None
    page = await asoma.list(limit=2)
    assert len(page.items) == 2 and page.next_cursor
    assert (await asoma.stats())["count"] == 3
    assert (await asoma.health())["status"] == "ok"
    await asoma.delete(memory_id)
    with pytest.raises(NotFoundError):
        await asoma.recall(memory_id)
    with pytest.raises(ConflictError):
        await asoma.store("other", id=ids[0])
    with pytest.raises(InvalidInputError):
        await asoma.store("")
    with pytest.raises(AuthError):
        await AsyncSomaClient(token="wrong-token-0123456789", http=asoma._http).stats()
    assert (await asoma.stats())["count"] == 2  # the shared httpx client kept no token
