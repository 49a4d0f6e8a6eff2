#!/usr/bin/env python3
"""Build the conversation-memory evaluation datasets (format: docs/evaluation.md).

Two splits of one distribution, each a simulated year of an assistant's chats
with one person about their life, family, friends, work, plans and purchases:

- ``conversations-dev.jsonl``: choose defaults and tune on this one;
- ``conversations.jsonl`` (test): report on this one, never tune on it.

The splits share the generator but not the people, names, codes or hand-written
items (each pool is dealt out between them), and use different seeds.

The output is deterministic: the same script writes the same bytes, so
``--check`` (and tests/evaluation) can prove the committed files are current.

    python datasets/build_conversations.py            # rewrite both files
    python datasets/build_conversations.py --check    # exit 1 if they are stale
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import conversation_material as material

HERE = Path(__file__).resolve().parent
DAY = 86_400.0
SESSION_GAP_MINUTES = 90
IMPORTANCE = {  # ranges by kind of memory, the same for queried memories and their decoys
    "person": (0.55, 0.8),
    "fact": (0.55, 0.85),
    "pref": (0.45, 0.75),
    "event": (0.55, 0.9),
    "record": (0.35, 0.7),
    "chat": (0.1, 0.45),
}


@dataclass
class Mem:
    content: str
    at: datetime
    memory_type: str
    importance: float
    topic: str
    id: str = ""


@dataclass
class Ask:
    text: str
    relevant: list[Mem]
    category: str
    distractors: list[Mem] = field(default_factory=list)


class Builder:
    """Collects memories (with timestamps clustered into chat sessions) and queries."""

    def __init__(self, rng: random.Random, start: datetime, now: datetime) -> None:
        self.rng = rng
        self.start = start
        self.now = now
        self.span = (now - start).total_seconds() / DAY
        self.memories: list[Mem] = []
        self.asks: list[Ask] = []
        self._anchors: list[float] = []

    def time(self, lo: float = 0.0, hi: float | None = None) -> datetime:
        """A moment ``lo``..``hi`` days after the start, often inside an existing session."""
        top = self.span - 0.1
        hi = top if hi is None else min(hi, top)
        lo = max(0.0, min(lo, hi))
        near = [a for a in self._anchors if lo <= a <= hi]
        if near and self.rng.random() < 0.45:
            day = min(self.rng.choice(near) + self.rng.uniform(1, 40) / 1440, top)
        else:
            base = int(self.rng.uniform(lo, hi))
            hour = self.rng.choice([7, 8, 8, 12, 13, 17, 18, 19, 20, 20, 21, 21, 22, 23])
            day = min(max(base + (hour * 60 + self.rng.randint(0, 59)) / 1440, lo), top)
            self._anchors.append(day)
        return self.start + timedelta(days=day)

    def day_of(self, moment: datetime) -> float:
        return (moment - self.start).total_seconds() / DAY

    def mem(
        self,
        content: str,
        *,
        at: datetime | None = None,
        window: tuple[float, float | None] = (0.0, None),
        kind: str = "fact",
        topic: str = "general",
        episodic: bool | None = None,
    ) -> Mem:
        """Add one memory; ``kind`` picks its importance range and (unless given) its memory_type."""
        lo, hi = IMPORTANCE[kind]
        if episodic is None:
            episodic = kind in ("event", "record", "chat")
        memory = Mem(
            content=_sentence(content),
            at=at or self.time(*window),
            memory_type="episodic" if episodic else "semantic",
            importance=round(self.rng.uniform(lo, hi), 2),
            topic=topic,
        )
        self.memories.append(memory)
        return memory

    def ask(self, text: str, relevant: list[Mem], category: str, distractors: list[Mem] | None = None) -> None:
        self.asks.append(Ask(_sentence(text), relevant, category, distractors or []))


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Split:
    file: str
    seed: int
    start: str
    now: str
    description: str
    share: Callable[[int], bool]  # which items of each hand-written pool this split takes
    world: Callable[[random.Random], material.World]
    scale: float  # size of the generated (not hand-written) scenarios
    memories: int  # total after filler chat memories are added


SPLITS = {
    "test": Split(
        file="conversations.jsonl",
        seed=20261031,
        start="2025-11-01T00:00:00",
        now="2026-10-31T21:00:00",
        description="Test split: one person's year of chats with an assistant. Report on it; do not tune on it.",
        share=lambda i: i % 3 != 2,
        world=material.test_world,
        scale=1.0,
        memories=760,
    ),
    "dev": Split(
        file="conversations-dev.jsonl",
        seed=20260915,
        start="2025-09-20T00:00:00",
        now="2026-09-15T20:00:00",
        description="Dev split: another person's year of chats. Tune and choose defaults on this one.",
        share=lambda i: i % 3 == 2,
        world=material.dev_world,
        scale=0.5,
        memories=380,
    ),
}


def build(split: Split) -> str:
    """The split's JSON lines as one string."""
    rng = random.Random(split.seed)
    start = datetime.fromisoformat(split.start).replace(tzinfo=UTC)
    now = datetime.fromisoformat(split.now).replace(tzinfo=UTC)
    b = Builder(rng, start, now)
    world = split.world(rng)
    material.populate(b, world, split.share, split.scale)
    while len(b.memories) < split.memories:
        material.filler(b, world)
    return render(b, split, now)


def render(b: Builder, split: Split, now: datetime) -> str:
    memories = sorted(b.memories, key=lambda m: (m.at, m.content))
    session, last = 0, None
    lines: list[dict[str, Any]] = [
        {"type": "meta", "name": Path(split.file).stem, "description": split.description, "now": _iso(now)},
    ]
    for number, memory in enumerate(memories, 1):
        if last is None or (memory.at - last).total_seconds() > SESSION_GAP_MINUTES * 60:
            session += 1
        last = memory.at
        memory.id = f"m-{number:04d}"
        lines.append(
            {
                "type": "memory",
                "id": memory.id,
                "content": memory.content,
                "created_at": _iso(memory.at),
                "memory_type": memory.memory_type,
                "importance": memory.importance,
                "metadata": {"session": f"s-{session:04d}", "topic": memory.topic},
            }
        )
    asks = sorted(b.asks, key=lambda a: (a.category, a.text))
    for number, ask in enumerate(asks, 1):
        line: dict[str, Any] = {
            "type": "query",
            "id": f"q-{number:03d}",
            "query": ask.text,
            "relevant": [m.id for m in ask.relevant],
            "category": ask.category,
        }
        if ask.distractors:
            line["distractors"] = [m.id for m in ask.distractors]
        lines.append(line)
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE, help="directory to write to (default: datasets/)")
    parser.add_argument("--check", action="store_true", help="only check that the files in --out are current")
    args = parser.parse_args(argv)
    stale = []
    for split in SPLITS.values():
        text = build(split)
        path = args.out / split.file
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
            continue
        path.write_text(text, encoding="utf-8")
        queries = text.count('"type": "query"')
        print(f"wrote {path}: {text.count(chr(10)) - queries - 1} memories, {queries} queries")
    if stale:
        print(f"stale (run {Path(__file__).name}): {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
