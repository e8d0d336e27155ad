"""Item markers at the start of a line (一 十一 (1) ① イ), read again alone.

Statutes and notices set an item's marker apart from its text: ``一　アセチレン``,
``①　金属ガリウム``, an em or two of white between them.  Tesseract's page segmentation takes
such a column of markers for a block of its own and reads it as one tall line of garbage
(``田柄唱``) or drops it; a marker it keeps in the line it often misreads (``二十一`` as
``-十一``: the thin strokes of a blurred kanji numeral).  Without the markers the layout sees
no items: an e-Gov list of thirty substances came out as thirty lines of prose.

So the marker is found from the image, by a rule that holds for any layout: a short run of
ink at the start of a text line (at most ``_MARKER_EMS`` wide) with at least ``_GAP_EMS`` of
white after it and the line's text after that.  All such runs of a page are stacked in one
strip and read in one call, with only the characters markers are written in; a reading that
is a marker (``MARKER``) takes the place of whatever Tesseract read over that ink.  A run
Tesseract already read in the line with confidence is left alone (``第一条`` before its
article text is such a run: read at 93, never a candidate).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from ingest.ocr import tesseract
from ingest.ocr.marker_numbers import fill, parse
from ingest.ocr.tesseract import LineBox, Word

# Characters item markers are written in: kanji and Arabic numerals, brackets and the
# separators after a numeral, circled and bracketed numerals, the iroha of sub-items.
_KANJI_NUMERALS = "〇一二三四五六七八九十百"
_CIRCLED = "".join(chr(c) for c in range(0x2460, 0x2474))  # ① .. ⑳
_IROHA = "イロハニホヘトチリヌルヲワカヨタレソツネナラム"
WHITELIST = _KANJI_NUMERALS + "0123456789()（）.．、" + _CIRCLED + _IROHA
_NUMBER = rf"(?:[{_KANJI_NUMERALS}]{{1,4}}|[0-9]{{1,3}})"
# What a marker reads as: a numeral, bare or with a separator after it, or in brackets; a
# circled numeral; one iroha kana, bare or in brackets.
MARKER = re.compile(
    rf"^(?:{_NUMBER}[.．、)）]?|[(（]{_NUMBER}[)）]|[{_CIRCLED}]|[(（]?[{_IROHA}][)）]?)$"
)

# A blurred kanji numeral's thin strokes are light grey (一 二 三: none under 128, parts of
# them over 200)
_INK = 230
# Inked pixels a run needs: a stray dot the speckle filter left has 1-4, the thinnest
# marker (一: one grey stroke 1-2 px high, ~20 px long) 20 or more
_SPECK = 8
_REACH_EMS = 4.0  # searched left of a line's box, in line heights
_MARKER_EMS = 4.2  # widest marker: 二十九 at ~1 em a character, blurred; （二十一）
# White after a marker, at least; anything narrower is inside the marker (二 十 一: a
# numeral's side bearings leave up to ~0.55 em between its characters; a CJK line's
# characters stand ~0.1-0.25 em apart)
_GAP_EMS = 0.6
_SPACE_EMS = 0.9  # white after a marker that the text layer writes as U+3000
_SURE = 85.0  # a run read in its line at this confidence or more, as a marker, is kept
_MIN_CONF = 50.0  # the strip's reading of a marker must be at least this sure
_PAD = 4  # pixels around a crop in the strip

Reader = Callable[[Image.Image], list[Word]]


@dataclass(frozen=True)
class Candidate:
    """A run of ink that may be ``line``'s marker, in page pixels."""

    line: LineBox
    left: int
    top: int
    right: int
    bottom: int
    after: int  # where the line's text starts, after the white
    known: str | None = None  # the marker as the line already reads it, surely
    old: str = ""  # what the line's own words read over the run
    old_conf: float = 0.0  # the lowest confidence among them
    straddled: bool = False  # a word reads across the marker into the text: left as read


def _runs(counts: np.ndarray, join: int) -> list[tuple[int, int]]:
    """(start, end) of the inked stretches of a band whose columns hold ``counts`` inked
    pixels, gaps under ``join`` closed; stretches of a stray dot's ink left out."""
    runs: list[tuple[int, int]] = []
    for x in np.flatnonzero(counts).tolist():
        if runs and x - runs[-1][1] <= join:
            runs[-1] = (runs[-1][0], x + 1)
        else:
            runs.append((x, x + 1))
    return [(a, b) for a, b in runs if int(counts[a:b].sum()) >= _SPECK]


def _blocking_edge(line: LineBox, words: list[Word], floor: int) -> int:
    """The leftmost pixel the marker search of ``line`` may reach: past the sure words of
    other lines beside it on the left (another column's text), never past ``floor``."""
    edge = floor
    for word in words:
        if word.line == line.key or word.conf < _SURE or word.left >= line.left:
            continue
        overlap = min(word.top + word.height, line.top + line.height) - max(word.top, line.top)
        if overlap > 0.5 * line.height:
            edge = max(edge, min(line.left, word.left + word.width))
    return edge


def find_candidates(ink: np.ndarray, words: list[Word], lines: list[LineBox]) -> list[Candidate]:
    """The runs of ink that open a text line the way a marker does (module doc)."""
    by_line: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        by_line.setdefault(word.line, []).append(word)
    out: list[Candidate] = []
    for line in lines:
        own = by_line.get(line.key, [])
        if sum(len(w.text) for w in own) < 2 or line.height < 8:
            continue
        em = line.height
        floor = max(0, line.left - round(_REACH_EMS * em))
        left = _blocking_edge(line, words, floor)
        right = min(ink.shape[1], line.left + line.width)
        band = ink[line.top : line.top + line.height, left:right]
        runs = _runs(band.sum(axis=0), round(_GAP_EMS * em) - 1)
        if len(runs) < 2:
            continue
        (start, end), (after, _) = runs[0], runs[1]
        start, end, after = start + left, end + left, after + left
        if end - start > _MARKER_EMS * em or after - end < _GAP_EMS * em:
            continue
        if after > line.left + line.width - 0.5 * em:  # nothing of the line's text after it
            continue
        rows = np.flatnonzero(ink[line.top : line.top + line.height, start:end].any(axis=1))
        top, bottom = line.top + int(rows[0]), line.top + int(rows[-1]) + 1
        known = _sure_marker(own, start, end)
        straddled = _straddled(own, end, after)
        if known is None and not straddled and not _worth_reading(own, start, end):
            continue
        old, old_conf = _over(own, start, end) or ("", 0.0)
        found = Candidate(line, start, top, end, bottom, after, known, old, old_conf, straddled)
        out.append(found)
    return out


# What Tesseract makes of a marker's strokes besides the marker's own characters
# (三 read as ``:``, 一 as ``-``; a line of text does not open with a lone stop or colon)
_LOOKALIKE = set(WHITELIST) | set("-ー―—_~・·oOlI|:;,'\"`：；，")
# Full-width marks inked on the left of their em (chars._INK_LEFT): a run of one of them
# has white after it in any text
_OPENING_MARKS = set("。、，．）」』】〕〉》：；！？")
_GARBAGE = 50.0  # a word read under this confidence is no reading to keep


def _straddled(own: list[Word], end: int, after: int) -> bool:
    """A word of the line runs from the marker's ink across the white and reads text there
    (``（五`` + ``）人类遗传资源…``, ``0、8411119010`` in a list of codes): Tesseract read the
    marker with its text, which a marker
    read alone would only cut apart.  Such a candidate keeps its place in its column (the
    k-th marker of a column is the k-th candidate) but is left as read."""
    return any(
        w.left < end
        and w.left + w.width > (end + after) / 2
        and len(w.text) > 1
        and not MARKER.match(_numeral_lookalikes(w.text))
        for w in own
    )


def _over(own: list[Word], start: int, end: int) -> tuple[str, float] | None:
    """The text and lowest confidence of the line's words over ``[start, end)``."""
    over = [w for w in own if w.left < end and w.left + w.width > start]
    if not over:
        return None
    return "".join(w.text for w in over), min(w.conf for w in over)


def _sure_marker(own: list[Word], start: int, end: int) -> str | None:
    """The marker the line's own words read over the run, surely (a column's anchor)."""
    read = _over(own, start, end)
    if read is None or read[1] < _SURE or not MARKER.match(read[0]):
        return None
    return read[0]


def _worth_reading(own: list[Word], start: int, end: int) -> bool:
    """The run ``[start, end)`` is to be read again: the line's own words do not cover it
    (a dropped marker), or read it as something like a marker (``-十一``, ``:`` for 三).
    Text that is no marker (a label such as ``第一条``) stays, sure or not."""
    read = _over(own, start, end)
    if read is None:
        return True
    text = read[0]
    if text in _OPENING_MARKS:  # a wrapped line may open with 、 or ，: its white is the mark's
        return False
    # Text read unsurely is still text: an article label read at confidence 0 (第十五条)
    # came back from the strip as the marker 5
    return set(text) <= _LOOKALIKE


def _strip(image: Image.Image, found: list[Candidate]) -> tuple[Image.Image, list[tuple[int, int]]]:
    """The candidates' crops stacked in one white strip, a line height apart; each crop's
    (top, bottom) in it."""
    crops = [
        image.crop((c.left - _PAD, c.top - _PAD, c.right + _PAD, c.bottom + _PAD)) for c in found
    ]
    gap = round(statistics.median(c.line.height for c in found))
    width = max(c.width for c in crops) + 4 * _PAD
    strip = Image.new("L", (width, sum(c.height for c in crops) + gap * (len(crops) + 1)), 255)
    bands: list[tuple[int, int]] = []
    y = gap
    for crop in crops:
        strip.paste(crop.convert("L"), (2 * _PAD, y))
        bands.append((y, y + crop.height))
        y += crop.height + gap
    return strip, bands


def _covers(word: Word, found: Candidate) -> bool:
    """``word`` stands over the candidate's ink: a word of its line that starts and has its
    middle before the line's text (Tesseract's box of a ``)`` may stand a few pixels past
    the ink), or another line's word with its middle over the ink and the white after it,
    beside it vertically (a garbage line read down a column of markers spans several)."""
    middle = word.left + word.width / 2
    if word.line == found.line.key:
        return word.left < found.after - 0.25 * found.line.height and middle < found.after
    tall = min(word.top + word.height, found.bottom) - max(word.top, found.top)
    beside = tall > 0.5 * min(word.height, found.bottom - found.top)
    return found.left <= middle < (found.right + found.after) / 2 and beside


def _choose(found: Candidate, fresh: str | None) -> str | None:
    """The candidate's marker: the line's own reading where it is a marker, unsure or not,
    but no garbage (a whitelisted strip of lone markers reads worse than the line did:
    ``(二)`` at 71 in its line, ``(一)`` at 89 in the strip); the strip's where the line read
    no marker there (``-十一``, ``《一)``, nothing) or read it at confidence 0 (``三十八`` for
    二十八)."""
    if found.known is not None:
        return found.known
    if found.straddled:
        return None
    own = MARKER.match(found.old) and found.old_conf >= _GARBAGE
    return found.old if own else fresh


def _columns(found: list[Candidate]) -> list[list[int]]:
    """Indexes of ``found`` in columns: left edges within half an em, top to bottom."""
    columns: list[list[int]] = []
    for index in sorted(range(len(found)), key=lambda i: (found[i].top, found[i].left)):
        here = found[index]
        column = next(
            (c for c in columns if abs(found[c[-1]].left - here.left) < 0.5 * here.line.height),
            None,
        )
        if column is None:
            columns.append([index])
        else:
            column.append(index)
    return columns


def _numeral_lookalikes(text: str) -> str:
    """``ニ十九`` -> ``二十九``, ``十ー`` -> ``十一``: katakana ニ and the long vowel mark are the
    kanji numerals' shapes where they stand in a run of kanji numerals."""
    if len(text) < 2 or not set(text) <= set(_KANJI_NUMERALS + "ニー-"):
        return text
    return text.replace("ニ", "二").replace("ー", "一").replace("-", "一")


# The strip read a run surely, and it is no marker (a year, a code): ``fill`` leaves it be
NOT_A_MARKER = ""


def _readings(bands: list[tuple[int, int]], words: list[Word]) -> list[str | None]:
    """What the strip says of each candidate: a marker read surely, ``NOT_A_MARKER`` for
    anything else read surely, None where it is unsure."""
    out: list[str | None] = []
    for top, bottom in bands:
        inside = sorted(
            (w for w in words if top <= w.top + w.height / 2 < bottom), key=lambda w: w.left
        )
        text = _numeral_lookalikes("".join(w.text for w in inside))
        sure = bool(inside) and min(w.conf for w in inside) >= _MIN_CONF
        if not sure:
            out.append(None)
        else:
            out.append(text if MARKER.match(text) else NOT_A_MARKER)
    return out


def _same_number(old: str, new: str) -> bool:
    """The line read the marker as ``new`` says, maybe with a separator the strip lost
    (``二、`` against ``二``): the line's reading is the marker's text."""
    before, after = parse(old) if MARKER.match(old) else None, parse(new)
    return before is not None and after is not None and before[1] == after[1]


_SEPARATORS = "、．.，,）)：:"


def with_separator(text: str, covered: str) -> str:
    """``text`` with the separator the line's own words read after it (``七`` read again over
    the numeral's ink, ``七、`` the word it replaces: the comma is a small blot apart from the
    numeral's run, so the run and the strip miss it, and the section pattern needs it)."""
    if not text or text[-1] in _SEPARATORS or not covered.startswith(text):
        return text
    rest = covered[len(text) :]
    return text + rest[0] if rest[:1] and rest[0] in _SEPARATORS else text


def _marker_word(found: Candidate, text: str) -> Word:
    """The marker as a word over its ink; a numeral with the blank after it where that is a
    full em (``一　アセチレン``, as the text layer has it): ``chars.py`` puts no U+3000 between
    two numerals (``二十三　三酸化硫黄`` would read 二十三三酸化硫黄)."""
    height = found.bottom - found.top
    right = found.right
    numeral = text[-1:] in _KANJI_NUMERALS or text[-1:].isdigit()
    if numeral and found.after - found.right >= _SPACE_EMS * found.line.height:
        text, right = text + "\u3000", found.after
    return Word(text, found.left, found.top, right - found.left, height, _MIN_CONF, found.line.key)


def with_markers(
    image: Image.Image, words: list[Word], lines: list[LineBox], read: Reader | None
) -> list[Word]:
    """``words`` with the line-opening markers (module doc) read again, the unsure ones of a
    column told by its sure ones (``marker_numbers.fill``): a marker replaces the words over
    its ink and opens its line; the rest as it was."""
    if read is None:
        return words
    ink = np.asarray(image.convert("L")) < _INK
    found = find_candidates(ink, words, lines)
    unread = [c for c in found if c.known is None and not c.straddled]
    if not unread:
        return words
    strip, bands = _strip(image, unread)
    fresh = iter(_readings(bands, read(strip)))
    readings = [_choose(c, next(fresh) if c in unread else None) for c in found]
    for column in _columns(found):
        for index, text in zip(column, fill([readings[i] for i in column]), strict=True):
            readings[index] = text
    marks: dict[tuple[int, int, int], Word] = {}
    taken: list[Candidate] = []
    for candidate, text in zip(found, readings, strict=True):
        if not text or text == candidate.known or candidate.straddled:
            continue
        if _same_number(candidate.old, text):
            text = candidate.old
        covered = "".join(
            w.text for w in words if w.line == candidate.line.key and _covers(w, candidate)
        )
        text = with_separator(text, covered)
        marks[candidate.line.key] = _marker_word(candidate, text)
        taken.append(candidate)
    if not marks:
        return words
    out: list[Word] = []
    placed: set[tuple[int, int, int]] = set()
    for word in words:
        if any(_covers(word, c) for c in taken):
            continue
        if word.line in marks and word.line not in placed:
            out.append(marks[word.line])
            placed.add(word.line)
        out.append(word)
    return out


def tesseract_reader(models: str, dpi: int, timeout: float) -> Reader | None:
    """Tesseract reading a strip of markers as one block, only marker characters allowed;
    no words when it fails (the page's own reading stands); None when no time is left."""
    if timeout <= 1:
        return None

    def read(strip: Image.Image) -> list[Word]:
        try:
            return tesseract.recognize(
                strip, dpi, models, timeout=timeout, psm=6, whitelist=WHITELIST
            )[0]
        except tesseract.OcrEngineError:
            return []

    return read
