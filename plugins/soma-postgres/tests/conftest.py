"""Fixtures for the postgres tests: an isolated schema per test, dropped afterwards.

The server is the shared one at 127.0.0.1:5432 (database ``test``, user
``postgres``, trust auth); set SOMA_TEST_POSTGRES_URL to use another. Tests
that need it fail, never skip, when it is not there.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import psycopg
import pytest
import pytest_asyncio
from psycopg import sql
from soma_postgres import PostgresConfig

ADMIN_URL = os.environ.get("SOMA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest_asyncio.fixture
async def admin() -> AsyncIterator[psycopg.AsyncConnection]:
    """An autocommit connection of our own, for inspecting and sabotaging the store."""
    async with await psycopg.AsyncConnection.connect(ADMIN_URL, autocommit=True) as conn:
        yield conn


@pytest_asyncio.fixture
async def pg_schema(admin: psycopg.AsyncConnection) -> AsyncIterator[str]:
    """A fresh schema name; the schema (created by the store on open) is dropped afterwards."""
    name = f"soma_test_{uuid.uuid4().hex[:12]}"
    yield name
    await admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


@pytest.fixture
def make_config(pg_schema: str) -> Callable[..., PostgresConfig]:
    """Build a config on the isolated schema, with a small pool and a unique application_name."""
    app = f"soma-test-{pg_schema[-12:]}"

    def make(**options: Any) -> PostgresConfig:
        defaults: dict[str, Any] = {
            "url": ADMIN_URL,
            "schema": pg_schema,
            "min_size": 1,
            "max_size": 4,
            "application_name": app,
        }
        return PostgresConfig.model_validate({**defaults, **options})

    return make
