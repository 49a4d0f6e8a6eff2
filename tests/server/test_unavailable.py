"""A backend that goes away: 503 with Retry-After naming it, and recovery without a restart.

Uses the soma-redis KV store against a private ``redis-server`` this test starts
and kills (never the shared one on 6379).
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from soma_core.config import load_settings
from soma_server import create_app

pytest.importorskip("soma_redis")
REDIS = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(REDIS is None, reason="redis-server is not installed")
AUTH = {"Authorization": "Bearer root-token-0123456789"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisProcess:
    """A throwaway redis-server on ``port`` that can be stopped and started again."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [str(REDIS), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server() -> Iterator[RedisProcess]:
    server = RedisProcess(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.asyncio
async def test_backend_down_is_503_and_service_recovers(
    redis_server: RedisProcess, tmp_path: Any, assert_problem: Any
) -> None:
    settings = load_settings(
        data_dir=tmp_path,
        plugins={"load": ["redis"]},
        api_token="root-token-0123456789",
        stack={
            "kv": {
                "backend": "redis",
                "url": f"redis://127.0.0.1:{redis_server.port}/0",
                "retries": 0,
                "socket_connect_timeout": 0.5,
                "socket_timeout": 1.0,
            },
            "embedder": {"backend": "hash"},
        },
    )
    async with AsyncTestClient(app=create_app(settings)) as client:
        client.headers.update(AUTH)
        assert (await client.post("/v1/memories", json={"content": "before the outage"})).status_code == 201

        redis_server.stop()
        response = await client.post("/v1/memories", json={"content": "during the outage"})
        problem = assert_problem(response, 503)
        assert response.headers["retry-after"] == "5"
        assert problem["backend"] == "redis" and "redis" in problem["detail"]
        assert_problem(await client.get("/v1/memories"), 503)
        ready = await client.get("/ready")
        problem = assert_problem(ready, 503)
        assert problem["backends"]["kv"].startswith("failed") and problem["backends"]["vectors"] == "ok"
        assert (await client.get("/health")).status_code == 200  # liveness does not touch backends

        redis_server.start()  # same port, no app restart
        for _ in range(50):
            response = await client.post("/v1/memories", json={"content": "after the outage"})
            if response.status_code == 201:
                break
            await asyncio.sleep(0.1)
        assert response.status_code == 201, response.text
        assert (await client.get("/ready")).status_code == 200
