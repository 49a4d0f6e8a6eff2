"""Client-side errors. Server errors that mean what an engine error means are raised as that error.

404 -> NotFoundError, 409 -> ConflictError, 400/413/422 -> InvalidInputError,
503 or an unreachable server -> BackendUnavailableError (all from soma_core.errors);
401/403 -> :class:`AuthError`; anything else -> :class:`ApiError`.
"""

from __future__ import annotations

from typing import Any

from soma_core.errors import SomaError


class ApiError(SomaError):
    """An HTTP error response with no engine equivalent; ``problem`` is the RFC 9457 body (if any)."""

    def __init__(self, status: int, message: str, problem: dict[str, Any] | None = None) -> None:
        self.status = status
        self.problem = problem or {}
        super().__init__(message)


class AuthError(ApiError):
    """401 (no token, or an invalid one) or 403 (the token may not use this namespace)."""
