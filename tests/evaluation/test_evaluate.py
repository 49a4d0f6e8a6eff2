"""evaluate() end to end on the embedded stack with the hash embedder."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any

import pytest

from soma_core import InvalidInputError, MemoryEngine, Settings
from soma_core.evaluation import Dataset, SearchConfig, evaluate, parse_dataset, run_eval_cli
from soma_core.lexical import lexical_namespace

DAY = 86_400
NOW = 1_780_000_000  # the dataset's "now"
MEMORIES = [
    ("m1", "The user's sister Lena is getting married on 14 June in Porto.", 40),
    ("m2", "User's car registration is KX19 PWD, a grey Skoda estate.", 200),
    ("m3", "User is allergic to penicillin and gets hives.", 120),
    ("m4", "User lives at 14 Belvoir Road in Redland.", 300),
    ("m5", "User moved to 7 Cambridge Street in Totterdown.", 10),
    ("m6", "Jonas prefers window seats on long flights.", 90),
    ("m7", "User asked for a banana bread recipe.", 5),
    ("m8", "Order 204-7731592-0048312 was a standing desk from Amazon.", 60),
]
QUERIES = [
    ("q1", "When is Lena getting married in Porto?", ["m1"], "date"),
    ("q2", "Whose car is KX19 PWD?", ["m2"], "rare-terms"),
    ("q3", "Which drug am I allergic to, penicillin?", ["m3"], "fact"),
    ("q4", "Where did I move to, Cambridge Street?", ["m5"], "changed"),
    ("q5", "What was order 204-7731592-0048312 for?", ["m8"], "rare-terms"),
]


def tiny() -> Dataset:
    rows: list[dict[str, Any]] = [{"type": "meta", "name": "tiny", "now": NOW}]
    rows += [
        {"type": "memory", "id": i, "content": c, "created_at": NOW - age * DAY, "importance": 0.5}
        for i, c, age in MEMORIES
    ]
    rows += [{"type": "query", "id": i, "query": q, "relevant": r, "category": c} for i, q, r, c in QUERIES]
    rows[-2]["distractors"] = ["m4"]
    return parse_dataset([json.dumps(r) for r in rows])


def write(path: Path) -> Path:
    data = tiny()
    rows: list[dict[str, Any]] = [{"type": "meta", "name": "tiny", "now": NOW}]
    rows += [{"type": "memory", "id": m.id, "content": m.content, "created_at": m.created_at} for m in data.memories]
    rows += [
        {"type": "query", "id": q.id, "query": q.query, "relevant": list(q.relevant), "category": q.category}
        for q in data.queries
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


async def assert_gone(engine: MemoryEngine, namespace: str) -> None:
    assert await engine.count(namespace=namespace) == 0
    assert (await engine.list(namespace=namespace)).items == []
    assert await engine.vectors.count(lexical_namespace(namespace)) == 0


@pytest.mark.asyncio
async def test_evaluate_reports_every_mode_and_category_then_cleans_up(engine: MemoryEngine) -> None:
    report = await evaluate(
        engine, tiny(), configs=["dense", "lexical", SearchConfig("hybrid", {"recency": 0.0}, "flat")]
    )

    assert report.namespace.startswith("eval-")
    await assert_gone(engine, report.namespace)
    assert (report.dataset, report.memories, report.queries, report.k) == ("tiny", 8, 5, 10)
    assert report.stack["embedder"].startswith("hash:")
    assert report.store_seconds > 0 and report.store_per_second > 0
    assert [r.config for r in report.runs] == ["dense", "lexical", "flat"]
    for run in report.runs:
        assert set(run.by_category) == {"changed", "date", "fact", "rare-terms"}
        assert run.by_category["rare-terms"].queries == 2
        assert 0 < run.latency_p50_ms <= run.latency_p95_ms
        for scores in [run.overall, *run.by_category.values()]:
            figures = [scores.recall_at_1, scores.recall_at_5, scores.recall_at_10, scores.mrr, scores.ndcg_at_10]
            assert all(0.0 <= x <= 1.0 for x in figures)
            assert scores.recall_at_1 <= scores.recall_at_5 <= scores.recall_at_10
        assert len(run.queries) == 5 and all(len(o.retrieved) <= 10 for o in run.queries)
    lexical = report.runs[1]
    assert lexical.by_category["rare-terms"].recall_at_1 == 1.0  # exact codes are what lexical search is for
    assert lexical.overall.recall_at_10 == 1.0  # every query shares words with its answer
    assert report.runs[2].weights == {"recency": 0.0}


@pytest.mark.asyncio
async def test_timestamps_are_shifted_so_the_dataset_now_is_the_present(
    engine: MemoryEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored: list[dict[str, Any]] = []
    original = engine.store_many

    async def spy(items: list[dict[str, Any]], **kwargs: Any) -> list[str]:
        stored.extend(items)
        return await original(items, **kwargs)

    monkeypatch.setattr(engine, "store_many", spy)
    before = time.time()
    await evaluate(engine, tiny(), configs=["dense"])
    by_id = {item["id"]: item for item in stored}
    assert len(by_id) == 8
    newest = by_id["m7"]["created_at"]  # 5 days before the dataset's now
    assert before - 5 * DAY - 1 <= newest <= time.time() - 5 * DAY
    assert by_id["m4"]["created_at"] == pytest.approx(newest - 295 * DAY)  # gaps are kept
    assert (by_id["m1"]["importance"], by_id["m1"]["memory_type"]) == (0.5, "episodic")


@pytest.mark.asyncio
async def test_memories_are_deleted_even_when_a_search_fails(engine: MemoryEngine) -> None:
    with pytest.raises(InvalidInputError, match="weights"):
        await evaluate(engine, tiny(), configs=[SearchConfig("dense", {"bogus": 1.0})], namespace="eval-broken")
    await assert_gone(engine, "eval-broken")


@pytest.mark.asyncio
async def test_bad_arguments_fail_before_anything_is_stored(engine: MemoryEngine) -> None:
    with pytest.raises(InvalidInputError, match="mode must be one of hybrid, dense, lexical, not 'semantic'"):
        await evaluate(engine, tiny(), configs=["semantic"], namespace="eval-x")
    with pytest.raises(InvalidInputError, match="k must be an integer >= 10"):
        await evaluate(engine, tiny(), k=5, namespace="eval-x")
    assert await engine.count(namespace="eval-x") == 0
    await engine.store("already here", namespace="eval-taken")
    with pytest.raises(InvalidInputError, match="'eval-taken' already holds memories"):
        await evaluate(engine, tiny(), namespace="eval-taken")
    assert await engine.count(namespace="eval-taken") == 1


@pytest.mark.asyncio
async def test_report_text_and_json(engine: MemoryEngine) -> None:
    report = await evaluate(engine, tiny(), configs=["dense", "lexical"])
    text = report.to_text()
    assert "dataset tiny: 8 memories, 5 queries; k=10" in text
    assert "config   category    queries  R@1" in text
    assert any(line.startswith("lexical  rare-terms  2") for line in text.splitlines())
    assert "latency dense: p50" in text
    data = json.loads(report.to_json())
    assert data["runs"][1]["config"] == "lexical"
    assert set(data["runs"][0]["overall"]) == {
        "queries",
        "recall_at_1",
        "recall_at_5",
        "recall_at_10",
        "mrr",
        "ndcg_at_10",
    }
    assert data["runs"][0]["queries"][0]["id"] == "q1"
    assert "queries" not in json.loads(report.to_json(per_query=False))["runs"][0]


def test_run_eval_cli_prints_the_report(settings: Settings, tmp_path: Path) -> None:
    path = write(tmp_path / "tiny.jsonl")
    out = io.StringIO()
    assert run_eval_cli(settings, path, ["lexical"], True, out=out, report_to=tmp_path / "report.json") == 0
    data = json.loads(out.getvalue())
    assert data["dataset"] == "tiny" and data["runs"][0]["overall"]["recall_at_10"] == 1.0
    assert json.loads((tmp_path / "report.json").read_text()) == data
    out = io.StringIO()
    assert run_eval_cli(settings, path, None, False, out=out) == 0  # default mode: hybrid
    assert "hybrid  all" in out.getvalue()
