"""Options of the ``redis`` KV store: where the server is, how the pool behaves, which keys are ours."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from redis.asyncio.connection import parse_url

from soma_core.interfaces import BackendConfig
from soma_core.stack import redact_url

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 6379


class RedisConfig(BackendConfig):
    """Where Redis is and how to talk to it.

    Give either ``url`` or ``host``/``port``/``db``, not both (a ConfigError
    otherwise). ``username`` and ``password`` may accompany ``url`` only when the
    URL carries none itself, so that a secret can come from ``SOMA_REDIS_PASSWORD``
    while the address sits in YAML.
    """

    url: str | None = Field(
        default=None,
        repr=False,
        description="redis://[user:password@]host:port/db, rediss:// for TLS, or unix:///path/to/socket.",
    )
    host: str | None = Field(default=None, min_length=1, description=f"Server host (default {DEFAULT_HOST}).")
    port: int | None = Field(default=None, ge=1, le=65535, description=f"Server port (default {DEFAULT_PORT}).")
    db: int | None = Field(default=None, ge=0, description="Database number (default 0).")
    username: str | None = Field(default=None, min_length=1, description="ACL user name (Redis 6+).")
    password: SecretStr | None = Field(default=None, description="Password; never shown by describe() or errors.")
    key_prefix: str = Field(
        default="soma:",
        description="Prepended to every key this store writes. Stores sharing a server need prefixes "
        "that are not prefixes of one another.",
    )
    max_connections: int = Field(default=50, ge=1, description="Connection pool size.")
    pool_timeout: float = Field(
        default=10.0, gt=0, description="Seconds an operation waits for a free pooled connection before failing."
    )
    socket_timeout: float = Field(default=5.0, gt=0, description="Seconds to wait for a reply before failing.")
    socket_connect_timeout: float = Field(default=2.0, gt=0, description="Seconds to wait for a TCP connect.")
    retries: int = Field(
        default=3, ge=0, description="Retries (with exponential backoff, at most 0.5 s) after a connection error."
    )
    health_check_interval: float = Field(
        default=30.0, ge=0, description="PING a pooled connection idle for this many seconds before using it (0: off)."
    )
    client_name: str | None = Field(
        default="soma", pattern=r"^\S+$", description="CLIENT SETNAME of every connection (shown by CLIENT LIST)."
    )

    @field_validator("url")
    @classmethod
    def _check_url(cls, url: str | None) -> str | None:
        if url is not None:
            parse_url(url)  # ValueError names the supported schemes
        return url

    @field_validator("key_prefix")
    @classmethod
    def _check_prefix(cls, prefix: str) -> str:
        if "\x00" in prefix or "\x01" in prefix:
            raise ValueError("key_prefix may not contain the control characters \\x00 or \\x01")
        return prefix

    @model_validator(mode="after")
    def _url_or_host(self) -> RedisConfig:
        if self.url is None:
            return self
        clashing = [name for name in ("host", "port", "db") if getattr(self, name) is not None]
        if clashing:
            raise ValueError(f"give either url or {'/'.join(clashing)}, not both")
        in_url = parse_url(self.url)
        for name in ("username", "password"):
            if getattr(self, name) is not None and name in in_url:
                raise ValueError(f"url already holds a {name}; give it once")
        return self

    def connection_kwargs(self) -> dict[str, Any]:
        """Where to connect, as redis-py pool arguments (url is handled by the caller)."""
        kwargs: dict[str, Any] = {}
        if self.url is None:
            kwargs = {"host": self.host or DEFAULT_HOST, "port": self.port or DEFAULT_PORT, "db": self.db or 0}
        if self.username is not None:
            kwargs["username"] = self.username
        if self.password is not None:
            kwargs["password"] = self.password.get_secret_value()
        return kwargs


def safe_url(url: str) -> str:
    """``url`` with the password hidden, whether in the userinfo or a ``password=`` query option."""
    url = redact_url(url)
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [(k, "***" if k.lower() == "password" else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*")))
