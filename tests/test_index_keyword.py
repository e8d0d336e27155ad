"""Keyword side: CJK tokens, number normalisation, BM25 ranking, persistence, filters."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.keyword import KeywordIndex, effective_number, tokenize
from models.search import Chunk


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("価値比率が 0.1%以上に達するもの", ["0.1%", "价值", "比率"]),
        ("価値比率が０．１％以上", ["0.1%"]),
        ("技术及其载体（管制编码1E902）", ["1e902", "技术", "载体"]),
        ("1E902.a に該当する技術", ["1e902.a"]),
        ("商务部公告2025年第61号", ["第61号", "2025", "商务部", "公告"]),
        ("商務部公告 2025 年第 61 号", ["第61号", "2025"]),
        ("第十条　レアアース生産企業は", ["第10条", "レアアース"]),
        ("第六十一号", ["第61号"]),
        ("罚款数额的二倍以上五倍以下", ["罚款", "数额"]),
        ("the de minimis value threshold", ["minimis", "value", "threshold"]),
    ],
    ids=[
        "ja-percent",
        "fullwidth-percent",
        "zh-control-code",
        "code-with-subitem",
        "zh-notice-number",
        "ja-spaced-notice-number",
        "kanji-article-number",
        "kanji-notice-number",
        "zh-words",
        "en-words",
    ],
)
def test_tokens(text: str, expected: list[str]) -> None:
    tokens = tokenize(text)
    for token in expected:
        assert token in tokens


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("価値比率が0.1%以上の品目", ["の", "が", "の品", "率が"]),
        ("What is the rule?", ["the", "is"]),
    ],
    ids=["ja-particles-and-kana-bigrams", "en-stopwords"],
)
def test_noise_tokens_dropped(text: str, absent: list[str]) -> None:
    tokens = tokenize(text)
    for token in absent:
        assert token not in tokens


def _chunk(cid: str, text: str, **fields: object) -> Chunk:
    return Chunk(id=cid, text=text, document=fields.pop("document", "d1"), **fields)  # type: ignore[arg-type]


CHUNKS = [
    _chunk(
        "61-1",
        "商务部公告2025年第61号\n一、 付属文書1の第一部"
        "分に掲げる品目の価値に占める割合が0.1%以上に達するもの",
        language="ja",
        issuer="商務部",
    ),
    _chunk(
        "62-1",
        "商务部公告2025年第62号\n一、 希土類の採掘、精錬・分離に関わる技術（管理番号1E902）",
        language="ja",
        issuer="商務部",
    ),
    _chunk(
        "aml-56",
        "中华人民共和国反垄断法\n第五十六条 行业协会组织本"
        "行业的经营者达成垄断协议的，可以处三百万元以下的罚款",
        language="zh",
        issuer="全国人民代表大会常务委员会",
        document="aml",
        effective="2022-08-01",
    ),
]


@pytest.fixture()
def index(tmp_path: Path) -> KeywordIndex:
    kw = KeywordIndex(tmp_path / "keyword.sqlite")
    kw.add(CHUNKS)
    return kw


@pytest.mark.parametrize(
    ("query", "expected_top"),
    [
        ("価値比率0.1%以上", "61-1"),
        ("1E902の技術", "62-1"),
        ("商务部公告2025年第62号", "62-1"),
        ("行业协会达成垄断协议罚款", "aml-56"),
    ],
    ids=["percent", "control-code", "notice-number", "zh-question"],
)
def test_bm25_ranks_the_matching_chunk_first(
    index: KeywordIndex, query: str, expected_top: str
) -> None:
    assert index.search(query, k=3)[0][0] == expected_top


def test_persisted_and_incremental(index: KeywordIndex, tmp_path: Path) -> None:
    index.remove(["62-1"])
    index.close()
    reopened = KeywordIndex(tmp_path / "keyword.sqlite")
    assert reopened.ids() == {"61-1", "aml-56"}
    assert reopened.search("1E902", k=3) == []
    reopened.add([CHUNKS[1]])
    assert reopened.search("1E902", k=3)[0][0] == "62-1"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"lang": "zh"}, {"aml-56"}),
        ({"issuer": "商務部"}, {"61-1", "62-1"}),
        ({"effective_after": "2022-01-01"}, {"aml-56"}),
        ({"effective_after": "2023-01-01"}, set()),
    ],
    ids=["lang", "issuer", "effective-after", "effective-after-none"],
)
def test_filters(index: KeywordIndex, filters: dict[str, str], expected: set[str]) -> None:
    mask = index.mask(**filters)
    hits = {cid for cid, _ in index.search("公告 罚款 比率 技術 行业", k=10, mask=mask)}
    assert hits == expected


def test_not_latest_hidden_by_default(index: KeywordIndex) -> None:
    index.set_latest(["aml-56"], False)
    assert index.search("垄断协议", k=3, mask=index.mask()) == []
    assert index.search("垄断协议", k=3, mask=index.mask(latest_only=False))[0][0] == "aml-56"


@pytest.mark.parametrize(
    ("iso", "number"),
    [("2025-12-01", 20251201), ("2025-04", 20250400), (None, 0)],
    ids=["day", "month", "none"],
)
def test_effective_number(iso: str | None, number: int) -> None:
    assert effective_number(iso) == number


def test_cached_masks_follow_writes(index: KeywordIndex) -> None:
    assert index.mask().sum() == 3
    index.set_latest(["aml-56"], False)
    assert index.mask().sum() == 2
    index.add([_chunk("new", "商务部公告2025年第70号", language="zh")])
    assert index.mask().sum() == 3
    assert index.mask(lang="zh").sum() == 1


@pytest.mark.parametrize(
    ("query", "chunk_id", "low", "high"),
    [
        ("商务部公告2025年第62号 1E902", "62-1", 0.5, 1.0),
        ("1E902の技術", "61-1", 0.0, 0.01),
        # A Japanese question over a Chinese article: 罰金 / 協定 are not its words.
        ("業界団体がカルテル協定を結んだ場合の罰金は", "aml-56", 0.0, 0.3),
        ("行业协会达成垄断协议罚款", "aml-56", 0.5, 1.0),
    ],
    ids=["all-terms", "no-term", "cross-lingual-few", "zh-question-own-words"],
)
# 0.5 is where the keyword list gets its full weight (index.search.KEYWORD_FULL_COVERAGE); a
# query's own cross-word bigrams (会达, 议罚) are in no chunk, so a perfect match stays < 1.
def test_coverage_of_the_query_by_a_chunk(
    index: KeywordIndex, query: str, chunk_id: str, low: float, high: float
) -> None:
    assert low <= index.coverage(query, chunk_id) <= high


def test_coverage_of_an_unknown_chunk_is_zero(index: KeywordIndex) -> None:
    assert index.coverage("価値比率", "nope") == 0.0
