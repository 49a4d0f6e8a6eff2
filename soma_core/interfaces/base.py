"""What every backend shares: a name, a validated config, capabilities, open/close."""

from __future__ import annotations

from abc import ABC
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict


class BackendConfig(BaseModel):
    """Base for a backend's options. Unknown keys are errors, never silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a backend promises. The engine, the server and the conformance kit read these.

    ttl: entries written with a TTL vanish by themselves after it (KV stores).
    filters: the vector store applies a :class:`~soma_core.filters.Filter` itself,
        so a filtered query still returns up to ``k`` hits.
    persistent: data survives close and re-open. A non-persistent vector store is
        rebuilt from the KV store every time the stack opens.
    multi_process: several processes may open the same backend at once (a server
        with several workers). Embedded single-process stores must say False.
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
        """Options safe to show to operators: secrets removed or redacted."""
        return self.config.model_dump(mode="json", exclude=_secret_fields(self.config))

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


def _secret_fields(config: BaseModel) -> set[str]:
    from pydantic import SecretBytes, SecretStr

    return {
        name
        for name, value in config
        if isinstance(value, (SecretStr, SecretBytes)) or "password" in name or "token" in name or "api_key" in name
    }
