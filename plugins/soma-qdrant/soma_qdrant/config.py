"""Options of the ``qdrant`` vector store: one of three modes, connection and index tuning."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_core import PydanticCustomError

from soma_core.interfaces import BackendConfig

Mode = Literal["url", "path", "memory"]
MEMORY = ":memory:"
SERVER_ONLY = ("api_key", "prefer_grpc", "grpc_port", "timeout")
"""Options that only mean something when talking to a server (url mode)."""
NAMESPACE_SEPARATOR = "~"
"""Local mode keeps namespace ``ns`` in collection ``{collection}~{hash}``; ``~`` is not allowed in ``collection``."""
LOCAL_COLLECTION_MAX = 255 - len(NAMESPACE_SEPARATOR) - 32
"""Longest ``collection`` in local mode: qdrant-client's 255-character limit less the namespace suffix."""


class QdrantConfig(BackendConfig):
    """Exactly one of ``url``, ``path`` or ``location``; with none, a local store under ``data_dir``."""

    url: str | None = Field(
        default=None,
        pattern=r"^https?://",
        description="Qdrant server or cluster, e.g. http://qdrant:6333 or https://xyz.cloud.qdrant.io:6333. "
        "The production mode: several processes may share it.",
    )
    api_key: SecretStr | None = Field(
        default=None, description="API key sent with every request to the server (url mode). Never shown or logged."
    )
    path: str | None = Field(
        default=None,
        description="Directory of qdrant-client's local on-disk mode, one process at a time; ':memory:' for in-memory.",
    )
    location: Literal[":memory:"] | None = Field(
        default=None,
        description="':memory:' for qdrant-client's in-memory mode: nothing survives close (tests, demos).",
    )
    data_dir: str = Field(
        default=".",
        description="Filled from the top-level data_dir setting. Without url, path or location the store is a "
        "local on-disk one in DATA_DIR/qdrant.",
    )
    collection: str = Field(
        default="soma",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$",
        description="url mode: the collection holding every namespace's vectors (namespaces are a payload field). "
        "Local modes: the prefix of one collection per namespace (COLLECTION~hash).",
    )
    prefer_grpc: bool = Field(
        default=False, description="Talk gRPC on grpc_port instead of REST on the url's port (url mode)."
    )
    grpc_port: int = Field(default=6334, ge=1, le=65535, description="Server's gRPC port, used with prefer_grpc.")
    timeout: int = Field(default=10, ge=1, description="Seconds before a request to the server fails (url mode).")
    hnsw_m: int | None = Field(
        default=None,
        ge=0,
        description="HNSW edges per node at collection creation (server default 16). 0 with hnsw_payload_m > 0 "
        "builds per-namespace graphs only.",
    )
    hnsw_ef_construct: int | None = Field(
        default=None,
        ge=4,
        description="HNSW build-time candidate list size at collection creation (server default 100).",
    )
    hnsw_payload_m: int | None = Field(
        default=None,
        ge=0,
        description="HNSW edges per node of the per-namespace graphs built on the tenant index (server only).",
    )
    hnsw_ef: int | None = Field(
        default=None, ge=1, description="HNSW search-time candidate list size; higher is more exact and slower."
    )
    on_disk: bool = Field(
        default=False,
        description="Keep original vectors on disk (memory-mapped) instead of RAM, at collection creation.",
    )
    local_synchronous: Literal["NORMAL", "FULL"] = Field(
        default="NORMAL",
        description="Path mode: NORMAL puts qdrant-client's SQLite files in WAL mode (writes ~30x faster; a power "
        "loss may drop the last writes, which reindex rebuilds); FULL keeps its default of syncing every point.",
    )
    batch_size: int = Field(default=256, ge=1, le=100_000, description="Points per upsert request.")
    wait: bool = Field(
        default=True,
        description="Upserts return once applied, so a following query sees them. False is faster for bulk loads "
        "but reads may briefly miss new vectors.",
    )

    @field_validator("url", "path", "api_key", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        """An empty environment variable (SOMA_QDRANT_URL=) means 'not set', not an empty address."""
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _one_mode(self) -> QdrantConfig:
        given = [name for name in ("url", "path", "location") if getattr(self, name) is not None]
        if len(given) > 1:
            raise PydanticCustomError(
                "qdrant_mode",
                "{given} are {both} set; give exactly one of url (server), path (local disk) or location ':memory:'",
                {"given": " and ".join(given), "both": "both" if len(given) == 2 else "all"},
            )
        if self.url is None:
            misplaced = [name for name in SERVER_ONLY if name in self.model_fields_set]
            if misplaced:
                raise PydanticCustomError(
                    "qdrant_server_only",
                    "{names} only apply with url (a Qdrant server), not in local mode",
                    {"names": ", ".join(misplaced)},
                )
        if self.mode != "url" and len(self.collection) > LOCAL_COLLECTION_MAX:
            raise PydanticCustomError(
                "qdrant_collection_length",
                "collection may be at most {limit} characters in local mode (namespace collections add a suffix)",
                {"limit": LOCAL_COLLECTION_MAX},
            )
        if "local_synchronous" in self.model_fields_set and self.mode != "path":
            raise PydanticCustomError(
                "qdrant_path_only", "local_synchronous only applies with path (local on-disk mode)", {}
            )
        return self

    @property
    def mode(self) -> Mode:
        """``url`` (server), ``path`` (local on disk) or ``memory`` (local in RAM)."""
        if self.url is not None:
            return "url"
        if self.location == MEMORY or self.path == MEMORY:
            return "memory"
        return "path"

    @property
    def local_path(self) -> Path:
        """The directory of path mode: ``path``, or DATA_DIR/qdrant when no mode was given."""
        return Path(self.path or Path(self.data_dir) / "qdrant").expanduser()
