"""Query understanding for search: citations, query language, English → CJK terms."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.bilingual import phrase_key, stem, translate
from index.citation import Citation, parse_citation
from index.query import plan_query, query_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "What does Article 5(2)(iii) of the Export Control Law require?",
            Citation(article="5", paragraph=2, item=3),
            id="en-article-paragraph-roman-item",
        ),
        pytest.param(
            "輸出管理法第五条第二項第三号に定める者は誰か。",
            Citation(article="5", paragraph=2, item=3),
            id="ja-article-paragraph-item-kanji",
        ),
        pytest.param("第37条の規定による届出", Citation(article="37"), id="ja-arabic-article"),
        pytest.param("What does Art. 12 say?", Citation(article="12"), id="en-art-abbrev"),
        pytest.param(
            "What support may be given under item 4 of Art. 54 of the GX Promotion Act?",
            Citation(article="54", item=4),
            id="en-item-of-article",
        ),
        pytest.param("第二条の二の目的", Citation(article="2_2"), id="ja-branch-article"),
        pytest.param("第三条之五规定的职责", Citation(article="3_5"), id="zh-branch-article"),
        pytest.param(
            "《再处理法》第二条第四款第二项所列对象",
            Citation(article="2", paragraph=4, item=2),
            id="zh-article-kuan-xiang",
        ),
        pytest.param(
            "Which entry covers 3C901.a.1 and 3A001?",
            Citation(control_codes=("3C901.a.1", "3A001")),
            id="control-codes",
        ),
        pytest.param(
            "Which item has HS code 8526109011?",
            Citation(hs_codes=("8526109011",)),
            id="hs-code",
        ),
        pytest.param("商务部公告2025年第58号的发文日期", None, id="document-number-not-article"),
        pytest.param("What fine applies to unlicensed exports?", None, id="nothing-cited"),
    ],
)
def test_parse_citation(text: str, expected: Citation | None) -> None:
    assert parse_citation(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Which authority approves the export licence?", "en", id="english"),
        pytest.param(
            "Who chairs the Nuclear Emergency Preparedness Council (原子力防災会議)?",
            "en",
            id="english-quoting-japanese",
        ),
        pytest.param("原子炉はどのように定義されているか。", "ja", id="japanese"),
        pytest.param("关税法规定的税率有哪些？", "zh", id="chinese"),
        pytest.param("2025 58", "und", id="digits-only"),
    ],
)
def test_query_language(text: str, expected: str) -> None:
    assert query_language(text) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [("licences", "licence"), ("duties", "duty"), ("customs", "custom"), ("process", "process")],
)
def test_stem(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_phrase_key_drops_brackets_and_infinitive() -> None:
    assert phrase_key("to fine (monetary)") == "fine"


@pytest.mark.parametrize(
    ("query", "phrase", "term"),
    [
        pytest.param("What fine is imposed?", "fine", "罚款", id="curated-legal-term"),
        pytest.param("Which body does MOFCOM consult?", "mofcom", "商务部", id="issuer-acronym"),
        pytest.param("What is the wavelength range?", "wavelength", "波长", id="cedict-word"),
        pytest.param("Under the Cabinet Order, who", "cabinet order", "政令", id="two-words"),
    ],
)
def test_translate_finds_terms(query: str, phrase: str, term: str) -> None:
    concepts = {c.phrase: c.terms for c in translate(query)}
    assert term in concepts[phrase]


def test_translate_keeps_only_terms_the_corpus_has() -> None:
    concepts = translate("the fine", keep=lambda term: term == "罰金")
    assert [(c.phrase, c.terms) for c in concepts] == [("fine", ("罰金",))]


def test_translate_skips_codes_and_numbers() -> None:
    phrases = [c.phrase for c in translate("3B901.a items of 2,500 m3")]
    assert "b" not in phrases and "m" not in phrases


def test_plan_weights_translations_below_own_words() -> None:
    plan = plan_query("What fine applies?", has_term=lambda term: term in {"罚款", "罚金"})
    assert plan.lang == "en"
    assert plan.weights["罚款"] < 1 and plan.weights["罚金"] < 1
    # The English word the corpus lacks is no concept; the translated phrase is one.
    assert frozenset({"罚款", "罚金"}) in plan.concepts
    assert frozenset({"fine"}) not in plan.concepts


@pytest.mark.parametrize(
    ("query", "term"),
    [
        pytest.param("What does Announcement No. 58 of 2025 control?", "第58号", id="number"),
        pytest.param("What does Article 12 require?", "第12条", id="article"),
        pytest.param("Under Art. 7(1), who is appointed?", "第7条", id="art-abbrev"),
    ],
)
def test_plan_writes_english_ordinals_as_cjk_tokens(query: str, term: str) -> None:
    assert term in plan_query(query).weights


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        pytest.param("3C901.a.1.压实密度", ["3c901", "3c901.a", "3c901.a.1"], id="sub-code"),
        pytest.param("管理番号3B901.aに該当", ["3b901", "3b901.a"], id="entry-code"),
        pytest.param("3A001重量能量密度", ["3a001"], id="bare-code"),
    ],
)
def test_codes_also_index_as_their_parents(text: str, tokens: list[str]) -> None:
    from index.keyword import tokenize

    found = tokenize(text)
    assert all(t in found for t in tokens)


def test_concept_coverage_counts_a_translated_phrase_once(tmp_path: Path) -> None:
    from index.keyword import KeywordIndex
    from models.search import Chunk

    index = KeywordIndex(tmp_path / "k.sqlite")
    index.add(
        [
            Chunk(id="a", text="违反本法规定的，处十万元以下罚款。", document="d", article=5),
            Chunk(id="b", text="出口经营者应当申请许可。", document="d", article_key="2_2"),
        ]
    )
    # One concept met by either of its terms: the hit covers all of it.
    assert index.concept_coverage([frozenset({"罚款", "罚金"})], "a") == 1.0
    assert index.concept_coverage([frozenset({"罚款", "罚金"})], "b") == 0.0
    assert index.article_ids("2_2") == ["b"] and index.article_ids("5") == ["a"]
