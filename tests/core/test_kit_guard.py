"""The conformance kit refuses suites that drop or redefine standard tests."""

from __future__ import annotations

import pytest

from soma_core.testing import KVStoreSuite


def test_redefining_a_standard_test_is_refused() -> None:
    with pytest.raises(TypeError, match="redefines standard test 'test_overwrite_replaces_value'"):

        class Sneaky(KVStoreSuite):
            async def test_overwrite_replaces_value(self, backend: object) -> None:
                pass


def test_deleting_a_standard_test_is_refused() -> None:
    with pytest.raises(TypeError, match="redefines standard test 'test_scan_pages_with_after_and_limit'"):

        class Dropper(KVStoreSuite):
            test_scan_pages_with_after_and_limit = None  # type: ignore[assignment]


def test_skipping_needs_a_known_test_and_a_reason() -> None:
    with pytest.raises(TypeError, match="names 'test_nonexistent', which is no standard test"):

        class Typo(KVStoreSuite):
            skip_standard_tests = {"test_nonexistent": "typo"}

    class Honest(KVStoreSuite):
        skip_standard_tests = {"test_large_batches": "the service caps batches at 100 keys"}

    assert Honest.test_large_batches is not KVStoreSuite.test_large_batches
