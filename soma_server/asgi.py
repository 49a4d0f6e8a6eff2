"""ASGI entry points for process managers: ``uvicorn --factory soma_server.asgi:app_from_env``.

``soma serve --workers N`` uses :func:`app_from_env` because each uvicorn worker
process imports the app by name; it reads the config file named by
``$SOMA_CONFIG`` and the ``SOMA_*`` environment, exactly as ``soma`` does.
"""

from __future__ import annotations

from litestar import Litestar

from soma_core.config import load_settings

from .app import create_app

CONFIG_ENV = "SOMA_CONFIG"
FACTORY = "soma_server.asgi:app_from_env"


def app_from_env() -> Litestar:
    """An app for the configuration in ``$SOMA_CONFIG`` and the environment."""
    return create_app(load_settings())
