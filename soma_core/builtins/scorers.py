"""Importance scorers: ``explicit`` (a fixed default) and ``heuristic`` (signals in the text).

Both keep a caller's importance unchanged; they decide only when none is given.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

from pydantic import Field

from ..hookspecs import hookimpl
from ..interfaces import BackendConfig, Capabilities, ImportanceScorer, ScoreRequest


class ExplicitConfig(BackendConfig):
    default: float = Field(default=0.5, ge=0, le=1, description="Importance when the caller gives none.")


class ExplicitScorer(ImportanceScorer):
    """The caller's importance, else ``default``."""

    name = "explicit"
    Config = ExplicitConfig
    capabilities = Capabilities(multi_process=True)  # stateless
    config: ExplicitConfig

    async def score_batch(self, requests: Sequence[ScoreRequest]) -> list[float]:
        return [self.config.default if r.importance is None else r.importance for r in requests]


_NUMBER = re.compile(r"\d")
_DATE = re.compile(
    r"\b(\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}(/\d{2,4})?|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"tomorrow|yesterday|today|tonight|next week|last week)\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+")
_PREFERENCE = re.compile(
    r"\b(i (really )?(like|love|hate|prefer|enjoy|dislike)|favou?rite|allergic|can't stand|my name is|"
    r"i am|i'm a|i work|i live)\b",
    re.IGNORECASE,
)
_INSTRUCTION = re.compile(
    r"\b(remember|don't forget|do not forget|always|never|must|important|make sure|deadline|password|"
    r"birthday|anniversary)\b",
    re.IGNORECASE,
)


class HeuristicConfig(BackendConfig):
    base: float = Field(default=0.25, ge=0, le=1, description="Score of a short, plain, familiar text.")
    number_or_date: float = Field(default=0.1, ge=0, le=1)
    name: float = Field(default=0.05, ge=0, le=1)
    preference: float = Field(default=0.15, ge=0, le=1)
    instruction: float = Field(default=0.15, ge=0, le=1)
    semantic: float = Field(default=0.05, ge=0, le=1, description="Bonus for memory_type semantic.")
    length: float = Field(default=0.1, ge=0, le=1, description="Full at 400+ characters, log-scaled.")
    novelty: float = Field(default=0.1, ge=0, le=1, description="Scaled by 1 - similarity to the nearest memory.")


class HeuristicScorer(ImportanceScorer):
    """Deterministic, no model: adds documented bonuses to ``base`` and clips to [0, 1].

    Signals: digits or dates, capitalised names inside a sentence, preference
    phrases ("I prefer", "my favourite"), instruction phrases ("remember",
    "always", "deadline"), semantic type, length, and novelty against the
    nearest memory already stored (a near-duplicate earns nothing).
    """

    name = "heuristic"
    Config = HeuristicConfig
    capabilities = Capabilities(multi_process=True)  # stateless
    config: HeuristicConfig
    wants_neighbors = True

    def score_one(self, r: ScoreRequest) -> float:
        if r.importance is not None:
            return r.importance
        c = self.config
        text = r.content
        score = c.base
        if _NUMBER.search(text) or _DATE.search(text):
            score += c.number_or_date
        if _NAME.search(text):
            score += c.name
        if _PREFERENCE.search(text):
            score += c.preference
        if _INSTRUCTION.search(text):
            score += c.instruction
        if r.memory_type == "semantic":
            score += c.semantic
        score += c.length * min(1.0, math.log1p(len(text)) / math.log1p(400))
        novelty = 1.0 if r.nearest_similarity is None else 1.0 - max(0.0, min(1.0, r.nearest_similarity))
        score += c.novelty * novelty
        return round(max(0.0, min(1.0, score)), 4)

    async def score_batch(self, requests: Sequence[ScoreRequest]) -> list[float]:
        return [self.score_one(r) for r in requests]


@hookimpl
def register_scorers(register: Callable[[type[ImportanceScorer]], None]) -> None:
    register(ExplicitScorer)
    register(HeuristicScorer)
