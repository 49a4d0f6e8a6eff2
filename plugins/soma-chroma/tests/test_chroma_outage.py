"""Server mode when the server is missing, hung, stopped or restarted: BackendUnavailableError, then recovery."""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Callable

import numpy as np
import pytest

from soma_chroma import ChromaConfig, ChromaVectorStore
from soma_chroma.testing import ChromaServer, free_port
from soma_core.errors import BackendUnavailableError
from soma_core.filters import Filter

pytestmark = [pytest.mark.asyncio, pytest.mark.chroma_server]
SECRET = "never-show-this-token"
PAYLOAD = {"memory_type": "episodic", "created_at": 1.0, "expires_at": None, "metadata": {}}


def vectors(n: int, dim: int = 8) -> np.ndarray:
    return np.random.default_rng(n).standard_normal((n, dim)).astype(np.float32)


async def test_unreachable_server_fails_fast_naming_the_address() -> None:
    port = free_port()
    store = ChromaVectorStore(ChromaConfig(host="127.0.0.1", port=port, headers={"X-Chroma-Token": SECRET}))
    started = time.monotonic()
    with pytest.raises(BackendUnavailableError) as caught:
        await store.open()
    assert time.monotonic() - started < 5
    message = str(caught.value)
    assert message.startswith("backend 'chroma' is unavailable: ") and f"127.0.0.1:{port}" in message
    assert SECRET not in message and "\n" not in message
    await store.close()


async def test_silent_server_times_out() -> None:
    """A port that accepts connections but never answers gives up after request_timeout."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)  # never accepted: the kernel completes handshakes, nobody replies
        port = listener.getsockname()[1]
        store = ChromaVectorStore(ChromaConfig(host="127.0.0.1", port=port, request_timeout=0.5))
        started = time.monotonic()
        with pytest.raises(BackendUnavailableError, match=rf"127\.0\.0\.1:{port}: no answer within 0\.5s"):
            await store.open()
        assert time.monotonic() - started < 3


async def test_hung_then_stopped_server_is_unavailable_and_recovers(private_chroma_server: Callable[[], ChromaServer]) -> None:
    """On a private server: a hung server (SIGSTOP) fails calls after request_timeout instead of blocking;
    a stopped one fails every call at once; restarted on the same port, the same store works again."""
    server = private_chroma_server()
    server.start()
    async with ChromaVectorStore(ChromaConfig(host=server.host, port=server.port, request_timeout=1)) as store:
        await store.ensure_collection(8)
        await store.upsert("ns", [f"k{i}" for i in range(5)], vectors(5), [PAYLOAD] * 5)

        assert server.process is not None
        pid = server.process.pid
        os.kill(pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            with pytest.raises(BackendUnavailableError, match=rf"127\.0\.0\.1:{server.port}: no answer within 1s"):
                await store.query("ns", vectors(1)[0], k=1)
            assert time.monotonic() - started < 5
        finally:
            os.kill(pid, signal.SIGCONT)
        assert await store.count("ns") == 5

        server.stop()
        address = rf"127\.0\.0\.1:{server.port}"
        for attempt in (
            store.count("ns"),
            store.count("ns", Filter(memory_type="episodic")),
            store.query("ns", vectors(1)[0], k=3),
            store.upsert("ns", ["new"], vectors(1), [PAYLOAD]),
            store.get("ns", ["k1"]),
            store.delete("ns", ["k1"]),
            store.ping(),
        ):
            with pytest.raises(BackendUnavailableError, match=rf"'chroma' is unavailable: {address}: "):
                await attempt

        server.start()  # same port, same data directory
        await store.ping()
        assert await store.count("ns") == 5
        assert len(await store.query("ns", vectors(1)[0], k=3)) == 3
        await store.upsert("ns", ["new"], vectors(1), [PAYLOAD])
        assert await store.count("ns") == 6
