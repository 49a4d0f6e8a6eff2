"""The plugin manager factory: built-ins and installed plugins, loaded one way.

Built-in backends are plugin modules listed in :data:`DEFAULT_PLUGINS` and are
registered exactly like third-party packages found through the ``soma``
entry-point group. ``block`` removes any plugin by name; ``load`` limits which
installed (entry-point) plugins load; ``trace`` logs every hook call to stderr.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import entry_points, version

import pluggy

from . import hookspecs
from .errors import PluginError

ENTRY_POINT_GROUP = "soma"

DEFAULT_PLUGINS: dict[str, str] = {
    "memory": "soma_core.builtins.memory_kv",
    "sqlite": "soma_core.builtins.sqlite_kv",
    "numpy": "soma_core.builtins.numpy_vectors",
    "hash": "soma_core.builtins.hash_embedder",
    "scorers": "soma_core.builtins.scorers",
}
"""Plugin name -> module of each built-in plugin."""


@dataclass(frozen=True, slots=True)
class PluginSource:
    """Where a loaded plugin came from: its distribution and version."""

    distribution: str
    version: str
    builtin: bool


class SomaPluginManager(pluggy.PluginManager):
    """A pluggy manager that also remembers each plugin's distribution."""

    def __init__(self) -> None:
        super().__init__("soma")
        self.add_hookspecs(hookspecs)
        self.sources: dict[str, PluginSource] = {}

    def source_of(self, plugin_name: str) -> PluginSource:
        return self.sources.get(plugin_name, PluginSource("(registered in code)", "", builtin=False))


def get_plugin_manager(
    *,
    load: Iterable[str] | None = None,
    block: Iterable[str] = (),
    trace: bool = False,
    entrypoints: bool = True,
) -> SomaPluginManager:
    """Build a fresh manager: built-ins, then installed plugins, minus blocked ones.

    ``load``: names of installed plugins to load (None: all). ``entrypoints=False``
    skips installed plugins entirely, as tests do to stay independent of the machine.
    """
    pm = SomaPluginManager()
    blocked = set(block)
    for name in blocked:
        pm.set_blocked(name)
    core_version = _version("soma-core")
    for name, module_path in DEFAULT_PLUGINS.items():
        if name not in blocked:
            pm.register(importlib.import_module(module_path), name=name)
            pm.sources[name] = PluginSource("soma-core", core_version, builtin=True)
    if entrypoints:
        _load_entrypoints(pm, None if load is None else set(load), blocked)
    if trace:
        pm.trace.root.setwriter(lambda message: print(f"soma trace: {message}", end="", file=sys.stderr))
        pm.enable_tracing()
    return pm


def _load_entrypoints(pm: SomaPluginManager, load: set[str] | None, blocked: set[str]) -> None:
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        if ep.name in blocked or (load is not None and ep.name not in load):
            continue
        dist_name = ep.dist.name if ep.dist else "(unknown distribution)"
        dist_version = ep.dist.version if ep.dist else ""
        if pm.has_plugin(ep.name):
            other = pm.source_of(ep.name).distribution
            raise PluginError(f"plugin name {ep.name!r} is claimed by both {other} and {dist_name}")
        try:
            plugin = ep.load()
        except Exception as exc:  # a broken plugin must name itself, not crash with a traceback
            raise PluginError(f"plugin {ep.name!r} from {dist_name} failed to load: {exc}") from exc
        pm.register(plugin, name=ep.name)
        pm.sources[ep.name] = PluginSource(dist_name, dist_version, builtin=False)


def _version(distribution: str) -> str:
    try:
        return version(distribution)
    except Exception:
        return "unknown"
