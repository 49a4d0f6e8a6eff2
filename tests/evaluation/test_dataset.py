"""The dataset loader: what it accepts, and one-line errors naming the line and field."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from soma_core import SomaError
from soma_core.evaluation import DatasetError, load_dataset, parse_dataset

MEMORY = {"type": "memory", "id": "m1", "content": "Lena's wedding is on 14 June."}
QUERY = {"type": "query", "id": "q1", "query": "When is my sister's wedding?", "relevant": ["m1"]}


def lines(*objects: Any) -> list[str]:
    return [o if isinstance(o, str) else json.dumps(o) for o in objects]


def error(*objects: Any) -> str:
    with pytest.raises(DatasetError) as info:
        parse_dataset(lines(*objects), source="d.jsonl")
    message = str(info.value)
    assert "\n" not in message
    return message


def test_a_minimal_dataset_loads_with_defaults() -> None:
    data = parse_dataset(lines(MEMORY, "", QUERY), name="tiny")
    assert data.name == "tiny"
    assert data.now is None
    (memory,) = data.memories
    assert (memory.memory_type, memory.importance, memory.metadata, memory.created_at) == ("episodic", None, {}, None)
    (query,) = data.queries
    assert (query.relevant, query.category, query.distractors) == (("m1",), "uncategorized", ())


def test_every_field_is_read() -> None:
    data = parse_dataset(
        lines(
            {"type": "meta", "name": "n", "description": "d", "now": "2026-01-05T00:00:00Z"},
            {
                **MEMORY,
                "created_at": "2026-01-03T10:00:00Z",
                "memory_type": "semantic",
                "importance": 0.7,
                "metadata": {"session": "s-1"},
            },
            {"type": "memory", "id": "m2", "content": "older", "created_at": 1_767_000_000},
            {**QUERY, "category": "date", "distractors": ["m2"]},
        )
    )
    m1, m2 = data.memories
    assert m1.created_at == datetime(2026, 1, 3, 10, tzinfo=UTC).timestamp()
    assert (m1.memory_type, m1.importance, m1.metadata) == ("semantic", 0.7, {"session": "s-1"})
    assert m2.created_at == 1_767_000_000.0
    assert (data.name, data.description, data.now) == ("n", "d", datetime(2026, 1, 5, tzinfo=UTC).timestamp())
    assert data.queries[0].distractors == ("m2",)
    assert data.categories == ["date"]


def test_now_defaults_to_the_newest_memory_and_naive_times_are_utc() -> None:
    data = parse_dataset(
        lines({**MEMORY, "created_at": "2026-01-03T10:00:00"}, {**MEMORY, "id": "m2", "created_at": 5}, QUERY)
    )
    assert data.now == datetime(2026, 1, 3, 10, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("objects", "expected"),
    [
        (["{not json", QUERY], "d.jsonl:1: not valid JSON"),
        ([MEMORY, "[1, 2]"], "d.jsonl:2: expected a JSON object, not list"),
        ([{**MEMORY, "type": "fact"}], "d.jsonl:1: type must be 'memory', 'query' or 'meta', not 'fact'"),
        ([{**MEMORY, "type": ["memory"]}], "d.jsonl:1: type must be 'memory', 'query' or 'meta', not ['memory']"),
        ([MEMORY, {**QUERY, "relevent": ["m1"]}], "d.jsonl:2: query: unknown field(s) relevent"),
        ([{"type": "memory", "id": "m1"}, QUERY], "d.jsonl:1: memory 'm1': content must be a non-empty string"),
        ([{**MEMORY, "id": "has space"}], "d.jsonl:1: memory 'has space': id 'has space' is invalid"),
        ([{**MEMORY, "importance": 2}], "d.jsonl:1: memory 'm1': importance must be a number in [0, 1], not 2"),
        ([{**MEMORY, "memory_type": "fact"}], "d.jsonl:1: memory 'm1': memory_type must be one of"),
        ([{**MEMORY, "metadata": [1]}], "d.jsonl:1: memory 'm1': metadata must be a JSON object"),
        ([{**MEMORY, "created_at": "last Tuesday"}], "d.jsonl:1: memory 'm1': created_at must be ISO 8601"),
        ([{**MEMORY, "created_at": -1}], "d.jsonl:1: memory 'm1': created_at must be ISO 8601 or non-negative"),
        ([MEMORY, MEMORY], "d.jsonl:2: memory 'm1': id 'm1' already used on line 1"),
        ([MEMORY, QUERY, QUERY], "d.jsonl:3: query 'q1': id 'q1' already used on line 2"),
        ([MEMORY, {**QUERY, "relevant": []}], "d.jsonl:2: query 'q1': relevant must list at least one memory id"),
        ([MEMORY, {**QUERY, "relevant": "m1"}], "d.jsonl:2: query 'q1': relevant must be a list of memory ids"),
        ([MEMORY, {**QUERY, "relevant": ["m1", "m1"]}], "d.jsonl:2: query 'q1': relevant lists the same id twice"),
        ([MEMORY, {**QUERY, "query": " "}], "d.jsonl:2: query 'q1': query must be a non-empty string"),
        ([MEMORY, {**QUERY, "relevant": ["m9"]}], "d.jsonl:2: query 'q1': relevant: unknown memory id 'm9'"),
        ([MEMORY, {**QUERY, "distractors": ["m9"]}], "d.jsonl:2: query 'q1': distractors: unknown memory id 'm9'"),
        ([MEMORY, {**QUERY, "distractors": ["m1"]}], "d.jsonl:2: query 'q1': distractors: an id is also relevant"),
        ([MEMORY], "d.jsonl: a dataset needs at least one memory and one query"),
        ([{"type": "meta"}, {"type": "meta"}], "d.jsonl:2: meta: a second meta line; give at most one"),
        ([{"type": "meta", "now": "soon"}], "d.jsonl:1: meta: now must be ISO 8601"),
        (
            [{"type": "meta", "now": "2026-01-01T00:00:00Z"}, {**MEMORY, "created_at": "2026-02-01T00:00:00Z"}, QUERY],
            "d.jsonl:2: memory 'm1': created_at is after the meta line's now",
        ),
    ],
)
def test_errors_name_the_line_and_field(objects: list[Any], expected: str) -> None:
    assert error(*objects).startswith(expected)


def test_a_byte_order_mark_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_text("\ufeff" + json.dumps(MEMORY) + "\n" + json.dumps(QUERY) + "\n", encoding="utf-8")
    assert load_dataset(path).name == "bom"


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="cannot read dataset .*missing.jsonl"):
        load_dataset(tmp_path / "missing.jsonl")
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(DatasetError, match="binary.jsonl: not UTF-8"):
        load_dataset(binary)


def test_dataset_errors_are_soma_errors_so_the_cli_prints_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(MEMORY) + "\n" + json.dumps({**QUERY, "relevant": ["nope"]}) + "\n")
    with pytest.raises(SomaError, match=r"bad\.jsonl:2: query 'q1': relevant: unknown memory id 'nope'"):
        load_dataset(path)
