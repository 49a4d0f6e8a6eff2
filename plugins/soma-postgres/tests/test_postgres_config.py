"""Configuration: validation, environment variables, YAML, redaction, and the unreachable-server error."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from pydantic import ValidationError
from soma_postgres import PostgresConfig, PostgresKVStore

from soma_core.config import load_settings
from soma_core.errors import BackendUnavailableError, ConfigError
from soma_core.stack import Stack, build_stack

SECRET = "hunter2-not-shown"
ONLY_POSTGRES = {"load": ["postgres"]}  # sibling plugins under development must not affect these tests


def build_stack_with(monkeypatch: pytest.MonkeyPatch, **kv: object) -> Stack:
    monkeypatch.delenv("SOMA_CONFIG", raising=False)
    return build_stack(load_settings(stack={"kv": {"backend": "postgres", **kv}}, plugins=ONLY_POSTGRES))


def build(monkeypatch: pytest.MonkeyPatch, **kv: object) -> PostgresKVStore:
    store = build_stack_with(monkeypatch, **kv).kv
    assert isinstance(store, PostgresKVStore)
    return store


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_defaults() -> None:
    config = PostgresConfig()
    assert config.url.get_secret_value() == "postgresql://postgres@127.0.0.1:5432/test"
    assert (config.schema, config.table, config.min_size, config.max_size) == ("public", "soma_kv", 1, 10)


def test_every_option_is_described() -> None:
    assert all(field.description for field in PostgresConfig.model_fields.values())


def test_unknown_option_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match=r"stack.kv \(postgres\): hostname: unknown option"):
        build(monkeypatch, hostname="db")


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("url", "mysql://root@db/x", "postgresql://"),
        ("schema", "public; DROP TABLE x", "schema"),
        ("table", "1starts_with_digit", "table"),
        ("min_size", -1, "min_size"),
        ("max_size", 0, "max_size"),
        ("connect_timeout", 0, "connect_timeout"),
        ("sweep_interval", "often", "sweep_interval"),
    ],
)
def test_bad_values_are_config_errors(
    monkeypatch: pytest.MonkeyPatch, option: str, value: object, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        build(monkeypatch, **{option: value})


def test_max_size_below_min_size() -> None:
    with pytest.raises(ValidationError, match=r"max_size \(2\) must be at least min_size \(5\)"):
        PostgresConfig(min_size=5, max_size=2)


def test_rejected_url_is_not_echoed() -> None:
    with pytest.raises(ValidationError) as info:
        PostgresConfig.model_validate({"url": f"mysql://root:{SECRET}@db/x"})
    assert SECRET not in str(info.value)


def test_env_vars_set_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOMA_POSTGRES_URL", f"postgresql://soma:{SECRET}@db.internal:6543/memory")
    monkeypatch.setenv("SOMA_POSTGRES_SCHEMA", "soma")
    monkeypatch.setenv("SOMA_POSTGRES_MAX_SIZE", "3")
    store = build(monkeypatch, table="from_yaml")
    assert store.config.url.get_secret_value() == f"postgresql://soma:{SECRET}@db.internal:6543/memory"
    assert (store.config.schema, store.config.table, store.config.max_size) == ("soma", "from_yaml", 3)


def test_stack_env_var_beats_plugin_env_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOMA_POSTGRES_TABLE", "plugin_env")
    monkeypatch.setenv("SOMA_STACK__KV__TABLE", "stack_env")
    assert build(monkeypatch).config.table == "stack_env"


def test_yaml_section(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "soma.yaml"
    path.write_text(
        "plugins: {load: [postgres]}\n"
        "stack:\n"
        "  kv: {backend: postgres, url: 'postgresql://postgres@127.0.0.1:5432/test', schema: soma, min_size: 2}\n"
    )
    monkeypatch.delenv("SOMA_CONFIG", raising=False)
    store = build_stack(load_settings(path)).kv
    assert isinstance(store, PostgresKVStore)
    assert (store.config.schema, store.config.min_size) == ("soma", 2)


def test_describe_and_repr_hide_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOMA_POSTGRES_URL", f"postgresql://soma:{SECRET}@db.internal:6543/memory")
    stack = build_stack_with(monkeypatch)
    described = stack.kv.describe()
    assert described["url"] == "postgresql://soma:***@db.internal:6543/memory"
    assert described["schema"] == "public" and "max_size" in described
    store = stack.kv
    for text in (str(described), repr(store.config), str(stack.describe())):
        assert SECRET not in text


def test_describe_hides_a_password_in_the_query_string() -> None:
    config = PostgresConfig.model_validate({"url": f"postgresql://db/soma?sslmode=require&password={SECRET}"})
    assert PostgresKVStore(config).describe()["url"] == "postgresql://db/soma?sslmode=require&password=***"


@pytest.mark.asyncio
async def test_unreachable_server_fails_fast_without_password() -> None:
    port = free_port()
    store = PostgresKVStore(
        PostgresConfig.model_validate({"url": f"postgresql://postgres:{SECRET}@127.0.0.1:{port}/test"})
    )
    started = time.monotonic()
    with pytest.raises(BackendUnavailableError) as info:
        await store.open()
    assert time.monotonic() - started < 3
    message = str(info.value)
    assert message.startswith(f"backend 'postgres' is unavailable: cannot connect to 127.0.0.1:{port}")
    assert SECRET not in message and "\n" not in message
    await store.close()  # closing a store that never opened is fine


@pytest.mark.asyncio
async def test_operations_before_open_fail_clearly() -> None:
    store = PostgresKVStore()
    with pytest.raises(BackendUnavailableError, match="not open"):
        await store.mget("ns", ["k"])
