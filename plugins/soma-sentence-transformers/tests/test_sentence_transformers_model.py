"""The embedder on the real bundled all-MiniLM-L6-v2: conformance, semantics, sharing, offline loading.

Every test here loads (or reuses) the real model, hence ``slow``; CI runs them.
The model is cached per process, so only the first test pays the ~1 s load
(plus ~8 s importing torch); each test still gets its own opened embedder.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import pytest_asyncio
from soma_sentence_transformers import SentenceTransformersEmbedder, bundled_model_path, models

from soma_core.config import load_settings
from soma_core.errors import ConfigError
from soma_core.stack import build_stack
from soma_core.testing import EmbedderSuite

pytestmark = pytest.mark.slow
Config = SentenceTransformersEmbedder.Config


@pytest_asyncio.fixture
async def embedder() -> AsyncIterator[SentenceTransformersEmbedder]:
    async with SentenceTransformersEmbedder() as opened:
        yield opened


class TestSentenceTransformersConformance(EmbedderSuite):
    @pytest_asyncio.fixture
    async def backend(self) -> AsyncIterator[SentenceTransformersEmbedder]:
        async with SentenceTransformersEmbedder() as opened:
            yield opened


@pytest.mark.asyncio
async def test_bundled_model_loaded_with_its_dimension(embedder: SentenceTransformersEmbedder) -> None:
    assert embedder.ref.source == str(bundled_model_path()) and embedder.ref.local
    assert embedder.dim == 384
    assert embedder.identity == "sentence-transformers:all-MiniLM-L6-v2"


@pytest.mark.asyncio
async def test_paraphrase_is_nearest_among_distractors(embedder: SentenceTransformersEmbedder) -> None:
    """Semantic, not lexical: the answer shares no word with the question, a distractor shares 'password'."""
    documents = [
        "Steps to recover account credentials",
        "Password requirements: at least twelve characters",
        "Resetting the router fixes most wifi problems",
        "The weather in Paris is sunny today",
        "Quarterly revenue rose five percent in Europe",
        "My cat likes to sleep on the sofa",
        "How to bake a chocolate cake",
    ]
    query = await embedder.embed("How do I reset my password?")
    scores = await embedder.embed_batch(documents) @ query
    assert documents[int(np.argmax(scores))] == "Steps to recover account credentials"


@pytest.mark.asyncio
async def test_topics_cluster(embedder: SentenceTransformersEmbedder) -> None:
    food, food2, finance = await embedder.embed_batch(
        [
            "I cooked pasta with tomato sauce for dinner",
            "We had spaghetti bolognese tonight",
            "The bond market fell sharply",
        ]
    )
    assert float(food @ food2) > float(food @ finance) + 0.2


@pytest.mark.asyncio
async def test_vectors_are_unit_length_and_batches_match(embedder: SentenceTransformersEmbedder) -> None:
    """More texts than batch_size are split into several encode calls with the same result."""
    texts = [f"memory number {i} about topic {i % 7}" for i in range(150)]
    small = SentenceTransformersEmbedder(Config(batch_size=16))
    async with small:
        chunked = await small.embed_batch(texts)
    whole = await embedder.embed_batch(texts)
    assert chunked.shape == whole.shape == (150, 384)
    np.testing.assert_allclose(np.linalg.norm(whole, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(chunked, whole, atol=1e-4)


@pytest.mark.asyncio
async def test_two_embedders_share_one_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """Concurrent opens of the same model and device load it once; close keeps it cached."""
    monkeypatch.setattr(models, "_CACHE", {})
    calls: list[str] = []
    real_load = models.load

    def counting_load(ref: models.ModelRef, device: str, **kwargs: Any) -> models.LoadedModel:
        calls.append(ref.source)
        return real_load(ref, device, **kwargs)

    monkeypatch.setattr(models, "load", counting_load)
    first = SentenceTransformersEmbedder()
    second = SentenceTransformersEmbedder(Config(model="sentence-transformers/all-MiniLM-L6-v2", batch_size=8))
    await asyncio.gather(first.open(), second.open())
    assert calls == [str(bundled_model_path())]
    assert first.model is second.model and models.cached_models() == 1
    await first.close()
    await first.close()  # idempotent
    third = SentenceTransformersEmbedder()
    await third.open()
    assert third.model is second.model and len(calls) == 1
    vectors = await asyncio.gather(second.embed("shared model"), third.embed("shared model"))
    np.testing.assert_allclose(vectors[0], vectors[1], atol=1e-5)
    await second.close()
    await third.close()


@pytest.mark.asyncio
async def test_every_encode_runs_on_one_thread(
    embedder: SentenceTransformersEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Concurrent embeds, from one or two embedders of the model, all run on the model's own thread."""
    seen: list[str] = []
    model = embedder.model.model
    original = model.encode

    def recording(*args: Any, **kwargs: Any) -> Any:
        seen.append(threading.current_thread().name)
        return original(*args, **kwargs)

    monkeypatch.setattr(model, "encode", recording)
    async with SentenceTransformersEmbedder(Config(max_seq_length=64)) as other:
        await asyncio.gather(*(e.embed_batch([f"text {n}"]) for n in range(6) for e in (embedder, other)))
    assert len(seen) == 12 and len(set(seen)) == 1 and seen[0].startswith("soma-encode")


@pytest.mark.asyncio
async def test_max_seq_length_is_per_embedder(embedder: SentenceTransformersEmbedder) -> None:
    """A short max_seq_length truncates for its embedder only, though the model object is shared."""
    head = "the quick brown fox jumps over the lazy dog"
    long_text = head + " and then it ran into the forest to find the river and the old bridge"
    async with SentenceTransformersEmbedder(Config(max_seq_length=8)) as short:
        assert short.model is embedder.model
        cut_head, cut_long = await short.embed_batch([head, long_text])
        np.testing.assert_allclose(cut_head, cut_long, atol=1e-5)
    full_head, full_long = await embedder.embed_batch([head, long_text])
    assert float(full_head @ full_long) < 0.99
    again = await embedder.embed(long_text)
    np.testing.assert_allclose(again, full_long, atol=1e-5)


@pytest.mark.asyncio
async def test_loading_the_bundled_model_touches_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh load from the bundled files with every socket connection refused succeeds."""
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise OSError("network disabled by test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(models, "_CACHE", {})
    async with SentenceTransformersEmbedder() as fresh:
        assert fresh.dim == 384
        assert (await fresh.embed("offline")).shape == (384,)
    assert attempts == []


@pytest.mark.asyncio
async def test_unknown_model_name_fails_fast_in_one_line() -> None:
    """Offline by default: a name that is neither bundled nor cached is a ConfigError, no network wait."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(ConfigError) as info:
        await SentenceTransformersEmbedder(Config(model="no-such-org/no-such-model")).open()
    message = str(info.value)
    assert "'no-such-org/no-such-model'" in message and "local_files_only" in message and "\n" not in message
    assert loop.time() - started < 10


@pytest.mark.asyncio
async def test_unavailable_device_is_a_config_error() -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA GPU")
    with pytest.raises(ConfigError, match="device 'cuda' is not available"):
        await SentenceTransformersEmbedder(Config(device="cuda")).open()


@pytest.mark.asyncio
async def test_max_seq_length_beyond_the_model_is_refused() -> None:
    with pytest.raises(ConfigError, match="max_seq_length 4096 exceeds the 512 tokens"):
        await SentenceTransformersEmbedder(Config(max_seq_length=4096)).open()


@pytest.mark.asyncio
async def test_auto_stack_opens_with_the_semantic_embedder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The default stack (embedder: auto) picks this plugin, opens, and sizes the vector store to 384."""
    monkeypatch.delenv("SOMA_CONFIG", raising=False)
    monkeypatch.setenv("SOMA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SOMA_PLUGINS__LOAD", "sentence-transformers")
    stack = build_stack(load_settings())
    assert isinstance(stack.embedder, SentenceTransformersEmbedder) and stack.notices == []
    await stack.open(vector_dim=384)
    try:
        assert stack.embedder.dim == 384
        assert stack.describe()["embedder"]["distribution"] == "soma-sentence-transformers"
    finally:
        await stack.close()
