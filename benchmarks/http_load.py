"""HTTP throughput and latency under a bounded load: recall-by-id and search, from a second process.

    .venv-bench/bin/python benchmarks/http_load.py [--stack embedded] [--embedder minilm] [--memories 10000]
        [--ops recall,search] [--concurrency 1,8] [--duration 20] [--max-requests 5000] [--profile]

The store is filled in-process (precomputed hash vectors, as search_latency.py
does), then ``soma serve`` runs on 127.0.0.1 and a load generator runs in a
separate Python process (``--worker``): asyncio + httpx, ``concurrency``
requests in flight, stopping after ``--max-requests`` or ``--duration``
seconds, whichever comes first. Only loopback addresses are used. Search
requests include query embedding with the configured embedder. With
``--profile``, py-spy samples the server process during each load and the
functions of Soma's own code are summarised.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import _common as C

WORKER_TIMEOUT_SLACK_S = 60.0


# -- the load generator (child process) ------------------------------------------------------------


async def load(url: str, op: str, ids: list[str], queries: list[str], concurrency: int, duration: float,
               max_requests: int, k: int) -> dict[str, Any]:
    import httpx

    if not url.startswith(("http://127.", "http://localhost", "http://[::1]")):
        raise SystemExit("the load generator only targets loopback addresses")
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    issued = 0
    deadline = time.perf_counter() + duration
    rng = random.Random(7)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def client_loop(http: httpx.AsyncClient) -> None:
        nonlocal issued
        while issued < max_requests and time.perf_counter() < deadline:
            issued += 1
            started = time.perf_counter()
            try:
                if op == "recall":
                    response = await http.get(f"/v1/memories/{rng.choice(ids)}")
                else:
                    response = await http.post("/v1/search", json={"query": rng.choice(queries), "k": k})
                statuses[response.status_code] += 1
            except httpx.HTTPError as exc:
                statuses[-1] += 1
                print(f"request failed: {type(exc).__name__}: {exc}", file=sys.stderr)
                continue
            latencies.append(time.perf_counter() - started)

    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client_loop(http) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    ok = sum(n for s, n in statuses.items() if 200 <= s < 300)
    return {"op": op, "concurrency": concurrency, "requests": sum(statuses.values()), "ok": ok,
            "statuses": {str(s): n for s, n in statuses.items()}, "elapsed_s": elapsed,
            "rps": ok / elapsed if elapsed else 0.0, **C.percentiles(latencies)}


def worker_main(args: argparse.Namespace) -> None:
    data = json.loads(Path(args.inputs).read_text())
    result = asyncio.run(load(args.url, args.op, data["ids"], data["queries"], args.concurrency, args.duration,
                              args.max_requests, args.k))
    print(json.dumps(result))


# -- the driver ------------------------------------------------------------------------------------


async def prepare(spec: C.StackSpec, count: int) -> list[str]:
    texts = C.memory_texts(count, seed=31)
    vectors = C.hash_vectors(texts, cache_name=f"hash-seed31-{count}")
    engine = await C.open_soma(spec)
    engine.embedder = C.Precomputed(engine.embedder, C.VectorTable(texts, vectors))
    ids: list[str] = []
    try:
        for part in C.chunks(texts, 2000):
            ids += await engine.store_many([{"content": t, "importance": 0.5} for t in part], dedupe="allow")
    finally:
        await engine.close()
    return ids


def run_worker(url: str, op: str, inputs: Path, concurrency: int, duration: float, max_requests: int,
               k: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--worker", "--url", url, "--op", op, "--inputs", str(inputs),
               "--concurrency", str(concurrency), "--duration", str(duration), "--max-requests", str(max_requests),
               "--k", str(k)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + WORKER_TIMEOUT_SLACK_S,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def py_spy(pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(C.BIN / "py-spy"), "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "200",
         "--format", "raw", "--output", str(out), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


ENTRY_FRAMES = ("<module> (soma", "main (soma_core/cli", "cmd_serve (", "serve (soma_server/serve.py")


def summarize_collapsed(path: Path, top: int = 15) -> dict[str, list[tuple[str, float]]]:
    """From py-spy's collapsed stacks (idle excluded): where the server's busy samples are.

    ``self_by_package``: the innermost frame's package (soma_core, litestar, sqlite3 via threading, torch, ...);
    ``soma_inclusive``: Soma's own functions (soma_core, soma_server, plugins), each counted once per sample with
    everything it calls, without the start-up frames every sample shares. Percentages of busy samples.
    """
    by_package: Counter[str] = Counter()
    soma: Counter[str] = Counter()
    samples = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        samples += n
        frames = stack.split(";")
        by_package[_package(frames[-1])] += n
        seen = set()
        for frame in frames:
            name = frame.rsplit(":", 1)[0] + ")" if ":" in frame else frame
            if frame.startswith(ENTRY_FRAMES) or name in seen:
                continue
            if any(mark in frame for mark in ("(soma_core/", "(soma_server/", "(soma_", "(plugins/")):
                seen.add(name)
                soma[name] += n
    if not samples:
        return {"self_by_package": [], "soma_inclusive": []}
    pct = lambda counter: [(k, 100.0 * v / samples) for k, v in counter.most_common(top)]
    return {"self_by_package": pct(by_package), "soma_inclusive": pct(soma)}


def _package(frame: str) -> str:
    inside = frame[frame.rfind("(") + 1 :].rstrip(")")
    path = inside.split(":")[0]
    head = path.split("/")[0]
    return head if head else path


def print_profiles(profiles: dict[str, dict[str, list[tuple[str, float]]]]) -> None:
    for name, summary in profiles.items():
        C.print_table(f"py-spy, server during {name}: innermost frame by package, % of busy samples",
                      ["package", "%"], [list(x) for x in summary["self_by_package"]])
        C.print_table(f"py-spy, server during {name}: Soma's functions, inclusive % of busy samples",
                      ["function (file)", "%"], [list(x) for x in summary["soma_inclusive"]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", choices=C.STACKS, default="embedded")
    parser.add_argument("--embedder", choices=C.EMBEDDERS, default="minilm")
    parser.add_argument("--memories", type=int, default=10_000)
    parser.add_argument("--ops", default="recall,search")
    parser.add_argument("--concurrency", default="1,8", help="comma-separated in-flight request counts")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per load, at most (default 20)")
    parser.add_argument("--max-requests", type=int, default=5000, help="requests per load, at most (default 5000)")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--profile", action="store_true", help="py-spy the server during each load")
    parser.add_argument("--summarize", nargs="+", metavar="FILE", help="only summarise saved py-spy files")
    # the worker's own arguments
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--op", help=argparse.SUPPRESS)
    parser.add_argument("--inputs", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        args.concurrency = int(args.concurrency)
        worker_main(args)
        return
    if args.summarize:
        print_profiles({Path(f).name: summarize_collapsed(Path(f)) for f in args.summarize})
        return

    spec = C.StackSpec(args.stack, args.embedder)
    rows: list[dict[str, Any]] = []
    profiles: dict[str, list[tuple[str, float]]] = {}
    try:
        print(f"filling {args.memories:,} memories ...", flush=True)
        ids = C.run(prepare(spec, args.memories))
        inputs = spec.data_dir / "load-inputs.json"
        inputs.write_text(json.dumps({"ids": ids, "queries": C.query_texts(500, seed=32)}))
        with C.SomaServer(spec) as server:
            print(f"server up in {server.startup_s:.1f}s at {server.url}; rss {C.rss_bytes(server.pid) / 2**20:.0f} MiB",
                  flush=True)
            for op in args.ops.split(","):
                run_worker(server.url, op, inputs, 1, 3, 50, args.k)  # warm-up
                for concurrency in (int(c) for c in args.concurrency.split(",")):
                    spy = None
                    if args.profile:
                        out = C.RESULTS / f"pyspy-http-{op}-c{concurrency}-{args.stack}-{args.embedder}.txt"
                        C.RESULTS.mkdir(parents=True, exist_ok=True)
                        spy = py_spy(server.pid, args.duration, out)
                    result = run_worker(server.url, op, inputs, concurrency, args.duration, args.max_requests, args.k)
                    if spy is not None:
                        spy.wait(timeout=args.duration + 60)
                        if out.exists():
                            profiles[f"{op}-c{concurrency}"] = summarize_collapsed(out)
                    rows.append({"stack": args.stack, "embedder": args.embedder, "memories": args.memories} | result)
                    print(f"  {op} c={concurrency}: {result['rps']:.0f} req/s, p50 {result.get('p50_ms', 0):.1f} ms",
                          flush=True)
            server_rss = C.rss_bytes(server.pid)
    finally:
        spec.cleanup()

    C.print_table(
        f"HTTP load, {args.stack} / {args.embedder}, {args.memories:,} memories (bounded: "
        f"{args.duration:g}s or {args.max_requests} requests per row)",
        ["op", "concurrency", "requests", "non-2xx", "req/s", "p50 ms", "p95 ms", "p99 ms"],
        [[r["op"], r["concurrency"], r["requests"], r["requests"] - r["ok"], r["rps"], r.get("p50_ms"),
          r.get("p95_ms"), r.get("p99_ms")] for r in rows],
    )
    print_profiles(profiles)
    C.write_json(f"http_load-{args.stack}-{args.embedder}",
                 {"params": vars(args) | {"loopback_only": True}, "server_rss_bytes": server_rss, "rows": rows,
                  "profiles": profiles})


if __name__ == "__main__":
    main()
