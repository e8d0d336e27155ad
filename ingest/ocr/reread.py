"""Unsure Tesseract lines read again by RapidOCR's recogniser alone (the ``hybrid`` engine).

Tesseract's chi_sim model misreads characters it rarely saw in training: the element names
of export-control item lists (镓 锗 钐 钆 铽 come out 鼻 钱 处 包 氏, at word confidence 0, and
upscaling the line does not help), so a scanned item list loses its items and their codes.
RapidOCR's PP-OCRv6 recogniser reads those lines well, but the whole RapidOCR engine
(detection + recognition of every line) costs about twice Tesseract's time a page.

So Tesseract reads the page, and only the lines it is unsure of (a word under
``_UNSURE_WORD`` or a line mean under ``_UNSURE_LINE``) are cropped by the line box
Tesseract found and given, in one batch a page, to the recogniser alone: no detection, the
box is known.  The second reading replaces the line only when it is plausible for any text,
not for some words: the recogniser is sure of it (``_MIN_SCORE``), it has about as many
characters as Tesseract found in the same box (``_LENGTH``), it writes no character the
page's language does not (outside the language's code page, unless Tesseract read that very
character there: quoted Chinese on a Japanese page), and it brings no kana onto a Chinese
line.  Without the recogniser (the ``ocr`` extra not installed) Tesseract's reading stands.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from ingest.ocr.chars import is_wide
from ingest.ocr.tesseract import LineBox, Word
from models.han_variants import encodable

# Tesseract's word confidence (0-100) under which a word is more often misread than not;
# the rare characters read at 0-30, the ordinary ones at 85-96 on the dev scans
_UNSURE_WORD = 50.0
_UNSURE_LINE = 80.0  # a line's mean word confidence under which it is read again whole
_MIN_SCORE = 0.85  # the recogniser's line score (0-1) from which its reading may be taken
# characters of the second reading over those of the first, outside which one of the two
# missed or invented part of the line (a box over two lines, a rule read as dashes)
_LENGTH = (0.75, 1.34)
_PAD = 4  # pixels kept around a line box: its glyphs are not cut at the box edge
# code pages of the languages Tesseract reads in: a character no one of them holds is not
# one the page's language writes (GBK holds simplified + traditional; cp932 Japanese)
_CODE_PAGES = {"chi_sim": "gbk", "chi_tra": "cp950", "jpn": "cp932"}


@dataclass(frozen=True, slots=True)
class LineReading:
    """What the recogniser read on one crop: the text, its score (0-1) and, per character,
    its centre as a fraction of the crop's width and its own score (0-1)."""

    text: str
    score: float
    centres: tuple[float, ...]
    scores: tuple[float, ...]


@dataclass
class Tally:
    """Lines seen, read again and replaced, over the process: what ``bench/ocr.py``
    reports per page (pages read side by side add to it under ``_LOCK``)."""

    lines: int = 0
    reread: int = 0
    replaced: int = 0
    cpu: float = 0.0  # CPU seconds in the recogniser (its onnxruntime session: one thread)


TALLY = Tally()
_LOCK = threading.Lock()


# the recogniser: crops in, one reading each out (``rapid.read_lines``)
Recogniser = Callable[[list[Image.Image]], list[LineReading]]


def _text(words: list[Word]) -> str:
    return "".join(w.text for w in words)


def unsure(words: list[Word]) -> bool:
    """A line worth a second reading: a word Tesseract is unsure of, or an unsure mean."""
    confs = [w.conf for w in words if w.conf >= 0]
    if not confs:
        return False
    return min(confs) < _UNSURE_WORD or statistics.fmean(confs) < _UNSURE_LINE


def _kana(ch: str) -> bool:
    return "\u3041" <= ch <= "\u30fa"


def _written(ch: str, code_pages: list[str]) -> bool:
    return ch.isascii() or any(encodable(ch, page) for page in code_pages)


def plausible(first: str, second: LineReading, models: str) -> bool:
    """Whether ``second`` (the recogniser's reading of a line Tesseract read as ``first``
    in ``models``, e.g. ``chi_sim`` or ``jpn+chi_sim``) may replace it."""
    text = "".join(second.text.split())
    before = "".join(first.split())
    if not text or second.score < _MIN_SCORE:
        return False
    low, high = _LENGTH
    if not low <= len(text) / max(1, len(before)) <= high:
        return False
    languages = models.split("+")
    code_pages = [_CODE_PAGES[lang] for lang in languages if lang in _CODE_PAGES]
    seen = set(before)
    if any(not _written(ch, code_pages) and ch not in seen for ch in text):
        return False
    # kana on a Chinese page only where Tesseract saw kana on the line (a Japanese quote)
    kana_written = languages[0] == "jpn" or any(_kana(ch) for ch in before)
    return kana_written or not any(_kana(ch) for ch in text)


def crop(image: Image.Image, box: LineBox) -> tuple[Image.Image, int]:
    """The line's pixels with a margin, and the crop's left edge in page pixels."""
    left = max(0, box.left - _PAD)
    top = max(0, box.top - _PAD)
    right = min(image.width, box.left + box.width + _PAD)
    bottom = min(image.height, box.top + box.height + _PAD)
    return image.crop((left, top, right, bottom)), left


def to_words(reading: LineReading, box: LineBox, left: int, width: int) -> list[Word]:
    """The reading as one word per character, in page pixels: each character centred where
    the recogniser placed it, an em wide (half for narrow ones), never over its
    neighbours."""
    xs = [left + centre * width for centre in reading.centres]
    words: list[Word] = []
    for index, (ch, x, score) in enumerate(zip(reading.text, xs, reading.scores, strict=True)):
        if ch.isspace():
            continue
        half = box.height / 2 if is_wide(ch) else box.height / 4
        start, end = x - half, x + half
        if index > 0:
            start = max(start, (xs[index - 1] + x) / 2)
        if index + 1 < len(xs):
            end = min(end, (x + xs[index + 1]) / 2)
        x0 = round(start)
        width_px = max(1, round(end) - x0)
        words.append(Word(ch, x0, box.top, width_px, box.height, score * 100, box.key))
    return words


def reread_unsure_lines(
    image: Image.Image,
    words: list[Word],
    lines: list[LineBox],
    models: str,
    recognise: Recogniser,
) -> list[Word]:
    """``words`` with their unsure lines replaced by the recogniser's reading where that is
    plausible (``plausible``), counted in ``TALLY``."""
    by_line: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        by_line.setdefault(word.line, []).append(word)
    boxes = [box for box in lines if box.key in by_line and unsure(by_line[box.key])]
    with _LOCK:
        TALLY.lines += len(by_line)
        TALLY.reread += len(boxes)
    if not boxes:
        return words
    crops = [crop(image, box) for box in boxes]
    started = time.thread_time()
    readings = recognise([c for c, _ in crops])
    cpu = time.thread_time() - started
    replaced: dict[tuple[int, int, int], list[Word]] = {}
    for box, (pixels, left), reading in zip(boxes, crops, readings, strict=True):
        if len(reading.centres) != len(reading.text):
            continue  # no character positions: the line could not be placed
        if plausible(_text(by_line[box.key]), reading, models):
            replaced[box.key] = to_words(reading, box, left, pixels.width)
    with _LOCK:
        TALLY.replaced += len(replaced)
        TALLY.cpu += cpu
    return replace_lines(words, by_line, replaced)


def replace_lines(
    words: list[Word],
    by_line: dict[tuple[int, int, int], list[Word]],
    replaced: dict[tuple[int, int, int], list[Word]],
) -> list[Word]:
    """``words`` (grouped ``by_line``) with the lines in ``replaced`` swapped for their new
    words, put where the line's first word stood (the reading order kept)."""
    if not replaced:
        return words
    out: list[Word] = []
    for word in words:
        if word.line not in replaced:
            out.append(word)
        elif word is by_line[word.line][0]:
            out.extend(replaced[word.line])
    return out
