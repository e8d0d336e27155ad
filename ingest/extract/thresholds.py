"""Thresholds: a number, a unit and a limit word (以上, 不超过, を超える...), or a range.

Legal meaning is what matters: 以上/以下/以内 include the number, 未満/不满/超过 exclude it,
``5倍以上10倍以下`` is one range, ``毎月10日まで`` is a recurring day-of-month limit.
A number with no limit word (``7種``, ``全17条``, ``推定1万トン``) is a description, not a
condition, and is never reported.

``find_thresholds`` works on plain text (tests drive it with real sentences);
``extract_thresholds`` turns its matches into ``Threshold`` records with provenance.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace

from ingest.extract.base import Locator
from ingest.extract.comparators import (
    SUFFIXES,
    prefix_comparator,
    prefix_pattern,
    strip_prefix,
    suffix_comparator,
    suffix_pattern,
)
from ingest.extract.tables import CellIndex
from ingest.extract.units import COUNT_WORDS, PER, UNITS, degree_unit, symbol_of, unit_pattern
from ingest.numbers import parse_number
from models.document import Document
from models.records import Threshold

# Patterns run on squeezed text (see ``squeeze``): the only white space left is one space
# between two ASCII letters/digits.
_S = r" ?"

_ARABIC = r"[0-9０-９](?:[0-9０-９,，]*[0-9０-９])?(?:[.．][0-9０-９]+)?"
_KANJI_DIGITS = "〇零一二两三四五六七八九十百千万亿億萬壹贰叁肆伍陆柒捌玖拾佰仟"
# ・ between kanji digits is the Japanese decimal point: 一・三ギガヘルツ = 1.3 GHz
# 、 between groups of three positional kanji digits is e-Gov's thousands separator:
# 五、〇〇〇分の一 is 1/5000 (an enumeration comma is never followed by exactly three digits)
_KANJI = (
    rf"[{_KANJI_DIGITS}]+(?:、[〇零一二三四五六七八九]{{3}}(?![〇零一二三四五六七八九]))*"
    r"(?:・[〇零一二三四五六七八九]+)?"
)
# 千 before a unit word that starts with it (10千瓦 = 10 kW, 5千克 = 5 kg, 5千兆帕 = 5 GPa,
# 10千焦 = 10 kJ) is the unit's.
_MULTIPLIER = r"(?:千(?!瓦|米|克|伏|赫|兆|焦|帕|牛|电子|升)|百)?[万萬亿億]?"
_NUMBER = rf"(?:{_ARABIC}{_S}{_MULTIPLIER}|{_KANJI})"

# Counters kept as written (brief: "else the word as written").
_COUNTERS = r"人|名|件|社|台|個|个|歳|周岁|岁|株|回|次|種類|种类|つ|相|位|份|张|張"
# A table unit, or two joined by / or 每 (300Wh/kg, 1.73克/立方厘米), or a count over a unit
# (50个/平方厘米: a density, /cm2): see ``units``.
_UNIT_RE = (
    rf"(?:{unit_pattern('u')})(?:{_S}(?:{PER}){_S}(?:{unit_pattern('v')}))?"
    rf"|(?:{COUNT_WORDS}){_S}(?:{PER}){_S}(?:{unit_pattern('w')})"
)

_PERCENT_PREFIX = r"百分之"
# 三分之一 (zh) and 3分の1 (ja): denominator first
_FRACTION = rf"(?P<den>{_KANJI}|{_ARABIC}){_S}分[之の]{_S}(?P<num>{_KANJI}|{_ARABIC})"

# A currency written before the amount (不低于人民币五百万元) or after its unit (万元人民币).
_CURRENCY_BEFORE: list[tuple[str, str]] = [
    ("CNY", r"人民币|人民元|RMB"),
    ("JPY", r"日本円"),
    ("USD", r"美元|美金|美币|美幣|US\$|USD|\$"),
]
_CURRENCY_RE = "|".join(f"(?P<c_{i}>{pat})" for i, (_, pat) in enumerate(_CURRENCY_BEFORE))
# マイナス40℃, 零下40度: a sign word (not プラスマイナス, ±: a tolerance); a bare minus only where
# no digit precedes (not 10-20)
_NEGATIVE = r"(?<!プラス)マイナス|零下|负|(?<![0-9０-９±])[-−－]"

_QUANTITY = (
    rf"(?:{_PERCENT_PREFIX}{_S}(?P<pct>{_NUMBER})"
    rf"|{_FRACTION}"
    rf"|(?:(?P<cur>{_CURRENCY_RE}){_S})?(?P<neg>{_NEGATIVE})?"
    rf"(?P<n>{_NUMBER}){_S}(?:(?P<unit>{_UNIT_RE})|(?P<month_end>月末)|(?P<counter>{_COUNTERS}))?"
    rf"(?:{_S}(?:人民币|人民元))?)"
)

_SUFFIX_RE = suffix_pattern()
_PREFIX_RE = prefix_pattern()
# An ASCII gloss of the unit just written: 780纳米(nm), 2.5毫弧度（mrad）.
_GLOSS = r"(?:[（(][A-Za-zμµ³²/%]{1,8}[）)])"

_THRESHOLD_RE = re.compile(
    rf"(?P<recur>毎月|每月|毎年|每年)?{_S}"
    rf"(?:(?P<prefix>{_PREFIX_RE}){_S})?"
    rf"(?P<qty>{_QUANTITY})"
    rf"(?:{_S}{_GLOSS})?"
    rf"(?:{_S}(?P<suffix>{_SUFFIX_RE}))?"
)

# ``75W（48.75dBm）を超える``: the same limit in a second unit shares the limit word.
_EQUIVALENT = re.compile(rf"[（(]{_S}(?P<qty>{_QUANTITY}){_S}[）)]{_S}(?P<suffix>{_SUFFIX_RE})")
_CLOSE_THEN_SUFFIX = re.compile(rf"{_S}[）)]{_S}(?P<suffix>{_SUFFIX_RE})")

_UNIT_SYMBOLS = frozenset(symbol for symbol, _ in UNITS)
_DURATION_UNITS = frozenset({"day", "business_day", "week", "month", "year"})
# Units a bare まで may bound without reading as a calendar date (``2026年11月10日まで``).
_UNTIL_UNITS = frozenset({"%", "CNY", "JPY", "USD", "times", "ton", "kg", "nm", "layer"})
_RANGE_GAP = re.compile(rf"{_S}(?:[、，,]|かつ|且)?{_S}")
# A range written with a dash or 至 between two quantities, with no limit word on either:
# 1至3倍, 10kg～20kg, 在780纳米(nm)至30000纳米(nm)之间.  到 and - need the frame
# (在/从/介于 … 之间), as they also join codes and dates.
_QUANTITY_RE = re.compile(rf"(?P<qty>{_QUANTITY})(?:{_S}{_GLOSS})?")
_DASH = re.compile(rf"{_S}(?:(?P<sep>至|～|〜|~)|(?P<weak>到|－|-|—)){_S}")
_RANGE_OPEN = re.compile(r"(?:在|从|從|介于|介於|为|為)$")
_RANGE_CLOSE = re.compile(rf"{_S}(?:之间|之間|之内|之內|の間|の範囲)")
_CLAUSE_BREAK = re.compile(
    r"[。；;、，,（）()「」『』【】\n：:・]|または|又は|若しくは|もしくは|及び|および|並びに|或者|以及"
)
# An estimate (推定1万トンに達する) describes; it does not limit.
_APPROXIMATE = ("推定", "約", "およそ", "概ね", "约", "大约", "近")


@dataclass(frozen=True)
class ThresholdMatch:
    """One threshold found in text; ``start``/``end`` are offsets in that text."""

    start: int
    end: int
    value: float | None
    unit: str
    comparator: str | None
    min: float | None = None
    max: float | None = None
    min_inclusive: bool | None = None
    max_inclusive: bool | None = None
    subject: str | None = None
    recurrence: str | None = None


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    value: float
    unit: str | None
    comparator: str | None
    recurrence: str | None
    quantity_start: int


def squeeze(text: str) -> tuple[str, list[int]]:
    """``text`` without white space, and each kept character's offset in ``text``.

    PDF lines break mid-phrase (``50万人\n民元``, ``毎月 10\n日まで``) and CISTEC pads
    numbers with spaces (``2025 年 10 月 9 日``), so patterns run on the squeezed text.  One
    space survives between two ASCII letters/digits so ``3 20`` does not become ``320``, and
    between two numerals a U+3000 separates (a 号 label and its text: ``四　一キログラム以上``
    is 1 kg, not 41).
    """
    chars: list[str] = []
    offsets: list[int] = []
    pending_space = False
    wide_space = False  # the white space held a U+3000: a separator, never a line wrap
    for i, ch in enumerate(text):
        if ch.isspace():
            pending_space = True
            wide_space = wide_space or ch == "\u3000"
            continue
        if pending_space and chars and _kept_apart(chars[-1], ch, wide_space):
            chars.append(" ")
            offsets.append(i - 1)
        pending_space = wide_space = False
        chars.append(ch)
        offsets.append(i)
    return "".join(chars), offsets


_NUMERAL_CHARS = frozenset("0123456789０１２３４５６７８９" + _KANJI_DIGITS)


def _kept_apart(before: str, after: str, wide_space: bool) -> bool:
    if _is_ascii_alnum(before) and _is_ascii_alnum(after):
        return True
    return wide_space and before in _NUMERAL_CHARS and after in _NUMERAL_CHARS


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _unsqueeze(offsets: list[int], start: int, end: int) -> tuple[int, int]:
    return offsets[start], offsets[end - 1] + 1


def _number(text: str) -> float | None:
    value = parse_number(text.replace(" ", "").replace("、", ""))
    return None if value is None else float(value)


def _currency_before(m: re.Match[str]) -> str | None:
    if m.groupdict().get("cur") is None:
        return None
    return next(
        (name for i, (name, _) in enumerate(_CURRENCY_BEFORE) if m.group(f"c_{i}") is not None),
        None,
    )


def _unit_of(m: re.Match[str]) -> str | None:
    if m.group("pct") is not None or m.group("den") is not None:
        return "%"
    top = symbol_of(m, "u")
    before = _currency_before(m)
    if top == "CNY" and before is not None:
        return before  # 元 counts any currency's units: 美幣二萬元 is 20,000 US dollars
    if top is not None:
        bottom = symbol_of(m, "v")
        if bottom is None:  # a bare 度: temperature, angle or times by its clause
            return degree_unit(
                top, _CLAUSE_BREAK.split(m.string[max(0, m.start() - 30) : m.end()])[-1]
            )
        return f"{top}/{bottom}"
    per_count = symbol_of(m, "w")
    if per_count is not None:
        return f"/{per_count}"
    if m.group("month_end") is not None:
        return "month"
    counter = m.group("counter")
    if counter:
        return counter
    return before


def _value_of(m: re.Match[str]) -> float | None:
    if m.group("pct") is not None:
        return _number(m.group("pct"))
    if m.group("den") is not None:
        den, num = _number(m.group("den")), _number(m.group("num"))
        if not den or num is None:
            return None
        return round(num / den * 100, 4)
    value = _number(m.group("n"))
    if value is not None and m.groupdict().get("neg"):
        return -value
    return value


def _comparator_of(m: re.Match[str], lang: str) -> tuple[str | None, int]:
    """Comparator and where the mention ends (a suffix extends it)."""
    if m.group("suffix") is not None:
        for i, (_, comp, zh_only) in enumerate(SUFFIXES):
            if m.group(f"s_{i}") is not None:
                if zh_only and lang != "zh":
                    return _prefix_comparator(m), m.end("qty")
                return comp, m.end("suffix")
    return _prefix_comparator(m), m.end("qty")


def _prefix_comparator(m: re.Match[str]) -> str | None:
    return None if m.groupdict().get("prefix") is None else prefix_comparator(m)


def _equivalent_comparator(text: str, m: re.Match[str], lang: str) -> str | None:
    """The limit word of ``75W（48.75dBm）を超える`` for both quantities: the one before a
    parenthesised equivalent, and the equivalent itself."""
    outer = _EQUIVALENT.match(text, m.end("qty"))
    if outer is not None and _unit_of(outer) is not None:
        return suffix_comparator(outer, lang)
    if m.group("prefix") is None and text[: m.start("qty")].rstrip(" ").endswith(("（", "(")):
        inner = _CLOSE_THEN_SUFFIX.match(text, m.end("qty"))
        if inner is not None:
            return suffix_comparator(inner, lang)
    return None


def _is_calendar_date(text: str, m: re.Match[str], unit: str | None, value: float) -> bool:
    """``10月9日以内``, ``2030年まで``: a date, not a limit."""
    if unit == "year" and value >= 1000:
        return True
    if unit == "day" and m.group("recur") is None:
        return text[: m.start("qty")].endswith("月")
    return False


def _lookback(text: str, m: re.Match[str], unit: str | None) -> bool:
    """近3年内 is "within the last three years", a window, not an estimate (近100万吨)."""
    suffix = m.group("suffix") or ""
    return text[: m.start()].endswith("近") and unit in _DURATION_UNITS and suffix in ("内", "以内")


_INCLUDED = re.compile(r"[（(]含(?:本数|本數|[^（）()]{1,10})[）)]")


def _excepted(text: str, start: int) -> bool:
    """``X以外`` is "beyond X" (五公里以外) unless X is excepted, not exceeded: the last of a
    list (560纳米、860纳米以外波段: bands other than these) or after 除 (除…以外)."""
    before = text[:start]
    clause = re.split(r"[。；;，,：:\n]", before)[-1]
    return before.endswith("、") or "除" in clause


def _candidates(text: str, lang: str) -> list[_Candidate]:
    found: list[_Candidate] = []
    for m in _THRESHOLD_RE.finditer(text):
        value = _value_of(m)
        if value is None:
            continue
        unit = _unit_of(m)
        comparator, end = _comparator_of(m, lang)
        if comparator is None and unit is not None:
            comparator = _equivalent_comparator(text, m, lang)
        recur = m.group("recur")
        recurrence = None
        if recur:
            recurrence = "monthly" if recur.endswith("月") else "yearly"
        if m.group("month_end") and recurrence != "yearly":
            continue  # N月末 is a calendar date unless it recurs: 毎年12月末まで
        if _is_calendar_date(text, m, unit, value):
            continue
        if text[: m.start()].endswith(_APPROXIMATE) and not _lookback(text, m, unit):
            continue
        if (m.group("suffix") or "").startswith("以外") and _excepted(text, m.start("qty")):
            continue
        unit_word = m.group("unit") or ""
        if comparator is None and unit_word.endswith("間") and unit in _DURATION_UNITS:
            comparator = "=="  # 1年間停止: a fixed term
        if comparator is None:
            continue
        suffix = m.group("suffix") or ""
        if suffix.startswith("まで") and recurrence is None and unit not in _UNTIL_UNITS:
            continue
        start = m.start("prefix") if m.group("prefix") else m.start("qty")
        if recurrence is not None:
            start = m.start("recur")
        included = _INCLUDED.match(text, end)
        if included and comparator in (">", "<"):
            # 超过40份(含40份), 不足一年（含本数）: the bracket takes the number in
            comparator, end = comparator + "=", included.end()
        found.append(
            _Candidate(
                start=start,
                end=end,
                value=value,
                unit=unit,
                comparator=comparator,
                recurrence=recurrence,
                quantity_start=m.start("qty"),
            )
        )
        if m.group("prefix") is not None and not m.group("suffix"):
            found.extend(_alternatives(text, end, comparator))
    return found


# 不得超过400万桶或52.5万吨: one limit word before a quantity and its alternative in another unit
_ALTERNATIVE = re.compile(rf"{_S}(?:或者|或是|或|or|又は|または){_S}(?P<qty>{_QUANTITY})")
_OWN_LIMIT = re.compile(rf"{_S}(?:{_SUFFIX_RE}|[0-9０-９])")


def _alternatives(text: str, end: int, comparator: str) -> list[_Candidate]:
    alt = _ALTERNATIVE.match(text, end)
    if alt is None:
        return []
    unit, value = _unit_of(alt), _value_of(alt)
    if unit is None or value is None or unit in _DURATION_UNITS:
        return []
    if _OWN_LIMIT.match(text, alt.end()):
        return []  # the alternative has a limit word of its own, read on its own
    return [
        _Candidate(
            start=alt.start("qty"),
            end=alt.end("qty"),
            value=value,
            unit=unit,
            comparator=comparator,
            recurrence=None,
            quantity_start=alt.start("qty"),
        )
    ]


def _subject(text: str, start: int, lang: str) -> str | None:
    """What the threshold constrains when the clause names it: ``割合が0.1%以上``."""
    window = text[max(0, start - 40) : start]
    window = _CLAUSE_BREAK.split(window)[-1]
    window = strip_prefix(window)
    if lang == "zh":
        window = re.sub(r"^.*(?:处|按照|按|占|为|对)", "", window)
        window = window.removesuffix("的").rsplit("的", 1)[-1]
        window = re.sub(r"^(?:但|并|且|而|或|最长|最短|最高|最低)+", "", window)
        if window.endswith(("起", "后", "後")):
            return None  # 自…之日起九十日内: a starting point, not what is limited
        return window if 2 <= len(window) <= 20 else None
    m = re.search(r"(.+?)(?:が|は|の|を)$", window)
    if not m:
        return None
    phrase = m.group(1)
    # Keep the head noun phrase: 製品の価値に占める割合 -> 価値に占める割合.
    head, share, tail = phrase.rpartition("に占める")
    phrase = head.rsplit("の", 1)[-1] + share + tail if share else phrase.rsplit("の", 1)[-1]
    return phrase if 2 <= len(phrase) <= 20 else None


def _infer_unit(text: str, cand: _Candidate) -> str | None:
    """A unitless number borrows the unit the same figure has nearby (``0.1以上`` next to 0.1%)."""
    window = text[max(0, cand.start - 300) : cand.end + 300]
    for m in _THRESHOLD_RE.finditer(window):
        if _unit_of(m) in ("%",) and _value_of(m) == cand.value:
            return "%"
    return None


def _merge_ranges(text: str, cands: list[_Candidate]) -> list[ThresholdMatch | _Candidate]:
    out: list[ThresholdMatch | _Candidate] = []
    i = 0
    while i < len(cands):
        low = cands[i]
        high = cands[i + 1] if i + 1 < len(cands) else None
        if (
            high is not None
            and low.comparator in (">=", ">")
            and high.comparator in ("<=", "<")
            and high.unit is not None
            and (low.unit is None or low.unit == high.unit)
            and _RANGE_GAP.fullmatch(text[low.end : high.start]) is not None
        ):
            out.append(
                ThresholdMatch(
                    start=low.start,
                    end=high.end,
                    value=None,
                    unit=high.unit,
                    comparator=None,
                    min=low.value,
                    max=high.value,
                    min_inclusive=low.comparator == ">=",
                    max_inclusive=high.comparator == "<=",
                )
            )
            i += 2
            continue
        out.append(low)
        i += 1
    return out


def _dash_ranges(text: str) -> list[ThresholdMatch]:
    """Ranges ``A至B`` / ``A～B`` (both ends inclusive); B carries the unit, A the same or none."""
    quantities = list(_QUANTITY_RE.finditer(text))
    out: list[ThresholdMatch] = []
    for low, high in itertools.pairwise(quantities):
        dash = _DASH.fullmatch(text, low.end(), high.start())
        if dash is None:
            continue
        opened = _RANGE_OPEN.search(text, max(0, low.start() - 2), low.start())
        closed = _RANGE_CLOSE.match(text, high.end())
        if dash.group("weak") is not None and not (opened and closed):
            continue
        unit, low_unit = _unit_of(high), _unit_of(low)
        known = unit is not None and all(
            part in _UNIT_SYMBOLS for part in unit.removeprefix("/").split("/")
        )
        # a counter bounds a range only written at both ends (十九人至二十三人), never by a
        # bare first number (第一至三项: a span of clauses)
        counted = unit is not None and low_unit == unit
        if not (known or counted) or low_unit not in (None, unit):
            continue
        lo, hi = _value_of(low), _value_of(high)
        if lo is None or hi is None or lo >= hi or _dated(text, low, unit, lo):
            continue
        out.append(
            ThresholdMatch(
                start=opened.start() if opened and closed else low.start(),
                end=closed.end() if opened and closed else high.end(),
                value=None,
                unit=unit,
                comparator=None,
                min=lo,
                max=hi,
                min_inclusive=True,
                max_inclusive=True,
            )
        )
    return out


def _dated(text: str, m: re.Match[str], unit: str, value: float) -> bool:
    """``2024年至2025年``, ``3月1日至5日``: calendar dates, not a range of durations."""
    return (unit == "year" and value >= 1000) or (
        unit == "day" and text[: m.start("qty")].endswith("月")
    )


def find_thresholds(text: str, lang: str = "ja") -> list[ThresholdMatch]:
    """Every threshold in ``text``, in text order; offsets are offsets in ``text``."""
    squeezed, offsets = squeeze(text)
    out: list[ThresholdMatch] = []
    for m in _find_squeezed(squeezed, lang):
        start, end = _unsqueeze(offsets, m.start, m.end)
        out.append(replace(m, start=start, end=end))
    return out


def _find_squeezed(text: str, lang: str) -> list[ThresholdMatch]:
    ranges = _dash_ranges(text)
    matches: list[ThresholdMatch] = list(ranges)
    singles = [
        c
        for c in _candidates(text, lang)
        if not any(r.start < c.end and c.start < r.end for r in ranges)
    ]
    for item in _merge_ranges(text, singles):
        if isinstance(item, ThresholdMatch):
            matches.append(replace(item, subject=_subject(text, item.start, lang)))
            continue
        unit = item.unit or _infer_unit(text, item)
        if unit is None:
            continue  # a bare number (3以下の２件: a footnote marker) is no threshold
        matches.append(
            ThresholdMatch(
                start=item.start,
                end=item.end,
                value=item.value,
                unit=unit,
                comparator=item.comparator,
                subject=_subject(text, item.start, lang),
                recurrence=item.recurrence,
            )
        )
    return sorted(matches, key=lambda m: m.start)


def _language_at(document: Document, locator: Locator, offset: int) -> str:
    lang = locator.identity_at(offset).language
    if lang in ("und", None):
        lang = document.language
    return "ja" if lang == "und" else lang


def extract_thresholds(document: Document, locator: Locator) -> list[Threshold]:
    """Threshold records for the whole text, footnotes (after ``body_end``) included."""
    records: list[Threshold] = []
    text = document.text
    cells = CellIndex(document)
    for block_lang, start, end in _language_runs(document, locator):
        for m in find_thresholds(text[start:end], block_lang):
            records.append(
                Threshold(
                    **locator.common("threshold", start + m.start, start + m.end),  # type: ignore[arg-type]
                    value=m.value,
                    unit=m.unit,
                    comparator=m.comparator,  # type: ignore[arg-type]
                    min=m.min,
                    max=m.max,
                    min_inclusive=m.min_inclusive,
                    max_inclusive=m.max_inclusive,
                    subject=m.subject,
                    recurrence=m.recurrence,  # type: ignore[arg-type]
                    table_cell=cells.cell_at(start + m.start, start + m.end),
                )
            )
    return records


def _language_runs(document: Document, locator: Locator) -> list[tuple[str, int, int]]:
    """Stretches of text in one language (a Chinese annex inside a Japanese file)."""
    cuts = {0, len(document.text)}
    for sub in document.subdocuments:
        cuts.update((sub.char_span.start, sub.char_span.end))
    runs: list[tuple[str, int, int]] = []
    for start, end in itertools.pairwise(sorted(cuts)):
        if start >= end:
            continue
        lang = _language_at(document, locator, start)
        if runs and runs[-1][0] == lang and runs[-1][2] == start:
            runs[-1] = (lang, runs[-1][1], end)
        else:
            runs.append((lang, start, end))
    return runs
