"""``AsyncSomaClient``: the HTTP API as coroutines, with the engine's method names and result types."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from soma_core.engine import Page, SearchResult
from soma_core.filters import Filter
from soma_core.records import MemoryRecord
from soma_core.retrieval import Mode
from soma_core.validation import MemoryInput
from soma_core.writing import Dedupe

from . import _core
from ._core import Call

T = TypeVar("T")


class AsyncSomaClient:
    """A Soma server at ``url``; every method mirrors :class:`soma_core.MemoryEngine`.

    ``token`` is sent as ``Authorization: Bearer``; ``namespace`` is the default
    for every call (a call's own ``namespace=`` wins; None: the server's default).
    Pass ``http`` to use your own ``httpx.AsyncClient`` (its base URL is used as is).
    """

    def __init__(
        self,
        url: str = "http://127.0.0.1:9595",
        token: str | None = None,
        *,
        namespace: str | None = None,
        timeout: float = _core.DEFAULT_TIMEOUT,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.namespace = namespace
        self._headers = _core.auth_headers(token)
        self._http = http or httpx.AsyncClient(base_url=url, timeout=timeout)

    async def _send(self, call: Call[T]) -> T:
        try:
            response = await self._http.request(
                call.method, call.path, **call.request_kwargs(self._headers, self.namespace)
            )
        except httpx.TransportError as exc:
            raise _core.unreachable(str(self._http.base_url), exc) from exc
        return _core.result(call, response)

    async def store(
        self,
        content: str,
        importance: float | None = None,
        *,
        memory_type: str = "episodic",
        metadata: dict[str, Any] | None = None,
        ttl: float | None = None,
        id: str | None = None,
        created_at: float | None = None,
        dedupe: Dedupe | None = None,
        namespace: str | None = None,
    ) -> str:
        """Store one memory; returns its id (see MemoryEngine.store)."""
        return await self._send(
            _core.store(
                MemoryInput(content, importance, memory_type, metadata or {}, ttl, id, created_at), dedupe, namespace
            )
        )

    async def store_many(
        self,
        items: Sequence[MemoryInput | dict[str, Any] | str],
        *,
        dedupe: Dedupe | None = None,
        namespace: str | None = None,
    ) -> list[str]:
        """Store many memories in one request, all or nothing; ids in order."""
        return await self._send(_core.store_many(items, dedupe, namespace))

    async def recall(self, id: str, *, namespace: str | None = None) -> MemoryRecord:
        """The record, counting an access; NotFoundError if absent or expired."""
        return await self._send(_core.recall(id, namespace))

    async def search(
        self,
        query: str,
        k: int = 10,
        *,
        filters: Filter | dict[str, Any] | None = None,
        weights: dict[str, Any] | None = None,
        explain: bool = False,
        mode: Mode = "hybrid",
        namespace: str | None = None,
    ) -> list[SearchResult]:
        """The ``k`` best memories for ``query`` (see MemoryEngine.search)."""
        return await self._send(_core.search(query, k, filters, weights, explain, mode, namespace))

    async def update(
        self,
        id: str,
        *,
        content: str | None = None,
        importance: float | None = None,
        metadata: dict[str, Any] | None = None,
        memory_type: str | None = None,
        ttl: float | None = None,
        namespace: str | None = None,
    ) -> MemoryRecord:
        """Change the given fields; returns the new record."""
        changes = {"content": content, "importance": importance, "metadata": metadata, "memory_type": memory_type}
        return await self._send(_core.update(id, {**changes, "ttl": ttl}, namespace))

    async def delete(self, id: str, *, namespace: str | None = None) -> None:
        """Delete one memory; NotFoundError if there is none."""
        await self._send(_core.delete(id, namespace))

    async def list(
        self,
        *,
        limit: int = 50,
        cursor: str | None = None,
        memory_type: str | None = None,
        namespace: str | None = None,
    ) -> Page:
        """One page of memories in id order; pass ``next_cursor`` back for the next."""
        return await self._send(_core.list_page(limit, cursor, memory_type, namespace))

    async def stats(self, *, namespace: str | None = None) -> dict[str, Any]:
        """Counts for the namespace."""
        return await self._send(_core.stats(namespace))

    async def health(self) -> dict[str, Any]:
        """The server's liveness answer ({"status": "ok"})."""
        return await self._send(_core.get_json("/health"))

    async def ready(self) -> dict[str, Any]:
        """Readiness: every backend's ping; BackendUnavailableError if one fails."""
        return await self._send(_core.get_json("/ready"))

    async def stack(self) -> dict[str, Any]:
        """The server's configured backends."""
        return await self._send(_core.get_json("/v1/stack"))

    async def close(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
