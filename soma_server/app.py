"""The app factory: ``create_app(settings)`` builds a Litestar app for one configuration.

Nothing is global: settings come in, the stack is opened by the app's lifespan
(and closed when the server stops, after in-flight requests finish), and the
engine, token table and metrics live on ``app.state``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request, Router
from litestar.datastructures import State
from litestar.exceptions import SerializationException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from soma_core.config import Settings
from soma_core.instrument import instrument
from soma_core.opening import open_engine
from soma_core.stack import build_stack

from .auth import TokenTable, auth_guard
from .deps import DEPENDENCIES
from .metrics import Metrics
from .observe import Observe
from .problems import EXCEPTION_HANDLERS
from .routes import memories, search, system
from .settings import server_settings

log = logging.getLogger("soma.server")
API_VERSION = "1"
DESCRIPTION = """Long-term memory for AI agents.

Authenticate with `Authorization: Bearer <token>`; pick a namespace with the
`X-Soma-Namespace` header (default: the configured namespace). Timestamps are
ISO 8601 strings in UTC. Errors are RFC 9457 problem details
(`application/problem+json`). See docs/http-api.md.
"""


class SomaRequest(Request[Any, Any, Any]):
    """A request whose JSON body errors are all client errors (400), never a 500."""

    async def json(self) -> Any:
        try:
            return await super().json()
        except UnicodeDecodeError:
            raise SerializationException("the body is not valid UTF-8") from None
        except RecursionError:
            raise SerializationException("JSON is nested too deeply") from None


def create_app(settings: Settings) -> Litestar:
    """A Litestar app serving ``settings``' stack; raises ConfigError for a bad ``server:`` section."""
    server = server_settings(settings)
    tokens = TokenTable.from_settings(settings, server)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        stack = build_stack(settings)
        instrument(stack, metrics.observe_backend)
        engine = await open_engine(settings, stack=stack)
        app.state.engine = engine
        try:
            yield
        finally:
            await engine.close()
            log.info("stack closed")

    api = Router("/v1", route_handlers=[memories.router, search.search, system.stats, system.stack])
    app = Litestar(
        route_handlers=[api, system.health, system.ready, system.metrics],
        lifespan=[lifespan],
        state=State({"settings": settings, "server": server, "tokens": tokens, "metrics": metrics}),
        dependencies=DEPENDENCIES,
        guards=[auth_guard],
        exception_handlers=EXCEPTION_HANDLERS,
        request_class=SomaRequest,
        request_max_body_size=server.limits.max_body_bytes,
        openapi_config=_openapi(),
        logging_config=None,
        debug=False,
    )
    app.asgi_handler = Observe(app.asgi_handler, metrics, log=server.access_log)
    return app


def _openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Soma",
        version=API_VERSION,
        description=DESCRIPTION,
        path="/schema",
        render_plugins=[SwaggerRenderPlugin(path="/"), JsonRenderPlugin()],
        components=Components(security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}),
        security=[{"bearer": []}],
        use_handler_docstrings=True,
    )
