"""Soma HTTP API: a thin Litestar adapter over :class:`soma_core.MemoryEngine`.

Build an app with :func:`create_app`; run it with ``soma serve`` (:func:`soma_server.serve.serve`).
"""

from .app import create_app
from .settings import Limits, ServerSettings, TokenGrant, server_settings

__all__ = ["Limits", "ServerSettings", "TokenGrant", "create_app", "server_settings"]
