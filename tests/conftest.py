"""Shared fixtures: settings that ignore the machine's installed plugins and config."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from soma_core import MemoryEngine, Settings, load_settings, open_engine


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No SOMA_* variable from the developer's shell leaks into a test."""
    import os

    for name in list(os.environ):
        if name.startswith("SOMA_"):
            monkeypatch.delenv(name)
    yield


def embedded_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """The embedded stack (sqlite + numpy + hash) in tmp_path, no installed plugins."""
    base: dict[str, Any] = {
        "data_dir": tmp_path,
        "stack": {"embedder": {"backend": "hash"}},
        "plugins": {"load": []},
    }
    base.update(overrides)
    return load_settings(**base)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return embedded_settings(tmp_path)


@pytest_asyncio.fixture
async def engine(settings: Settings) -> AsyncIterator[MemoryEngine]:
    engine = await open_engine(settings)
    try:
        yield engine
    finally:
        await engine.close()
