"""Typed errors: every failure a user can cause or meet has its own class.

The server maps these to HTTP statuses in one place; the CLI prints their
message as one line. Messages name the problem and, where there is one, the fix.
"""

from __future__ import annotations


class SomaError(Exception):
    """Base of every error Soma raises on purpose."""


class ConfigError(SomaError):
    """Configuration is invalid: bad YAML, unknown backend, bad option."""


class PluginError(SomaError):
    """A plugin could not be loaded or breaks a registration rule."""


class BackendUnavailableError(SomaError):
    """A backend cannot be reached; retrying later may succeed (HTTP 503)."""

    def __init__(self, backend: str, detail: str) -> None:
        self.backend = backend
        self.detail = detail
        super().__init__(f"backend {backend!r} is unavailable: {detail}")


class DimensionMismatchError(SomaError):
    """Vectors of one size met a store or index built for another."""


class InvalidInputError(SomaError, ValueError):
    """A caller passed a value that breaks the contract (HTTP 422)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


class NotFoundError(SomaError, KeyError):
    """No memory with this id in this namespace, or it has expired (HTTP 404)."""

    def __init__(self, memory_id: str) -> None:
        self.memory_id = memory_id
        super().__init__(memory_id)

    def __str__(self) -> str:
        return f"no memory with id {self.memory_id!r}"


class ConflictError(SomaError):
    """A write clashes with what is stored, such as an id reused for other content (HTTP 409)."""
