"""Numerals from the seeds and dev data (反垄断法 fines, article labels, document numbers)."""

from __future__ import annotations

import pytest

from ingest.numbers import NUMERAL_PATTERN, kanji_to_int, parse_number

INTEGERS = [
    ("二十三", 23),
    ("十四", 14),  # 第十四条
    ("二十八", 28),
    ("五十六", 56),
    ("十", 10),
    ("一百万", 1_000_000),  # 反垄断法 fines
    ("五十万", 500_000),
    ("五百万", 5_000_000),
    ("二十万", 200_000),
    ("1万", 10_000),
    ("50万", 500_000),
    ("二〇二五", 2025),  # year written digit by digit
    ("２０２５", 2025),  # fullwidth
    ("一百零五", 105),
    ("一千二百万", 12_000_000),
    ("1億2000万", 120_000_000),
    ("两千", 2000),
    ("1,000", 1000),
    ("１，０００", 1000),
    ("壱万", 10_000),
    ("61", 61),
]


@pytest.mark.parametrize(("text", "expected"), INTEGERS, ids=[t for t, _ in INTEGERS])
def test_kanji_to_int(text: str, expected: int) -> None:
    assert kanji_to_int(text) == expected


DECIMALS = [
    ("0.1", 0.1),
    ("０．０５", 0.05),
    ("1.5万", 15000),
    ("三点五", 3.5),
    ("五十万", 500_000),
]


@pytest.mark.parametrize(("text", "expected"), DECIMALS, ids=[t for t, _ in DECIMALS])
def test_parse_number(text: str, expected: float) -> None:
    assert parse_number(text) == pytest.approx(expected)


NOT_NUMBERS = ["", "条", "第十条", "十条", "1.", "点五", "万円"]


@pytest.mark.parametrize("text", NOT_NUMBERS, ids=[t or "empty" for t in NOT_NUMBERS])
def test_not_numbers(text: str) -> None:
    assert parse_number(text) is None
    with pytest.raises(ValueError):
        kanji_to_int(text)


def test_kanji_to_int_rejects_decimals() -> None:
    with pytest.raises(ValueError):
        kanji_to_int("0.5")


def test_numeral_pattern_finds_article_numbers() -> None:
    import re

    found = re.findall(rf"第({NUMERAL_PATTERN})条", "违反本法第十七条、第二十八条的")
    assert [kanji_to_int(n) for n in found] == [17, 28]
