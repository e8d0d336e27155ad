"""Ruled tables on a page image: the same ``RawTable`` s the text layer's drawn lines give.

On a scan a table's ruling is only pixels, and Tesseract's glyphs, grouped into lines by
height, run across the cells: a three-column 別表 read ``…排出ガス量が四万立方 験に合格した
者…`` (CER 11 % on such pages).  Here the long dark runs of the page image become line
edges, horizontal (``image.find_rules``) and vertical (the same on the transposed image),
and pdfplumber's own table geometry (``pdfplumber.table``: edges -> intersections -> cells ->
tables, the code behind ``page.find_tables`` on a text layer) makes the grid; the OCR
glyphs whose centre falls in a cell are that cell's text (``Table.extract``), read by
``ingest.tables.read_tables`` exactly as a text layer's table is.  The glyphs inside a table
leave the running text, as they do on a text layer (``ingest.tables.outside``).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pdfplumber.table as plumber_table
from PIL import Image

from ingest.ocr.chars import Transform
from ingest.ocr.image import find_rules
from ingest.ocr.mixed import _strip as stack_lines  # crops stacked in one white strip
from ingest.ocr.tesseract import LineBox, Word
from ingest.pdf import RawChar
from ingest.tables import RawCell, RawTable, cell_text, outside, read_tables

# A vertical rule is at least this share of the page height: ~3 ems of body text at any
# resolution, where a CJK character's longest stroke (丨 in 中) is about one em.
_VERTICAL_MIN = 0.04
# Pixel rows (columns) a rule may span: a 1 pt line blurred is 3-4 px, one more thickened,
# and a page levelled to within 0.05° lets a long line drift a pixel or two sideways.
_THICK = 9
# A thin (0.5 pt) rule a fraction of a degree off level is light grey (170-220) where it
# steps from one pixel row to the next: darker than this in either row counts.
_INK = 215
_TOLERANCE_PT = 3.0  # pdfplumber's default snap/join/intersection tolerance, in points
_MIN_VERTICALS = 3  # as ``ingest.tables``: a grid has at least three upright strokes
_RULE_GLYPH = 0.6  # of an em: a glyph at most this wide across a vertical rule is the rule
_NARROW_EMS = 4.0  # a cell narrower than this holds a numeral or a code, not prose
_FEW = 2  # characters read in a cell, at most, for it to be read again
_INSET_PT = 3.0  # a cell's inside: its rules (1 pt, blurred) cut off
# A lone numeral's thin strokes blurred are light grey (一 二 三: no pixel under 128), so a
# cell's ink is anything under this level.
_CELL_INK = 200
_MIN_INK = 12  # such pixels in a cell's inside for it to hold anything (a speck is 1-4)


@dataclass(frozen=True)
class _Glyphs:
    """What ``pdfplumber.table.Table.extract`` reads from a page: its ``chars`` as dicts."""

    chars: list[dict[str, Any]]


def _thickened(image: Image.Image) -> Image.Image:
    """Each pixel row the darker of itself and the row below: a thin rule left a fraction of
    a degree off level steps from one pixel row to the next, and no single row holds a run
    long enough to count (the top and bottom borders of a scanned 別表 were lost so)."""
    pixels = np.asarray(image)
    darker = np.minimum(pixels[:-1], pixels[1:])
    return Image.fromarray(np.ascontiguousarray(darker))


def _edges(image: Image.Image, transform: Transform) -> list[dict[str, Any]]:
    """The image's long vertical and horizontal rules as pdfplumber line edges, in points;
    none when fewer than ``_MIN_VERTICALS`` upright ones (most pages: half the work)."""
    sx, sy = transform.scale_x, transform.scale_y
    upright = _thickened(image.transpose(Image.Transpose.TRANSPOSE))
    shortest = _VERTICAL_MIN * image.height / upright.width  # of the transposed width
    edges = [
        _edge(left * sx, left * sx, top * sy, bottom * sy, "v")
        for top, bottom, left in find_rules(upright, shortest, _THICK, _INK)
    ]
    if len(edges) < _MIN_VERTICALS:
        return []
    for left, right, top in find_rules(_thickened(image), thick=_THICK, ink=_INK):
        edges.append(_edge(left * sx, right * sx, top * sy, top * sy, "h"))
    return edges


def _edge(x0: float, x1: float, top: float, bottom: float, orientation: str) -> dict[str, Any]:
    return {
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "width": x1 - x0,
        "height": bottom - top,
        "orientation": orientation,
        "object_type": "line",
    }


def _on_rule(glyph: RawChar, edges: list[dict[str, Any]]) -> bool:
    """A narrow glyph standing across a vertical rule is that rule, read as ``|`` or ``l``
    (``排出水量が|一万`` in a scanned 別表): a cell's text keeps clear of its rules."""
    if glyph.x1 - glyph.x0 > _RULE_GLYPH * glyph.size:
        return False
    middle = (glyph.top + glyph.bottom) / 2
    return any(
        e["orientation"] == "v"
        and glyph.x0 < e["x0"] < glyph.x1
        and e["top"] <= middle <= e["bottom"]
        for e in edges
    )


def _char(glyph: RawChar) -> dict[str, Any]:
    return {
        "text": glyph.text,
        "x0": glyph.x0,
        "x1": glyph.x1,
        "top": glyph.top,
        "bottom": glyph.bottom,
        "doctop": glyph.top,
        "upright": True,
    }


Reader = Callable[[Image.Image], list[Word]]  # a strip of crops -> its words (one block)


def _short(cell: RawCell, em: float) -> bool:
    """A cell Tesseract's page layout reads badly: a narrow one (a row's numeral, a code)
    or one with almost nothing read; alone on the page, such ink is taken for noise or
    joined to the rule beside it (十一 read ``トキ一 |``, 六 read ``バ``, 九 not at all)."""
    return cell.x1 - cell.x0 < _NARROW_EMS * em or len(cell.text.replace(" ", "")) <= _FEW


def _ink_box(image: Image.Image, box: LineBox) -> LineBox | None:
    """The part of ``box`` its ink covers (None: no more than a speck there): a tall cell
    holding one numeral is read as that numeral, not as a page of white."""
    crop = np.asarray(image.crop((box.left, box.top, box.left + box.width, box.top + box.height)))
    dark = crop < _CELL_INK
    if int(dark.sum()) < _MIN_INK:
        return None
    rows, cols = np.nonzero(dark.any(axis=1))[0], np.nonzero(dark.any(axis=0))[0]
    top, left = box.top + int(rows[0]), box.left + int(cols[0])
    return LineBox(box.key, left, top, int(cols[-1] - cols[0]) + 1, int(rows[-1] - rows[0]) + 1)


def reread_cells(
    image: Image.Image, tables: list[RawTable], transform: Transform, em: float, read: Reader
) -> None:
    """The short cells of ``tables`` (``_short``) read again, each alone: their insides
    (rules cut off) stacked in one strip, read in one call; a cell takes the new reading
    where it found text."""
    sx, sy = transform.scale_x, transform.scale_y
    inset = _INSET_PT
    chosen: list[tuple[RawCell, LineBox]] = []
    for cell in (c for table in tables for row in table.rows for c in row):
        left, top = round((cell.x0 + inset) / sx), round((cell.top + inset) / sy)
        right, bottom = round((cell.x1 - inset) / sx), round((cell.bottom - inset) / sy)
        if right - left < 4 or bottom - top < 4 or not _short(cell, em):
            continue
        inked = _ink_box(image, LineBox((0, 0, 0), left, top, right - left, bottom - top))
        if inked is not None:
            chosen.append((cell, inked))
    if not chosen:
        return
    strip, bands = stack_lines(image, [box for _, box in chosen])
    words = read(strip)
    for (cell, _), (top, bottom) in zip(chosen, bands, strict=True):
        inside = sorted(
            (w for w in words if top <= w.top + w.height / 2 < bottom),
            key=lambda w: (w.line, w.left),
        )
        text = cell_text(" ".join(w.text for w in inside))
        if text:
            cell.text = text


def image_tables(
    image: Image.Image, chars: list[RawChar], transform: Transform, read: Reader | None = None
) -> tuple[list[RawTable], list[RawChar]]:
    """The ruled tables of a page image (two or more columns) with their cells' text from
    ``chars`` (the page's OCR glyphs, in points), and the glyphs outside them; with
    ``read``, the short cells are read again alone (``reread_cells``)."""
    edges = _edges(image, transform)
    if not edges:
        return [], chars
    tol = _TOLERANCE_PT
    merged = plumber_table.merge_edges(edges, tol, tol, tol, tol)
    crossings = plumber_table.edges_to_intersections(merged, tol, tol)
    cells = plumber_table.intersections_to_cells(crossings)
    chars = [c for c in chars if not _on_rule(c, merged)]
    page = _Glyphs([_char(c) for c in chars])
    found = [plumber_table.Table(page, group) for group in plumber_table.cells_to_tables(cells)]
    tables = read_tables(found)
    if tables and read is not None and chars:
        em = statistics.median(c.size for c in chars)
        reread_cells(image, tables, transform, em, read)
    return tables, outside(chars, tables)
