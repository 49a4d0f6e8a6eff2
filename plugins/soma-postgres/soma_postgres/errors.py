"""Turning driver failures into Soma's errors: one line, naming the server, never a password."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import PoolClosed, PoolTimeout

from soma_core.errors import BackendUnavailableError, InvalidInputError

BACKEND = "postgres"


class Target:
    """What error messages may say about the server: host, port and database, not credentials."""

    def __init__(self, url: str) -> None:
        try:
            params = conninfo_to_dict(url)
        except psycopg.ProgrammingError:
            params = {}
        self.password = str(params.get("password") or "")
        host = str(params.get("host") or "localhost")
        self.address = f"{host}:{params.get('port') or 5432}"
        self.database = str(params.get("dbname") or params.get("user") or "")

    def __str__(self) -> str:
        return f"{self.address} (database {self.database!r})" if self.database else self.address

    def reason(self, exc: BaseException) -> str:
        """The first line of the driver's message, with the password (if any) masked."""
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "failed: " in text:  # libpq: 'connection to server at "h", port p failed: <why>'
            text = text.rsplit("failed: ", 1)[1]
        if self.password:
            text = text.replace(self.password, "***")
        return text

    def unavailable(self, exc: BaseException, doing: str) -> BackendUnavailableError:
        return BackendUnavailableError(BACKEND, f"{doing} {self}: {self.reason(exc)}")


@contextmanager
def translated(target: Target, timeout: float) -> Iterator[None]:
    """Re-raise connection failures as BackendUnavailableError and bad text as InvalidInputError."""
    try:
        yield
    except PoolTimeout:
        raise BackendUnavailableError(
            BACKEND, f"no working connection to {target} within {timeout:g}s (server down or unreachable?)"
        ) from None
    except PoolClosed:
        raise BackendUnavailableError(BACKEND, "store is not open") from None
    except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
        lost = exc.sqlstate is None or exc.sqlstate.startswith(("08", "57P"))  # vs. deadlock, timeout, ...
        raise target.unavailable(exc, "lost connection to" if lost else "statement failed on") from None
    except psycopg.DataError as exc:  # e.g. NUL characters, which PostgreSQL text cannot hold
        raise InvalidInputError(f"postgres rejected the data: {target.reason(exc)}") from None
