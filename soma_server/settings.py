"""The ``server:`` section of the Soma config, validated: auth, tokens, exposure, limits.

``Settings.server`` is a free-form mapping in the core; this module gives it a
schema. Tokens are read once here (``token`` may be ``{"$env": VAR}`` or
``{"$file": path}`` in YAML, which the core loader resolves; ``token_file`` is
read at start-up) and kept as SecretStr so they never reach a log or a repr.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from soma_core.config import Settings, describe_validation_error
from soma_core.errors import ConfigError


class TokenGrant(BaseModel):
    """One bearer token and the namespaces it may use (names or fnmatch patterns; ``*``: all)."""

    model_config = ConfigDict(extra="forbid")
    token: SecretStr | None = Field(
        default=None, description='The token; in YAML use {"$env": VAR} or {"$file": path}.'
    )
    token_file: Path | None = Field(default=None, description="File holding the token (read at start-up).")
    namespaces: list[str] = Field(min_length=1, description="Namespaces this token may use; '*' means every one.")
    name: str | None = Field(default=None, description="Label for access logs (default token-<position>).")

    @model_validator(mode="after")
    def _one_source(self) -> TokenGrant:
        if (self.token is None) == (self.token_file is None):
            raise ValueError("give exactly one of token or token_file")
        return self

    def secret(self) -> str:
        """The token value, reading ``token_file`` if that is where it lives."""
        if self.token is not None:
            value = self.token.get_secret_value().strip()
        else:
            assert self.token_file is not None
            try:
                value = self.token_file.expanduser().read_text().strip()
            except OSError as exc:
                raise ConfigError(f"server.tokens: cannot read token_file {self.token_file}: {exc.strerror}") from None
        if len(value) < 16:
            raise ConfigError(f"server.tokens ({self.name or 'unnamed'}): a token must be at least 16 characters")
        return value


class Limits(BaseModel):
    """Request limits; exceeding one is a 413 (body) or a 422 naming the field."""

    model_config = ConfigDict(extra="forbid")
    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024, description="Request body size (413 above).")
    max_content_chars: int = Field(default=32_768, ge=1, description="Characters in content and in a search query.")
    max_batch_items: int = Field(default=1000, ge=1, description="Items in one POST /v1/memories/batch.")
    max_k: int = Field(default=100, ge=1, description="Results one search may ask for.")
    max_list_limit: int = Field(default=1000, ge=1, description="Items one GET /v1/memories page may ask for.")
    max_metadata_bytes: int = Field(default=16_384, ge=2, description="Size of metadata as compact UTF-8 JSON.")
    max_metadata_depth: int = Field(default=8, ge=1, description="Nesting depth of metadata ({} is depth 1).")


class ServerSettings(BaseModel):
    """Everything under ``server:`` in the config file (env: ``SOMA_SERVER__<KEY>``)."""

    model_config = ConfigDict(extra="forbid")
    auth: bool = Field(default=True, description="False switches authentication off entirely.")
    tokens: list[TokenGrant] = Field(default_factory=list, description="Tokens beyond SOMA_API_TOKEN.")
    public_health: bool = Field(default=True, description="GET /health without a token.")
    public_ready: bool = Field(default=True, description="GET /ready without a token.")
    public_metrics: bool = Field(default=False, description="GET /metrics without a token.")
    public_schema: bool = Field(default=True, description="The OpenAPI schema and UI under /schema without a token.")
    limits: Limits = Field(default_factory=Limits)
    retry_after_seconds: int = Field(default=5, ge=0, description="Retry-After on 503 responses.")
    access_log: bool = Field(default=True, description="One JSON line per request on the soma.access logger.")
    graceful_shutdown_seconds: float = Field(default=30.0, gt=0, description="How long in-flight requests may finish.")


def server_settings(settings: Settings) -> ServerSettings:
    """The validated ``server:`` section, or a ConfigError naming the bad key."""
    try:
        return ServerSettings.model_validate(settings.server)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, prefix="config: server")) from None
