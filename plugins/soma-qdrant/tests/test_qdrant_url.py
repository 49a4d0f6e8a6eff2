"""url mode without a server: options reach the client, and an unreachable server is a clear, key-free error.

No Qdrant server can run on the test machine, so these tests stop where the
network starts: the client is built with our options, and a real connection to
a port where nothing listens must fail fast with BackendUnavailableError.
"""

from __future__ import annotations

import socket
import time

import grpc
import httpx
import pytest
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse
from soma_qdrant import QdrantConfig, QdrantVectorStore
from soma_qdrant.errors import unavailable_as_error, unavailable_reason

from soma_core.errors import BackendUnavailableError

SECRET = "qdrant-sekret-key-456"
pytestmark = pytest.mark.filterwarnings("ignore:Api key is used with an insecure connection")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.asyncio
async def test_options_reach_the_client() -> None:
    config = QdrantConfig(
        url="https://qdrant.example:6333", api_key=SECRET, prefer_grpc=True, grpc_port=6400, timeout=7
    )
    store = QdrantVectorStore(config)
    options = store.client_options()
    assert options["url"] == "https://qdrant.example:6333" and options["api_key"] == SECRET
    client = store._connect()  # builds the client; nothing is sent until the first request
    try:
        remote = client._client
        assert remote.rest_uri == "https://qdrant.example:6333"
        assert (remote._prefer_grpc, remote._grpc_port, remote._timeout) == (True, 6400, 7)
        assert remote._rest_headers["api-key"] == SECRET
        assert ("api-key", SECRET) in remote._grpc_headers
    finally:
        await client.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("grpc_mode", [False, True], ids=["rest", "grpc"])
async def test_unreachable_server_is_quick_clear_and_keyless(grpc_mode: bool) -> None:
    port = free_port()
    config = QdrantConfig(url=f"http://127.0.0.1:{port}", api_key=SECRET, prefer_grpc=grpc_mode, grpc_port=port)
    store = QdrantVectorStore(config)
    started = time.monotonic()
    with pytest.raises(BackendUnavailableError) as caught:
        await store.open()
    assert time.monotonic() - started < 3
    message = str(caught.value)
    assert message.startswith("backend 'qdrant' is unavailable: cannot reach Qdrant at ")
    assert f"http://127.0.0.1:{port}" in message and SECRET not in message and "\n" not in message
    if grpc_mode:
        assert f"gRPC port {port}" in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    await store.close()  # nothing was kept open; closing is still fine


@pytest.mark.asyncio
async def test_password_in_url_is_redacted_in_errors() -> None:
    store = QdrantVectorStore(QdrantConfig(url=f"http://admin:hunter2@127.0.0.1:{free_port()}"))
    with pytest.raises(BackendUnavailableError) as caught:
        await store.open()
    assert "hunter2" not in str(caught.value) and "admin:***@127.0.0.1" in str(caught.value)


def _grpc_error(code: grpc.StatusCode) -> grpc.aio.AioRpcError:
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(), details="failed to connect\nmore")


def test_failures_that_mean_unavailable() -> None:
    refused = ResponseHandlingException(httpx.ConnectError("All connection attempts failed"))
    assert unavailable_reason(refused) == "All connection attempts failed"
    assert unavailable_reason(ResponseHandlingException(httpx.ReadTimeout(""))) == "ReadTimeout"
    denied = UnexpectedResponse(401, "Unauthorized", b"{}", httpx.Headers())
    assert unavailable_reason(denied) == "HTTP 401 Unauthorized: the server refused the API key"
    assert unavailable_reason(UnexpectedResponse(503, "Service Unavailable", b"", httpx.Headers()))
    assert unavailable_reason(UnexpectedResponse(400, "Bad Request", b"", httpx.Headers())) is None
    assert unavailable_reason(_grpc_error(grpc.StatusCode.UNAVAILABLE)) == "gRPC UNAVAILABLE: failed to connect"
    assert unavailable_reason(_grpc_error(grpc.StatusCode.INVALID_ARGUMENT)) is None
    assert unavailable_reason(ValueError("bad")) is None


def test_errors_while_running_name_the_address_not_the_key() -> None:
    with pytest.raises(BackendUnavailableError) as caught:
        with unavailable_as_error("qdrant", "Qdrant at http://q:6333", SECRET):
            raise ResponseHandlingException(httpx.ConnectError(f"echoed {SECRET}"))
    assert str(caught.value) == "backend 'qdrant' is unavailable: Qdrant at http://q:6333: echoed ***"
    with pytest.raises(ValueError):
        with unavailable_as_error("qdrant", "Qdrant at http://q:6333", SECRET):
            raise ValueError("a bug, not an outage")
