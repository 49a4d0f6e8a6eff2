"""Retrieval quality on a dataset: recall@1/5/10, MRR and nDCG@10 per search mode (docs/evaluation.md).

    .venv/bin/python benchmarks/eval.py DATASET [--mode dense --mode hybrid ...] [--config soma.yaml]
        [--embedder NAME] [--plugins NAME,...] [--data-dir DIR] [--weights JSON] [-k 10] [--json] [--output FILE]

The memories go into a fresh namespace of the configured stack and are deleted
afterwards. Without ``--config`` and ``--data-dir`` the embedded stack runs in a
temporary directory, so nothing touches your own data. Tune on
datasets/conversations-dev.jsonl; report datasets/conversations.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from soma_core import SomaError, load_settings
from soma_core.evaluation import run_eval_cli
from soma_core.retrieval import MODES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", type=Path, help="JSON-lines dataset (docs/evaluation.md)")
    parser.add_argument(
        "--mode", action="append", choices=MODES, help="search mode; repeat for several (default hybrid)"
    )
    parser.add_argument("-c", "--config", help="Soma YAML config (default: $SOMA_CONFIG, else the embedded stack)")
    parser.add_argument("--embedder", help="embedder backend, e.g. sentence-transformers or hash")
    parser.add_argument("--plugins", help="comma-separated plugins to load (default: all installed)")
    parser.add_argument("--data-dir", help="data directory for embedded backends (default: a temporary one)")
    parser.add_argument("--weights", help='ranking overrides as JSON, e.g. {"recency": 0.3}')
    parser.add_argument("-k", type=int, default=10, help="results per query (at least 10)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON (with per-query rankings)")
    parser.add_argument("--output", type=Path, help="also write the JSON report to this file")
    args = parser.parse_args(argv)

    overrides: dict[str, Any] = {}
    if args.embedder:
        overrides["stack"] = {"embedder": {"backend": args.embedder}}
    if args.plugins is not None:
        overrides["plugins"] = {"load": args.plugins}
    try:
        weights = json.loads(args.weights) if args.weights else None
    except json.JSONDecodeError as exc:
        print(f"eval: error: --weights is not valid JSON: {exc.msg}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="soma-eval-") as scratch:
        if args.data_dir or not (args.config or os.environ.get("SOMA_CONFIG")):
            overrides["data_dir"] = args.data_dir or scratch
        try:
            settings = load_settings(args.config, **overrides)
            code = run_eval_cli(
                settings, args.dataset, args.mode, args.json, k=args.k, weights=weights, report_to=args.output
            )
        except SomaError as exc:
            print(f"eval: error: {exc}", file=sys.stderr)
            return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
