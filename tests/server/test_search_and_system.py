"""POST /v1/search, and the operations routes: /health, /ready, /metrics, /v1/stats, /v1/stack, /schema."""

from __future__ import annotations

from typing import Any

import pytest
import pytest_asyncio


@pytest_asyncio.fixture
async def seeded(client: Any) -> Any:
    items = [
        {"content": "Alice prefers green tea in the morning", "importance": 0.9, "metadata": {"who": "alice"}},
        {
            "content": "Bob drinks black coffee",
            "importance": 0.2,
            "metadata": {"who": "bob"},
            "memory_type": "semantic",
        },
        {"content": "The office moved to Berlin", "importance": 0.5},
    ]
    assert (await client.post("/v1/memories/batch", json={"items": items})).status_code == 201
    return client


@pytest.mark.asyncio
async def test_search_ranks_and_explains(seeded: Any) -> None:
    response = await seeded.post("/v1/search", json={"query": "green tea", "k": 2, "explain": True})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert len(results) == 2
    assert results[0]["memory"]["content"].startswith("Alice")
    assert results[0]["score"] >= results[1]["score"]
    assert set(results[0]["explain"]) == {"relevance", "importance", "recency", "score", "dense", "lexical"}
    assert results[0]["explain"]["score"] == pytest.approx(results[0]["score"])
    plain = (await seeded.post("/v1/search", json={"query": "green tea"})).json()["results"]
    assert "explain" not in plain[0]
    assert plain[0]["memory"]["access_count"] == 0  # searching is not an access


@pytest.mark.asyncio
async def test_search_filters_and_weights(seeded: Any) -> None:
    only_bob = {"query": "drinks", "filters": {"metadata": {"who": "bob"}}}
    results = (await seeded.post("/v1/search", json=only_bob)).json()["results"]
    assert [r["memory"]["metadata"]["who"] for r in results] == ["bob"]
    semantic = {"query": "anything", "filters": {"memory_type": "semantic"}}
    assert {r["memory"]["memory_type"] for r in (await seeded.post("/v1/search", json=semantic)).json()["results"]} == {
        "semantic"
    }
    future = {"query": "tea", "filters": {"created_after": "2999-01-01T00:00:00Z"}}
    assert (await seeded.post("/v1/search", json=future)).json()["results"] == []
    importance_only = {"query": "coffee", "weights": {"relevance": 0, "recency": 0, "importance": 1}, "explain": True}
    results = (await seeded.post("/v1/search", json=importance_only)).json()["results"]
    assert results[0]["memory"]["importance"] == 0.9
    assert results[0]["score"] == pytest.approx(0.9)


@pytest.mark.asyncio
async def test_search_modes_and_fusion(seeded: Any, assert_problem: Any) -> None:
    for mode in ("dense", "lexical", "hybrid"):
        body = {"query": "green tea", "mode": mode, "explain": True, "weights": {"fusion": "rrf"}}
        results = (await seeded.post("/v1/search", json=body)).json()["results"]
        assert results[0]["memory"]["content"].startswith("Alice"), mode
        explain = results[0]["explain"]
        assert (explain["lexical"] is None) == (mode == "dense") and (explain["dense"] is None) == (mode == "lexical")
    assert_problem(await seeded.post("/v1/search", json={"query": "x", "mode": "fuzzy"}), 422, "mode")
    assert_problem(await seeded.post("/v1/search", json={"query": "x", "weights": {"lexical_weight": 2}}), 422)


@pytest.mark.asyncio
async def test_health_makes_no_backend_call(client: Any) -> None:
    engine = client.app.state.engine
    calls: list[str] = []
    original = engine.kv.mget

    async def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append("mget")
        return await original(*args, **kwargs)

    engine.kv.mget = spy
    response = await client.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert calls == []


@pytest.mark.asyncio
async def test_ready_pings_every_backend(client: Any, assert_problem: Any) -> None:
    response = await client.get("/ready")
    assert response.json() == {"status": "ok", "backends": dict.fromkeys(["kv", "vectors", "embedder", "scorer"], "ok")}
    from soma_core.errors import BackendUnavailableError

    async def fail() -> None:
        raise BackendUnavailableError("hash", "model went away")

    client.app.state.engine.stack.embedder.ping = fail
    response = await client.get("/ready")
    problem = assert_problem(response, 503)
    assert response.headers["retry-after"] == "5"
    assert problem["backend"] == "hash" and "embedder (hash)" in problem["detail"]
    assert problem["backends"]["embedder"].startswith("failed:") and problem["backends"]["kv"] == "ok"


@pytest.mark.asyncio
async def test_metrics_expose_requests_backends_and_counts(seeded: Any) -> None:
    await seeded.get("/v1/memories/missing")
    response = await seeded.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'soma_http_request_duration_seconds_count{method="POST",route="/v1/memories/batch",status="201"} 1.0' in text
    assert 'route="/v1/memories/{memory_id}",status="404"' in text
    assert (
        'soma_backend_operation_duration_seconds_count{backend="sqlite",operation="mset",outcome="ok",slot="kv"}'
        in text
    )
    assert 'slot="embedder"' in text and 'operation="embed_batch"' in text
    assert 'soma_memories{namespace="default"} 3.0' in text


@pytest.mark.asyncio
async def test_stats_counts_the_namespace(seeded: Any) -> None:
    stats = (await seeded.get("/v1/stats")).json()
    assert stats["namespace"] == "default" and stats["count"] == 3
    assert stats["by_type"] == {"episodic": 2, "semantic": 1}
    assert stats["embedder"].startswith("hash:") and stats["dim"] == 384
    other = (await seeded.get("/v1/stats", headers={"X-Soma-Namespace": "elsewhere"})).json()
    assert other["namespace"] == "elsewhere" and other["count"] == 0


@pytest.mark.asyncio
async def test_stack_describes_backends(client: Any) -> None:
    stack = (await client.get("/v1/stack")).json()
    assert set(stack) == {"kv", "vectors", "embedder", "scorer", "notices"}
    assert stack["kv"]["backend"] == "sqlite" and stack["kv"]["distribution"] == "soma-core"
    assert stack["vectors"]["capabilities"]["multi_process"] is False
    assert isinstance(stack["notices"], list)


@pytest.mark.asyncio
async def test_openapi_schema_and_ui(anonymous: Any) -> None:
    schema = (await anonymous.get("/schema/openapi.json")).json()
    assert {"/v1/memories", "/v1/memories/batch", "/v1/memories/{memory_id}", "/v1/search", "/v1/stats"} <= set(
        schema["paths"]
    )
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    ui = await anonymous.get("/schema")
    assert ui.status_code == 200 and "swagger" in ui.text.lower()
