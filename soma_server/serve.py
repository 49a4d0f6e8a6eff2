"""``soma serve``: check the configuration, then run the app under uvicorn.

Refuses, with one line, what would be unsafe or broken: a non-loopback address
without a token (unless ``server.auth: false``), and ``--workers N > 1`` with a
store that only one process may open. Uvicorn finishes in-flight requests on
SIGTERM/SIGINT (up to ``server.graceful_shutdown_seconds``), then the lifespan
closes the backends.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import sys
from typing import Any

import uvicorn

from soma_core.config import Settings
from soma_core.errors import ConfigError
from soma_core.stack import Stack, build_stack

from .app import create_app
from .asgi import CONFIG_ENV, FACTORY
from .settings import ServerSettings, server_settings

DEFAULT_HOST = "127.0.0.1"
SHARED_STORES = {
    "kv": "sqlite, redis or postgres",
    "vectors": "qdrant with a server url, or chroma with a server host",
}
"""Slots that hold data, so several worker processes must open them at once; and backends that can."""
WORKER_HEALTHCHECK_SECONDS = 30
"""How long a worker may take to answer uvicorn's supervisor (imports, model loading) before a restart."""


def serve(settings: Settings, *, host: str | None = None, port: int | None = None, workers: int = 1) -> int:
    """Run the HTTP API until interrupted; returns the exit status. ConfigError for a refused setup."""
    host = host or DEFAULT_HOST
    port = port or settings.api_port
    if workers < 1:
        raise ConfigError("--workers must be at least 1")
    server = server_settings(settings)
    app = create_app(settings)  # validates server options and reads tokens now, even if workers rebuild it
    stack = build_stack(settings)  # validates the stack config now; opened by each worker's lifespan
    check_exposure(settings, server, host)
    if workers > 1:
        check_multi_process(stack, workers)
    for notice in stack.notices + exposure_notices(settings, server, host, port):
        print(f"soma: {notice}", file=sys.stderr)
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "workers": workers,
        "log_config": logging_config(),
        "access_log": False,  # soma.access logs each request, without headers
        "timeout_graceful_shutdown": server.graceful_shutdown_seconds,
        "lifespan": "on",
        "server_header": False,
    }
    try:
        if workers == 1:
            uvicorn.run(app, **options)
        else:
            _export_config(settings)
            uvicorn.run(FACTORY, factory=True, timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS, **options)
    except SystemExit as exc:  # uvicorn exits with 3 when start-up fails (already logged)
        return exc.code if isinstance(exc.code, int) else 1
    return 0


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def check_exposure(settings: Settings, server: ServerSettings, host: str) -> None:
    """ConfigError when ``host`` is reachable from other machines and nothing guards it."""
    has_token = settings.api_token is not None or bool(server.tokens)
    if server.auth and not has_token and not is_loopback(host):
        raise ConfigError(
            f"refusing to serve on {host} without an API token: set SOMA_API_TOKEN or server.tokens, "
            "or set server.auth: false to serve without authentication"
        )


def exposure_notices(settings: Settings, server: ServerSettings, host: str, port: int) -> list[str]:
    if not server.auth:
        return [f"auth: off (server.auth: false); anyone who can reach {host}:{port} has full access"]
    if settings.api_token is None and not server.tokens:
        return [f"auth: no API token configured; anyone who can connect to {host}:{port} has full access"]
    return []


def check_multi_process(stack: Stack, workers: int) -> None:
    """ConfigError naming each store that several processes cannot share."""
    single = [slot for slot in SHARED_STORES if not stack.slots()[slot].capabilities.multi_process]
    if not single:
        return
    changes = "; ".join(
        f"stack.{slot}.backend {stack.infos[slot].name!r} is single-process: use {SHARED_STORES[slot]}"
        for slot in single
    )
    raise ConfigError(f"--workers {workers} needs stores that several processes can open: {changes}; or run one worker")


def _export_config(settings: Settings) -> None:
    """Workers re-read the config file and environment: tell them which file."""
    if settings.config_file is not None:
        os.environ[CONFIG_ENV] = str(settings.config_file)
    else:
        os.environ.pop(CONFIG_ENV, None)


class _LastLine(logging.Filter):
    """Shorten a start-up traceback caused by a Soma error (backend down, bad option) to its message.

    Other tracebacks (bugs) pass through whole.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "Traceback (most recent call last)" not in message:
            return True
        errors = [m.groups() for m in _ERROR_LINE.finditer(message)]
        soma = [text for name, text in errors if name.startswith("soma_core.errors.")]
        if soma:
            record.msg, record.args = f"start-up failed: {soma[-1]}", None
        return True


_ERROR_LINE = re.compile(r"^[\s|]*([A-Za-z_][\w.]*(?:Error|Exception)): (.*)$", re.MULTILINE)


def logging_config() -> dict[str, Any]:
    """Server logs on stderr; access log lines (JSON) on stdout."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"last_line": {"()": _LastLine}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)-7s %(name)s: %(message)s"},
            "bare": {"format": "%(message)s"},
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "plain",
                "filters": ["last_line"],
                "stream": "ext://sys.stderr",
            },
            "access": {"class": "logging.StreamHandler", "formatter": "bare", "stream": "ext://sys.stdout"},
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "soma": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
            "soma.server": {"level": "INFO"},
            "soma.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
    }
