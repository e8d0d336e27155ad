"""Character normalisation of printed lines (lines taken from the seed texts and dev PDFs)."""

from __future__ import annotations

import pytest

from ingest.normalize import fold, is_wide, line_separator, normalize_glyphs, normalize_text

LINES = [
    pytest.param(
        "中国の工業情報化部、国家発展改革委員会及び自然資源部は 8月 22日、レアアースの採掘",
        "中国の工業情報化部、国家発展改革委員会及び自然資源部は8月22日、レアアースの採掘",
        id="date-8月22日",
    ),
    pytest.param(
        "行）。昨年 10 月に公布・施行されたレアアース管理条例 2の下位規則となる。",
        "行）。昨年10月に公布・施行されたレアアース管理条例2の下位規則となる。",
        id="spaced-month-and-glued-marker-kept",
    ),
    pytest.param(
        "今般、公表された同法は、レアアースの総量規制管理を強化するため（第 1 条）、レアアー",
        "今般、公表された同法は、レアアースの総量規制管理を強化するため（第1条）、レアアー",
        id="article-第1条",
    ),
    pytest.param(
        "【発布期日】2025 年 11 月 7 日", "【発布期日】2025年11月7日", id="date-2025年11月7日"
    ),
    pytest.param("2025.10.9／改訂 5 版同 11.10", "2025.10.9／改訂5版同11.10", id="dotted-dates"),
    pytest.param("１. レアアース管理条例", "1.レアアース管理条例", id="fullwidth-digit-heading"),
    pytest.param("１． 概要", "1．概要", id="fullwidth-period-kept"),
    pytest.param(
        "（CISTEC 解説 2025.4.7/改訂版同 4.24）",
        "（CISTEC解説2025.4.7/改訂版同4.24）",
        id="latin-next-to-kanji",
    ),
    pytest.param(
        "Apple expands U.S. supply chain with $500 mil ion commitment",
        "Apple expands U.S. supply chain with $500 mil ion commitment",
        id="latin-spaces-kept",
    ),
    pytest.param(
        "商務部・海関総署公告 2025 年第 70 号 商務部・海関総署公告 2025 年第 55 号、56 号、57",
        "商務部・海関総署公告2025年第70号商務部・海関総署公告2025年第55号、56号、57",
        id="announcement-numbers",
    ),
    pytest.param("第一章 总 则", "第一章总则", id="zh-chapter-letterspaced"),
    pytest.param(
        "（一）经营者达成垄断协议；", "（一）经营者达成垄断协议；", id="zh-list-unchanged"
    ),
    pytest.param(
        "久磁石に占める中国原産の一部の中重レアアースの価値比率が 0.1 以上の",
        "久磁石に占める中国原産の一部の中重レアアースの価値比率が0.1以上の",
        id="decimal",
    ),
    pytest.param(
        "Ｃ自動車メーカーに国内移転する場合",
        "C自動車メーカーに国内移転する場合",
        id="fullwidth-letter",
    ),
    pytest.param("その４7", "その47", id="fullwidth-digit-before-marker"),
    pytest.param("割合が０．１％以上", "割合が0.1％以上", id="fullwidth-decimal-point"),
    pytest.param("⾦属製錬", "金属製錬", id="kangxi-radical"),
    pytest.param("ｶﾀｶﾅ", "カタカナ", id="halfwidth-katakana"),
    pytest.param(
        "\x00 レアアースの採掘、製錬分離", "・レアアースの採掘、製錬分離", id="wingdings-nul-bullet"
    ),
    pytest.param(
        "\uf06c 最終用途が 14 ナノメートル以下", "・最終用途が14ナノメートル以下", id="pua-bullet"
    ),
    pytest.param("措置\x00 の", "措置の", id="nul-inside-dropped"),
    # A drawn U+3000 next to CJK is a field separator (label, term, definition) and stays.
    pytest.param(
        "①\u3000中国国外における", "①\u3000中国国外における", id="circled-number-ideographic-space"
    ),
    pytest.param(
        "一\u3000法令\u3000法律、政令", "一\u3000法令\u3000法律、政令", id="go-term-definition"
    ),
    pytest.param("２\u3000機構は", "2\u3000機構は", id="paragraph-number-ideographic-space"),
    pytest.param("第一章\u3000\u3000総則", "第一章\u3000総則", id="ideographic-space-run-is-one"),
    pytest.param("\u3000\u3000第一条", "第一条", id="leading-ideographic-indent-dropped"),
    pytest.param("2025 年 10 月", "2025年10月", id="ascii-padding-still-dropped"),
    pytest.param(
        "https://www.cistec.or.jp/service/uschina/20240704.pdf",
        "https://www.cistec.or.jp/service/uschina/20240704.pdf",
        id="url",
    ),
    pytest.param("  leading and   inner  ", "leading and inner", id="space-runs"),
]


@pytest.mark.parametrize(("raw", "expected"), LINES)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_origin_maps_every_clean_char_to_its_glyph() -> None:
    glyphs = list("第 10 条")
    line = normalize_glyphs(glyphs)
    assert line.text == "第10条"
    assert [glyphs[i] for i in line.origin] == ["第", "1", "0", "条"]


def test_letter_spaced_cjk_gets_no_space_but_latin_words_do() -> None:
    # gaps between glyphs (justified/letter-spaced text) rather than drawn spaces
    cjk = normalize_glyphs(list("第十条国は"), [False, True, True, True, True])
    latin = normalize_glyphs(
        ["S", "e", "e", "A", "n", "n", "e", "x"], [False] * 3 + [True] + [False] * 4
    )
    assert cjk.text == "第十条国は"
    assert latin.text == "See Annex"


def test_unmapped_glyphs_are_counted() -> None:
    assert normalize_glyphs(["\x00", " ", "技", "\x00"]).unmapped == 2


@pytest.mark.parametrize(
    ("glyph", "expected"),
    [
        pytest.param("（", "（", id="fullwidth-paren-kept"),
        pytest.param("：", "：", id="fullwidth-colon-kept"),
        pytest.param("…", "…", id="ellipsis-kept"),
        pytest.param("Ⅱ", "Ⅱ", id="roman-numeral-kept"),
        pytest.param("ﬁ", "fi", id="ligature"),
        pytest.param("(cid:12)", "\ufffc", id="cid-unmapped"),
        pytest.param("\u00ad", "", id="soft-hyphen"),
    ],
)
def test_fold(glyph: str, expected: str) -> None:
    assert fold(glyph) == expected


@pytest.mark.parametrize(
    ("ch", "wide"),
    [("の", True), ("中", True), ("、", True), ("（", True), ("①", True), ("■", True),
     ("・", True), ("A", False), ("1", False), ("(", False), ("é", False)],
)  # fmt: skip
def test_is_wide(ch: str, wide: bool) -> None:
    assert is_wide(ch) is wide


SEPARATORS = [
    pytest.param("本年5月には、レアアース等の戦略鉱物資源", "の密輸取り締まり", True, "", id="cjk"),
    pytest.param(
        "Energy Department Announces Actions to", "Secure American", True, " ", id="latin"
    ),
    pytest.param("56号、57号、58号", "2025年", True, "", id="cjk-before-digits"),
    pytest.param(
        "https://www.miit.gov.cn/gyhxxhb/jgsj/cyzcyfgs/bmgz/qtl/art/2025/art_65cd2bd5d170440da54ffc631839a724",
        ".html（別紙1：CISTEC仮訳）",
        False,
        "",
        id="url-continued-by-path",
    ),
    pytest.param("see https://example.org/a", "and more", False, " ", id="url-then-words"),
    pytest.param("the regu-", "lation applies", True, "", id="hyphenated"),
]


@pytest.mark.parametrize(("previous", "following", "full", "expected"), SEPARATORS)
def test_line_separator(previous: str, following: str, full: bool, expected: str) -> None:
    assert line_separator(previous, following, full) == expected


def test_tab_wide_gap_keeps_a_space_between_cjk_cells() -> None:
    # 001 p.1 signature block "商務部・海関総署" ... "2025年11月7日" set apart on one line
    glyphs = list("商務部2025年")
    columns = [False, False, False, True, False, False, False, False]
    line = normalize_glyphs(
        glyphs, [False, False, False, True, False, False, False, False], columns
    )
    assert line.text == "商務部 2025年"
