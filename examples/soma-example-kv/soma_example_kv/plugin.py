"""The module named by the ``soma`` entry point: registers the backend through the hook."""

from collections.abc import Callable

from soma_core.hookspecs import hookimpl
from soma_core.interfaces import KVStore

from .store import JsonFileKVStore


@hookimpl
def register_kv_stores(register: Callable[[type[KVStore]], None]) -> None:
    register(JsonFileKVStore)
