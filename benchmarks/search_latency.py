"""Search latency p50/p95/p99 against the number of memories, per vector backend, with a plot.

    .venv-bench/bin/python benchmarks/search_latency.py --backend numpy [--sizes 10000,100000,1000000]
        [--queries 200] [--embedder minilm] [--no-http] [--max-fill-minutes 30] [--profile SIZE]
    .venv-bench/bin/python benchmarks/search_latency.py --plot-only

Backends and their stacks: numpy = the embedded default (sqlite + numpy),
qdrant = postgres + qdrant (local path mode), chroma = redis + chroma (embedded).

How the store is filled: the memories are realistic short texts, but their
vectors are precomputed (the built-in hash embedder's, turned by a fixed
random rotation so that they are dense like real embeddings, unit-length 384-d;
see ``_common.embedding_like_vectors``) and handed to the engine through a stand-in that answers ``embed_many`` from a
table, so a fill costs Soma's own write path and not the model's. The stored
embedder identity is the configured one (MiniLM by default), so the HTTP server
embeds queries with the real model. Importance is given (0.5) so the scorer does
not query neighbours during the fill; dedupe is ``allow``.

What is timed at each size, on the same data, k=10 (the five in-process
measures interleaved query by query, in rotating order, so that load from
elsewhere on the machine falls on all of them alike):
- ``soma hybrid`` / ``soma dense``: ``engine.search`` in-process, query
  embedding excluded (the embedder is wrapped in a cache warmed by one untimed
  pass over the queries); hybrid is the default mode (dense + lexical index).
- ``soma vectors.query``: the raw query through Soma's vector-store backend
  (``engine.vectors.query``), k=50 as search asks for its candidates.
- ``raw store``: the store queried through its own client, k=50: numpy matmul +
  argpartition on the backend's own matrix; qdrant-client ``query_points`` on
  the namespace's collection (local modes keep one per namespace); chromadb
  ``collection.query``.
- ``exact numpy``: matmul + argpartition over a copy of the same vectors.
- ``HTTP search``: ``POST /v1/search`` one request at a time from this process
  to ``soma serve`` on loopback, query embedding included.
Sizes whose fill is predicted (from the rate so far) to exceed
``--max-fill-minutes`` are skipped and recorded as such.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

import _common as C
import httpx
import numpy as np

BACKENDS = {"numpy": "embedded", "qdrant": "postgres+qdrant", "chroma": "redis+chroma"}
NAMESPACE = "default"
FILL_BATCH = 2000
CANDIDATES = 50  # what engine.search asks the vector store for at k=10
WARM_UP_HTTP = 50


def top_k(matrix: np.ndarray, query: np.ndarray, k: int) -> np.ndarray:
    scores = matrix @ query
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.argsort(-scores[top])]


class RawStore:
    """A query through the backend's own client, on the very data Soma wrote."""

    def __init__(self, backend: str, engine: Any) -> None:
        self.backend = backend
        self.store = engine.vectors

    async def prepare(self) -> None:
        if self.backend == "chroma":
            self.collection = await self.store._catalog.get(NAMESPACE, create=False)

    async def query(self, vector: np.ndarray, k: int) -> Any:
        if self.backend == "numpy":
            index = self.store._indexes[NAMESPACE]
            return top_k(index.storage.matrix[: index.size], vector, k)
        if self.backend == "qdrant":
            from qdrant_client import models
            from soma_qdrant.layout import namespace_collection

            client = self.store._client
            if self.store.config.mode == "url":  # one collection, namespaces as a tenant field
                collection = self.store.config.collection
                where = models.Filter(
                    must=[models.FieldCondition(key="namespace", match=models.MatchValue(value=NAMESPACE))]
                )
            else:  # local modes: a collection per namespace
                collection, where = namespace_collection(self.store.config, NAMESPACE), None
            return await client.query_points(
                collection, query=vector.tolist(), query_filter=where, limit=k, with_payload=False
            )
        if self.backend == "chroma":
            return await asyncio.to_thread(
                self.collection.query, query_embeddings=vector[None, :], n_results=k, include=["distances"]
            )
        raise ValueError(self.backend)


async def fill(engine: Any, texts: list[str], start: int, stop: int) -> float:
    """Store texts[start:stop]; returns memories/s."""
    items = [{"content": t, "importance": 0.5} for t in texts[start:stop]]
    started = time.perf_counter()
    for part in C.chunks(items, FILL_BATCH):
        await engine.store_many(list(part), dedupe="allow")
    return (stop - start) / (time.perf_counter() - started)


async def open_filling(spec: C.StackSpec, table: C.VectorTable) -> tuple[Any, C.QueryCache]:
    engine = await C.open_soma(spec)
    real = engine.embedder
    cache = C.QueryCache(real)
    engine.embedder = C.Precomputed(cache, table)  # fill texts: table; queries: embedded once, then cached
    return engine, cache


async def measure_inprocess(
    engine: Any, raw: RawStore, exact: np.ndarray, queries: list[str], qvecs: np.ndarray, budget: float, k: int
) -> dict[str, Any]:
    """The five in-process measures, interleaved query by query so that other load hits them alike."""
    await raw.prepare()

    async def run_sync(fn: Any) -> Any:
        return fn()

    measures: dict[str, Any] = {
        "soma_hybrid": lambda i: engine.search(queries[i % len(queries)], k, mode="hybrid"),
        "soma_dense": lambda i: engine.search(queries[i % len(queries)], k, mode="dense"),
        "soma_vectors_query": lambda i: engine.vectors.query(NAMESPACE, qvecs[i % len(qvecs)], k=CANDIDATES),
        "raw_store": lambda i: raw.query(qvecs[i % len(qvecs)], CANDIDATES),
        "exact_numpy": lambda i: run_sync(lambda: top_k(exact, qvecs[i % len(qvecs)], CANDIDATES)),
    }
    for i in range(5):  # warm-up
        for fn in measures.values():
            await fn(i)
    samples: dict[str, list[float]] = {name: [] for name in measures}
    names = list(measures)
    deadline = time.perf_counter() + budget * len(measures)
    for i in range(len(queries)):
        for name in names[i % len(names) :] + names[: i % len(names)]:  # rotate the order too
            started = time.perf_counter()
            await measures[name](i)
            samples[name].append(time.perf_counter() - started)
        if time.perf_counter() > deadline:
            break
    return {name: C.percentiles(values) for name, values in samples.items()}


async def breakdown(engine: Any, queries: list[str], k: int) -> dict[str, Any]:
    """Where a hybrid search's time goes: each backend call's time per search (soma_core.instrument).

    The dense and lexical vector queries may run concurrently, so the parts can add up to more than the wall time;
    what the backend calls leave of the wall time is the engine's own Python (ranking, lexical scoring, JSON).
    ``vectors.query`` includes the ``vectors.query_batch`` it calls, when the backend does so.
    """
    from collections import Counter, defaultdict

    from soma_core.instrument import instrument

    totals: dict[str, float] = defaultdict(float)
    calls: Counter[str] = Counter()

    def observe(slot: str, name: str, operation: str, seconds: float, ok: bool) -> None:
        totals[f"{slot}.{operation}"] += seconds
        calls[f"{slot}.{operation}"] += 1

    # instrument() wraps each backend once; later sizes re-point the wrapper at this size's counters
    if not hasattr(engine.stack, "_bench_observer"):
        engine.stack._bench_observer = [observe]
        instrument(engine.stack, lambda *a: engine.stack._bench_observer[0](*a))
    engine.stack._bench_observer[0] = observe
    walls = []
    for q in queries:
        started = time.perf_counter()
        await engine.search(q, k)
        walls.append(time.perf_counter() - started)
    n = len(queries)
    return {"searches": n, "wall_ms_mean": 1000 * sum(walls) / n,
            "ops": {op: {"calls_per_search": calls[op] / n, "ms_per_search": 1000 * totals[op] / n} for op in totals}}


def measure_http(spec: C.StackSpec, queries: list[str], budget: float, k: int) -> dict[str, Any]:
    with C.SomaServer(spec) as server, httpx.Client(base_url=server.url, timeout=120) as http:
        for q in queries[:WARM_UP_HTTP]:  # a fresh server: the model meets new input lengths, caches fill
            http.post("/v1/search", json={"query": q, "k": k}).raise_for_status()

        def one(i: int) -> None:
            http.post("/v1/search", json={"query": queries[i % len(queries)], "k": k}).raise_for_status()

        samples = C.time_each_sync(one, len(queries), budget_s=budget)
        return {"http_search": C.percentiles(samples), "server_startup_s": server.startup_s,
                "server_rss_bytes": C.rss_bytes(server.pid)}


async def run_backend(args: argparse.Namespace) -> dict[str, Any]:
    backend = args.backend
    sizes = sorted(int(s) for s in args.sizes.split(","))
    spec = C.StackSpec(BACKENDS[backend], args.embedder)
    print(f"texts and embedding-like vectors for {sizes[-1]:,} memories ...", flush=True)
    texts = C.memory_texts(sizes[-1], seed=21)
    vectors = C.embedding_like_vectors(texts, cache_name=f"dense-seed21-{sizes[-1]}")
    table = C.VectorTable(texts, vectors)
    queries = C.query_texts(args.queries, seed=22)
    results: list[dict[str, Any]] = []
    engine, cache = await open_filling(spec, table)
    qvecs = await cache.embed_many(queries)  # the real embedder, once, untimed
    filled = 0
    fill_rates: list[float] = []
    try:
        for size in sizes:
            if fill_rates:
                predicted = (size - filled) / fill_rates[-1] / 60
                if predicted > args.max_fill_minutes:
                    note = f"skipped: filling to {size:,} predicted {predicted:.0f} min at {fill_rates[-1]:.0f}/s"
                    print(f"  {size:,}: {note}", flush=True)
                    results.append({"size": size, "skipped": note})
                    continue
            print(f"  filling to {size:,} ...", flush=True)
            fill_rates.append(await fill(engine, texts, filled, size))
            filled = size
            row: dict[str, Any] = {"size": size, "fill_rate": fill_rates[-1]}
            print(f"  {size:,}: filled at {fill_rates[-1]:,.0f}/s; measuring in-process", flush=True)
            raw = RawStore(backend, engine)
            row |= await measure_inprocess(engine, raw, vectors[:size], queries, qvecs, args.budget, args.k)
            if args.profile == size:  # hybrid searches alone, after the timed measures
                profiler = _profiler()
                for q in queries:
                    await engine.search(q, args.k)
                _save_profile(profiler, f"profile-search-{backend}-{size}")
            row["breakdown"] = await breakdown(engine, queries, args.k)
            if not args.no_http:
                print(f"  {size:,}: measuring over HTTP", flush=True)
                exclusive = backend != "numpy"  # qdrant path and chroma embedded: one process at a time
                if exclusive:
                    await engine.close()
                try:
                    row |= measure_http(spec, queries, args.budget, args.k)
                finally:
                    if exclusive:
                        engine, cache = await open_filling(spec, table)
                        await cache.embed_many(queries)
            results.append(row)
            _print_row(backend, row)
            _print_breakdown(row)
    finally:
        await engine.close()
        spec.cleanup()
    return {"backend": backend, "stack": BACKENDS[backend], "embedder": args.embedder, "k": args.k,
            "queries": args.queries, "rows": results}


def _print_row(backend: str, row: dict[str, Any]) -> None:
    series = ["soma_hybrid", "soma_dense", "soma_vectors_query", "raw_store", "exact_numpy", "http_search"]
    C.print_table(
        f"{backend} at {row['size']:,} memories (ms)",
        ["measure", "p50", "p95", "p99", "n"],
        [[s, row[s]["p50_ms"], row[s]["p95_ms"], row[s]["p99_ms"], row[s]["n"]] for s in series if s in row],
    )


def _print_breakdown(row: dict[str, Any]) -> None:
    b = row.get("breakdown")
    if not b:
        return
    rows = [[op, v["calls_per_search"], v["ms_per_search"]] for op, v in sorted(b["ops"].items())]
    C.print_table(f"hybrid search at {row['size']:,}: mean wall {b['wall_ms_mean']:.2f} ms; backend calls per search",
                  ["operation", "calls", "ms"], rows)


def summary(data: dict[str, Any]) -> list[list[Any]]:
    out = []
    for row in data["rows"]:
        if "skipped" in row:
            out.append([data["backend"], row["size"], row["skipped"]])
            continue

        def get(series: str, p: str = "p50_ms", row: dict[str, Any] = row) -> float | None:
            return row.get(series, {}).get(p)

        out.append([
            data["backend"], row["size"], f"{row['fill_rate']:,.0f}/s",
            get("soma_hybrid"), get("soma_hybrid", "p95_ms"), get("soma_hybrid", "p99_ms"), get("soma_dense"),
            get("soma_vectors_query"), get("raw_store"), get("exact_numpy"),
            C.ratio(get("soma_dense"), get("raw_store")), C.ratio(get("soma_hybrid"), get("raw_store")),
            get("http_search"),
        ])
    return out


SUMMARY_HEADERS = ["backend", "size", "fill", "hybrid p50", "p95", "p99", "dense p50", "vectors.query p50",
                   "raw store p50", "exact numpy p50", "dense/raw", "hybrid/raw", "HTTP p50"]


def plot(path: Any) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    files = sorted(C.RESULTS.glob("search_latency-*.json"))
    if not files:
        raise SystemExit("no benchmarks/results/search_latency-*.json yet")
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8), sharey=True)
    colours = {"numpy": "tab:blue", "qdrant": "tab:red", "chroma": "tab:green"}
    for file in files:
        data = json.loads(file.read_text())
        rows = [r for r in data["rows"] if "skipped" not in r]
        if not rows:
            continue
        colour = colours.get(data["backend"], None)
        sizes = [r["size"] for r in rows]
        for ax, series, label in ((axes[0], "soma_hybrid", "Soma search (hybrid)"),
                                  (axes[1], "raw_store", "raw store query")):
            p50 = [r[series]["p50_ms"] for r in rows]
            p95 = [r[series]["p95_ms"] for r in rows]
            ax.plot(sizes, p50, "o-", color=colour, label=f"{data['backend']} p50")
            ax.plot(sizes, p95, "x--", color=colour, alpha=0.6, label=f"{data['backend']} p95")
            ax.set_title(label)
        if all("http_search" in r for r in rows):
            axes[0].plot(sizes, [r["http_search"]["p50_ms"] for r in rows], "s:", color=colour, alpha=0.8,
                         label=f"{data['backend']} HTTP p50 (incl. embedding)")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("memories")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    axes[0].set_ylabel("latency (ms), k=10")
    fig.suptitle("Search latency against size (in-process excludes query embedding; HTTP includes it)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"plot: {path}")


def _profiler() -> Any:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005, async_mode="enabled")
    profiler.start()
    return profiler


def _save_profile(profiler: Any, name: str) -> None:
    profiler.stop()
    path = C.RESULTS / f"{name}.txt"
    path.write_text(profiler.output_text(unicode=False, color=False))
    print(f"profile: {path.relative_to(C.REPO)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=sorted(BACKENDS), default="numpy")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=200, help="timed searches per measure (default 200)")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds at most per measure (default 60)")
    parser.add_argument("--embedder", choices=C.EMBEDDERS, default="minilm", help="identity of the stored vectors")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--max-fill-minutes", type=float, default=30.0)
    parser.add_argument("--profile", type=int, metavar="SIZE", help="pyinstrument the in-process measures at this size")
    parser.add_argument("--plot-only", action="store_true", help="redraw the plot from the JSON files")
    parser.add_argument("--plot", default=str(C.RESULTS / "search_latency.png"))
    args = parser.parse_args()
    if not args.plot_only:
        data = C.run(run_backend(args))
        C.print_table(f"Search latency, ms (k={args.k})", SUMMARY_HEADERS, summary(data))
        C.write_json(f"search_latency-{args.backend}", data)
    for file in sorted(C.RESULTS.glob("search_latency-*.json")):
        if not args.plot_only:
            break
        C.print_table(f"Search latency, ms ({file.name})", SUMMARY_HEADERS, summary(json.loads(file.read_text())))
    try:
        plot(args.plot)
    except ImportError:
        print("matplotlib is not installed: no plot (pip install -r benchmarks/requirements.txt)")


if __name__ == "__main__":
    main()
