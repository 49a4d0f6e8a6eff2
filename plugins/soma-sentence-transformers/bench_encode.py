"""Encode rate of the bundled all-MiniLM-L6-v2 on this machine, in texts per second.

Run from the repo root:
    .venv/bin/python plugins/soma-sentence-transformers/bench_encode.py [--texts 1000] [--batch-size 64]

Measures the raw ``SentenceTransformer.encode`` rate and the rate through the
plugin's ``embed_batch`` (worker threads, per-batch calls), after one warm-up pass.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import platform
import statistics
import time
from collections.abc import Awaitable, Callable

from soma_sentence_transformers import SentenceTransformersEmbedder

SUBJECTS = ["The user", "My manager", "A customer", "The new intern", "Our team", "The agent", "Alice", "Bob"]
VERBS = ["prefers", "asked about", "forgot", "scheduled", "cancelled", "mentioned", "is allergic to", "likes"]
OBJECTS = [
    "dark mode in the editor",
    "the quarterly report",
    "a meeting on Friday",
    "peanuts",
    "the Berlin office",
    "green tea in the morning",
    "the password reset flow",
    "flights to Lisbon",
    "the Python 3.11 upgrade",
    "weekly status emails",
    "the blue notebook",
    "vegetarian restaurants nearby",
    "the API rate limits",
]


def sentences(count: int) -> list[str]:
    """``count`` distinct short sentences (5-10 words), deterministic."""
    combos = itertools.islice(itertools.cycle(itertools.product(SUBJECTS, VERBS, OBJECTS)), count)
    return [f"{s} {v} {o} (note {i})." for i, (s, v, o) in enumerate(combos)]


async def timed(runs: dict[str, Callable[[], Awaitable[object]]], repeats: int) -> dict[str, list[float]]:
    """Seconds per run of each callable, interleaved so that load drift hits all of them alike."""
    times: dict[str, list[float]] = {label: [] for label in runs}
    for _ in range(repeats):
        for label, run in runs.items():
            started = time.perf_counter()
            await run()
            times[label].append(time.perf_counter() - started)
    return times


async def main(count: int, batch_size: int, repeats: int) -> None:
    texts = sentences(count)
    embedder = SentenceTransformersEmbedder(SentenceTransformersEmbedder.Config(batch_size=batch_size))
    started = time.perf_counter()
    await embedder.open()
    print(f"model {embedder.identity} ({embedder.dim}-d) opened in {time.perf_counter() - started:.1f} s")
    model = embedder.model.model
    import torch

    print(
        f"python {platform.python_version()}, torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
    )

    async def raw() -> None:
        model.encode(texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False)

    async def plugin() -> None:
        await embedder.embed_batch(texts)

    await raw()  # warm-up
    results = await timed({"raw encode": raw, "plugin embed_batch": plugin}, repeats)
    for label, seconds in results.items():
        median, best = count / statistics.median(seconds), count / min(seconds)
        print(f"{label:>18}: {median:5.0f} texts/s median, {best:5.0f} best ({count} texts, batch {batch_size})")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    await embedder.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    asyncio.run(main(args.texts, args.batch_size, args.repeats))
