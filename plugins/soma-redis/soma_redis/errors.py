"""Which redis-py errors mean "unavailable", and how to say why in one safe line."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from redis.exceptions import (
    AuthenticationError,
    MasterDownError,
    OutOfMemoryError,
    ReadOnlyError,
    ResponseError,
)
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

UNAVAILABLE: tuple[type[BaseException], ...] = (
    RedisConnectionError,  # includes BusyLoadingError (LOADING) and AuthenticationError
    RedisTimeoutError,
    ReadOnlyError,  # a replica, after a failover
    OutOfMemoryError,
    MasterDownError,
    OSError,
    TimeoutError,
)
"""Errors meaning the server cannot serve us now (down, loading, failing over, full); a later retry may work."""

_SERVER_STATES: dict[type[BaseException], str] = {
    OutOfMemoryError: "server is out of memory (maxmemory reached, nothing to evict); nothing was written",
    ReadOnlyError: "server is a read-only replica; point the store at the primary",
    MasterDownError: "replica has lost its primary",
}
_PIPELINE_NOTE = re.compile(r"^Command # \d+ \(.*\) of pipeline caused error: ", re.DOTALL)


def is_unavailable(exc: BaseException) -> bool:
    """True for connection trouble and for server states a later retry may cure."""
    if isinstance(exc, UNAVAILABLE):
        return True
    return isinstance(exc, ResponseError) and str(exc).startswith("MISCONF")


def reason(exc: BaseException, secrets: Iterable[str] = ()) -> str:
    """One printable line about ``exc``: no keys or values from the command, no secrets."""
    for cls, text in _SERVER_STATES.items():
        if isinstance(exc, cls):
            return text
    if isinstance(exc, ResponseError) and str(exc).startswith("MISCONF"):
        return "server refuses writes because saving to disk fails (MISCONF)"
    text = _PIPELINE_NOTE.sub("", " ".join(str(exc).split())) or type(exc).__name__
    cause: BaseException | None = exc
    while cause is not None:  # prefer the OS's words ("Connection refused") over redis-py's wrapping
        if isinstance(cause, OSError) and cause.errno:
            text = os.strerror(cause.errno)
            break
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, AuthenticationError):
        text = f"authentication failed, check username and password ({text.rstrip('.')})"
    for secret in secrets:
        text = text.replace(secret, "***")
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
