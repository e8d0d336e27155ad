"""Font sizes of OCR'd lines, and the title block read from them.

The word and line boxes are Tesseract's own, copied from 200-dpi scans of the dev v2 first
pages (``python -m bench.ocr --set v2``); the true size is the text layer's.
"""

from __future__ import annotations

import pytest

from ingest.identity_title import OCR_TOLERANCE, title_block
from ingest.ocr.chars import Transform, _line_height, line_heights, page_chars
from ingest.ocr.tesseract import LineBox, Word
from models.document import Block
from models.provenance import BBox

PT = 72 / 200  # points per pixel at 200 dpi
KEY = (1, 1, 1)


def _words(pairs: list[tuple[str, int]], top: int = 100) -> list[Word]:
    """Words of one line from (text, height) pairs, left to right."""
    return [Word(text, 100 + 60 * i, top, 50, h, 95.0, KEY) for i, (text, h) in enumerate(pairs)]


def _box(height: int, top: int = 100) -> LineBox:
    return LineBox(KEY, 100, top, 1000, height)


# (words as (text, height px), line box height px, text layer size pt)
LITHIUM_TITLE_1 = (
    [
        ("商务", 31),
        ("部", 47),
        ("海关", 31),
        ("总", 31),
        ("署", 47),
        ("公告", 31),
        ("2025", 47),
        ("年", 29),
        ("第", 31),
        ("58", 47),
        ("号", 30),
        ("公布", 31),
        ("对", 47),
        ("锂电", 47),
    ],
    31,
    12.0,
)
LITHIUM_TITLE_2 = (
    [
        ("石墨", 31),
        ("负极", 49),
        ("材料", 49),
        ("相关", 31),
        ("物", 31),
        ("项", 30),
        ("实施", 31),
        ("出", 29),
        ("口", 23),
        ("管制", 31),
        ("的", 30),
        ("决定", 32),
    ],
    32,
    12.0,
)
GRAPHITE_TITLE_1 = (
    [
        ("商务", 42),
        ("部", 55),
        ("海关", 40),
        ("总", 40),
        ("署", 34),
        ("公", 38),
        ("告", 28),
        ("2023", 55),
        ("年", 41),
        ("第", 29),
        ("39", 55),
        ("号", 36),
        ("关于", 37),
        ("优化", 36),
    ],
    42,
    16.0,
)
SAISHORI_TITLE_1 = (
    [
        ("原子", 39),
        ("力", 59),
        ("発", 59),
        ("電", 59),
        ("に", 59),
        ("お", 36),
        ("ける", 35),
        ("使用", 38),
        ("済", 39),
        ("燃料", 59),
        ("の", 32),
        ("再", 37),
        ("処理", 39),
        ("等", 32),
    ],
    39,
    15.0,
)
SAISHORI_TITLE_2 = ([("進", 37), ("に", 37), ("関す", 59), ("る", 35), ("法律", 38)], 38, 15.0)


@pytest.mark.parametrize(
    ("words", "box", "true"),
    [
        pytest.param(*LITHIUM_TITLE_1, id="zh-title-words-reach-next-line"),
        pytest.param(*LITHIUM_TITLE_2, id="zh-title-second-line"),
        pytest.param(*GRAPHITE_TITLE_1, id="zh-16pt-title-digits"),
        pytest.param(*SAISHORI_TITLE_2, id="ja-title-short-last-line"),
        pytest.param(
            [("石墨", 31), ("物", 50), ("项", 50)], 31, 12.0, id="zh-heading-read-as-18pt-before"
        ),
        pytest.param(
            [("(通知", 18), ("公告", 16), ("转", 30), ("我", 18), ("和", 8), ("节选)", 18)],
            30,
            7.5,
            id="zh-header-brackets-stretch-box",
        ),
    ],
)
def test_line_size_is_the_ink_of_its_cjk_glyphs(
    words: list[tuple[str, int]], box: int, true: float
) -> None:
    # CJK glyphs ink 0.86-0.95 of their em on the dev scans (p5-p95, 381 lines)
    size = _line_height(_words(words), _box(box)) * PT
    assert 0.83 * true <= size <= 0.97 * true


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(LITHIUM_TITLE_1, LITHIUM_TITLE_2, id="zh-12pt-title-two-lines"),
        pytest.param(SAISHORI_TITLE_1, SAISHORI_TITLE_2, id="ja-15pt-title-two-lines"),
    ],
)
def test_lines_of_one_title_measure_within_the_ocr_tolerance(
    first: tuple[list[tuple[str, int]], int, float],
    second: tuple[list[tuple[str, int]], int, float],
) -> None:
    a = _line_height(_words(first[0]), _box(first[1]))
    b = _line_height(_words(second[0]), _box(second[1]))
    assert abs(a - b) < OCR_TOLERANCE * max(a, b)


def _page(title: tuple[list[tuple[str, int]], int, float], body_px: int) -> list[Word | LineBox]:
    """A title line above six body lines, as Tesseract gives them."""
    out: list[Word | LineBox] = []
    words, box, _ = title
    out += [
        Word(w.text, w.left, w.top, w.width, w.height, w.conf, (1, 1, 1)) for w in _words(words)
    ]
    out.append(LineBox((1, 1, 1), 100, 100, 1000, box))
    for line in range(2, 8):
        key, top = (2, 1, line), 100 + 50 * line
        body = [("一、满足以下", body_px), ("特性的物项", body_px), ("未经许可", body_px)]
        out += [Word(t, 100 + 300 * i, top, 250, h, 95.0, key) for i, (t, h) in enumerate(body)]
        out.append(LineBox(key, 100, top, 900, body_px))
    return out


@pytest.mark.parametrize(
    ("title", "body_px", "body_pt"),
    [
        pytest.param(GRAPHITE_TITLE_1, 31, 12.0, id="zh-16pt-title-over-12pt-body"),
        pytest.param(LITHIUM_TITLE_1, 24, 9.5, id="zh-12pt-title-over-9.5pt-body"),
    ],
)
def test_a_title_line_keeps_its_size_over_the_body(
    title: tuple[list[tuple[str, int]], int, float], body_px: int, body_pt: float
) -> None:
    items = _page(title, body_px)
    words = [i for i in items if isinstance(i, Word)]
    lines = [i for i in items if isinstance(i, LineBox)]
    chars, _ = page_chars(words, lines, Transform(PT, PT))
    title_size = chars[0].size
    body_size = chars[-1].size
    # the text layer's ratio is 1.26-1.33; snapped into the body it was 1.0
    assert title_size / body_size > 1.15
    assert abs(body_size - body_px * PT) < 0.5


def _block(index: int, text: str, size: float, top: float) -> Block:
    bbox = BBox(x0=100, top=top, x1=500, bottom=top + size)
    return Block(index=index, kind="heading", page=1, bbox=bbox, text=text, font_size=size)


@pytest.mark.parametrize(
    ("lines", "ocr", "expected"),
    [
        pytest.param(
            [
                ("原子力発電における使用済燃料の再処理等の実施及び廃炉の推", 14.0),
                ("進に関する法律", 13.3),
            ],
            True,
            "原子力発電における使用済燃料の再処理等の実施及び廃炉の推進に関する法律",
            id="ja-ocr-title-lines-5pct-apart",
        ),
        pytest.param(
            [
                ("商务部海关总署公告2025年第58号公布对锂电池和人造", 11.2),
                ("石墨负极材料相关物项实施出口管制的决定", 11.5),
            ],
            True,
            "商务部海关总署公告2025年第58号公布对锂电池和人造石墨负极材料相关物项实施出口管制的决定",
            id="zh-ocr-title-second-line-larger",
        ),
        pytest.param(
            [("关于优化调整石墨物项临时出口管制措施的公告", 15.0), ("石墨物项", 12.8)],
            True,
            "关于优化调整石墨物项临时出口管制措施的公告",
            id="zh-ocr-heading-one-size-down-stays-out",
        ),
        pytest.param(
            [
                ("原子力発電における使用済燃料の再処理等の実施及び廃炉の推", 15.0),
                ("進に関する法律", 14.0),
            ],
            False,
            "原子力発電における使用済燃料の再処理等の実施及び廃炉の推",
            id="text-layer-sizes-are-exact",
        ),
    ],
)
def test_ocr_title_lines_join_within_the_measured_spread(
    lines: list[tuple[str, float]], ocr: bool, expected: str
) -> None:
    blocks = [_block(i, text, size, 80.0 + 20 * i) for i, (text, size) in enumerate(lines)]
    body = [
        ("（平成十七年法律第四十八号）", 9.5),
        ("目次", 9.5),
        ("第一章　総則（第一条―第四条）", 9.5),
    ]
    top = 80.0 + 20 * len(blocks)
    blocks += [_block(len(blocks) + i, t, s, top + 14 * i) for i, (t, s) in enumerate(body)]
    found = title_block(blocks, 9.5, ocr=ocr)
    assert found is not None
    assert found.text == expected


# An 8 pt note under 10.5 pt body (samples/001 page 16): the usual line is 26 px
NOTE_FIRST = [("18", 17), ("(訳者", 20), ("注", 35), (")", 35), ("「", 15), ("輸", 20), ("出", 20)]
NOTE_LAST = [
    ("六条", 20),
    ("を", 19),
    ("参照", 21),
    ("され", 33),
    ("た", 33),
    ("い", 33),
    ("。", 33),
]


@pytest.mark.parametrize(
    "note",
    [
        pytest.param(NOTE_FIRST, id="ja-note-first-line"),
        pytest.param(NOTE_LAST, id="ja-note-short-last-line"),
    ],
)
def test_a_note_line_keeps_its_smaller_size(note: list[tuple[str, int]]) -> None:
    words = [Word(t, 100 + 60 * i, 1700, 50, h, 95.0, (9, 1, 1)) for i, (t, h) in enumerate(note)]
    lines = [LineBox((9, 1, 1), 100, 1700, 900, 21)]
    for line in range(1, 7):
        key, top = (2, 1, line), 100 + 50 * line
        body = [("中国の工業情報化部", 26), ("国家発展改革委員会", 26), ("自然資源部は", 26)]
        words += [Word(t, 100 + 300 * i, top, 250, h, 95.0, key) for i, (t, h) in enumerate(body)]
        lines.append(LineBox(key, 100, top, 900, 26))
    chars, _ = page_chars(words, lines, Transform(PT, PT))
    body_size = chars[-1].size
    note_size = next(c.size for c in chars if c.text in "六訳")
    assert note_size < 0.9 * body_size  # the layout's footnote test


def test_a_line_read_again_keeps_the_size_of_its_first_reading() -> None:
    # zh_mofcom_2025_58_lithium page 1: a 7.5 pt header above the 12 pt title.  Read again
    # from its crop (a re-reader gives each new character the line box's height, 30 px:
    # the brackets stretch the box) it measured 11 pt, the title's size, and took its place.
    header = (3, 1, 1)
    first = [("(通知", 18), ("公告", 16), ("转", 30), ("我", 18), ("和", 8), ("节选)", 18)]
    again = "（通知公告转载节选）"
    title_words, title_box, _ = LITHIUM_TITLE_2
    lines = [LineBox(header, 470, 100, 230, 30), LineBox((4, 1, 1), 269, 180, 630, title_box)]
    original = [Word(t, 470 + 40 * i, 100, 38, h, 80.0, header) for i, (t, h) in enumerate(first)]
    title = [
        Word(t, 269 + 50 * i, 180, 48, h, 95.0, (4, 1, 1)) for i, (t, h) in enumerate(title_words)
    ]
    reread = [Word(ch, 470 + 23 * i, 100, 22, 30, 90.0, header) for i, ch in enumerate(again)]
    sizes = line_heights(original + title, lines)
    chars, _ = page_chars(reread + title, lines, Transform(PT, PT), sizes)
    header_size = chars[0].size
    title_size = chars[-1].size
    assert header_size < 0.7 * title_size  # 7.5 / 12 pt in the text layer
