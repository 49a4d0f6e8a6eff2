"""Real stacks for end-to-end tests: PostgreSQL + Qdrant (local) and Redis + a Chroma server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis

from soma_chroma.testing import ChromaServer, running_server

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    with running_server(tmp_path_factory.mktemp("e2e-chroma") / "data") as server:
        yield server


@pytest.fixture
def pg_schema() -> Iterator[str]:
    schema = f"soma_e2e_{uuid.uuid4().hex[:10]}"
    yield schema
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    prefix = f"soma-e2e:{uuid.uuid4().hex[:10]}:"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=prefix.replace(":", r"\:") + "*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture(params=["postgres+qdrant", "redis+chroma"])
def stack_config(
    request: pytest.FixtureRequest, tmp_path: Path, pg_schema: str, redis_prefix: str
) -> dict[str, Any]:
    """A settings dict for a real stack with the sentence-transformers embedder."""
    base: dict[str, Any] = {"data_dir": str(tmp_path), "plugins": {"load": ["postgres", "redis", "qdrant", "chroma", "sentence-transformers"]}}
    if request.param == "postgres+qdrant":
        stack = {
            "kv": {"backend": "postgres", "url": PG_URL, "schema": pg_schema},
            "vectors": {"backend": "qdrant", "path": str(tmp_path / "qdrant")},
        }
    else:
        server: ChromaServer = request.getfixturevalue("chroma_server")
        stack = {
            "kv": {"backend": "redis", "url": REDIS_URL, "key_prefix": redis_prefix},
            "vectors": {"backend": "chroma", "host": server.host, "port": server.port, "collection_prefix": f"e2e{uuid.uuid4().hex[:8]}"},
        }
    stack["embedder"] = {"backend": "sentence-transformers"}
    return {**base, "stack": stack}
