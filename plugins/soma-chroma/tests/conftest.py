"""Real Chroma for the tests: a `chroma run` server for the session, and private ones for outage tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from soma_chroma.testing import ChromaServer, running_server


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """A Chroma server shared by the whole session; tests isolate themselves by collection prefix.

    If it cannot start, every test using it errors (never skips): CI must run them.
    """
    with running_server(tmp_path_factory.mktemp("chroma-server") / "data") as server:
        yield server


@pytest.fixture
def private_chroma_server(tmp_path: Path) -> Iterator[Callable[[], ChromaServer]]:
    """Makes servers of the calling test's own (stopped at the end), for outage tests."""
    made: list[ChromaServer] = []

    def make() -> ChromaServer:
        server = ChromaServer(tmp_path / f"private-{len(made)}")
        made.append(server)
        return server

    try:
        yield make
    finally:
        for server in made:
            server.stop()
