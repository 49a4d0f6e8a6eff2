"""Shared pieces of the benchmark scripts: data, stacks, timing, tables, JSON results, a server.

Every script imports this module as ``_common`` (scripts run as
``.venv-bench/bin/python benchmarks/<name>.py``, so this folder is on
``sys.path``). Nothing here is timed itself; it only prepares and reports.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

# soma_core first, as in the soma CLI and server: it sets OPENBLAS_THREAD_TIMEOUT before numpy loads OpenBLAS
# (threads sleep right after a call instead of spinning ~0.1 s beside torch's; soma_core/_threads.py). The setting
# is process-wide, so every system measured here gets it alike (mem0's qdrant uses numpy too).
import soma_core  # noqa: F401

# isort: split
import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results"
CACHE = RESULTS / "cache"
BIN = Path(sys.executable).parent
POSTGRES_URL = os.environ.get("SOMA_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("SOMA_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
DIM = 384

# ---------------------------------------------------------------------------------------------
# Data: short, realistic agent memories and questions, deterministic for a seed.
# ---------------------------------------------------------------------------------------------

_PEOPLE = [
    "Alice", "Bob", "Carmen", "Deepak", "Elena", "Farid", "Grace", "Hiro", "Ingrid", "Jamal", "Kofi", "Lena",
    "Mateo", "Nadia", "Oscar", "Priya", "Quentin", "Rosa", "Sven", "Tomoko", "the user", "my manager",
    "the new intern", "our client", "the support lead", "my sister", "the landlord", "the CTO",
]
_FACTS = [
    "prefers {thing}", "is allergic to {food}", "asked me to book {trip}", "forgot the password for {app}",
    "moved the meeting about {topic} to {day}", "wants weekly updates on {topic}", "recommended {food} at {place}",
    "is learning {skill} in the evenings", "complained that {app} is slow", "will be on vacation in {city} until {day}",
    "shared the slides on {topic}", "dislikes {thing}", "needs {topic} reviewed by {day}", "lives near {place}",
    "signed up for the {skill} course", "reported a bug in {app} on {day}", "said the budget for {topic} is {amount}",
    "drinks {drink} every morning", "is flying to {city} on {day}", "asked about the status of {topic}",
]
_THING = ["dark mode", "short emails", "morning meetings", "window seats", "paper notebooks", "quiet hotels",
          "video calls", "bullet-point summaries", "the blue theme", "early check-ins", "mechanical keyboards"]
_FOOD = ["peanuts", "shellfish", "gluten", "ramen", "tapas", "dim sum", "falafel", "sourdough pizza", "pho", "tacos"]
_TRIP = ["a flight to Lisbon", "a hotel in Osaka", "a train to Munich", "a table for six", "a rental car in Denver"]
_APP = ["the CRM", "Jira", "the billing portal", "the VPN", "the expense tool", "Slack", "the wiki", "the HR portal"]
_TOPIC = ["the Q3 roadmap", "the data migration", "the hiring plan", "the pricing page", "the security audit",
          "the API redesign", "the onboarding flow", "the quarterly report", "the Berlin office lease",
          "the mobile release", "the vendor contract", "the load tests", "the design review"]
_DAY = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "next week", "the 14th", "end of month", "tomorrow"]
_PLACE = ["the station", "Market Street", "the old harbour", "the university", "the airport", "Central Park"]
_SKILL = ["Spanish", "pottery", "Rust", "piano", "public speaking", "sailing", "statistics", "Kubernetes"]
_CITY = ["Lisbon", "Osaka", "Nairobi", "Toronto", "Berlin", "Lima", "Hanoi", "Oslo", "Austin", "Seoul"]
_DRINK = ["green tea", "black coffee", "oat latte", "mate", "hot chocolate", "sparkling water"]
_AMOUNT = ["$12k", "$40k", "€8,000", "$250 per month", "£3,500", "$1.2M"]
_SLOTS = {"thing": _THING, "food": _FOOD, "trip": _TRIP, "app": _APP, "topic": _TOPIC, "day": _DAY,
          "place": _PLACE, "skill": _SKILL, "city": _CITY, "drink": _DRINK, "amount": _AMOUNT}
_QUESTIONS = [
    "what does {person} prefer?", "is {person} allergic to anything?", "when is {person} travelling to {city}?",
    "who asked about {topic}?", "what did {person} say about {app}?", "where does {person} live?",
    "what is the budget for {topic}?", "what does {person} drink in the morning?", "who is learning {skill}?",
    "what happened with {topic} on {day}?",
]


def _fill(template: str, rng: random.Random) -> str:
    return template.format(person=rng.choice(_PEOPLE), **{k: rng.choice(v) for k, v in _SLOTS.items()})


def memory_texts(count: int, seed: int = 0) -> list[str]:
    """``count`` distinct short memories (8-20 words), deterministic for ``seed``."""
    rng = random.Random(seed)
    out: list[str] = []
    seen: set[str] = set()
    n = 0
    while len(out) < count:
        person = rng.choice(_PEOPLE)
        text = f"{person[0].upper()}{person[1:]} {_fill(rng.choice(_FACTS), rng)}"
        if rng.random() < 0.5:
            text += f", noted in conversation {n % 9973}"
        text += "."
        n += 1
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def query_texts(count: int, seed: int = 1) -> list[str]:
    """``count`` questions an agent might ask of its memory, deterministic for ``seed``."""
    rng = random.Random(seed)
    return [_fill(rng.choice(_QUESTIONS), rng) for _ in range(count)]


def text_bytes(texts: Sequence[str]) -> int:
    return sum(len(t.encode()) for t in texts)


# ---------------------------------------------------------------------------------------------
# Stacks: settings for each benchmarked configuration, with private storage cleaned up after.
# ---------------------------------------------------------------------------------------------

STACKS = ("embedded", "postgres+qdrant", "redis+chroma")
"""embedded: sqlite + numpy (the default); postgres+qdrant: PostgreSQL KV + qdrant local (path)
mode; redis+chroma: Redis KV + chroma embedded (PersistentClient)."""

EMBEDDERS = ("minilm", "hash")
EMBEDDER_SLOTS = {"minilm": {"backend": "sentence-transformers"}, "hash": {"backend": "hash"}}


@dataclass
class StackSpec:
    """One configuration with private storage: a temp data dir, a Postgres schema, a Redis key prefix."""

    name: str
    embedder: str = "minilm"
    data_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="soma-bench-")))
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    chroma_server: tuple[str, int] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def schema(self) -> str:
        return f"soma_bench_{self.run_id}"

    @property
    def key_prefix(self) -> str:
        return f"soma-bench:{self.run_id}:"

    def stack(self) -> dict[str, Any]:
        kv: dict[str, Any]
        vectors: dict[str, Any]
        if self.name == "embedded":
            kv, vectors = {"backend": "sqlite"}, {"backend": "numpy"}
        elif self.name == "postgres+qdrant":
            kv = {"backend": "postgres", "url": POSTGRES_URL, "schema": self.schema}
            vectors = {"backend": "qdrant", "path": str(self.data_dir / "qdrant")}
        elif self.name == "redis+chroma":
            kv = {"backend": "redis", "url": REDIS_URL, "key_prefix": self.key_prefix}
            if self.chroma_server:
                host, port = self.chroma_server
                vectors = {"backend": "chroma", "host": host, "port": port, "collection_prefix": f"b{self.run_id}"}
            else:
                vectors = {"backend": "chroma", "path": str(self.data_dir / "chroma")}
        elif self.name == "sqlite+qdrant":
            kv, vectors = {"backend": "sqlite"}, {"backend": "qdrant", "path": str(self.data_dir / "qdrant")}
        elif self.name == "sqlite+chroma":
            kv, vectors = {"backend": "sqlite"}, {"backend": "chroma", "path": str(self.data_dir / "chroma")}
        else:
            raise SystemExit(f"unknown stack {self.name!r}; choose from {', '.join(STACKS)}")
        return {"kv": kv, "vectors": vectors, "embedder": dict(EMBEDDER_SLOTS[self.embedder])}

    def overrides(self, dedupe: str = "allow") -> dict[str, Any]:
        """Keyword arguments for ``load_settings``: only the plugins this stack needs are loaded."""
        stack = self.stack()
        plugins = {"sentence-transformers": stack["embedder"]["backend"] == "sentence-transformers"}
        for slot in ("kv", "vectors"):
            if stack[slot]["backend"] not in ("sqlite", "numpy"):
                plugins[stack[slot]["backend"]] = True
        return {
            "data_dir": self.data_dir,
            "stack": stack,
            "plugins": {"load": [name for name, used in plugins.items() if used]},
            "dedupe": {"mode": dedupe},
            **self.extra,
        }

    def settings(self, dedupe: str = "allow") -> Any:
        from soma_core import load_settings

        return load_settings(**self.overrides(dedupe))

    def write_config(self, path: Path, dedupe: str = "allow") -> Path:
        """A YAML (JSON is YAML) config file for ``soma serve``."""
        data = self.overrides(dedupe)
        data["data_dir"] = str(data["data_dir"])
        path.write_text(json.dumps(data, indent=2))
        return path

    def cleanup(self) -> None:
        """Drop the Postgres schema, delete the Redis keys, remove the data dir. Never touches anything else."""
        if self.name == "postgres+qdrant":
            _drop_schema(self.schema)
        if self.name == "redis+chroma":
            _delete_redis_prefix(self.key_prefix)
        shutil.rmtree(self.data_dir, ignore_errors=True)


def _drop_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _delete_redis_prefix(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    pattern = "".join("\\" + ch if ch in "*?[]\\" else ch for ch in prefix) + "*"
    batch: list[bytes] = []
    for key in client.scan_iter(match=pattern, count=1000):
        batch.append(key)
        if len(batch) >= 1000:
            client.delete(*batch)
            batch.clear()
    if batch:
        client.delete(*batch)
    client.close()


async def open_soma(spec: StackSpec, dedupe: str = "allow") -> Any:
    from soma_core import open_engine

    return await open_engine(spec.settings(dedupe))


# ---------------------------------------------------------------------------------------------
# Embedder wrappers: precomputed vectors for fast fills; a query cache to time search alone.
# ---------------------------------------------------------------------------------------------


class VectorTable:
    """Precomputed vectors by text; ``embed_many`` of these texts costs a dictionary lookup."""

    def __init__(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        self.rows = {t: i for i, t in enumerate(texts)}
        self.vectors = vectors


class Precomputed:
    """Stands in for the engine's embedder: known texts get their precomputed vector, others the real one.

    Same ``identity`` and ``dim`` as the wrapped embedder, so stored memories look
    as if that embedder had made them (used to fill 100k/1M quickly).
    """

    def __init__(self, inner: Any, table: VectorTable) -> None:
        self._inner = inner
        self._table = table

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def embed_many(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        rows = [self._table.rows.get(t) for t in texts]
        if all(r is not None for r in rows):
            return self._table.vectors[np.asarray(rows, dtype=np.int64)]
        return await self._inner.embed_many(texts, batch_size=batch_size)


class QueryCache:
    """Stands in for the engine's embedder at search: each query is embedded once, then served from memory.

    Timing ``engine.search`` after a warm-up pass therefore excludes query embedding.
    """

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._cache: dict[str, np.ndarray] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def embed_many(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            for text, vector in zip(missing, await self._inner.embed_many(missing, batch_size=batch_size), strict=True):
                self._cache[text] = vector
        return np.stack([self._cache[t] for t in texts])


def hash_vectors(texts: Sequence[str], *, cache_name: str | None = None) -> np.ndarray:
    """The built-in hash embedder's vectors of ``texts`` (unit length), cached on disk by ``cache_name``."""
    path = CACHE / f"{cache_name}.npy" if cache_name else None
    if path is not None and path.exists():
        vectors = np.load(path, mmap_mode=None)
        if len(vectors) >= len(texts):
            return vectors[: len(texts)]
    from soma_core.builtins.hash_embedder import HashEmbedder
    from soma_core.interfaces import normalize

    embedder = HashEmbedder()
    out = np.empty((len(texts), embedder.dim), dtype=np.float32)
    for start in range(0, len(texts), 10_000):
        chunk = texts[start : start + 10_000]
        out[start : start + len(chunk)] = normalize(np.stack([embedder._vector(t) for t in chunk]))
    if path is not None:
        CACHE.mkdir(parents=True, exist_ok=True)
        np.save(path, out)
    return out


def embedding_like_vectors(texts: Sequence[str], *, cache_name: str | None = None) -> np.ndarray:
    """Stand-ins for real embeddings: the hash vectors of ``texts`` turned by a fixed random rotation.

    Hash vectors are sparse (a text touches a few dozen of 384 buckets), and the
    numpy store keeps sparse vectors in posting lists; a real embedding has no
    zero entries. A rotation (an orthogonal matrix, seeded) keeps every cosine
    between the hash vectors, so near texts stay near, but spreads each vector
    over all dimensions, as MiniLM's are: the stores then do the work real
    embeddings cost them.
    """
    path = CACHE / f"{cache_name}.npy" if cache_name else None
    if path is not None and path.exists():
        vectors = np.load(path)
        if len(vectors) >= len(texts):
            return vectors[: len(texts)]
    sparse = hash_vectors(texts)
    rotation, _ = np.linalg.qr(np.random.default_rng(384).standard_normal((sparse.shape[1], sparse.shape[1])))
    out = np.empty_like(sparse)
    for start in range(0, len(sparse), 50_000):
        out[start : start + 50_000] = sparse[start : start + 50_000] @ rotation.astype(np.float32)
    if path is not None:
        CACHE.mkdir(parents=True, exist_ok=True)
        np.save(path, out)
    return out


# ---------------------------------------------------------------------------------------------
# Timing and statistics.
# ---------------------------------------------------------------------------------------------


def percentiles(samples_s: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/mean/min/max in milliseconds, plus the sample count."""
    a = np.asarray(samples_s, dtype=np.float64) * 1000.0
    if a.size == 0:
        return {"n": 0}
    p50, p95, p99 = np.percentile(a, [50, 95, 99])
    return {"n": int(a.size), "p50_ms": float(p50), "p95_ms": float(p95), "p99_ms": float(p99),
            "mean_ms": float(a.mean()), "min_ms": float(a.min()), "max_ms": float(a.max())}


async def time_each(fn: Callable[[int], Awaitable[Any]], count: int, *, budget_s: float) -> list[float]:
    """Seconds per call of ``fn(i)`` for i in range(count), stopping early after ``budget_s``."""
    samples = []
    deadline = time.perf_counter() + budget_s
    for i in range(count):
        started = time.perf_counter()
        await fn(i)
        samples.append(time.perf_counter() - started)
        if time.perf_counter() > deadline:
            break
    return samples


def time_each_sync(fn: Callable[[int], Any], count: int, *, budget_s: float) -> list[float]:
    samples = []
    deadline = time.perf_counter() + budget_s
    for i in range(count):
        started = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - started)
        if time.perf_counter() > deadline:
            break
    return samples


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """``with stopwatch() as t: ...`` then ``t[0]`` holds the elapsed seconds."""
    box: list[float] = []
    started = time.perf_counter()
    try:
        yield box
    finally:
        box.append(time.perf_counter() - started)


def best_of(rates: Sequence[float]) -> dict[str, float]:
    return {"median": float(statistics.median(rates)), "best": float(max(rates)), "runs": len(rates)}


def chunks(seq: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(seq), size):
        yield seq[start : start + size]


def rss_bytes(pid: int | None = None) -> int:
    """Resident set size of a process (default: this one), from /proc."""
    with open(f"/proc/{pid or 'self'}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def peak_rss_bytes(pid: int | None = None) -> int:
    with open(f"/proc/{pid or 'self'}/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


# ---------------------------------------------------------------------------------------------
# Reporting: machine description, tables, JSON.
# ---------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """What the figures were measured on, and how busy the machine was."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_total = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_total = int(line.split()[1]) * 1024
    except OSError:
        pass
    info: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "cpu_model": cpu,
        "ram_gib": round(mem_total / 2**30, 1),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "load_average_1m": round(os.getloadavg()[0], 2),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
        "cpu_pressure_some_avg60": _cpu_pressure(),
    }
    try:
        from threadpoolctl import threadpool_info

        info["blas"] = [
            {k: p.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
            for p in threadpool_info()
            if p.get("user_api") == "blas"
        ]
    except ImportError:
        pass
    return info


def _cpu_pressure() -> float | None:
    """Share of the last minute in which some runnable task waited for a CPU (Linux PSI), in percent."""
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
        return float(dict(part.split("=") for part in line.split()[1:])["avg60"])
    except (OSError, KeyError, ValueError, IndexError):
        return None


def torch_info() -> dict[str, Any]:
    try:
        import torch
    except ImportError:
        return {}
    return {"torch": torch.__version__, "torch_threads": torch.get_num_threads()}


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain aligned text table on stdout."""
    cells = [[_cell(v) for v in row] + ["-"] * (len(headers) - len(row)) for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(v.rjust(w) if _numeric(v) else v.ljust(w) for v, w in zip(row, widths, strict=True)))
    sys.stdout.flush()


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if value == 0:
            return "0"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}" if abs(value) >= 0.1 else f"{value:.3f}"
    return str(value)


def _numeric(text: str) -> bool:
    return bool(text) and (text[0].isdigit() or text[0] in "-+.") and text != "-"


def write_json(name: str, data: dict[str, Any]) -> Path:
    """benchmarks/results/<name>.json with the machine, the command and a timestamp added."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {
        "benchmark": name,
        "command": " ".join([Path(sys.executable).relative_to(REPO).as_posix() if _inside(sys.executable) else
                             sys.executable, *[_rel(a) for a in sys.argv]]),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine() | torch_info(),
        "code": CODE_AT_START,
        **data,
    }
    path.write_text(json.dumps(payload, indent=2, default=_jsonable))
    print(f"\nwrote {path.relative_to(REPO)}")
    return path


def code_digest() -> dict[str, Any]:
    """Which Soma code was measured: a digest of soma_core, soma_server and the plugins' sources, and git HEAD."""
    import hashlib

    digest = hashlib.sha256()
    newest = 0.0
    for folder in ("soma_core", "soma_server", "soma_client", "plugins"):
        for path in sorted((REPO / folder).rglob("*.py")):
            if "tests" in path.parts:
                continue
            digest.update(path.relative_to(REPO).as_posix().encode())
            digest.update(path.read_bytes())
            newest = max(newest, path.stat().st_mtime)
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=10, check=False).stdout.strip()
        dirty = bool(subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "soma_core", "soma_server",
                                     "plugins"], capture_output=True, text=True, timeout=10, check=False).stdout.strip())
    except (OSError, subprocess.SubprocessError):
        head, dirty = "", None
    return {"git_head": head, "uncommitted_changes": dirty, "sources_sha256": digest.hexdigest()[:16],
            "newest_source_mtime": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(newest))}


CODE_AT_START = code_digest()
"""Taken when the script starts, since the sources may change while a long run goes on."""


def _inside(p: str) -> bool:
    try:
        Path(p).relative_to(REPO)
        return True
    except ValueError:
        return False


def _rel(arg: str) -> str:
    path = Path(arg)
    if path.is_absolute() and _inside(arg):
        return path.relative_to(REPO).as_posix()
    return arg


def _jsonable(value: Any) -> Any:
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if not numerator or not denominator:
        return None
    return numerator / denominator


# ---------------------------------------------------------------------------------------------
# Processes: a `soma serve` on loopback, and a `chroma run` server.
# ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout_s: float, proc: subprocess.Popen[bytes] | None = None) -> None:
    import httpx

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout_s:.0f}s")


class SomaServer:
    """``soma --config FILE serve --port N`` on 127.0.0.1 in a child process; stopped with SIGINT."""

    def __init__(self, spec: StackSpec, *, dedupe: str = "allow", startup_timeout_s: float = 900.0) -> None:
        self.spec = spec
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = spec.write_config(spec.data_dir / "soma-bench.json", dedupe)
        self.log = spec.data_dir / "server.log"
        self.startup_timeout_s = startup_timeout_s
        self.proc: subprocess.Popen[bytes] | None = None
        self.startup_s = 0.0

    def __enter__(self) -> Self:
        started = time.perf_counter()
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [str(BIN / "soma"), "--config", str(self.config), "serve", "--port", str(self.port)],
                stdout=subprocess.DEVNULL,  # the JSON access log: one line per request
                stderr=log,
                env={**os.environ, "SOMA_CONFIG": str(self.config)},
            )
        try:
            wait_http(f"{self.url}/ready", self.startup_timeout_s, self.proc)
        except BaseException:
            self.stop()
            raise
        self.startup_s = time.perf_counter() - started
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def __exit__(self, *exc: object) -> None:
        self.stop()


class ChromaServer:
    """``chroma run`` on 127.0.0.1 with a private directory, for chroma's server mode."""

    def __init__(self, path: Path) -> None:
        self.port = free_port()
        self.path = path
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        self.proc = subprocess.Popen(
            [str(BIN / "chroma"), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_http(f"http://127.0.0.1:{self.port}/api/v2/heartbeat", 60, self.proc)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def run(coro: Awaitable[Any]) -> Any:
    return asyncio.run(coro)  # type: ignore[arg-type]


def flatten(rows: Sequence[dict[str, Any]], keys: Sequence[str]) -> list[list[Any]]:
    return [[row.get(k) for k in keys] for row in rows]


def product(*axes: Sequence[Any]) -> list[tuple[Any, ...]]:
    return list(itertools.product(*axes))
