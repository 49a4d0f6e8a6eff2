"""Every error response, in one place: RFC 9457 problem details (``application/problem+json``).

Domain errors from the engine and Litestar's own HTTP errors both end here, so
a client always gets ``{type, title, status, detail, field?}`` and never a stack
trace. Malformed JSON (unparseable, not UTF-8, nested too deeply) is a 400;
JSON that parses but breaks the schema or a limit is a 422.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import (
    ClientException,
    HTTPException,
    SerializationException,
    ValidationException,
)
from litestar.openapi import ResponseSpec
from litestar.types import ExceptionHandlersMap

from soma_core.errors import (
    BackendUnavailableError,
    ConflictError,
    DimensionMismatchError,
    InvalidInputError,
    NotFoundError,
    SomaError,
)

log = logging.getLogger("soma.server")
AnyRequest = Request[Any, Any, Any]
PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "urn:soma:problem:"


class Problem(msgspec.Struct, omit_defaults=True):
    """An RFC 9457 problem: ``type`` is a stable URN per kind of error; ``field`` names the culprit."""

    type: str
    title: str
    status: int
    detail: str
    field: str | None = None
    backend: str | None = None
    backends: dict[str, str] | None = None


class AuthenticationError(Exception):
    """No token, or one that matches no configured token (401)."""


class ForbiddenError(Exception):
    """A valid token used beyond its grant (403): another namespace, or an operator route."""

    def __init__(self, message: str, *, field: str | None = "X-Soma-Namespace") -> None:
        self.field = field
        super().__init__(message)


class NotReadyError(Exception):
    """A backend failed its readiness ping (503); ``report`` maps each slot to "ok" or the failure."""

    def __init__(self, backend: str, detail: str, report: dict[str, str]) -> None:
        self.backend = backend
        self.report = report
        super().__init__(detail)


TITLES: dict[int, tuple[str, str]] = {
    400: ("malformed-request", "Malformed request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    413: ("too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("invalid-input", "Invalid input"),
    500: ("internal", "Internal server error"),
    503: ("unavailable", "Backend unavailable"),
}


def problem(
    status: int,
    detail: str,
    *,
    field: str | None = None,
    backend: str | None = None,
    backends: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Problem]:
    """A problem-details response for ``status``."""
    slug, title = TITLES.get(status, ("error", "Error"))
    body = Problem(
        type=TYPE_BASE + slug,
        title=title,
        status=status,
        detail=detail,
        field=field,
        backend=backend,
        backends=backends,
    )
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def documented(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI response entries for the problem statuses a route can return."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=TITLES[status][1],
            media_type=PROBLEM_JSON,
            generate_examples=False,
        )
        for status in sorted(statuses)
    }


def retry_after(request: AnyRequest) -> dict[str, str]:
    return {"Retry-After": str(request.app.state.server.retry_after_seconds)}


def on_invalid(request: AnyRequest, exc: InvalidInputError) -> Response[Problem]:
    return problem(422, str(exc), field=exc.field)


def on_not_found(request: AnyRequest, exc: NotFoundError) -> Response[Problem]:
    return problem(404, str(exc), field="id")


def on_conflict(request: AnyRequest, exc: ConflictError) -> Response[Problem]:
    return problem(409, str(exc), field="id")


def on_unavailable(request: AnyRequest, exc: BackendUnavailableError) -> Response[Problem]:
    log.warning("503: %s", exc)
    return problem(503, str(exc), backend=exc.backend, headers=retry_after(request))


def on_not_ready(request: AnyRequest, exc: NotReadyError) -> Response[Problem]:
    return problem(503, str(exc), backend=exc.backend, backends=exc.report, headers=retry_after(request))


def on_soma_error(request: AnyRequest, exc: SomaError) -> Response[Problem]:
    """Other domain errors are the server's state, not the caller's input (dimension mismatch, config)."""
    log.error("%s: %s", type(exc).__name__, exc)
    status = 503 if isinstance(exc, DimensionMismatchError) else 500
    headers = retry_after(request) if status == 503 else None
    return problem(status, str(exc), headers=headers)


def on_unauthenticated(request: AnyRequest, exc: AuthenticationError) -> Response[Problem]:
    challenge = 'Bearer realm="soma"'
    if request.headers.get("authorization"):
        challenge += ', error="invalid_token"'
    return problem(401, str(exc), field="Authorization", headers={"WWW-Authenticate": challenge})


def on_forbidden(request: AnyRequest, exc: ForbiddenError) -> Response[Problem]:
    return problem(403, str(exc), field=exc.field)


def on_http(request: AnyRequest, exc: HTTPException) -> Response[Problem]:
    """Litestar's own errors: routing, body size, parsing and schema validation."""
    status = exc.status_code
    if isinstance(exc, ValidationException):
        detail, field = _validation_detail(exc)
        return problem(422, detail, field=field)
    if isinstance(exc, ClientException) and isinstance(exc.__cause__, SerializationException):
        return problem(400, f"request body is not valid JSON: {exc.__cause__}")
    headers = {k: v for k, v in (exc.headers or {}).items() if k.lower() == "allow"}
    detail = exc.detail if status < 500 else "internal server error"
    if status == 413:
        limit = request.app.state.server.limits.max_body_bytes
        detail = f"request body exceeds {limit} bytes (server.limits.max_body_bytes)"
    return problem(status, detail, headers=headers or None)


def on_unexpected(request: AnyRequest, exc: Exception) -> Response[Problem]:
    """A bug: log the traceback server-side, give the client a plain 500."""
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "internal server error; the server log has the details")


_UNKNOWN = re.compile(r"unknown field `([^`]+)`")
_MISSING = re.compile(r"missing required field `([^`]+)`")
_AT = re.compile(r" - at `\$(?:\.data)?\.?([^`]*)`")


def _validation_detail(exc: ValidationException) -> tuple[str, str | None]:
    """One readable line and the offending field, from Litestar's and msgspec's messages."""
    cause = str(exc.__cause__) if exc.__cause__ is not None else ""
    extra: list[dict[str, Any]] = exc.extra if isinstance(exc.extra, list) else []
    first = extra[0] if extra else {}
    message = str(first.get("message", exc.detail))
    key, source = first.get("key"), first.get("source")
    if source == "body" and key == "data" and message == "'data'":
        return "a JSON request body is required", "body"
    where = _AT.search(cause)
    path = (where.group(1) if where else None) or None
    if source and source != "body":
        return f"{key}: {message} ({source} parameter)", key
    for pattern, text in ((_UNKNOWN, "unknown field"), (_MISSING, "required field is missing")):
        named = pattern.search(message)
        if named:
            field = f"{path}.{named.group(1)}" if path else named.group(1)
            return f"{field}: {text}", field
    field = path or (None if key == "data" else key)
    return (f"{field}: {message}" if field else message), field


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    InvalidInputError: on_invalid,
    NotFoundError: on_not_found,
    ConflictError: on_conflict,
    BackendUnavailableError: on_unavailable,
    SomaError: on_soma_error,
    NotReadyError: on_not_ready,
    AuthenticationError: on_unauthenticated,
    ForbiddenError: on_forbidden,
    HTTPException: on_http,
    Exception: on_unexpected,
}
