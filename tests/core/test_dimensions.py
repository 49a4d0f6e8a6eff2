"""Dimension and embedder checks at open, and reindex as the way out."""

from __future__ import annotations

from pathlib import Path

import pytest

from soma_core import DimensionMismatchError, open_engine

from ..conftest import embedded_settings

pytestmark = pytest.mark.asyncio


async def test_configured_vector_dim_must_match_embedder(tmp_path: Path) -> None:
    settings = embedded_settings(tmp_path, vector_dim=768)
    with pytest.raises(DimensionMismatchError, match="vector_dim is 768 in config, but embedder 'hash' gives 384-d"):
        await open_engine(settings)


async def test_switching_embedder_is_refused_then_reindexed(tmp_path: Path) -> None:
    first = embedded_settings(tmp_path)
    engine = await open_engine(first)
    await engine.store_many(["green tea with lemon", "a walk in the park"])
    await engine.close()

    switched = embedded_settings(tmp_path, stack={"embedder": {"backend": "hash", "dim": 128}})
    with pytest.raises(DimensionMismatchError) as info:
        await open_engine(switched)
    message = str(info.value)
    assert "384-d" in message and "128-d" in message and "soma reindex" in message

    engine = await open_engine(switched, for_reindex=True)
    assert await engine.reindex() == {"reindexed": 2}
    await engine.close()
    engine = await open_engine(switched)
    try:
        assert (await engine.search("green tea", k=1))[0].memory.content == "green tea with lemon"
        assert (await engine.stats())["dim"] == 128
    finally:
        await engine.close()


async def test_same_dimension_other_embedder_is_refused(tmp_path: Path) -> None:
    engine = await open_engine(embedded_settings(tmp_path))
    await engine.store("x")
    await engine.close()
    other = embedded_settings(tmp_path, stack={"embedder": {"backend": "hash", "bigram_weight": 0.9}})
    with pytest.raises(DimensionMismatchError, match="soma reindex"):
        await open_engine(other)
