"""Collection names: Chroma's rules (3-512 chars of [A-Za-z0-9._-], alphanumeric ends) for any namespace."""

from __future__ import annotations

import hashlib
import re

SLUG_LENGTH = 48
HASH_LENGTH = 12
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def namespace_collection(prefix: str, namespace: str) -> str:
    """``<prefix>-ns-<slug>-<hash>``: readable, and distinct for namespaces whose slugs collide.

    The slug keeps the safe characters of the namespace (others become ``_``,
    dots too, so ``..`` never appears); the hash of the full namespace, hex and
    so alphanumeric, ends the name and makes it unique.
    """
    slug = _UNSAFE.sub("_", namespace)[:SLUG_LENGTH]
    digest = hashlib.sha256(namespace.encode()).hexdigest()[:HASH_LENGTH]
    return f"{prefix}-ns-{slug}-{digest}"


def meta_collection(prefix: str) -> str:
    """The registry collection recording the vector size; it holds no vectors."""
    return f"{prefix}-meta"
