"""Tutorial plugin: a Soma KV store kept in one JSON file (see docs/writing-a-plugin.md)."""

from .store import JsonFileKVStore

__all__ = ["JsonFileKVStore"]
