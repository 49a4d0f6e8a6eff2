"""Bearer tokens, namespace grants, public routes, and tokens kept out of logs."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from soma_core.config import load_settings
from soma_core.errors import ConfigError
from soma_server import create_app


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token-0123456789"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer "},
    ],
)
async def test_missing_or_wrong_token_is_401_with_challenge(
    anonymous: Any, assert_problem: Any, headers: dict[str, str]
) -> None:
    response = await anonymous.post("/v1/memories", json={"content": "x"}, headers=headers)
    assert_problem(response, 401, "Authorization")
    assert response.headers["www-authenticate"].startswith('Bearer realm="soma"')


@pytest.mark.asyncio
async def test_every_v1_route_needs_a_token(anonymous: Any, assert_problem: Any) -> None:
    calls = [
        ("GET", "/v1/memories"),
        ("POST", "/v1/memories/batch"),
        ("GET", "/v1/memories/x"),
        ("PATCH", "/v1/memories/x"),
        ("DELETE", "/v1/memories/x"),
        ("POST", "/v1/search"),
        ("GET", "/v1/stats"),
        ("GET", "/v1/stack"),
        ("GET", "/metrics"),
    ]
    for method, path in calls:
        assert_problem(await anonymous.request(method, path, json={}), 401)


@pytest.mark.asyncio
async def test_token_limited_to_its_namespaces(anonymous: Any, assert_problem: Any, tokens: dict[str, str]) -> None:
    team_a = bearer(tokens["team-a"])
    created = await anonymous.post(
        "/v1/memories", json={"content": "a"}, headers={**team_a, "X-Soma-Namespace": "team-a"}
    )
    assert created.status_code == 201 and created.json()["namespace"] == "team-a"
    problem = assert_problem(
        await anonymous.post("/v1/memories", json={"content": "a"}, headers={**team_a, "X-Soma-Namespace": "team-b"}),
        403,
        "X-Soma-Namespace",
    )
    assert "team-b" in problem["detail"]
    # without the header the configured default namespace applies, which team-a may not use
    assert_problem(await anonymous.get("/v1/stats", headers=team_a), 403)
    # fnmatch patterns
    team_b = bearer(tokens["team-b"])
    ok = await anonymous.get("/v1/stats", headers={**team_b, "X-Soma-Namespace": "shared-docs"})
    assert ok.status_code == 200 and ok.json()["namespace"] == "shared-docs"


@pytest.mark.asyncio
async def test_namespaces_are_isolated_between_tokens(
    anonymous: Any, assert_problem: Any, tokens: dict[str, str]
) -> None:
    a = {**bearer(tokens["team-a"]), "X-Soma-Namespace": "team-a"}
    b = {**bearer(tokens["team-b"]), "X-Soma-Namespace": "team-b"}
    memory_id = (await anonymous.post("/v1/memories", json={"content": "secret plan", "id": "plan"}, headers=a)).json()[
        "id"
    ]
    await anonymous.post("/v1/memories", json={"content": "other plan"}, headers=b)
    assert_problem(await anonymous.get(f"/v1/memories/{memory_id}", headers=b), 404)
    assert_problem(await anonymous.delete(f"/v1/memories/{memory_id}", headers=b), 404)
    hits = (await anonymous.post("/v1/search", json={"query": "secret plan"}, headers=b)).json()["results"]
    assert [hit["memory"]["content"] for hit in hits] == ["other plan"]
    listed = (await anonymous.get("/v1/memories", headers=b)).json()["items"]
    assert [item["namespace"] for item in listed] == ["team-b"]
    # the same id in another namespace is a different memory, not a conflict
    same_id = await anonymous.post("/v1/memories", json={"content": "b's plan", "id": "plan"}, headers=b)
    assert same_id.status_code == 201
    assert (await anonymous.get("/v1/memories/plan", headers=a)).json()["content"] == "secret plan"
    # the root token may use both
    root = bearer(tokens["root"])
    assert (await anonymous.get("/v1/stats", headers={**root, "X-Soma-Namespace": "team-a"})).json()["count"] == 1


@pytest.mark.asyncio
async def test_health_and_ready_public_metrics_private_by_default(anonymous: Any, tokens: dict[str, str]) -> None:
    assert (await anonymous.get("/health")).status_code == 200
    assert (await anonymous.get("/ready")).status_code == 200
    assert (await anonymous.get("/metrics")).status_code == 401
    assert (await anonymous.get("/metrics", headers=bearer(tokens["root"]))).status_code == 200
    assert (await anonymous.get("/schema/openapi.json")).status_code == 200


@pytest.mark.asyncio
async def test_operator_routes_need_an_all_namespaces_token(
    anonymous: Any, assert_problem: Any, tokens: dict[str, str], make_settings: Any
) -> None:
    team_a = bearer(tokens["team-a"])
    for path in ("/metrics", "/v1/stack"):
        assert_problem(await anonymous.get(path, headers=team_a), 403, "Authorization")
        assert (await anonymous.get(path, headers=bearer(tokens["root"]))).status_code == 200
    assert (await anonymous.get("/ready", headers=team_a)).status_code == 200  # public by default
    async with AsyncTestClient(app=create_app(make_settings(server={"public_ready": False}))) as other:
        assert_problem(await other.get("/ready", headers=team_a), 403)
        assert (await other.get("/health", headers=team_a)).status_code == 200


@pytest.mark.asyncio
async def test_exposure_is_configurable(make_settings: Any) -> None:
    server = {"public_health": False, "public_ready": False, "public_metrics": True, "public_schema": False}
    async with AsyncTestClient(app=create_app(make_settings(server=server))) as anonymous:
        assert (await anonymous.get("/health")).status_code == 401
        assert (await anonymous.get("/ready")).status_code == 401
        assert (await anonymous.get("/schema/openapi.json")).status_code == 401
        assert (await anonymous.get("/metrics")).status_code == 200


@pytest.mark.asyncio
async def test_auth_off_and_no_tokens_mean_open_access(make_settings: Any) -> None:
    for settings in (make_settings(server={"auth": False}), make_settings(api_token=None, server={"tokens": []})):
        async with AsyncTestClient(app=create_app(settings)) as anonymous:
            response = await anonymous.post("/v1/memories", json={"content": "x"}, headers={"X-Soma-Namespace": "any"})
            assert response.status_code == 201


@pytest.mark.asyncio
async def test_tokens_from_file_and_env_references(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret_file = tmp_path / "token-b"
    secret_file.write_text("file-token-0123456789\n")
    monkeypatch.setenv("TEAM_A_TOKEN", "env-token-0123456789")
    config = tmp_path / "soma.yaml"
    config.write_text(
        f"""
data_dir: {tmp_path}
plugins: {{load: []}}
stack: {{embedder: {{backend: hash}}}}
server:
  tokens:
    - {{token: {{"$env": TEAM_A_TOKEN}}, namespaces: [team-a]}}
    - {{token_file: {secret_file}, namespaces: ["*"]}}
"""
    )
    async with AsyncTestClient(app=create_app(load_settings(config))) as anonymous:
        ns_a = {"X-Soma-Namespace": "team-a"}
        assert (await anonymous.get("/v1/stats", headers={**bearer("env-token-0123456789"), **ns_a})).status_code == 200
        assert (await anonymous.get("/v1/stats", headers=bearer("file-token-0123456789"))).status_code == 200
        assert (await anonymous.get("/v1/stats", headers=bearer("env-token-0123456789"))).status_code == 403


def test_token_config_errors(make_settings: Any, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="at least 16"):
        create_app(make_settings(api_token="short"))
    with pytest.raises(ConfigError, match="cannot read token_file"):
        create_app(make_settings(server={"tokens": [{"token_file": str(tmp_path / "missing"), "namespaces": ["*"]}]}))
    with pytest.raises(ConfigError, match="same token"):
        create_app(make_settings(server={"tokens": [{"token": "root-token-0123456789", "namespaces": ["x"]}]}))


@pytest.mark.asyncio
async def test_tokens_never_reach_logs_or_responses(
    client: Any, anonymous: Any, tokens: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await client.post("/v1/memories", json={"content": "x"})
    await anonymous.get("/v1/stats", headers=bearer("wrong-token-0123456789"))
    stack = (await client.get("/v1/stack")).text
    access = [r.getMessage() for r in caplog.records if r.name == "soma.access"]
    assert any('"principal": "api_token"' in line and '"status": 201' in line for line in access)
    everything = caplog.text + stack
    for token in [*tokens.values(), "wrong-token-0123456789"]:
        assert token not in everything
