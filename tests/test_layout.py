"""Block classification and paragraph grouping on lines built from glyphs (no PDF).

Line texts are real lines of the seed texts and the dev version PDFs.
"""

from __future__ import annotations

import pytest

from ingest.footnotes import marker_spans
from ingest.layout import (
    PAGE_NUMBER,
    TextLine,
    breaks_before,
    classify,
    find_furniture,
    footnote_zone_start,
    make_line,
    measure,
    note_label,
    paragraphs,
    start_kind,
)
from ingest.normalize import is_wide
from ingest.pdf import RawChar, Rule
from models.document import BlockKind

BODY = 10.5


def glyphs(text: str, x0: float = 72.0, top: float = 100.0, size: float = BODY) -> list[RawChar]:
    """Glyphs laid out like the seed PDFs: CJK one em wide, Latin half an em."""
    out: list[RawChar] = []
    x = x0
    for ch in text:
        width = size if is_wide(ch) else (0.25 * size if ch == " " else 0.5 * size)
        out.append(RawChar(ch, x, x + width, top, top + size, size, "IPAexMincho"))
        x += width
    return out


def line(
    text: str, x0: float = 72.0, top: float = 100.0, size: float = BODY, page: int = 1
) -> TextLine:
    made = make_line(page, glyphs(text, x0, top, size))
    assert made is not None
    return made


START_KINDS = [
    pytest.param(
        "第十条 国はレアアース（希土類）資源の埋蔵量と種類の相違、",
        BlockKind.BODY,
        id="article-kanji",
    ),
    pytest.param("第三十条 本条例における以下の用語の意味：", BlockKind.BODY, id="article-30"),
    pytest.param("第 7 条）、企業に対する月次及び年次報告義務", None, id="wrapped-article-mention"),
    pytest.param("第 10 条では、国家は", None, id="article-mention-then-particle"),
    pytest.param("第一章 总 则", BlockKind.HEADING, id="zh-chapter"),
    pytest.param("第二部分", BlockKind.HEADING, id="part"),
    pytest.param("（一）经营者达成垄断协议；", BlockKind.LIST_ITEM, id="zh-paren-kanji"),
    pytest.param(
        "（2）中国原産のレアアース関連技術を用いて", BlockKind.LIST_ITEM, id="paren-digit"
    ),
    pytest.param(
        "一、国外の組織および個人（以下、“国外の特定輸出者”）は",
        BlockKind.LIST_ITEM,
        id="kanji-comma",
    ),
    pytest.param("１． 概要", BlockKind.LIST_ITEM, id="fullwidth-number"),
    pytest.param("① 中国国外における中国以外を仕向地とする", BlockKind.LIST_ITEM, id="circled"),
    pytest.param("■目的（第 1 条）", BlockKind.LIST_ITEM, id="square"),
    pytest.param("・同条例第 10 条では、国家は埋蔵量や", BlockKind.LIST_ITEM, id="nakaguro"),
    pytest.param(
        "\x00 最終用途が 14 ナノメートル以下の論理チップ", BlockKind.LIST_ITEM, id="wingdings"
    ),
    pytest.param("※10 月 30 日に米中首脳会談が行われ", BlockKind.BODY, id="kome-note"),
    pytest.param("【留意点】", BlockKind.BODY, id="bracket-label"),
    pytest.param("―レアアース管理条例の下位規則", BlockKind.BODY, id="subtitle-dash"),
    pytest.param("2025 年 11 月 7 日", None, id="date-line"),
    pytest.param("2.1 希土類（レアアース）：元素周期表の原子番号", None, id="decimal-clause"),
    pytest.param("56 号、57 号、58 号、および商務部公告 2025 年第 61 号", None, id="number-list"),
    pytest.param("（暫定）の制定", None, id="paren-word"),
    pytest.param("30 条）", None, id="wrapped-number"),
]


@pytest.mark.parametrize(("text", "expected"), START_KINDS)
def test_start_kind(text: str, expected: BlockKind | None) -> None:
    assert start_kind(line(text)) is expected


def _page(texts: list[tuple[str, float]], page: int = 1, top: float = 60.0) -> list[TextLine]:
    return [line(t, x0=x, top=top + 17.5 * i, page=page) for i, (t, x) in enumerate(texts)]


# A page of 000 (p.3): a heading, bullets and an indented second paragraph of an article.
PAGE = [
    ("の需要等の要素に基づいて、レアアース（希土類）採掘とレアアース（希土類）製錬・分", 82.5),
    ("離に対して総量規制を実行し、かつ動的管理を最適化する。", 72.0),
    ("レアアース（希土類）採掘企業とレアアース（希土類）製錬・分離企業は国の関連総量", 82.5),
    ("規制の管理規定を厳格に守らなければならない。", 72.0),
    ("■適用範囲（第 2 条、3 条）", 72.0),
    ("・同法における、管理対象となる「採掘」及び「製錬分離」の定義（第 2条）を規定している", 72.0),
    ("（「製錬分離」に関し、レアアース管理条例第 30 条に同趣旨の規定あり。", 72.0),
    ("第二条 本弁法にいうレアアースの採掘とは、バストネサイト、イオン吸着型レアアース、", 72.0),
    ("混合レアアース等の各種レアアース原鉱の採掘・選鉱を行い、レアアース鉱製品を作製する", 72.0),
    ("生産プロセスを指す。", 72.0),
]


def test_paragraphs_and_kinds_on_a_real_page() -> None:
    lines = _page(PAGE)
    metrics = measure([lines])
    blocks = paragraphs(lines, metrics)
    kinds = [classify(b, metrics, False) for b in blocks]
    texts = [b.text for b in blocks]
    assert texts == [
        "の需要等の要素に基づいて、レアアース（希土類）採掘とレアアース（希土類）製錬・分"
        "離に対して総量規制を実行し、かつ動的管理を最適化する。",
        "レアアース（希土類）採掘企業とレアアース（希土類）製錬・分離企業は国の関連総量"
        "規制の管理規定を厳格に守らなければならない。",
        "■適用範囲（第2条、3条）",
        "・同法における、管理対象となる「採掘」及び「製錬分離」の定義（第2条）を規定している"
        "（「製錬分離」に関し、レアアース管理条例第30条に同趣旨の規定あり。",
        "第二条本弁法にいうレアアースの採掘とは、バストネサイト、イオン吸着型レアアース、"
        "混合レアアース等の各種レアアース原鉱の採掘・選鉱を行い、レアアース鉱製品を作製する"
        "生産プロセスを指す。",
    ]
    assert kinds == [
        BlockKind.BODY,
        BlockKind.BODY,
        BlockKind.HEADING,
        BlockKind.LIST_ITEM,
        BlockKind.BODY,
    ]


def test_label_wrapped_mid_sentence_does_not_start_a_block() -> None:
    # 001 p.1: "…次頁①及び" / "②の措置）に関し…" is one sentence
    lines = _page(
        [
            (
                "整する」と発表していた。その後、11 月 7 日、10 月 9 日に発表された措置（次頁①及び",
                72.0,
            ),
            (
                "②の措置）に関し、以下のとおり、2026 年 11 月 10 日までの間、一時停止する旨の公告",
                72.0,
            ),
        ]
    )
    metrics = measure([lines])
    assert not breaks_before(lines[0], lines[1], metrics, lines[0])


def test_latin_lines_join_with_a_space() -> None:
    lines = _page(
        [
            ("Energy Department Announces Actions to Secure American Critical Minerals and", 72.0),
            ("Materials Supply Chain", 72.0),
        ]
    )
    blocks = paragraphs(lines, measure([lines]))
    assert [b.text for b in blocks] == [
        "Energy Department Announces Actions to Secure American Critical Minerals and "
        "Materials Supply Chain"
    ]


def test_title_and_chapter_heading() -> None:
    lines = [*_page([("中华人民共和国反垄断法", 72.0)]), line("第一章 总 则", top=166.0)]
    metrics = measure([lines])
    blocks = paragraphs(lines, metrics)
    assert [classify(b, metrics, i == 0) for i, b in enumerate(blocks)] == [
        BlockKind.HEADING,
        BlockKind.HEADING,
    ]


def test_larger_font_is_a_heading() -> None:
    lines = [line("Export Control Law", size=16.0), line("Article 1 This law applies.", top=130.0)]
    metrics = measure([lines])
    blocks = paragraphs(lines, metrics)
    assert classify(blocks[0], metrics, False) is BlockKind.HEADING


def test_page_numbers_and_running_header() -> None:
    first_lines = [
        "の密輸取り締まりの特別行動も展開している。",
        "の需要等の要素に基づいて、レアアース（希土類）採掘と",
        "アース産業の管理政策措置を研究等し、実施する（第7条）としている。",
    ]
    pages = []
    for number in range(1, 4):
        pages.append(
            [
                line("CISTEC 解説 2025.8.29", top=30.0, page=number),
                line(first_lines[number - 1], top=70.0, page=number),
                line("本文の二行目です。", top=117.5, page=number),
                line(f"- {number} -", x0=290.0, top=794.0, size=9.0, page=number),
                line(f"Page {number} of 3", x0=500.0, top=810.0, size=9.0, page=number),
            ]
        )
    kinds = find_furniture(pages, {1: 842.0, 2: 842.0, 3: 842.0})
    for page in pages:
        assert kinds[id(page[0])] is BlockKind.HEADER
        assert kinds[id(page[-2])] is BlockKind.PAGE_NUMBER
        assert kinds[id(page[-1])] in (BlockKind.PAGE_NUMBER, BlockKind.FOOTER)
        assert id(page[1]) not in kinds


def test_footnote_zone_under_a_rule() -> None:
    body = _page(
        [
            (
                "中国の工業情報化部、国家発展改革委員会及び自然資源部は 8月 22日、レアアースの採掘",
                82.5,
            ),
            ("及びレアアースの製錬分離の総量規制管理弁法（暫定）を公表 1した。", 72.0),
        ]
    )
    notes = [
        line("1 「稀土开采和稀土冶炼分离总量调控管理暂行办法」", top=590.0, size=8.0),
        line("https://www.miit.gov.cn/", top=601.0, size=8.0),
    ]
    lines = body + notes
    metrics = measure([lines])
    start = footnote_zone_start(lines, [Rule(72.0, 222.0, 584.0)], metrics, 595.0)
    assert start == len(body)


def test_small_print_without_rule_or_label_is_not_a_footnote() -> None:
    lines = _page([("本文の行です。これは本文の行です。これは本文の行です。", 72.0)] * 3)
    lines.append(line("（注意）小さな文字の但し書き", top=700.0, size=8.0))
    metrics = measure([lines])
    assert footnote_zone_start(lines, [], metrics, 595.0) == len(lines)


def test_superscript_digit_is_flagged_raised() -> None:
    row = glyphs("公表した", top=100.0)
    marker = RawChar("1", row[1].x1, row[1].x1 + 3.0, 97.0, 103.0, 6.0, "IPAexMincho")
    made = make_line(1, [*row[:2], marker, *row[2:]])
    assert made is not None
    assert made.text == "公表1した"
    assert [made.raised[i] for i in made.origin] == [False, False, True, False, False]


NOTE_LABELS = [
    pytest.param(
        "1 「稀土管理条例」（中華人民共和国国務院サイト 2024.6.29）", (1, 1), id="seed-note-1"
    ),
    pytest.param("10 本公告「七、」後段では、コンプライアンス告知書の", (10, 2), id="seed-note-10"),
    pytest.param("3 以下の２件。", (3, 1), id="seed-note-3"),
    pytest.param("30 条）", (30, 2), id="number-then-space-is-a-label-form"),
    pytest.param(
        "18（訳者注）「輸出管理規制リスト」については《中華人民共", (18, 2), id="ocr-glued-bracket"
    ),
    pytest.param(
        "17【商务部公告2025第61号公布对境外相关稀土物项实施出", (17, 2), id="ocr-glued-lenticular"
    ),
    pytest.param("1月に公布・施行された", None, id="month-glued"),
    pytest.param("2025 年 11 月 7 日", None, id="year"),
    pytest.param("2.1 希土類（レアアース）：", None, id="decimal-clause"),
    pytest.param("(3) See the notice of 9 October.", (3, 3), id="parenthesised"),
    pytest.param("注2 訳者による補足。", (2, 2), id="chu-label"),
    pytest.param("https://www.gov.cn/zhengce/content/202406/content_6960152.htm", None, id="url"),
]


@pytest.mark.parametrize(("text", "expected"), NOTE_LABELS)
def test_note_label(text: str, expected: tuple[int, int] | None) -> None:
    assert note_label(line(text, size=8.0)) == expected


def test_raised_note_label_needs_no_space() -> None:
    body = glyphs("See the notice.", x0=76.0, top=700.0, size=8.0)
    label = RawChar("4", 72.0, 75.0, 699.0, 704.0, 5.0, "Times")
    made = make_line(1, [label, *body])
    assert made is not None and note_label(made) == (4, 1)


def test_same_size_notes_under_a_short_rule_low_on_the_page() -> None:
    lines = _page([("本文の行です。これは本文の行です。これは本文の行です。", 72.0)] * 3)
    lines.append(line("5 コンプライアンス告知書の発行対象は以下のとおり。", top=700.0))
    metrics = measure([lines])
    rule = Rule(72.0, 222.0, 690.0)
    assert footnote_zone_start(lines, [rule], metrics, 595.0, 842.0) == 3
    assert footnote_zone_start(lines, [], metrics, 595.0, 842.0) == 4


def test_bold_single_line_is_a_heading() -> None:
    body = [line(t, top=100.0 + 17.5 * i) for i, (t, _) in enumerate(PAGE[:2])]
    bold = make_line(
        1,
        [
            RawChar(c.text, c.x0, c.x1, 150.0, 160.5, c.size, "MS-Gothic-Bold")
            for c in glyphs("概要と背景")
        ],
    )
    assert bold is not None
    lines = [*body, bold]
    metrics = measure([lines])
    blocks = paragraphs(lines, metrics)
    assert classify(blocks[-1], metrics, False) is BlockKind.HEADING


def test_table_cells_far_apart_stay_separated() -> None:
    left = glyphs("輸出者", x0=72.0)
    right = glyphs("中国国外の輸出者", x0=300.0)
    made = make_line(1, left + right)
    assert made is not None and made.text == "輸出者 中国国外の輸出者"
    near = make_line(1, glyphs("第十条", x0=72.0) + glyphs("国は", x0=72.0 + 3 * BODY + 5.0))
    assert near is not None and near.text == "第十条国は"  # a justified gap is not a cell


# Glued markers from the dev notes' "Traps in the PDFs" (text as normalised) and look-alikes:
# (text, note number, text with the marker taken out or None when there is no marker).
MARKERS = [
    pytest.param(
        "を公表1した（7月28日公布、施行）", 1, "を公表した（7月28日公布、施行）", id="公表1した"
    ),
    pytest.param(
        "レアアース管理条例2の下位規則", 2, "レアアース管理条例の下位規則", id="管理条例2の"
    ),
    pytest.param("（付属文書16第一部）", 6, "（付属文書1第一部）", id="付属文書1+6"),
    pytest.param("は付属文書111の要求により", 11, "は付属文書1の要求により", id="付属文書1+11"),
    pytest.param("付属文書212の要求により", 12, "付属文書2の要求により", id="付属文書2+12"),
    pytest.param(
        "解答その58（レアアース関連品目）", 8, "解答その5（レアアース関連品目）", id="その5+8"
    ),
    pytest.param("解答その47（レアアース）", 7, "解答その4（レアアース）", id="その4+7"),
    pytest.param("一般的に第18号公告9の規制範囲", 9, "一般的に第18号公告の規制範囲", id="公告9の"),
    pytest.param("は8月22日、レアアース", 2, None, id="date-8月22日"),
    pytest.param("同条例第10条に基づく", 10, None, id="ordinal-第10条"),
    pytest.param("（CISTEC解説2025.4.7/改訂版同4.24）", 4, None, id="dotted-date"),
    pytest.param(
        "https://www.gov.cn/zhengce/content/202406/content_6960152.htm", 2, None, id="url"
    ),
    pytest.param("技術及びその媒体（規制コード：1E902.a）", 1, None, id="control-code"),
    pytest.param("生産国内において移転（※1）又は外国に", 1, None, id="kome-label"),
    pytest.param("ガドリニウム等の7種のレアアース", 7, None, id="counter-種"),
    pytest.param("G7サミットで", 7, None, id="name-G7"),
    pytest.param("1.レアアース管理条例", 1, None, id="block-start-label"),
]


@pytest.mark.parametrize(("text", "number", "clean"), MARKERS)
def test_glued_marker_spans(text: str, number: int, clean: str | None) -> None:
    spans = marker_spans(text, number)
    if clean is None:
        assert spans == []
    else:
        start, end = spans[0]
        assert text[:start] + text[end:] == clean


@pytest.mark.parametrize(
    ("text", "is_page_number"),
    [("1", True), ("- 12 -", True), ("－3－", True), ("— 4 —", True), ("Page 5 of 26", True),
     ("第2页共9页", True), ("3/15", True), ("iv", True), ("2025", True), ("第1条", False),
     ("30 条）", False), ("以上", False)],
)  # fmt: skip
def test_page_number_forms(text: str, is_page_number: bool) -> None:
    assert bool(PAGE_NUMBER.match(text)) is is_page_number


def _latin(text: str, advance: float) -> list[RawChar]:
    """Glyphs at a fixed advance (Times ``l`` is 0.28 em wide)."""
    return [
        RawChar(ch, 72.0 + i * advance, 72.0 + (i + 1) * advance, 100.0, 110.0, 10.0, "Times")
        for i, ch in enumerate(text)
    ]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        pytest.param(_latin("shall", 2.78), "shall", id="doubled-narrow-letter-kept"),
        pytest.param(_latin("will", 2.78), "will", id="ll-in-will"),
        pytest.param(
            [g for c in glyphs("概要") for g in (c, RawChar(c.text, c.x0 + 0.4, c.x1 + 0.4,
             c.top, c.bottom, c.size, c.fontname))],
            "概要",
            id="fake-bold-overprint-dropped",
        ),
    ],
)  # fmt: skip
def test_fake_bold_and_doubled_letters(row: list[RawChar], expected: str) -> None:
    made = make_line(1, row)
    assert made is not None and made.text == expected


@pytest.mark.parametrize(
    ("readings", "furniture"),
    [
        # OCR of one running header on four scanned pages (ja_gx_suishin_2024, 200 dpi)
        (
            [
                "脱炭素成長型経済構造への円滑な移行の推進に関する法律",
                "脱由素成長型経済構造への円滑な移行の推進に関する法律",
                "脱素成長型経済構造への円滑な移行の推進に関する法律",
                "脱災素成長型経済構造への円滑な移行の推進に関する法律",
            ],
            True,
        ),
        # the same for a MOFCOM notice's header (zh_mofcom_2025_58_lithium)
        (
            [
                "锂电池相关物项出口管制决定(通知公告转载节选)",
                "但电池相关物项出口管制决定(通知公告转我和节选)",
            ],
            True,
        ),
        # first lines that only share a few words stay text
        (
            [
                "第一条　この法律は、脱炭素成長型経済構造への円滑な移行を推進するため",
                "第十条　政府は、脱炭素成長型経済構造移行債の発行に関する事務を行う。",
                "第二十条　機構は、脱炭素成長型経済構造への円滑な移行の推進に資する",
                "第三十条　機構の役員として、理事長一人、理事四人以内及び監事一人を置く。",
            ],
            False,
        ),
    ],
    ids=["ocr-header-statute", "ocr-header-notice", "different-first-lines"],
)
def test_a_running_header_read_a_little_differently_is_still_furniture(
    readings: list[str], furniture: bool
) -> None:
    pages = [
        [
            line(text, top=30.0, page=number),
            line("本文の一行目です。", top=100.0, page=number),
            line("本文の二行目です。", top=130.0, page=number),
        ]
        for number, text in enumerate(readings, start=1)
    ]
    kinds = find_furniture(pages, dict.fromkeys(range(1, len(pages) + 1), 842.0))
    assert [id(page[0]) in kinds for page in pages] == [furniture] * len(pages)


OCR_SIZE = 9.5  # what a scan measures for 10.5 pt type (ingest.ocr.chars: ~0.91x)
# 43 ems
FULL = "包括但不限於錠、塊、珠、顆粒、粉末等形態。參考海關商品編號：包括但不限於錠、塊、珠、顆"


@pytest.mark.parametrize(
    ("previous", "following", "breaks"),
    [
        # antimony notice (unseen zht_mofcom_2024_33) on a scan: 99.99999% wrapped after "99."
        pytest.param(
            "6.銻化銦，具有以下所有特性：位錯密度小於50個/平方厘米的單晶，以及多晶純度大於99.",
            "99999%的多晶，包括但不限於錠（棒）、塊、片、靶材、顆粒",
            False,
            id="decimal-wrapped",
        ),
        pytest.param(
            "金屬銻及其製品，包括但不限於錠、塊、珠等形態。", "99%的多晶", True, id="sentence-end"
        ),
        # a list item after a numbered line stays a list item
        pytest.param(
            "1.銻礦及原料，包括但不限於塊、顆粒、粉末、結晶體等形態，參考海關商品編號：其1.",
            "2.金屬銻及製品",
            True,
            id="next-item",
        ),
    ],
)
def test_a_number_wrapped_at_its_decimal_point(previous: str, following: str, breaks: bool) -> None:
    lines = [
        line(text, x0=50.0, top=60.0 + 17.0 * i, size=OCR_SIZE)
        for i, text in enumerate([FULL, FULL, FULL, previous, following, FULL])
    ]
    metrics = measure([lines])
    assert not metrics.is_full(lines[3])  # short of the measure by more than its slack
    assert breaks_before(lines[3], lines[4], metrics, lines[3]) is breaks


# A title a point or two above the body (unseen4: 14 pt over 12.5, a MOFCOM Q&A repost) that
# nearly fills the measure is no line of the paragraph under it; body lines alike still join.
@pytest.mark.parametrize(
    ("sizes", "breaks"),
    [
        pytest.param((14.0, 12.5), True, id="title-over-body"),
        pytest.param((12.5, 12.5), False, id="body-over-body"),
        pytest.param((12.7, 12.5), False, id="size-noise"),
    ],
)
def test_a_title_a_little_larger_than_the_body(sizes: tuple[float, float], breaks: bool) -> None:
    first, second = sizes
    title = "商务部新闻发言人就调整不可靠实体清单措施答记者问"
    body = "二〇二五年十一月五日，中华人民共和国商务部网站更新商"  # as wide as the title
    lines = [line(title, x0=60.0, top=60.0, size=first)] + [
        line(body, x0=60.0, top=60.0 + 22.0 * i, size=second) for i in range(1, 8)
    ]
    metrics = measure([lines])
    assert breaks_before(lines[0], lines[1], metrics, lines[0]) is breaks
