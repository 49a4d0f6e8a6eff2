"""A real `chroma run` server for tests: start on a free port, wait for its heartbeat, stop.

Used by this plugin's tests and by end-to-end tests elsewhere::

    server = ChromaServer(tmp_path / "chroma-data")
    server.start()          # RuntimeError (with the log's tail) if it never answers
    ...ChromaConfig(host=server.host, port=server.port)...
    server.stop()           # terminate, then kill; safe to call twice
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

STARTUP_SECONDS = 30.0


def free_port() -> int:
    """A TCP port nothing listens on (right now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def chroma_executable() -> Path:
    """The `chroma` command installed beside this Python (chromadb's console script)."""
    return Path(sys.executable).with_name("chroma")


class ChromaServer:
    """One `chroma run` process on 127.0.0.1 keeping its data in ``data``; restartable on the same port."""

    def __init__(self, data: Path, port: int | None = None) -> None:
        self.data = Path(data)
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = self.data.with_suffix(".log")

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = STARTUP_SECONDS) -> None:
        """Start the server and wait (at most ``timeout`` seconds) until its heartbeat answers."""
        binary = chroma_executable()
        if not binary.exists():
            raise RuntimeError(f"`chroma` executable not found next to {sys.executable}; install chromadb")
        command = [str(binary), "run", "--path", str(self.data), "--host", self.host, "--port", str(self.port)]
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        tail = self.log.read_text(errors="replace")[-2000:]
        self.stop()
        raise RuntimeError(f"chroma server on port {self.port} gave no heartbeat within {timeout:g}s:\n{tail}")

    def stop(self) -> None:
        """Terminate the server (kill it if it lingers); nothing happens if it is not running."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def running_server(data: Path) -> Iterator[ChromaServer]:
    """A started server on a free port, stopped when the block ends (a ready-made pytest fixture body)."""
    server = ChromaServer(data)
    server.start()
    try:
        yield server
    finally:
        server.stop()
