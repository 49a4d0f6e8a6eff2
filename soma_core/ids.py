"""Time-sortable memory ids (ULID layout: 48-bit milliseconds + 80 random bits, Crockford base32).

Ids made by one process sort in creation order, even within one millisecond.
"""

from __future__ import annotations

import os
import re
import threading
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")
"""What a caller-supplied id may look like: no spaces, slashes or control characters."""

_lock = threading.Lock()
_last = (0, 0)


def new_id() -> str:
    """A fresh 26-character id, greater than every id this process made before."""
    global _last
    with _lock:
        ms = time.time_ns() // 1_000_000
        last_ms, last_rand = _last
        if ms <= last_ms:
            ms, rand = last_ms, last_rand + 1
        else:
            rand = int.from_bytes(os.urandom(10), "big") >> 1  # headroom for increments
        _last = (ms, rand)
    value = (ms << 80) | rand
    return "".join(_ALPHABET[(value >> shift) & 31] for shift in range(125, -1, -5))


def is_valid_id(value: str) -> bool:
    return bool(ID_PATTERN.match(value))
