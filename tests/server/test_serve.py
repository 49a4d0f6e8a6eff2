"""``soma serve`` refusals and helpers (no server is started here; see tests/client for the real process)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from soma_core.errors import ConfigError
from soma_server import serve as serve_module
from soma_server.serve import is_loopback, serve


@pytest.fixture
def no_uvicorn(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Record what would be passed to uvicorn.run instead of running it."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(serve_module.uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    return calls


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.5", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.2", False),
        ("example.com", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_refuses_public_address_without_token(make_settings: Any, no_uvicorn: list[Any]) -> None:
    settings = make_settings(api_token=None, server={"tokens": []})
    with pytest.raises(ConfigError, match=r"refusing to serve on 0\.0\.0\.0 without an API token") as info:
        serve(settings, host="0.0.0.0", port=18000)
    assert "\n" not in str(info.value)
    assert no_uvicorn == []


def test_public_address_allowed_with_token_or_auth_off(make_settings: Any, no_uvicorn: list[Any]) -> None:
    assert serve(make_settings(), host="0.0.0.0", port=18000) == 0
    assert serve(make_settings(api_token=None, server={"tokens": [], "auth": False}), host="0.0.0.0") == 0
    assert [call["host"] for call in no_uvicorn] == ["0.0.0.0", "0.0.0.0"]
    assert no_uvicorn[1]["port"] == 9595  # api_port default


def test_loopback_without_token_starts_with_a_notice(
    make_settings: Any, no_uvicorn: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert serve(make_settings(api_token=None, server={"tokens": []}), port=18001) == 0
    assert no_uvicorn[0]["host"] == "127.0.0.1" and no_uvicorn[0]["access_log"] is False
    assert "soma: auth: no API token configured" in capsys.readouterr().err


def test_prints_stack_notices(make_settings: Any, no_uvicorn: list[Any], capsys: pytest.CaptureFixture[str]) -> None:
    serve(make_settings(stack={"embedder": {"backend": "auto"}}), port=18002)
    err = capsys.readouterr().err.splitlines()
    assert any(line.startswith("soma: embedder: using 'hash'") for line in err)


def test_workers_refuse_single_process_stores(make_settings: Any, no_uvicorn: list[Any]) -> None:
    with pytest.raises(ConfigError) as info:
        serve(make_settings(), workers=2)
    message = str(info.value)
    assert "stack.vectors.backend 'numpy' is single-process" in message and "kv" not in message.split(":")[1]
    assert no_uvicorn == []
    with pytest.raises(ConfigError, match=r"stack\.kv\.backend 'memory'"):
        serve(make_settings(stack={"kv": {"backend": "memory"}, "embedder": {"backend": "hash"}}), workers=3)
    with pytest.raises(ConfigError, match="at least 1"):
        serve(make_settings(), workers=0)


def test_workers_use_the_factory(make_settings: Any, no_uvicorn: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from soma_core.builtins.numpy_vectors import NumpyVectorStore
    from soma_core.interfaces import Capabilities

    monkeypatch.setattr(NumpyVectorStore, "capabilities", Capabilities(filters=True, multi_process=True))
    assert serve(make_settings(), workers=2) == 0
    assert no_uvicorn[0]["app"] == "soma_server.asgi:app_from_env"
    assert no_uvicorn[0]["factory"] is True and no_uvicorn[0]["workers"] == 2


@pytest.mark.parametrize("group", [False, True])
def test_startup_tracebacks_of_soma_errors_are_shortened(group: bool) -> None:
    error = "soma_core.errors.BackendUnavailableError: backend 'redis' is unavailable: refused"
    trace = f"Traceback (most recent call last):\n  File x\n{error}"
    if group:
        trace = f"  + Exception Group Traceback (most recent call last):\n  | ExceptionGroup: boom\n    | {trace}\n"
    record = logging.LogRecord("uvicorn.error", logging.ERROR, "", 0, trace, None, None)
    serve_module._LastLine().filter(record)
    assert record.getMessage() == "start-up failed: backend 'redis' is unavailable: refused"


def test_other_tracebacks_are_kept() -> None:
    trace = "Traceback (most recent call last):\n  File x\nKeyError: 'engine'"
    record = logging.LogRecord("uvicorn.error", logging.ERROR, "", 0, trace, None, None)
    serve_module._LastLine().filter(record)
    assert record.getMessage() == trace


@pytest.mark.asyncio
async def test_app_from_env_reads_the_config_named_by_soma_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from litestar.testing import AsyncTestClient

    from soma_server.asgi import app_from_env

    config = tmp_path / "soma.yaml"
    config.write_text(
        f"data_dir: {tmp_path}\nnamespace: from-file\nplugins: {{load: []}}\nstack: {{embedder: {{backend: hash}}}}\n"
    )
    monkeypatch.setenv("SOMA_CONFIG", str(config))
    async with AsyncTestClient(app=app_from_env()) as client:
        assert (await client.get("/v1/stats")).json()["namespace"] == "from-file"
