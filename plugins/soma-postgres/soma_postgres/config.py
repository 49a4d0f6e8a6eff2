"""Options of the ``postgres`` KV store; each can also come from ``SOMA_POSTGRES_<OPTION>``."""

from __future__ import annotations

import warnings
from typing import Self
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field, SecretStr, field_validator, model_validator

from soma_core.interfaces import BackendConfig

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]{0,47}$"
"""Schema and table names: plain identifiers, short enough to derive index names from."""

with warnings.catch_warnings():
    # Operators write ``schema:``, so the field has that name, shadowing pydantic's deprecated BaseModel.schema().
    warnings.filterwarnings("ignore", message='Field name "schema"', category=UserWarning)

    class PostgresConfig(BackendConfig):
        """Where the table lives and how the connection pool behaves."""

        model_config = ConfigDict(hide_input_in_errors=True)  # a rejected url may hold a password

        url: SecretStr = Field(
            default=SecretStr(DEFAULT_URL),
            description="libpq URL, postgresql://user:password@host:port/dbname?options; shown redacted.",
        )
        schema: str = Field(  # type: ignore[assignment]
            default="public", pattern=IDENTIFIER, description="Schema holding the table; created on open if missing."
        )
        table: str = Field(default="soma_kv", pattern=IDENTIFIER, description="Table holding every namespace's keys.")
        min_size: int = Field(default=1, ge=0, description="Connections the pool keeps open.")
        max_size: int = Field(default=10, ge=1, description="Most connections the pool opens.")
        connect_timeout: float = Field(
            default=5.0, gt=0, description="Seconds to establish one connection (libpq waits at least 2)."
        )
        pool_timeout: float = Field(
            default=10.0, gt=0, description="Seconds an operation waits for a working connection before failing."
        )
        reconnect_timeout: float = Field(
            default=30.0,
            gt=0,
            description="Seconds the pool retries a lost connection with backoff before retrying afresh on demand.",
        )
        sweep_interval: float = Field(
            default=60.0, ge=0, description="Seconds between background deletions of expired keys; 0: at open only."
        )
        application_name: str = Field(
            default="soma", min_length=1, max_length=63, description="application_name shown in pg_stat_activity."
        )

        @field_validator("url")
        @classmethod
        def _postgres_url(cls, value: SecretStr) -> SecretStr:
            if urlsplit(value.get_secret_value()).scheme not in ("postgresql", "postgres"):
                raise ValueError("must be a URL starting with postgresql://")
            return value

        @model_validator(mode="after")
        def _sizes(self) -> Self:
            if self.max_size < self.min_size:
                raise ValueError(f"max_size ({self.max_size}) must be at least min_size ({self.min_size})")
            return self
