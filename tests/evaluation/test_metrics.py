"""The ranking metrics on hand-computed cases."""

from __future__ import annotations

import math

import pytest

from soma_core.evaluation import EvalQuery, QueryOutcome, Scores, ndcg_at, recall_at, reciprocal_rank

L2, L3, L4 = 1.0, 1 / math.log2(3), 1 / math.log2(4)  # discounts at ranks 1, 2, 3


def test_recall_counts_relevant_ids_within_k() -> None:
    ranked = ["a", "x", "b", "y"]
    assert recall_at(ranked, {"a", "b"}, 1) == 0.5
    assert recall_at(ranked, {"a", "b"}, 2) == 0.5
    assert recall_at(ranked, {"a", "b"}, 3) == 1.0
    assert recall_at(ranked, {"b", "z"}, 10) == 0.5  # z was never retrieved
    assert recall_at([], {"a"}, 10) == 0.0


def test_reciprocal_rank_is_one_over_first_relevant_rank() -> None:
    assert reciprocal_rank(["x", "y", "a", "b"], {"a", "b"}) == pytest.approx(1 / 3)
    assert reciprocal_rank(["a"], {"a"}) == 1.0
    assert reciprocal_rank(["x", "y"], {"a"}) == 0.0


def test_ndcg_binary_relevance() -> None:
    # relevant at ranks 2 and 3 of two relevant: (1/log2 3 + 1/log2 4) / (1 + 1/log2 3)
    assert ndcg_at(["x", "a", "b"], {"a", "b"}) == pytest.approx((L3 + L4) / (L2 + L3))
    assert ndcg_at(["x", "a", "b"], {"a", "b"}) == pytest.approx(0.69343, abs=1e-5)
    assert ndcg_at(["a", "b", "x"], {"a", "b"}) == pytest.approx(1.0)
    assert ndcg_at(["x", "y"], {"a"}) == 0.0


def test_ndcg_cuts_at_k_and_caps_the_ideal_at_k() -> None:
    ranked = [f"x{i}" for i in range(10)] + ["a"]
    assert ndcg_at(ranked, {"a"}) == 0.0  # rank 11 is outside nDCG@10
    many = [f"r{i}" for i in range(12)]
    assert ndcg_at(many[:10], set(many)) == pytest.approx(1.0)  # 12 relevant, ideal DCG counts only 10
    assert ndcg_at(["a", "x"], {"a", "b"}, k=1) == pytest.approx(1.0)


def test_outcome_scores_one_query() -> None:
    query = EvalQuery("q1", "?", ("a", "b"), "fact")
    outcome = QueryOutcome.score(query, ["x", "a", "y", "z", "w", "b"])
    assert outcome.ranks == {"a": 2, "b": 6}
    assert outcome.figures == pytest.approx((0.0, 0.5, 1.0, 0.5, (L3 + 1 / math.log2(7)) / (L2 + L3)))


def test_scores_are_means_over_queries() -> None:
    hit = QueryOutcome.score(EvalQuery("q1", "?", ("a",)), ["a", "x"])
    miss = QueryOutcome.score(EvalQuery("q2", "?", ("b",)), ["x", "y", "z", "v", "w", "b"])
    scores = Scores.mean([hit, miss])
    assert scores.queries == 2
    assert scores.recall_at_1 == 0.5
    assert scores.recall_at_5 == 0.5
    assert scores.recall_at_10 == 1.0
    assert scores.mrr == pytest.approx((1 + 1 / 6) / 2)
    assert scores.ndcg_at_10 == pytest.approx((1 + 1 / math.log2(7)) / 2)
    assert Scores.mean([]).queries == 0
