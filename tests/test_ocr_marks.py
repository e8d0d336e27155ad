"""Filled square bullets on scans (``ingest.ocr.marks``).

The crops are lines of 200-dpi scans made by ``python -m bench.ocr`` (samples/000 pages 3-5,
dev v2 gx_suishin and tariff_law page 2), cropped from the levelled page with room on the
left; ``lines.json`` gives each crop's Tesseract line box, what Tesseract read and whether
the text layer opens the line with ``■``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ingest.ocr.marks import SQUARE, _first_glyph, is_solid_square, with_squares
from ingest.ocr.tesseract import LineBox, Word

FOLDER = Path(__file__).parent / "data" / "ocr" / "squares"
CROPS = json.loads((FOLDER / "lines.json").read_text(encoding="utf-8"))


def _crop(row: dict) -> tuple[Image.Image, LineBox]:
    left, top, width, height = row["line"]
    return Image.open(FOLDER / row["file"]), LineBox((1, 1, 1), left, top, width, height)


@pytest.mark.parametrize(
    "row", [pytest.param(row, id=row["file"].removesuffix(".png")) for row in CROPS]
)
def test_a_line_opening_square_is_told_from_kanji(row: dict) -> None:
    image, line = _crop(row)
    ink = np.asarray(image.convert("L")) < 128
    box = _first_glyph(ink, line)
    assert box is not None
    assert is_solid_square(ink, box, line.height) == row["square"]


@pytest.mark.parametrize(
    ("first_word", "expected"),
    [
        # Tesseract read the square as a kanji glued to the heading's first word
        pytest.param(("還採掘企業", 0), ["■", "採掘企業"], id="read-as-kanji-in-word"),
        pytest.param(("田", 0), ["■"], id="read-as-kanji-alone"),
        # Tesseract dropped it: its first word starts after the square
        pytest.param(("採掘企業", 30), ["■", "採掘企業"], id="not-read"),
    ],
)
def test_the_square_replaces_or_precedes_the_first_word(
    first_word: tuple[str, int], expected: list[str]
) -> None:
    row = next(r for r in CROPS if r["file"] == "ja_commentary_square_p4_2.png")
    image, line = _crop(row)
    text, shift = first_word
    left = line.left + shift
    words = [Word(text, left, line.top, 28 * len(text), line.height, 40.0, line.key)]
    out = with_squares(image, words, [line])
    assert [w.text for w in out] == expected
    assert out[0].text == SQUARE and out[0].left < line.left + 28


def test_kanji_lines_are_left_as_read() -> None:
    for row in CROPS:
        if row["square"]:
            continue
        image, line = _crop(row)
        words = [
            Word(row["tesseract"], line.left, line.top, line.width, line.height, 90.0, line.key)
        ]
        assert with_squares(image, words, [line]) == words
