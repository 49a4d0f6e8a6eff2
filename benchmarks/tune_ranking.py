"""Ranking sweep on the dev split: the runs behind the defaults in docs/quality.md.

Stores the dataset once (embedded stack, sentence-transformers) and evaluates
dense, lexical and hybrid with several lexical weights and importance/recency
settings. Tune on the dev split; report on the test split.

    .venv/bin/python benchmarks/tune_ranking.py datasets/conversations-dev.jsonl
"""

from __future__ import annotations

import asyncio
import sys
import tempfile

from soma_core import load_settings, open_engine
from soma_core.evaluation import SearchConfig, evaluate, load_dataset

PURE = {"importance": 0.0, "recency": 0.0}


def configs() -> list[SearchConfig]:
    runs = [SearchConfig("dense", PURE, "dense-only"), SearchConfig("lexical", PURE, "lexical-only")]
    runs += [SearchConfig("hybrid", {**PURE, "lexical_weight": lam}, f"hybrid l={lam}") for lam in (0.1, 0.2, 0.3, 0.4, 0.5)]
    runs.append(SearchConfig("hybrid", {**PURE, "fusion": "rrf"}, "hybrid rrf"))
    for imp, rec, half_life in ((0.05, 0.05, 30), (0.05, 0.05, 90), (0.1, 0.1, 180), (0.15, 0.15, 30)):
        weights = {"relevance": 1 - imp - rec, "importance": imp, "recency": rec, "half_life_days": half_life}
        runs.append(SearchConfig("hybrid", weights, f"hybrid l=0.3 imp={imp} rec={rec} hl={half_life}"))
    return runs


async def main(path: str) -> None:
    settings = load_settings(
        data_dir=tempfile.mkdtemp(prefix="soma-tune-"),
        stack={"embedder": {"backend": "sentence-transformers"}},
        plugins={"load": ["sentence-transformers"]},
    )
    engine = await open_engine(settings)
    try:
        report = await evaluate(engine, load_dataset(path), configs=configs(), k=10)
    finally:
        await engine.close()
    print(report.to_text())


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "datasets/conversations-dev.jsonl"))
