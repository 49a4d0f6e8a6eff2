"""Retrieval-quality evaluation: a dataset format, ranking metrics, a runner and its report.

A dataset is a JSON-lines file of memories and queries (format: docs/evaluation.md).
:func:`evaluate` stores the memories in a fresh namespace, runs every query in every
search configuration, scores the rankings and deletes the memories again.

Metrics use binary relevance. For one query with relevant ids ``R`` and ranked
results ``r_1 .. r_n`` (n <= k):

- ``recall@k = |R ∩ {r_1 .. r_k}| / |R|``
- ``RR = 1 / i`` for the first ``r_i`` in ``R``, 0 if none is in the results; MRR is its mean
- ``nDCG@10 = DCG@10 / IDCG@10`` with ``DCG@10 = sum over i <= 10 with r_i in R of 1 / log2(i + 1)``
  and ``IDCG@10 = sum over i <= min(|R|, 10) of 1 / log2(i + 1)`` (the best possible DCG)

Every figure is a mean over queries, overall and per query category.
"""

from __future__ import annotations

import asyncio
import json
import math
import secrets
import sys
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from .config import Settings
from .engine import MemoryEngine
from .errors import InvalidInputError, SomaError
from .opening import open_engine
from .retrieval import MODES
from .validation import check_content, check_id, check_importance, check_memory_type, check_metadata

RECALL_AT = (1, 5, 10)
NDCG_AT = 10
STORE_BATCH = 128
DELETE_BATCH = 500
_FIELDS = {
    "meta": {"type", "name", "description", "now"},
    "memory": {"type", "id", "content", "created_at", "memory_type", "importance", "metadata"},
    "query": {"type", "id", "query", "relevant", "category", "distractors"},
}


class DatasetError(SomaError, ValueError):
    """A dataset breaks the format; the one-line message names the file, line and field."""


# -- the dataset ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EvalMemory:
    id: str
    content: str
    created_at: float | None = None
    memory_type: str = "episodic"
    importance: float | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EvalQuery:
    """A question; ``relevant`` ids answer it, ``distractors`` (informational) look as if they might."""

    id: str
    query: str
    relevant: tuple[str, ...]
    category: str = "uncategorized"
    distractors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Dataset:
    """Memories and queries; ``now`` is the moment the queries are asked (Unix seconds)."""

    name: str
    memories: tuple[EvalMemory, ...]
    queries: tuple[EvalQuery, ...]
    now: float | None = None
    description: str = ""

    @property
    def categories(self) -> list[str]:
        return sorted({q.category for q in self.queries})


def load_dataset(path: str | Path) -> Dataset:
    """Read and validate a JSON-lines dataset; DatasetError names the first problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # tolerate a byte-order mark
    except OSError as exc:
        raise DatasetError(f"cannot read dataset {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return parse_dataset(text.splitlines(), source=str(path), name=path.stem)


def parse_dataset(lines: Iterable[str], *, source: str = "<dataset>", name: str = "dataset") -> Dataset:
    """A validated :class:`Dataset` from JSON lines (blank lines are skipped)."""
    meta: dict[str, Any] | None = None
    memories: dict[str, tuple[int, EvalMemory]] = {}
    queries: dict[str, tuple[int, EvalQuery]] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{source}:{number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{where}: not valid JSON: {exc.msg} (column {exc.colno})") from None
        if not isinstance(obj, dict):
            raise DatasetError(f"{where}: expected a JSON object, not {type(obj).__name__}")
        kind = obj.get("type")
        if not isinstance(kind, str) or kind not in _FIELDS:
            raise DatasetError(f"{where}: type must be 'memory', 'query' or 'meta', not {kind!r}")
        unknown = sorted(set(obj) - _FIELDS[kind])
        if unknown:
            raise DatasetError(f"{where}: {kind}: unknown field(s) {', '.join(unknown)}")
        try:
            if kind == "meta":
                if meta is not None:
                    raise InvalidInputError("a second meta line; give at most one")
                meta = _meta(obj)
            elif kind == "memory":
                memory = _memory(obj)
                if memory.id in memories:
                    raise InvalidInputError(f"id {memory.id!r} already used on line {memories[memory.id][0]}")
                memories[memory.id] = (number, memory)
            else:
                query = _query(obj)
                if query.id in queries:
                    raise InvalidInputError(f"id {query.id!r} already used on line {queries[query.id][0]}")
                queries[query.id] = (number, query)
        except InvalidInputError as exc:
            raise DatasetError(f"{where}: {kind}{_label(obj)}: {exc}") from None
    if not memories or not queries:
        raise DatasetError(f"{source}: a dataset needs at least one memory and one query")
    for number, query in queries.values():
        for name_, ids in (("relevant", query.relevant), ("distractors", query.distractors)):
            missing = [i for i in ids if i not in memories]
            if missing:
                raise DatasetError(f"{source}:{number}: query {query.id!r}: {name_}: unknown memory id {missing[0]!r}")
        if set(query.relevant) & set(query.distractors):
            raise DatasetError(f"{source}:{number}: query {query.id!r}: distractors: an id is also relevant")
    meta = meta or {}
    now = meta.get("now")
    if now is not None:
        for number, memory in memories.values():
            if memory.created_at is not None and memory.created_at > now:
                raise DatasetError(f"{source}:{number}: memory {memory.id!r}: created_at is after the meta line's now")
    else:
        stamps = [m.created_at for _, m in memories.values() if m.created_at is not None]
        now = max(stamps) if stamps else None
    return Dataset(
        name=meta.get("name", name),
        memories=tuple(m for _, m in memories.values()),
        queries=tuple(q for _, q in queries.values()),
        now=now,
        description=meta.get("description", ""),
    )


def _label(obj: dict[str, Any]) -> str:
    return f" {obj['id']!r}" if isinstance(obj.get("id"), str) else ""


def _meta(obj: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("name", "description"):
        if key in obj:
            out[key] = check_content(obj[key], key)
    if obj.get("now") is not None:
        out["now"] = _timestamp(obj["now"], "now")
    return out


def _memory(obj: dict[str, Any]) -> EvalMemory:
    created = obj.get("created_at")
    return EvalMemory(
        id=check_id(obj.get("id")),  # type: ignore[arg-type]
        content=check_content(obj.get("content")),
        created_at=None if created is None else _timestamp(created, "created_at"),
        memory_type=check_memory_type(obj.get("memory_type", "episodic")),
        importance=check_importance(obj.get("importance")),
        metadata=check_metadata(obj.get("metadata")),
    )


def _query(obj: dict[str, Any]) -> EvalQuery:
    relevant = _ids(obj.get("relevant"), "relevant")
    if not relevant:
        raise InvalidInputError("relevant must list at least one memory id", field="relevant")
    return EvalQuery(
        id=check_id(obj.get("id")),  # type: ignore[arg-type]
        query=check_content(obj.get("query"), "query"),
        relevant=relevant,
        category=check_content(obj.get("category", "uncategorized"), "category"),
        distractors=_ids(obj.get("distractors", []), "distractors"),
    )


def _ids(value: Any, name: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise InvalidInputError(f"{name} must be a list of memory ids", field=name)
    ids = tuple(check_id(item, name) for item in value)
    if len(set(ids)) != len(ids):
        raise InvalidInputError(f"{name} lists the same id twice", field=name)
    return ids


def _timestamp(value: Any, name: str) -> float:
    """Unix seconds from a number or an ISO 8601 string (no zone means UTC)."""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidInputError(
                f"{name} must be ISO 8601 (like 2026-01-03T10:00:00Z) or Unix seconds, not {value!r}", field=name
            ) from None
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise InvalidInputError(f"{name} must be ISO 8601 or non-negative Unix seconds, not {value!r}", field=name)
    return float(value)


# -- metrics ------------------------------------------------------------------------------


def recall_at(ranked: Sequence[str], relevant: Collection[str], k: int) -> float:
    """Share of the relevant ids found among the first ``k`` results."""
    return len(set(ranked[:k]) & set(relevant)) / len(relevant)


def reciprocal_rank(ranked: Sequence[str], relevant: Collection[str]) -> float:
    """1 / the rank of the first relevant result, 0 if there is none."""
    return next((1.0 / rank for rank, item in enumerate(ranked, 1) if item in relevant), 0.0)


def ndcg_at(ranked: Sequence[str], relevant: Collection[str], k: int = NDCG_AT) -> float:
    """Binary-relevance nDCG over the first ``k`` results (1.0: all relevant ids ranked first)."""
    dcg = sum(1.0 / math.log2(rank + 1) for rank, item in enumerate(ranked[:k], 1) if item in relevant)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(relevant), k) + 1))
    return dcg / ideal


@dataclass(frozen=True, slots=True)
class Scores:
    """Mean figures over ``queries`` queries."""

    queries: int
    recall_at_1: float
    recall_at_5: float
    recall_at_10: float
    mrr: float
    ndcg_at_10: float

    @classmethod
    def mean(cls, outcomes: Sequence[QueryOutcome]) -> Scores:
        if not outcomes:
            return cls(0, 0.0, 0.0, 0.0, 0.0, 0.0)
        table = np.array([o.figures for o in outcomes], dtype=np.float64).mean(axis=0)
        return cls(len(outcomes), *(float(x) for x in table))


@dataclass(frozen=True, slots=True)
class QueryOutcome:
    """One query's ranking: the retrieved ids and, for each relevant id, its rank (None: not found)."""

    id: str
    category: str
    retrieved: list[str]
    ranks: dict[str, int | None]
    figures: tuple[float, float, float, float, float]  # recall@1, @5, @10, RR, nDCG@10

    @classmethod
    def score(cls, query: EvalQuery, retrieved: list[str]) -> QueryOutcome:
        relevant = set(query.relevant)
        ranks = {i: (retrieved.index(i) + 1 if i in retrieved else None) for i in query.relevant}
        figures = (*(recall_at(retrieved, relevant, k) for k in RECALL_AT), reciprocal_rank(retrieved, relevant))
        return cls(query.id, query.category, retrieved, ranks, (*figures, ndcg_at(retrieved, relevant)))  # type: ignore[arg-type]


# -- the runner ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchConfig:
    """One way to search: a ``mode`` and optional per-search ranking ``weights``; ``name`` labels it."""

    mode: str = "hybrid"
    weights: Mapping[str, Any] | None = None
    name: str = ""

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        if not self.weights:
            return self.mode
        return self.mode + "+" + ",".join(f"{key}={value}" for key, value in self.weights.items())


@dataclass
class RunReport:
    """The figures for one search configuration."""

    config: str
    mode: str
    weights: dict[str, Any] | None
    overall: Scores
    by_category: dict[str, Scores]
    latency_p50_ms: float
    latency_p95_ms: float
    queries: list[QueryOutcome]


@dataclass
class Report:
    """Everything one evaluation measured; ``to_text()`` for people, ``to_json()`` for tools."""

    dataset: str
    memories: int
    queries: int
    k: int
    stack: dict[str, str]
    namespace: str
    store_seconds: float
    runs: list[RunReport]

    @property
    def store_per_second(self) -> float:
        return self.memories / self.store_seconds if self.store_seconds > 0 else math.inf

    def to_dict(self, *, per_query: bool = True) -> dict[str, Any]:
        data = asdict(self)
        data["store_per_second"] = round(self.store_per_second, 1)
        if not per_query:
            for run in data["runs"]:
                run.pop("queries")
        return data

    def to_json(self, *, per_query: bool = True, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(per_query=per_query), indent=indent, ensure_ascii=False)

    def to_text(self) -> str:
        stack = ", ".join(f"{slot} {name}" for slot, name in self.stack.items())
        lines = [
            f"dataset {self.dataset}: {self.memories} memories, {self.queries} queries; k={self.k}",
            f"stack: {stack}",
            f"stored in {self.store_seconds:.1f} s ({self.store_per_second:.1f} memories/s), namespace {self.namespace}",
            "",
        ]
        header = ["config", "category", "queries", "R@1", "R@5", "R@10", "MRR", "nDCG@10"]
        rows = []
        for run in self.runs:
            for category, scores in [("all", run.overall), *sorted(run.by_category.items())]:
                figures = (scores.recall_at_1, scores.recall_at_5, scores.recall_at_10, scores.mrr, scores.ndcg_at_10)
                rows.append([run.config, category, str(scores.queries), *(f"{x:.3f}" for x in figures)])
        lines += [_table(header, rows), ""]
        lines += [
            f"latency {r.config}: p50 {r.latency_p50_ms:.1f} ms, p95 {r.latency_p95_ms:.1f} ms" for r in self.runs
        ]
        return "\n".join(lines)


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in [header, *rows]
    )


async def evaluate(
    engine: MemoryEngine,
    dataset: Dataset,
    *,
    configs: Sequence[SearchConfig | str] | None = None,
    k: int = 10,
    namespace: str | None = None,
) -> Report:
    """Store ``dataset`` in a fresh namespace, search it with every config, score, clean up.

    ``configs`` are SearchConfigs or bare mode names (default: ``hybrid``). Memory timestamps are shifted so that the dataset's ``now`` is the moment
    the evaluation runs; recency thus ranks the same whenever it runs. The stored
    memories are deleted afterwards, even when a search fails.
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < max(RECALL_AT):
        raise InvalidInputError(f"k must be an integer >= {max(RECALL_AT)}", field="k")
    plan = [c if isinstance(c, SearchConfig) else SearchConfig(mode=c) for c in configs or [MODES[0]]]
    for config in plan:
        if config.mode not in MODES:
            raise InvalidInputError(f"mode must be one of {', '.join(MODES)}, not {config.mode!r}", field="mode")
    ns = namespace or f"eval-{secrets.token_hex(4)}"
    if await engine.count(namespace=ns):
        raise InvalidInputError(f"namespace {ns!r} already holds memories; evaluation needs an empty one")
    shift = 0.0 if dataset.now is None else time.time() - dataset.now
    items = [_input(m, shift) for m in dataset.memories]
    try:
        started = time.perf_counter()
        for start in range(0, len(items), STORE_BATCH):
            await engine.store_many(items[start : start + STORE_BATCH], namespace=ns)
        store_seconds = time.perf_counter() - started
        runs = [await _run(engine, dataset, config, ns, k) for config in plan]
    finally:
        ids = [m.id for m in dataset.memories]
        for start in range(0, len(ids), DELETE_BATCH):
            await engine.delete_many(ids[start : start + DELETE_BATCH], namespace=ns)
    stack = {slot: info.name for slot, info in engine.stack.infos.items()}
    stack["embedder"] = engine.embedder.identity
    return Report(dataset.name, len(dataset.memories), len(dataset.queries), k, stack, ns, store_seconds, runs)


async def _run(engine: MemoryEngine, dataset: Dataset, config: SearchConfig, ns: str, k: int) -> RunReport:
    weights = dict(config.weights) if config.weights else None
    options: dict[str, Any] = {"namespace": ns, "weights": weights, "mode": config.mode}
    await engine.search(dataset.queries[0].query, k, **options)  # warm-up, not timed
    outcomes, latencies = [], []
    for query in dataset.queries:
        started = time.perf_counter()
        results = await engine.search(query.query, k, **options)
        latencies.append(time.perf_counter() - started)
        outcomes.append(QueryOutcome.score(query, [r.memory.id for r in results]))
    by_category = {c: Scores.mean([o for o in outcomes if o.category == c]) for c in dataset.categories}
    p50, p95 = (float(x) * 1000 for x in np.percentile(latencies, [50, 95]))
    return RunReport(config.label, config.mode, weights, Scores.mean(outcomes), by_category, p50, p95, outcomes)


def _input(memory: EvalMemory, shift: float) -> dict[str, Any]:
    return {
        "id": memory.id,
        "content": memory.content,
        "memory_type": memory.memory_type,
        "importance": memory.importance,
        "metadata": memory.metadata,
        "created_at": None if memory.created_at is None else memory.created_at + shift,
    }


# -- command line -------------------------------------------------------------------------


async def run_eval(
    settings: Settings,
    path: str | Path,
    modes: Sequence[str] | None = None,
    output_json: bool = False,
    *,
    k: int = 10,
    weights: Mapping[str, Any] | None = None,
    out: TextIO | None = None,
    report_to: str | Path | None = None,
) -> int:
    """Evaluate the dataset at ``path`` on the configured stack and print the report; returns 0.

    ``report_to`` also writes the JSON report (with per-query rankings) to that file.
    """
    dataset = load_dataset(path)
    configs = [SearchConfig(mode=mode, weights=weights) for mode in modes or [MODES[0]]]
    engine = await open_engine(settings)
    try:
        report = await evaluate(engine, dataset, configs=configs, k=k)
    finally:
        await engine.close()
    if report_to is not None:
        Path(report_to).write_text(report.to_json() + "\n", encoding="utf-8")
    print(report.to_json() if output_json else report.to_text(), file=out or sys.stdout)
    return 0


def run_eval_cli(
    settings: Settings,
    path: str | Path,
    modes: Sequence[str] | None = None,
    output_json: bool = False,
    **options: Any,
) -> int:
    """:func:`run_eval` for synchronous callers (``soma eval``, benchmarks/eval.py)."""
    return asyncio.run(run_eval(settings, path, modes, output_json, **options))
