"""The real thing: ``soma serve`` in its own process, driven by SomaClient, then stopped with SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from soma_client import AsyncSomaClient, AuthError, NotFoundError, SomaClient

TOKEN = "e2e-token-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_healthy(url: str, process: subprocess.Popen[str], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"server exited with {process.returncode}: {process.stderr.read() if process.stderr else ''}"
            )
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("server did not become healthy")


def _in_flight_batch(url: str, then: Callable[[], None]) -> str:
    """POST a big batch; once the app is reading it (100 Continue), call ``then``; return the status line."""
    items = [{"content": f"memory number {i} about topic {i % 17} with some more words"} for i in range(1000)]
    body = json.dumps({"items": items, "dedupe": "allow"}).encode()
    host, port = url.removeprefix("http://").split(":")
    head = (
        f"POST /v1/memories/batch HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {TOKEN}\r\n"
        f"X-Soma-Namespace: slow\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "Expect: 100-continue\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=60) as conn:
        conn.sendall(head.encode())
        assert conn.recv(1024).startswith(b"HTTP/1.1 100"), "server did not ask for the body"
        conn.sendall(body)
        then()
        reply = conn.makefile("rb").readline()
    return reply.decode().strip()


@pytest.fixture
def server(tmp_path: Path) -> tuple[str, subprocess.Popen[str]]:
    config = tmp_path / "soma.yaml"
    config.write_text(
        f"""
data_dir: {tmp_path / "data"}
plugins: {{load: []}}
stack:
  embedder: {{backend: hash}}
server:
  tokens:
    - {{token: {{"$env": E2E_TOKEN}}, namespaces: ["*"], name: e2e}}
"""
    )
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOMA_")} | {"E2E_TOKEN": TOKEN}
    command = [sys.executable, "-m", "soma_core.cli", "--config", str(config), "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process)
        yield url, process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_real_server_with_python_client(server: tuple[str, subprocess.Popen[str]]) -> None:
    url, process = server
    with SomaClient(url, TOKEN, namespace="e2e") as soma:
        memory_id = soma.store("The deploy key rotates every Monday", 0.7, metadata={"topic": "ops"})
        ids = soma.store_many(["Staging runs on port 8080", {"content": "Backups run nightly", "ttl": 3600}])
        assert len(ids) == 2
        assert soma.recall(memory_id).access_count == 1
        hits = soma.search("when does the deploy key rotate", k=2, explain=True)
        assert hits[0].memory.id == memory_id and hits[0].explain is not None
        assert soma.update(memory_id, importance=0.9).importance == 0.9
        page = soma.list(limit=2)
        assert len(page.items) == 2 and page.next_cursor is not None
        assert soma.stats()["count"] == 3
        soma.delete(memory_id)
        with pytest.raises(NotFoundError):
            soma.recall(memory_id)
        assert soma.health() == {"status": "ok"} and soma.ready()["status"] == "ok"
    with SomaClient(url, "not-the-token-0123456789") as intruder, pytest.raises(AuthError):
        intruder.stats()

    import asyncio

    async def async_round_trip() -> int:
        async with AsyncSomaClient(url, TOKEN, namespace="e2e") as soma:
            await soma.store("async works too")
            return int((await soma.stats())["count"])

    assert asyncio.run(async_round_trip()) == 3

    # graceful shutdown: a request in flight when SIGTERM arrives still completes
    status_line = _in_flight_batch(url, then=lambda: process.send_signal(signal.SIGTERM))
    assert status_line.startswith("HTTP/1.1 201"), status_line
    out, err = process.communicate(timeout=30)
    assert process.returncode in (0, -signal.SIGTERM), err  # uvicorn re-raises SIGTERM after a clean shutdown
    assert "Uvicorn running on" in err and "stack closed" in err  # lifespan closed the backends
    access = [line for line in out.splitlines() if line.startswith("{")]
    assert any('"route": "/v1/memories/{memory_id}"' in line and '"principal": "e2e"' in line for line in access)
    assert TOKEN not in out + err and "not-the-token" not in out + err
