"""Settings from YAML, environment and defaults; one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from soma_core.config import load_settings
from soma_core.errors import ConfigError
from soma_core.stack import build_stack, redact_url


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "soma.yaml"
    path.write_text(text)
    return path


def test_defaults() -> None:
    s = load_settings()
    assert (s.namespace, s.api_port, s.vector_dim) == ("default", 9595, None)
    assert (s.stack.kv.backend, s.stack.vectors.backend, s.stack.embedder.backend) == ("sqlite", "numpy", "auto")


def test_yaml_then_env_overrides_one_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "namespace: team\nstack:\n  kv: {backend: sqlite, path: /tmp/a.db, busy_timeout_ms: 10}\n")
    monkeypatch.setenv("SOMA_STACK__KV__PATH", "/tmp/b.db")
    s = load_settings(path)
    assert s.namespace == "team"
    assert s.stack.kv.options == {"path": "/tmp/b.db", "busy_timeout_ms": 10}


def test_soma_config_env_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOMA_CONFIG", str(write(tmp_path, "api_port: 9000\n")))
    assert load_settings().api_port == 9000


def test_env_and_file_references(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "token.txt").write_text("from-file\n")
    monkeypatch.setenv("MY_TOKEN", "from-env")
    path = write(tmp_path, 'api_token: {"$env": MY_TOKEN}\nserver:\n  extra: {"$file": token.txt}\n')
    s = load_settings(path)
    assert s.api_token is not None and s.api_token.get_secret_value() == "from-env"
    assert s.server["extra"] == "from-file"
    assert "from-env" not in repr(s)


def test_api_token_env_is_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOMA_API_TOKEN", "s3cret")
    s = load_settings()
    assert s.api_token.get_secret_value() == "s3cret" and "s3cret" not in str(s)


def test_plugin_lists_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOMA_PLUGINS__BLOCK", "redis, qdrant")
    monkeypatch.setenv("SOMA_PLUGINS__LOAD", '["postgres"]')
    s = load_settings()
    assert s.plugins.block == ["redis", "qdrant"] and s.plugins.load == ["postgres"]


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("namspace: x\n", "config: namspace: unknown option"),
        ("api_port: 99999\n", "config: api_port: Input should be less than or equal to 65535"),
        ("stack: {kv: {backend: sqlite}, cache: {backend: x}}\n", "config: stack.cache: unknown option"),
        ("namespace: 'has space'\n", "config: namespace: String should match pattern"),
        ("- a list\n", "must hold a mapping"),
        ("stack: [\n", "is not valid YAML at line"),
        ('api_token: {"$env": NOT_SET_ANYWHERE}\n', "environment variable 'NOT_SET_ANYWHERE', which is not set"),
    ],
)
def test_bad_config_is_one_line(tmp_path: Path, yaml_text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, yaml_text))
    assert message in str(info.value) and "\n" not in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config file .*nope.yaml"):
        load_settings(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("stack", "message"),
    [
        ({"kv": {"backend": "sqlite", "bogus": 1}}, "stack.kv (sqlite): bogus: unknown option"),
        ({"kv": {"backend": "sqlite", "synchronous": "SOMETIMES"}}, "stack.kv (sqlite): synchronous: String should match"),
        ({"embedder": {"backend": "hash", "dim": "wide"}}, "stack.embedder (hash): dim: Input should be a valid integer"),
        ({"vectors": {"backend": "faiss"}}, "unknown vectors backend 'faiss' (stack.vectors.backend); available: numpy"),
    ],
)
def test_backend_options_are_validated_at_build(stack: dict, message: str) -> None:
    settings = load_settings(stack=stack, plugins={"load": []})
    with pytest.raises(ConfigError) as info:
        build_stack(settings)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_auto_embedder_falls_back_to_hash_with_a_notice() -> None:
    stack = build_stack(load_settings(plugins={"load": []}))
    assert stack.embedder.name == "hash"
    assert len(stack.notices) == 1 and "soma-sentence-transformers" in stack.notices[0]


def test_data_dir_reaches_backends_that_ask(tmp_path: Path) -> None:
    stack = build_stack(load_settings(data_dir=tmp_path, plugins={"load": []}))
    assert stack.kv.describe()["path"] == str(tmp_path / "soma.sqlite3")


def test_redact_url() -> None:
    assert redact_url("postgresql://u:pw@h:5432/db") == "postgresql://u:***@h:5432/db"
    assert redact_url("redis://h:6379/0") == "redis://h:6379/0"


def test_redact_url_query_password() -> None:
    assert redact_url("redis://h:6379/0?password=pw&db=1") == "redis://h:6379/0?password=***&db=1"


def test_describe_masks_secrets() -> None:
    from pydantic import SecretStr

    from soma_core.interfaces import BackendConfig
    from soma_core.interfaces.base import safe_options

    class Options(BackendConfig):
        url: SecretStr
        api_key: SecretStr | None = None
        password: str | None = None
        endpoint: str = "http://u:pw@host:1/x"
        size: int = 3

    shown = safe_options(Options(url=SecretStr("postgresql://u:pw@h/db"), api_key=SecretStr("k"), password="p"))
    assert shown == {
        "url": "postgresql://u:***@h/db", "api_key": "***", "password": "***",
        "endpoint": "http://u:***@host:1/x", "size": 3,
    }
