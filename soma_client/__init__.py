"""Python client for the Soma HTTP API: :class:`SomaClient` (blocking) and :class:`AsyncSomaClient`.

Both mirror :class:`soma_core.MemoryEngine` — same method names, same result
types (MemoryRecord, SearchResult, Page) and the same exceptions where the
meaning is the same (NotFoundError, ConflictError, InvalidInputError,
BackendUnavailableError); 401/403 raise :class:`AuthError`::

    with SomaClient("http://127.0.0.1:9595", token, namespace="team-a") as soma:
        memory_id = soma.store("Alice prefers tea", importance=0.8)
        for hit in soma.search("what does Alice drink?", k=3):
            print(hit.score, hit.memory.content)
"""

from soma_core.errors import BackendUnavailableError, ConflictError, InvalidInputError, NotFoundError, SomaError

from .aio import AsyncSomaClient
from .errors import ApiError, AuthError
from .sync import SomaClient

__all__ = [
    "ApiError",
    "AsyncSomaClient",
    "AuthError",
    "BackendUnavailableError",
    "ConflictError",
    "InvalidInputError",
    "NotFoundError",
    "SomaClient",
    "SomaError",
]
