"""Server mode behind a token-checking proxy (how Chroma 1.x servers are secured): headers reach every request."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import numpy as np
import pytest

from soma_chroma import ChromaConfig, ChromaVectorStore
from soma_chroma.testing import ChromaServer
from soma_core.errors import BackendUnavailableError

pytestmark = [pytest.mark.asyncio, pytest.mark.chroma_server]
TOKEN = "proxy-token-1234"
PAYLOAD = {"memory_type": "episodic", "created_at": 1.0, "expires_at": None, "metadata": {"k": "v"}}


class TokenProxy:
    """Forwards requests to a Chroma server only when they carry ``X-Chroma-Token: TOKEN``; counts both kinds."""

    def __init__(self, upstream: str) -> None:
        self.allowed = 0
        self.refused = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("X-Chroma-Token") != TOKEN:
                    proxy.refused += 1
                    self.reply(403, b'{"error":"AuthError","message":"forbidden"}')
                    return
                proxy.allowed += 1
                answer = httpx.request(
                    self.command, upstream + self.path, content=body, headers={"Content-Type": "application/json"}
                )
                self.reply(answer.status_code, answer.content)

            def reply(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxy(chroma_server: ChromaServer) -> Iterator[TokenProxy]:
    running = TokenProxy(chroma_server.url)
    try:
        yield running
    finally:
        running.close()


async def test_headers_are_sent_with_every_request(proxy: TokenProxy) -> None:
    prefix = f"t{uuid.uuid4().hex[:12]}"
    headers = {"X-Chroma-Token": TOKEN}
    config = ChromaConfig(host="127.0.0.1", port=proxy.port, headers=headers, collection_prefix=prefix)
    async with ChromaVectorStore(config) as store:
        try:
            await store.ensure_collection(4)
            await store.upsert("ns", ["a"], np.eye(4, dtype=np.float32)[:1], [PAYLOAD])
            assert (await store.query("ns", np.eye(4, dtype=np.float32)[0], k=1))[0].id == "a"
            assert TOKEN not in repr(store.describe())
        finally:
            await store.drop_collection()
    assert proxy.allowed > 5 and proxy.refused == 0


async def test_a_wrong_token_is_refused_at_open_without_showing_it(proxy: TokenProxy) -> None:
    config = ChromaConfig(host="127.0.0.1", port=proxy.port, headers={"X-Chroma-Token": "wrong-secret"})
    store = ChromaVectorStore(config)
    with pytest.raises(BackendUnavailableError, match=r"refused the request \(HTTP 403\); check the headers") as caught:
        await store.open()
    assert "wrong-secret" not in str(caught.value)
    assert proxy.refused == 1 and proxy.allowed == 0
