"""Fixtures for the HTTP API tests: a settings factory, an app, and clients on it.

Stacks use the hash embedder and SQLite with plugin autoloading off, so the
tests depend on no installed plugin and no model.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from litestar import Litestar
from litestar.testing import AsyncTestClient

from soma_core.config import Settings, load_settings
from soma_server import create_app

TOKEN = "root-token-0123456789"
TEAM_A = "team-a-token-0123456789"
TEAM_B = "team-b-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

MakeSettings = Callable[..., Settings]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's SOMA_* environment must not leak into the tests."""
    import os

    for name in list(os.environ):
        if name.startswith("SOMA_"):
            monkeypatch.delenv(name)


@pytest.fixture
def make_settings(tmp_path: Path) -> MakeSettings:
    """Settings for a fresh SQLite + numpy + hash stack in tmp_path; ``server`` and other keys may be given."""

    def make(server: dict[str, Any] | None = None, **overrides: Any) -> Settings:
        options: dict[str, Any] = {
            "data_dir": tmp_path,
            "stack": {"embedder": {"backend": "hash"}, "kv": {"backend": "sqlite"}},
            "plugins": {"load": []},
            "api_token": TOKEN,
            "server": {
                "tokens": [
                    {"token": TEAM_A, "namespaces": ["team-a"], "name": "team-a"},
                    {"token": TEAM_B, "namespaces": ["team-b", "shared-*"], "name": "team-b"},
                ],
                **(server or {}),
            },
        }
        options.update(overrides)
        return load_settings(**options)

    return make


@pytest.fixture
def app(make_settings: MakeSettings) -> Litestar:
    return create_app(make_settings())


@pytest_asyncio.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """A test client authenticated with the all-namespaces token."""
    async with AsyncTestClient(app=app) as test_client:
        test_client.headers.update(AUTH)
        yield test_client


@pytest_asyncio.fixture
async def anonymous(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """A test client without any token."""
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


@pytest.fixture
def tokens() -> dict[str, str]:
    """The configured tokens: root (every namespace), team-a (team-a), team-b (team-b and shared-*)."""
    return {"root": TOKEN, "team-a": TEAM_A, "team-b": TEAM_B}


@pytest.fixture
def assert_problem() -> Callable[..., dict[str, Any]]:
    return _assert_problem


def _assert_problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status (and field); returns the body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:soma:problem:")
    assert body["title"] and body["detail"]
    assert "Traceback" not in response.text
    if field is not None:
        assert body.get("field") == field, body
    return body
