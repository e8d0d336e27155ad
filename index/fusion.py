"""Fusing ranked lists from several retrievers (dense models, BM25) into one ranking.

Three methods, the weights per retriever configurable for all:

* ``zscore``: each list's scores are standardised over its own candidates
  (``(s - mean) / std``) and summed with the weights; a chunk absent from a list gets 0 there,
  "no evidence", the list's average.  Standardising puts a cosine of 0.83 and a BM25 of 14.2
  on one scale per query, and a list whose top hit stands far above the rest (an exact code or
  number match) pulls harder than one whose scores are flat.
* ``rrf``: reciprocal rank fusion, ``weight / (k + rank)``: needs no score scale at all, and
  rewards a chunk several lists agree on.
* ``auto`` (default): ``rrf`` for an English question, ``zscore`` for the others.  A Chinese
  or Japanese question shares characters with its answer, and a list that stands out (the
  keyword list's exact match) is usually right; for an English question about Chinese or
  Japanese text every list is noisy (translated terms, cross-lingual embeddings) and a single
  confident list is most often wrong, so agreement counts.  Dev questions (bench/search.py,
  one run): English R@5 zscore 0.621 / rrf 0.862 (v2, 29 questions), 0.923 / 1.000 (v1, 13);
  Japanese zscore 1.000 / rrf 0.769 (v2, 13), 1.000 / 0.900 (v1, 10); Chinese equal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

Ranked = list[tuple[str, float]]
METHODS = ("auto", "zscore", "rrf")
DEFAULT_METHOD = "auto"
RRF_K = 60
# e5-small (4-bit weights) is the weakest list alone on the dev questions (R@1 0.47 vs USE
# 0.72 on truth chunks, 0.22 vs 0.56 on pipeline chunks): half weight, chosen from a 3x2 grid
# (e5 1/0.5/0.25 x keyword 1/0.5) on both dev modes; see bench/search.py.
DEFAULT_WEIGHTS = {"e5": 0.5}
# Keyword hits under this fraction of the best one are mostly shared bigrams and function
# words; with RRF (ranks only) they outvote a confident dense hit.  z-scores need no gate.
KEYWORD_GATE = 0.5


@dataclass(frozen=True)
class FusionConfig:
    """How ranked lists are fused; ``weights`` by retriever name (``e5``, ``use``, ``keyword``),
    1.0 for a retriever not named."""

    method: str = DEFAULT_METHOD
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    rrf_k: int = RRF_K

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"fusion method {self.method!r}: expected one of {METHODS}")

    def method_for(self, lang: str) -> str:
        """The method a question in ``lang`` is fused with (``auto`` resolved)."""
        if self.method != "auto":
            return self.method
        return "rrf" if lang == "en" else "zscore"

    def weight(self, retriever: str) -> float:
        return float(self.weights.get(retriever, 1.0))

    def to_dict(self) -> dict[str, object]:
        return {"method": self.method, "weights": dict(self.weights), "rrf_k": self.rrf_k}

    @classmethod
    def parse(cls, spec: str | None) -> FusionConfig:
        """``zscore``, ``rrf``, ``rrf:e5=1,use=2,keyword=0.5`` or ``e5=1,keyword=0.5`` (the
        default method); weights not named keep their defaults (``DEFAULT_WEIGHTS``, else 1)."""
        if not spec:
            return cls()
        method, _, rest = spec.partition(":") if ":" in spec else ("", "", spec)
        if not method and "=" not in rest:
            method, rest = rest, ""
        weights = dict(DEFAULT_WEIGHTS)
        for part in filter(None, (p.strip() for p in rest.split(","))):
            name, _, value = part.partition("=")
            weights[name.strip()] = float(value)
        return cls(method=method or DEFAULT_METHOD, weights=weights)


def gate_keyword(hits: Ranked, gate: float = KEYWORD_GATE) -> Ranked:
    """Keyword hits scoring at least ``gate`` times the best one."""
    if not hits:
        return hits
    return [(cid, score) for cid, score in hits if score >= gate * hits[0][1]]


def zscore_fuse(lists: Mapping[str, Ranked], weights: Mapping[str, float]) -> dict[str, float]:
    fused: dict[str, float] = {}
    for name, hits in lists.items():
        if not hits:
            continue
        scores = np.asarray([s for _, s in hits], np.float64)
        spread = float(scores.std())
        # One candidate, or all tied: no spread to standardise, every candidate counts 1.
        z = (scores - scores.mean()) / spread if spread > 1e-9 else np.ones_like(scores)
        weight = weights.get(name, 1.0)
        for (cid, _), value in zip(hits, z, strict=True):
            fused[cid] = fused.get(cid, 0.0) + weight * float(value)
    return fused


def rrf_fuse(
    lists: Mapping[str, Ranked], weights: Mapping[str, float], k: int = RRF_K
) -> dict[str, float]:
    fused: dict[str, float] = {}
    for name, hits in lists.items():
        weight = weights.get(name, 1.0)
        for rank, (cid, _) in enumerate(hits, 1):
            fused[cid] = fused.get(cid, 0.0) + weight / (k + rank)
    return fused


def fuse(
    lists: Mapping[str, Ranked],
    config: FusionConfig,
    confidence: Mapping[str, float] | None = None,
    lang: str = "und",
) -> list[tuple[str, float]]:
    """(chunk id, fused score), best first; ties broken by the best rank in any list, then
    by chunk id.  The lists should be ``canonical`` (the search puts them so).
    ``confidence``: per-list factors (0..1) on the configured weights, for this query;
    ``lang``: the question's language (what ``auto`` goes by)."""
    confidence = confidence or {}
    weights = {name: config.weight(name) * confidence.get(name, 1.0) for name in lists}
    if config.method_for(lang) == "rrf":
        gated = {n: gate_keyword(h) if n == "keyword" else h for n, h in lists.items()}
        scores = rrf_fuse(gated, weights, config.rrf_k)
    else:
        scores = zscore_fuse(lists, weights)
    best_rank: dict[str, int] = {}
    for hits in lists.values():
        for rank, (cid, _) in enumerate(hits, 1):
            best_rank[cid] = min(best_rank.get(cid, rank), rank)
    return sorted(
        scores.items(), key=lambda item: (-item[1], best_rank.get(item[0], 10**9), item[0])
    )


def canonical(hits: Ranked) -> Ranked:
    """``hits`` best first, equal scores in chunk-id order.

    Equal scores are common: an article whose text did not change between two versions,
    or a notice's text quoted word for word by a commentary, gives identical vectors and
    keyword scores.  The order a vector index returns such ties in depends on its insertion
    history (hnswlib's graph), so without this one question ranked the same two chunks
    either way from one build to the next, and the rank-based steps (RRF, the tie-break of
    ``fuse``, the keyword list's top chunk) with them."""
    return sorted(hits, key=lambda hit: (-hit[1], hit[0]))


def rank_of(lists: Mapping[str, Ranked], names: Sequence[str]) -> dict[str, int]:
    """Each chunk's best rank over the lists named ``names``."""
    ranks: dict[str, int] = {}
    for name in names:
        for rank, (cid, _) in enumerate(lists.get(name, []), 1):
            ranks[cid] = min(ranks.get(cid, rank), rank)
    return ranks
