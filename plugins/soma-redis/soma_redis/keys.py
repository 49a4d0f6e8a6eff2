"""Key layout: where a namespace's values and its ordered key index live in Redis.

For key prefix ``P`` and namespace ``ns``:

- ``P ns \\x00 key`` holds the value of ``key`` (a Redis string, with PX expiry for TTL writes);
- ``P ns \\x01 index`` is a sorted set of every key in the namespace, all scored 0,
  so ``ZRANGE ... BYLEX`` walks them in byte order, which for UTF-8 is code point order.

A namespace may not contain ``\\x00``, so the first ``\\x00`` ends it: namespaces that
are prefixes of one another ("a" and "a:b") can never share a key, and an index key
(no ``\\x00`` at all) never equals a value key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from soma_core.errors import InvalidInputError

_GLOB_SPECIAL = frozenset(b"\\*?[]")


def encode_text(text: str, what: str) -> bytes:
    """UTF-8 bytes of ``text``; a lone surrogate is a caller error, not a crash."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInputError(f"{what} {text!r} is not valid Unicode text (lone surrogate)", field=what) from None


@dataclass(frozen=True, slots=True)
class NamespaceKeys:
    """The Redis keys of one namespace under one key prefix."""

    data_prefix: bytes
    index: bytes

    @classmethod
    def of(cls, key_prefix: str, namespace: str) -> NamespaceKeys:
        if "\x00" in namespace:
            raise InvalidInputError(f"namespace {namespace!r} contains a NUL character", field="namespace")
        base = encode_text(key_prefix, "key_prefix") + encode_text(namespace, "namespace")
        return cls(data_prefix=base + b"\x00", index=base + b"\x01index")

    def data(self, member: bytes) -> bytes:
        """The value key of an encoded key (an index member)."""
        return self.data_prefix + member


def members(keys: Sequence[str]) -> list[bytes]:
    """Encoded keys: the index members, and the tails of the value keys."""
    return [encode_text(key, "key") for key in keys]


def lex_range(prefix: str, after: str | None) -> tuple[bytes, bytes]:
    """ZRANGE BYLEX bounds for keys starting with ``prefix``, strictly after ``after``."""
    start = encode_text(prefix, "prefix")
    lower = b"[" + start if start else b"-"
    if after is not None:
        cursor = encode_text(after, "after")
        if cursor >= start:
            lower = b"(" + cursor
    bound = prefix_upper_bound(start)
    return lower, (b"(" + bound if bound is not None else b"+")


def prefix_upper_bound(prefix: bytes) -> bytes | None:
    """The smallest byte string above every string that starts with ``prefix`` (None: unbounded)."""
    stripped = prefix.rstrip(b"\xff")
    if not stripped:
        return None
    return stripped[:-1] + bytes([stripped[-1] + 1])


def glob_escape(raw: bytes) -> bytes:
    """``raw`` as a literal Redis glob pattern (for SCAN MATCH): ``* ? [ ] \\`` escaped."""
    return b"".join(b"\\" + bytes([c]) if c in _GLOB_SPECIAL else bytes([c]) for c in raw)
