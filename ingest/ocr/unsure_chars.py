"""Characters Tesseract is unsure of, read again in their line by RapidOCR's recogniser.

Under the default ``tesseract`` engine, a character a general model saw rarely in training
(the element names of export-control item lists: 钐 钆 铽 镓 锗, but any rare character) is
misread as a common one of similar shape (多 包 鳞), and an item so misread loses its text
and its code.  Tesseract's own confidence does not mark the misread character reliably: its
LSTM is sure of 多 (90) and puts the doubt on the right character beside it (铁 at 0 in
``多铁合金`` for 钐铁合金); per-symbol confidences (``lstm_choice_mode=2``) show the same.
So a character is *unsure* when its word or a word beside it on the line is read under
``_UNSURE``.

The lines holding unsure characters are cropped by Tesseract's line box and read, one
batch a page, by the recogniser alone (``rapid.read_glyphs``): a whole line, because cut to
one word the recogniser misreads too (彭 彩 L for 钐 钆 without their context).  The two
readings are aligned (Han variants folded: 錬 and 鍊 agree); only a substitution of Han
characters one for one, at an unsure place, is considered, and it is taken when:

- the new character is the Chinese name of an element (``closed_sets.py``, a closed set from
  GB 3102.8 and the Taiwan table) read with a score of at least ``_MIN_ELEMENT``, and
  Tesseract's is none, or an element the recogniser is sure of (``_MIN_SURE``); or
- the recogniser is sure of it (``_MIN_SURE``) and it forms, with a neighbour on the line
  (as either engine read it), a pair of characters that the page's confident text (words
  at ``_SURE`` or above) holds, where Tesseract's character with those neighbours forms none;
- or it is a Han numeral, sure, where Tesseract read no numeral, standing beside a numeral
  or after 第 (``closed_sets.NUMERALS``: 第百[王]十八 is 第百三十八);
- or the recogniser is sure of it and read it so at ``_SCATTER`` unsure places or more of
  the page where Tesseract read two different characters or more (``scattered``: a glyph
  Tesseract does not know comes out as whatever is nearest each time);

and only where the page's language writes it (its code page).  Everything else stays as
Tesseract read it: a reading the recogniser is unsure of, a length that changes, kana,
signs and digits.  Boxes do not move: a character keeps its word's place and size.
Without the recogniser (the ``ocr`` extra not installed) Tesseract's reading stands.
"""

from __future__ import annotations

import difflib
import threading
import time
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace

from PIL import Image

from ingest.ocr.closed_sets import NUMBER_SIGNS, is_element, is_numeral
from ingest.ocr.reconcile import is_han, written
from ingest.ocr.reread import LineReading, by_lines, crop
from ingest.ocr.tesseract import LineBox, Word
from models.han_variants import fold_han

_UNSURE = 50.0  # a word read under this is unsure, and so are the characters beside it
_SURE = 85.0  # words read at this or above make the page's confident text
_MIN_ELEMENT = 0.3  # the recogniser's score for an element name: 钐 in context 0.34-0.84
_MIN_SURE = 0.9  # the recogniser's score for any other character
_MIN_LINE = 0.7  # the recogniser's score for the whole line, under which it is not used
_CONTEXT = 4  # ems of the line read each side of the unsure words
_SCATTER = 3  # places a page where the recogniser reads one character Tesseract scatters
_MAX_RUN = 3  # characters replaced one for one in a row: longer runs are misalignments
# the character sets of the languages Tesseract reads in: a character outside them is not
# one the page's language writes.  Narrower than reread.py's (GB2312, not GBK): a simplified
# page takes no traditional form, which would also sway the file's script vote (script.py);
# every simplified element name is in GB2312
_CODE_PAGES = {"chi_sim": "gb2312", "chi_tra": "cp950", "jpn": "cp932"}

Recogniser = Callable[[list[Image.Image]], list[LineReading]]


@dataclass
class Tally:
    """Lines read again and characters changed, over the process (``bench/ocr.py``)."""

    lines: int = 0
    reread: int = 0
    changed: int = 0
    cpu: float = 0.0  # CPU seconds in the recogniser


TALLY = Tally()
_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class Place:
    """One character of a line's reading: its word (index on the line) and offset in it."""

    word: int
    offset: int


def _places(words: list[Word]) -> list[Place]:
    return [Place(i, k) for i, word in enumerate(words) for k in range(len(word.text))]


def unsure_words(words: list[Word]) -> set[int]:
    """Indices of the words of one line whose characters are unsure: read under
    ``_UNSURE``, or beside such a word (the LSTM's doubt lands beside the misread one)."""
    low = [i for i, word in enumerate(words) if 0 <= word.conf < _UNSURE]
    return {j for i in low for j in (i - 1, i, i + 1) if 0 <= j < len(words)}


def has_unsure_han(words: list[Word]) -> bool:
    """A line worth reading again: a Han character is unsure on it."""
    doubtful = unsure_words(words)
    return any(any(is_han(ch) for ch in words[i].text) for i in doubtful)


def confident_pairs(lines: Iterable[list[Word]]) -> set[str]:
    """Pairs of neighbouring Han characters in runs of words read at ``_SURE`` or above."""
    pairs: set[str] = set()
    for words in lines:
        run = ""
        for word in (*words, None):
            if word is not None and word.conf >= _SURE:
                run += word.text
                continue
            pairs.update(run[i : i + 2] for i in range(len(run) - 1) if _han_pair(run[i : i + 2]))
            run = ""
    return pairs


def _han_pair(pair: str) -> bool:
    return len(pair) == 2 and is_han(pair[0]) and is_han(pair[1])


def _pairs_at(text: str, index: int, ch: str) -> list[str]:
    """The pairs ``ch`` makes standing at ``index`` of ``text`` with its neighbours."""
    pairs = []
    if index > 0:
        pairs.append(text[index - 1] + ch)
    if index + 1 < len(text):
        pairs.append(ch + text[index + 1])
    return [p for p in pairs if _han_pair(p)]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A Han character the recogniser read otherwise at an unsure place: Tesseract's
    ``old``, the recogniser's ``new`` and its score (0-1), and ``contexts``: the two
    readings of the line, each with the index the character stands at."""

    place: Place
    old: str
    new: str
    score: float
    contexts: tuple[tuple[str, int], ...]


def candidates(words: list[Word], second: LineReading, code_pages: list[str]) -> list[Candidate]:
    """Where the recogniser's reading ``second`` of a line (or part of one, ``words`` being
    Tesseract's there) puts another Han character, one for one, at an unsure place, one the
    page's language writes (``code_pages``)."""
    first = "".join(word.text for word in words)
    places = _places(words)
    if not second.text or second.score < _MIN_LINE or len(second.scores) != len(second.text):
        return []
    doubtful = unsure_words(words)
    matcher = difflib.SequenceMatcher(None, fold_han(first), fold_han(second.text), autojunk=False)
    out: list[Candidate] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "replace" or i2 - i1 != j2 - j1 or i2 - i1 > _MAX_RUN:
            continue
        for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
            old, new = first[i], second.text[j]
            if places[i].word not in doubtful or not (is_han(old) and is_han(new)):
                continue
            if written(new, code_pages):
                contexts = ((first, i), (second.text, j))
                out.append(Candidate(places[i], old, new, second.scores[j], contexts))
    return out


def scattered(found: Iterable[Candidate]) -> set[str]:
    """Characters the recogniser read surely at ``_SCATTER`` places or more of a page where
    Tesseract read two characters or more: a glyph Tesseract knows it reads the same way
    each time (信和 for 令和, every time), one it does not know it scatters (炭 in 脱炭素:
    淡 将 由 災 骨 肖 … on one page of ja_gx_suishin)."""
    olds: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    for candidate in found:
        if candidate.score >= _MIN_SURE:
            olds.setdefault(candidate.new, set()).add(candidate.old)
            counts[candidate.new] = counts.get(candidate.new, 0) + 1
    return {ch for ch, n in counts.items() if n >= _SCATTER and len(olds[ch]) >= 2}


def takes(
    candidate: Candidate, known: AbstractSet[str], scatter: AbstractSet[str] = frozenset()
) -> bool:
    """Whether the recogniser's character replaces Tesseract's (the rules in the module's
    docstring).  Pairs are made with the neighbours of either reading: a neighbour may be
    misread the same way in the confident text (含多 there, 合多 here, is 含钐 read twice
    alike)."""
    old, new, score = candidate.old, candidate.new, candidate.score
    if is_element(new) and score >= _MIN_ELEMENT:
        return not is_element(old) or score >= _MIN_SURE
    if score < _MIN_SURE:
        return False
    if new in scatter:
        return True
    if is_numeral(new) and not is_numeral(old):  # a numeral beside a numeral, or after 第
        return any(
            text[k] in NUMBER_SIGNS
            for text, i in candidate.contexts
            for k in (i - 1, i + 1)
            if 0 <= k < len(text)
        )
    contexts = candidate.contexts
    found = any(pair in known for text, i in contexts for pair in _pairs_at(text, i, new))
    kept = any(pair in known for text, i in contexts for pair in _pairs_at(text, i, old))
    return found and not kept


def changes(
    words: list[Word],
    second: LineReading,
    code_pages: list[str],
    known: AbstractSet[str],
    scatter: AbstractSet[str] = frozenset(),
) -> dict[Place, str]:
    """The characters of one line (``words``, Tesseract's) that the recogniser's reading
    ``second`` corrects: where they stand, and what they become."""
    found = candidates(words, second, code_pages)
    return {c.place: c.new for c in found if takes(c, known, scatter)}


def _rewritten(words: list[Word], fixes: dict[Place, str]) -> list[Word]:
    """The line's words with the characters at ``fixes`` replaced, boxes unchanged."""
    out = []
    for i, word in enumerate(words):
        text = "".join(fixes.get(Place(i, k), ch) for k, ch in enumerate(word.text))
        out.append(word if text == word.text else replace(word, text=text))
    return out


def window(words: list[Word], height: int) -> tuple[int, int]:
    """The words of one line to read again, first and last index: the unsure ones and
    ``_CONTEXT`` ems of the line each side (the recogniser needs the context; the rest of
    a long line would only cost time: on Japanese pages half the lines hold an unsure word)."""
    doubtful = unsure_words(words)
    first, last = min(doubtful), max(doubtful)
    reach = _CONTEXT * height
    start, end = words[first].left, words[last].left + words[last].width
    while first > 0 and start - words[first - 1].left <= reach:
        first -= 1
    while last + 1 < len(words) and words[last + 1].left + words[last + 1].width - end <= reach:
        last += 1
    return first, last


def _crop(image: Image.Image, box: LineBox, words: list[Word]) -> Image.Image:
    """The part of the line under ``words``, as tall as the line, with a margin."""
    left = min(w.left for w in words)
    right = max(w.left + w.width for w in words)
    part = LineBox(box.key, left, box.top, right - left, box.height)
    return crop(image, part)[0]


def reread_unsure_chars(
    image: Image.Image,
    words: list[Word],
    lines: list[LineBox],
    models: str,
    recognise: Recogniser,
) -> list[Word]:
    """``words`` with the unsure characters the recogniser corrects (``changes``) rewritten
    in place; counted in ``TALLY``."""
    by_line = by_lines(words)
    boxes = [box for box in lines if box.key in by_line and has_unsure_han(by_line[box.key])]
    with _LOCK:
        TALLY.lines += len(by_line)
        TALLY.reread += len(boxes)
    if not boxes:
        return words
    spans = [window(by_line[box.key], box.height) for box in boxes]
    crops = [
        _crop(image, box, by_line[box.key][a : b + 1])
        for box, (a, b) in zip(boxes, spans, strict=True)
    ]
    started = time.thread_time()
    readings = recognise(crops)
    cpu = time.thread_time() - started
    code_pages = [_CODE_PAGES[lang] for lang in models.split("+") if lang in _CODE_PAGES]
    known = confident_pairs(by_line.values())
    found = {
        box.key: candidates(by_line[box.key][a : b + 1], reading, code_pages)
        for box, (a, b), reading in zip(boxes, spans, readings, strict=True)
    }
    scatter = scattered(c for line in found.values() for c in line)
    fixed: dict[tuple[int, int, int], list[Word]] = {}
    count = 0
    for box, (a, _) in zip(boxes, spans, strict=True):
        taken = [c for c in found[box.key] if takes(c, known, scatter)]
        if taken:
            moved = {Place(c.place.word + a, c.place.offset): c.new for c in taken}
            fixed[box.key] = _rewritten(by_line[box.key], moved)
            count += len(taken)
    with _LOCK:
        TALLY.changed += count
        TALLY.cpu += cpu
    if not fixed:
        return words
    index = {key: iter(new) for key, new in fixed.items()}
    return [next(index[w.line]) if w.line in index else w for w in words]
