"""The Redis KV store passes the standard KVStore conformance suite against the shared Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from soma_redis import RedisConfig, RedisKVStore

from soma_core.testing import KVStoreSuite

SHARED_URL = "redis://127.0.0.1:6379/0"


class TestRedisKV(KVStoreSuite):
    """Each test gets its own key prefix on the shared server; the ``key_prefix`` fixture deletes its keys."""

    pytestmark = [*KVStoreSuite.pytestmark, pytest.mark.redis]

    @pytest_asyncio.fixture
    async def backend(self, key_prefix: str) -> AsyncIterator[RedisKVStore]:
        async with RedisKVStore(RedisConfig(url=SHARED_URL, key_prefix=key_prefix)) as store:
            yield store
