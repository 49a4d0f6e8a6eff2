"""The four backend kinds, one abstract base class each."""

from .base import Backend, BackendConfig, Capabilities
from .embedder import Embedder, normalize
from .kv import KVStore
from .scorer import ImportanceScorer, ScoreRequest
from .vectors import VectorHit, VectorStore

KINDS: dict[str, type[Backend]] = {
    "kv": KVStore,
    "vectors": VectorStore,
    "embedder": Embedder,
    "scorer": ImportanceScorer,
}
"""Stack slot name -> interface each backend in that slot implements."""

__all__ = [
    "KINDS",
    "Backend",
    "BackendConfig",
    "Capabilities",
    "Embedder",
    "ImportanceScorer",
    "KVStore",
    "ScoreRequest",
    "VectorHit",
    "VectorStore",
    "normalize",
]
