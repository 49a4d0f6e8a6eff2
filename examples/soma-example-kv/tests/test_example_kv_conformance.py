"""The tutorial plugin proves itself with the conformance kit: one fixture, the whole contract."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from soma_core.testing import KVStoreSuite
from soma_example_kv import JsonFileKVStore


class TestJsonFileKV(KVStoreSuite):
    @pytest_asyncio.fixture
    async def backend(self, tmp_path: Path) -> AsyncIterator[JsonFileKVStore]:
        async with JsonFileKVStore(JsonFileKVStore.Config(path=str(tmp_path / "kv.json"))) as store:
            yield store
