"""The standard KV conformance suite against the real PostgreSQL server, one schema per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
import pytest_asyncio
from soma_postgres import PostgresConfig, PostgresKVStore

from soma_core.testing import KVStoreSuite

pytestmark = pytest.mark.postgres


class TestPostgresKV(KVStoreSuite):
    @pytest_asyncio.fixture
    async def backend(self, make_config: Callable[..., PostgresConfig]) -> AsyncIterator[PostgresKVStore]:
        async with PostgresKVStore(make_config()) as store:
            yield store
