"""One chromadb client, embedded or HTTP, called from worker threads so the event loop never blocks.

Server mode uses chromadb's synchronous ``HttpClient`` rather than
``AsyncHttpClient``: in chromadb 1.5 the async client keeps its httpx clients
in a class-level dict keyed by event loop, so two clients in one loop share
headers (auth tokens) and closing one closes the other's transport
(chroma-core/chroma#6869), and it has no ``close()``. The sync client owns one
httpx session per instance (plus one for its internal admin client). Those
sessions have no timeout and ``close()`` does not close them, so open probes the
server with a bounded heartbeat first, the sessions are given
``request_timeout``, and close closes them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from soma_core.errors import BackendUnavailableError

from .config import ChromaConfig

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

T = TypeVar("T")
BACKEND = "chroma"


class ChromaConnection:
    """Opens, calls and closes a chromadb client; transport failures become BackendUnavailableError."""

    def __init__(self, config: ChromaConfig) -> None:
        self.config = config
        self.client: ClientAPI | None = None
        self.max_batch = 1
        self._sessions: list[httpx.Client] = []  # server mode: the httpx sessions chromadb opened

    def unavailable(self, detail: str) -> BackendUnavailableError:
        """The error for this store: it names the address (never a header value)."""
        return BackendUnavailableError(BACKEND, f"{self.config.address}: {detail}")

    async def open(self) -> None:
        if self.client is not None:
            return
        if self.config.mode == "server":
            await self._probe()
        try:
            client, limit = await asyncio.to_thread(self._connect)
        except httpx.TransportError as exc:
            raise self.unavailable(_transport_detail(exc, self.config.request_timeout)) from None
        except Exception as exc:  # chromadb raises plain ValueError/OSError/Rust errors here
            raise self.unavailable(f"cannot open: {exc}") from None
        self.max_batch = max(1, min(limit, self.config.batch_size or limit))
        self.client = client

    async def close(self) -> None:
        client, self.client = self.client, None
        sessions, self._sessions = self._sessions, []
        if client is not None:
            await asyncio.to_thread(client.close)
        for session in sessions:  # chromadb's close() leaves their sockets open
            session.close()

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call ``fn`` (a blocking chromadb method) in a worker thread."""
        if self.client is None:
            raise self.unavailable("store is not open")
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except httpx.TransportError as exc:
            raise self.unavailable(_transport_detail(exc, self.config.request_timeout)) from None
        except Exception as exc:
            from chromadb.errors import RateLimitError  # chromadb is imported by now (the store is open)

            if isinstance(exc, RateLimitError):
                raise self.unavailable(f"rate limited: {exc}") from None
            raise

    def _connect(self) -> tuple[ClientAPI, int]:
        """A new client and its max batch size (blocking); the client is closed again if that fails."""
        client = self._http_client() if self.config.mode == "server" else self._persistent_client()
        try:
            return client, client.get_max_batch_size()
        except BaseException:
            client.close()
            for session in self._sessions:
                session.close()
            self._sessions = []
            raise

    def _settings(self) -> Any:
        from chromadb.config import Settings

        return Settings(anonymized_telemetry=False)

    def _persistent_client(self) -> ClientAPI:
        import chromadb

        path = self.config.database_path
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=self._settings())

    def _http_client(self) -> ClientAPI:
        import chromadb

        client = chromadb.HttpClient(
            host=str(self.config.host),
            port=self.config.port,
            ssl=self.config.ssl,
            headers=self._headers(),
            settings=self._settings(),
        )
        self._sessions = _http_sessions(client)
        for session in self._sessions:  # chromadb gives no timeout option; see the module docstring
            session.timeout = httpx.Timeout(self.config.request_timeout)
        return client

    def _headers(self) -> dict[str, str]:
        return {name: value.get_secret_value() for name, value in self.config.headers.items()}

    async def _probe(self) -> None:
        """A heartbeat bounded by ``request_timeout``, so an unreachable server fails fast."""
        scheme = "https" if self.config.ssl else "http"
        url = f"{scheme}://{self.config.address}/api/v2/heartbeat"
        try:
            async with httpx.AsyncClient(timeout=self.config.request_timeout, headers=self._headers()) as http:
                response = await http.get(url)
        except httpx.TransportError as exc:
            raise self.unavailable(_transport_detail(exc, self.config.request_timeout)) from None
        if response.status_code in (401, 403):
            status = response.status_code
            raise self.unavailable(f"server refused the request (HTTP {status}); check the headers option")
        if response.status_code != 200:
            raise self.unavailable(f"heartbeat answered HTTP {response.status_code}; is this a Chroma server?")


def _http_sessions(client: Any) -> list[httpx.Client]:
    """The httpx sessions of a chromadb HttpClient and of its internal admin client (private attributes,
    read defensively: a chromadb without them just loses the timeout and the explicit close)."""
    found: list[httpx.Client] = []
    for owner in (client, getattr(client, "_admin_client", None)):
        session = getattr(getattr(owner, "_server", None), "_session", None)
        if isinstance(session, httpx.Client) and session not in found:
            found.append(session)
    return found


def _transport_detail(exc: httpx.TransportError, timeout: float) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer within {timeout:g}s ({type(exc).__name__})"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
