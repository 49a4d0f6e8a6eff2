"""The memory engine end to end on real stacks with the real embedder, and the CLI on them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from soma_core import NotFoundError, load_settings, open_engine

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.chroma_server, pytest.mark.slow]

MEMORIES = {
    "tea": "Alice drinks green tea every morning before work",
    "cello": "Bob has been learning to play the cello since January",
    "flight": "My flight to Lisbon leaves on 14 March from gate B22",
    "allergy": "Carol is allergic to peanuts and shellfish",
    "car": "The car needs new winter tyres before November",
}


@pytest.mark.asyncio
async def test_engine_end_to_end(stack_config: dict[str, Any]) -> None:
    settings = load_settings(**stack_config)
    engine = await open_engine(settings)
    try:
        ids = dict(zip(MEMORIES, await engine.store_many(list(MEMORIES.values())), strict=True))
        questions = {
            "What does Alice like to drink?": "tea",
            "Which musical instrument is Bob studying?": "cello",
            "When do I travel to Portugal?": "flight",
            "Does Carol have any food allergies?": "allergy",
        }
        for question, key in questions.items():
            [best] = await engine.search(question, k=1)
            assert best.memory.id == ids[key], question
        assert (await engine.recall(ids["tea"])).access_count == 1
        await engine.update(ids["car"], content="The bicycle chain must be oiled this weekend")
        [best] = await engine.search("maintenance for my bike", k=1)
        assert best.memory.id == ids["car"]
        await engine.delete(ids["cello"])
        with pytest.raises(NotFoundError):
            await engine.recall(ids["cello"])
        assert all(r.memory.id != ids["cello"] for r in await engine.search("cello lessons", k=5))
        assert await engine.search("green tea", namespace="someone-else") == []
        assert await engine.reindex() == {"reindexed": 4}
        assert (await engine.search("What does Alice like to drink?", k=1))[0].memory.id == ids["tea"]
        assert await engine.count() == 4
    finally:
        await engine.close()

    engine = await open_engine(settings)  # both stacks persist
    try:
        assert (await engine.get(ids["flight"])).content == MEMORIES["flight"]
        assert (await engine.search("when is my flight", k=1))[0].memory.id == ids["flight"]
    finally:
        await engine.close()


def test_cli_on_the_stack(stack_config: dict[str, Any], tmp_path: Path) -> None:
    config = tmp_path / "stack.yaml"
    config.write_text(yaml.safe_dump(stack_config))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOMA_")}

    def soma(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "soma_core.cli", "--config", str(config), "--json", *args],
            capture_output=True, text=True, env=env, timeout=180,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    lines = "\n".join(json.dumps({"content": text}) for text in MEMORIES.values())
    (tmp_path / "memories.jsonl").write_text(lines)
    assert json.loads(soma("store", "--jsonl", str(tmp_path / "memories.jsonl")))["stored"] == 5
    hits = json.loads(soma("search", "Which musical instrument is Bob studying?", "-k", "1"))
    assert hits[0]["memory"]["content"] == MEMORIES["cello"]
    doctor = json.loads(soma("doctor"))
    assert {slot: info["status"] for slot, info in doctor["stack"].items()} == dict.fromkeys(doctor["stack"], "ok")
