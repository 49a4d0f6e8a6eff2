"""A KV store in one JSON file: small enough to read in a minute, complete enough to pass the kit.

The whole file is rewritten on every write (to a temporary file, then renamed,
so a crash never leaves half a file). Fine for a tutorial; not for production.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import Field

from soma_core.errors import BackendUnavailableError
from soma_core.interfaces import BackendConfig, Capabilities, KVStore


class JsonFileConfig(BackendConfig):
    path: str = Field(description="The JSON file holding every namespace.")


class JsonFileKVStore(KVStore):
    """Values live base64-encoded in ``{namespace: {key: value}}``."""

    name = "jsonfile"
    Config = JsonFileConfig
    capabilities = Capabilities(persistent=True)
    env_prefix = "SOMA_JSONFILE_"  # SOMA_JSONFILE_PATH sets the path
    config: JsonFileConfig

    def __init__(self, config: JsonFileConfig | None = None) -> None:
        super().__init__(config)
        self._data: dict[str, dict[str, str]] | None = None
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        path = Path(self.config.path)
        try:
            self._data = json.loads(path.read_text()) if path.exists() else {}
        except (OSError, ValueError) as exc:
            raise BackendUnavailableError(self.name, f"cannot read {path}: {exc}") from None

    async def close(self) -> None:
        self._data = None

    def _space(self, namespace: str) -> dict[str, str]:
        if self._data is None:
            raise BackendUnavailableError(self.name, "store is not open")
        return self._data.setdefault(namespace, {})

    def _save(self) -> None:
        path = Path(self.config.path)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._data))
        os.replace(tmp, path)

    async def mget(self, namespace: str, keys: Sequence[str]) -> list[bytes | None]:
        space = self._space(namespace)
        return [None if key not in space else base64.b64decode(space[key]) for key in keys]

    async def mset(self, namespace: str, items: Mapping[str, bytes], *, ttl: float | None = None) -> None:
        async with self._lock:
            self._space(namespace).update({k: base64.b64encode(v).decode() for k, v in items.items()})
            self._save()

    async def mdelete(self, namespace: str, keys: Sequence[str]) -> int:
        async with self._lock:
            space = self._space(namespace)
            existed = [key for key in set(keys) if space.pop(key, None) is not None]
            self._save()
            return len(existed)

    async def scan(
        self, namespace: str, prefix: str = "", *, after: str | None = None, limit: int = 1000
    ) -> list[tuple[str, bytes]]:
        space = self._space(namespace)
        keys = sorted(k for k in space if k.startswith(prefix) and (after is None or k > after))
        return [(k, base64.b64decode(space[k])) for k in keys[:limit]]
