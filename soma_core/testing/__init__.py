"""The conformance kit: one pytest suite per backend kind (install ``soma-core[testing]``).

A backend author subclasses a suite and provides one fixture, ``backend``,
yielding an opened, empty backend::

    import pytest_asyncio
    from soma_core.testing import KVStoreSuite

    class TestMyStore(KVStoreSuite):
        @pytest_asyncio.fixture
        async def backend(self):
            async with MyStore(MyStore.Config(...)) as store:
                yield store

Capability flags skip what a backend does not claim; ``skip_standard_tests``
leaves a test out with a stated reason; redefining a standard test is refused.
"""

from .embedder import EmbedderSuite
from .kv import KVStoreSuite
from .scorer import ScorerSuite
from .vectors import VectorStoreSuite

__all__ = ["EmbedderSuite", "KVStoreSuite", "ScorerSuite", "VectorStoreSuite"]
