"""Soma core: long-term memory for AI agents over pluggable backends.

Start here: :func:`open_engine` (async) or :class:`SyncMemory` (scripts).
"""

from . import _threads  # noqa: F401  (first: it must run before numpy loads OpenBLAS)
from .config import Settings, load_settings
from .engine import MemoryEngine, Page, SearchResult
from .errors import (
    BackendUnavailableError,
    ConfigError,
    ConflictError,
    DimensionMismatchError,
    InvalidInputError,
    NotFoundError,
    PluginError,
    SomaError,
)
from .filters import Filter
from .hookspecs import hookimpl
from .opening import open_engine
from .ranking import Components, Weights
from .records import MemoryRecord, MemoryType
from .sync import SyncMemory
from .validation import MemoryInput

__all__ = [
    "BackendUnavailableError",
    "Components",
    "ConfigError",
    "ConflictError",
    "DimensionMismatchError",
    "Filter",
    "InvalidInputError",
    "MemoryEngine",
    "MemoryInput",
    "MemoryRecord",
    "MemoryType",
    "NotFoundError",
    "Page",
    "PluginError",
    "SearchResult",
    "Settings",
    "SomaError",
    "SyncMemory",
    "Weights",
    "hookimpl",
    "load_settings",
    "open_engine",
]
