"""Outermost ASGI layer: request latency metrics and one structured access-log line per request.

It wraps the whole app (unknown routes and auth failures included). The log
line is JSON with method, path, route template, status, duration, client and the
token's *label* — never headers, so never the Authorization value.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any, cast

from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

from .auth import NAMESPACE_KEY, PRINCIPAL_KEY
from .metrics import Metrics

access_log = logging.getLogger("soma.access")


class Observe:
    """Times each HTTP request, records it in ``metrics`` and (if ``log``) in the access log."""

    def __init__(self, app: ASGIApp, metrics: Metrics, *, log: bool) -> None:
        self.app = app
        self.metrics = metrics
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        http: HTTPScope = scope
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            seconds = time.perf_counter() - started
            route = http.get("path_template") or "(unmatched)"
            self.metrics.observe_request(http["method"], route, status, seconds)
            if self.log:
                access_log.info(json.dumps(_entry(http, route, status, seconds), ensure_ascii=False))


def _entry(scope: HTTPScope, route: str, status: int, seconds: float) -> dict[str, Any]:
    extra = cast("dict[str, Any]", scope)
    client = scope.get("client")
    principal = extra.get(PRINCIPAL_KEY)
    return {
        "method": scope["method"],
        "path": scope["path"],
        "route": route,
        "status": status,
        "ms": round(seconds * 1000, 2),
        "client": client[0] if client else None,
        "principal": getattr(principal, "name", None),
        "namespace": extra.get(NAMESPACE_KEY),
    }
