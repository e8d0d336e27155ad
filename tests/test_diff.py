"""Version diff: alignment, inline token diffs, field changes (dev pairs + synthetic edits)."""

from __future__ import annotations

import json

import pytest

from corpus.align import mask_cross_references, normalise
from corpus.diff import diff_versions, inline_diff
from corpus.tokens import _dictionary_segmenter, tokenize
from models.diff import VersionDiff
from models.records import Article, Definition, Item, ItemList, Record
from tests.version_factories import VERSIONS_DIR, article, date, threshold, truth_articles

PAIRS = {
    "rare_earth_draft_final": ("rare_earth_measures_draft", "rare_earth_measures_final"),
    "anti_monopoly_2007_2022": ("anti_monopoly_law_2007", "anti_monopoly_law_2022"),
}


def _expected(old: str, new: str) -> dict:
    name = f"{old}__{new.rsplit('_', 1)[1]}.json"
    return json.loads((VERSIONS_DIR / name).read_text(encoding="utf-8"))


def _rows(diff: VersionDiff) -> list[list[object]]:
    return [[r.old, r.new, r.status] for r in diff.alignment]


def _renumbered(articles: list[Article], drop: int) -> list[Article]:
    """``articles`` without article ``drop``, later ones renumbered down by one."""
    kept = [a for a in articles if a.number != drop]
    return [
        article(i, a.body, label=f"第{i}条", law=a.law or "法") for i, a in enumerate(kept, start=1)
    ]


@pytest.fixture(scope="module", params=sorted(PAIRS), ids=sorted(PAIRS))
def dev_pair(request: pytest.FixtureRequest) -> tuple[dict, VersionDiff]:
    old, new = PAIRS[request.param]
    diff = diff_versions(truth_articles(old), truth_articles(new), old, new, tokenizer="fast")
    return _expected(old, new), diff


# --- alignment ----------------------------------------------------------------------------------


def test_dev_pair_alignment_matches_truth(dev_pair: tuple[dict, VersionDiff]) -> None:
    expected, diff = dev_pair
    assert _rows(diff) == expected["alignment"]


def test_dev_pair_splits_and_merges_match_truth(dev_pair: tuple[dict, VersionDiff]) -> None:
    expected, diff = dev_pair
    assert (diff.splits, diff.merges) == (expected["splits"], expected["merges"])


def test_inserted_article_renumbers_the_tail_without_changing_it() -> None:
    final = truth_articles("rare_earth_measures_final")
    without_11 = _renumbered(final, drop=11)
    diff = diff_versions(without_11, final, "a", "b", tokenizer="fast")
    statuses = {r.new: r.status for r in diff.alignment}
    assert statuses[11] == "added"
    assert all(statuses[n] == "renumbered" for n in range(12, 18))
    assert all(statuses[n] == "unchanged" for n in range(1, 11))


def test_deleted_article_is_removed_and_later_ones_renumbered() -> None:
    final = truth_articles("rare_earth_measures_final")
    diff = diff_versions(final, _renumbered(final, drop=4), "a", "b", tokenizer="fast")
    assert [r.old for r in diff.alignment[:3]] == [1, 2, 3]
    assert _rows(diff)[3] == [4, None, "removed"]
    assert [5, 4, "renumbered"] in _rows(diff)


def test_article_moved_out_of_order_is_moved() -> None:
    final = truth_articles("rare_earth_measures_final")[:8]
    bodies = [a.body for a in final]
    reordered = [bodies[0], bodies[6], *bodies[1:6], bodies[7]]  # 7 becomes 2
    new = [article(i, b) for i, b in enumerate(reordered, start=1)]
    old = [article(i, b) for i, b in enumerate(bodies, start=1)]
    rows = _rows(diff_versions(old, new, "a", "b", tokenizer="fast"))
    assert [7, 2, "moved"] in rows
    assert [2, 3, "renumbered"] in rows
    assert all(r[2] != "removed" and r[2] != "added" for r in rows)


def test_two_articles_merged_into_one_are_a_merge() -> None:
    draft = truth_articles("rare_earth_measures_draft")
    final = truth_articles("rare_earth_measures_final")
    # Reverse the planted split: final 8 + 9 → draft 8 read backwards is a merge.
    diff = diff_versions(final, draft, "final", "draft", tokenizer="fast")
    assert diff.merges == [{"old": [8, 9], "new": [8]}]
    assert [9, None, "removed"] in _rows(diff)
    assert any(c.kind == "article" and c.change == "merged" for c in diff.field_changes)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("不适用本法第十三条、第十四条的规定", "不适用本法第#条、第#条的规定"),
        ("依据本法第二十八条、第二十九条作出的决定", "依据本法第#条、第#条作出的决定"),
        ("レアアース管理条例第十条", "レアアース管理条例第#条"),
    ],
    ids=["zh_pair", "zh_double_digit", "ja_law_article"],
)
def test_cross_references_are_masked_for_similarity(text: str, expected: str) -> None:
    assert mask_cross_references(normalise(text)) == expected


def test_reference_only_change_is_still_modified() -> None:
    expected = _expected(*PAIRS["anti_monopoly_2007_2022"])
    old = truth_articles("anti_monopoly_law_2007")
    new = truth_articles("anti_monopoly_law_2022")
    diff = diff_versions(old, new, "2007", "2022", tokenizer="fast")
    row = next(r for r in diff.alignment if r.old == 25)
    assert (row.new, row.status, row.similarity) == (30, "modified", 1.0)
    assert [25, 30, "modified"] in expected["alignment"]


# --- tokens and inline diffs ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("含有量が0.05%以上のもの", "0.05%"),
        ("毎月10日までに入力しなければならない", "10日"),
        ("可以处五十万元以下的罚款", "五十万元"),
        ("上一年度销售额百分之十以下", "百分之十"),
        ("規制番号1E902.aに該当する技術", "1E902.a"),
        ("2025年5月1日より施行する", "2025年"),
    ],
    ids=["percent", "day", "kanji_yuan", "zh_percent", "control_code", "year"],
)
def test_numbers_stay_one_token(text: str, token: str) -> None:
    tokens = tokenize(text, backend="fast")
    assert token in tokens
    assert "".join(tokens) == text


INLINE_CASES = [
    ("毎月15日までに先月度の情報を入力", "毎月10日までに先月度の情報を入力", ["15日"], ["10日"]),
    ("含有量0.1%以上の製品", "含有量0.05%以上の製品", ["0.1%"], ["0.05%"]),
    (
        "翌年度の総量規制指標を削減する。",
        "翌年度の総量規制指標を審査の上削減する。",
        [],
        ["審査の上"],
    ),
    (
        "尚未实施所达成的垄断协议的，可以处五十万元以下的罚款。",
        "尚未实施所达成的垄断协议的，可以处三百万元以下的罚款。",
        ["五十万元"],
        ["三百万元"],
    ),
]
INLINE_IDS = ["ja_deadline", "ja_percent", "ja_wording", "zh_fine"]


def _edits(old: str, new: str, backend: str) -> tuple[list[str], list[str]]:
    ops = inline_diff(old, new, backend)  # type: ignore[arg-type]
    assert "".join(o.text for o in ops if o.op != "insert") == old
    assert "".join(o.text for o in ops if o.op != "delete") == new
    return [o.text for o in ops if o.op == "delete"], [o.text for o in ops if o.op == "insert"]


@pytest.mark.parametrize(("old", "new", "deleted", "inserted"), INLINE_CASES, ids=INLINE_IDS)
def test_inline_diff_fast_tokenizer(old: str, new: str, deleted: list, inserted: list) -> None:
    assert _edits(old, new, "fast") == (deleted, inserted)


@pytest.mark.slow
@pytest.mark.parametrize(("old", "new", "deleted", "inserted"), INLINE_CASES, ids=INLINE_IDS)
def test_inline_diff_spacy_tokenizer(old: str, new: str, deleted: list, inserted: list) -> None:
    assert _edits(old, new, "spacy") == (deleted, inserted)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "expected_words"),
    [
        ("翌年度の総量規制指標を審査の上削減する。", ["審査", "削減"]),
        ("可以处三百万元以下的罚款", ["罚款", "三百万元"]),
    ],
    ids=["ginza_ja", "jieba_zh"],
)
def test_spacy_segments_words(text: str, expected_words: list[str]) -> None:
    tokens = tokenize(text)
    assert all(w in tokens for w in expected_words)
    assert "".join(tokens) == text


# --- field changes ------------------------------------------------------------------------------


def _rare_earth_with_mentions() -> tuple[list[Record], list[Record]]:
    """Dev rare-earth pair plus the mentions the planted changes touch, as extraction gives them."""
    draft: list[Record] = [*truth_articles("rare_earth_measures_draft")]
    final: list[Record] = [*truth_articles("rare_earth_measures_final")]
    law = str(draft[0].law)
    draft += [
        threshold(9, "毎月15日まで", law=law, value=15, recurrence="monthly"),
        date(15, "2025年5月1日", "2025-05-01", law=law),
        date(15, "2012年6月13日", "2012-06-13", role="promulgated", offset=40, law=law),
        date(None, "2025年2月19日", "2025-02-19", role="published", law=law),
    ]
    final += [
        threshold(10, "毎月10日まで", law=law, value=10, recurrence="monthly"),
        date(17, "公布の日", "2025-07-28", law=law).model_copy(update={"relative": True}),
        date(17, "2012年6月13日", "2012-06-13", role="promulgated", offset=40, law=law),
        date(None, "2025年7月28日", "2025-07-28", role="promulgated", law=law),
    ]
    return draft, final


@pytest.fixture(scope="module")
def rare_earth_diff() -> VersionDiff:
    draft, final = _rare_earth_with_mentions()
    return diff_versions(draft, final, "draft", "final", tokenizer="fast")


def _keys(diff: VersionDiff) -> set[tuple[object, ...]]:
    return {
        (c.kind, c.change, c.old_article, c.new_article, c.old, c.new) for c in diff.field_changes
    }


@pytest.mark.parametrize(
    "key",
    [
        ("threshold", "changed", 9, 10, "毎月15日まで", "毎月10日まで"),
        ("date", "changed", 15, 17, "2025-05-01", "2025-07-28"),
        ("date", "changed", None, None, "2025-02-19", "2025-07-28"),
    ],
    ids=["deadline_15_to_10", "effective_date", "issuing_line_date"],
)
def test_planted_mention_changes_are_found(rare_earth_diff: VersionDiff, key: tuple) -> None:
    assert key in _keys(rare_earth_diff)


def test_changes_are_exactly_the_planted_ones(rare_earth_diff: VersionDiff) -> None:
    kinds = sorted(
        ((c.kind, c.change, c.old_article, c.new_article) for c in rare_earth_diff.field_changes),
        key=str,
    )
    assert kinds == [
        ("article", "added", None, 11),
        ("article", "split", 8, 9),
        ("date", "changed", 15, 17),
        ("date", "changed", None, None),
        ("threshold", "changed", 9, 10),
        ("wording", "changed", 12, 14),
    ]


def test_summaries_read_as_one_line(rare_earth_diff: VersionDiff) -> None:
    summaries = {c.kind: c.summary for c in rare_earth_diff.field_changes if c.new_article == 10}
    assert summaries["threshold"] == "threshold 毎月15日まで → 毎月10日まで"
    dated = next(c.summary for c in rare_earth_diff.field_changes if c.new_article == 17)
    assert dated.startswith("effective 2025-05-01 → 2025-07-28")


def test_threshold_in_added_article_is_added() -> None:
    old = [article(1, "経営者は届け出なければならない。")]
    new = [*old, article(2, "違反した場合、二倍以上五倍以下の罰金を科す。")]
    new_records: list[Record] = [*new, threshold(2, "二倍以上五倍以下", unit="times", min=2, max=5)]
    diff = diff_versions(list(old), new_records, "a", "b", tokenizer="fast")
    assert ("threshold", "added", None, 2, None, "二倍以上五倍以下") in _keys(diff)


def test_identical_text_reports_no_field_change_even_if_extraction_differs() -> None:
    body = "企業は毎月10日までに報告しなければならない。"
    old: list[Record] = [article(1, body), threshold(1, "毎月10日まで")]
    new: list[Record] = [article(1, body)]  # the extractor missed it this time
    diff = diff_versions(old, new, "a", "b", tokenizer="fast")
    assert diff.field_changes == []
    assert diff.alignment[0].status == "unchanged"


def _item_list(number: int, codes: list[str]) -> ItemList:
    base = article(number, "")
    return ItemList(
        id=f"t:list:{number}",
        law="法",
        article=number,
        text="",
        provenance=base.provenance,
        heading="規制対象品目",
        items=[Item(text=f"技術{c}", code=c) for c in codes],
    )


def test_control_codes_added_and_removed() -> None:
    old: list[Record] = [
        article(1, "次の品目を規制する。1E902.a、1E902.b"),
        _item_list(1, ["1E902.a", "1E902.b"]),
    ]
    new: list[Record] = [
        article(1, "次の品目を規制する。1E902.a、1E902.c"),
        _item_list(1, ["1E902.a", "1E902.c"]),
    ]
    diff = diff_versions(old, new, "a", "b", tokenizer="fast")
    codes = {(c.change, c.old, c.new) for c in diff.field_changes if c.kind == "code"}
    assert codes == {("removed", "1E902.b", None), ("added", None, "1E902.c")}


def _definition(number: int, term: str, meaning: str) -> Definition:
    base = article(number, meaning)
    return Definition(
        id=f"t:def:{number}",
        law="法",
        article=number,
        text=meaning,
        provenance=base.provenance,
        term=term,
        definition=meaning,
    )


def test_changed_definition_is_reported() -> None:
    old_body = "本法所称经营者，是指从事商品生产、经营或者提供服务的自然人、法人和其他组织。"
    new_body = "本法所称经营者，是指从事商品生产、经营或者提供服务的自然人、法人和非法人组织。"
    old: list[Record] = [article(12, old_body), _definition(12, "经营者", old_body[8:])]
    new: list[Record] = [article(15, new_body), _definition(15, "经营者", new_body[8:])]
    diff = diff_versions(old, new, "2007", "2022", tokenizer="fast")
    changed = [c for c in diff.field_changes if c.kind == "definition"]
    assert [(c.change, c.old_article, c.new_article) for c in changed] == [("changed", 12, 15)]


def test_json_schema_and_round_trip(rare_earth_diff: VersionDiff) -> None:
    restored = VersionDiff.model_validate_json(rare_earth_diff.model_dump_json())
    assert restored == rare_earth_diff
    assert "alignment" in VersionDiff.model_json_schema()["properties"]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        pytest.param(
            "ja",
            "レアアース生産企業は当該企業に対する総量規制指標の実施状況に対して責任を負う。",
            id="ja-sudachi",
        ),
        pytest.param("zh", "经营者不得滥用市场支配地位，排除、限制竞争。", id="zh-jieba"),
    ],
)
def test_word_tokens_from_several_threads_at_once(lang: str, text: str) -> None:
    """Diffs run on several threads (an upload's alert beside a /diff page, ``check``):
    SudachiPy's tokenizer is not re-entrant and raised "Already borrowed" when shared."""
    from concurrent.futures import ThreadPoolExecutor

    long_text = text * 20
    expected = tokenize(long_text, lang)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: tokenize(long_text, lang), range(200)))
    assert all(r == expected for r in results)


# Whitespace is where a hand-made alignment drifts from spaCy's: runs of spaces, a space
# after a word (spaCy's ``whitespace_``), U+3000, leading and trailing gaps.
SEGMENTER_PARITY = [
    pytest.param("翌年度の総量規制指標を審査の上削減する。", "ja", id="ja-plain"),
    pytest.param("第五条  出口経営者は　 許可を申請する。 ", "ja", id="ja-space-runs"),
    pytest.param(" 第１条　目的\n 本法は、輸出管理を定める。", "ja", id="ja-leading-space"),
    pytest.param("可以处 三百万元  以下的罚款 ", "zh", id="zh-space-runs"),
    pytest.param("第十条　出口经营者应当 向商务部申请许可。", "zh", id="zh-ideographic-space"),
    pytest.param("   ", "zh", id="spaces-only"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("text", "lang"), SEGMENTER_PARITY)
def test_dictionary_segments_equal_spacys(text: str, lang: str) -> None:
    """The segmenters run without spaCy, cutting as spaCy's ja (GiNZA) / zh (jieba) did."""
    spacy = pytest.importorskip("spacy")
    nlp = (
        spacy.load("ja_ginza", exclude=["parser", "ner", "attribute_ruler"])
        if lang == "ja"
        else spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    )
    expected = [part for t in nlp.make_doc(text) for part in (t.text, t.whitespace_) if part]
    segment = _dictionary_segmenter(lang)
    assert segment is not None
    assert segment(text) == expected


def test_diff_tokens_load_neither_spacy_nor_torch() -> None:
    """The writer of a parallel add diffs versions: spaCy (and torch through thinc) would cost
    it seconds and ~600 MB on the serial path."""
    import subprocess
    import sys

    code = (
        "import sys\nfrom corpus.tokens import tokenize\n"
        "assert len(tokenize('翌年度の総量規制指標を審査の上削減する。', 'ja')) > 5\n"
        "assert len(tokenize('可以处三百万元以下的罚款', 'zh')) > 3\n"
        "print(sorted(m for m in ('spacy', 'thinc', 'torch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
