"""What every backend shares: a name, a validated config, capabilities, open/close."""

from __future__ import annotations

from abc import ABC
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict


class BackendConfig(BaseModel):
    """Base for a backend's options. Unknown keys are errors, never silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a backend promises. The engine, the server and the conformance kit read these.

    Read them from the backend *instance*: a backend whose promises depend on its
    configuration (Qdrant local vs. server mode) may override ``capabilities`` per
    instance; the class attribute then holds the conservative value.

    ttl: entries written with a TTL vanish by themselves after it (KV stores).
    filters: the vector store applies a :class:`~soma_core.filters.Filter` itself,
        so a filtered query still returns up to ``k`` hits.
    persistent: data survives close and re-open. A non-persistent vector store is
        rebuilt from the KV store every time the stack opens.
    multi_process: several processes may use this backend at once (a server with
        several workers), each with its own instance. Stores that share data must
        keep it consistent across processes; embedded single-process stores say
        False. Stateless embedders and scorers say True.
    """

    ttl: bool = False
    filters: bool = False
    persistent: bool = False
    multi_process: bool = False


class Backend(ABC):
    """Base class of the four backend kinds.

    Subclasses set ``name`` (what YAML selects), may set ``Config`` (a
    :class:`BackendConfig` subclass) and ``capabilities``, and implement
    :meth:`open` and :meth:`close`. ``env_prefix`` lets operators set options by
    environment variable: with ``env_prefix = "SOMA_POSTGRES_"`` the variable
    ``SOMA_POSTGRES_URL`` sets the ``url`` option (over YAML; under
    ``SOMA_STACK__<KIND>__URL``).
    """

    name: ClassVar[str]
    Config: ClassVar[type[BackendConfig]] = BackendConfig
    capabilities: ClassVar[Capabilities] = Capabilities()
    env_prefix: ClassVar[str | None] = None

    def __init__(self, config: BackendConfig | None = None) -> None:
        self.config = config if config is not None else self.Config()

    async def open(self) -> None:
        """Connect, create schemas, load models. Called once before first use."""

    async def close(self) -> None:
        """Release every resource. Must be safe to call twice."""

    async def ping(self) -> None:
        """Cheap readiness check; raise BackendUnavailableError when unreachable."""

    def describe(self) -> dict[str, Any]:
        """Options safe to show to operators: secrets shown as ``***``, URLs with passwords redacted."""
        return safe_options(self.config)

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


SECRET_WORDS = ("password", "token", "api_key", "secret")


def safe_options(config: BaseModel) -> dict[str, Any]:
    """A config as JSON-able values with every secret masked (see :meth:`Backend.describe`)."""
    from pydantic import SecretBytes, SecretStr

    from ..redaction import redact_url

    shown: dict[str, Any] = {}
    for name, value in config:
        if isinstance(value, (SecretStr, SecretBytes)):
            secret = value.get_secret_value()
            if "url" in name or "dsn" in name:
                shown[name] = redact_url(secret if isinstance(secret, str) else secret.decode(errors="replace"))
            else:
                shown[name] = "***" if secret else ""
        elif isinstance(value, dict) and any(isinstance(v, (SecretStr, SecretBytes)) for v in value.values()):
            shown[name] = dict.fromkeys(value, "***")
        elif any(word in name for word in SECRET_WORDS):
            shown[name] = None if value is None else "***"
        elif isinstance(value, str) and "://" in value:
            shown[name] = redact_url(value)
        else:
            shown[name] = _plain(value)
    return shown


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)
