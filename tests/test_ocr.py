"""OCR decisions that need no engine: which pages need OCR, which script a page is in, what
orientation detection says, and how Tesseract's words become glyphs."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from ingest.ocr.chars import Transform, _digits, off_text, page_chars, script_language
from ingest.ocr.detect import scan_reason
from ingest.ocr.image import clean, deskew, find_rules
from ingest.ocr.scans import degrade
from ingest.ocr.tesseract import LineBox, parse_osd, parse_tsv
from ingest.pdf import RawChar, RawPage
from tests.ocr_fixtures import JA, ZH, ZH_TW


def _glyph_page(glyphs: list[str], images: int = 0, cover: float = 0.0) -> RawPage:
    chars = [RawChar(g, 72 + 10 * i, 82 + 10 * i, 100, 110, 10) for i, g in enumerate(glyphs)]
    return RawPage(1, 595, 842, chars=chars, images=images, image_cover=cover)


SENTENCE = ZH[0]
PRIVATE = [chr(0xE000 + ord(ch) % 4000) for ch in SENTENCE]  # a font's private-use codes
CID = [f"(cid:{ord(ch) % 9000})" for ch in SENTENCE]  # pdfminer, no ToUnicode map


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (_glyph_page([], images=1, cover=1.0), "no text layer"),
        (_glyph_page([" ", "\u3000"], images=1, cover=1.0), "no text layer"),
        (_glyph_page(CID, images=1, cover=1.0), "without Unicode"),
        (_glyph_page(CID), "without Unicode"),
        (_glyph_page(PRIVATE), "without Unicode"),
        (_glyph_page(["\ufffd"] * 40), "without Unicode"),
        (_glyph_page(list("第一条") + CID[:20]), "without Unicode"),
        (_glyph_page(list("附件：物项清单"), images=1, cover=0.97), "only 7 characters"),
        (_glyph_page([]), None),
        (_glyph_page(list(SENTENCE)), None),
        (_glyph_page(list(JA[2]), images=1, cover=0.2), None),
        (_glyph_page(list(SENTENCE) + CID[:5]), None),
        (_glyph_page(list("附件：物项清单"), images=1, cover=0.1), None),
    ],
    ids=[
        "image-only-page",
        "image-page-with-blank-glyphs",
        "cid-font-over-an-image",
        "cid-font-without-image",
        "private-use-codes",
        "replacement-characters",
        "mostly-cid-after-a-real-label",
        "a-caption-over-a-page-sized-image",
        "blank-page-no-image",
        "real-chinese-text-layer",
        "real-japanese-text-with-a-logo",
        "real-text-with-a-few-cid-glyphs",
        "short-page-with-a-small-image",
    ],
)
def test_pages_without_a_real_text_layer_are_sent_to_ocr(
    page: RawPage, expected: str | None
) -> None:
    reason = scan_reason(page)
    if expected is None:
        assert reason is None
    else:
        assert reason is not None and expected in reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("".join(ZH), "chi_sim"),
        ("".join(ZH_TW), "chi_tra"),
        ("".join(JA), "jpn"),
        (JA[0], "jpn"),
        ("第一条　国家实行统一的出口管制制度。", None),
        ("Article 2 This Law applies to export control.", None),
    ],
    ids=["simplified", "traditional", "japanese", "japanese-one-article", "too-short", "latin"],
)
def test_script_decides_the_tesseract_language(text: str, expected: str | None) -> None:
    assert script_language(text) == expected


@pytest.mark.parametrize(
    ("report", "expected"),
    [
        (
            "Page number: 0\nOrientation in degrees: 270\nRotate: 90\n"
            "Orientation confidence: 26.91\nScript: Japanese\nScript confidence: 0.48\n",
            90,
        ),
        (
            "Page number: 0\nOrientation in degrees: 180\nRotate: 180\n"
            "Orientation confidence: 17.21\nScript: Han\nScript confidence: 1.29\n",
            180,
        ),
        (
            "Page number: 0\nOrientation in degrees: 0\nRotate: 0\n"
            "Orientation confidence: 22.66\nScript: Japanese\n",
            0,
        ),
        (
            "Page number: 0\nOrientation in degrees: 90\nRotate: 270\n"
            "Orientation confidence: 0.61\nScript: Han\n",
            0,
        ),
        ("Too few characters. Skipping this page\nError during processing.\n", 0),
    ],
    ids=["sideways-japanese", "upside-down-chinese", "upright", "unsure", "too-few-characters"],
)
def test_orientation_report_is_trusted_only_when_sure(report: str, expected: int) -> None:
    assert parse_osd(report) == expected


def _tsv(
    rows: list[tuple[int, tuple[int, int, int], tuple[int, int, int, int], float, str]],
) -> str:
    columns = ("level", "page", "block", "par", "line", "word", "left", "top", "width", "height")
    lines = ["\t".join((*columns, "conf", "text"))]
    for level, (block, par, line), (left, top, width, height), conf, text in rows:
        lines.append(
            f"{level}\t1\t{block}\t{par}\t{line}\t0\t{left}\t{top}\t{width}\t{height}\t{conf}\t{text}"
        )
    return "\n".join(lines)


def _line_text(words: list[tuple[str, int, int, float]], height: int = 36) -> str:
    """The glyph text of one line of (text, left, width, confidence) words at 200 dpi."""
    key = (1, 1, 1)
    rows = [(4, key, (words[0][1], 100, words[-1][1] + words[-1][2] - words[0][1], height), -1, "")]
    rows += [(5, key, (left, 100, width, height), conf, text) for text, left, width, conf in words]
    parsed_words, lines = parse_tsv(_tsv(rows))
    chars, _ = page_chars(parsed_words, lines, Transform(72 / 200, 72 / 200))
    return "".join(c.text for c in chars)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        # 第二条　国家对… : the wide gap after the article label read as a quote glued to the
        # next word (Tesseract chi_sim on a 200-dpi scan of the Export Control Law)
        (
            [
                ("第", 203, 36, 97),
                ("二", 255, 35, 97),
                ("条", 290, 35, 69),
                ("”国家", 335, 97, 69),
                ("对", 444, 26, 97),
            ],
            "第二条　国家对",
        ),
        # the same gap read as a lone unsure quote
        ([("第二条", 203, 122, 95), ("”", 340, 20, 31), ("出口", 372, 72, 96)], "第二条　出口"),
        # the same gap read as a bracket, or a bar and a bracket (chi_tra, 貿易法 第二條/第三條)
        ([("第二條", 201, 120, 96), ("[本", 327, 65, 23), ("法", 392, 36, 95)], "第二條　本法"),
        ([("第三條", 201, 120, 96), ("|]", 331, 30, 20), ("本法", 372, 72, 95)], "第三條　本法"),
        # a quotation that is really there stays
        ([("称", 100, 36, 95), ("“物项”", 136, 150, 92), ("是", 286, 36, 95)], "称“物项”是"),
        # ASCII punctuation beside CJK becomes full-width; a thousands comma between digits not
        ([("本法(以下", 100, 200, 90), ("称", 300, 36, 90)], "本法（以下称"),
        ([("价值1,000元;", 100, 330, 90)], "价值1,000元；"),
    ],
    ids=[
        "quote-glued-in-a-gap",
        "lone-quote-in-a-gap",
        "bracket-glued-in-a-gap",
        "bar-and-bracket-in-a-gap",
        "real-quotation",
        "full-width-paren",
        "digits-comma-and-semicolon",
    ],
)
def test_words_become_the_glyphs_a_text_layer_would_give(
    words: list[tuple[str, int, int, float]], expected: str
) -> None:
    assert _line_text(words) == expected


# Lines of Tesseract jpn on 200-dpi scans of the dev v1 commentaries (bench.ocr), word boxes
# as read: (text, left, width, confidence), line height in pixels.
@pytest.mark.parametrize(
    ("words", "height", "expected"),
    [
        # a subtitle's dash read as a prolonged-sound mark, which follows no kana
        (
            [("ー", 201, 26, 88), ("レ", 235, 19, 93), ("アア", 261, 50, 93), ("ー", 320, 17, 93)],
            27,
            "―レアアー",
        ),
        # the numeral 一 of an enumeration label read as the same stroke
        ([("ー、", 204, 33, 83), ("国", 262, 23, 92), ("外", 299, 17, 93)], 28, "一、国外"),
        # the item label 一 of an e-Gov statute, its separator after it (read once and twice)
        (
            [("ー", 188, 23, 76), ("「", 258, 7, 85), ("原", 271, 22, 90), ("子", 310, 35, 92)],
            27,
            "一　「原子",
        ),
        (
            [("ーー", 188, 23, 60), ("「", 258, 6, 82), ("原", 271, 22, 91), ("子", 310, 35, 93)],
            27,
            "一　「原子",
        ),
        # a dash run into its text stays a dash (read twice: both kept)
        ([("ーー", 197, 30, 34), ("国家", 232, 53, 92)], 27, "――国家"),
        # 、 inks the left half of its cell and 《 the right half: one em of blank, no field
        (
            [("た", 564, 12, 93), ("め", 582, 25, 92), ("、", 611, 6, 91), ("《", 654, 12, 90)],
            28,
            "ため、《",
        ),
        # a narrow 三 leaves a wide blank before 条, never a field inside a numeral
        (
            [("第", 202, 25, 93), ("二", 239, 17, 92), ("十", 266, 20, 92), ("三", 307, 8, 91)],
            25,
            "第二十三",
        ),
        # nor before a closing mark
        ([("三", 204, 34, 92), ("、", 262, 9, 93), ("以", 272, 17, 92)], 25, "三、以"),
    ],
    ids=[
        "subtitle-dash",
        "enumeration-one",
        "item-one",
        "item-one-read-twice",
        "double-dash",
        "comma-before-book-title",
        "numeral",
        "before-comma",
    ],
)
def test_misread_strokes_and_blanks_in_japanese_lines(
    words: list[tuple[str, int, int, float]], height: int, expected: str
) -> None:
    assert _line_text(words, height) == expected


# A line of chi_sim on a spaced-out MOFCOM web page (zh_mofcom_2024_31_uav, 200-dpi scan):
# about 44 px from one character to the next at 27 px high, and loose boxes on narrow glyphs
SPACED_OUT = [
    ("具有", 307, 83, 97),
    ("以", 390, 53, 96),
    ("下", 470, 13, 91),
    ("所", 483, 14, 97),
    ("有", 519, 22, 95),
    ("特性", 568, 100, 96),
    ("的", 667, 40, 95),
    ("红外", 706, 94, 96),
    ("成", 831, 19, 93),
    ("像", 877, 9, 90),
    ("设", 893, 45, 92),
    ("备", 937, 34, 88),
]


def test_a_spaced_out_line_gets_no_field_separators() -> None:
    assert _line_text(SPACED_OUT, 27) == "具有以下所有特性的红外成像设备"


@pytest.mark.parametrize(
    ("rules", "lines", "expected"),
    [
        # strokes of the digits and characters of two lines of the MOFCOM notice, joined
        (
            [(627, 695, 1294), (198, 257, 1251)],
            [LineBox((5, 5, 1), 218, 1288, 674, 29), LineBox((5, 4, 2), 160, 1229, 595, 29)],
            [],
        ),
        # the footnote separator of a v1 commentary page, between a body and a footnote line
        (
            [(202, 616, 1622)],
            [LineBox((7, 2, 3), 203, 1190, 1190, 28), LineBox((9, 1, 1), 204, 1631, 1029, 23)],
            [(202, 616, 1622)],
        ),
    ],
    ids=["strokes-in-lines", "footnote-separator"],
)
def test_rules_inside_text_lines_are_strokes(
    rules: list[tuple[int, int, int]], lines: list[LineBox], expected: list[tuple[int, int, int]]
) -> None:
    assert off_text(rules, lines) == expected


def test_a_footnote_holding_a_url_keeps_its_smaller_size() -> None:
    # 200 dpi: a 10.5 pt body line inks CJK 29 px high; an 8 pt footnote 22 px, but its URL
    # word spans ascenders and descenders (30 px) and the line box with it
    note = (9, 1, 1)
    rows: list[tuple[int, tuple[int, int, int], tuple[int, int, int, int], float, str]] = []
    for line in range(1, 4):
        key, top = (1, 1, line), 100 + 60 * line
        rows.append((4, key, (200, top, 900, 30), -1, ""))
        rows.append((5, key, (200, top, 400, 29), 95, "中国の工業情報化部、国家発展"))
        rows.append((5, key, (600, top, 500, 29), 95, "改革委員会及び自然資源部は"))
    rows += [
        (4, note, (200, 1700, 1000, 31), -1, ""),
        (5, note, (200, 1704, 300, 22), 93, "「稀土管理条例」（中華人民"),
        (5, note, (520, 1700, 680, 31), 90, "https://www.gov.cn/zhengce/"),
    ]
    words, lines = parse_tsv(_tsv(rows))
    chars, _ = page_chars(words, lines, Transform(72 / 200, 72 / 200))
    body_size = chars[0].size
    note_size = next(c.size for c in chars if c.text == "稀")
    assert abs(body_size - 29 * 72 / 200) < 0.5
    assert note_size < 0.85 * body_size  # the layout's footnote test: under 0.9 of the body


def _page_image(draw_rule: tuple[int, int, int] | None) -> Image.Image:
    """An A4 page at 200 dpi, as scanned (turned 1°, speckled, blurred), levelled again."""
    image = Image.new("L", (1654, 2339), 255)
    pen = ImageDraw.Draw(image)
    if draw_rule is not None:
        left, right, top = draw_rule
        pen.line([(left, top), (right, top)], fill=0, width=2)  # a 0.7 pt rule
    for row in range(300, 1500, 60):  # rows of character-sized boxes: strokes, not rules
        for col in range(200, 1450, 32):
            pen.rectangle([col, row, col + 26, row + 28], outline=0, width=3)
    return deskew(clean(degrade(image, angle=1.0, speckle=0.002, blur=0.6, seed=1)))[0]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ((200, 617, 1622), [(200, 617, 1622)]),  # a footnote separator, 150 pt
        ((200, 1454, 1600), [(200, 1454, 1600)]),  # a full-width table rule
        (None, []),
        ((200, 240, 1622), []),  # 40 px: under 4 % of the page, a stroke not a rule
    ],
    ids=["footnote-separator", "table-rule", "text-only", "too-short"],
)
def test_rules_are_found_on_a_scanned_page(
    rule: tuple[int, int, int] | None, expected: list[tuple[int, int, int]]
) -> None:
    found = find_rules(_page_image(rule))
    assert len(found) == len(expected)
    for (left, right, top), (want_left, want_right, want_top) in zip(found, expected, strict=True):
        assert abs(left - want_left) <= 8 and abs(right - want_right) <= 8
        assert abs(top - want_top) <= 12  # levelled about the page centre


def _read_line(rows_words: list[tuple[tuple[int, int, int, int], float, str]]) -> str:
    key = (1, 1, 1)
    rows: list[tuple[int, tuple[int, int, int], tuple[int, int, int, int], float, str]] = [
        (4, key, (180, 300, 900, 23), -1, "")
    ]
    rows += [(5, key, box, conf, text) for box, conf, text in rows_words]
    words, lines = parse_tsv(_tsv(rows))
    chars, _ = page_chars(words, lines, Transform(72 / 200, 72 / 200))
    return "".join(c.text for c in chars)


# A 号 label and a numeral that opens its text, an em of white between (unseen3's scan of
# 貨物等省令 第一条 四　一キログラム以上, read 四一キログラム: 41 kg): the blank is the field
# separator.  Inside a numeral (第二十 三条) a loose box's blank is not.
@pytest.mark.parametrize(
    ("words", "text"),
    [
        pytest.param(
            [
                ((181, 300, 23, 21), 93, "四"),
                ((234, 300, 23, 21), 90, "一"),
                ((262, 300, 130, 21), 95, "キログラム以上"),
            ],
            "四\u3000一キログラム以上",
            id="go-label-before-a-numeral",
        ),
        pytest.param(
            [
                ((181, 300, 23, 21), 93, "第二"),
                ((214, 300, 23, 21), 93, "十"),
                ((266, 300, 23, 21), 90, "三"),
                ((290, 300, 60, 21), 95, "条"),
            ],
            "第二十三条",
            id="inside-a-numeral",
        ),
    ],
)
def test_a_label_blank_before_a_numeral(
    words: list[tuple[tuple[int, int, int, int], float, str]], text: str
) -> None:
    assert _read_line(words) == text


# Tesseract's jpn model reads 5 as $ before a number's unit (unseen4's scan of 外為法 第72条:
# 罰金$億円以下, 価格の$倍); a dollar sign before digits stays.
@pytest.mark.parametrize(
    ("read", "text"),
    [
        pytest.param("罰金$億円以下", "罰金5億円以下", id="five-before-oku"),
        pytest.param("価格の$倍が", "価格の5倍が", id="five-before-bai"),
        pytest.param("US$50", "US$50", id="dollar-after-letters"),
        pytest.param("$5億ドル", "$5億ドル", id="dollar-before-a-digit"),
        pytest.param("SNS上で", "SNS上で", id="letters"),
    ],
)
def test_five_read_as_a_dollar_sign(read: str, text: str) -> None:
    assert "".join(_digits(list(read))) == text
