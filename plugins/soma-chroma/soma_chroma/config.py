"""Options of the ``chroma`` vector store: embedded (``path``) or server (``host``) mode."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from soma_core.interfaces import BackendConfig

PREFIX_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$"


class ChromaConfig(BackendConfig):
    """Setting ``host`` selects server mode; otherwise Chroma runs embedded at ``path``."""

    path: str | None = Field(
        default=None, description="Embedded mode: database directory; default DATA_DIR/chroma. Not used with host."
    )
    data_dir: str = Field(default=".", description="Filled from the top-level data_dir setting.")
    host: str | None = Field(
        default=None,
        description="Server mode: host name or IP of a `chroma run` server; setting it selects server mode.",
    )
    port: int = Field(default=8000, ge=1, le=65535, description="Server mode: HTTP port of the server.")
    ssl: bool = Field(default=False, description="Server mode: connect with HTTPS.")
    headers: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Server mode: extra HTTP headers, e.g. an auth token; values are secret and never shown. "
        "A JSON object string is accepted (for the environment variable).",
    )
    request_timeout: float = Field(
        default=30.0, gt=0, description="Server mode: seconds before a request counts as failed (backend unavailable)."
    )
    collection_prefix: str = Field(
        default="soma",
        pattern=PREFIX_PATTERN,
        description="Start of every collection name this store owns; stores with other prefixes never see its data.",
    )
    ef_construction: int = Field(default=100, ge=1, description="HNSW build breadth; fixed when a collection is made.")
    ef_search: int = Field(default=100, ge=1, description="HNSW search breadth; also applied to existing collections.")
    max_neighbors: int = Field(
        default=16, ge=2, description="HNSW links per node (M); fixed when a collection is made."
    )
    batch_size: int | None = Field(
        default=None, ge=1, description="Records per request at most; default (and cap) is the client's max batch size."
    )

    @field_validator("headers", mode="before")
    @classmethod
    def _parse_headers(cls, value: Any) -> Any:
        """Accept a JSON object string, as an environment variable holds one."""
        if isinstance(value, str):
            try:
                value = json.loads(value) if value.strip() else {}
            except json.JSONDecodeError:
                raise ValueError("headers must be a JSON object such as {\"X-Chroma-Token\": \"...\"}") from None
        return value

    @field_validator("host")
    @classmethod
    def _plain_host(cls, value: str | None) -> str | None:
        if value is not None and (not value.strip() or "/" in value or any(ch.isspace() for ch in value)):
            raise ValueError("host must be a host name or IP address, without scheme or path")
        return value

    @model_validator(mode="after")
    def _one_mode(self) -> ChromaConfig:
        if self.host is not None and self.path is not None:
            raise ValueError("set either path (embedded mode) or host (server mode), not both")
        stray = sorted({"port", "ssl", "headers"} & self.model_fields_set) if self.host is None else []
        if stray:
            raise ValueError(f"{', '.join(stray)} only apply in server mode: set host too")
        return self

    @property
    def mode(self) -> Literal["embedded", "server"]:
        return "server" if self.host is not None else "embedded"

    @property
    def database_path(self) -> Path:
        """Embedded mode's directory."""
        return Path(self.path or Path(self.data_dir) / "chroma").expanduser()

    @property
    def address(self) -> str:
        """Where the data lives, for messages: ``host:port`` or the directory; never a secret."""
        if self.host is None:
            return str(self.database_path)
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"
