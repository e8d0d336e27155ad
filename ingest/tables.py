"""Ruled tables (a statute's 別表 grids): cells read as cells, not as interleaved lines.

A three-column table printed line by line reads ``…排出水量が一万立方メー験に合格した者…``: the
columns' lines interleave.  A page that draws a grid (ruling lines or cell rectangles) is
asked for its tables (pdfplumber's line strategy, called through the page object that
``ingest.pdf`` hands over, so this module imports no PDF library); each cell's text is its
lines joined like a wrapped paragraph.  ``ingest.pdf`` drops the glyphs inside a table from
the page's running text and keeps the table; ``ingest.pipeline`` puts each row back in
reading order as one block whose lines are the cells (``Document.tables`` maps them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ingest.normalize import line_separator, normalize_text

# A grid needs at least this many vertical strokes (lines, or sides of cell rectangles).
_MIN_VERTICALS = 3
_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}


@dataclass
class RawCell:
    x0: float
    top: float
    x1: float
    bottom: float
    text: str  # lines joined, normalised like body text


@dataclass
class RawTable:
    x0: float
    top: float
    x1: float
    bottom: float
    rows: list[list[RawCell]] = field(default_factory=list)

    def holds(self, x: float, y: float) -> bool:
        return self.x0 - 0.5 <= x <= self.x1 + 0.5 and self.top - 0.5 <= y <= self.bottom + 0.5


def _verticals(page: Any) -> int:
    lines = page.objects.get("line", [])
    rects = page.objects.get("rect", [])
    upright = sum(1 for o in lines if abs(float(o["x1"]) - float(o["x0"])) < 1.5)
    upright += sum(
        1
        for o in rects
        if float(o["x1"]) - float(o["x0"]) < 1.5 and float(o["bottom"]) - float(o["top"]) > 5
    )
    boxes = sum(
        1
        for o in rects
        if float(o["x1"]) - float(o["x0"]) > 5 and float(o["bottom"]) - float(o["top"]) > 5
    )
    return upright + 2 * boxes


def cell_text(text: str | None) -> str:
    """A cell's printed lines as one line (nothing between CJK, a space between words)."""
    out = ""
    for line in (text or "").split("\n"):
        line = normalize_text(line).strip()
        if line:
            out = out + line_separator(out, line) + line if out else line
    return out


def outside(chars: list[Any], tables: list[RawTable]) -> list[Any]:
    """The glyphs (anything with ``x0 x1 top bottom``) standing in none of ``tables``: a
    table's glyphs are its cells' text, not running lines."""
    if not tables:
        return chars
    return [
        c
        for c in chars
        if not any(t.holds((c.x0 + c.x1) / 2, (c.top + c.bottom) / 2) for t in tables)
    ]


def ruled_tables(page: Any) -> list[RawTable]:
    """The page's ruled tables of two or more columns, in reading order (cheap when the page
    draws no grid: no table search then)."""
    if _verticals(page) < _MIN_VERTICALS:
        return []
    return read_tables(page.find_tables(_SETTINGS))


def read_tables(found_tables: Iterable[Any]) -> list[RawTable]:
    """pdfplumber ``Table`` objects (from a page's drawn lines, or from the lines of a page
    image: ``ingest.ocr.grid``) as ``RawTable`` s of two or more columns, in reading order."""
    tables: list[RawTable] = []
    for found in found_tables:
        texts = found.extract()
        rows: list[list[RawCell]] = []
        for row, row_texts in zip(found.rows, texts, strict=False):
            cells = [
                RawCell(*(float(v) for v in box), cell_text(text))
                for box, text in zip(row.cells, row_texts, strict=False)
                if box is not None  # a merged cell is listed once, at its first column
            ]
            if any(c.text for c in cells):
                rows.append(cells)
        if rows and max(len(r) for r in rows) >= 2:
            x0, top, x1, bottom = (float(v) for v in found.bbox)
            tables.append(RawTable(x0, top, x1, bottom, rows))
    return sorted(tables, key=lambda t: (t.top, t.x0))
