"""OCR the pages of one PDF that need it, in place, under the file's time limit.

Pages are rendered one after the other (pdfium is not thread-safe) and read by Tesseract two
at a time (``REGWATCH_OCR_WORKERS``), each process single-threaded.  The language of each page
comes from its script: the first page read is read as Japanese + simplified Chinese and its
kana/traditional characters decide; later pages use that language alone, and a page whose
result contradicts it (no kana on a "Japanese" page, a low confidence) is read again.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from ingest.ocr import tesseract
from ingest.ocr.chars import Transform, page_chars, script_language
from ingest.ocr.image import clean, deskew, render_pages
from ingest.pdf import RawChar, RawPage

# 200 dpi puts a 10.5 pt CJK character at ~29 px, what the models read best: 300 dpi
# (44 px) measured worse, even on 300-dpi scans (bench/ocr.py)
DPI = int(os.environ.get("REGWATCH_OCR_DPI", "200"))
FIRST_LANG = "jpn+chi_sim"
_LOW_CONFIDENCE = 0.7


@dataclass
class PageReading:
    """What OCR made of one page."""

    number: int
    chars: list[RawChar]
    confidence: float | None
    lang: str
    skew: float
    error: str | None = None


def _workers() -> int:
    wanted = os.environ.get("REGWATCH_OCR_WORKERS")
    if wanted and wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    return max(1, min(2, os.cpu_count() or 1))


def _read_once(
    image: Image.Image, angle: float, page: RawPage, lang: str, timeout: float
) -> PageReading:
    words, lines = tesseract.recognize(image, DPI, lang, timeout=timeout)
    # boxes stay in the levelled image's frame: mapped back onto the turned page, a line's
    # characters would climb or fall and no longer make one row (at most 2° off, a few pt)
    transform = Transform(scale_x=page.width / image.width, scale_y=page.height / image.height)
    chars, confidence = page_chars(words, lines, transform)
    return PageReading(page.number, chars, confidence, lang, angle)


def _text(reading: PageReading) -> str:
    return "".join(c.text for c in reading.chars)


def read_page(image: Image.Image, page: RawPage, lang: str | None, timeout: float) -> PageReading:
    """One page: deskewed, read in ``lang`` (None: detect), read again when that looks wrong."""
    started = time.monotonic()
    image, angle = deskew(clean(image))
    first = _read_once(image, angle, page, lang or FIRST_LANG, timeout)
    detected = script_language(_text(first))
    if lang is None:
        first.lang = detected or "jpn"
        return first
    conf = first.confidence or 0.0
    if detected is None or (detected == lang and conf >= _LOW_CONFIDENCE):
        return first
    if lang == "jpn" and detected != "jpn":
        retry_lang = detected
    elif conf < _LOW_CONFIDENCE:
        retry_lang = FIRST_LANG
    else:
        return first
    left = timeout - (time.monotonic() - started)
    if left <= 1:
        return first
    second = _read_once(image, angle, page, retry_lang, left)
    if (second.confidence or 0.0) > conf:
        second.lang = script_language(_text(second)) or retry_lang
        return second
    return first


def ocr_pages(
    path: Path,
    pages: list[RawPage],
    deadline: float,
    on_page: Callable[[PageReading], None] | None = None,
) -> list[PageReading]:
    """Read ``pages`` of ``path`` (one reading each, in order); stops at ``deadline``
    (``time.monotonic()``), raising ``TimeoutError`` with the page it stopped at."""
    by_number = {page.number: page for page in pages}
    readings: list[PageReading] = []
    lang: str | None = None
    workers = _workers()
    pending: list[tuple[int, Future[PageReading]]] = []

    def take() -> None:
        nonlocal lang
        number, future = pending.pop(0)
        try:
            reading = future.result()
        except tesseract.OcrEngineError as exc:
            reading = PageReading(number, [], None, lang or "", 0.0, error=str(exc))
        if lang is None and not reading.error and script_language(_text(reading)):
            lang = reading.lang
        readings.append(reading)
        if on_page is not None:
            on_page(reading)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for index, (number, image) in enumerate(render_pages(path, [p.number for p in pages], DPI)):
            # the first page read decides the language the next ones are read in
            while pending and (index == 1 or len(pending) >= workers):
                take()
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(number)
            pending.append((number, pool.submit(read_page, image, by_number[number], lang, left)))
            while pending and pending[0][1].done():
                take()
        while pending:
            take()
    if time.monotonic() > deadline:
        raise TimeoutError(readings[-1].number if readings else pages[0].number)
    return readings
