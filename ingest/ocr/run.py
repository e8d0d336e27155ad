"""OCR the pages of one PDF that need it, in place, under the file's time limit.

Pages are rendered one after the other (pdfium is not thread-safe) and read by Tesseract two
at a time (``REGWATCH_OCR_WORKERS``), each process single-threaded.  The language of each page
comes from its script: the first page read is read as Japanese + simplified Chinese and its
kana decide Japanese; a Chinese one is read again with both Chinese models, whose forms decide
simplified or traditional; a Japanese or traditional page is then read in that model alone.
Later pages use that language, and a page whose result contradicts it (no kana on a
"Japanese" page, a low confidence) is read again.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from ingest.ocr import tesseract
from ingest.ocr.chars import Transform, off_text, page_chars, script_language
from ingest.ocr.image import clean, deskew, find_rules, render_pages
from ingest.ocr.mixed import with_quoted_chinese
from ingest.pdf import RawChar, RawPage, Rule

# 200 dpi puts a 10.5 pt CJK character at ~29 px, what the models read best: 300 dpi
# (44 px) measured worse, even on 300-dpi scans (bench/ocr.py)
DPI = int(os.environ.get("REGWATCH_OCR_DPI", "200"))
FIRST_LANG = "jpn+chi_sim"
_LOW_CONFIDENCE = 0.7
_TURNED_CONFIDENCE = 0.5  # below it a page may be sideways: ask orientation detection


@dataclass
class PageReading:
    """What OCR made of one page."""

    number: int
    chars: list[RawChar]
    confidence: float | None
    lang: str
    skew: float
    error: str | None = None
    turn: int = 0  # degrees the page image was turned clockwise to read it upright
    rules: list[Rule] = field(default_factory=list)  # drawn horizontal lines, in points


def _workers() -> int:
    wanted = os.environ.get("REGWATCH_OCR_WORKERS")
    if wanted and wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    return max(1, min(2, os.cpu_count() or 1))


def _read_once(
    image: Image.Image, angle: float, page: RawPage, lang: str, timeout: float, turn: int
) -> PageReading:
    started = time.monotonic()
    words, lines = tesseract.recognize(image, DPI, lang, timeout=timeout)
    if lang == "jpn":  # quoted Chinese lines read again (mixed.py)
        left = timeout - (time.monotonic() - started)
        words = with_quoted_chinese(image, words, lines, DPI, left)
    # boxes stay in the levelled image's frame: mapped back onto the turned page, a line's
    # characters would climb or fall and no longer make one row (at most 2° off, a few pt);
    # a page turned a quarter is read upright, its width and height swapped
    width, height = (page.height, page.width) if turn in (90, 270) else (page.width, page.height)
    transform = Transform(scale_x=width / image.width, scale_y=height / image.height)
    chars, confidence = page_chars(words, lines, transform)
    rules = [
        Rule(x0=left * transform.scale_x, x1=right * transform.scale_x, top=top * transform.scale_y)
        for left, right, top in off_text(find_rules(image), lines)
    ]
    return PageReading(page.number, chars, confidence, lang, angle, turn=turn, rules=rules)


def _second_opinion(
    image: Image.Image, angle: float, page: RawPage, lang: str, timeout: float, turn: int
) -> PageReading | None:
    """A further reading of a page already read: None when the engine fails on it, so the
    first reading stands."""
    if timeout <= 1:
        return None
    try:
        return _read_once(image, angle, page, lang, timeout, turn)
    except tesseract.OcrEngineError:
        return None


def _surer(first: PageReading, second: PageReading | None) -> PageReading:
    if second is not None and (second.confidence or 0.0) > (first.confidence or 0.0):
        return second
    return first


def _text(reading: PageReading) -> str:
    return "".join(c.text for c in reading.chars)


def _read_upright(
    image: Image.Image, page: RawPage, lang: str | None, timeout: float, turn: int
) -> PageReading:
    """An upright page: deskewed, read in ``lang`` (None: detect), again when that looks
    wrong."""
    started = time.monotonic()
    image, angle = deskew(image)
    first = _read_once(image, angle, page, lang or FIRST_LANG, timeout, turn)
    detected = script_language(_text(first))
    if lang is None:
        first.lang = detected or "jpn"
        if first.lang == "jpn":
            # read again in Japanese alone: the two models together put Chinese forms into a
            # kanji-heavy Japanese page (a statute's contents, 成長 -> 成长: 89 -> 36 edits);
            # a commentary quoting Chinese titles loses by it (CISTEC first pages 33 -> 61)
            left = timeout - (time.monotonic() - started)
            return _second_opinion(image, angle, page, "jpn", left, turn) or first
        if first.lang != "chi_sim":
            return first
        # the simplified model reads a traditional page in simplified forms (稱 -> 称) and the
        # page means differ by a few points either way, so a reading with both Chinese models
        # decides: it keeps the forms printed (traditional 9 : simplified 2 on a traditional
        # page, 0 : 17 on a simplified one).  A traditional page is then read in chi_tra
        # alone; a simplified one keeps its first reading: read again in chi_sim alone, the
        # MOFCOM notices lost item codes (F1 0.839 -> 0.642) and thresholds (0.842 -> 0.737).
        left = timeout - (time.monotonic() - started)
        both = _second_opinion(image, angle, page, "chi_sim+chi_tra", left, turn)
        if both is None or script_language(_text(both)) != "chi_tra":
            return first
        left = timeout - (time.monotonic() - started)
        return _second_opinion(image, angle, page, "chi_tra", left, turn) or both
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
    second = _second_opinion(image, angle, page, retry_lang, left, turn)
    if second is not None:
        second.lang = script_language(_text(second)) or retry_lang
    return _surer(first, second)


def read_page(image: Image.Image, page: RawPage, lang: str | None, timeout: float) -> PageReading:
    """One page: cleaned, read upright; a page read as garbage (a scan fed in sideways or
    upside down reads at ~0.2 confidence) is turned as orientation detection says and read
    again, keeping the surer reading.  Upright pages pay nothing for the check."""
    started = time.monotonic()
    image = clean(image)
    reading = _read_upright(image, page, lang, timeout, 0)
    if (reading.confidence or 0.0) >= _TURNED_CONFIDENCE:
        return reading
    left = timeout - (time.monotonic() - started)
    turn = tesseract.orientation(image, DPI, timeout=left) if left > 1 else 0
    left = timeout - (time.monotonic() - started)
    if not turn or left <= 1:
        return reading
    upright = image.rotate(-turn, expand=True, fillcolor=255)  # PIL turns counter-clockwise
    try:
        second: PageReading | None = _read_upright(upright, page, lang, left, turn)
    except tesseract.OcrEngineError:
        second = None
    return _surer(reading, second)


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
