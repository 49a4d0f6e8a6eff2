"""How search results are ordered: relevance, importance and recency, blended.

For each candidate the engine computes three components in [0, 1]:

- relevance = max(cosine similarity to the query, 0)
- importance = the record's importance
- recency = 0.5 ** (age / half_life), where age runs from the last access
  (or creation, for a memory never recalled) to now

and ranks by ``score = w_rel * relevance + w_imp * importance + w_rec * recency``
with the weights divided by their sum, so the score stays in [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

SECONDS_PER_DAY = 86_400.0


class Weights(BaseModel):
    """Ranking weights and recency half-life; any subset may be overridden per search."""

    model_config = ConfigDict(extra="forbid")
    relevance: float = Field(default=0.7, ge=0)
    importance: float = Field(default=0.15, ge=0)
    recency: float = Field(default=0.15, ge=0)
    half_life_days: float = Field(default=30.0, gt=0)

    @model_validator(mode="after")
    def _some_weight(self) -> Weights:
        if self.relevance + self.importance + self.recency <= 0:
            raise ValueError("at least one of relevance, importance, recency must be positive")
        return self

    def override(self, changes: dict[str, float] | None) -> Weights:
        """A copy with ``changes`` applied and validated."""
        if not changes:
            return self
        if not isinstance(changes, dict):
            changes = {"(weights)": changes}  # reported as an unknown key
        return Weights.model_validate({**self.model_dump(), **changes})


@dataclass(frozen=True, slots=True)
class Components:
    """The parts of one result's score, for ``explain``."""

    relevance: float
    importance: float
    recency: float
    score: float


def blend(
    weights: Weights, cosine: np.ndarray, importance: np.ndarray, reference_time: np.ndarray, now: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised scores: returns (score, relevance, importance, recency) arrays."""
    relevance = np.clip(cosine, 0.0, 1.0)
    age_days = np.maximum(now - reference_time, 0.0) / SECONDS_PER_DAY
    recency = np.power(0.5, age_days / weights.half_life_days)
    total = weights.relevance + weights.importance + weights.recency
    score = (weights.relevance * relevance + weights.importance * importance + weights.recency * recency) / total
    return score, relevance, importance, recency
