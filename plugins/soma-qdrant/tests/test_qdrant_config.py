"""Configuration: validation errors, modes, and options from the environment through the real stack builder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError
from soma_qdrant import QdrantConfig, QdrantVectorStore

from soma_core.config import load_settings
from soma_core.errors import ConfigError
from soma_core.stack import Stack, build_stack

SECRET = "qdrant-sekret-key-123"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOMA_CONFIG", raising=False)
    for name in QdrantConfig.model_fields:
        monkeypatch.delenv(f"SOMA_QDRANT_{name.upper()}", raising=False)
        monkeypatch.delenv(f"SOMA_STACK__VECTORS__{name.upper()}", raising=False)


def stack_with(tmp_path: Path, **options: object) -> Stack:
    """build_stack over settings whose vector slot is qdrant with ``options`` (only the qdrant plugin loads)."""
    settings = load_settings(
        data_dir=str(tmp_path),
        stack={"vectors": {"backend": "qdrant", **options}, "embedder": {"backend": "hash"}},
        plugins={"load": ["qdrant"]},
    )
    return build_stack(settings)


def test_every_option_is_described() -> None:
    assert all(field.description for field in QdrantConfig.model_fields.values())


def test_unknown_option_is_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"stack\.vectors \(qdrant\): colection: unknown option") as caught:
        stack_with(tmp_path, colection="x")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"batch_size": 0}, "batch_size"),
        ({"url": "qdrant:6333"}, "url: String should match pattern"),
        ({"collection": "a/b"}, "collection"),
        ({"location": "/var/lib/qdrant"}, "location"),
        ({"hnsw_ef": "many"}, "hnsw_ef"),
        ({"url": "http://q:6333", "timeout": 0}, "timeout"),
    ],
)
def test_bad_values_are_errors(tmp_path: Path, options: dict[str, object], fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        stack_with(tmp_path, **options)


def test_two_modes_is_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        stack_with(tmp_path, url="http://qdrant:6333", path=str(tmp_path))
    message = str(caught.value)
    assert "url and path are both set; give exactly one of url" in message and "\n" not in message
    with pytest.raises(ValidationError, match="path and location"):
        QdrantConfig(path="/x", location=":memory:")


def test_server_options_without_url_are_errors() -> None:
    with pytest.raises(ValidationError, match="api_key, prefer_grpc only apply with url"):
        QdrantConfig(path="/x", api_key=SECRET, prefer_grpc=True)
    with pytest.raises(ValidationError, match="timeout only apply with url"):
        QdrantConfig(location=":memory:", timeout=3)


def test_modes() -> None:
    assert QdrantConfig(url="https://q.example:6333").mode == "url"
    assert QdrantConfig(path="/srv/q").mode == "path"
    assert QdrantConfig(path=":memory:").mode == "memory"
    assert QdrantConfig(location=":memory:").mode == "memory"
    assert QdrantConfig(url="", path="/srv/q").mode == "path"  # an empty value is no value


def test_no_mode_means_local_store_in_data_dir(tmp_path: Path) -> None:
    store = stack_with(tmp_path).vectors
    assert isinstance(store, QdrantVectorStore)
    assert store.config.mode == "path" and store.config.local_path == tmp_path / "qdrant"


def test_environment_reaches_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOMA_QDRANT_URL", "https://admin:pw@qdrant.example:6333")
    monkeypatch.setenv("SOMA_QDRANT_API_KEY", SECRET)
    monkeypatch.setenv("SOMA_QDRANT_PREFER_GRPC", "true")
    monkeypatch.setenv("SOMA_QDRANT_TIMEOUT", "7")
    monkeypatch.setenv("SOMA_QDRANT_COLLECTION", "memories")
    stack = stack_with(tmp_path)
    store = stack.vectors
    assert isinstance(store, QdrantVectorStore)
    config = store.config
    assert config.mode == "url" and config.prefer_grpc and config.timeout == 7 and config.collection == "memories"
    assert config.api_key is not None and config.api_key.get_secret_value() == SECRET
    shown = json.dumps(stack.describe())
    assert SECRET not in shown and ":pw@" not in shown and "admin:***@qdrant.example" in shown
    assert stack.describe()["vectors"]["capabilities"]["multi_process"] is True


def test_stack_slot_variable_beats_plugin_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOMA_QDRANT_COLLECTION", "from-plugin-var")
    monkeypatch.setenv("SOMA_STACK__VECTORS__COLLECTION", "from-stack-var")
    assert stack_with(tmp_path, location=":memory:").vectors.config.collection == "from-stack-var"  # type: ignore[attr-defined]


def test_yaml_section_as_operators_write_it(tmp_path: Path) -> None:
    config_file = tmp_path / "soma.yaml"
    config_file.write_text(
        "stack:\n"
        f"  vectors: {{backend: qdrant, path: {tmp_path / 'q'}, collection: mem, hnsw_ef: 128}}\n"
        "  embedder: {backend: hash}\n"
        "plugins: {load: [qdrant]}\n"
    )
    store = build_stack(load_settings(config_file)).vectors
    assert isinstance(store, QdrantVectorStore)
    assert (store.config.local_path, store.config.collection, store.config.hnsw_ef) == (tmp_path / "q", "mem", 128)


def test_describe_hides_the_key() -> None:
    store = QdrantVectorStore(QdrantConfig(url="http://u:pw@qdrant:6333", api_key=SECRET))
    described = store.describe()
    assert SECRET not in json.dumps(described) and "api_key" not in described
    assert described["url"] == "http://u:***@qdrant:6333" and described["mode"] == "url"
    assert SECRET not in repr(store.config)
