"""Configuration of the redis KV store: validation, environment variables, and secrets kept out of sight."""

from __future__ import annotations

import os

import pytest
from pydantic import ValidationError
from soma_redis import RedisConfig, RedisKVStore

from soma_core.config import load_settings
from soma_core.errors import ConfigError
from soma_core.stack import build_stack

SECRET = "pa55-w0rd-never-shown"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No SOMA_ variables from the developer's shell leak in; only this plugin loads (fast, independent)."""
    for name in list(os.environ):
        if name.startswith("SOMA_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SOMA_PLUGINS__LOAD", "redis")
    return monkeypatch


def test_defaults_point_at_local_redis() -> None:
    store = RedisKVStore()
    assert store.address == "127.0.0.1:6379"
    assert store.config.key_prefix == "soma:"
    assert store.capabilities.ttl and store.capabilities.persistent and store.capabilities.multi_process


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"hostname": "x"}, "Extra inputs"),
        ({"port": 0}, "greater than or equal to 1"),
        ({"port": "six"}, "valid integer"),
        ({"db": -1}, "greater than or equal to 0"),
        ({"max_connections": 0}, "greater than or equal to 1"),
        ({"pool_timeout": 0}, "greater than 0"),
        ({"socket_timeout": -1}, "greater than 0"),
        ({"retries": -1}, "greater than or equal to 0"),
        ({"url": "http://127.0.0.1:6379"}, "redis://, rediss://, unix://"),
        ({"key_prefix": "bad\x00prefix"}, "control characters"),
        ({"client_name": "has space"}, "should match pattern"),
    ],
)
def test_bad_options_are_refused(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        RedisConfig.model_validate(options)


def test_url_and_host_together_are_an_error() -> None:
    with pytest.raises(ValidationError, match="give either url or host/port, not both"):
        RedisConfig(url="redis://10.0.0.1:6379/0", host="10.0.0.2", port=6380)


def test_password_given_twice_is_an_error() -> None:
    with pytest.raises(ValidationError, match="url already holds a password"):
        RedisConfig(url=f"redis://:{SECRET}@127.0.0.1:6379/0", password="other")


def test_password_may_accompany_a_url_without_one() -> None:
    config = RedisConfig(url="redis://cache.internal:6380/2", password=SECRET)
    store = RedisKVStore(config)
    assert store.address == "cache.internal:6380 db 2"
    assert config.connection_kwargs() == {"password": SECRET}


def test_unknown_option_via_stack_is_a_config_error(clean_env: pytest.MonkeyPatch) -> None:
    settings = load_settings(stack={"kv": {"backend": "redis", "hots": "127.0.0.1"}})
    with pytest.raises(ConfigError, match=r"stack\.kv \(redis\): hots: unknown option"):
        build_stack(settings)


@pytest.mark.redis
@pytest.mark.asyncio
async def test_env_vars_configure_the_store(clean_env: pytest.MonkeyPatch, key_prefix: str) -> None:
    """SOMA_REDIS_<OPTION> sets each option; the store built from them works against the shared Redis."""
    clean_env.setenv("SOMA_STACK__KV__BACKEND", "redis")
    clean_env.setenv("SOMA_REDIS_HOST", "127.0.0.1")
    clean_env.setenv("SOMA_REDIS_PORT", "6379")
    clean_env.setenv("SOMA_REDIS_DB", "0")
    clean_env.setenv("SOMA_REDIS_KEY_PREFIX", key_prefix)
    clean_env.setenv("SOMA_REDIS_MAX_CONNECTIONS", "7")
    clean_env.setenv("SOMA_REDIS_POOL_TIMEOUT", "2.5")
    stack = build_stack(load_settings())
    store = stack.kv
    assert isinstance(store, RedisKVStore)
    assert (store.config.host, store.config.port, store.config.max_connections) == ("127.0.0.1", 6379, 7)
    assert store.config.pool_timeout == 2.5 and store.config.key_prefix == key_prefix
    async with store:
        await store.ping()
        await store.mset("env", {"k": b"v"})
        assert await store.mget("env", ["k"]) == [b"v"]


def test_env_url_and_password(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("SOMA_STACK__KV__BACKEND", "redis")
    clean_env.setenv("SOMA_REDIS_URL", "redis://10.1.2.3:6390/4")
    clean_env.setenv("SOMA_REDIS_PASSWORD", SECRET)
    store = build_stack(load_settings()).kv
    assert isinstance(store, RedisKVStore)
    assert store.address == "10.1.2.3:6390 db 4"
    assert store.config.password is not None and store.config.password.get_secret_value() == SECRET


def test_env_url_with_yaml_host_is_an_error(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("SOMA_REDIS_URL", "redis://10.1.2.3:6390/4")
    settings = load_settings(stack={"kv": {"backend": "redis", "host": "10.9.9.9"}})
    with pytest.raises(ConfigError, match="give either url or host"):
        build_stack(settings)


@pytest.mark.parametrize(
    "config",
    [
        RedisConfig(url=f"redis://admin:{SECRET}@127.0.0.1:6379/0"),
        RedisConfig(url=f"redis://127.0.0.1:6379/0?password={SECRET}"),
        RedisConfig(url="redis://127.0.0.1:6379/0", username="admin", password=SECRET),
        RedisConfig(host="127.0.0.1", password=SECRET),
    ],
    ids=["url-userinfo", "url-query", "url-plus-password", "host-plus-password"],
)
def test_describe_and_repr_never_show_the_password(config: RedisConfig) -> None:
    store = RedisKVStore(config)
    described = store.describe()
    assert SECRET not in str(described)
    assert SECRET not in repr(config) and SECRET not in str(config)
    assert described["address"] == "127.0.0.1:6379"
    assert described["key_prefix"] == "soma:"
    assert "password" not in described
    if config.url is not None:
        assert described["url"].startswith("redis://")
