"""The committed conversation datasets: valid, big enough, current with their generator, splits apart."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from soma_core.evaluation import Dataset, load_dataset

DATASETS = Path(__file__).resolve().parents[2] / "datasets"
CATEGORIES = {"fact", "preference", "date", "changed", "multi-hop", "aggregate", "rare-terms", "paraphrase"}


@pytest.fixture
def generator(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """datasets/build_conversations.py, imported by path and forgotten afterwards."""
    monkeypatch.setattr(sys, "path", list(sys.path))  # the script puts datasets/ on sys.path
    spec = importlib.util.spec_from_file_location("build_conversations", DATASETS / "build_conversations.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        for name in [n for n in sys.modules if n == spec.name or n.split(".")[0] == "conversation_material"]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def test_split() -> Dataset:
    return load_dataset(DATASETS / "conversations.jsonl")


@pytest.fixture(scope="module")
def dev_split() -> Dataset:
    return load_dataset(DATASETS / "conversations-dev.jsonl")


def test_committed_files_are_what_the_generator_writes(generator: ModuleType) -> None:
    """Troubleshooting: run `python datasets/build_conversations.py` and commit both files."""
    for split in generator.SPLITS.values():
        assert generator.build(split) == (DATASETS / split.file).read_text(encoding="utf-8"), f"{split.file} is stale"


def test_test_split_size_and_categories(test_split: Dataset) -> None:
    assert len(test_split.memories) >= 600
    assert len(test_split.queries) >= 180
    counts = Counter(q.category for q in test_split.queries)
    assert set(counts) == CATEGORIES
    assert min(counts[c] for c in ("fact", "preference", "date", "changed", "rare-terms", "paraphrase")) >= 20
    stamps = [m.created_at for m in test_split.memories if m.created_at is not None]
    assert len(stamps) == len(test_split.memories)
    assert (max(stamps) - min(stamps)) / 86_400 > 330  # about a year of conversations


def test_dev_split_is_smaller_and_shares_nothing_with_test(test_split: Dataset, dev_split: Dataset) -> None:
    assert {q.category for q in dev_split.queries} == CATEGORIES
    assert 90 <= len(dev_split.queries) < len(test_split.queries)
    assert not {q.query for q in dev_split.queries} & {q.query for q in test_split.queries}
    assert not {m.content for m in dev_split.memories} & {
        m.content for m in test_split.memories if m.metadata["topic"] != "chat"
    }


@pytest.mark.parametrize("split", ["test_split", "dev_split"])
def test_changed_questions_want_the_newer_memory(split: str, request: pytest.FixtureRequest) -> None:
    data: Dataset = request.getfixturevalue(split)
    when = {m.id: m.created_at for m in data.memories}
    changed = [q for q in data.queries if q.category == "changed"]
    assert changed
    for query in changed:
        assert query.distractors, query.id
        assert all(when[d] < when[r] for d in query.distractors for r in query.relevant), query.id  # type: ignore[operator]


@pytest.mark.parametrize("split", ["test_split", "dev_split"])
def test_queries_do_not_copy_memory_text(split: str, request: pytest.FixtureRequest) -> None:
    data: Dataset = request.getfixturevalue(split)
    contents = {m.id: m.content.lower() for m in data.memories}
    for query in data.queries:
        assert all(query.query.lower().rstrip("?.") not in contents[r] for r in query.relevant), query.id


def test_docs_state_the_sizes_of_both_splits(test_split: Dataset, dev_split: Dataset) -> None:
    text = (DATASETS.parent / "docs" / "evaluation.md").read_text()
    for name, data in (("`conversations.jsonl` (test)", test_split), ("`conversations-dev.jsonl`", dev_split)):
        row = f"| {name} | {len(data.memories)} | {len(data.queries)} |"
        assert row in text, f"docs/evaluation.md should say {row}"
