"""Vertical writing (tategaki): columns read top to bottom, the columns right to left.

Older Japanese 通達 and official-gazette pages are set so.  A horizontal model reads such a
page as garbage; Tesseract's ``*_vert`` models (Debian ``tesseract-ocr-jpn-vert``,
``-chi-sim-vert``, ``-chi-tra-vert``) read it when the page is turned a quarter
counter-clockwise: the rightmost column becomes the top line, each column's first character
its left end, the characters lying on their sides, as the vertical models expect.  The
page is then read like a page OCR found turned (``PageReading.turn`` 270): its glyphs,
lines and reading order are those of the turned image, so lines, layout and extraction
work unchanged.

A page is vertical when its ink leaves blank *columns* (the gaps between text columns)
and hardly any blank rows: horizontal text is the other way round (1-4 % blank columns,
30-70 % blank rows on the dev scans; a vertical page 40-50 % and 0-25 %).
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from ingest.ocr import tesseract
from ingest.ocr.image import MAX_SKEW

# Tesseract's vertical model of each script it reads horizontally.
VERTICAL_MODELS = {"jpn": "jpn_vert", "chi_sim": "chi_sim_vert", "chi_tra": "chi_tra_vert"}
TURN = 270  # degrees clockwise the page is turned to read it (PIL: rotate(90), expand)
_WIDTH = 500  # pixels the profile is taken at
_INK = 160
_BLANK = 0.02  # of the fullest column (row): at most this much ink is a gap
_MIN_BLANK = 0.2  # share of blank columns a vertical page shows at least
_RATIO = 1.5  # ... and so many times its share of blank rows
_MIN_GAPS = 3  # gaps between columns: two columns of text are not yet a page of them
_STEP = 0.5  # degrees between the turns tried


def _blank(profile: np.ndarray) -> tuple[float, int]:
    """(share of blank positions, blank runs) between the first and last inked position."""
    inked = np.nonzero(profile)[0]
    if len(inked) == 0:
        return 0.0, 0
    span = profile[inked[0] : inked[-1] + 1]
    blank = span <= max(1, _BLANK * span.max())
    runs = int(np.count_nonzero(blank[1:] & ~blank[:-1]))
    return float(blank.mean()), runs


def _shares(mask: Image.Image) -> tuple[float, float, int]:
    """(blank rows, blank columns, gaps between columns) of an ink mask."""
    ink = np.asarray(mask) > 0
    rows, _ = _blank(ink.sum(axis=1))
    columns, gaps = _blank(ink.sum(axis=0))
    return rows, columns, gaps


def is_vertical(image: Image.Image) -> bool:
    """Whether the page's text runs in vertical columns (the image is cleaned of speckle).
    Taken at the turn, within the skew a scan may have, that opens the most blank: a page
    1° off runs a column ~40 px sideways over its height, across the gap beside it."""
    small = image.resize((_WIDTH, max(1, round(image.height * _WIDTH / image.width))))
    mask = Image.fromarray(((np.asarray(small) < _INK) * 255).astype(np.uint8))
    level = _shares(mask)
    if level[0] >= _MIN_BLANK and level[0] > _RATIO * level[1]:
        return False  # lines of text as they stand: most pages stop here
    angles = np.arange(-MAX_SKEW, MAX_SKEW + 1e-6, _STEP)
    shares = [_shares(mask.rotate(float(a), resample=Image.Resampling.NEAREST)) for a in angles]
    rows = max(r for r, _, _ in shares)
    columns, gaps = max((c, g) for _, c, g in shares)
    return columns >= _MIN_BLANK and columns > _RATIO * rows and gaps >= _MIN_GAPS


def vertical_models(lang: str | None) -> str | None:
    """The installed vertical model for the script ``lang`` (None: not known yet, taken for
    Japanese, the script vertical notices are set in); None when it is not installed."""
    models = VERTICAL_MODELS.get(lang or "jpn")
    return models if models in tesseract.installed_languages() else None


def reads_chinese() -> bool:
    """Whether both vertical Chinese models are installed (Debian
    ``tesseract-ocr-chi-sim-vert``, ``-chi-tra-vert``), so a vertical page's script can be
    decided as a horizontal one's (``script.decide``); without them it is read in
    ``jpn_vert``."""
    return all(vertical_models(lang) is not None for lang in ("chi_sim", "chi_tra"))


def turned(image: Image.Image) -> Image.Image:
    """The page turned so its columns lie as lines, the first (rightmost) on top."""
    return image.rotate(360 - TURN, expand=True, fillcolor=255)
