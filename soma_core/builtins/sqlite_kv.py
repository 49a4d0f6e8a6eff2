"""``sqlite`` KV store: the durable default, one file under the data directory (WAL mode)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import Field

from ..errors import BackendUnavailableError
from ..hookspecs import hookimpl
from ..interfaces import BackendConfig, Capabilities, KVStore

T = TypeVar("T")
INLINE_READ = 512
"""Reads of at most this many keys or rows run inline instead of in a worker thread."""
INLINE_WRITE = 64
"""Writes of at most this many keys (and INLINE_BYTES of values) run inline when the write lock is free."""
INLINE_BYTES = 256 * 1024
CHECKPOINT_ROWS = 1000
"""Rows written between WAL checkpoints; the writer checkpoints in a worker thread, never inline."""
SCHEMA = """
CREATE TABLE IF NOT EXISTS soma_kv (
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL,
    expires_at REAL,
    PRIMARY KEY (namespace, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS soma_kv_expiry ON soma_kv (expires_at) WHERE expires_at IS NOT NULL;
"""


class SQLiteConfig(BackendConfig):
    path: str | None = Field(default=None, description="Database file; default DATA_DIR/soma.sqlite3.")
    data_dir: str = Field(default=".", description="Filled from the top-level data_dir setting.")
    busy_timeout_ms: int = Field(default=5000, ge=0, description="How long a writer waits for another process.")
    synchronous: str = Field(default="NORMAL", pattern="^(OFF|NORMAL|FULL|EXTRA)$")
    mmap_mb: int = Field(
        default=1024,
        ge=0,
        description="MiB of the file that small reads (search, recall) see through a memory map; 0: read() calls.",
    )


class SQLiteKVStore(KVStore):
    """SQLite through the standard library, called from a worker thread.

    Every batch is one transaction. Prefix scans use the primary key
    (namespace, key) as a range. TTL is honoured on read and swept at open.
    Large reads run in a worker thread; small reads (the hot path of search and
    recall) run inline on a second, read-only connection, which WAL lets read
    while a write is in progress. Small writes (a single store) run inline too
    when they can start at once: nobody else in this process is writing and
    ``BEGIN IMMEDIATE`` gets SQLite's write lock without waiting (busy timeout 0
    for that attempt); otherwise, and for large writes, a worker thread waits.
    The writer never checkpoints the WAL on its own (``wal_autocheckpoint = 0``):
    every ``CHECKPOINT_ROWS`` rows the next write goes to the thread and
    checkpoints there, so the event loop never waits for a checkpoint's syncs.
    """

    name = "sqlite"
    Config = SQLiteConfig
    capabilities = Capabilities(ttl=True, persistent=True, multi_process=True)
    config: SQLiteConfig

    def __init__(self, config: SQLiteConfig | None = None) -> None:
        super().__init__(config)
        self._conn: sqlite3.Connection | None = None
        self._reader: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._unchecked = 0  # rows written since the last checkpoint

    @property
    def path(self) -> Path:
        return Path(self.config.path or Path(self.config.data_dir) / "soma.sqlite3").expanduser()

    async def open(self) -> None:
        if self._conn is not None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            conn.execute(f"PRAGMA busy_timeout = {self.config.busy_timeout_ms}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute(f"PRAGMA synchronous = {self.config.synchronous}")
            conn.execute("PRAGMA wal_autocheckpoint = 0")  # see _write: checkpoints run in the worker thread
            conn.executescript(SCHEMA)
            conn.execute("DELETE FROM soma_kv WHERE expires_at <= ?", (time.time(),))
            reader = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            reader.execute(f"PRAGMA busy_timeout = {self.config.busy_timeout_ms}")
            reader.execute("PRAGMA query_only = ON")
            reader.execute(f"PRAGMA mmap_size = {self.config.mmap_mb * 2**20}")  # halves a search's record fetch
        except (OSError, sqlite3.Error) as exc:
            raise BackendUnavailableError("sqlite", f"cannot open {self.path}: {exc}") from None
        self._conn, self._reader = conn, reader

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.close()
        if conn is not None:
            with self._lock:
                conn.close()

    def describe(self) -> dict[str, Any]:
        return {"path": str(self.path), "synchronous": self.config.synchronous}

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        conn = self._conn
        if conn is None:
            raise BackendUnavailableError("sqlite", "store is not open")

        def call() -> T:
            with self._lock:
                try:
                    return fn(conn)
                except sqlite3.OperationalError as exc:
                    raise BackendUnavailableError("sqlite", f"{self.path}: {exc}") from None

        return await asyncio.to_thread(call)

    async def _write(self, fn: Callable[[sqlite3.Connection], T], rows: int, size: int = 0) -> T:
        """A write transaction: inline when small and the write lock is free at once, else in the worker thread."""
        self._unchecked += rows
        conn = self._conn
        if (
            conn is not None
            and rows <= INLINE_WRITE
            and size <= INLINE_BYTES
            and self._unchecked < CHECKPOINT_ROWS
            and self._lock.acquire(blocking=False)
        ):
            try:
                conn.execute("PRAGMA busy_timeout = 0")  # another process writing: fall back, never block the loop
                try:
                    return fn(conn)
                except sqlite3.OperationalError as exc:
                    if not _is_busy(exc):
                        raise BackendUnavailableError("sqlite", f"{self.path}: {exc}") from None
                finally:
                    conn.execute(f"PRAGMA busy_timeout = {self.config.busy_timeout_ms}")
            finally:
                self._lock.release()
        return await self._run(self._checkpointing(fn))

    def _checkpointing(self, fn: Callable[[sqlite3.Connection], T]) -> Callable[[sqlite3.Connection], T]:
        """``fn``, followed by a passive WAL checkpoint once enough rows were written."""

        def call(conn: sqlite3.Connection) -> T:
            result = fn(conn)
            if self._unchecked >= CHECKPOINT_ROWS:
                self._unchecked = 0
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            return result

        return call

    def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """A small read, inline on the read-only connection (no thread hop)."""
        reader = self._reader
        if reader is None:
            raise BackendUnavailableError("sqlite", "store is not open")
        try:
            return fn(reader)
        except sqlite3.OperationalError as exc:
            raise BackendUnavailableError("sqlite", f"{self.path}: {exc}") from None

    async def _query(self, fn: Callable[[sqlite3.Connection], T], size: int) -> T:
        return self._read(fn) if size <= INLINE_READ else await self._run(fn)

    async def mget(self, namespace: str, keys: Sequence[str]) -> list[bytes | None]:
        if not keys:
            return []
        unique = list(dict.fromkeys(keys))
        now = time.time()

        def fetch(conn: sqlite3.Connection) -> dict[str, bytes]:
            found: dict[str, bytes] = {}
            for start in range(0, len(unique), 500):  # stay under SQLite's variable limit
                chunk = unique[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT key, value FROM soma_kv WHERE namespace = ? AND key IN ({marks})"
                    " AND (expires_at IS NULL OR expires_at > ?)",
                    (namespace, *chunk, now),
                )
                found.update(rows)
            return found

        found = await self._query(fetch, len(unique))
        return [found.get(key) for key in keys]

    async def mset(self, namespace: str, items: Mapping[str, bytes], *, ttl: float | None = None) -> None:
        if not items:
            return
        expires = time.time() + ttl if ttl is not None else None
        rows = [(namespace, key, bytes(value), expires) for key, value in items.items()]

        def write(conn: sqlite3.Connection) -> None:
            with conn:  # one transaction
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany("INSERT OR REPLACE INTO soma_kv VALUES (?, ?, ?, ?)", rows)

        await self._write(write, len(rows), sum(len(row[2]) for row in rows))

    async def mdelete(self, namespace: str, keys: Sequence[str]) -> int:
        unique = list(dict.fromkeys(keys))
        if not unique:
            return 0
        now = time.time()

        def delete(conn: sqlite3.Connection) -> int:
            existed = 0
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                for start in range(0, len(unique), 500):
                    chunk = unique[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    existed += conn.execute(
                        f"SELECT count(*) FROM soma_kv WHERE namespace = ? AND key IN ({marks})"
                        " AND (expires_at IS NULL OR expires_at > ?)",
                        (namespace, *chunk, now),
                    ).fetchone()[0]
                    conn.execute(f"DELETE FROM soma_kv WHERE namespace = ? AND key IN ({marks})", (namespace, *chunk))
            return existed

        return await self._write(delete, len(unique))

    async def apply(
        self,
        namespace: str,
        *,
        put: Mapping[str, bytes] | None = None,
        add: Mapping[str, int] | None = None,
        delete: Sequence[str] = (),
    ) -> None:
        """The whole batch in one transaction; BEGIN IMMEDIATE takes the write lock first, so the
        counters' read-modify-write is atomic across processes too."""
        doomed = list(dict.fromkeys(delete))
        rows = [(namespace, key, bytes(value), None) for key, value in (put or {}).items()]
        deltas = sorted((key, int(delta)) for key, delta in (add or {}).items() if delta)
        if not (doomed or rows or deltas):
            return
        now = time.time()

        def write(conn: sqlite3.Connection) -> None:
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                for start in range(0, len(doomed), 500):
                    chunk = doomed[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    conn.execute(f"DELETE FROM soma_kv WHERE namespace = ? AND key IN ({marks})", (namespace, *chunk))
                conn.executemany("INSERT OR REPLACE INTO soma_kv VALUES (?, ?, ?, ?)", rows)
                if deltas:
                    _add_counters(conn, namespace, deltas, now)

        await self._write(write, len(doomed) + len(rows) + len(deltas), sum(len(row[2]) for row in rows))

    async def scan(
        self, namespace: str, prefix: str = "", *, after: str | None = None, limit: int = 1000
    ) -> list[tuple[str, bytes]]:
        lower, op = (after, ">") if after is not None and after >= prefix else (prefix, ">=")
        upper = prefix_upper_bound(prefix)
        sql = f"SELECT key, value FROM soma_kv WHERE namespace = ? AND key {op} ?"
        params: list[Any] = [namespace, lower]
        if upper is not None:
            sql += " AND key < ?"
            params.append(upper)
        sql += " AND (expires_at IS NULL OR expires_at > ?) ORDER BY key LIMIT ?"
        params += [time.time(), limit]
        return await self._query(lambda conn: conn.execute(sql, params).fetchall(), limit)


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY / SQLITE_LOCKED: another connection holds the lock."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "locked" in str(exc)


def _add_counters(conn: sqlite3.Connection, namespace: str, deltas: list[tuple[str, int]], now: float) -> None:
    """Add ``deltas`` to counters inside the caller's write transaction; counters at 0 or below go."""
    current: dict[str, bytes] = {}
    keys = [key for key, _ in deltas]
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        marks = ",".join("?" * len(chunk))
        current.update(
            conn.execute(
                f"SELECT key, value FROM soma_kv WHERE namespace = ? AND key IN ({marks})"
                " AND (expires_at IS NULL OR expires_at > ?)",
                (namespace, *chunk, now),
            )
        )
    totals = [(key, int(current.get(key) or 0) + delta) for key, delta in deltas]
    conn.executemany(
        "INSERT OR REPLACE INTO soma_kv VALUES (?, ?, ?, NULL)",
        [(namespace, key, b"%d" % n) for key, n in totals if n > 0],
    )
    spent = [(namespace, key) for key, n in totals if n <= 0]
    conn.executemany("DELETE FROM soma_kv WHERE namespace = ? AND key = ?", spent)


def prefix_upper_bound(prefix: str) -> str | None:
    """The smallest string greater than every string starting with ``prefix`` (None: no bound)."""
    stripped = prefix.rstrip("\U0010ffff")
    if not stripped:
        return None
    return stripped[:-1] + chr(ord(stripped[-1]) + 1)


@hookimpl
def register_kv_stores(register: Callable[[type[KVStore]], None]) -> None:
    register(SQLiteKVStore)
