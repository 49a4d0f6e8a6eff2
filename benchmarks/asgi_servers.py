"""uvicorn or granian: which ASGI server serves Soma faster on this machine?

Both run the same app (``soma_server.asgi:app_from_env``, one worker, embedded
stack with the hash embedder, 2,000 memories) on 127.0.0.1; a load generator in
a second process keeps ``--concurrency`` requests in flight for ``--duration``
seconds (bounded) against recall-by-id and search, and the table gives
requests/s and latency percentiles.

    .venv-bench/bin/pip install granian
    .venv-bench/bin/python benchmarks/asgi_servers.py [--duration 10] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def fill(config: Path, count: int) -> list[str]:
    from soma_core import load_settings, open_engine

    engine = await open_engine(load_settings(config))
    try:
        texts = [f"memory {i}: note about topic {i % 97} and item {random.randint(0, 10**6)}" for i in range(count)]
        return await engine.store_many(texts, dedupe="allow")
    finally:
        await engine.close()


def start(server: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    factory = "soma_server.asgi:app_from_env"
    if server == "uvicorn":
        cmd = [str(BIN / "uvicorn"), "--factory", factory, "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning"]
    else:
        cmd = [str(BIN / "granian"), "--interface", "asgi", "--factory", "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--log-level", "warning", factory]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait(url: str, timeout: float = 120.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit(f"server at {url} did not come up")


async def load(url: str, op: str, ids: list[str], concurrency: int, duration: float, cap: int) -> dict[str, float]:
    import httpx

    latencies: list[float] = []
    stop = time.monotonic() + duration
    async with httpx.AsyncClient(base_url=url, timeout=30.0, limits=httpx.Limits(max_connections=concurrency)) as client:

        async def worker() -> None:
            while time.monotonic() < stop and len(latencies) < cap:
                started = time.perf_counter()
                if op == "recall":
                    response = await client.get(f"/v1/memories/{random.choice(ids)}")
                else:
                    response = await client.post("/v1/search", json={"query": f"topic {random.randint(0, 96)}", "k": 10})
                response.raise_for_status()
                latencies.append(time.perf_counter() - started)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return {"requests": len(latencies), "rps": len(latencies) / elapsed, "p50_ms": pick(0.5), "p99_ms": pick(0.99)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--max-requests", type=int, default=50_000)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:  # the load generator, in its own process
        url, op, ids = json.loads(args.worker)
        print(json.dumps(asyncio.run(load(url, op, ids, args.concurrency, args.duration, args.max_requests))))
        return
    data = Path(tempfile.mkdtemp(prefix="soma-asgi-"))
    config = data / "soma.yaml"
    config.write_text(f"data_dir: {data}\nstack: {{embedder: {{backend: hash}}}}\nplugins: {{load: []}}\ndedupe: {{mode: allow}}\n")
    ids = asyncio.run(fill(config, 2000))
    env = {**os.environ, "SOMA_CONFIG": str(config)}
    rows = []
    for server in ("uvicorn", "granian"):
        port = free_port()
        proc = start(server, port, env)
        try:
            url = f"http://127.0.0.1:{port}"
            wait(url)
            for op in ("recall", "search"):
                out = subprocess.run(
                    [sys.executable, __file__, "--worker", json.dumps([url, op, ids]), "--duration", str(args.duration),
                     "--concurrency", str(args.concurrency), "--max-requests", str(args.max_requests)],
                    capture_output=True, text=True, timeout=args.duration + 120, check=True,
                )
                rows.append({"server": server, "op": op, **json.loads(out.stdout)})
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    print(f"{'server':8} {'op':7} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for row in rows:
        print(f"{row['server']:8} {row['op']:7} {row['requests']:>8} {row['rps']:>8.0f} {row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f}")
    out_dir = Path(__file__).parent / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "asgi_servers.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
