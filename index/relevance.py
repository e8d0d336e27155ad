"""``Hit.relevance``: how likely a hit answers the question, 0..1, and the floor below which
a hit is not shown (``SearchResponse.no_close_match`` when none is left).

Fused scores cannot say this: ranks and z-scores are relative to the query's own candidates,
so the best hit of ``xyzzyqwv`` looks as good as the best hit of a real question.  The evidence that
is absolute is each embedder's cosine similarity between the question and the hit, and the
share of the question's concepts the hit contains (``KeywordIndex.concept_coverage`` over
``QueryPlan.all_concepts``: an English word with neither a translation nor a match in the
corpus counts as missing).

    relevance = sigmoid(bias + sum(weight[f] * feature[f]))

with features ``use`` and ``e5`` (the hit's cosine in that embedder's list; a hit outside the
list gets the list's lowest cosine, a bound it does not exceed) and ``coverage``.  The weights
are a logistic regression fitted by ``python -m bench.relevance`` on the dev questions' answer
hits (v1 and v2: positives) against the hits of off-topic and nonsense queries
(``bench/data/off_topic_queries.json``: negatives), so 0.5 means "as likely an answer to a
question as a hit of an off-topic query", under that mix; hits below ``FLOOR`` (0.45) are
dropped.  It needs the lists of the default embedders (e5 + USE; hybrid or dense mode): with
other embedders, or in keyword mode, ``relevance`` is None and nothing is dropped.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

# Fitted by ``python -m bench.relevance`` (one run: 82 answer hits of 87 dev questions, 66
# off-topic/nonsense query runs over the v1 and v2 indexes).  USE's cosine and the coverage
# carry the evidence; e5's cosine, nearly collinear with USE's, gets a small negative weight.
WEIGHTS: dict[str, float] = {"use": 10.3369, "e5": -1.0281, "coverage": 6.2831}
BIAS = -2.7055
# Hits below this are dropped.  Same run: from 0.4 to 0.5 every answer hit is kept and every
# off-topic run returns nothing; at 0.3 one off-topic run keeps a hit, at 0.6 two answers
# are lost.  The middle of that band:
FLOOR = 0.45
FEATURES = ("use", "e5", "coverage")
Ranked = list[tuple[str, float]]


def features(
    chunk_id: str, lists: Mapping[str, Ranked], coverage: float | None
) -> dict[str, float] | None:
    """The features of one hit, or None when the lists lack one (another embedder, a mode
    without dense lists or without keywords)."""
    out: dict[str, float] = {}
    for name in ("use", "e5"):
        ranked = lists.get(name)
        if not ranked:
            return None
        score = next((s for cid, s in ranked if cid == chunk_id), None)
        out[name] = float(score if score is not None else min(s for _, s in ranked))
    if coverage is None:
        return None
    out["coverage"] = coverage
    return out


def relevance(
    values: Mapping[str, float] | None,
    weights: Mapping[str, float] = WEIGHTS,
    bias: float = BIAS,
) -> float | None:
    if values is None:
        return None
    z = bias + sum(weights[f] * values[f] for f in FEATURES)
    return 1.0 / (1.0 + math.exp(-z))


def fit(
    positives: Sequence[Mapping[str, float]],
    negatives: Sequence[Mapping[str, float]],
    steps: int = 200,
    l2: float = 1e-3,
) -> tuple[dict[str, float], float]:
    """Logistic regression (Newton's method, a little L2), classes weighted equally."""
    import numpy as np

    x = np.asarray([[v[f] for f in FEATURES] + [1.0] for v in [*positives, *negatives]])
    y = np.asarray([1.0] * len(positives) + [0.0] * len(negatives))
    sample = np.where(y == 1, 0.5 / max(len(positives), 1), 0.5 / max(len(negatives), 1))
    beta = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ beta)))
        gradient = x.T @ (sample * (p - y)) + l2 * beta
        hessian = (x * (sample * p * (1 - p))[:, None]).T @ x + l2 * np.eye(x.shape[1])
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return {f: float(b) for f, b in zip(FEATURES, beta[:-1], strict=True)}, float(beta[-1])
