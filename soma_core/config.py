"""Settings: YAML file, ``SOMA_`` environment variables, defaults — in that order of weakness.

Environment beats YAML, YAML beats defaults, and nested keys merge deeply, so
``SOMA_STACK__KV__URL`` overrides one option and keeps its siblings from YAML.
In YAML, any value may be ``{"$env": "VAR"}`` or ``{"$file": "path"}`` so that
secrets need not sit in the file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from .errors import ConfigError
from .ranking import Weights

NAMESPACE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$"
DEFAULT_DATA_DIR = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "soma"


class Slot(BaseModel):
    """One stack slot: ``backend`` picks the implementation, other keys are its options."""

    model_config = ConfigDict(extra="allow")
    backend: str

    @property
    def options(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class KVSlot(Slot):
    backend: str = "sqlite"


class VectorsSlot(Slot):
    backend: str = "numpy"


class EmbedderSlot(Slot):
    backend: str = "auto"


class ScorerSlot(Slot):
    backend: str = "heuristic"


class StackSettings(BaseModel):
    """The four backends: the embedded default unless configured.

    ``embedder: auto`` means sentence-transformers if installed, else hash.
    """

    model_config = ConfigDict(extra="forbid")
    kv: KVSlot = Field(default_factory=KVSlot)
    vectors: VectorsSlot = Field(default_factory=VectorsSlot)
    embedder: EmbedderSlot = Field(default_factory=EmbedderSlot)
    scorer: ScorerSlot = Field(default_factory=ScorerSlot)


class PluginSettings(BaseModel):
    """Which plugins load. ``load``: only these installed plugins; ``block``: never these."""

    model_config = ConfigDict(extra="forbid")
    load: Annotated[list[str] | None, NoDecode] = None
    block: Annotated[list[str], NoDecode] = Field(default_factory=list)
    trace: bool = False

    @field_validator("load", "block", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        """Accept a JSON list or a comma-separated string (handy in environment variables) or a list."""
        if isinstance(value, str):
            if value.strip().startswith("["):
                return json.loads(value)
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


class DedupeSettings(BaseModel):
    """What storing a near-duplicate of an existing memory does (see MemoryEngine.store_many)."""

    model_config = ConfigDict(extra="forbid")
    mode: Literal["allow", "skip", "merge"] = "skip"
    threshold: float = Field(default=0.97, gt=0, le=1, description="Cosine similarity at which texts count as the same.")


class RankingSettings(Weights):
    """Default ranking for every namespace; see :mod:`soma_core.ranking`."""


class Settings(BaseSettings):
    """Everything Soma reads from configuration."""

    model_config = SettingsConfigDict(
        env_prefix="SOMA_", env_nested_delimiter="__", extra="forbid", nested_model_default_partial_update=True
    )

    namespace: str = Field(default="default", pattern=NAMESPACE_PATTERN)
    vector_dim: int | None = Field(default=None, gt=0)
    api_port: int = Field(default=9595, ge=1, le=65535)
    api_token: SecretStr | None = None
    data_dir: Path = DEFAULT_DATA_DIR
    stack: StackSettings = Field(default_factory=StackSettings)
    ranking: RankingSettings = Field(default_factory=RankingSettings)
    namespaces: dict[str, RankingSettings] = Field(default_factory=dict)
    dedupe: DedupeSettings = Field(default_factory=DedupeSettings)
    plugins: PluginSettings = Field(default_factory=PluginSettings)
    server: dict[str, Any] = Field(default_factory=dict)
    config_file: Path | None = Field(default=None, exclude=True)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _YamlSource(settings_cls))

    def ranking_for(self, namespace: str) -> Weights:
        """The namespace's own ranking defaults, else the global ones."""
        return self.namespaces.get(namespace, self.ranking)


_yaml_path: ContextVar[Path | None] = ContextVar("soma_yaml_path", default=None)


class _YamlSource(PydanticBaseSettingsSource):
    """Reads the YAML file chosen by :func:`load_settings`, resolving $env/$file references."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover - unused
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path = _yaml_path.get()
        if path is None:
            return {}
        data = read_yaml(path)
        return {**data, "config_file": str(path)}


def read_yaml(path: Path) -> dict[str, Any]:
    """The YAML mapping in ``path`` with references resolved, or a ConfigError."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"config file {path} is not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a mapping at the top level, not {type(data).__name__}")
    return _resolve_refs(data, path.parent)


def _resolve_refs(value: Any, base: Path) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$env"}:
            name = value["$env"]
            if name not in os.environ:
                raise ConfigError(f"config refers to environment variable {name!r}, which is not set")
            return os.environ[name]
        if set(value) == {"$file"}:
            ref = Path(os.path.expanduser(str(value["$file"])))
            ref = ref if ref.is_absolute() else base / ref
            try:
                return ref.read_text().strip()
            except OSError as exc:
                raise ConfigError(f"config refers to file {ref}, which cannot be read: {exc.strerror}") from None
        return {key: _resolve_refs(item, base) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve_refs(item, base) for item in value]
    return value


@contextmanager
def _yaml_file(path: Path | None) -> Iterator[None]:
    token = _yaml_path.set(path)
    try:
        yield
    finally:
        _yaml_path.reset(token)


def load_settings(config: str | Path | None = None, **overrides: Any) -> Settings:
    """Settings from ``config`` (else ``$SOMA_CONFIG``), the environment and ``overrides``.

    Raises ConfigError with a one-line message naming the offending key.
    """
    path = config if config is not None else os.environ.get("SOMA_CONFIG") or None
    with _yaml_file(Path(path).expanduser() if path else None):
        try:
            return Settings(**overrides)
        except ValidationError as exc:
            raise ConfigError(describe_validation_error(exc, prefix="config")) from None


def describe_validation_error(exc: ValidationError, *, prefix: str) -> str:
    """One line naming each bad key and what is wrong with it."""
    parts = []
    for error in exc.errors():
        location = ".".join(str(item) for item in error["loc"])
        message = "unknown option" if error["type"] == "extra_forbidden" else error["msg"]
        parts.append(f"{prefix}: {location}: {message}" if location else f"{prefix}: {message}")
    return "; ".join(parts)
