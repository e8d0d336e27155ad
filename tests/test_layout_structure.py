"""Layouts unlike the seeds': right-aligned and centred lines, table rows, word-wrapped
lines, out-of-sequence footnotes, two-column pages.

Synthetic lines and pages are built from glyphs (no fonts needed), with texts from the
held-out set (tests/data/heldout/texts_*.py); the committed held-out PDFs are read as is.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from ingest.columns import find_gutter
from ingest.footnotes import split_notes
from ingest.layout import TextLine, classify, make_line, measure, paragraphs
from ingest.lines import _cluster_rows
from ingest.normalize import is_wide
from ingest.pdf import RawChar, RawPage, RawPdf
from ingest.pipeline import build_document, ingest_pdf
from models.document import BlockKind, Document
from tests.test_layout import glyphs, line

HELDOUT = Path(__file__).resolve().parent / "data" / "heldout"
LEFT, RIGHT, SIZE = 72.0, 492.0, 10.5  # 40 CJK characters to a line
PITCH = 17.5
_ARTICLE = (
    "前款所称两用物项，是指既有民事用途，又有军事用途或者有助于提升军事潜力，特别是可以用于"
    "设计、开发、生产或者使用大规模杀伤性武器及其运载工具的货物、技术和服务。"
)
BODY_LINES = [_ARTICLE[i : i + 40] for i in range(0, len(_ARTICLE), 40)]


def text_width(text: str, size: float = SIZE) -> float:
    return sum(size if is_wide(ch) else (0.25 if ch == " " else 0.5) * size for ch in text)


def right_aligned(text: str, top: float, size: float = SIZE) -> TextLine:
    return line(text, x0=RIGHT - text_width(text, size), top=top, size=size)


def centred(text: str, top: float, size: float = SIZE) -> TextLine:
    return line(text, x0=(LEFT + RIGHT - text_width(text, size)) / 2, top=top, size=size)


def body(top: float) -> list[TextLine]:
    """A paragraph that fixes the column's edges for ``measure``."""
    return [line(t, top=top + PITCH * i) for i, t in enumerate(BODY_LINES)]


def flat(text: str) -> str:
    """Block text without the ideographic spaces the text keeps as field separators: these
    tests are about where blocks start and end, not about spacing."""
    return text.replace("\u3000", "")


def block_texts(lines: list[TextLine]) -> list[str]:
    return [flat(b.text) for b in paragraphs(lines, measure([lines]))]


# ---------------------------------------------------------------------------- alignment

RIGHT_ALIGNED = [
    pytest.param(
        ["2024年10月15日", "一般財団法人　安全保障貿易情報センター　調査研究部"],
        "1．概要",
        ["2024年10月15日", "一般財団法人安全保障貿易情報センター調査研究部", "1．概要"],
        id="ja-dateline-author-then-heading",
    ),
    pytest.param(
        ["总理　李强", "2024年9月30日"], None, ["总理李强", "2024年9月30日"], id="zh-signature"
    ),
    pytest.param(
        ["商务部　海关总署", "2023年7月3日"],
        None,
        ["商务部海关总署", "2023年7月3日"],
        id="zh-issuers",
    ),
]


@pytest.mark.parametrize(("lines", "heading", "expected"), RIGHT_ALIGNED)
def test_right_aligned_lines_are_blocks_of_their_own(
    lines: list[str], heading: str | None, expected: list[str]
) -> None:
    page = body(100.0)
    top = 100.0 + PITCH * 4
    for text in lines:
        page.append(right_aligned(text, top))
        top += 15.0
    if heading:
        page.append(line(heading, top=top + 20.0))
    assert block_texts(page)[1:] == expected


def test_short_numbered_heading_is_not_glued_to_the_next_paragraph() -> None:
    page = [
        line("3．ガリウム・ゲルマニウム関連品目", top=100.0),
        line(
            "2023年8月1日に施行された輸出規制の対象品目は、条例の施行後も引き続き規制さ", top=118.0
        ),
        line("れる。主な品目は次のとおりである。", top=135.5),
    ]
    metrics = measure([page])
    blocks = paragraphs(page, metrics)
    assert [b.text for b in blocks] == [
        "3．ガリウム・ゲルマニウム関連品目",
        "2023年8月1日に施行された輸出規制の対象品目は、条例の施行後も引き続き規制される。"
        "主な品目は次のとおりである。",
    ]
    assert classify(blocks[0], metrics, False) is BlockKind.HEADING


CENTRED = [
    pytest.param(
        [
            ("商务部　海关总署公告2023年第23号", 16.0),
            ("关于对镓、锗相关物项实施出口管制的公告", 16.0),
        ],
        ["商务部海关总署公告2023年第23号关于对镓、锗相关物项实施出口管制的公告"],
        id="two-line-title-joins",
    ),
    pytest.param(
        [
            ("中华人民共和国出口管制法", 18.0),
            ("（2020年10月17日第十三届全国人民代表大会常务委员会第二十二次会议通过）", 9.0),
        ],
        [
            "中华人民共和国出口管制法",
            "（2020年10月17日第十三届全国人民代表大会常务委员会第二十二次会议通过）",
        ],
        id="title-then-smaller-adoption-note",
    ),
    pytest.param(
        [("中华人民共和国两用物项出口管制条例", 13.0), ("第一章　总　　则", 13.0)],
        ["中华人民共和国两用物项出口管制条例", "第一章总则"],
        id="title-then-chapter",
    ),
    pytest.param(
        [
            ("中华人民共和国出口管制法", 12.0),
            ("（2020年10月17日第十三届全国人大常委会通过）", 12.0),
        ],
        ["中华人民共和国出口管制法", "（2020年10月17日第十三届全国人大常委会通过）"],
        id="title-then-bracketed-note-same-size",
    ),
    pytest.param(
        [("中华人民共和国主席令", 12.0), ("第五十八号", 12.0)],
        ["中华人民共和国主席令第五十八号"],
        id="order-and-its-number",
    ),
]


@pytest.mark.parametrize(("lines", "expected"), CENTRED)
def test_centred_lines_join_only_their_like(
    lines: list[tuple[str, float]], expected: list[str]
) -> None:
    page: list[TextLine] = []
    top = 60.0
    for text, size in lines:
        page.append(centred(text, top, size))
        top += 1.6 * size
    page += body(top + 20.0)
    assert block_texts(page)[: len(expected)] == expected
    assert block_texts(page)[len(expected)] == _ARTICLE


WORD_WRAPPED = [
    pytest.param(
        "2.氮化镓（包括但不限于晶片、粉末、碎料等形态）（参考海关商品编号：",
        "2850001200、3818001900、3818009000）。",
        PITCH,
        1,
        id="zh-customs-codes-wrapped-after-colon",
    ),
    pytest.param(
        "（参考）中国国家規格《希土類用語》（GB/T1576-2015）の区分。",
        "https://ebook.chinabuilding.com.cn/zbooklib/bookpdf/probation?SiteID=1",
        2 * PITCH,
        2,
        id="sentence-then-url-apart",
    ),
]


@pytest.mark.parametrize(("first", "second", "step", "count"), WORD_WRAPPED)
def test_line_short_only_by_a_word_that_did_not_fit(
    first: str, second: str, step: float, count: int
) -> None:
    page = body(100.0)
    top = 100.0 + PITCH * 4
    page += [line(first, x0=LEFT + 3 * SIZE, top=top), line(second, top=top + step)]
    assert len(block_texts(page)) == 1 + count


# ---------------------------------------------------------------------------- tables

TABLE_COLUMN = LEFT + 90.0


def _row(code: str, cell: str, top: float) -> TextLine:
    """A table row: a code, then its description in the next column."""
    made = make_line(1, glyphs(code, x0=LEFT, top=top) + glyphs(cell, x0=TABLE_COLUMN, top=top))
    assert made is not None
    return made


def test_table_rows_keep_wrapped_cells_and_start_a_block_each() -> None:
    page = [
        *body(100.0),
        line("別表　主な規制品目の例", top=180.0),
        _row("3A001.b.1", "進行波管等の真空電子デバイス", 197.0),
        _row("3A001.b.2", "マイクロ波モノリシック集積回路（MMIC）電力増幅器であって、", 214.0),
        line(
            "2.7GHzを超え6.8GHz以下の周波数で動作し、比帯域幅が15％を超", x0=TABLE_COLUMN, top=231.0
        ),
        line("え、かつ、飽和尖頭出力が75W（48.75dBm）を超えるもの", x0=TABLE_COLUMN, top=248.0),
        _row("3B001.a", "エピタキシャル成長装置", 265.0),
    ]
    assert block_texts(page)[-3:] == [
        "3A001.b.1 進行波管等の真空電子デバイス",
        "3A001.b.2 マイクロ波モノリシック集積回路（MMIC）電力増幅器であって、2.7GHzを超え6.8GHz"
        "以下の周波数で動作し、比帯域幅が15％を超え、かつ、飽和尖頭出力が75W（48.75dBm）を超えるもの",
        "3B001.a エピタキシャル成長装置",
    ]


def test_text_aligned_under_a_tabbed_heading_is_not_a_table_cell() -> None:
    page = [
        *body(100.0),
        _row("1．", "概要", 180.0),
        line("中国国務院は、2024年9月30日、条例を公布した。", x0=TABLE_COLUMN, top=197.0),
    ]
    assert block_texts(page)[-2:] == ["1． 概要", "中国国務院は、2024年9月30日、条例を公布した。"]


# ---------------------------------------------------------------------------- footnotes

NOTE_1 = "1　中国政府網「国务院公布《中华人民共和国两用物项出口管制条例》」（2024年10月9日閲覧）"
NOTE_2 = "2　条例第十五条。専門家評価等に要する期間は算入されないが、累計60業務日を超えられない。"

OUT_OF_SEQUENCE = [
    pytest.param(
        [
            [NOTE_1, NOTE_2, "4　日本の外為法では、少額特例の基準額は100万円以下とされている。"],
            [
                "3　2023年7月3日公表の商務部・海関総署公告2023年第23号により、ガリウム",
                "  関連品目は同年8月1日から輸出規制が実施された。",
            ],
        ],
        [1, 2, 4, 3],
        id="note-4-on-the-page-before-note-3",
    ),
    pytest.param(
        [
            [
                NOTE_1,
                "2　条例第十五条。専門家評価等に要する期間は算入されないが、累計60業務日を",
                "4 月1日以降は算入する。",
            ]
        ],
        [1, 2],
        id="month-wrapped-after-a-full-line",
    ),
    pytest.param(
        [[NOTE_1, NOTE_2, "4 月1日以降は算入する。"]],
        [1, 2],
        id="month-after-a-sentence-end",
    ),
    pytest.param(
        [[NOTE_1, NOTE_2, "9　日本の外為法では、少額特例の基準額は100万円以下とされている。"]],
        [1, 2],
        id="number-far-from-the-sequence",
    ),
]


@pytest.mark.parametrize(("pages", "numbers"), OUT_OF_SEQUENCE)
def test_note_labels_out_of_sequence(pages: list[list[str]], numbers: list[int]) -> None:
    zones = [
        [
            line(
                text.strip(),
                x0=LEFT + (12.0 if text.startswith(" ") else 0.0),
                top=600.0 + 11.0 * i,
                size=7.5,
                page=page,
            )
            for i, text in enumerate(texts)
        ]
        for page, texts in enumerate(pages, 1)
    ]
    metrics = measure([body(100.0), *zones])
    notes, _ = split_notes(zones, metrics)
    assert [n.footnote_number for n in notes if not n.continues_previous] == numbers


# ---------------------------------------------------------------------------- columns

ARTICLES = [
    "第一条　为了维护国家安全和利益，履行防扩散等国际义务，加强和规范出口管制，制定本法。",
    "第二条　国家对两用物项、军品、核以及其他与维护国家安全和利益、履行防扩散等国际义务相关的"
    "货物、技术、服务等物项（以下统称管制物项）的出口管制，适用本法。",
    "前款所称管制物项，包括物项相关的技术资料等数据。",
    "第三条　出口管制工作应当坚持总体国家安全观，维护国际和平，统筹安全和发展，"
    "完善出口管制管理和服务。",
    "本法所称军品，是指用于军事目的的装备、专用生产设备以及其他相关货物、技术和服务。",
    "本法所称核，是指核材料、核设备、反应堆用非核材料以及相关技术和服务。",
]
COLUMN_CHARS = 18


def _wrap(paragraph: str) -> list[str]:
    first = "　　" + paragraph if not paragraph.startswith("第") else paragraph
    return [first[i : i + COLUMN_CHARS] for i in range(0, len(first), COLUMN_CHARS)]


def two_column_page(paragraphs_: list[str], split: int) -> RawPage:
    """Paragraphs [:split] in the left column, the rest in the right; a title and folio span."""
    chars: list[RawChar] = []
    title = "中华人民共和国出口管制法"
    chars += glyphs(title, x0=(595 - text_width(title, 16.0)) / 2, top=60.0, size=16.0)
    for x0, part in (
        (57.0, paragraphs_[:split]),
        (57.0 + COLUMN_CHARS * SIZE + 24.0, paragraphs_[split:]),
    ):
        top = 100.0
        for paragraph in part:
            for row in _wrap(paragraph):
                chars += glyphs(row, x0=x0, top=top)
                top += PITCH
    chars += glyphs("— 1 —", x0=285.0, top=800.0, size=9.0)
    return RawPage(1, 595.0, 842.0, chars, [])


@cache
def two_column_document() -> Document:
    page = two_column_page(ARTICLES, 3)
    return build_document(RawPdf(path="two-columns.pdf", sha256="cd" * 32, size=1, pages=[page]))


def test_two_column_page_reads_column_by_column() -> None:
    document = two_column_document()
    text_blocks = [flat(b.text) for b in document.blocks if not b.kind.is_furniture]
    assert text_blocks == ["中华人民共和国出口管制法", *[a.replace("　", "") for a in ARTICLES]]


def test_two_column_page_folio_is_furniture() -> None:
    kinds = {b.text.replace(" ", ""): b.kind for b in two_column_document().blocks}
    assert kinds["—1—"] is BlockKind.PAGE_NUMBER


def test_code_table_and_single_column_have_no_gutter() -> None:
    table: list[RawChar] = []
    for i, (code, cell) in enumerate(
        [
            ("3A001.a.1", "耐放射線設計の集積回路"),
            ("3A001.b.1", "進行波管等の真空電子デバイス"),
            ("3A001.b.2", "マイクロ波モノリシック集積回路"),
            ("3B001.a", "エピタキシャル成長装置"),
            ("3C001", "ヘテロエピタキシャル材料"),
            ("3D001", "ソフトウェア"),
            ("3E001", "技術"),
            ("3E002", "汎用マイクロプロセッサの技術"),
        ]
    ):
        table += glyphs(code, x0=72.0, top=100.0 + PITCH * i)
        table += glyphs(cell, x0=300.0, top=100.0 + PITCH * i)
    assert find_gutter(_cluster_rows(table), 595.0) is None
    single = [g for i, t in enumerate(BODY_LINES * 3) for g in glyphs(t, top=100.0 + PITCH * i)]
    assert find_gutter(_cluster_rows(single), 595.0) is None


# ---------------------------------------------------------------------------- held-out PDFs


@cache
def heldout(stem: str) -> Document:
    return ingest_pdf(HELDOUT / f"{stem}.pdf")


H04 = "h04_ja_commentary_dual_use"
HELDOUT_BLOCKS = [
    pytest.param(H04, "2024年10月15日", BlockKind.BODY, id="h04-dateline"),
    pytest.param(
        H04, "一般財団法人安全保障貿易情報センター調査研究部", BlockKind.BODY, id="h04-author"
    ),
    pytest.param(H04, "1．概要", BlockKind.HEADING, id="h04-numbered-heading"),
    pytest.param(
        H04, "3．ガリウム・ゲルマニウム関連品目", BlockKind.HEADING, id="h04-heading-before-para"
    ),
    pytest.param(
        H04,
        "3A001.b.2 マイクロ波モノリシック集積回路（MMIC）電力増幅器であって、2.7GHzを超え"
        "6.8GHz以下の周波数で動作し、比帯域幅が15％を超え、かつ、飽和尖頭出力が75W（48.75dBm）"
        "を超えるもの",
        BlockKind.BODY,
        id="h04-table-row-wrapped",
    ),
    pytest.param(H04, "3B001.a エピタキシャル成長装置", BlockKind.BODY, id="h04-table-next-row"),
    pytest.param("h01_mofcom_gacc_2023_23", "商务部海关总署", BlockKind.BODY, id="h01-issuers"),
    pytest.param("h01_mofcom_gacc_2023_23", "2023年7月3日", BlockKind.BODY, id="h01-date"),
    pytest.param("h02_export_control_law", "第一章总则", BlockKind.HEADING, id="h02-chapter"),
    pytest.param("h02_export_control_law", "第五章附则", BlockKind.HEADING, id="h02-chapter-5"),
    pytest.param("h03_dual_use_regulation", "总理李强", BlockKind.BODY, id="h03-signatory"),
    pytest.param("h03_dual_use_regulation", "2024年9月30日", BlockKind.BODY, id="h03-date"),
    pytest.param("h03_dual_use_regulation", "第三章出口管理", BlockKind.HEADING, id="h03-chapter"),
]


@pytest.mark.parametrize(("stem", "text", "kind"), HELDOUT_BLOCKS)
def test_heldout_block_stands_alone(stem: str, text: str, kind: BlockKind) -> None:
    found = [b.kind for b in heldout(stem).blocks if flat(b.text) == text]
    assert found == [kind]


FURNITURE = [
    pytest.param(
        "h01_mofcom_gacc_2023_23", "中华人民共和国商务部公告", "第{n}页共{total}页", id="h01"
    ),
    pytest.param("h02_export_control_law", "中华人民共和国出口管制法", "—{n}—", id="h02"),
    pytest.param("h03_dual_use_regulation", "国务院令第792号", "-{n}-", id="h03"),
    pytest.param(H04, "安全保障貿易管理海外法令解説シリーズNo.24-07", "-{n}-", id="h04"),
]


@pytest.mark.parametrize(("stem", "header", "folio"), FURNITURE)
def test_heldout_running_header_and_folio_are_furniture(stem: str, header: str, folio: str) -> None:
    document = heldout(stem)
    total = len(document.pages)
    for page in document.pages:
        on_page = [b for b in document.blocks if b.page == page.number]
        assert (flat(on_page[0].text), on_page[0].kind) == (header, BlockKind.HEADER)
        expected = folio.format(n=page.number, total=total)
        assert (flat(on_page[-1].text.replace(" ", "")), on_page[-1].kind) == (
            expected,
            BlockKind.PAGE_NUMBER,
        )
        assert on_page[-1].char_span is None


def test_heldout_footnote_on_the_page_before_its_predecessor() -> None:
    notes = heldout(H04).footnotes
    assert [n.number for n in notes] == [1, 2, 4, 3]
    assert all(n.marker_block is not None for n in notes)
    by_number = {n.number: n for n in notes}
    assert by_number[2].text.endswith("累計60業務日を超えることはできない。")
    assert by_number[4].text.startswith("日本の外為法では")


EN_ARTICLES = [
    "Article 1 This Law is enacted in order to safeguard national security and interests, "
    "fulfill international obligations such as non-proliferation, and strengthen and "
    "regulate export control.",
    "Article 2 This Law applies to the export control of dual-use items, military products, "
    "nuclear items, and other goods, technologies, services and items related to "
    "safeguarding national security and interests.",
    "Article 3 Export control work shall adhere to the holistic approach to national "
    "security, maintain international peace, coordinate security and development, and "
    "improve export control management and services.",
    "Article 4 The State implements a unified export control system, managed by means of "
    "formulating control lists, directories or catalogues and implementing export licensing.",
    "Article 5 The State Council and the Central Military Commission shall lead the export "
    "control work in accordance with their duties.",
    "Article 49 This Law shall enter into force on December 1, 2020.",
]


def _two_column_pdf(path: Path) -> None:
    """A journal-style page: centred title across both columns, two ragged-right columns."""
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen import canvas

    drawing = canvas.Canvas(str(path))  # A4 portrait
    drawing.setFont("Times-Bold", 14)
    drawing.drawCentredString(297, 780, "Export Control Law of the People's Republic of China")
    width = 230.0
    for x, part in ((60.0, EN_ARTICLES[:3]), (305.0, EN_ARTICLES[3:])):
        y = 750.0
        for paragraph in part:
            for row in simpleSplit(paragraph, "Times-Roman", 10, width):
                drawing.setFont("Times-Roman", 10)
                drawing.drawString(x, y, row)
                y -= 13.0
            y -= 6.0
    drawing.setFont("Times-Roman", 9)
    drawing.drawCentredString(297, 40, "- 1 -")
    drawing.showPage()
    drawing.save()


def test_two_column_pdf_end_to_end(tmp_path: Path) -> None:
    path = tmp_path / "two-columns.pdf"
    _two_column_pdf(path)
    document = ingest_pdf(path)
    texts = [b.text for b in document.blocks if not b.kind.is_furniture]
    assert texts == ["Export Control Law of the People's Republic of China", *EN_ARTICLES]
    assert document.blocks[-1].kind is BlockKind.PAGE_NUMBER
