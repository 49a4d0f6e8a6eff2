"""Bad input never causes a 500: malformed bodies are 400, schema and limit violations 422, big bodies 413."""

from __future__ import annotations

from typing import Any

import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient

from soma_core.errors import ConfigError
from soma_server import create_app

SMALL_LIMITS = {
    "max_body_bytes": 4096,
    "max_content_chars": 100,
    "max_batch_items": 3,
    "max_k": 5,
    "max_list_limit": 10,
    "max_metadata_bytes": 64,
    "max_metadata_depth": 3,
}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"content": "caf\xe9"}', "UTF-8"),
        (b"[" * 50_000 + b"]" * 50_000, "nested too deeply"),
        (b'{"content": "x"} trailing', "not valid JSON"),
    ],
)
async def test_malformed_json_is_400(client: Any, assert_problem: Any, body: bytes, needle: str) -> None:
    response = await client.post("/v1/memories", content=body, headers={"content-type": "application/json"})
    problem = assert_problem(response, 400)
    assert needle in problem["detail"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("body", "field", "needle"),
    [
        ({"content": "x", "colour": "red"}, "colour", "unknown field"),
        ({"importance": 0.5}, "content", "required field is missing"),
        ({"content": 42}, "content", "Expected `str`"),
        ({"content": "x", "importance": 1.5}, "importance", "<= 1.0"),
        ({"content": "x", "memory_type": "dream"}, "memory_type", "dream"),
        ({"content": "x", "ttl_seconds": 0}, "ttl_seconds", "> 0"),
        ({"content": "x", "id": "has space"}, "id", "regex"),
        ({"content": "x", "metadata": ["not", "an", "object"]}, "metadata", "object"),
        ({"content": "   "}, "content", "non-empty"),
        ([{"content": "x"}], None, "Expected `object`"),
    ],
)
async def test_schema_violations_are_422_naming_the_field(
    client: Any, assert_problem: Any, body: Any, field: str | None, needle: str
) -> None:
    problem = assert_problem(await client.post("/v1/memories", json=body), 422, field)
    assert needle in problem["detail"]


@pytest.mark.asyncio
async def test_empty_body_is_422(client: Any, assert_problem: Any) -> None:
    response = await client.post("/v1/memories", content=b"", headers={"content-type": "application/json"})
    assert_problem(response, 422, "body")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"query": "x", "k": 0}, "k"),
        ({"query": "x", "filters": {"memory_type": "semantic", "colour": 1}}, "filters.colour"),
        ({"query": "x", "filters": {"created_after": "2025-01-01T00:00:00"}}, "filters.created_after"),
        ({"query": "x", "weights": {"relevance": -1}}, "weights.relevance"),
        ({"query": "x", "weights": {"relevance": 0, "importance": 0, "recency": 0}}, "weights"),
        ({"query": ""}, "query"),
    ],
)
async def test_bad_search_is_422(client: Any, assert_problem: Any, body: dict[str, Any], field: str) -> None:
    assert_problem(await client.post("/v1/search", json=body), 422, field)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"memory_type": "dream"}, "memory_type"),
        ({"cursor": "a b"}, "cursor"),
    ],
)
async def test_bad_list_query_is_422(client: Any, assert_problem: Any, params: dict[str, Any], field: str) -> None:
    assert_problem(await client.get("/v1/memories", params=params), 422, field)


@pytest.mark.asyncio
async def test_bad_namespace_header_is_422(client: Any, assert_problem: Any) -> None:
    assert_problem(await client.get("/v1/stats", headers={"X-Soma-Namespace": "no spaces"}), 422, "namespace")


@pytest.mark.asyncio
async def test_unknown_route_and_method_are_problems(client: Any, assert_problem: Any) -> None:
    assert_problem(await client.get("/v1/nothing-here"), 404)
    response = await client.put("/v1/memories/x", json={})
    assert_problem(response, 405)
    assert "allow" in response.headers


# -- configured limits ----------------------------------------------------------------


@pytest_asyncio.fixture
async def limited(make_settings: Any) -> Any:
    app = create_app(make_settings(server={"limits": SMALL_LIMITS}))
    async with AsyncTestClient(app=app) as test_client:
        test_client.headers["Authorization"] = "Bearer root-token-0123456789"
        yield test_client


@pytest.mark.asyncio
async def test_body_over_limit_is_413(limited: Any, assert_problem: Any) -> None:
    problem = assert_problem(await limited.post("/v1/memories", json={"content": "x" * 5000}), 413)
    assert "max_body_bytes" in problem["detail"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("path", "body", "field", "key"),
    [
        ("/v1/memories", {"content": "x" * 101}, "content", "max_content_chars"),
        ("/v1/memories", {"content": "x", "metadata": {"k": "v" * 80}}, "metadata", "max_metadata_bytes"),
        ("/v1/memories", {"content": "x", "metadata": {"a": {"b": {"c": {}}}}}, "metadata", "max_metadata_depth"),
        ("/v1/memories", {"content": "x", "metadata": {"a": [[[1]]]}}, "metadata", "max_metadata_depth"),
        ("/v1/memories/batch", {"items": [{"content": "x"}] * 4}, "items", "max_batch_items"),
        (
            "/v1/memories/batch",
            {"items": [{"content": "x"}, {"content": "y" * 101}]},
            "items[1].content",
            "max_content_chars",
        ),
        ("/v1/search", {"query": "x", "k": 6}, "k", "max_k"),
        ("/v1/search", {"query": "q" * 101}, "query", "max_content_chars"),
    ],
)
async def test_each_limit_is_a_422_naming_field_and_setting(
    limited: Any, assert_problem: Any, path: str, body: dict[str, Any], field: str, key: str
) -> None:
    problem = assert_problem(await limited.post(path, json=body), 422, field)
    assert key in problem["detail"]


@pytest.mark.asyncio
async def test_patch_and_list_limits(limited: Any, assert_problem: Any) -> None:
    memory_id = (await limited.post("/v1/memories", json={"content": "x", "metadata": {"a": {"b": {}}}})).json()["id"]
    assert_problem(await limited.patch(f"/v1/memories/{memory_id}", json={"content": "x" * 101}), 422, "content")
    assert_problem(await limited.get("/v1/memories", params={"limit": 11}), 422, "limit")
    assert (await limited.get("/v1/memories", params={"limit": 10})).status_code == 200


def test_invalid_server_settings_are_config_errors(make_settings: Any) -> None:
    with pytest.raises(ConfigError, match=r"limits\.max_k"):
        create_app(make_settings(server={"limits": {"max_k": 0}}))
    with pytest.raises(ConfigError, match="unknown option"):
        create_app(make_settings(server={"colour": "red"}))
    with pytest.raises(ConfigError, match="exactly one of token or token_file"):
        create_app(make_settings(server={"tokens": [{"namespaces": ["*"]}]}))
