"""Store throughput (memories/s): single and batched, in-process and over HTTP, per stack and embedder.

    .venv-bench/bin/python benchmarks/store_throughput.py [--stacks embedded,postgres+qdrant,redis+chroma]
        [--embedders minilm,hash] [--count 2000] [--single 200] [--batch-size 256] [--rounds 4] [--no-http]
        [--profile]

For each embedder the limit is its raw encode rate on the very texts the
batched store writes (``SentenceTransformer.encode`` on the model the plugin
loads, batch 64, run on the plugin's own encode thread, for MiniLM; the hash embedder's own per-text function for
hash). The batched texts are split into ``--rounds`` parts; for each part the
raw rate is measured, then Soma stores the same part, and the reported ratio is
the median of the per-part ratios (in-process: ``engine.store_many`` in
``--batch-size`` items; HTTP: ``POST /v1/memories/batch`` from this process to
``soma serve`` on loopback, raw encode measured in this process). Single
stores are ``engine.store`` / ``POST /v1/memories`` one at a time. Importance is left to the configured scorer and dedupe is ``allow``,
as ``engine.store_many(items, dedupe="allow")`` does.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import _common as C
import httpx


class RawEncoder:
    """The embedder itself, outside Soma: ``SentenceTransformer.encode`` (the very model the plugin loads) or the
    hash embedder's own per-text function plus one normalisation."""

    def __init__(self, embedder: str) -> None:
        self.embedder = embedder
        self.loaded: Any = None
        if embedder == "minilm":
            from soma_sentence_transformers.models import get_model, resolve

            self.loaded = get_model(resolve("all-MiniLM-L6-v2"), "cpu", local_files_only=True)

    def rate(self, texts: Sequence[str]) -> float:
        started = time.perf_counter()
        if self.loaded is not None:
            # on the model's own encode thread, as the plugin calls it: torch keeps a team of OpenMP threads per
            # calling thread, and a second team in the process would slow both the raw rate and Soma's
            self.loaded.thread.submit(
                self.loaded.model.encode, list(texts), batch_size=64, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=False,
            ).result()
        else:
            C.hash_vectors(list(texts))
        return len(texts) / (time.perf_counter() - started)


async def interleaved(raw: RawEncoder, texts: list[str], rounds: int,
                      store_round: Callable[[Sequence[str]], Awaitable[None]]) -> dict[str, Any]:
    """Per round: the raw encode rate on the round's texts, then Soma storing the same texts; the ratio per round.

    Interleaving keeps both sides of each ratio within seconds of each other, so a machine whose load drifts
    (a shared one) skews the ratio less than one long run of each would.
    """
    size = -(-len(texts) // rounds)
    raws, somas, ratios = [], [], []
    total_s = 0.0
    for part in C.chunks(texts, size):
        raws.append(raw.rate(part))
        started = time.perf_counter()
        await store_round(part)
        elapsed = time.perf_counter() - started
        total_s += elapsed
        somas.append(len(part) / elapsed)
        ratios.append(somas[-1] / raws[-1])
    return {"rate": len(texts) / total_s, "raw_rates": raws, "soma_rates": somas, "ratios": ratios,
            "ratio_median": statistics.median(ratios), "raw_median": statistics.median(raws)}


async def in_process(spec: C.StackSpec, texts: list[str], singles: list[str], batch: int, rounds: int,
                     profile: bool) -> dict[str, Any]:
    engine = await C.open_soma(spec)
    raw = RawEncoder(spec.embedder)
    try:
        await engine.store_many(C.memory_texts(16, seed=999), dedupe="allow")  # warm-up: model, tables, plans
        raw.rate(texts[:64])

        started = time.perf_counter()
        for text in singles:
            await engine.store(text, dedupe="allow")
        single = len(singles) / (time.perf_counter() - started)

        async def store_round(part: Sequence[str]) -> None:
            for chunk in C.chunks(part, batch):
                await engine.store_many(list(chunk), dedupe="allow")

        profiler = _profiler() if profile else None
        batched = await interleaved(raw, texts, rounds, store_round)
        if profiler is not None:
            _save_profile(profiler, f"profile-store-{spec.name}-{spec.embedder}")
        return {"single": single, "batched": batched}
    finally:
        await engine.close()


def over_http(spec: C.StackSpec, texts: list[str], singles: list[str], batch: int, rounds: int) -> dict[str, Any]:
    raw = RawEncoder(spec.embedder)  # in this (client) process, while the server waits
    with C.SomaServer(spec) as server, httpx.Client(base_url=server.url, timeout=300) as http:
        warm = http.post("/v1/memories/batch", json={"items": [{"content": t} for t in C.memory_texts(16, seed=998)]})
        warm.raise_for_status()
        raw.rate(texts[:64])
        started = time.perf_counter()
        for text in singles:
            http.post("/v1/memories", json={"content": text}).raise_for_status()
        single = len(singles) / (time.perf_counter() - started)

        async def store_round(part: Sequence[str]) -> None:
            for chunk in C.chunks(part, batch):
                http.post("/v1/memories/batch", json={"items": [{"content": t} for t in chunk]}).raise_for_status()

        batched = C.run(interleaved(raw, texts, rounds, store_round))
        return {"single": single, "batched": batched, "server_startup_s": server.startup_s,
                "server_rss_bytes": C.rss_bytes(server.pid)}


def _profiler() -> Any:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001, async_mode="enabled")
    profiler.start()
    return profiler


def _save_profile(profiler: Any, name: str) -> None:
    profiler.stop()
    C.RESULTS.mkdir(parents=True, exist_ok=True)
    path = C.RESULTS / f"{name}.txt"
    path.write_text(profiler.output_text(unicode=False, color=False, show_all=False))
    print(f"profile: {path.relative_to(C.REPO)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stacks", default=",".join(C.STACKS))
    parser.add_argument("--embedders", default=",".join(C.EMBEDDERS))
    parser.add_argument("--count", type=int, default=2000, help="memories stored in batches (default 2000)")
    parser.add_argument("--single", type=int, default=200, help="memories stored one at a time (default 200)")
    parser.add_argument("--batch-size", type=int, default=256, help="items per store_many / POST batch")
    parser.add_argument("--rounds", type=int, default=4, help="raw/Soma alternations for the batched ratios")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP measurements")
    parser.add_argument("--profile", action="store_true", help="pyinstrument the batched in-process store")
    args = parser.parse_args()

    texts = C.memory_texts(args.count, seed=11)
    singles = C.memory_texts(args.single, seed=12)
    rows: list[dict[str, Any]] = []
    for embedder in args.embedders.split(","):
        for stack in args.stacks.split(","):
            print(f"... {stack} / {embedder}", flush=True)
            spec = C.StackSpec(stack, embedder)
            try:
                inproc = C.run(in_process(spec, texts, singles, args.batch_size, args.rounds, args.profile))
            finally:
                spec.cleanup()
            b = inproc["batched"]
            row: dict[str, Any] = {
                "stack": stack,
                "embedder": embedder,
                "raw_encode": b["raw_median"],
                "inproc_single": inproc["single"],
                "inproc_batched": b["rate"],
                "inproc_batched_ratio": b["ratio_median"],
                "inproc_rounds": b,
            }
            if not args.no_http:
                spec = C.StackSpec(stack, embedder)
                try:
                    http = over_http(spec, texts, singles, args.batch_size, args.rounds)
                finally:
                    spec.cleanup()
                h = http["batched"]
                row |= {
                    "http_raw_encode": h["raw_median"],
                    "http_single": http["single"],
                    "http_batched": h["rate"],
                    "http_batched_ratio": h["ratio_median"],
                    "http_rounds": h,
                    "server_startup_s": http["server_startup_s"],
                    "server_rss_bytes": http["server_rss_bytes"],
                }
            rows.append(row)
            print(f"    in-process batched {b['rate']:.0f}/s, ratio {b['ratio_median']:.2f}"
                  + (f"; HTTP batched {row['http_batched']:.0f}/s, ratio {row['http_batched_ratio']:.2f}"
                     if "http_batched" in row else ""), flush=True)

    keys = ["stack", "embedder", "raw_encode", "inproc_single", "inproc_batched", "inproc_batched_ratio",
            "http_single", "http_batched", "http_batched_ratio"]
    C.print_table(
        f"Store throughput, memories/s ({args.count} stored in batches of {args.batch_size}, {args.single} one at a time)",
        ["stack", "embedder", "raw encode/s", "single", "batched", "batched/raw", "HTTP single", "HTTP batched",
         "HTTP batched/raw"],
        C.flatten(rows, keys),
    )
    C.write_json(
        "store_throughput",
        {"params": {"count": args.count, "single": args.single, "batch_size": args.batch_size, "dedupe": "allow",
                    "importance": "scorer (heuristic)",
                    "rounds": args.rounds},
         "targets": {"inproc_batched_ratio": 0.90, "http_batched_ratio": 0.85},
         "rows": rows},
    )


if __name__ == "__main__":
    main()
