"""Property-based check of the OpenAPI schema against the real responses (schemathesis).

For generated requests to every operation: no 5xx, every status is documented,
every body matches its documented schema and content type. Bounded to a few
examples per operation so it stays fast.
"""

from __future__ import annotations

import tempfile
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from soma_core.config import load_settings
from soma_server import create_app

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.specs.openapi import checks  # noqa: E402

TOKEN = "schema-token-0123456789"


# Loaded at import: schemathesis.pytest.from_fixture fails on pytest 9 (it reads the removed Node._nodeid).
_DATA = tempfile.TemporaryDirectory(prefix="soma-schemathesis-")
_SETTINGS = load_settings(
    data_dir=_DATA.name,
    stack={"embedder": {"backend": "hash"}, "kv": {"backend": "sqlite"}},
    plugins={"load": []},
    api_token=TOKEN,
    server={"limits": {"max_batch_items": 20, "max_content_chars": 2000}},
)
schema = schemathesis.openapi.from_asgi("/schema/openapi.json", create_app(_SETTINGS))


@schema.parametrize()
@settings(max_examples=5, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_responses_conform_to_schema(case: Any) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {TOKEN}"},
        checks=[
            checks.status_code_conformance,
            checks.content_type_conformance,
            checks.response_schema_conformance,
        ],
    )
