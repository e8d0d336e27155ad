"""Numerals as written in Chinese and Japanese legal text: 二十三, 五十万, 二〇二五, 1.5万.

Shared by every extractor that needs a number (article labels, thresholds, dates, document
numbers). ``kanji_to_int`` is strict (raises like ``int()``); ``parse_number`` is lenient
(returns ``None``) because callers feed it regex captures that may hold stray marks.
"""

from __future__ import annotations

from fractions import Fraction

DIGITS: dict[str, int] = {
    "〇": 0, "零": 0, "○": 0, "０": 0,
    "一": 1, "壱": 1, "壹": 1, "弌": 1,
    "二": 2, "弐": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2, "両": 2,
    "三": 3, "参": 3, "參": 3, "叁": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6, "陸": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}  # fmt: skip
SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
LARGE_UNITS: dict[str, int] = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8, "兆": 10**12}
# ・ is the Japanese decimal point in kanji numerals: 一・三ギガヘルツ = 1.3 GHz.
DECIMAL_POINTS = frozenset(".．点點・")
GROUP_SEPARATORS = frozenset(",，")

_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－", "0123456789.,-")

#: A character class body for regexes: any character a numeral may be written with.
# ○ (a bullet more often than a zero) stays out so list markers are not read as numbers.
NUMERAL_CHARS = (
    "0-9０-９"
    + "".join(d for d in DIGITS if d != "○")
    + "".join(SMALL_UNITS)
    + "".join(LARGE_UNITS)
)
#: A regex matching one numeral (ASCII, fullwidth or kanji, with grouping commas).
NUMERAL_PATTERN = rf"[{NUMERAL_CHARS}](?:[{NUMERAL_CHARS},，]*[{NUMERAL_CHARS}])?"


def to_halfwidth_digits(text: str) -> str:
    """Fullwidth digits, point, comma and minus to ASCII; everything else untouched."""
    return text.translate(_FULLWIDTH)


def _digit_value(char: str) -> int | None:
    if "0" <= char <= "9":
        return ord(char) - ord("0")
    return DIGITS.get(char)


def _parse(text: str) -> Fraction:
    """Value of a numeral; raises ValueError on anything that is not one.

    Digits accumulate positionally (so 二〇二五 is 2025 and 12万 is 120000); 十/百/千 multiply
    the pending digit (1 when none: 十五 = 15); 万/億/兆 close a section.
    """
    source = to_halfwidth_digits(text.strip())
    if not source:
        raise ValueError(f"not a numeral: {text!r}")
    total = Fraction(0)
    section = Fraction(0)
    current: Fraction | None = None
    fraction_scale: Fraction | None = None  # set after a decimal point
    seen_anything = False
    for index, char in enumerate(source):
        digit = _digit_value(char)
        if digit is not None:
            if fraction_scale is not None:
                fraction_scale /= 10
                current = (current or Fraction(0)) + digit * fraction_scale
            else:
                current = (current or Fraction(0)) * 10 + digit
            seen_anything = True
        elif char in DECIMAL_POINTS:
            # 点 is a decimal point only between digits (三点五); elsewhere it is a word.
            if fraction_scale is not None or current is None or index == len(source) - 1:
                raise ValueError(f"not a numeral: {text!r}")
            fraction_scale = Fraction(1)
        elif char in GROUP_SEPARATORS:
            if current is None or fraction_scale is not None:
                raise ValueError(f"not a numeral: {text!r}")
        elif char in SMALL_UNITS:
            section += (current if current is not None else 1) * SMALL_UNITS[char]
            current, fraction_scale = None, None
            seen_anything = True
        elif char in LARGE_UNITS:
            section += current or 0
            total += (section or 1) * LARGE_UNITS[char]
            section, current, fraction_scale = Fraction(0), None, None
            seen_anything = True
        else:
            raise ValueError(f"not a numeral: {text!r}")
    if not seen_anything:
        raise ValueError(f"not a numeral: {text!r}")
    return total + section + (current or 0)


def kanji_to_int(text: str) -> int:
    """Integer value of a kanji, fullwidth or ASCII numeral: ``kanji_to_int("二十三") == 23``.

    Raises ValueError when ``text`` is not a whole-number numeral.
    """
    value = _parse(text)
    if value.denominator != 1:
        raise ValueError(f"not an integer numeral: {text!r}")
    return int(value)


def parse_number(text: str) -> int | float | None:
    """Value of a numeral, ``None`` when ``text`` is not one: ``parse_number("五十万") == 500000``.

    Whole values come back as ``int``; decimals (0.1, 1.5万, 三点五) as ``float``.
    """
    try:
        value = _parse(text)
    except ValueError:
        return None
    return int(value) if value.denominator == 1 else float(value)
