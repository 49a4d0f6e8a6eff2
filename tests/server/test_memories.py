"""/v1/memories: store, batch, recall, update, delete, list — happy paths and their 404/409s."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import pytest

RECORD_FIELDS = {
    "id",
    "namespace",
    "content",
    "memory_type",
    "importance",
    "metadata",
    "created_at",
    "updated_at",
    "last_accessed_at",
    "access_count",
    "expires_at",
}


def _is_utc_iso(value: str) -> bool:
    parsed = datetime.fromisoformat(value)
    return value.endswith("Z") and parsed.utcoffset() is not None and parsed.utcoffset().total_seconds() == 0


@pytest.mark.asyncio
async def test_store_returns_201_and_the_record(client: Any) -> None:
    response = await client.post(
        "/v1/memories",
        json={
            "content": "Alice prefers tea",
            "importance": 0.8,
            "memory_type": "semantic",
            "metadata": {"who": "alice"},
        },
    )
    assert response.status_code == 201, response.text
    record = response.json()
    assert set(record) == RECORD_FIELDS
    assert record["content"] == "Alice prefers tea"
    assert record["importance"] == 0.8
    assert record["memory_type"] == "semantic"
    assert record["metadata"] == {"who": "alice"}
    assert record["namespace"] == "default"
    assert record["access_count"] == 0
    assert record["last_accessed_at"] is None and record["expires_at"] is None
    assert _is_utc_iso(record["created_at"]) and _is_utc_iso(record["updated_at"])


@pytest.mark.asyncio
async def test_store_with_ttl_sets_expiry_and_expired_memory_is_404(client: Any, assert_problem: Any) -> None:
    record = (await client.post("/v1/memories", json={"content": "short-lived", "ttl_seconds": 0.3})).json()
    assert _is_utc_iso(record["expires_at"])
    created = datetime.fromisoformat(record["created_at"])
    assert 0.2 < (datetime.fromisoformat(record["expires_at"]) - created).total_seconds() < 0.4
    await asyncio.sleep(0.4)
    assert_problem(await client.get(f"/v1/memories/{record['id']}"), 404, "id")


@pytest.mark.asyncio
async def test_client_id_makes_store_idempotent_and_other_content_conflicts(client: Any, assert_problem: Any) -> None:
    first = await client.post("/v1/memories", json={"id": "note-1", "content": "the sky is blue"})
    again = await client.post("/v1/memories", json={"id": "note-1", "content": "the sky is blue"})
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] == "note-1"
    assert first.json()["created_at"] == again.json()["created_at"]
    body = assert_problem(await client.post("/v1/memories", json={"id": "note-1", "content": "the sky is green"}), 409)
    assert body["field"] == "id" and "note-1" in body["detail"]
    assert (await client.get("/v1/stats")).json()["count"] == 1


@pytest.mark.asyncio
async def test_batch_stores_all_and_returns_ids_in_order(client: Any) -> None:
    items = [{"content": f"fact number {i}", "importance": 0.5} for i in range(5)] + [{"id": "mine", "content": "x"}]
    response = await client.post("/v1/memories/batch", json={"items": items})
    assert response.status_code == 201, response.text
    ids = response.json()["ids"]
    assert len(ids) == 6 and ids[-1] == "mine"
    for memory_id, item in zip(ids, items, strict=True):
        assert (await client.get(f"/v1/memories/{memory_id}")).json()["content"] == item["content"]


@pytest.mark.asyncio
async def test_batch_is_all_or_nothing_and_names_the_bad_item(client: Any, assert_problem: Any) -> None:
    items = [{"content": "good"}, {"content": "   "}]
    assert_problem(await client.post("/v1/memories/batch", json={"items": items}), 422, "items[1].content")
    await client.post("/v1/memories", json={"id": "taken", "content": "original"})
    clash = [{"content": "fine"}, {"id": "taken", "content": "different"}]
    assert_problem(await client.post("/v1/memories/batch", json={"items": clash}), 409)
    assert (await client.get("/v1/stats")).json()["count"] == 1


@pytest.mark.asyncio
async def test_recall_counts_an_access(client: Any) -> None:
    memory_id = (await client.post("/v1/memories", json={"content": "recall me"})).json()["id"]
    first = (await client.get(f"/v1/memories/{memory_id}")).json()
    second = (await client.get(f"/v1/memories/{memory_id}")).json()
    assert (first["access_count"], second["access_count"]) == (1, 2)
    assert _is_utc_iso(second["last_accessed_at"])


@pytest.mark.asyncio
async def test_recall_unknown_is_404(client: Any, assert_problem: Any) -> None:
    body = assert_problem(await client.get("/v1/memories/nope"), 404, "id")
    assert "nope" in body["detail"]


@pytest.mark.asyncio
async def test_patch_changes_given_fields_only(client: Any) -> None:
    memory_id = (
        await client.post("/v1/memories", json={"content": "old", "importance": 0.2, "metadata": {"a": 1}})
    ).json()["id"]
    response = await client.patch(f"/v1/memories/{memory_id}", json={"content": "new text", "importance": 0.9})
    assert response.status_code == 200, response.text
    record = response.json()
    assert (record["content"], record["importance"], record["metadata"]) == ("new text", 0.9, {"a": 1})
    assert record["updated_at"] >= record["created_at"]
    record = (
        await client.patch(f"/v1/memories/{memory_id}", json={"metadata": {"b": 2}, "memory_type": "semantic"})
    ).json()
    assert (record["metadata"], record["memory_type"], record["content"]) == ({"b": 2}, "semantic", "new text")
    hits = (await client.post("/v1/search", json={"query": "new text"})).json()["results"]
    assert hits[0]["memory"]["id"] == memory_id  # re-embedded


@pytest.mark.asyncio
async def test_patch_unknown_is_404(client: Any, assert_problem: Any) -> None:
    assert_problem(await client.patch("/v1/memories/ghost", json={"content": "x"}), 404, "id")


@pytest.mark.asyncio
async def test_delete_is_204_then_404(client: Any, assert_problem: Any) -> None:
    memory_id = (await client.post("/v1/memories", json={"content": "delete me"})).json()["id"]
    response = await client.delete(f"/v1/memories/{memory_id}")
    assert response.status_code == 204 and response.content == b""
    assert_problem(await client.get(f"/v1/memories/{memory_id}"), 404)
    assert_problem(await client.delete(f"/v1/memories/{memory_id}"), 404, "id")


@pytest.mark.asyncio
async def test_list_pages_with_cursor_and_filters_by_type(client: Any) -> None:
    items = [{"content": f"memory {i}", "memory_type": "semantic" if i % 2 else "episodic"} for i in range(7)]
    ids = (await client.post("/v1/memories/batch", json={"items": items})).json()["ids"]
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/v1/memories", params=params)).json()
        assert set(page) == {"items", "next_cursor"}
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == 7
    semantic = (await client.get("/v1/memories", params={"memory_type": "semantic"})).json()["items"]
    assert len(semantic) == 3 and all(item["memory_type"] == "semantic" for item in semantic)


@pytest.mark.asyncio
async def test_backdated_import_and_dedupe_policy(client: Any, assert_problem: Any) -> None:
    old = {"content": "we met in Lisbon", "created_at": "2020-05-01T10:00:00Z", "dedupe": "allow"}
    record = (await client.post("/v1/memories", json=old)).json()
    assert record["created_at"] == "2020-05-01T10:00:00Z"
    again = (await client.post("/v1/memories", json={"content": "we met in Lisbon", "dedupe": "skip"})).json()
    assert again["id"] == record["id"]  # a near-duplicate returns the stored memory
    allowed = (await client.post("/v1/memories", json={"content": "we met in Lisbon", "dedupe": "allow"})).json()
    assert allowed["id"] != record["id"]
    batch = {"items": [{"content": "we met in Lisbon"}], "dedupe": "skip"}
    assert (await client.post("/v1/memories/batch", json=batch)).json()["ids"][0] in {record["id"], allowed["id"]}
    assert_problem(await client.post("/v1/memories", json={"content": "x", "created_at": "2999-01-01T00:00:00Z"}), 422)
    assert_problem(await client.post("/v1/memories", json={"content": "x", "dedupe": "maybe"}), 422, "dedupe")
    item_dedupe = {"items": [{"content": "x", "dedupe": "skip"}]}
    assert_problem(await client.post("/v1/memories/batch", json=item_dedupe), 422, "items[0].dedupe")
