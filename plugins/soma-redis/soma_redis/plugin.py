"""Registers the ``redis`` KV store with Soma (entry point ``soma: redis``)."""

from __future__ import annotations

from collections.abc import Callable

from soma_core.hookspecs import hookimpl
from soma_core.interfaces import KVStore

from .store import RedisKVStore


@hookimpl
def register_kv_stores(register: Callable[[type[KVStore]], None]) -> None:
    register(RedisKVStore)
