"""Turning qdrant-client's transport and server failures into BackendUnavailableError."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import grpc
import httpx
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from soma_core.errors import BackendUnavailableError, SomaError

_GRPC_UNAVAILABLE = {
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.UNAUTHENTICATED,
    grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
    grpc.StatusCode.CANCELLED,
}


def unavailable_reason(exc: BaseException) -> str | None:
    """One line saying why the server cannot serve us, or None when ``exc`` is some other failure."""
    if isinstance(exc, ResponseHandlingException):
        return first_line(exc.source)
    if isinstance(exc, (httpx.TransportError, OSError, TimeoutError)):
        return first_line(exc)
    if isinstance(exc, UnexpectedResponse):
        status = exc.status_code or 0
        if status in (401, 403):
            return f"HTTP {status} {exc.reason_phrase}: the server refused the API key"
        if status == 429 or status >= 500:
            return f"HTTP {status} {exc.reason_phrase}"
        return None
    if isinstance(exc, grpc.aio.AioRpcError) and exc.code() in _GRPC_UNAVAILABLE:
        details = (exc.details() or "").strip().splitlines()
        return f"gRPC {exc.code().name}" + (f": {details[0]}" if details else "")
    if isinstance(exc, RuntimeError) and "is closed" in str(exc):
        return "the local store was closed"
    return None


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def scrub(text: str, secret: str | None) -> str:
    """``text`` with ``secret`` masked, in case a library ever echoes it."""
    return text.replace(secret, "***") if secret else text


@contextmanager
def unavailable_as_error(backend: str, where: str, secret: str | None = None) -> Iterator[None]:
    """Re-raise transport, auth and server failures inside the block as BackendUnavailableError.

    ``where`` names the address (never the key); other errors pass through untouched.
    """
    try:
        yield
    except SomaError:
        raise
    except Exception as exc:
        reason = unavailable_reason(exc)
        if reason is None:
            raise
        raise BackendUnavailableError(backend, scrub(f"{where}: {reason}", secret)) from None
