"""Building and opening a stack: four configured backends, checked together."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from .config import Settings, Slot, describe_validation_error
from .errors import BackendUnavailableError, ConfigError, DimensionMismatchError, SomaError
from .interfaces import Backend, Embedder, ImportanceScorer, KVStore, VectorStore
from .plugins import SomaPluginManager, get_plugin_manager
from .redaction import redact_url
from .registry import BackendInfo, Registry

__all__ = ["Stack", "build_stack", "plugin_manager_for", "redact_url"]

SEMANTIC_EMBEDDER = "sentence-transformers"
FALLBACK_EMBEDDER = "hash"


@dataclass
class Stack:
    """The four backends of one configuration, opened and closed together."""

    kv: KVStore
    vectors: VectorStore
    embedder: Embedder
    scorer: ImportanceScorer
    infos: dict[str, BackendInfo]
    notices: list[str] = field(default_factory=list)
    _opened: list[Backend] = field(default_factory=list, repr=False)

    def slots(self) -> dict[str, Backend]:
        return {"kv": self.kv, "vectors": self.vectors, "embedder": self.embedder, "scorer": self.scorer}

    async def open(self, *, vector_dim: int | None = None, ensure_collection: bool = True) -> None:
        """Open every backend, then check that the embedder and vector store agree on size.

        ``ensure_collection=False`` skips the vector store's size check, for reindex,
        which drops and recreates the collection.
        """
        for slot, backend in self.slots().items():
            try:
                await backend.open()
            except SomaError:
                await self.close()
                raise
            except Exception as exc:
                await self.close()
                raise BackendUnavailableError(self.infos[slot].name, f"could not open: {exc}") from exc
            self._opened.append(backend)
        dim = self.embedder.dim
        if vector_dim is not None and vector_dim != dim:
            await self.close()
            raise DimensionMismatchError(
                f"vector_dim is {vector_dim} in config, but embedder {self.embedder.name!r} gives {dim}-d vectors; "
                "set vector_dim to match or choose another embedder"
            )
        if not ensure_collection:
            return
        try:
            await self.vectors.ensure_collection(dim)
        except DimensionMismatchError as exc:
            await self.close()
            raise DimensionMismatchError(
                f"{exc} (embedder {self.embedder.name!r} gives {dim}-d); run `soma reindex` to rebuild "
                "the index for the configured embedder"
            ) from None
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Close what was opened, in reverse order; safe to call twice."""
        while self._opened:
            await self._opened.pop().close()

    def describe(self) -> dict[str, dict[str, Any]]:
        """Backends with their plugin, distribution and safe options (no secrets)."""
        return {
            slot: {
                "backend": info.name,
                "plugin": info.plugin,
                "distribution": info.distribution,
                "version": info.version,
                "capabilities": _capabilities(self.slots()[slot]),
                "options": self.slots()[slot].describe(),
            }
            for slot, info in self.infos.items()
        }


def _capabilities(backend: Backend) -> dict[str, bool]:
    caps = backend.capabilities
    return {name: getattr(caps, name) for name in caps.__slots__}


def plugin_manager_for(settings: Settings) -> SomaPluginManager:
    return get_plugin_manager(
        load=settings.plugins.load, block=settings.plugins.block, trace=settings.plugins.trace
    )


def build_stack(settings: Settings, *, registry: Registry | None = None) -> Stack:
    """Instantiate the configured backends, validating every option; nothing is opened yet."""
    registry = registry or Registry(plugin_manager_for(settings))
    notices: list[str] = []
    backends: dict[str, Backend] = {}
    infos: dict[str, BackendInfo] = {}
    for slot_name in ("kv", "vectors", "embedder", "scorer"):
        slot: Slot = getattr(settings.stack, slot_name)
        name = slot.backend
        if slot_name == "embedder" and name == "auto":
            name = _auto_embedder(registry, notices)
        info = registry.get(slot_name, name)
        backends[slot_name] = info.cls(_validate_options(info, slot, settings))
        infos[slot_name] = info
    return Stack(
        kv=backends["kv"],  # type: ignore[arg-type]
        vectors=backends["vectors"],  # type: ignore[arg-type]
        embedder=backends["embedder"],  # type: ignore[arg-type]
        scorer=backends["scorer"],  # type: ignore[arg-type]
        infos=infos,
        notices=notices,
    )


def _auto_embedder(registry: Registry, notices: list[str]) -> str:
    if SEMANTIC_EMBEDDER in registry.backends["embedder"]:
        return SEMANTIC_EMBEDDER
    notices.append(
        "embedder: using 'hash' (lexical feature hashing, no model); for semantic search install "
        "soma-sentence-transformers (pip install ./plugins/soma-sentence-transformers)"
    )
    return FALLBACK_EMBEDDER


def _validate_options(info: BackendInfo, slot: Slot, settings: Settings) -> Any:
    options = slot.options
    fields = info.cls.Config.model_fields
    if info.cls.env_prefix:
        for field_name in fields:
            env_value = os.environ.get(f"{info.cls.env_prefix}{field_name.upper()}")
            stack_env = f"SOMA_STACK__{info.kind.upper()}__{field_name.upper()}"
            if env_value is not None and stack_env not in os.environ:
                options[field_name] = env_value
    if "data_dir" in fields and "data_dir" not in options:
        options["data_dir"] = str(settings.data_dir)
    try:
        return info.cls.Config.model_validate(options)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, prefix=f"stack.{info.kind} ({info.name})")) from None
