"""Path mode helpers: the directory lock checked up front, and SQLite files in WAL mode.

qdrant-client locks a local directory only after loading every point in it, and
when the lock is taken it raises without closing the lock file or the SQLite
connections it opened. :func:`is_locked` asks first, cheaply, so the usual
'already open elsewhere' case loads nothing and leaks nothing.

qdrant-client's local mode commits every point in its own SQLite transaction,
and by default each commit waits for the disk: a few to tens of milliseconds
per point. With WAL and ``synchronous=NORMAL`` (as Soma's sqlite KV store uses)
a commit survives a crash of the process; only a power loss or OS crash can
drop the last commits, which a reindex rebuilds from the KV store. This reaches
into qdrant-client's internals, so it checks every step and leaves the
library's default in place when they differ.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from pathlib import Path

import portalocker
from qdrant_client import AsyncQdrantClient

LOCK_FILE = ".lock"
"""The file qdrant-client's local mode locks inside its directory."""


def is_locked(path: Path) -> bool:
    """True when another client (in this process or another) holds the local store at ``path``."""
    try:
        with open(path / LOCK_FILE, "r+") as handle:
            try:
                portalocker.lock(handle, portalocker.LockFlags.EXCLUSIVE | portalocker.LockFlags.NON_BLOCKING)
            except portalocker.exceptions.LockException:
                return True
            portalocker.unlock(handle)
    except OSError:
        return False  # no lock file yet, or not readable: qdrant-client will say what is wrong
    return False


def tune_local_storage(client: AsyncQdrantClient, names: Collection[str] | None = None) -> bool:
    """Put the SQLite connection of each local collection (or of those ``names``) in WAL mode, synchronous=NORMAL.

    Returns False (and changes nothing more) when the client's internals are not
    the ones this was written for; the store then keeps the slower default.
    """
    collections = getattr(getattr(client, "_client", None), "collections", None)
    if not isinstance(collections, dict):
        return False
    tuned = True
    for name, collection in collections.items():
        if names is not None and name not in names:
            continue
        connection = getattr(getattr(collection, "storage", None), "storage", None)
        if not isinstance(connection, sqlite3.Connection):
            tuned = False
            continue
        try:
            if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.Error:
            tuned = False  # e.g. a read-only directory: keep the default, the store still works
    return tuned
