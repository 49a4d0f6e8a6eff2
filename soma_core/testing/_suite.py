"""What the four conformance suites share: the override guard and capability gates."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, ClassVar

import pytest


class StandardSuite:
    """Base of every conformance suite.

    A backend author subclasses a suite and provides one fixture, ``backend``,
    that yields an opened, empty backend (with ``pytest_asyncio.fixture``). To
    leave a standard test out, name it in ``skip_standard_tests`` with the
    reason; redefining or deleting a standard test is refused at import time, so
    a suite cannot pass by silently dropping the contract.
    """

    pytestmark = [pytest.mark.asyncio]
    skip_standard_tests: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        standard = _standard_tests(cls)
        for name in standard:
            if name in cls.__dict__ and not getattr(cls.__dict__[name], "_soma_standard", False):
                raise TypeError(
                    f"{cls.__name__} redefines standard test {name!r}; list it in skip_standard_tests "
                    "with a reason instead, and add your own tests under other names"
                )
        for name, reason in cls.skip_standard_tests.items():
            if name not in standard:
                raise TypeError(f"{cls.__name__}.skip_standard_tests names {name!r}, which is no standard test")
            setattr(cls, name, _skipped(standard[name], reason))


def _standard_tests(cls: type) -> dict[str, Callable[..., Any]]:
    found: dict[str, Callable[..., Any]] = {}
    for base in reversed(cls.__mro__[1:]):
        if base.__module__.startswith("soma_core.testing"):
            for name, value in vars(base).items():
                if name.startswith("test_") and callable(value):
                    found[name] = value
    return found


def _skipped(fn: Callable[..., Any], reason: str) -> Callable[..., Any]:
    @functools.wraps(fn)
    async def skipper(self: Any, *args: Any, **kwargs: Any) -> None:
        pytest.skip(f"skipped by the backend's suite: {reason}")

    skipper.__signature__ = inspect.signature(fn)  # type: ignore[attr-defined]
    skipper._soma_standard = True  # type: ignore[attr-defined]
    return skipper


def require(backend: Any, capability: str) -> None:
    """Skip the calling test unless ``backend`` claims ``capability``."""
    if not getattr(backend.capabilities, capability):
        pytest.skip(f"{type(backend).__name__} does not claim capability {capability!r}")


async def reopened(backend: Any) -> Any:
    """Close ``backend`` and open a new instance with the same config (same storage)."""
    await backend.close()
    fresh = type(backend)(backend.config)
    await fresh.open()
    return fresh
