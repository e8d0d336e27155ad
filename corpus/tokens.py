"""Tokens for inline diffs of Chinese and Japanese legal text.

A character diff of CJK text reads badly (``審査の上`` comes out as four scattered inserts) and
a diff on whole clauses hides the one number that changed.  Words are the unit an analyst reads,
so text is segmented by dictionary: SudachiPy (GiNZA's tokenizer, mode C) for Japanese,
jieba for Chinese, cut as spaCy's ``ja``/``zh`` tokenizers cut them, without loading spaCy.
Numbers with their unit (``0.05%``, ``10日``, ``五十万元``) are protected first: segmenters
split them (``0.05`` ``%``), and a threshold must change as one token.

Without those packages (or with ``backend="fast"``) a regex tokenizer is used: latin words,
numbers with units, katakana runs, and single ideographs / kana (a character diff is the honest
fallback for CJK without a dictionary).
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Literal

Backend = Literal["auto", "spacy", "fast"]

_KANJI_DIGITS = "〇零一二三四五六七八九十百千万亿億两"
_UNITS = (
    "[%％‰]|パーセント|万元|亿元|億円|万円|元|円|ドル|美元|日元|"
    "营业日|営業日|工作日|か月|ヶ月|カ月|个月|個月|"
    "日|月|年|倍|人|名|件|条|款|项|項|号|層|层|nm|kg|t|吨|トン|台|回|次|度|時間|小时|分|秒"
)
#: One number as written, with its unit (0.05%, 1,000万円, 10日, 五十万元, 百分之十), or a
#: control code (1E902.a, 3A001.b.1) whose digits and letters belong together.
NUMBER_PATTERN = re.compile(
    r"[0-9A-Za-z]*[0-9][A-Za-z][0-9A-Za-z]*(?:[.\-/][0-9A-Za-z]+)*"
    rf"|(?:百分之|千分之)[{_KANJI_DIGITS}点.]+"
    rf"|[0-9０-９](?:[0-9０-９,，.．]*[0-9０-９])?(?:\s?(?:{_UNITS}))?"
    rf"|[{_KANJI_DIGITS}]{{2,}}(?:{_UNITS})?"
    rf"|[{_KANJI_DIGITS}](?:{_UNITS})"
)
_FAST_TOKEN = re.compile(
    r"[A-Za-zＡ-Ｚａ-ｚ]+(?:[.\-][A-Za-z0-9]+)*"
    r"|[\u30a0-\u30ffー]+"
    r"|\s+"
    r"|.",
    re.DOTALL,
)
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u3400-\u9fff]")


def detect_script_language(text: str) -> Literal["ja", "zh", "und"]:
    """Kana means Japanese; ideographs without kana mean Chinese."""
    if _KANA.search(text):
        return "ja"
    if _HAN.search(text):
        return "zh"
    return "und"


def _fast_segment(text: str) -> list[str]:
    return _FAST_TOKEN.findall(text)


#: One segmenter call at a time: SudachiPy's tokenizer is not re-entrant ("RuntimeError:
#: Already borrowed" when two threads diff at once: an upload's alert beside a /diff page,
#: or ``check`` on two threads), and jieba builds its dictionary on first use; a call takes
#: milliseconds.
_SEGMENT_LOCK = threading.Lock()


def _locked(segment: Callable[[str], list[str]]) -> Callable[[str], list[str]]:
    def call(text: str) -> list[str]:
        with _SEGMENT_LOCK:
            return segment(text)

    return call


@lru_cache(maxsize=4)
def _dictionary_segmenter(lang: str) -> Callable[[str], list[str]] | None:
    """The word segmenter for ``lang``, loaded once per process; None when not installed.

    SudachiPy (split mode C, the core dictionary: what GiNZA's tokenizer runs) for Japanese,
    jieba for Chinese, called directly: spaCy around them added nothing to the tokens but
    cost the writer process of an ``add`` 2 s of imports (spaCy imports thinc, thinc torch)
    and ~600 MB (torch, GiNZA's pipes), on the serial path of every parallel add.  Tokens
    and the whitespace between them are cut as spaCy cut them (``_aligned``).
    """
    try:
        if lang == "ja":
            from sudachipy import Dictionary, SplitMode

            sudachi = Dictionary().create(SplitMode.C)
            return _locked(
                lambda text: _aligned(_sudachi_words(sudachi.tokenize(text)), text, "ja")
            )
        if lang == "zh":
            import jieba

            jieba.setLogLevel(logging.WARNING)
            return _locked(
                lambda text: _aligned([w for w in jieba.cut(text, cut_all=False) if w], text)
            )
    except (ImportError, OSError, RuntimeError):
        return None
    return None


def _sudachi_words(morphemes: Any) -> list[str]:
    """Surfaces, a run of Sudachi's space tokens (空白) kept as its first (spaCy's ja)."""
    words = [(m.surface(), m.part_of_speech()[0]) for m in morphemes if m.surface()]
    return [
        word
        for i, (word, tag) in enumerate(words)
        if i == 0
        or not (word.isspace() and tag == "空白")
        or not (words[i - 1][0].isspace() and words[i - 1][1] == "空白")
    ]


def _aligned(words: list[str], text: str, lang: str = "zh") -> list[str]:
    """``words`` laid on ``text``: what lies between two words is a token of its own, and
    one plain space after a word is a separate token (spaCy's ``whitespace_``)."""
    tokens: list[str] = []
    pos = 0
    content = [(i, w) for i, w in enumerate(words) if not w.isspace()]
    if not content:
        return [text] if text else []
    for i, word in content:
        start = text.find(word, pos)
        if start < 0:
            return _fast_segment(text)  # a segmenter that rewrote the text: not ours to trust
        if start > pos:
            tokens.append(text[pos:start])
        tokens.append(word)
        pos = start + len(word)
        # spaCy's ja tokenizer asks its next token, the zh one the text, for the space
        spaced = words[i + 1] == " " if lang == "ja" and i + 1 < len(words) else None
        if spaced is None and lang != "ja":
            spaced = pos < len(text) and text[pos] == " "
        if spaced:
            tokens.append(" ")
            pos += 1
    if pos < len(text):
        tokens.append(text[pos:])
    return tokens


def _segment_with_numbers(text: str, segment: Callable[[str], list[str]]) -> list[str]:
    """Numbers stay whole; the text between them goes through ``segment``."""
    tokens: list[str] = []
    pos = 0
    for match in NUMBER_PATTERN.finditer(text):
        if match.start() > pos:
            tokens.extend(_split_lines(text[pos : match.start()], segment))
        tokens.append(match.group())
        pos = match.end()
    if pos < len(text):
        tokens.extend(_split_lines(text[pos:], segment))
    return [t for t in tokens if t]


def _split_lines(text: str, segment: Callable[[str], list[str]]) -> list[str]:
    """Paragraph breaks are their own tokens so a diff never glues two paragraphs."""
    out: list[str] = []
    for i, part in enumerate(text.split("\n")):
        if i:
            out.append("\n")
        if part:
            out.extend(segment(part))
    return out


def tokenize(text: str, lang: str | None = None, backend: Backend = "auto") -> list[str]:
    """Tokens whose concatenation is exactly ``text``.

    ``lang`` None guesses from the script.  ``backend="auto"`` (or ``"spacy"``, its old name)
    uses the dictionary segmenters when they load and the fast tokenizer otherwise; ``"fast"``
    never loads a dictionary (tests, huge documents).
    """
    text = unicodedata.normalize("NFC", text)
    language = lang or detect_script_language(text)
    segment: Callable[[str], list[str]] = _fast_segment
    if backend != "fast" and language in ("ja", "zh"):
        segment = _dictionary_segmenter(language) or _fast_segment
    tokens = _segment_with_numbers(text, segment)
    if "".join(tokens) != text:  # a segmenter that rewrites text would corrupt the redline
        tokens = _segment_with_numbers(text, _fast_segment)
    return tokens
