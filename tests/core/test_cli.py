"""The soma command line, run as a user runs it: a subprocess with a config file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def soma(tmp_path: Path):  # type: ignore[no-untyped-def]
    config = tmp_path / "soma.yaml"
    config.write_text(f"data_dir: {tmp_path / 'data'}\nstack:\n  embedder: {{backend: hash}}\nplugins:\n  load: []\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOMA_")}

    def run(*args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "soma_core.cli", "--config", str(config), *args],
            input=stdin, capture_output=True, text=True, env=env, timeout=60,
        )
        if check:
            assert result.returncode == 0, result.stderr
        return result

    return run


def test_store_search_recall_delete_round_trip(soma) -> None:  # type: ignore[no-untyped-def]
    tea = soma("store", "Alice prefers green tea", "-i", "0.9", "-m", '{"user": "alice"}').stdout.strip()
    soma("store", "The boiler service is booked for Monday", "-t", "semantic")
    found = json.loads(soma("--json", "search", "what tea does alice drink", "-k", "1", "--explain").stdout)
    assert found[0]["memory"]["id"] == tea and found[0]["explain"]["importance"] == 0.9
    filtered = json.loads(soma("--json", "search", "tea", "-w", "user=alice").stdout)
    assert [r["memory"]["id"] for r in filtered] == [tea]
    assert json.loads(soma("--json", "recall", tea).stdout)["access_count"] == 1
    assert json.loads(soma("--json", "stats").stdout)["count"] == 2
    assert "deleted 1 of 1" in soma("delete", tea).stdout
    missing = soma("recall", tea, check=False)
    assert missing.returncode == 1 and missing.stderr.strip() == f"soma: error: no memory with id '{tea}'"


def test_bulk_store_from_jsonl_and_restart(soma) -> None:  # type: ignore[no-untyped-def]
    lines = "\n".join(json.dumps({"content": f"fact {i}: the locker code for room {i} is {1000 + i}"}) for i in range(2000))
    assert json.loads(soma("--json", "store", "--jsonl", "-", stdin=lines).stdout)["stored"] == 2000
    hits = json.loads(soma("--json", "search", "locker code room 1234", "-k", "3").stdout)
    assert "room 1234 " in hits[0]["memory"]["content"]
    listed = json.loads(soma("--json", "list", "--limit", "5").stdout)
    assert len(listed["items"]) == 5 and listed["next_cursor"] == listed["items"][-1]["id"]


def test_namespaces_from_the_command_line(soma) -> None:  # type: ignore[no-untyped-def]
    soma("-n", "work", "store", "quarterly planning notes")
    assert "no memories found" in soma("-n", "home", "search", "quarterly planning").stdout
    assert json.loads(soma("--json", "-n", "work", "stats").stdout)["count"] == 1


def test_errors_are_one_line_without_traceback(soma, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = soma("store", "x", "-m", "{bad", check=False)
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "--metadata is not valid JSON" in bad.stderr
    weights = soma("search", "x", "--weights", '{"relevance": -1}', check=False)
    assert "weights: relevance: Input should be greater than or equal to 0" in weights.stderr
    assert "Traceback" not in bad.stderr + weights.stderr


def test_doctor_and_plugins(soma) -> None:  # type: ignore[no-untyped-def]
    doctor = soma("doctor").stdout
    assert "kv        sqlite" in doctor and "embedder: hash:384" in doctor
    plugins = json.loads(soma("--json", "plugins").stdout)
    sqlite = next(p for p in plugins if p["name"] == "sqlite")
    assert sqlite["hooks"] == ["register_kv_stores"] and sqlite["backends"] == ["kv:sqlite"]


def test_repair_and_reindex(soma) -> None:  # type: ignore[no-untyped-def]
    soma("store", "a memory to keep", "--ttl", "3600")
    assert json.loads(soma("--json", "repair").stdout) == {"indexed": 0, "removed": 0, "expired_removed": 0}
    assert json.loads(soma("--json", "reindex").stdout) == {"reindexed": 1}


def test_eval_command(soma, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = [
        {"type": "memory", "id": "m1", "content": "Order ZX4471 is the replacement laptop"},
        {"type": "memory", "id": "m2", "content": "The dentist appointment is on Friday"},
        {"type": "memory", "id": "m3", "content": "We had pasta for dinner"},
        {"type": "query", "id": "q1", "query": "what is order ZX4471", "relevant": ["m1"], "category": "rare-terms"},
        {"type": "query", "id": "q2", "query": "when is the dentist", "relevant": ["m2"], "category": "date"},
    ]
    dataset = tmp_path / "tiny.jsonl"
    dataset.write_text("\n".join(json.dumps(row) for row in rows))
    report = json.loads(soma("--json", "eval", str(dataset), "--mode", "lexical", "--mode", "hybrid").stdout)
    assert report["runs"][0]["overall"]["recall_at_1"] == 1.0
    assert {run["config"] for run in report["runs"]} == {"lexical", "hybrid"}
    assert json.loads(soma("--json", "stats").stdout)["count"] == 0  # the eval namespace is cleaned up
