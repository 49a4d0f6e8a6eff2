"""Soma vector store on Qdrant: a server or cluster (``url``) or qdrant-client's local mode (``path``, ``:memory:``)."""

from .config import QdrantConfig
from .store import QdrantVectorStore

__all__ = ["QdrantConfig", "QdrantVectorStore"]
