"""Memory footprint: RSS of the embedded default (sqlite + numpy) holding N 384-d memories, against their raw size.

    .venv-bench/bin/python benchmarks/memory_footprint.py [--memories 1000000] [--queries 50]

Raw size = N x 384 x 4 bytes of float32 vectors + the UTF-8 bytes of the texts.
The store is filled in this process (dense embedding-like vectors precomputed, stored
through ``engine.store_many``; importance given, dedupe ``allow``), closed, then
a fresh child process opens it the way a restarted server does (``open_engine``
rebuilds the numpy index from SQLite). The child reports its RSS after imports,
after opening and after a few searches, and the sizes of the index arrays; the
figure compared with the 2x target is the child's RSS growth from opening.
The embedder is ``hash`` so that no model weights are counted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import _common as C


async def fill(spec: C.StackSpec, count: int, batch: int) -> dict[str, Any]:
    texts = C.memory_texts(count, seed=21)
    vectors = C.embedding_like_vectors(texts, cache_name=f"dense-seed21-{count}")
    raw = {"vectors_bytes": int(vectors.nbytes), "texts_bytes": C.text_bytes(texts)}
    engine = await C.open_soma(spec)
    engine.embedder = C.Precomputed(engine.embedder, C.VectorTable(texts, vectors))
    rss_before = C.rss_bytes()
    started = time.perf_counter()
    next_report = time.perf_counter() + 60
    try:
        for n, start in enumerate(range(0, count, batch)):
            part = texts[start : start + batch]
            await engine.store_many([{"content": t, "importance": 0.5} for t in part], dedupe="allow")
            if time.perf_counter() > next_report:
                done = start + len(part)
                print(f"  {done:,} stored, {done / (time.perf_counter() - started):,.0f}/s", flush=True)
                next_report = time.perf_counter() + 60
        elapsed = time.perf_counter() - started
        rss_after = C.rss_bytes()
    finally:
        await engine.close()
    del vectors, texts
    return raw | {"fill_s": elapsed, "fill_rate": count / elapsed, "filler_rss_before_fill": rss_before,
                  "filler_rss_after_fill": rss_after, "filler_peak_rss": C.peak_rss_bytes()}


async def reopen(spec_json: str, queries: int) -> dict[str, Any]:
    """In the child: open the filled store, report RSS and the index sizes."""
    import soma_core  # noqa: F401 - count import costs in the baseline

    data = json.loads(spec_json)
    spec = C.StackSpec(data["name"], data["embedder"], data_dir=Path(data["data_dir"]), run_id=data["run_id"])
    settings = spec.settings()
    baseline = C.rss_bytes()
    started = time.perf_counter()
    engine = await C.open_soma(spec)
    open_s = time.perf_counter() - started
    after_open = C.rss_bytes()
    arrays = {}
    for ns, index in engine.vectors._indexes.items():
        arrays[ns] = {"rows": index.size, "capacity": index.capacity, "layout": index.storage.kind,
                      "vector_bytes": index.storage.nbytes(),
                      "created_bytes": int(index.created.nbytes), "expires_bytes": int(index.expires.nbytes)}
    texts = C.query_texts(queries, seed=42)
    samples = []
    for q in texts:
        t = time.perf_counter()
        await engine.search(q, 10)
        samples.append(time.perf_counter() - t)
    after_search = C.rss_bytes()
    count = await engine.count()
    await engine.close()
    del settings
    return {"count": count, "child_rss_baseline": baseline, "child_rss_after_open": after_open,
            "child_rss_after_search": after_search, "child_peak_rss": C.peak_rss_bytes(), "open_s": open_s,
            "index_arrays": arrays, "search_incl_hash_embedding": C.percentiles(samples)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memories", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(reopen(args.child, args.queries))))
        return

    spec = C.StackSpec("embedded", "hash")
    try:
        print(f"filling {args.memories:,} memories into {spec.data_dir} ...", flush=True)
        filled = C.run(fill(spec, args.memories, args.batch))
        print(f"filled at {filled['fill_rate']:,.0f}/s; reopening in a fresh process ...", flush=True)
        child_arg = json.dumps({"name": spec.name, "embedder": spec.embedder, "data_dir": str(spec.data_dir),
                                "run_id": spec.run_id})
        done = subprocess.run([sys.executable, __file__, "--child", child_arg, "--queries", str(args.queries)],
                              capture_output=True, text=True, check=True, timeout=4 * 3600)
        opened = json.loads(done.stdout.strip().splitlines()[-1])
        db = spec.data_dir / "soma.sqlite3"
        disk = sum(p.stat().st_size for p in spec.data_dir.glob("soma.sqlite3*"))
    finally:
        spec.cleanup()

    raw = filled["vectors_bytes"] + filled["texts_bytes"]
    growth = opened["child_rss_after_open"] - opened["child_rss_baseline"]
    result = filled | opened | {"memories": args.memories, "raw_bytes": raw, "rss_growth_bytes": growth,
                                "growth_over_raw": growth / raw, "rss_over_raw": opened["child_rss_after_open"] / raw,
                                "sqlite_bytes": disk, "sqlite_file": db.name}
    mib = 2**20
    C.print_table(
        f"Memory footprint, embedded default, {args.memories:,} memories (384-d)",
        ["measure", "MiB", "x raw"],
        [
            ["raw: vectors (float32)", filled["vectors_bytes"] / mib, None],
            ["raw: texts (UTF-8)", filled["texts_bytes"] / mib, None],
            ["raw total", raw / mib, 1.0],
            ["fresh process after imports", opened["child_rss_baseline"] / mib, None],
            ["fresh process after open (index rebuilt)", opened["child_rss_after_open"] / mib,
             opened["child_rss_after_open"] / raw],
            ["  growth from opening", growth / mib, growth / raw],
            [f"  after {args.queries} searches", opened["child_rss_after_search"] / mib, opened["child_rss_after_search"] / raw],
            ["  peak while opening", opened["child_peak_rss"] / mib, opened["child_peak_rss"] / raw],
            ["filling process after fill", filled["filler_rss_after_fill"] / mib, filled["filler_rss_after_fill"] / raw],
            ["filling process peak", filled["filler_peak_rss"] / mib, filled["filler_peak_rss"] / raw],
            ["SQLite files on disk", disk / mib, disk / raw],
        ],
    )
    for ns, a in opened["index_arrays"].items():
        print(f"  index {ns!r}: {a['rows']:,} rows, capacity {a['capacity']:,}, {a['layout']} vectors {a['vector_bytes'] / mib:,.0f} MiB")
    print(f"  open (rebuild) took {opened['open_s']:.1f}s; fill {filled['fill_rate']:,.0f}/s; "
          f"search p50 {opened['search_incl_hash_embedding']['p50_ms']:.1f} ms")
    C.write_json("memory_footprint", {"params": vars(args), "target_growth_over_raw": 2.0, "result": result})


if __name__ == "__main__":
    main()
