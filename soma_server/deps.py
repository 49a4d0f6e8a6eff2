"""What handlers receive besides the body: the engine, the request's namespace, the limits.

Handlers annotate parameters with these aliases (``engine: Engine``) and Litestar
injects them from :data:`DEPENDENCIES`, registered once on the app.
"""

from __future__ import annotations

from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from soma_core.engine import MemoryEngine

from .auth import provide_namespace
from .settings import Limits

Engine = NamedDependency[MemoryEngine]
Namespace = NamedDependency[str]
RequestLimits = NamedDependency[Limits]


def provide_engine(state: State) -> MemoryEngine:
    """The engine the lifespan opened."""
    return state.engine  # type: ignore[no-any-return]


def provide_limits(state: State) -> Limits:
    return state.server.limits  # type: ignore[no-any-return]


DEPENDENCIES = {
    "engine": Provide(provide_engine, sync_to_thread=False),
    "namespace": Provide(provide_namespace),
    "limits": Provide(provide_limits, sync_to_thread=False),
}
