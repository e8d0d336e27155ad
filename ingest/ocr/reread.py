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
characters as Tesseract found in the same box (``_LENGTH``), and it brings no kana onto a
Chinese line.  Set beside Tesseract's reading (``reconcile.py``), it keeps the forms of the
page's language (錬, not 鍊), Tesseract's katakana inside a katakana word (ア, not 了) and
its signs (・, not ·); after that it may write no character the page's language does not
(outside its code page), unless Tesseract read that very character there or the line is
simplified Chinese quoted on a Japanese page (the titles of the v1 commentaries' footnotes,
which Tesseract's jpn model reads as garbage and the recogniser reads right).  Without the
recogniser (the ``ocr`` extra not installed) Tesseract's reading stands.
"""

from __future__ import annotations

import dataclasses
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from ingest.ocr.chars import is_wide
from ingest.ocr.reconcile import (
    is_han,
    may_quote_chinese,
    reconcile,
    shows_quoted_chinese,
    written,
)
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


def unsure(words: list[Word], models: str = "") -> bool:
    """A line worth a second reading: a word Tesseract is unsure of, or an unsure mean; on
    a Japanese page (``models``), also a line that may quote Chinese (the recogniser reads
    what ``mixed.py`` reads again under the ``tesseract`` engine, and reads it better)."""
    confs = [w.conf for w in words if w.conf >= 0]
    if not confs:
        return False
    if min(confs) < _UNSURE_WORD or statistics.fmean(confs) < _UNSURE_LINE:
        return True
    return "jpn" in models.split("+") and may_quote_chinese(words)


def _kana(ch: str) -> bool:
    return "\u3041" <= ch <= "\u30fa"


def accepted(first: str, second: LineReading, models: str) -> str | None:
    """The text the recogniser's reading ``second`` of a line Tesseract read as ``first``
    in ``models`` (e.g. ``chi_sim`` or ``jpn+chi_sim``) gives the line, the characters
    Tesseract read better put back (``reconcile``; same length as ``second.text``), or
    None where it may not replace the line."""
    text = "".join(second.text.split())
    before = "".join(first.split())
    if not text or second.score < _MIN_SCORE:
        return None
    low, high = _LENGTH
    if not low <= len(text) / max(1, len(before)) <= high:
        return None
    languages = models.split("+")
    code_pages = [_CODE_PAGES[lang] for lang in languages if lang in _CODE_PAGES]
    # a Japanese line quoting simplified Chinese (as ``mixed.py`` asks of Tesseract's own
    # jpn+chi_sim reading) may hold Han characters Japanese does not write, GBK ones
    # (its kana told after the repairs: the recogniser reads ト as 卜)
    repaired = reconcile(before, second.text, code_pages)
    quoted = "jpn" in languages and shows_quoted_chinese(before, "".join(repaired.split()))
    if quoted:
        repaired = reconcile(before, second.text, code_pages, quoted)
    seen = set(before)
    odd = [ch for ch in repaired if not written(ch, code_pages) and ch not in seen]
    if odd and not (quoted and all(is_han(ch) and encodable(ch, "gbk") for ch in odd)):
        return None
    # kana on a Chinese page only where Tesseract saw kana on the line (a Japanese quote)
    kana_written = languages[0] == "jpn" or any(_kana(ch) for ch in before)
    return repaired if kana_written or not any(_kana(ch) for ch in repaired) else None


def plausible(first: str, second: LineReading, models: str) -> bool:
    """Whether ``second`` may replace the line (``accepted``)."""
    return accepted(first, second, models) is not None


def crop(image: Image.Image, box: LineBox) -> tuple[Image.Image, int]:
    """The line's pixels with a margin, and the crop's left edge in page pixels."""
    left = max(0, box.left - _PAD)
    top = max(0, box.top - _PAD)
    right = min(image.width, box.left + box.width + _PAD)
    bottom = min(image.height, box.top + box.height + _PAD)
    return image.crop((left, top, right, bottom)), left


def _meet(before: str, after: str) -> bool:
    """Neighbours that meet half-way: two narrow characters, no blank read between them."""
    return not (before.isspace() or after.isspace() or is_wide(before) or is_wide(after))


def to_words(reading: LineReading, box: LineBox, left: int, width: int) -> list[Word]:
    """The reading as one word per character, in page pixels: each character centred where
    the recogniser placed it, an em wide (half for narrow ones), never over its neighbours.
    Two narrow characters read without a blank meet half-way: a Latin word or a number
    must not open one (``CISTE C仮訳``: the layout takes a quarter-em gap for a space, and a
    translation marker so broken named an annex's law).  Beside a CJK character the blank
    stays: an em of it is a U+3000 (``chars.py``), and a note's number stands apart from
    its text (``13　第十八条``: joined, the note ran into the one above)."""
    xs = [left + centre * width for centre in reading.centres]
    text = reading.text
    words: list[Word] = []
    for index, (ch, x, score) in enumerate(zip(text, xs, reading.scores, strict=True)):
        if ch.isspace():
            continue
        half = box.height / 2 if is_wide(ch) else box.height / 4
        start, end = x - half, x + half
        if index > 0:
            middle = (xs[index - 1] + x) / 2
            start = middle if _meet(text[index - 1], ch) else max(start, middle)
        if index + 1 < len(xs):
            middle = (x + xs[index + 1]) / 2
            end = middle if _meet(ch, text[index + 1]) else min(end, middle)
        x0 = round(start)
        width_px = max(1, round(end) - x0)
        words.append(Word(ch, x0, box.top, width_px, box.height, score * 100, box.key))
    return words


def by_lines(words: list[Word]) -> dict[tuple[int, int, int], list[Word]]:
    """``words`` grouped by their line, in reading order."""
    grouped: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        grouped.setdefault(word.line, []).append(word)
    return grouped


def reread_unsure_lines(
    image: Image.Image,
    words: list[Word],
    lines: list[LineBox],
    models: str,
    recognise: Recogniser,
) -> list[Word]:
    """``words`` with their unsure lines replaced by the recogniser's reading where that is
    plausible (``plausible``), counted in ``TALLY``."""
    by_line = by_lines(words)
    boxes = [box for box in lines if box.key in by_line and unsure(by_line[box.key], models)]
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
        text = accepted(_text(by_line[box.key]), reading, models)
        if text is not None:
            reading = dataclasses.replace(reading, text=text)
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
