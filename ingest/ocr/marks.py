"""Solid square bullets (``■``) that the OCR models read as a dense kanji or drop.

Commentaries open their section headings with ``■`` (``■目的（第1条）``).  Tesseract's
Japanese model has no good class for a filled square: it reads 玉 還 画, or nothing, and the
heading then reads as prose (the layout takes a ``■`` line for a heading; without it a
heading ran into the quoted article above it, whose text was then scored wrong).  A filled
square is told from the image instead, by a rule for any text: the first glyph of a line is
about as wide as it is tall, at least half the line's height, and its box is almost all
ink.  No character is that solid: the densest kanji at 200 dpi, blurred, fill well under it
(their strokes leave white between them).
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from ingest.ocr.tesseract import LineBox, Word

SQUARE = "■"
_FILL = 0.85  # share of the glyph's box that is ink
_REACH = 1.5  # line heights left of and into the line searched for the first glyph


def _first_glyph(ink: np.ndarray, line: LineBox) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom) of the first glyph near the start of ``line``, in pixels."""
    reach = round(_REACH * line.height)
    x0, x1 = max(0, line.left - reach), min(ink.shape[1], line.left + reach)
    band = ink[line.top : line.top + line.height, x0:x1]
    columns = np.flatnonzero(band.any(axis=0))
    if not len(columns):
        return None
    start = end = int(columns[0])
    while end + 1 < band.shape[1] and band[:, end + 1].any():
        end += 1
    rows = np.flatnonzero(band[:, start : end + 1].any(axis=1))
    return x0 + start, line.top + int(rows[0]), x0 + end + 1, line.top + int(rows[-1]) + 1


def is_solid_square(ink: np.ndarray, box: tuple[int, int, int, int], height: int) -> bool:
    """The glyph in ``box`` is a filled square for a line ``height`` pixels high."""
    left, top, right, bottom = box
    width, tall = right - left, bottom - top
    if tall < 0.5 * height or not 0.75 <= width / max(1, tall) <= 1.33:
        return False
    return float(ink[top:bottom, left:right].mean()) >= _FILL


def with_squares(image: Image.Image, words: list[Word], lines: list[LineBox]) -> list[Word]:
    """``words`` with a line-opening filled square read as ``■``: the character Tesseract
    read over it replaced, or ``■`` put before the line's first word when it read none."""
    ink = np.asarray(image.convert("L")) < 128
    out = list(words)
    for line in lines:
        index = next((i for i, w in enumerate(out) if w.line == line.key), None)
        if index is None:
            continue
        box = _first_glyph(ink, line)
        if box is None or not is_solid_square(ink, box, line.height):
            continue
        first = out[index]
        if first.text.startswith(SQUARE):
            continue
        left, top, right, bottom = box
        square = Word(SQUARE, left, top, right - left, bottom - top, 90.0, line.key)
        if first.left >= right - 0.25 * (right - left):  # the square was not read
            out.insert(index, square)
            continue
        rest = first.text[1:]
        out[index] = square
        if rest:
            width = max(1, first.left + first.width - right)
            out.insert(
                index + 1, Word(rest, right, first.top, width, first.height, first.conf, first.line)
            )
    return out
