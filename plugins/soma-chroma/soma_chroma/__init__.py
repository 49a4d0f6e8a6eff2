"""Soma vector store on Chroma: embedded (``PersistentClient``) or server (``HttpClient``) mode."""

from .config import ChromaConfig
from .store import ChromaVectorStore

__all__ = ["ChromaConfig", "ChromaVectorStore"]
