"""The four hooks through which plugins provide backends.

Each hook runs once, when the plugin manager builds its backend registry
(at stack build and for ``soma plugins``). A plugin calls ``register(cls)``
zero or more times, once per backend class; Soma checks every rule (a class of
the right kind, a unique name) in one place, :mod:`soma_core.registry`.
Implementations may omit the argument they do not use, as pluggy allows.
"""

from __future__ import annotations

from collections.abc import Callable

import pluggy

from .interfaces import Embedder, ImportanceScorer, KVStore, VectorStore

hookspec = pluggy.HookspecMarker("soma")
hookimpl = pluggy.HookimplMarker("soma")


@hookspec
def register_kv_stores(register: Callable[[type[KVStore]], None]) -> None:
    """Register :class:`~soma_core.interfaces.KVStore` subclasses, selected by ``stack.kv.backend``."""


@hookspec
def register_vector_stores(register: Callable[[type[VectorStore]], None]) -> None:
    """Register :class:`~soma_core.interfaces.VectorStore` subclasses, selected by ``stack.vectors.backend``."""


@hookspec
def register_embedders(register: Callable[[type[Embedder]], None]) -> None:
    """Register :class:`~soma_core.interfaces.Embedder` subclasses, selected by ``stack.embedder.backend``."""


@hookspec
def register_scorers(register: Callable[[type[ImportanceScorer]], None]) -> None:
    """Register :class:`~soma_core.interfaces.ImportanceScorer` subclasses, selected by ``stack.scorer.backend``."""
