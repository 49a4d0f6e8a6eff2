"""How search results are ordered: relevance (dense + lexical), importance and recency, blended.

For each candidate the engine computes components in [0, 1]:

- dense = max(cosine(query embedding, memory embedding), 0)
- lexical = max(cosine(query term vector, memory term vector), 0) (see :mod:`soma_core.lexical`)
- relevance, by ``fusion``:
  ``weighted`` (default): ``(1 - lexical_weight) * dense + lexical_weight * lexical``;
  ``rrf``: reciprocal rank fusion, ``(1/(60 + rank_dense) + 1/(60 + rank_lexical)) / (2/61)``
- importance = min(1, importance + usage_boost * log2(1 + access_count)): memories
  that are recalled often gain weight, never-used ones keep their stored value
- recency = 0.5 ** (age / half_life), where age runs from the last access
  (or creation, for a memory never recalled) to now

and ranks by ``score = w_rel * relevance + w_imp * importance + w_rec * recency``
with the weights divided by their sum, so the score stays in [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

SECONDS_PER_DAY = 86_400.0
RRF_K = 60.0


class Weights(BaseModel):
    """Ranking knobs; any subset may be overridden per namespace or per search."""

    model_config = ConfigDict(extra="forbid")
    relevance: float = Field(default=0.9, ge=0, description="Weight of query relevance.")
    importance: float = Field(default=0.05, ge=0, description="Weight of (use-boosted) importance.")
    recency: float = Field(default=0.05, ge=0, description="Weight of recency decay.")
    half_life_days: float = Field(default=30.0, gt=0, description="Age at which recency halves.")
    lexical_weight: float = Field(default=0.3, ge=0, le=1, description="Share of lexical in relevance (weighted fusion).")
    fusion: Literal["weighted", "rrf"] = Field(default="weighted", description="How dense and lexical combine.")
    usage_boost: float = Field(default=0.05, ge=0, le=1, description="Importance gained per doubling of accesses.")

    @model_validator(mode="after")
    def _some_weight(self) -> Weights:
        if self.relevance + self.importance + self.recency <= 0:
            raise ValueError("at least one of relevance, importance, recency must be positive")
        return self

    def override(self, changes: dict[str, object] | None) -> Weights:
        """A copy with ``changes`` applied and validated."""
        if not changes:
            return self
        if not isinstance(changes, dict):
            changes = {"(weights)": changes}  # reported as an unknown key
        return Weights.model_validate({**self.model_dump(), **changes})


@dataclass(frozen=True, slots=True)
class Components:
    """The parts of one result's score, for ``explain``; dense/lexical are None when not computed."""

    relevance: float
    importance: float
    recency: float
    score: float
    dense: float | None = None
    lexical: float | None = None


def fuse(weights: Weights, dense: np.ndarray | None, lexical: np.ndarray | None) -> np.ndarray:
    """Relevance in [0, 1] from per-candidate dense and lexical cosines (either may be absent)."""
    if lexical is None:
        return np.clip(dense, 0.0, 1.0)  # type: ignore[arg-type]
    if dense is None:
        return np.clip(lexical, 0.0, 1.0)
    if weights.fusion == "rrf":
        return (_rrf(dense) + _rrf(lexical)) / (2.0 / (RRF_K + 1.0))
    lam = weights.lexical_weight
    return (1.0 - lam) * np.clip(dense, 0.0, 1.0) + lam * np.clip(lexical, 0.0, 1.0)


def _rrf(scores: np.ndarray) -> np.ndarray:
    ranks = np.empty(len(scores), dtype=np.float64)
    ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
    contribution = 1.0 / (RRF_K + ranks)
    contribution[scores <= 0] = 0.0  # no match at all earns nothing
    return contribution


def blend(
    weights: Weights,
    relevance: np.ndarray,
    importance: np.ndarray,
    access_count: np.ndarray,
    reference_time: np.ndarray,
    now: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised final scores: returns (score, effective importance, recency)."""
    boosted = np.minimum(1.0, importance + weights.usage_boost * np.log2(1.0 + access_count))
    age_days = np.maximum(now - reference_time, 0.0) / SECONDS_PER_DAY
    recency = np.power(0.5, age_days / weights.half_life_days)
    total = weights.relevance + weights.importance + weights.recency
    score = (weights.relevance * relevance + weights.importance * boosted + weights.recency * recency) / total
    return score, boosted, recency
