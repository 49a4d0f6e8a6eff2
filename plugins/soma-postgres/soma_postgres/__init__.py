"""Soma KV store on PostgreSQL: one table of (namespace, key, value, expires_at)."""

from .config import PostgresConfig
from .store import PostgresKVStore

__all__ = ["PostgresConfig", "PostgresKVStore"]
