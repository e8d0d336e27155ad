"""Fusion of ranked lists (z-scores, RRF, weights, the keyword gate), an index of two
embedders (collections, recorded configs, modes), and sentence marking for dense-only hits."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.fusion import FusionConfig, canonical, fuse, rank_of, rrf_fuse, zscore_fuse
from index.search import MARK_SENTENCE_BUDGET, SearchIndex
from index.snippet import mark_span, sentence_spans
from models.errors import IndexError_
from tests.test_index_search import ANTI_MONOPOLY, NOTICE_61, HashEmbedder

DENSE = [("a", 0.83), ("b", 0.82), ("c", 0.81), ("d", 0.60)]
KEYWORD = [("c", 14.0), ("e", 3.0), ("a", 2.5)]


def test_zscore_standardises_each_list() -> None:
    fused = zscore_fuse({"dense": DENSE, "keyword": KEYWORD}, {})
    # c: third by cosine but far ahead in BM25 -> first; d: below the dense mean, no keyword.
    assert max(fused, key=fused.__getitem__) == "c"
    assert fused["d"] < 0 < fused["c"]
    assert fused["b"] == pytest.approx(zscore_fuse({"dense": DENSE}, {})["b"])


def test_zscore_single_candidate_counts_one() -> None:
    assert zscore_fuse({"keyword": [("x", 7.0)]}, {}) == {"x": 1.0}


def test_weight_zero_silences_a_list() -> None:
    fused = fuse({"dense": DENSE, "keyword": KEYWORD}, FusionConfig(weights={"keyword": 0}))
    assert [cid for cid, _ in fused][:3] == ["a", "b", "c"]


def test_rrf_formula_and_weights() -> None:
    fused = rrf_fuse({"dense": DENSE, "keyword": KEYWORD}, {"keyword": 2.0}, k=60)
    assert fused["a"] == pytest.approx(1 / 61 + 2 / 63)
    assert fused["e"] == pytest.approx(2 / 62)


def test_rrf_gates_weak_keyword_hits() -> None:
    # e and a score under half of c's BM25: under RRF they add nothing from the keyword list.
    fused = dict(fuse({"dense": DENSE, "keyword": KEYWORD}, FusionConfig(method="rrf")))
    assert "e" not in fused
    assert fused["a"] == pytest.approx(1 / 61)


def test_ties_broken_by_best_rank() -> None:
    fused = fuse({"x": [("p", 1.0), ("q", 1.0)]}, FusionConfig())
    assert [cid for cid, _ in fused] == ["p", "q"]


@pytest.mark.parametrize("method", ["zscore", "rrf"])
def test_equal_scores_rank_the_same_whatever_order_an_index_returned_them_in(
    method: str,
) -> None:
    """Identical texts (an unchanged article in two versions, a notice quoted by a
    commentary) score alike in every list; a vector index returns such ties in an order of
    its own, which must not reach the ranking."""
    dense = [("v1-art3", 0.9), ("v2-art3", 0.9), ("other", 0.5)]
    keyword = [("v2-art3", 7.0), ("v1-art3", 7.0)]
    config = FusionConfig(method=method)
    orders = [
        fuse({"e5": canonical(d), "keyword": canonical(k)}, config)
        for d, k in ((dense, keyword), (dense[::-1], keyword[::-1]))
    ]
    assert orders[0] == orders[1]
    assert [cid for cid, _ in orders[0]][:2] == ["v1-art3", "v2-art3"]


def test_search_order_of_identical_texts_does_not_depend_on_insertion(tmp_path: Path) -> None:
    """Two indexes of the same chunks, added in opposite orders, answer alike: the copy of
    the twice-stored text that is shown (one answer, ``_hits``) is the same."""
    twin = ANTI_MONOPOLY.model_copy(update={"id": "aml-quoted:v1:c0:0", "document": "aml-quoted"})
    ranked = []
    for name, chunks in (("forward", [ANTI_MONOPOLY, twin]), ("reverse", [twin, ANTI_MONOPOLY])):
        index = SearchIndex(tmp_path / name, embedders=[HashEmbedder(), ConceptEmbedder()])
        index.add([*NOTICE_61, *chunks])
        ranked.append([hit.chunk.id for hit in index.search("反垄断法 罚款", k=3)])
    assert ranked[0] == ranked[1]
    assert ranked[0][0] == min(ANTI_MONOPOLY.id, twin.id)


def test_rank_of_takes_best_rank_over_lists() -> None:
    lists = {"e5": [("a", 0.9), ("b", 0.8)], "use": [("b", 0.7), ("a", 0.1)]}
    assert rank_of(lists, ["e5", "use"]) == {"a": 1, "b": 1}


@pytest.mark.parametrize(
    ("spec", "method", "weights"),
    [
        (None, "auto", {"e5": 0.5}),
        ("zscore", "zscore", {"e5": 0.5}),
        ("rrf:e5=1,use=2,keyword=0.5", "rrf", {"e5": 1.0, "use": 2.0, "keyword": 0.5}),
        ("keyword=0.5", "auto", {"e5": 0.5, "keyword": 0.5}),
    ],
    ids=["default", "zscore", "rrf-weighted", "weights-only"],
)
def test_fusion_spec(spec: str | None, method: str, weights: dict[str, float]) -> None:
    config = FusionConfig.parse(spec)
    assert (config.method, dict(config.weights)) == (method, weights)


@pytest.mark.parametrize(
    ("lang", "method"), [("en", "rrf"), ("ja", "zscore"), ("zh", "zscore"), ("und", "zscore")]
)
def test_auto_fusion_goes_by_question_language(lang: str, method: str) -> None:
    assert FusionConfig().method_for(lang) == method
    lists = {"dense": DENSE, "keyword": KEYWORD}
    assert fuse(lists, FusionConfig(), lang=lang) == fuse(lists, FusionConfig(method=method))


def test_unknown_method_refused() -> None:
    with pytest.raises(ValueError, match="fusion method"):
        FusionConfig.parse("borda")


class ConceptEmbedder:
    """Words of several languages mapped to shared concepts: a stand-in for a multilingual
    model, so an English query finds a Japanese sentence without sharing a word with it."""

    CONCEPTS = (
        ("military", "軍事"),
        ("export", "輸出"),
        ("value", "価値"),
        ("monopoly", "垄断"),
        ("fine", "罚款"),
    )

    def __init__(self, name: str = "concepts") -> None:
        self.name = name

    def _vec(self, text: str) -> np.ndarray:
        v = np.full(len(self.CONCEPTS) + 1, 0.05, np.float32)
        for i, words in enumerate(self.CONCEPTS):
            v[i] += sum(text.lower().count(w) for w in words)
        return v / float(np.linalg.norm(v))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._vec(t) for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._vec(t) for t in texts])

    def config(self) -> dict[str, Any]:
        return {"backend": "test", "model": self.name, "dim": len(self.CONCEPTS) + 1}


@pytest.fixture()
def two(tmp_path: Path) -> SearchIndex:
    index = SearchIndex(tmp_path, embedders=[HashEmbedder(), ConceptEmbedder()])
    index.add([*NOTICE_61, ANTI_MONOPOLY])
    return index


def test_each_embedder_has_its_collection_and_is_recorded(two: SearchIndex) -> None:
    assert [s.count() for s in two.stores] == [3, 3]
    assert two.retriever_names() == ["hash", "concepts"]
    stored = json.loads(two.config_path.read_text(encoding="utf-8"))
    assert [c["model"] for c in stored["embedders"]] == ["hash", "concepts"]


def test_other_embedder_set_is_refused(two: SearchIndex, tmp_path: Path) -> None:
    two.close()
    alone = SearchIndex(tmp_path, embedder=HashEmbedder())
    with pytest.raises(IndexError_, match="2 embedder"):
        alone.search("価値", k=1)


def test_single_embedder_config_of_older_indexes_is_read(tmp_path: Path) -> None:
    index = SearchIndex(tmp_path, embedder=HashEmbedder())
    index.add(NOTICE_61)
    index.config_path.write_text(json.dumps(HashEmbedder().config()), encoding="utf-8")
    index.close()
    reopened = SearchIndex(tmp_path, embedder=HashEmbedder())
    assert reopened.search("価値比率0.1%", k=1)[0].chunk.article == 1


@pytest.mark.parametrize(
    ("mode", "article"),
    [("concepts", 2), ("hash+keyword", 1), ("dense", 1), ("hybrid", 1)],
    ids=["one-dense-list", "dense-plus-keyword", "dense-lists", "everything"],
)
def test_modes_pick_lists(two: SearchIndex, mode: str, article: int) -> None:
    query = "価値比率0.1%" if mode != "concepts" else "military export"
    assert two.search(query, k=1, mode=mode)[0].chunk.article == article


def test_unknown_mode_refused(two: SearchIndex) -> None:
    with pytest.raises(ValueError, match="unknown retriever"):
        two.search("価値", mode="bm42")


def test_dense_only_hit_marks_closest_sentence(tmp_path: Path) -> None:
    two_sentences = NOTICE_61[1].model_copy(
        update={
            "text": "商务部公告2025年第61号\n二、 本公告の規定に従い審査を行う。"
            "国外の軍事ユーザー向けの輸出申請は、原則として許可しない。"
        }
    )
    index = SearchIndex(tmp_path, embedder=ConceptEmbedder())
    index.add([NOTICE_61[0], two_sentences, ANTI_MONOPOLY])
    # The dense list alone: in hybrid mode the English words now reach the keyword list too
    # (export → 输出, military → 军事: index.bilingual), and the hit is no longer dense-only.
    hit = index.search("Are exports to military end users licensed?", k=1, mode="concepts")[0]
    assert (hit.chunk.article, hit.keyword_rank) == (2, None)
    assert hit.snippet.endswith("【国外の軍事ユーザー向けの輸出申請は、原則として許可しない。】")
    assert "【二、" not in hit.snippet


def test_marking_embeds_at_most_the_sentence_budget(tmp_path: Path) -> None:
    embedder = ConceptEmbedder()
    index = SearchIndex(tmp_path, embedder=embedder)
    long_articles = [
        NOTICE_61[1].model_copy(
            update={
                "id": f"long-{n}",
                "article": 10 + n,
                "text": f"商务部公告2025年第61号\n第{n}条 "
                + "".join(f"輸出申請の審査その{i}を行う。" for i in range(12)),
            }
        )
        for n in range(3)
    ]
    index.add(long_articles)
    sentences: list[int] = []
    passages = embedder.embed_passages

    def counting(texts: Sequence[str]) -> np.ndarray:
        sentences.append(len(texts))
        return passages(texts)

    embedder.embed_passages = counting  # type: ignore[method-assign]
    hits = index.search("Are exports licensed?", k=3, mode="concepts")  # dense-only hits
    assert len(hits) == 3 and all(h.keyword_rank is None for h in hits)
    assert sentences and sum(sentences) <= MARK_SENTENCE_BUDGET
    assert sum("【" in h.snippet for h in hits) == MARK_SENTENCE_BUDGET // 2


@pytest.mark.parametrize(
    ("text", "skip", "sentences"),
    [
        (
            "中华人民共和国反垄断法\n第五十六条 行业协会达成垄断协议的，可以处罚款。"
            "情节严重的，可以撤销登记。",
            True,
            ["第五十六条 行业协会达成垄断协议的，可以处罚款。", "情节严重的，可以撤销登记。"],
        ),
        (
            "Exports need a licence. Items below 0.1% do not.",
            False,
            ["Exports need a licence.", "Items below 0.1% do not."],
        ),
    ],
    ids=["zh-article-after-title", "en-sentences"],
)
def test_sentence_spans(text: str, skip: bool, sentences: list[str]) -> None:
    assert [text[a:b] for a, b in sentence_spans(text, skip_first_line=skip)] == sentences


def test_mark_span_centres_the_sentence() -> None:
    text = "前置き。" * 30 + "国外の軍事ユーザー向けの輸出申請は許可しない。" + "後書き。" * 30
    start = text.index("国外")
    end = text.index("。", start) + 1
    marked = mark_span(text, start, end, width=60)
    assert "【国外の軍事ユーザー向けの輸出申請は許可しない。】" in marked
    assert marked.startswith("…") and marked.endswith("…")


def test_zero_weight_skips_the_retriever(two: SearchIndex) -> None:
    two.fusion = FusionConfig(weights={"hash": 0})
    hit = two.search("military export", k=1)[0]
    assert hit.chunk.article == 2
    assert two._lists_for("hybrid") == ([1], True)


def test_confidence_scales_a_list_for_one_query() -> None:
    lists = {"dense": DENSE, "keyword": KEYWORD}
    assert fuse(lists, FusionConfig(), {"keyword": 0.0}) == fuse(
        lists, FusionConfig(weights={"keyword": 0})
    )
    assert fuse(lists, FusionConfig(), {"keyword": 1.0}) == fuse(lists, FusionConfig())
