"""Synthetic scans for benchmarks and tests: a PDF rendered to images, degraded, re-wrapped.

``make_scan`` renders every page at ``dpi``, turns it by ``angle`` degrees, adds speckle
(salt-and-pepper dots) and a slight blur, and saves an image-only PDF of the same page size:
what a copier makes of a printed notice.  Deterministic for a given ``seed``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from ingest.ocr.image import render_pages


def degrade(
    image: Image.Image, angle: float, speckle: float, blur: float, seed: int
) -> Image.Image:
    """``image`` turned, speckled (``speckle``: share of pixels flipped) and blurred."""
    out = image.convert("L")
    if angle:
        out = out.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255)
    if blur:
        out = out.filter(ImageFilter.GaussianBlur(blur))
    if speckle:
        rng = np.random.default_rng(seed)
        pixels = np.asarray(out).copy()
        dots = rng.random(pixels.shape) < speckle
        pixels[dots] = np.where(rng.random(int(dots.sum())) < 0.5, 0, 255)
        out = Image.fromarray(pixels)
    return out


def make_scan(
    source: Path,
    target: Path,
    *,
    dpi: int = 200,
    angle: float = 1.0,
    speckle: float = 0.002,
    blur: float = 0.6,
    seed: int = 0,
    max_pages: int | None = None,
) -> Path:
    """Write an image-only PDF of ``source`` to ``target``; turn alternate pages ±``angle``."""
    import pypdfium2 as pdfium

    with pdfium.PdfDocument(str(source)) as document:
        count = len(document)
    numbers = list(range(1, (min(count, max_pages) if max_pages else count) + 1))
    images = [
        degrade(image, angle if n % 2 else -angle, speckle, blur, seed + n)
        for n, image in render_pages(source, numbers, dpi)
    ]
    target.parent.mkdir(parents=True, exist_ok=True)
    first, *rest = images
    first.save(target, "PDF", resolution=float(dpi), save_all=True, append_images=rest)
    return target
