"""Hit.relevance: features, the logistic model and its fit (index/relevance.py)."""

from __future__ import annotations

import pytest

from index.relevance import FLOOR, features, fit, relevance

LISTS = {
    "use": [("a", 0.42), ("b", 0.30), ("c", 0.21)],
    "e5": [("b", 0.86), ("a", 0.84)],
    "keyword": [("c", 9.0)],
}


def test_features_take_each_list_cosine_or_its_lowest() -> None:
    # c is outside e5's list: it gets that list's lowest cosine, a bound it does not exceed.
    assert features("c", LISTS, 0.5) == {"use": 0.21, "e5": 0.84, "coverage": 0.5}


@pytest.mark.parametrize(
    ("lists", "coverage"),
    [
        pytest.param({"keyword": LISTS["keyword"]}, 1.0, id="keyword-mode"),
        pytest.param({"use": LISTS["use"]}, 1.0, id="one-embedder"),
        pytest.param(LISTS, None, id="no-coverage"),
    ],
)
def test_no_features_without_the_calibrated_lists(lists: dict, coverage: float | None) -> None:
    assert features("a", lists, coverage) is None
    assert relevance(features("a", lists, coverage)) is None


def test_fit_separates_answers_from_off_topic_hits() -> None:
    answers = [{"use": 0.35 + i / 100, "e5": 0.85, "coverage": 0.6} for i in range(10)]
    off_topic = [{"use": 0.08 + i / 100, "e5": 0.80, "coverage": 0.1} for i in range(10)]
    weights, bias = fit(answers, off_topic)
    assert all(relevance(v, weights, bias) > 0.9 for v in answers)
    assert all(relevance(v, weights, bias) < 0.1 for v in off_topic)


def test_default_model_drops_a_nonsense_hit_and_keeps_a_close_one() -> None:
    # Cosines as bench.relevance saw them: xyzzyqwv's best USE cosine ~0.1, answers' >= 0.3.
    assert relevance({"use": 0.10, "e5": 0.78, "coverage": 0.0}) < FLOOR  # type: ignore[operator]
    assert relevance({"use": 0.40, "e5": 0.85, "coverage": 0.5}) > FLOOR  # type: ignore[operator]
