"""Vertical writing (tategaki): columns read top to bottom, the columns right to left.

Older Japanese 通達 and official-gazette pages are set so.  A horizontal model reads such a
page as garbage; Tesseract's ``*_vert`` models (Debian ``tesseract-ocr-jpn-vert``) read it
when the page is turned a quarter counter-clockwise: the rightmost column becomes the top
line, each column's first character its left end, the characters lying on their sides,
as the vertical models expect.  The page is then read like a page OCR found turned
(``PageReading.turn`` 270): its glyphs, lines and reading order are those of the turned
image, so lines, layout and extraction work unchanged.

A page is vertical when its ink leaves blank *columns* (the gaps between text columns)
and hardly any blank rows: horizontal text is the other way round (1-4 % blank columns,
30-70 % blank rows on the dev scans; a vertical page 40-50 % and 0-25 %).
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from ingest.ocr import tesseract

# Tesseract's vertical model of each script it reads horizontally.
VERTICAL_MODELS = {"jpn": "jpn_vert", "chi_sim": "chi_sim_vert", "chi_tra": "chi_tra_vert"}
TURN = 270  # degrees clockwise the page is turned to read it (PIL: rotate(90), expand)
_WIDTH = 600  # pixels the profile is taken at
_INK = 160
_BLANK = 0.02  # of the fullest column (row): at most this much ink is a gap
_MIN_BLANK = 0.2  # share of blank columns a vertical page shows at least
_RATIO = 1.5  # ... and so many times its share of blank rows
_MIN_GAPS = 3  # gaps between columns: two columns of text are not yet a page of them


def _blank(profile: np.ndarray) -> tuple[float, int]:
    """(share of blank positions, blank runs) between the first and last inked position."""
    inked = np.nonzero(profile)[0]
    if len(inked) == 0:
        return 0.0, 0
    span = profile[inked[0] : inked[-1] + 1]
    blank = span <= max(1, _BLANK * span.max())
    runs = int(np.count_nonzero(blank[1:] & ~blank[:-1]))
    return float(blank.mean()), runs


def is_vertical(image: Image.Image) -> bool:
    """Whether the page's text runs in vertical columns (the image is cleaned of speckle)."""
    small = image.resize((_WIDTH, max(1, round(image.height * _WIDTH / image.width))))
    ink = np.asarray(small) < _INK
    rows, _ = _blank(ink.sum(axis=1))
    columns, gaps = _blank(ink.sum(axis=0))
    return columns >= _MIN_BLANK and columns > _RATIO * rows and gaps >= _MIN_GAPS


def vertical_models(lang: str | None) -> str | None:
    """The installed vertical model for the script ``lang`` (None: not known yet, taken for
    Japanese, the script vertical notices are set in); None when it is not installed."""
    models = VERTICAL_MODELS.get(lang or "jpn")
    return models if models in tesseract.installed_languages() else None


def turned(image: Image.Image) -> Image.Image:
    """The page turned so its columns lie as lines, the first (rightmost) on top."""
    return image.rotate(360 - TURN, expand=True, fillcolor=255)
