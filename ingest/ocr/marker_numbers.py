"""The numbers of a column of item markers, where the engine read only some of them.

A marker column counts up: ``一 二 三 …``, ``① ② ③``, ``(1) (2)``, ``イ ロ ハ``.  Tesseract
reads a blurred lone kanji numeral badly even alone (a strip of the thirty markers of an
e-Gov list, read with only marker characters allowed: 8 of 30 right, 一 二 三 never), but the
markers it does read surely say what the others are: markers left-aligned one under the
other, the k-th of them reading ``a + k``.  A marker is filled in only between two sure
readings that agree with their distance (``八`` at 7 and ``十四`` at 13: 9-13 are 九-十三), or
beyond the two nearest sure readings on one side where they agree (``八`` at 7, ``九`` at 8:
0-6 are 一-七);
where the sure readings disagree (a second list restarting at 一 under the first) nothing is
filled between them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.numbers import kanji_to_int

_CIRCLED_FIRST = 0x2460  # ①
_CIRCLED = 20
IROHA = "イロハニホヘトチリヌルヲワカヨタレソツネナラム"
_KANJI_DIGITS = "〇一二三四五六七八九"
_SHAPE = re.compile(r"^([(（]?)([〇一二三四五六七八九十百]+|[0-9]+|[イ-ヶ])([.．、)）]?)$")


@dataclass(frozen=True)
class Style:
    """How a column writes its numbers: the script and what stands around the number."""

    script: str  # "kanji", "arabic", "circled", "iroha"
    before: str = ""
    after: str = ""


def parse(text: str) -> tuple[Style, int] | None:
    """(style, number) of a marker's text; None when it is no numbered marker."""
    if len(text) == 1 and _CIRCLED_FIRST <= ord(text) < _CIRCLED_FIRST + _CIRCLED:
        return Style("circled"), ord(text) - _CIRCLED_FIRST + 1
    match = _SHAPE.match(text)
    if match is None:
        return None
    before, body, after = match.groups()
    if body in IROHA:
        return Style("iroha", before, after), IROHA.index(body) + 1
    try:
        value = kanji_to_int(body)
    except ValueError:
        return None
    script = "arabic" if body.isdigit() else "kanji"
    return (Style(script, before, after), value) if value > 0 else None


def kanji(number: int) -> str:
    """``23`` -> ``二十三`` (1-999), as statutes number their items."""
    hundreds, rest = divmod(number, 100)
    tens, ones = divmod(rest, 10)
    out = ""
    if hundreds:
        out += ("" if hundreds == 1 else _KANJI_DIGITS[hundreds]) + "百"
    if tens:
        out += ("" if tens == 1 else _KANJI_DIGITS[tens]) + "十"
    if ones:
        out += _KANJI_DIGITS[ones]
    return out


def render(style: Style, number: int) -> str | None:
    """The marker ``number`` in ``style``; None where the style has no such number."""
    if number < 1:
        return None
    if style.script == "circled":
        return chr(_CIRCLED_FIRST + number - 1) if number <= _CIRCLED else None
    if style.script == "iroha":
        body = IROHA[number - 1] if number <= len(IROHA) else None
    elif style.script == "kanji":
        body = kanji(number) if number < 1000 else None
    else:
        body = str(number)
    return None if body is None else style.before + body + style.after


def fill(readings: list[str | None]) -> list[str | None]:
    """A column's markers, top to bottom: the sure readings (None where there is none) with
    the gaps filled where the sure readings around them say what they are (module doc).
    ``""`` is a run read surely as something no marker is (``2025`` opening a date under a
    list): no gap, so it is never counted into a marker."""
    anchors = [(i, p) for i, text in enumerate(readings) if text and (p := parse(text))]
    out = list(readings)
    for index in range(len(readings)):
        if readings[index] is not None:
            continue
        above = [a for a in anchors if a[0] < index]
        below = [a for a in anchors if a[0] > index]
        guess = _between(above[-1:], below[:1], index) if above and below else None
        if guess is None and len(above) >= 2:
            guess = _beyond(above[-2], above[-1], index)
        if guess is None and len(below) >= 2:
            guess = _beyond(below[1], below[0], index)
        if guess is not None and (above and below) and not _agree(above[-1], below[0]):
            guess = None  # two lists meet here: which one the marker belongs to is unknown
        out[index] = guess
    return out


Anchor = tuple[int, tuple[Style, int]]


def _agree(first: Anchor, second: Anchor) -> bool:
    (i, (style_i, value_i)), (j, (style_j, value_j)) = first, second
    return style_i == style_j and value_j - value_i == j - i


def _between(above: list[Anchor], below: list[Anchor], index: int) -> str | None:
    if not _agree(above[0], below[0]):
        return None
    i, (style, value) = above[0]
    return render(style, value + index - i)


def _beyond(far: Anchor, near: Anchor, index: int) -> str | None:
    """Extrapolated from the two nearest sure readings on one side, which agree."""
    if not _agree(min(far, near), max(far, near)):
        return None
    i, (style, value) = near
    return render(style, value + index - i)
