"""Bearer-token authentication and per-token namespace grants.

``SOMA_API_TOKEN`` (``Settings.api_token``) grants every namespace; each entry
of ``server.tokens`` grants the namespaces it lists (names or fnmatch patterns,
``*`` for all). Tokens are compared in constant time on their SHA-256 digests,
so neither the position of a mismatch nor a token's length leaks. With
``server.auth: false``, or when no token is configured at all (allowed only on
loopback addresses, see :mod:`soma_server.serve`), every caller may use every
namespace.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Annotated, Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.handlers.base import BaseRouteHandler
from litestar.params import HeaderParameter

from soma_core.config import Settings
from soma_core.errors import ConfigError
from soma_core.validation import check_namespace

from .problems import AuthenticationError, ForbiddenError
from .settings import ServerSettings

PRINCIPAL_KEY = "soma_principal"
NAMESPACE_KEY = "soma_namespace"
NAMESPACE_HEADER = "X-Soma-Namespace"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling (a token's label, never the token) and which namespaces it may use."""

    name: str
    patterns: tuple[str, ...]

    def may_use(self, namespace: str) -> bool:
        return any(fnmatchcase(namespace, pattern) for pattern in self.patterns)

    @property
    def is_operator(self) -> bool:
        """May use every namespace, so may also read what spans them (metrics, stack, readiness)."""
        return "*" in self.patterns


OPEN = Principal("anonymous", ("*",))
NOBODY = Principal("unauthenticated", ())


class TokenTable:
    """The configured tokens, as digests, and the principal each one stands for."""

    def __init__(self, grants: list[tuple[str, Principal]], *, enabled: bool) -> None:
        self._grants = [(hashlib.sha256(token.encode()).digest(), who) for token, who in grants]
        self.enabled = enabled and bool(grants)

    @classmethod
    def from_settings(cls, settings: Settings, server: ServerSettings) -> TokenTable:
        """Read every token (files included); ConfigError if one is unreadable, short or repeated."""
        grants: list[tuple[str, Principal]] = []
        if settings.api_token is not None:
            token = settings.api_token.get_secret_value().strip()
            if len(token) < 16:
                raise ConfigError("api_token (SOMA_API_TOKEN) must be at least 16 characters")
            grants.append((token, Principal("api_token", ("*",))))
        for position, grant in enumerate(server.tokens):
            who = Principal(grant.name or f"token-{position}", tuple(grant.namespaces))
            grants.append((grant.secret(), who))
        if len({token for token, _ in grants}) != len(grants):
            raise ConfigError("server.tokens: the same token is configured twice; give each grant its own token")
        return cls(grants, enabled=server.auth)

    def authenticate(self, authorization: str | None) -> Principal:
        """The principal for an ``Authorization`` header value, or AuthenticationError."""
        if not self.enabled:
            return OPEN
        scheme, _, credentials = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            raise AuthenticationError("send a token as 'Authorization: Bearer <token>'")
        digest = hashlib.sha256(credentials.strip().encode()).digest()
        found: Principal | None = None
        for known, who in self._grants:  # no early exit: every token is compared
            if hmac.compare_digest(digest, known):
                found = who
        if found is None:
            raise AuthenticationError("the token is not valid")
        return found


def auth_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Authenticate every request except public routes; remember the principal in the scope.

    Operator routes (``opt={"operator": True}``: metrics, stack, readiness) span
    every namespace, so they need a token that may use every namespace.
    """
    state = connection.app.state
    if _is_public(connection, handler, state.server):
        connection.scope[PRINCIPAL_KEY] = OPEN  # type: ignore[literal-required]
        return
    tokens: TokenTable = state.tokens
    principal = tokens.authenticate(connection.headers.get("authorization"))
    connection.scope[PRINCIPAL_KEY] = principal  # type: ignore[literal-required]
    if handler.opt.get("operator") and not principal.is_operator:
        raise ForbiddenError("this route needs a token that may use every namespace ('*')", field="Authorization")


def _is_public(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler, server: ServerSettings
) -> bool:
    exposure = handler.opt.get("exposure")
    if exposure is not None:
        return bool(getattr(server, f"public_{exposure}"))
    return server.public_schema and connection.scope["path"].startswith("/schema")


async def provide_namespace(
    request: Request[Any, Any, Any],
    x_soma_namespace: Annotated[
        str | None,
        HeaderParameter(
            name=NAMESPACE_HEADER,
            required=False,
            description="Namespace to work in (default: the configured namespace).",
        ),
    ] = None,
) -> str:
    """The request's namespace: the header, else the configured default; 403 if the token may not use it."""
    state: State = request.app.state
    namespace = check_namespace(x_soma_namespace or state.settings.namespace)
    principal: Principal = request.scope.get(PRINCIPAL_KEY, NOBODY)  # type: ignore[assignment]
    if not principal.may_use(namespace):
        raise ForbiddenError(f"this token may not use namespace {namespace!r}")
    request.scope[NAMESPACE_KEY] = namespace  # type: ignore[literal-required]
    return namespace
