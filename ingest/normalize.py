"""Character normalisation of printed lines, keeping a map back to the source glyphs.

Policy (documented, applied everywhere):

* Full-width ASCII letters and digits become ASCII (``１０`` -> ``10``); other compatibility
  characters go through NFKC (Kangxi radicals ``⾦`` -> ``金``, half-width katakana -> full
  width, ligatures, compatibility ideographs).
* CJK / full-width punctuation is kept as written: ``（）「」、。：；％．～`` stay full width and
  ``…``, circled numbers ``①`` and Roman numerals ``Ⅱ`` are not decomposed, so list labels and
  quotations read as printed.  Exception: ``．``/``，`` between two digits are a decimal point
  or thousands separator and become ``.``/``,``.  Scorers compare after NFKC, so both forms
  compare equal; downstream regexes should accept both bracket widths anyway.
* White space (explicit spaces, ideographic spaces and visible gaps between glyphs) survives only
  between two non-CJK characters: ``第 10 条`` -> ``第10条``, ``8月 22日`` -> ``8月22日``,
  ``CISTEC 解説`` -> ``CISTEC解説``, but ``Article 5 of`` keeps its spaces.  Runs collapse to one.
  Exception: an ideographic space (U+3000) the PDF draws as a character next to a CJK
  character (inside a line) stays one U+3000.  Statutes use it as a field separator
  (``第二条　この法律``, ``２　機構は``, ``一　法令　法律、…をいう。``, ``第一章　総則``);
  padding and justification are gaps or ASCII spaces, which still go, and so does
  letter-spacing (``总　　则``).
* Glyphs the font could not map (pdfplumber's ``\\x00``, private-use code points, ``(cid:N)``)
  become a bullet ``・`` at the start of a line (they are almost always Wingdings bullets) and
  are dropped elsewhere; they never reach the clean text.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

BULLET = "・"
_UNMAPPED = "\ufffc"  # internal placeholder for a glyph without a Unicode mapping
_SPACE = " "
IDEOGRAPHIC_SPACE = "\u3000"

_WIDE_RANGES: tuple[tuple[int, int], ...] = (
    (0x1100, 0x11FF),  # Hangul jamo
    (0x2460, 0x24FF),  # circled / parenthesised numbers
    (0x2500, 0x27BF),  # box drawing, shapes (■ ● ◆), dingbats
    (0x2E80, 0x303F),  # radicals, Kangxi, CJK symbols and punctuation
    (0x3040, 0x33FF),  # kana, bopomofo, compat jamo, enclosed CJK, CJK compatibility
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xA960, 0xA97F),
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # full-width / half-width forms (what folding leaves there)
    (0x20000, 0x3FFFF),  # CJK extensions B+
)
# General punctuation that belongs to CJK typesetting.
_WIDE_EXTRA = frozenset("―‥…※‐〜・")

# Kept as printed although NFKC would change them (see module docstring).
_KEEP_RANGES: tuple[tuple[int, int], ...] = (
    (0xFF01, 0xFF0F),
    (0xFF1A, 0xFF20),
    (0xFF3B, 0xFF40),
    (0xFF5B, 0xFF60),
    (0x2460, 0x24FF),
    (0x2776, 0x2793),
    (0x3251, 0x325F),
    (0x32B1, 0x32BF),
    (0x2160, 0x217F),
)
_KEEP_CHARS = frozenset("…‥")
_SPACES = frozenset(
    "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t"
)
_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
_CID = re.compile(r"^\(cid:\d+\)$")
_DIGIT_SEPARATOR = {"．": ".", "，": ","}


def is_wide(ch: str) -> bool:
    """CJK script or CJK-style punctuation: no space is ever needed next to it."""
    if ch in _WIDE_EXTRA:
        return True
    code = ord(ch)
    if code < 0x1100:
        return False
    return any(lo <= code <= hi for lo, hi in _WIDE_RANGES)


def _in_ranges(code: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= code <= hi for lo, hi in ranges)


@lru_cache(maxsize=8192)
def fold(glyph: str) -> str:
    """Normalised text of one glyph's text (may be empty, or longer for ligatures)."""
    if glyph == "\x00" or (glyph.startswith("(cid:") and _CID.match(glyph)):
        return _UNMAPPED
    if glyph.isascii() and glyph.isprintable():
        return glyph
    out: list[str] = []
    for ch in glyph:
        code = ord(ch)
        if ch in _SPACES or ch in "\n\r":
            out.append(_SPACE)
        elif ch in _INVISIBLE or (code < 0x20 and ch != "\x00"):
            continue
        elif ch == "\x00" or 0xE000 <= code <= 0xF8FF:
            out.append(_UNMAPPED)
        elif ch in _KEEP_CHARS or _in_ranges(code, _KEEP_RANGES):
            out.append(ch)
        elif 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - 0xFEE0))
        else:
            out.append(unicodedata.normalize("NFKC", ch))
    return "".join(out)


@dataclass
class NormalizedLine:
    """Clean text of one line and, per clean character, the index of its source glyph."""

    text: str
    origin: list[int]
    unmapped: int = 0  # glyphs without Unicode mapping that were turned into bullets or dropped


def normalize_glyphs(
    glyphs: Sequence[str],
    gap_before: Sequence[bool] | None = None,
    column_before: Sequence[bool] | None = None,
) -> NormalizedLine:
    """Normalise a line given as glyph texts in reading order.

    ``gap_before[i]`` says a visible gap separates glyph ``i`` from the previous one (a space
    the PDF did not draw as a character).  ``column_before[i]`` marks a gap as wide as a tab
    stop (table cells, a signature block): it stays one space even between CJK characters.
    """
    chars: list[str] = []
    origin: list[int] = []
    pending_space = False
    forced_space = False
    ideographic: int | None = None  # glyph index of a drawn U+3000 since the last character
    unmapped = 0
    for index, glyph in enumerate(glyphs):
        if gap_before is not None and gap_before[index]:
            pending_space = True
        if column_before is not None and column_before[index]:
            forced_space = True
        if glyph == IDEOGRAPHIC_SPACE:
            pending_space, ideographic = True, index
            continue
        for ch in fold(glyph):
            if ch == _SPACE:
                pending_space = True
                continue
            if ch == _UNMAPPED:
                unmapped += 1
                if chars:
                    continue
                ch = BULLET
            if chars and (
                forced_space or (pending_space and not is_wide(chars[-1]) and not is_wide(ch))
            ):
                chars.append(_SPACE)
                origin.append(index)
            elif chars and ideographic is not None and (is_wide(chars[-1]) or is_wide(ch)):
                chars.append(IDEOGRAPHIC_SPACE)
                origin.append(ideographic)
            pending_space = forced_space = False
            ideographic = None
            chars.append(ch)
            origin.append(index)
    for i in range(1, len(chars) - 1):
        if chars[i] in _DIGIT_SEPARATOR and chars[i - 1].isdigit() and chars[i + 1].isdigit():
            chars[i] = _DIGIT_SEPARATOR[chars[i]]
    if IDEOGRAPHIC_SPACE in chars:
        chars, origin = _drop_letter_spacing(chars, origin)
    return NormalizedLine("".join(chars), origin, unmapped)


# One character a label may be: 一, ２, イ, ①.  A lone character of any other kind between
# ideographic spaces is letter-spacing (``总　　则``, ``目　录``), not a field.
_LABEL_CHAR = re.compile(r"[0-9一二三四五六七八九十百①-⑳ア-ヶ]")


def _drop_letter_spacing(chars: list[str], origin: list[int]) -> tuple[list[str], list[int]]:
    """Remove each U+3000 that spreads a heading: a one-character run after it, or a
    one-character run before it that is no label (``第一章　总　则`` -> ``第一章总则``)."""
    text = "".join(chars)
    runs = text.split(IDEOGRAPHIC_SPACE)
    drop: set[int] = set()
    at = 0
    for before, after in itertools.pairwise(runs):
        at += len(before)
        if len(after) == 1 or (len(before) == 1 and not _LABEL_CHAR.match(before)):
            drop.add(at)
        at += 1
    kept = [i for i in range(len(chars)) if i not in drop]
    return [chars[i] for i in kept], [origin[i] for i in kept]


def normalize_text(text: str) -> str:
    """Normalise a single printed line given as a string (spaces as drawn)."""
    return normalize_glyphs(list(text)).text


_URL_TAIL = re.compile(r"(?:https?://|www\.)\S*$")
_URL_CHAR = re.compile(r"[\w./?#=&%~+\-:]")


def line_separator(previous: str, following: str, previous_is_full: bool = True) -> str:
    """What joins two lines of one paragraph: nothing for CJK, a space for Latin words.

    A URL broken at a (nearly) full line, or continued by a path character, goes on without a
    space; so does a hyphenated Latin word.
    """
    if not previous or not following:
        return ""
    last, first = previous[-1], following[0]
    if is_wide(last) or is_wide(first):
        return ""
    if _URL_TAIL.search(previous) and (
        first in "./-_?#=&%~" or (previous_is_full and _URL_CHAR.match(first))
    ):
        return ""
    if last == "-" and len(previous) > 1 and previous[-2].isalpha() and first.islower():
        return ""
    return _SPACE
