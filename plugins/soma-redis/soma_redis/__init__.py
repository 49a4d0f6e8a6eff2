"""Soma KV store on Redis: ``stack.kv.backend: redis``."""

from .config import RedisConfig
from .store import RedisKVStore

__all__ = ["RedisConfig", "RedisKVStore"]
