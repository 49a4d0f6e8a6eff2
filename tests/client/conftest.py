"""Fixtures for the client tests: an app on a fresh hash + SQLite stack, and its tokens."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from litestar import Litestar

from soma_core.config import Settings, load_settings
from soma_server import create_app

ROOT = "client-root-token-0123456789"
TEAM = "client-team-token-0123456789"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("SOMA_"):
            monkeypatch.delenv(name)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        data_dir=tmp_path,
        stack={"embedder": {"backend": "hash"}, "kv": {"backend": "sqlite"}},
        plugins={"load": []},
        api_token=ROOT,
        server={"tokens": [{"token": TEAM, "namespaces": ["team"]}]},
    )


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
def tokens() -> dict[str, str]:
    return {"root": ROOT, "team": TEAM}
