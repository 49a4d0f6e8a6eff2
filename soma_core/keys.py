"""How the engine lays memories out in the KV store (the source of truth).

Per namespace:
- ``m:<id>``: the record as JSON (:meth:`MemoryRecord.to_bytes`)
- ``e:<id>``: its embedding, raw little-endian float32
- ``p:<id>``: a pending marker: the vector index may disagree with the KV
  store for this id; repair re-indexes it (``u``) or removes it (``d``).
- ``f:<term>``: how many memories contain the term, for the lexical signal's
  idf (see :mod:`soma_core.lexical`): an ASCII decimal counter, changed only by
  ``KVStore.apply`` (atomic addition), absent at zero.

In the vector store, a namespace's dense vectors live under its own name and
its lexical term vectors under ``<namespace>~lex``.

In the reserved namespace ``__soma__``: ``meta`` (embedder identity and
dimension) and ``ns:<name>`` (one key per namespace ever written).
"""

from __future__ import annotations

import numpy as np

SYSTEM_NAMESPACE = "__soma__"
META_KEY = "meta"
RECORD = "m:"
EMBEDDING = "e:"
PENDING = "p:"
NAMESPACE = "ns:"
PENDING_UPSERT = b"u"
PENDING_DELETE = b"d"


def record_key(memory_id: str) -> str:
    return RECORD + memory_id


def embedding_key(memory_id: str) -> str:
    return EMBEDDING + memory_id


def pending_key(memory_id: str) -> str:
    return PENDING + memory_id


def id_of(key: str) -> str:
    """The memory id in any per-memory key."""
    return key[2:]


def vector_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def vector_from_bytes(raw: bytes) -> np.ndarray:
    return np.frombuffer(raw, dtype="<f4")
