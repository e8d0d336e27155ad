"""Which script a scanned text is in (Japanese, simplified or traditional Chinese), and how
sure that is.

Japanese is told by its kana (``chars.script_language`` on a Japanese + simplified reading).
Simplified and traditional Chinese cannot be told from the forms a model reads: measured on
the first pages of the 14 Chinese scans (dev v2, held-out, unseen), ``chi_sim`` read no
traditional-only form and ``chi_tra`` no simplified-only form on any of them, whatever the
page's script; each model writes its own forms.  What differs is how sure each model is of
the characters whose forms differ: reading the other script, a model has to turn each such
character into its own form and is less confident of it.  So the text is read in both
models, the readings are aligned, and every aligned pair of words whose characters differ
in form (one side a simplified-only or traditional-only character) is a vote for the model
that was the more confident.  The margin is a sign test over the votes: ``z = (for
simplified - for traditional) / sqrt(votes)``; under ``SURE`` the evidence is too thin and
the caller reads more text (the whole first page, then the second, ``run.ocr_pages``).

Simplified-only and traditional-only characters are taken from the national code pages:
in GB2312 (simplified) and not in Big5 (traditional), and the other way round.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ingest.ocr.chars import script_language
from models.han_variants import encodable

SURE = 2.0  # |z| of the sign test from which the script is taken (two-sided p ~0.05)


class _Read(Protocol):
    text: str
    conf: float


def _only(codec: str, other: str) -> frozenset[str]:
    han = (chr(code) for code in range(0x4E00, 0xA000))
    return frozenset(ch for ch in han if encodable(ch, codec) and not encodable(ch, other))


SIMPLIFIED_ONLY = _only("gb2312", "big5")
TRADITIONAL_ONLY = _only("big5", "gb2312")


@dataclass(frozen=True)
class Tally:
    """Aligned differing-form word pairs that the simplified (traditional) model read with
    the higher confidence."""

    simplified: int = 0
    traditional: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.simplified + other.simplified, self.traditional + other.traditional)

    @property
    def z(self) -> float:
        votes = self.simplified + self.traditional
        return (self.simplified - self.traditional) / math.sqrt(votes) if votes else 0.0

    @property
    def lang(self) -> str:
        # a tie goes to simplified, the script of the mainland notices most scans are
        return "chi_tra" if self.traditional > self.simplified else "chi_sim"

    @property
    def sure(self) -> bool:
        return abs(self.z) >= SURE


@dataclass(frozen=True)
class Verdict:
    """A text's script and the evidence for it (``tally`` None: Japanese, told by kana)."""

    lang: str
    tally: Tally | None = None

    @property
    def sure(self) -> bool:
        return self.tally is None or self.tally.sure

    @property
    def margin(self) -> float | None:
        return None if self.tally is None else round(self.tally.z, 2)


def _chars(words: Sequence[_Read]) -> list[tuple[str, float, int]]:
    """(character, its word's confidence, its word's index), white space dropped."""
    return [
        (ch, word.conf, index)
        for index, word in enumerate(words)
        for ch in word.text
        if not ch.isspace()
    ]


def tally(simplified: Sequence[_Read], traditional: Sequence[_Read]) -> Tally:
    """The votes of one text read by ``chi_sim`` (``simplified``) and by ``chi_tra``
    (``traditional``): characters aligned one for one where the two readings differ, a pair
    counted once per pair of words (Tesseract gives a confidence per word, not per
    character), for the reading whose word was the more confident.  A pair read alike
    (same confidence) and differences that are misreadings rather than forms (neither side
    a script-only character) do not vote."""
    left, right = _chars(simplified), _chars(traditional)
    matcher = difflib.SequenceMatcher(
        None, "".join(c for c, _, _ in left), "".join(c for c, _, _ in right), autojunk=False
    )
    votes: dict[tuple[int, int], float] = {}
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "replace" or i2 - i1 != j2 - j1:
            continue
        for (ch_s, conf_s, word_s), (ch_t, conf_t, word_t) in zip(
            left[i1:i2], right[j1:j2], strict=True
        ):
            if ch_s in SIMPLIFIED_ONLY or ch_t in TRADITIONAL_ONLY:
                votes[(word_s, word_t)] = conf_s - conf_t
    return Tally(
        simplified=sum(1 for d in votes.values() if d > 0),
        traditional=sum(1 for d in votes.values() if d < 0),
    )


@dataclass(frozen=True)
class Models:
    """The Tesseract models a script is decided with: ``kana`` reads Japanese and Chinese
    alike (its kana say Japanese); ``simplified`` and ``traditional`` are read side by side."""

    kana: str
    simplified: str
    traditional: str

    def of(self, lang: str) -> str:
        return {"jpn": self.kana, "chi_sim": self.simplified, "chi_tra": self.traditional}[lang]


HORIZONTAL = Models("jpn+chi_sim", "chi_sim", "chi_tra")
VERTICAL = Models("jpn_vert", "chi_sim_vert", "chi_tra_vert")


def decide(
    read: Callable[[str], Sequence[_Read] | None],
    models: Models = HORIZONTAL,
    prior: Tally | None = None,
    chinese: bool = False,
) -> Verdict | None:
    """The script of a text that ``read(model)`` gives the words of.  Kana in the
    ``models.kana`` reading say Japanese (skipped when the text is known to be ``chinese``);
    else both Chinese readings vote (``tally``), added to ``prior`` (the votes of text read
    before, when those were too few); a Chinese text with no votes is an unsure simplified.
    None: too little CJK text to say whether it is Japanese."""
    if not chinese:
        words = read(models.kana)
        lang = script_language("".join(w.text for w in words or []))
        if lang is None:
            return None
        if lang == "jpn":
            return Verdict("jpn")
    simplified = read(models.simplified) or []  # None: that reading failed, no votes
    traditional = read(models.traditional) or []
    votes = tally(simplified, traditional) + (prior or Tally())
    return Verdict(votes.lang, votes)
