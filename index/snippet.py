"""Snippets: the part of a hit worth showing, the matching part marked 【like this】.

* A hit sharing words with the query: the window with the most query-token characters,
  every match marked (tokens and text compared NFKC-folded, lower case, Han characters folded
  to simplified, so 【輸出許可】 is marked for a query saying 输出许可).
* A dense-only hit (typically another language: an English question, a Japanese article)
  shares no token: the search marks its sentence closest to the query in embedding space
  (``sentence_spans`` + ``mark_span``); without that, the chunk's beginning, unmarked.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence

import numpy as np

from index.han_fold import fold_han

SNIPPET_CHARS = 160
# 【】 mark matches; the document's own 【留意点】 (CISTEC headings use them) is shown as
# 〖留意点〗, so that a mark is always ours (the web page turns marks into <mark>).
_OWN_BRACKETS = str.maketrans("【】", "〖〗")
# Sentence ends in ja/zh/en legal text; a line break ends a clause or list item too.
_SENTENCE_END = re.compile(r"[。；;！？!?\n]|\.(?=\s|$)")
MIN_SENTENCE_CHARS = 6
# Two katakana are mostly a slice of a longer word (the keyword index's bigrams: リテ, ティ of
# トレーサビリティ meet セキュリティ): matched for recall, not worth marking.
_KATAKANA_PAIR = re.compile(r"[\u30a0-\u30ff]{2}")


@functools.lru_cache(maxsize=65536)
def _search_form(char: str) -> str:
    return fold_han(unicodedata.normalize("NFKC", char).lower())


def _normalised_with_offsets(text: str) -> tuple[str, list[int]]:
    """The search form of ``text`` (NFKC, lower case, Han folded, character by character) and,
    for each of its characters, the source offset."""
    forms = [_search_form(char) for char in text]
    norm = "".join(forms)
    if len(norm) == len(text):  # the usual case: one character for one
        return norm, list(range(len(text)))
    return norm, [i for i, form in enumerate(forms) for _ in form]


def token_marks(text: str, tokens: Sequence[str]) -> np.ndarray:
    """1 for each character of ``text`` inside a query token's occurrence (tokens of 2+ chars,
    katakana pairs left out)."""
    norm, offsets = _normalised_with_offsets(text)
    marks = np.zeros(len(text) + 1, np.int8)
    for token in {t for t in tokens if len(t) >= 2 and not _KATAKANA_PAIR.fullmatch(t)}:
        start = norm.find(token)
        while start != -1:
            end = start + len(token)
            marks[offsets[start] : offsets[end - 1] + 1] = 1
            start = norm.find(token, end)
    return marks


def _render(text: str, marks: np.ndarray, begin: int, end: int) -> str:
    parts: list[str] = ["…" if begin else ""]
    inside = False
    for i in range(begin, end):
        if marks[i] and not inside:
            parts.append("【")
            inside = True
        elif not marks[i] and inside:
            parts.append("】")
            inside = False
        parts.append(" " if text[i] in "\n\r\t" else text[i].translate(_OWN_BRACKETS))
    if inside:
        parts.append("】")
    parts.append("…" if end < len(text) else "")
    return "".join(parts)


def snippet(text: str, tokens: Sequence[str], width: int = SNIPPET_CHARS) -> str:
    """The window of ``text`` with the most query-token characters, matches in 【】; the
    chunk's beginning, unmarked, when no token matches."""
    marks = token_marks(text, tokens)
    if not marks.any():
        flat = " ".join(text.split()).translate(_OWN_BRACKETS)
        return flat[:width] + ("…" if len(flat) > width else "")
    density = np.convolve(marks[: len(text)], np.ones(min(width, len(text)), np.int32), "valid")
    begin = int(np.argmax(density))
    return _render(text, marks, begin, min(len(text), begin + width))


def sentence_spans(text: str, skip_first_line: bool = False) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text`` (white space trimmed, very short ones left
    out); ``skip_first_line`` leaves out a heading line of context (the law's title)."""
    spans: list[tuple[int, int]] = []
    start = text.find("\n") + 1 if skip_first_line and "\n" in text else 0
    for match in _SENTENCE_END.finditer(text, start):
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    trimmed = []
    for begin, end in spans:
        while begin < end and text[begin].isspace():
            begin += 1
        while end > begin and text[end - 1].isspace():
            end -= 1
        if end - begin >= MIN_SENTENCE_CHARS:
            trimmed.append((begin, end))
    return trimmed


_NOT_CONTENT = re.compile(r"[\s\u3040-\u309f\W]")  # white space, hiragana, punctuation


def _content_chars(text: str) -> set[str]:
    return set(_NOT_CONTENT.sub("", fold_han(text.lower())))


def candidate_sentences(
    text: str, spans: list[tuple[int, int]], query: str, limit: int
) -> list[tuple[int, int]]:
    """At most ``limit`` of ``spans``, in text order: those sharing most content characters
    (Han folded: 価値 meets 价值) with ``query``, earlier ones first on ties."""
    if len(spans) <= limit:
        return spans
    wanted = _content_chars(query)
    overlap = [len(wanted & _content_chars(text[a:b])) for a, b in spans]
    keep = sorted(range(len(spans)), key=lambda i: (-overlap[i], i))[:limit]
    return [spans[i] for i in sorted(keep)]


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# A sentence sharing this many Han characters with the query (folded), this many more than
# any other sentence of the hit, is its closest one without asking an embedder.
LEXICAL_MIN_SHARED = 4
LEXICAL_MIN_LEAD = 2


def _han_chars(text: str) -> set[str]:
    return set(_HAN.findall(fold_han(text)))


def lexical_pick(text: str, spans: list[tuple[int, int]], query: str) -> tuple[int, int] | None:
    """The span that clearly shares most Han characters with ``query`` (価値 meets 价值: the
    vocabulary Japanese and Chinese share), or None when no span stands out; then only an
    embedder can tell (an English question, or kana against hanzi)."""
    wanted = _han_chars(query)
    if not wanted or not spans:
        return None
    shared = sorted(((len(wanted & _han_chars(text[a:b])), (a, b)) for a, b in spans), reverse=True)
    best, span = shared[0]
    runner_up = shared[1][0] if len(shared) > 1 else 0
    if best >= LEXICAL_MIN_SHARED and best - runner_up >= LEXICAL_MIN_LEAD:
        return span
    return None


def mark_span(text: str, start: int, end: int, width: int = SNIPPET_CHARS) -> str:
    """A window of ``text`` around ``text[start:end]``, that span marked 【】 (cut at ``width``
    when the sentence alone is longer)."""
    marks = np.zeros(len(text) + 1, np.int8)
    marks[start:end] = 1
    # Half the room left by the sentence goes before it, for context.
    begin = max(0, start - max(0, width - (end - start)) // 2)
    return _render(text, marks, begin, min(len(text), begin + width))
