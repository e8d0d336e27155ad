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
from PIL import Image

MAX_SKEW = 2.0  # degrees searched either way; a turned (90°) page is another matter
_PROFILE_WIDTH = 900


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


def deskew(image: Image.Image) -> tuple[Image.Image, float]:
    """The image turned level (white corners) and the angle it was turned by."""
    angle = estimate_skew(image)
    if abs(angle) < 0.1:
        return image, 0.0
    turned = image.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255)
    return turned, angle
