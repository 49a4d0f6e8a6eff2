"""``/v1/memories``: store, store many, recall, update, delete, list."""

from __future__ import annotations

from typing import Annotated

from litestar import Router, delete, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from ..deps import Engine, Namespace, RequestLimits
from ..limits import check_batch, check_list_limit, check_memory
from ..problems import documented
from ..schemas import BatchIn, BatchOut, MemoryOut, MemoryPatch, MemoryType, PageOut, StoreIn, record_out

WRITE = (400, 401, 403, 413, 422, 503)
READ = (401, 403, 422, 503)


@post("/", status_code=201, responses=documented(*WRITE, 409), summary="Store one memory")
async def store_memory(
    data: JSONBody[StoreIn], engine: Engine, namespace: Namespace, limits: RequestLimits
) -> MemoryOut:
    """Store a memory and return the record (201).

    With ``id``, storing the same content again returns the existing record; other
    content under that id is a 409. A near-duplicate of a stored memory may return
    that memory instead, as the dedupe policy (``dedupe`` or the configured one) says.
    """
    check_memory(data, limits)
    memory_id = await engine.store(**data.as_input(), dedupe=data.dedupe, namespace=namespace)
    return record_out(await engine.get(memory_id, namespace=namespace))


@post("/batch", status_code=201, responses=documented(*WRITE, 409), summary="Store many memories")
async def store_batch(data: JSONBody[BatchIn], engine: Engine, namespace: Namespace, limits: RequestLimits) -> BatchOut:
    """Store every item (embedded in batches), all or nothing; returns the ids in request order."""
    check_batch(data, limits)
    items = [item.as_input() for item in data.items]
    return BatchOut(ids=await engine.store_many(items, dedupe=data.dedupe, namespace=namespace))


@get("/{memory_id:str}", responses=documented(*READ, 404), summary="Recall one memory")
async def recall_memory(memory_id: FromPath[str], engine: Engine, namespace: Namespace) -> MemoryOut:
    """The record, counting an access (access_count + 1, last_accessed_at = now); 404 if absent or expired."""
    return record_out(await engine.recall(memory_id, namespace=namespace))


@patch("/{memory_id:str}", responses=documented(*WRITE, 404), summary="Update a memory")
async def update_memory(
    memory_id: FromPath[str], data: JSONBody[MemoryPatch], engine: Engine, namespace: Namespace, limits: RequestLimits
) -> MemoryOut:
    """Change the given fields; content changes re-embed. ``metadata`` replaces the whole object."""
    check_memory(data, limits)
    record = await engine.update(
        memory_id,
        content=data.content,
        importance=data.importance,
        metadata=data.metadata,
        memory_type=data.memory_type,
        ttl=data.ttl_seconds,
        namespace=namespace,
    )
    return record_out(record)


@delete("/{memory_id:str}", status_code=204, responses=documented(*READ, 404), summary="Delete a memory")
async def delete_memory(memory_id: FromPath[str], engine: Engine, namespace: Namespace) -> None:
    await engine.delete(memory_id, namespace=namespace)


@get("/", responses=documented(*READ), summary="List memories")
async def list_memories(
    engine: Engine,
    namespace: Namespace,
    limits: RequestLimits,
    limit: Annotated[int, QueryParameter(ge=1, description="Page size.")] = 50,
    cursor: Annotated[str | None, QueryParameter(description="next_cursor of the previous page.")] = None,
    memory_type: Annotated[MemoryType | None, QueryParameter(description="Only this type.")] = None,
) -> PageOut:
    """Memories in id order (oldest first), ``limit`` at a time."""
    check_list_limit(limit, limits)
    page = await engine.list(limit=limit, cursor=cursor, memory_type=memory_type, namespace=namespace)
    return PageOut(items=[record_out(r) for r in page.items], next_cursor=page.next_cursor)


router = Router(
    "/memories",
    route_handlers=[store_memory, store_batch, recall_memory, update_memory, delete_memory, list_memories],
    tags=["memories"],
)
