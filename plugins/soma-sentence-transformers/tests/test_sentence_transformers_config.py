"""Options, environment variables, auto selection, identity and lazy imports — no model is loaded here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError
from soma_sentence_transformers import SentenceTransformersEmbedder, bundled_model_path, resolve

from soma_core.config import load_settings
from soma_core.errors import ConfigError
from soma_core.stack import build_stack

Config = SentenceTransformersEmbedder.Config
ENV_OPTIONS = ("MODEL", "DEVICE", "BATCH_SIZE", "NORMALIZE", "MAX_SEQ_LENGTH", "LOCAL_FILES_ONLY")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """Only this plugin loads; no config file or stray SOMA_ variables leak in."""
    monkeypatch.delenv("SOMA_CONFIG", raising=False)
    for option in ENV_OPTIONS:
        monkeypatch.delenv(f"SOMA_SENTENCE_TRANSFORMERS_{option}", raising=False)
        monkeypatch.delenv(f"SOMA_STACK__EMBEDDER__{option}", raising=False)
    monkeypatch.delenv("SOMA_STACK__EMBEDDER__BACKEND", raising=False)
    monkeypatch.setenv("SOMA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SOMA_PLUGINS__LOAD", "sentence-transformers")
    return monkeypatch


def test_defaults() -> None:
    config = Config()
    assert (config.model, config.device, config.batch_size) == ("all-MiniLM-L6-v2", "cpu", 64)
    assert config.normalize is True and config.max_seq_length is None and config.local_files_only is True
    assert all(field.description for field in Config.model_fields.values())


@pytest.mark.parametrize(
    "options",
    [
        {"dimension": 384},
        {"batch_size": 0},
        {"batch_size": "many"},
        {"device": "gpu"},
        {"device": "cuda:x"},
        {"normalize": "maybe"},
        {"max_seq_length": 0},
        {"model": ""},
    ],
)
def test_bad_options_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Config.model_validate(options)


def test_bad_yaml_option_is_a_one_line_config_error(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config_file = tmp_path / "soma.yaml"
    config_file.write_text("stack:\n  embedder: {backend: sentence-transformers, batch_size: 0, dimension: 384}\n")
    with pytest.raises(ConfigError) as info:
        build_stack(load_settings(config_file))
    message = str(info.value)
    assert "stack.embedder (sentence-transformers): batch_size" in message
    assert "dimension: unknown option" in message and "\n" not in message


def test_auto_selects_this_plugin(clean_env: pytest.MonkeyPatch) -> None:
    stack = build_stack(load_settings())
    assert stack.infos["embedder"].name == "sentence-transformers"
    assert stack.infos["embedder"].distribution == "soma-sentence-transformers"
    assert isinstance(stack.embedder, SentenceTransformersEmbedder) and stack.notices == []


def test_auto_falls_back_to_hash_when_blocked(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("SOMA_PLUGINS__BLOCK", "sentence-transformers")
    stack = build_stack(load_settings())
    assert stack.infos["embedder"].name == "hash" and "soma-sentence-transformers" in stack.notices[0]


def test_env_prefix_sets_every_option(clean_env: pytest.MonkeyPatch) -> None:
    values = {
        "MODEL": "sentence-transformers/all-MiniLM-L6-v2",
        "DEVICE": "cuda:1",
        "BATCH_SIZE": "16",
        "NORMALIZE": "false",
        "MAX_SEQ_LENGTH": "128",
        "LOCAL_FILES_ONLY": "false",
    }
    for option, value in values.items():
        clean_env.setenv(f"SOMA_SENTENCE_TRANSFORMERS_{option}", value)
    config = build_stack(load_settings()).embedder.config
    assert config == Config(
        model="sentence-transformers/all-MiniLM-L6-v2",
        device="cuda:1",
        batch_size=16,
        normalize=False,
        max_seq_length=128,
        local_files_only=False,
    )


def test_stack_env_beats_prefix_env_and_yaml(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config_file = tmp_path / "soma.yaml"
    config_file.write_text("stack:\n  embedder: {backend: sentence-transformers, batch_size: 4, device: cpu}\n")
    clean_env.setenv("SOMA_SENTENCE_TRANSFORMERS_BATCH_SIZE", "16")
    assert build_stack(load_settings(config_file)).embedder.config.batch_size == 16
    clean_env.setenv("SOMA_STACK__EMBEDDER__BATCH_SIZE", "8")
    config = build_stack(load_settings(config_file)).embedder.config
    assert (config.batch_size, config.device) == (8, "cpu")


def test_bad_env_value_names_the_option(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("SOMA_SENTENCE_TRANSFORMERS_BATCH_SIZE", "lots")
    with pytest.raises(ConfigError, match=r"stack.embedder \(sentence-transformers\): batch_size"):
        build_stack(load_settings())


def test_model_names_resolve_to_the_bundled_files() -> None:
    bundled = bundled_model_path()
    assert bundled is not None and (bundled / "model.safetensors").is_file()
    for name in ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2", str(bundled)):
        ref = resolve(name)
        assert (ref.source, ref.label, ref.local) == (str(bundled), "all-MiniLM-L6-v2", True)


def test_identity_names_the_model(tmp_path: Path) -> None:
    def identity(model: str) -> str:
        return SentenceTransformersEmbedder(Config(model=model)).identity

    assert identity("all-MiniLM-L6-v2") == identity("sentence-transformers/all-MiniLM-L6-v2")
    assert identity("all-MiniLM-L6-v2") == "sentence-transformers:all-MiniLM-L6-v2"
    assert identity("BAAI/bge-small-en-v1.5") == "sentence-transformers:BAAI/bge-small-en-v1.5"
    assert identity("sentence-transformers/all-mpnet-base-v2") == "sentence-transformers:all-mpnet-base-v2"
    assert identity(str(tmp_path)) == f"sentence-transformers:{tmp_path.resolve()}"
    relative = resolve("./models/mine")
    assert relative.local and relative.source == str(Path("models/mine").resolve())


def test_describe_shows_options_only() -> None:
    described = SentenceTransformersEmbedder(Config(batch_size=8)).describe()
    assert described == Config(batch_size=8).model_dump(mode="json")
    assert not any(word in key for key in described for word in ("token", "password", "key"))


@pytest.mark.asyncio
async def test_unopened_embedder_says_so() -> None:
    from soma_core.errors import BackendUnavailableError

    embedder = SentenceTransformersEmbedder()
    with pytest.raises(BackendUnavailableError, match="not loaded; open the embedder first"):
        _ = embedder.dim
    with pytest.raises(BackendUnavailableError):
        await embedder.ping()
    await embedder.close()


@pytest.mark.asyncio
async def test_missing_or_non_model_directory_is_a_config_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(ConfigError, match=f"model directory '{missing}' does not exist"):
        await SentenceTransformersEmbedder(Config(model=str(missing))).open()
    with pytest.raises(ConfigError, match="is not a sentence-transformers model directory"):
        await SentenceTransformersEmbedder(Config(model=str(tmp_path))).open()


def test_listing_plugins_and_building_a_stack_do_not_import_torch(tmp_path: Path) -> None:
    """`soma plugins` and stack building stay fast: torch loads only when the embedder opens."""
    code = (
        "import sys\n"
        "from soma_core.plugins import get_plugin_manager\n"
        "from soma_core.registry import Registry\n"
        "from soma_core.config import load_settings\n"
        "from soma_core.stack import build_stack\n"
        "registry = Registry(get_plugin_manager(load=['sentence-transformers']))\n"
        "assert 'sentence-transformers' in registry.backends['embedder']\n"
        "stack = build_stack(load_settings(), registry=registry)\n"
        "assert stack.embedder.name == 'sentence-transformers'\n"
        "from soma_core.cli import main\n"
        "assert main(['plugins']) == 0\n"
        "heavy = sorted(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "SOMA_DATA_DIR": str(tmp_path),
        "SOMA_PLUGINS__LOAD": "sentence-transformers",
    }
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "embedder:sentence-transformers" in result.stdout
