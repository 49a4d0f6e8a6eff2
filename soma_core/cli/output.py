"""How the CLI prints records, results and tables, as text or JSON."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime
from typing import Any

from ..engine import SearchResult
from ..records import MemoryRecord


def emit(value: Any, *, as_json: bool) -> None:
    """Print ``value``: JSON when asked, else a readable text form."""
    if as_json:
        print(json.dumps(_plain(value), indent=2, ensure_ascii=False, default=str))
    elif isinstance(value, str):
        print(value)
    elif isinstance(value, MemoryRecord):
        print(record_text(value))
    elif isinstance(value, list) and value and isinstance(value[0], SearchResult):
        for rank, result in enumerate(value, 1):
            print(result_text(rank, result))
    elif isinstance(value, dict):
        for key, item in value.items():
            print(f"{key}: {json.dumps(_plain(item), ensure_ascii=False, default=str)}")
    else:
        print(json.dumps(_plain(value), indent=2, ensure_ascii=False, default=str))
    sys.stdout.flush()


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in asdict(value).items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def when(timestamp: float | None) -> str:
    if timestamp is None:
        return "never"
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def record_text(r: MemoryRecord) -> str:
    lines = [
        f"{r.id}  [{r.memory_type}, importance {r.importance:.2f}]",
        f"  {r.content}",
        f"  created {when(r.created_at)}; accessed {r.access_count}x, last {when(r.last_accessed_at)}",
    ]
    if r.metadata:
        lines.append(f"  metadata {json.dumps(r.metadata, ensure_ascii=False)}")
    if r.expires_at is not None:
        lines.append(f"  expires {when(r.expires_at)}")
    return "\n".join(lines)


def result_text(rank: int, result: SearchResult) -> str:
    r = result.memory
    line = f"{rank:>2}. {result.score:.3f}  {r.id}  [{r.memory_type}, importance {r.importance:.2f}]  {r.content}"
    if result.explain is not None:
        e = result.explain
        parts = [f"relevance {e.relevance:.3f}"]
        parts += [f"{name} {value:.3f}" for name, value in (("dense", e.dense), ("lexical", e.lexical)) if value is not None]
        parts += [f"importance {e.importance:.3f}", f"recency {e.recency:.3f}"]
        line += "\n      " + "  ".join(parts)
    return line


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=False)) for row in [header, *rows]]
    return "\n".join(line.rstrip() for line in lines)
