"""Conformance suite for :class:`~soma_core.interfaces.ImportanceScorer` backends."""

from __future__ import annotations

from typing import ClassVar

from ..interfaces import ImportanceScorer, ScoreRequest
from ._suite import StandardSuite

SAMPLES = [
    ScoreRequest("ok"),
    ScoreRequest("Remember: my sister Alice's birthday is on 12 March, never forget it!"),
    ScoreRequest("I prefer window seats on long flights.", memory_type="semantic"),
    ScoreRequest("", metadata={"source": "chat"}),
    ScoreRequest("x" * 10_000, nearest_similarity=0.99),
    ScoreRequest("Weather was fine.", nearest_similarity=-0.2),
]


class ScorerSuite(StandardSuite):
    """Subclass and provide ``backend``: an opened :class:`ImportanceScorer`."""

    keeps_explicit: ClassVar[bool] = True
    """Set False if the scorer documents that it combines a caller's importance."""

    async def test_scores_in_unit_interval(self, backend: ImportanceScorer) -> None:
        """Every score is a float in [0, 1], one per request, in order.

        Troubleshooting: clip the final value; return a list as long as the input.
        """
        scores = await backend.score_batch(SAMPLES)
        assert len(scores) == len(SAMPLES)
        assert all(isinstance(s, float) and 0.0 <= s <= 1.0 for s in scores)

    async def test_empty_batch(self, backend: ImportanceScorer) -> None:
        """No requests, no scores, no error."""
        assert await backend.score_batch([]) == []

    async def test_deterministic(self, backend: ImportanceScorer) -> None:
        """The same requests give the same scores, alone or in a batch.

        Troubleshooting: avoid randomness and state that depends on batch composition.
        """
        batch = await backend.score_batch(SAMPLES)
        singles = [(await backend.score_batch([r]))[0] for r in SAMPLES]
        assert batch == singles

    async def test_explicit_importance_is_kept(self, backend: ImportanceScorer) -> None:
        """A caller's importance comes back unchanged (unless ``keeps_explicit`` is False).

        Troubleshooting: return ``request.importance`` when it is not None.
        """
        if not self.keeps_explicit:
            import pytest

            pytest.skip("scorer documents that it combines explicit importance")
        given = [0.0, 0.37, 1.0]
        scores = await backend.score_batch([ScoreRequest(s.content, importance=v) for s, v in zip(SAMPLES, given)])
        assert scores == given
