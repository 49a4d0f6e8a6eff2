"""The backend registry: every backend class the loaded plugins register, checked once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .errors import ConfigError, PluginError
from .interfaces import KINDS, Backend
from .plugins import SomaPluginManager

HOOKS: dict[str, str] = {
    "kv": "register_kv_stores",
    "vectors": "register_vector_stores",
    "embedder": "register_embedders",
    "scorer": "register_scorers",
}
"""Stack slot -> the hook that registers backends for it."""


@dataclass(frozen=True, slots=True)
class BackendInfo:
    """A registered backend class and the plugin that provided it."""

    kind: str
    name: str
    cls: type[Backend]
    plugin: str
    distribution: str
    version: str


class Registry:
    """Backends by kind and name, built from a plugin manager's hooks."""

    def __init__(self, pm: SomaPluginManager) -> None:
        self.pm = pm
        self.backends: dict[str, dict[str, BackendInfo]] = {kind: {} for kind in KINDS}
        for kind, hook_name in HOOKS.items():
            for plugin_name, plugin in pm.list_name_plugin():
                if plugin is None:
                    continue  # blocked
                others = [p for n, p in pm.list_name_plugin() if n != plugin_name and p is not None]
                caller = pm.subset_hook_caller(hook_name, remove_plugins=others)
                caller(register=self._registrar(kind, plugin_name))

    def _registrar(self, kind: str, plugin_name: str) -> Callable[[type[Backend]], None]:
        source = self.pm.source_of(plugin_name)

        def register(cls: type[Backend]) -> None:
            interface = KINDS[kind]
            if not (isinstance(cls, type) and issubclass(cls, interface)):
                raise PluginError(
                    f"plugin {plugin_name!r} ({source.distribution}) registered {cls!r} "
                    f"as a {kind} backend, but it is not a subclass of {interface.__name__}"
                )
            name = getattr(cls, "name", None)
            if not isinstance(name, str) or not name:
                raise PluginError(f"plugin {plugin_name!r} ({source.distribution}): {cls.__name__} has no name")
            existing = self.backends[kind].get(name)
            if existing is not None:
                raise PluginError(
                    f"two {kind} backends are named {name!r}: one from {existing.distribution} "
                    f"(plugin {existing.plugin!r}), one from {source.distribution} (plugin {plugin_name!r})"
                )
            self.backends[kind][name] = BackendInfo(kind, name, cls, plugin_name, source.distribution, source.version)

        return register

    def get(self, kind: str, name: str) -> BackendInfo:
        """The backend ``name`` of ``kind``, or a ConfigError listing what exists."""
        found = self.backends[kind].get(name)
        if found is None:
            available = ", ".join(sorted(self.backends[kind])) or "none"
            raise ConfigError(
                f"unknown {kind} backend {name!r} (stack.{kind}.backend); available: {available}. "
                "Install the plugin that provides it, and check `soma plugins`."
            )
        return found

    def by_plugin(self, plugin_name: str) -> list[BackendInfo]:
        return [info for kind in self.backends.values() for info in kind.values() if info.plugin == plugin_name]
