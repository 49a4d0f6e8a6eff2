"""Soma embedder plugin on sentence-transformers; all-MiniLM-L6-v2 loads from the bundled package."""

from .config import DEFAULT_MODEL, SentenceTransformersConfig
from .embedder import SentenceTransformersEmbedder
from .models import bundled_model_path, resolve

__all__ = [
    "DEFAULT_MODEL",
    "SentenceTransformersConfig",
    "SentenceTransformersEmbedder",
    "bundled_model_path",
    "resolve",
]
