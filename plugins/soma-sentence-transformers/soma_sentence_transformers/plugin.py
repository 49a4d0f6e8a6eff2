"""Plugin module (entry point ``sentence-transformers``): registers the embedder.

Importing it does not import torch; the model and its libraries load at open.
"""

from __future__ import annotations

from collections.abc import Callable

from soma_core.hookspecs import hookimpl
from soma_core.interfaces import Embedder

from .embedder import SentenceTransformersEmbedder


@hookimpl
def register_embedders(register: Callable[[type[Embedder]], None]) -> None:
    register(SentenceTransformersEmbedder)
