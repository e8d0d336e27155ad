"""Page images: rendering a PDF page, estimating and correcting a small skew.

Rendering goes through pypdfium2, the renderer pdfplumber itself depends on, so OCR needs no
other PDF library.  The skew estimate is a projection profile: text lines turned level make
the sharpest row histogram.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter

MAX_SKEW = 2.0  # degrees searched either way; a turned (90°) page is another matter
_PROFILE_WIDTH = 900
SPECKLE = 0.005  # isolated dark pixels over dark pixels above which a page is speckled


def render_pages(path: Path, numbers: list[int], dpi: int) -> Iterator[tuple[int, Image.Image]]:
    """``(number, grayscale image)`` of each 1-based page in ``numbers``, in that order."""
    document = pdfium.PdfDocument(str(path))
    try:
        for number in numbers:
            page = document[number - 1]
            try:
                bitmap = page.render(scale=dpi / 72, grayscale=True)
                image = bitmap.to_pil().convert("L")
            finally:
                page.close()
            yield number, image
    finally:
        document.close()


BAND = 0.25  # of the page height: ten-odd body lines, enough to tell the script
_BAND_REDUCE = 4


def _blank_row(ink: np.ndarray, row: int, step: int, limit: int) -> int:
    """The nearest row from ``row`` (moving by ``step``, at most ``limit`` rows) with no
    ink: a gap between lines."""
    end = row + step * limit
    while 0 < row < len(ink) - 1 and ink[row] and row != end:
        row += step
    return row


def text_band(image: Image.Image, share: float = BAND) -> Image.Image:
    """The full-width band of ``share`` of the page's height holding the most ink, widened
    to the blank rows around it so no line is cut: a few lines to tell the page's script,
    read in a fraction of the page's time.  A page no taller than the band is itself."""
    small = np.asarray(image.reduce(_BAND_REDUCE)) < 128
    ink = small.sum(axis=1)
    rows = max(1, round(share * len(ink)))
    if rows >= len(ink):
        return image
    totals = np.convolve(ink, np.ones(rows, dtype=np.int64), mode="valid")
    top = int(np.argmax(totals))
    limit = max(1, rows // 4)
    bottom = _blank_row(ink, min(len(ink) - 1, top + rows), 1, limit)
    top = _blank_row(ink, top, -1, limit)
    scale = _BAND_REDUCE
    return image.crop((0, top * scale, image.width, min(image.height, (bottom + 1) * scale)))


def _profile_score(mask: Image.Image, angle: float) -> float:
    turned = np.asarray(mask.rotate(angle, resample=Image.Resampling.NEAREST), dtype=np.float32)
    rows = turned.sum(axis=1)
    return float(np.square(np.diff(rows)).sum())


def estimate_skew(image: Image.Image) -> float:
    """The angle (degrees, counter-clockwise as ``Image.rotate``) that levels the text."""
    scale = _PROFILE_WIDTH / image.width
    small = image.resize((_PROFILE_WIDTH, max(1, round(image.height * scale))))
    ink = np.asarray(small) < 160
    if ink.mean() < 0.002:  # blank page
        return 0.0
    mask = Image.fromarray((ink * 255).astype(np.uint8))
    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 1e-6, 0.25), key=lambda a: _profile_score(mask, a))
    fine = np.arange(best - 0.2, best + 0.2 + 1e-6, 0.05)
    return round(float(max(fine, key=lambda a: _profile_score(mask, a))), 2)


def speckle_share(image: Image.Image) -> float:
    """Isolated dark pixels (no dark neighbour) as a share of all dark pixels."""
    dark = np.asarray(image) < 128
    total = int(dark.sum())
    if not total:
        return 0.0
    padded = np.pad(dark, 1).astype(np.uint8)
    neighbours = sum(
        padded[1 + dy : padded.shape[0] - 1 + dy, 1 + dx : padded.shape[1] - 1 + dx]
        for dy in (-1, 0, 1)
        for dx in (-1, 0, 1)
        if dy or dx
    )
    return float((dark & (neighbours == 0)).sum()) / total


def clean(image: Image.Image) -> Image.Image:
    """A speckled image through a 3x3 median filter; a clean one as it is.  Stray dots join
    word boxes and merge lines (CER 15.5% -> 2.3% on a speckled 200-dpi Japanese page), but
    the filter thins a clean rendering's strokes (2.1% -> 26%), hence the test."""
    if speckle_share(image) < SPECKLE:
        return image
    return image.filter(ImageFilter.MedianFilter(3))


def deskew(image: Image.Image) -> tuple[Image.Image, float]:
    """The image turned level (white corners) and the angle it was turned by."""
    angle = estimate_skew(image)
    if abs(angle) < 0.1:
        return image, 0.0
    turned = image.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255)
    return turned, angle


_RULE_MIN = 0.04  # of the page width: the layout's shortest footnote separator
_RULE_THICK = 6  # pixel rows at most (a 1 pt rule at 200 dpi, blurred, is 3-4)
_RULE_GAP = 2  # pixels: closes holes of up to 4 px along a row
_RULE_INK = 170  # a 0.5 pt rule, blurred and levelled, is only mid-grey (120-150)


def _close_rows(ink: np.ndarray, gap: int) -> np.ndarray:
    """``ink`` with gaps of up to ``2 * gap`` pixels along each row filled (a morphological
    closing): speckle and blur break a thin rule into pieces."""
    grown = ink.copy()
    for shift in range(1, gap + 1):
        grown[:, shift:] |= ink[:, :-shift]
        grown[:, :-shift] |= ink[:, shift:]
    closed = grown.copy()
    for shift in range(1, gap + 1):
        closed[:, shift:] &= grown[:, :-shift]
        closed[:, :-shift] &= grown[:, shift:]
    return closed


def find_rules(
    image: Image.Image, shortest: float = _RULE_MIN, thick: int = _RULE_THICK, ink: int = _RULE_INK
) -> list[tuple[int, int, int]]:
    """Horizontal rules on a page image as ``(left, right, top)`` pixels: runs of ink at least
    4 % of the page wide, a few rows thick.  A text layer gives its drawn lines to the layout
    (footnote separators, boxed quotations, tables); a scan has only their pixels.  A CJK
    stroke (一) is about an em, far under 4 % of a page at body sizes.  ``shortest``: of the
    width; ``thick``: pixel rows at most; ``ink``: the grey level under which a pixel is
    dark (``ingest.ocr.grid`` finds a table's rules so, vertical ones on the image
    transposed)."""
    dark = _close_rows(np.asarray(image) < ink, _RULE_GAP)
    height, width = dark.shape
    least = max(8, round(shortest * width))
    padded = np.zeros((height, width + 2), dtype=np.int8)
    padded[:, 1:-1] = dark
    edges = np.diff(padded, axis=1)
    rows_on, starts = np.nonzero(edges == 1)
    _, ends = np.nonzero(edges == -1)  # same rows, same order: one end per start
    long = (ends - starts) >= least
    runs = sorted(
        zip(rows_on[long].tolist(), starts[long].tolist(), ends[long].tolist(), strict=True)
    )
    rules: list[list[int]] = []  # [left, right, top, bottom]
    for row, left, right in runs:
        for rule in rules:  # the same rule one row lower: overlapping, adjacent
            if rule[3] + 1 >= row and left < rule[1] and right > rule[0]:
                rule[0], rule[1], rule[3] = min(rule[0], left), max(rule[1], right), row
                break
        else:
            rules.append([left, right, row, row])
    return [(r[0], r[1], r[2]) for r in rules if r[3] - r[2] + 1 <= thick]
