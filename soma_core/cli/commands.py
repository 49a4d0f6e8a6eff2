"""One function per ``soma`` subcommand; each parses, calls the engine, prints."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from ..config import Settings, load_settings
from ..engine import MemoryEngine
from ..errors import ConfigError, InvalidInputError, SomaError
from ..opening import open_engine
from ..registry import HOOKS, Registry
from ..stack import build_stack, plugin_manager_for
from .output import emit, table

COMMANDS: dict[str, Callable[[argparse.Namespace], Any]] = {}
BATCH = 256


def settings_for(args: argparse.Namespace) -> Settings:
    return load_settings(args.config)


@asynccontextmanager
async def engine_for(args: argparse.Namespace, *, for_reindex: bool = False) -> AsyncIterator[MemoryEngine]:
    engine = await open_engine(settings_for(args), for_reindex=for_reindex)
    try:
        yield engine
    finally:
        await engine.close()


def command(name: str) -> Callable[[Callable[[argparse.Namespace], Any]], Callable[[argparse.Namespace], Any]]:
    def register(fn: Callable[[argparse.Namespace], Any]) -> Callable[[argparse.Namespace], Any]:
        COMMANDS[name] = fn
        return fn

    return register


def add_commands(sub: Any) -> None:
    sub.add_parser("plugins", help="list loaded plugins, their hooks and backends")

    p = sub.add_parser("store", help="store a memory (or many from JSON lines)")
    p.add_argument("content", nargs="?", help="the memory's text")
    p.add_argument("-i", "--importance", type=float, help="importance in [0, 1] (default: the scorer decides)")
    p.add_argument("-t", "--type", dest="memory_type", default="episodic", choices=["episodic", "semantic"])
    p.add_argument("-m", "--metadata", help="metadata as a JSON object")
    p.add_argument("--ttl", type=float, help="seconds until the memory expires")
    p.add_argument("--id", help="your own id (makes the store idempotent)")
    p.add_argument("--jsonl", help="file of JSON lines ({content, importance?, memory_type?, metadata?, ttl?, id?}); - for stdin")

    p = sub.add_parser("recall", help="show a memory by id (counts as an access)")
    p.add_argument("id")

    p = sub.add_parser("search", help="search memories by meaning")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=10, help="how many results (default 10)")
    p.add_argument("-t", "--type", dest="memory_type", choices=["episodic", "semantic"])
    p.add_argument("-w", "--where", action="append", default=[], metavar="KEY=VALUE", help="metadata equality (JSON values)")
    p.add_argument("--weights", help='ranking overrides as JSON, e.g. {"recency": 0.5}')
    p.add_argument("--explain", action="store_true", help="show each score component")
    p.add_argument("--mode", choices=["hybrid", "dense", "lexical"], default="hybrid", help="retrieval mode (default hybrid)")

    p = sub.add_parser("list", help="list memories, oldest first")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--cursor")
    p.add_argument("-t", "--type", dest="memory_type", choices=["episodic", "semantic"])

    p = sub.add_parser("delete", help="delete memories by id")
    p.add_argument("ids", nargs="+")

    sub.add_parser("stats", help="counts for the namespace")
    sub.add_parser("reindex", help="re-embed every memory with the configured embedder and rebuild the index")
    sub.add_parser("repair", help="finish interrupted writes and remove expired memories")
    sub.add_parser("doctor", help="open the configured stack, check every backend and print what was found")

    p = sub.add_parser("eval", help="measure retrieval quality on a dataset (docs/evaluation.md)")
    p.add_argument("dataset", help="JSON-lines dataset of memories and queries with relevant ids")
    p.add_argument("--mode", action="append", choices=["hybrid", "dense", "lexical"], help="repeat for several (default hybrid)")
    p.add_argument("--weights", help='ranking overrides as JSON, e.g. {"recency": 0.3}')
    p.add_argument("-k", type=int, default=10, help="results per query (at least 10)")

    p = sub.add_parser("serve", help="run the HTTP API (needs soma-core[server])")
    p.add_argument("--host", default=None, help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (default: api_port, 9595)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (needs a multi-process stack)")


@command("plugins")
def cmd_plugins(args: argparse.Namespace) -> int:
    pm = plugin_manager_for(settings_for(args))
    registry = Registry(pm)
    rows = []
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda item: item[0]):
        if plugin is None:
            continue
        source = pm.source_of(name)
        hooks = sorted(caller.name for caller in pm.get_hookcallers(plugin) or [] if caller.name in HOOKS.values())
        backends = [f"{info.kind}:{info.name}" for info in registry.by_plugin(name)]
        rows.append(
            {
                "name": name,
                "distribution": source.distribution,
                "version": source.version,
                "builtin": source.builtin,
                "hooks": hooks,
                "backends": backends,
            }
        )
    if args.json:
        emit(rows, as_json=True)
    else:
        emit(
            table(
                [[r["name"], r["distribution"], r["version"], ", ".join(r["hooks"]), ", ".join(r["backends"])] for r in rows],
                ["plugin", "distribution", "version", "hooks", "backends"],
            ),
            as_json=False,
        )
    return 0


def _json_arg(text: str | None, what: str) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"{what} is not valid JSON: {exc.msg} at position {exc.pos}") from None


@command("store")
async def cmd_store(args: argparse.Namespace) -> int:
    if (args.content is None) == (args.jsonl is None):
        raise InvalidInputError("give either CONTENT or --jsonl FILE")
    async with engine_for(args) as engine:
        if args.jsonl is None:
            memory_id = await engine.store(
                args.content,
                args.importance,
                memory_type=args.memory_type,
                metadata=_json_arg(args.metadata, "--metadata"),
                ttl=args.ttl,
                id=args.id,
                namespace=args.namespace,
            )
            emit({"id": memory_id} if args.json else memory_id, as_json=args.json)
            return 0
        return await _store_jsonl(engine, args)


async def _store_jsonl(engine: MemoryEngine, args: argparse.Namespace) -> int:
    stream = sys.stdin if args.jsonl == "-" else Path(args.jsonl).open(encoding="utf-8")
    started = time.perf_counter()
    stored = 0
    batch: list[dict[str, Any]] = []
    try:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            item = _json_arg(line, f"line {number}")
            if not isinstance(item, dict):
                raise InvalidInputError(f"line {number}: expected a JSON object")
            batch.append(item)
            if len(batch) >= BATCH:
                stored += len(await engine.store_many(batch, namespace=args.namespace))
                batch = []
        if batch:
            stored += len(await engine.store_many(batch, namespace=args.namespace))
    except InvalidInputError as exc:
        raise InvalidInputError(f"{exc} (after {stored} stored)") from None
    finally:
        if stream is not sys.stdin:
            stream.close()
    elapsed = time.perf_counter() - started
    emit({"stored": stored, "seconds": round(elapsed, 3)} if args.json else f"stored {stored} memories in {elapsed:.1f}s", as_json=args.json)
    return 0


@command("recall")
async def cmd_recall(args: argparse.Namespace) -> int:
    async with engine_for(args) as engine:
        emit(await engine.recall(args.id, namespace=args.namespace), as_json=args.json)
    return 0


def _where(pairs: list[str]) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise InvalidInputError(f"--where {pair!r}: expected KEY=VALUE")
        try:
            metadata[key] = json.loads(raw)
        except json.JSONDecodeError:
            metadata[key] = raw  # a bare word is a string
    return metadata


@command("search")
async def cmd_search(args: argparse.Namespace) -> int:
    filters = {"memory_type": args.memory_type, "metadata": _where(args.where)}
    async with engine_for(args) as engine:
        results = await engine.search(
            args.query,
            args.k,
            filters=filters,
            weights=_json_arg(args.weights, "--weights"),
            explain=args.explain,
            mode=args.mode,
            namespace=args.namespace,
        )
    if not results and not args.json:
        print("no memories found")
        return 0
    emit(results, as_json=args.json)
    return 0


@command("list")
async def cmd_list(args: argparse.Namespace) -> int:
    async with engine_for(args) as engine:
        page = await engine.list(limit=args.limit, cursor=args.cursor, memory_type=args.memory_type, namespace=args.namespace)
    if args.json:
        emit(page, as_json=True)
        return 0
    for record in page.items:
        emit(record, as_json=False)
    if page.next_cursor:
        print(f"-- more: --cursor {page.next_cursor}")
    return 0


@command("delete")
async def cmd_delete(args: argparse.Namespace) -> int:
    async with engine_for(args) as engine:
        deleted = await engine.delete_many(args.ids, namespace=args.namespace)
    emit({"deleted": deleted} if args.json else f"deleted {deleted} of {len(set(args.ids))}", as_json=args.json)
    return 0 if deleted == len(set(args.ids)) else 1


@command("stats")
async def cmd_stats(args: argparse.Namespace) -> int:
    async with engine_for(args) as engine:
        emit(await engine.stats(namespace=args.namespace), as_json=args.json)
    return 0


@command("reindex")
async def cmd_reindex(args: argparse.Namespace) -> int:
    async with engine_for(args, for_reindex=True) as engine:
        result = await engine.reindex()
    emit(result if args.json else f"re-embedded and indexed {result['reindexed']} memories", as_json=args.json)
    return 0


@command("repair")
async def cmd_repair(args: argparse.Namespace) -> int:
    async with engine_for(args) as engine:
        result = await engine.repair()
        result["expired_removed"] = await engine.sweep_expired()
    emit(result, as_json=args.json)
    return 0


@command("doctor")
async def cmd_doctor(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    stack = build_stack(settings)
    report: dict[str, Any] = {"config_file": str(settings.config_file) if settings.config_file else None}
    report["stack"] = stack.describe()
    report["notices"] = stack.notices
    engine = await open_engine(settings, stack=stack)
    try:
        for slot, backend in stack.slots().items():
            try:
                await backend.ping()
                report["stack"][slot]["status"] = "ok"
            except SomaError as exc:
                report["stack"][slot]["status"] = f"failed: {exc}"
        report["embedder"] = {"identity": engine.embedder.identity, "dim": engine.embedder.dim}
        report["namespaces"] = {ns: await engine.count(namespace=ns) for ns in await engine.namespaces()}
    finally:
        await engine.close()
    if args.json:
        emit(report, as_json=True)
        return 0
    print(f"config: {report['config_file'] or '(defaults and environment)'}")
    for slot, info in report["stack"].items():
        print(f"{slot:9} {info['backend']:22} {info['status']:4}  ({info['distribution']} {info['version']}) {info['options']}")
    for notice in report["notices"]:
        print(f"note: {notice}")
    print(f"embedder: {report['embedder']['identity']} ({report['embedder']['dim']}-d); index dimension checked")
    for ns, count in report["namespaces"].items():
        print(f"namespace {ns}: {count} memories")
    return 0


@command("eval")
def cmd_eval(args: argparse.Namespace) -> int:
    from ..evaluation import run_eval_cli

    return run_eval_cli(
        settings_for(args), args.dataset, args.mode, args.json, k=args.k, weights=_json_arg(args.weights, "--weights")
    )


@command("serve")
def cmd_serve(args: argparse.Namespace) -> int:
    try:
        from soma_server.serve import serve
    except ImportError as exc:
        raise ConfigError(f"the HTTP server is not installed ({exc}); pip install 'soma-core[server]'") from None
    return serve(settings_for(args), host=args.host, port=args.port, workers=args.workers)
