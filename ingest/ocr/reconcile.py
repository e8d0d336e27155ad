"""Two readings of one line set side by side: what each character should be.

The hybrid engine's recogniser (PP-OCRv6, trained mostly on Chinese) reads a line Tesseract
was unsure of; it reads rare characters and quoted Chinese well, but on a Japanese page it
writes Chinese forms of Japanese kanji (錬 -> 鍊, 産 -> 產, 説 -> 說, ・ -> ·) and takes
katakana for kanji of the same shape (アアース -> 了了一ス, サイト -> サイ卜).  Tesseract,
read in the page's own language, wrote the right form at those places.  So the two readings
are aligned (variants folded alike: 錬 and 鍊 are the same character, 井 and 开 are not) and:

- where they agree up to the variant, Tesseract's form is kept (the page's language
  chose it), except in a line quoting Chinese, whose simplified forms are the recogniser's;
- where Tesseract read katakana inside a katakana word and the recogniser a Han character,
  Tesseract's katakana stands (a Han character does not stand inside a katakana word);
- where the recogniser wrote a sign the language does not (· for ・), Tesseract's stands.

What is left outside the page's language is either quoted Chinese (``chinese_evidence``:
simplified characters Japanese does not write, standing where Tesseract read another
character, ``shows_quoted_chinese``) or a misreading; ``reread.accepted`` decides which.
"""

from __future__ import annotations

import difflib
import re
import statistics

from ingest.ocr.tesseract import Word
from models.han_variants import encodable, fold_han

_MIN_EVIDENCE = 2  # simplified-only characters where the Japanese reading has another
_KEEP_KANA = 0.6  # of the Japanese reading's kana that a second reading must keep
_UNSURE = 85.0  # mean word confidence of a line below which its Han runs may be Chinese
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{4,}")


def is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def is_katakana(ch: str) -> bool:
    return "\u30a1" <= ch <= "\u30fa" or ch == "\u30fc"  # ー is part of katakana words


def written(ch: str, code_pages: list[str]) -> bool:
    """Whether a language whose code pages are ``code_pages`` writes ``ch``."""
    return ch.isascii() or ch.isspace() or any(encodable(ch, page) for page in code_pages)


def simplified_only(ch: str) -> bool:
    """A Han character Japanese does not write (outside cp932): simplified Chinese."""
    return is_han(ch) and not encodable(ch, "cp932")


def _opcodes(first: str, second: str) -> list[tuple[str, int, int, int, int]]:
    matcher = difflib.SequenceMatcher(None, fold_han(first), fold_han(second), autojunk=False)
    return matcher.get_opcodes()


def chinese_evidence(japanese: str, other: str) -> int:
    """How many characters of ``other`` are simplified Chinese the Japanese model cannot
    write, standing where ``japanese`` reads another character (variants folded alike)."""
    count = 0
    for op, _, _, start, end in _opcodes(japanese, other):
        if op in ("replace", "insert"):
            count += sum(1 for ch in other[start:end] if simplified_only(ch))
    return count


def may_quote_chinese(words: list[Word]) -> bool:
    """A line of a Japanese page worth a second reading as quoted Chinese: a run of Han
    characters, read unsurely (the jpn model reads simplified glyphs as other kanji at
    word confidences of 60-90, not the 0-30 of a character it cannot read at all)."""
    if not _HAN_RUN.search("".join(w.text for w in words)):
        return False
    confs = [w.conf for w in words if w.conf >= 0]
    return bool(confs) and statistics.fmean(confs) < _UNSURE


def _kana(text: str) -> int:
    return sum(1 for ch in text if "\u3041" <= ch <= "\u30fa")


def shows_quoted_chinese(japanese: str, other: str) -> bool:
    """Whether ``other``, a second reading of a line read as ``japanese``, shows Chinese
    the Japanese model could not read (``_MIN_EVIDENCE`` characters) and keeps the line's
    Japanese (``_KEEP_KANA`` of its kana: a Japanese line read in Chinese models can come
    out all Han)."""
    if _kana(other) < _KEEP_KANA * _kana(japanese):
        return False
    return chinese_evidence(japanese, other) >= _MIN_EVIDENCE


def _in_katakana_word(text: str, index: int) -> bool:
    """``text[index]`` is katakana with a katakana neighbour."""
    if not is_katakana(text[index]):
        return False
    around = text[max(0, index - 1) : index] + text[index + 1 : index + 2]
    return any(is_katakana(ch) for ch in around)


def _repaired(first: str, i: int, ch: str, code_pages: list[str], same: bool, quoted: bool) -> str:
    """The character at one aligned place: the recogniser's ``ch``, or Tesseract's
    ``first[i]`` where the rules above give it (``same``: the two agree up to the variant;
    ``quoted``: the line quotes Chinese, whose forms are the recogniser's)."""
    theirs = first[i]
    if same:  # the variant the page's language writes, but Chinese forms in a quotation
        keep = quoted and written(ch, ["gbk"])
        return ch if keep or not written(theirs, code_pages) else theirs
    if is_han(ch) and _in_katakana_word(first, i):
        return theirs
    # a sign the language does not write (· for ・): as Tesseract read it
    return theirs if not is_han(ch) and not written(ch, code_pages) else ch


def reconcile(first: str, second: str, code_pages: list[str], quoted: bool = False) -> str:
    """``second`` (the recogniser's reading of a line Tesseract read as ``first``, in a
    language of ``code_pages``; ``quoted``: a line quoting Chinese) with the characters
    Tesseract read better put back; the same length as ``second``, so the recogniser's
    character positions still hold."""
    out = list(second)
    for op, i1, i2, j1, j2 in _opcodes(first, second):
        if op == "equal" or (op == "replace" and i2 - i1 == j2 - j1):
            for k in range(j2 - j1):
                same = op == "equal"
                out[j1 + k] = _repaired(first, i1 + k, second[j1 + k], code_pages, same, quoted)
    return "".join(out)
