"""Layouts on scans: ruled tables read cell by cell, two text columns, vertical pages.

The grid tests draw rules on a page image and place glyphs by hand (no OCR engine): the
ruling found in the pixels must give the cells a text layer's drawn lines would.  The scan
tests generate notices (``tests/ocr_layout_fixtures``), scan them the bench way and read
them with Tesseract; they are skipped, naming what to install, only where it is missing.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from bench.ocr import levenshtein
from ingest.ocr import engines, vertical
from ingest.ocr.chars import Transform
from ingest.ocr.grid import image_tables
from ingest.ocr.image import clean, render_pages
from ingest.ocr.scans import make_scan
from ingest.pdf import Limits, RawChar, read_pdf
from ingest.pipeline import build_document
from models.document import Document
from tests.ocr_fixtures import JA, ZH
from tests.ocr_layout_fixtures import (
    TABLE_ROWS,
    write_table_notice,
    write_two_columns,
    write_vertical,
)

_TESSERACT = engines.missing("tesseract")
needs_tesseract = pytest.mark.skipif(_TESSERACT is not None, reason=f"Tesseract: {_TESSERACT}")
_VERTICAL = vertical.vertical_models("jpn")
needs_vertical = pytest.mark.skipif(
    _TESSERACT is not None or _VERTICAL is None,
    reason="Tesseract's vertical Japanese model: apt-get install tesseract-ocr-jpn-vert",
)
_WHITE = re.compile(r"\s+")
DPI = 200
SCALE = 72 / DPI  # pixels -> points
_WIDTH, _HEIGHT = 1700, 2200  # a letter page at 200 dpi


def _plain(text: str) -> str:
    return _WHITE.sub("", unicodedata.normalize("NFKC", text))


def _cer(expected: str, read: str) -> float:
    return levenshtein(_plain(expected), _plain(read)) / max(1, len(_plain(expected)))


# ---------------------------------------------------------------- grids, no OCR engine

_COLUMNS = (300, 420, 900, 1500)  # x of the vertical rules, pixels
_ROWS = (400, 560, 720)  # y of the horizontal rules


def _ruled(
    columns: tuple[int, ...], rows: tuple[int, ...], grey: int = 0, width: int = 3
) -> Image.Image:
    image = Image.new("L", (_WIDTH, _HEIGHT), 255)
    draw = ImageDraw.Draw(image)
    for y in rows:
        draw.line([(columns[0], y), (columns[-1], y)], fill=grey, width=width)
    for x in columns:
        draw.line([(x, rows[0]), (x, rows[-1])], fill=grey, width=width)
    return image


def _glyphs(text: str, left: int, top: int, size_px: int = 29) -> list[RawChar]:
    """``text`` as one line of glyphs from (left, top) in pixels, given in points."""
    out = []
    for index, ch in enumerate(text):
        x0 = (left + index * size_px) * SCALE
        out.append(
            RawChar(ch, x0, x0 + size_px * SCALE, top * SCALE, (top + size_px) * SCALE, 10.4)
        )
    return out


_CELLS = [
    _glyphs("一", 320, 430),
    _glyphs("騒音発生施設", 440, 430),
    _glyphs("公害防止管理者試験に合格", 920, 430),
    _glyphs("した者", 920, 470),  # the cell's second line
    _glyphs("二", 320, 590),
    _glyphs("特定粉じん", 440, 590),
    _glyphs("同項の下欄に掲げる者", 920, 590),
]
_EXPECTED = [
    ["一", "騒音発生施設", "公害防止管理者試験に合格した者"],
    ["二", "特定粉じん", "同項の下欄に掲げる者"],
]


def _turned(image: Image.Image, degrees: float) -> Image.Image:
    return image.rotate(degrees, resample=Image.Resampling.BILINEAR, fillcolor=255)


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        pytest.param(_ruled(_COLUMNS, _ROWS), _EXPECTED, id="three-ruled-columns"),
        # a 0.5 pt rule, blurred: mid-grey, and stepping a pixel row where it is a little off
        pytest.param(_ruled(_COLUMNS, _ROWS, 170, 2), _EXPECTED, id="thin-grey-rules"),
        pytest.param(_turned(_ruled(_COLUMNS, _ROWS, 120, 2), 0.04), _EXPECTED, id="off-level"),
        pytest.param(_ruled((300, 1500), _ROWS), [], id="a-boxed-paragraph-is-no-table"),
        pytest.param(_ruled((300, 1500), (400, 720)), [], id="a-frame-is-no-table"),
    ],
)
def test_ruled_cells_from_a_page_image(image: Image.Image, expected: list[list[str]]) -> None:
    chars = [g for cell in _CELLS for g in cell]
    transform = Transform(SCALE, SCALE)
    tables, rest = image_tables(image, chars, transform)
    assert [[cell.text for cell in row] for t in tables for row in t.rows] == expected
    # a table's glyphs are its cells, not running text; without a table all stay
    assert len(rest) == (0 if expected else len(chars))


def test_only_horizontal_rules_make_no_table() -> None:
    image = Image.new("L", (_WIDTH, _HEIGHT), 255)
    draw = ImageDraw.Draw(image)
    for y in (400, 1900):  # a heading underline, a footnote separator
        draw.line([(300, y), (1500, y)], fill=0, width=3)
    chars = _glyphs("第一条　この法律は", 300, 430)
    tables, rest = image_tables(image, chars, Transform(SCALE, SCALE))
    assert tables == [] and rest == chars


def test_a_rule_read_as_a_bar_is_no_text_of_the_cell() -> None:
    chars = [*_CELLS[1], RawChar("|", 417 * SCALE, 425 * SCALE, 432 * SCALE, 458 * SCALE, 10.4)]
    tables, _ = image_tables(_ruled(_COLUMNS, _ROWS), chars, Transform(SCALE, SCALE))
    assert [c.text for c in tables[0].rows[0]] == ["", "騒音発生施設", ""]


# ---------------------------------------------------------------- vertical pages


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("layouts")


def _page(folder: Path, name: str, source: Path, angle: float) -> Image.Image:
    scan = make_scan(source, folder / f"{name} {angle}.pdf", dpi=DPI, angle=angle)
    return clean(next(render_pages(scan, [1], DPI))[1])


@pytest.mark.parametrize(
    ("layout", "angle", "expected"),
    [
        pytest.param("vertical", 0.0, True, id="vertical"),
        pytest.param("vertical", 1.0, True, id="vertical-turned-1deg"),
        pytest.param("vertical", -1.5, True, id="vertical-turned-minus-1.5deg"),
        pytest.param("horizontal", 1.0, False, id="horizontal-notice"),
        pytest.param("two-columns", 1.0, False, id="two-text-columns"),
        pytest.param("table", -1.0, False, id="ruled-table"),
    ],
)
def test_vertical_layout_is_told_from_the_page_image(
    folder: Path, layout: str, angle: float, expected: bool
) -> None:
    from tests.ocr_fixtures import write_notice

    makers = {
        "vertical": lambda p: write_vertical(p, JA),
        "horizontal": lambda p: write_notice(p, [("zh", ZH)]),
        "two-columns": lambda p: write_two_columns(p, JA[0], JA[1]),
        "table": write_table_notice,
    }
    source = makers[layout](folder / f"{layout}.pdf")
    assert vertical.is_vertical(_page(folder, layout, source, angle)) is expected


# ---------------------------------------------------------------- scans, read by Tesseract


def _read(folder: Path, source: Path) -> Document:
    scan = make_scan(source, folder / f"{source.stem} scanned.pdf", dpi=DPI)
    raw = read_pdf(scan, Limits(max_seconds_per_file=300.0))
    assert all(page.source == "ocr" for page in raw.pages)
    return build_document(raw)


def _body(document: Document) -> str:
    return "".join(b.text for b in document.blocks if b.char_span is not None)


@needs_tesseract
def test_a_scanned_ruled_table_reads_cell_by_cell(folder: Path) -> None:
    document = _read(folder, write_table_notice(folder / "table.pdf"))
    assert len(document.tables) == 1
    rows = [[document.text[s.start : s.end] for s in row] for row in document.tables[0].rows]
    assert [len(row) for row in rows] == [3] * len(TABLE_ROWS)
    for row, expected in zip(rows, TABLE_ROWS, strict=True):
        # the prose columns; a lone kanji numeral (一 二 三) is what Tesseract reads worst
        for read, text in zip(row[1:], expected[1:], strict=True):
            assert _cer(text, read) <= 0.1, (read, text)


@needs_tesseract
def test_two_scanned_text_columns_read_left_then_right(folder: Path) -> None:
    document = _read(folder, write_two_columns(folder / "two.pdf", JA[0], JA[1]))
    assert _cer(JA[0] + JA[1], _body(document)) <= 0.03


@needs_vertical
def test_a_scanned_vertical_page_reads_in_column_order(folder: Path) -> None:
    document = _read(folder, write_vertical(folder / "tategaki.pdf", JA))
    assert _cer("".join(JA), _body(document)) <= 0.03
