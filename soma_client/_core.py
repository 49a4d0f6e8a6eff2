"""The request/response layer both clients share: what to send for each operation, how to read the answer.

Each operation is a :class:`Call` (method, path, body, query, namespace) with a
parser for the JSON reply; the sync and async clients only differ in how they
send it. Timestamps are ISO 8601 on the wire and Unix seconds in the returned
soma_core objects, as in the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx

from soma_core.engine import Page, SearchResult
from soma_core.errors import BackendUnavailableError, ConflictError, InvalidInputError, NotFoundError, SomaError
from soma_core.filters import Filter
from soma_core.ranking import Components
from soma_core.records import MemoryRecord
from soma_core.validation import MemoryInput

from .errors import ApiError, AuthError

T = TypeVar("T")
NAMESPACE_HEADER = "X-Soma-Namespace"
DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One HTTP request and how to turn its JSON reply (None for 204) into a result."""

    method: str
    path: str
    parse: Callable[[Any], T]
    body: Any = None
    params: dict[str, Any] = field(default_factory=dict)
    namespace: str | None = None
    memory_id: str | None = None

    def request_kwargs(self, headers: dict[str, str], default_namespace: str | None) -> dict[str, Any]:
        """httpx request arguments: the client's ``headers`` plus this call's namespace, query and body."""
        namespace = self.namespace or default_namespace
        kwargs: dict[str, Any] = {
            "params": {k: v for k, v in self.params.items() if v is not None},
            "headers": {**headers, NAMESPACE_HEADER: namespace} if namespace else headers,
        }
        if self.body is not None:
            kwargs["json"] = self.body
        return kwargs


def auth_headers(token: str | None) -> dict[str, str]:
    return {} if token is None else {"Authorization": f"Bearer {token}"}


def result(call: Call[T], response: httpx.Response) -> T:
    """The parsed result, or the error the response stands for."""
    if response.status_code >= 400:
        raise error_for(call, response)
    return call.parse(None if response.status_code == 204 or not response.content else response.json())


def error_for(call: Call[Any], response: httpx.Response) -> SomaError:
    status = response.status_code
    try:
        problem = response.json()
    except ValueError:
        problem = {}
    if not isinstance(problem, dict):
        problem = {}
    detail = str(problem.get("detail") or response.reason_phrase or f"HTTP {status}")
    if status == 404 and call.memory_id is not None:
        return NotFoundError(call.memory_id)
    if status == 409:
        return ConflictError(detail)
    if status in (400, 413, 422):
        return InvalidInputError(detail, field=problem.get("field") or ("body" if status != 422 else None))
    if status == 503:
        error = BackendUnavailableError(str(problem.get("backend") or "server"), detail)
        error.args = (detail,)  # the server's message already names the backend
        return error
    if status in (401, 403):
        return AuthError(status, detail, problem)
    return ApiError(status, f"HTTP {status}: {detail}", problem)


def unreachable(base_url: str, exc: Exception) -> BackendUnavailableError:
    """A transport failure (refused, timed out) as the engine's retry-later error."""
    return BackendUnavailableError("soma server", f"cannot reach {base_url}: {type(exc).__name__}: {exc}")


# -- wire format ------------------------------------------------------------------


def _ts(value: str | None) -> float | None:
    return None if value is None else datetime.fromisoformat(value).timestamp()


def _iso(value: float | None) -> str | None:
    return None if value is None else datetime.fromtimestamp(value, tz=UTC).isoformat()


def record(data: dict[str, Any]) -> MemoryRecord:
    return MemoryRecord(
        id=data["id"],
        namespace=data["namespace"],
        content=data["content"],
        memory_type=data["memory_type"],
        importance=data["importance"],
        metadata=data["metadata"],
        created_at=_ts(data["created_at"]) or 0.0,
        updated_at=_ts(data["updated_at"]) or 0.0,
        last_accessed_at=_ts(data.get("last_accessed_at")),
        access_count=data["access_count"],
        expires_at=_ts(data.get("expires_at")),
    )


def _search_result(data: dict[str, Any]) -> SearchResult:
    explain = data.get("explain")
    return SearchResult(
        memory=record(data["memory"]),
        score=data["score"],
        explain=None if explain is None else Components(**explain),
    )


def memory_body(item: MemoryInput | dict[str, Any] | str) -> dict[str, Any]:
    """One item as the server expects it: ``ttl`` sent as ``ttl_seconds``, ``created_at`` as ISO 8601."""
    if isinstance(item, str):
        item = MemoryInput(item)
    fields = asdict(item) if isinstance(item, MemoryInput) else dict(item)
    if "ttl" in fields:
        fields["ttl_seconds"] = fields.pop("ttl")
    if isinstance(fields.get("created_at"), (int, float)):
        fields["created_at"] = _iso(fields["created_at"])
    return {k: v for k, v in fields.items() if v is not None}


def filters_body(filters: Filter | dict[str, Any] | None) -> dict[str, Any] | None:
    if filters is None:
        return None
    data = asdict(filters) if isinstance(filters, Filter) else dict(filters)
    for bound in ("created_after", "created_before"):
        if isinstance(data.get(bound), (int, float)):
            data[bound] = _iso(data[bound])
    return {k: v for k, v in data.items() if v not in (None, {})}


# -- operations -------------------------------------------------------------------


def _id_path(memory_id: str) -> str:
    return "/v1/memories/" + quote(memory_id, safe="")


def store(item: MemoryInput, dedupe: str | None, namespace: str | None) -> Call[str]:
    body = memory_body(item) | ({"dedupe": dedupe} if dedupe else {})
    return Call("POST", "/v1/memories", lambda data: data["id"], body=body, namespace=namespace)


def store_many(
    items: Sequence[MemoryInput | dict[str, Any] | str], dedupe: str | None, namespace: str | None
) -> Call[list[str]]:
    body: dict[str, Any] = {"items": [memory_body(item) for item in items]}
    if dedupe:
        body["dedupe"] = dedupe
    return Call("POST", "/v1/memories/batch", lambda data: list(data["ids"]), body=body, namespace=namespace)


def recall(memory_id: str, namespace: str | None) -> Call[MemoryRecord]:
    return Call("GET", _id_path(memory_id), record, namespace=namespace, memory_id=memory_id)


def update(memory_id: str, changes: dict[str, Any], namespace: str | None) -> Call[MemoryRecord]:
    body = memory_body({k: v for k, v in changes.items() if v is not None})
    return Call("PATCH", _id_path(memory_id), record, body=body, namespace=namespace, memory_id=memory_id)


def delete(memory_id: str, namespace: str | None) -> Call[None]:
    return Call("DELETE", _id_path(memory_id), lambda _: None, namespace=namespace, memory_id=memory_id)


def list_page(limit: int, cursor: str | None, memory_type: str | None, namespace: str | None) -> Call[Page]:
    params = {"limit": limit, "cursor": cursor, "memory_type": memory_type}

    def parse(data: dict[str, Any]) -> Page:
        return Page([record(item) for item in data["items"]], data["next_cursor"])

    return Call("GET", "/v1/memories", parse, params=params, namespace=namespace)


def search(
    query: str,
    k: int,
    filters: Filter | dict[str, Any] | None,
    weights: dict[str, Any] | None,
    explain: bool,
    mode: str,
    namespace: str | None,
) -> Call[list[SearchResult]]:
    body: dict[str, Any] = {"query": query, "k": k, "explain": explain, "mode": mode}
    if (flt := filters_body(filters)) is not None:
        body["filters"] = flt
    if weights:
        body["weights"] = weights

    def parse(data: dict[str, Any]) -> list[SearchResult]:
        return [_search_result(hit) for hit in data["results"]]

    return Call("POST", "/v1/search", parse, body=body, namespace=namespace)


def stats(namespace: str | None) -> Call[dict[str, Any]]:
    return Call("GET", "/v1/stats", dict, namespace=namespace)


def get_json(path: str) -> Call[dict[str, Any]]:
    """A plain JSON GET (health, ready, stack)."""
    return Call("GET", path, dict)
