"""Generated notices laid out as tables, two text columns and vertical columns, for the OCR
layout tests (``tests/test_ocr_layouts.py``).

The texts are real provisions: rows of the 別表 of Japan's 特定工場における公害防止組織の
整備に関する法律施行令 (dev v2, e-Gov), Articles 1 and 48 of the Foreign Exchange and
Foreign Trade Act (``tests/ocr_fixtures.JA``) and Articles 2 and 34 of the PRC Export Control
Law.  Drawn with reportlab's built-in CID fonts, as ``tests/ocr_fixtures`` does.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfgen import canvas

from tests.ocr_fixtures import FONTS, _register

# (numeral, facility, qualified person): three columns of the 別表, the last two wrapped
TABLE_ROWS = (
    (
        "一",
        "騒音発生施設又は振動発生施設",
        "公害防止管理者試験に合格した者又は同項の下欄に掲げる資格を有する者",
    ),
    ("二", "特定粉じん発生施設", "別表第三の十の項の中欄に掲げる区分について行う試験に合格した者"),
    ("三", "一般粉じん発生施設", "十の項の下欄に掲げる者又は別表第三の十一の項の中欄に掲げる者"),
    ("四", "汚水等排出施設で排出水量が一万立方メートル以上の工場", "水質関係第一種有資格者"),
)
_WIDTHS = (40.0, 160.0, 250.0)  # points
_CELL_SIZE = 11.0
_LEADING = 1.6


def _wrap(text: str, width: float, size: float) -> list[str]:
    per_line = max(1, int((width - 12) // size))
    return [text[i : i + per_line] for i in range(0, len(text), per_line)]


def write_table_notice(path: Path, rows: tuple[tuple[str, ...], ...] = TABLE_ROWS) -> Path:
    """One page: a caption, then ``rows`` in a ruled grid (cells wrapped, rules 0.5 pt)."""
    _register()
    drawing = canvas.Canvas(str(path), invariant=1)
    drawing.setFont(FONTS["ja"], 12)
    drawing.drawString(72, 760, "別表第二（第三条関係）")
    x0, top = 72.0, 740.0
    edges = [x0]
    for width in _WIDTHS:
        edges.append(edges[-1] + width)
    drawing.setLineWidth(0.5)
    y = top
    for row in rows:
        wrapped = [_wrap(text, w, _CELL_SIZE) for text, w in zip(row, _WIDTHS, strict=True)]
        height = max(len(lines) for lines in wrapped) * _CELL_SIZE * _LEADING + 10
        drawing.line(edges[0], y, edges[-1], y)
        drawing.setFont(FONTS["ja"], _CELL_SIZE)
        for left, lines in zip(edges, wrapped, strict=False):
            for index, line in enumerate(lines):
                drawing.drawString(left + 6, y - 6 - _CELL_SIZE * (index * _LEADING + 1), line)
        y -= height
    drawing.line(edges[0], y, edges[-1], y)
    for x in edges:
        drawing.line(x, top, x, y)
    drawing.showPage()
    drawing.save()
    return path


def write_two_columns(path: Path, left: str, right: str, script: str = "ja") -> Path:
    """One page of two text columns, 14 characters a line at 11 pt, a 36 pt gutter."""
    _register()
    drawing = canvas.Canvas(str(path), invariant=1)
    for x, text in ((72.0, left), (72.0 + 14 * _CELL_SIZE + 36.0, right)):
        y = 760.0
        drawing.setFont(FONTS[script], _CELL_SIZE)
        for start in range(0, len(text), 14):
            drawing.drawString(x, y, text[start : start + 14])
            y -= _CELL_SIZE * 1.7
    drawing.showPage()
    drawing.save()
    return path


def write_vertical(path: Path, paragraphs: tuple[str, ...], script: str = "ja") -> Path:
    """One page set vertically: columns of 36 characters at 12 pt, read from the right,
    each paragraph starting a new column (the characters drawn one by one, upright)."""
    _register()
    drawing = canvas.Canvas(str(path), invariant=1)
    size, per_column = 12.0, 36
    drawing.setFont(FONTS[script], size)
    x = 595.0 - 72.0 - size
    for paragraph in paragraphs:
        for start in range(0, len(paragraph), per_column):
            for index, char in enumerate(paragraph[start : start + per_column]):
                drawing.drawString(x, 770.0 - size * (index + 1) * 1.05, char)
            x -= size * 1.8
    drawing.showPage()
    drawing.save()
    return path
