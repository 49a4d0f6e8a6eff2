"""Importance scorer interface: how much a memory matters, in [0, 1]."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .base import Backend


@dataclass(frozen=True, slots=True)
class ScoreRequest:
    """What a scorer sees of one memory about to be stored.

    ``importance`` is the caller's value or None. ``nearest_similarity`` is the
    cosine similarity to the closest memory already in the namespace (None when
    the scorer does not ask for it or the namespace is empty).
    """

    content: str
    importance: float | None = None
    memory_type: str = "episodic"
    metadata: dict[str, Any] = field(default_factory=dict)
    nearest_similarity: float | None = None


class ImportanceScorer(Backend):
    """Scores memories at store time. Must return one value in [0, 1] per request.

    Convention: a caller's explicit importance is kept; scorers decide only
    where ``importance`` is None, unless their documentation says otherwise.
    Set ``wants_neighbors = True`` to receive ``nearest_similarity``.
    """

    wants_neighbors: ClassVar[bool] = False

    @abstractmethod
    async def score_batch(self, requests: Sequence[ScoreRequest]) -> list[float]:
        """One importance in [0, 1] per request, in order."""
