"""Registers the ``chroma`` vector store with Soma (entry point ``chroma`` in group ``soma``)."""

from __future__ import annotations

from collections.abc import Callable

from soma_core.hookspecs import hookimpl
from soma_core.interfaces import VectorStore

from .store import ChromaVectorStore


@hookimpl
def register_vector_stores(register: Callable[[type[VectorStore]], None]) -> None:
    register(ChromaVectorStore)
