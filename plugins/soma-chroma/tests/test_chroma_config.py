"""Options, environment variables, describe() and capabilities of the chroma store (no Chroma needed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from soma_chroma import ChromaConfig, ChromaVectorStore
from soma_chroma.naming import meta_collection, namespace_collection
from soma_core.config import load_settings
from soma_core.errors import ConfigError
from soma_core.plugins import get_plugin_manager
from soma_core.registry import Registry
from soma_core.stack import build_stack

SECRET = "s3cr3t-token-value"
CHROMA_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,510}[A-Za-z0-9]$")


def test_defaults_are_embedded_under_data_dir() -> None:
    config = ChromaConfig(data_dir="/var/lib/soma")
    assert config.mode == "embedded"
    assert config.database_path == Path("/var/lib/soma/chroma")
    assert config.address == "/var/lib/soma/chroma"


def test_host_selects_server_mode() -> None:
    config = ChromaConfig(host="chroma.internal", port=8001)
    assert config.mode == "server"
    assert config.address == "chroma.internal:8001"
    assert ChromaConfig(host="::1").address == "[::1]:8000"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"colour": "blue"}, "Extra inputs"),
        ({"port": 0}, "greater than or equal to 1"),
        ({"port": "eighty"}, "valid integer"),
        ({"host": "http://localhost"}, "without scheme or path"),
        ({"host": "h", "path": "/tmp/x"}, "not both"),
        ({"port": 8001}, "port only apply in server mode"),
        ({"headers": {"X-Chroma-Token": "t"}, "ssl": True}, "headers, ssl only apply in server mode"),
        ({"collection_prefix": "-bad"}, "pattern"),
        ({"collection_prefix": "a.b"}, "pattern"),
        ({"ef_search": 0}, "greater than or equal to 1"),
        ({"request_timeout": 0}, "greater than 0"),
        ({"headers": "not json"}, "JSON object"),
        ({"batch_size": 0}, "greater than or equal to 1"),
    ],
)
def test_bad_options_are_refused(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ChromaConfig.model_validate(options)


def test_unknown_option_is_a_one_line_config_error(tmp_path: Path) -> None:
    config_file = tmp_path / "soma.yaml"
    config_file.write_text("stack:\n  vectors: {backend: chroma, hots: localhost}\n")
    with pytest.raises(ConfigError, match=r"stack\.vectors \(chroma\): hots: unknown option"):
        build_stack(load_settings(config_file))


def test_environment_variables_set_options(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config_file = tmp_path / "soma.yaml"
    config_file.write_text("stack:\n  vectors: {backend: chroma, collection_prefix: fromyaml}\n")
    monkeypatch.setenv("SOMA_CHROMA_HOST", "chroma.example")
    monkeypatch.setenv("SOMA_CHROMA_PORT", "8123")
    monkeypatch.setenv("SOMA_CHROMA_HEADERS", f'{{"X-Chroma-Token": "{SECRET}"}}')
    stack = build_stack(load_settings(config_file))
    store = stack.vectors
    assert isinstance(store, ChromaVectorStore)
    assert (store.config.host, store.config.port) == ("chroma.example", 8123)
    assert store.config.collection_prefix == "fromyaml"
    assert store.config.headers["X-Chroma-Token"].get_secret_value() == SECRET
    assert stack.describe()["vectors"]["capabilities"]["multi_process"] is True


def test_embedded_path_defaults_to_the_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SOMA_STACK__VECTORS__BACKEND", "chroma")
    monkeypatch.setenv("SOMA_DATA_DIR", str(tmp_path))
    store = build_stack(load_settings()).vectors
    assert isinstance(store, ChromaVectorStore)
    assert store.config.database_path == tmp_path / "chroma"
    monkeypatch.setenv("SOMA_CHROMA_PATH", str(tmp_path / "elsewhere"))
    assert build_stack(load_settings()).vectors.describe()["path"] == str(tmp_path / "elsewhere")


def test_describe_never_shows_header_values() -> None:
    store = ChromaVectorStore(ChromaConfig(host="h", headers={"Authorization": f"Bearer {SECRET}"}))
    shown = store.describe()
    assert shown["headers"] == ["Authorization"]
    assert SECRET not in repr(shown) and SECRET not in repr(store.config) and SECRET not in str(store.config)


def test_capabilities_follow_the_mode() -> None:
    embedded = ChromaVectorStore(ChromaConfig(path="/tmp/unused"))
    server = ChromaVectorStore(ChromaConfig(host="localhost"))
    assert embedded.capabilities.filters and embedded.capabilities.persistent
    assert not embedded.capabilities.multi_process
    assert server.capabilities.multi_process and server.capabilities.filters and server.capabilities.persistent
    assert ChromaVectorStore.capabilities.multi_process is False  # class level: the conservative flags


def test_the_plugin_is_registered() -> None:
    info = Registry(get_plugin_manager()).backends["vectors"]["chroma"]
    assert info.cls is ChromaVectorStore and info.distribution == "soma-chroma"


@pytest.mark.parametrize(
    "namespace", ["default", "a:b", "a_b", "..", "", "x" * 300, "user/42", "ünïcode ñame", "1.2.3.4", "-edge-"]
)
def test_collection_names_follow_chroma_rules(namespace: str) -> None:
    name = namespace_collection("soma", namespace)
    assert CHROMA_NAME.match(name) and ".." not in name and len(name) <= 512
    assert namespace_collection("x", namespace) != name


def test_collection_names_are_distinct_when_slugs_collide() -> None:
    names = {namespace_collection("soma", ns) for ns in ["a:b", "a_b", "a/b", "a b"]}
    assert len(names) == 4
    assert meta_collection("soma") not in names
