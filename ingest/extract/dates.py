"""Dates: calendar dates (``2025年10月9日``, ``2025.10.9``, ``令和7年``, ``二〇二五年十月九日``),
month-only dates, and relative ones (``本日``, ``同日``, ``公布の日``), each with its role.

The role comes from the words around the mention (``dates_roles``); the year of a date written
without one (``10月9日``, ``同4.24``, ``昨年10月``) from the context: the previous date, else the
enclosing document's own date.  URLs are never read for dates.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field, replace

from ingest.extract.base import Locator
from ingest.extract.dates_roles import RoleFinder
from ingest.extract.thresholds import squeeze
from ingest.numbers import parse_number
from models.document import Document
from models.records import DateMention

_KANJI_SMALL = "〇零一二三四五六七八九十"
_D = rf"(?:[0-9０-９]{{1,2}}|[{_KANJI_SMALL}]{{1,3}})"
# A year in Chinese numerals: its zeros are typed with whatever looks round (〇 零, the circle
# ○, an ASCII or full-width zero or letter O: 二○○七年, 二00二年, 二ＯＯ二年), its first
# digit is 一 or 二.
_ZERO_LOOKALIKES = "○0０OＯ"
_KANJI_YEAR = rf"[一二][{_KANJI_SMALL[:-1]}{_ZERO_LOOKALIKES}]{{3}}"
_YEAR = rf"(?:(?<![0-9０-９])[12][0-9]{{3}}|{_KANJI_YEAR})"
# Japanese eras, and Taiwan's 民國 (民國105年 = 2016), whose years run to three digits
_ERA = (
    r"(?P<era>令和|平成|昭和|民國|民国)"
    r"(?P<era_year>元|[0-9０-９]{1,3}|[〇一二三四五六七八九十百]{1,4})"
)
_RELATIVE_YEAR = r"(?P<rel_year>本年|今年|昨年|去年|前年|翌年|来年|明年|同年)"

_FULL = re.compile(
    rf"(?:(?P<year>{_YEAR})|{_ERA}|{_RELATIVE_YEAR})?年?"
    rf"(?P<month>{_D})月(?:(?P<day>{_D})(?:日|号)(?!間|以内|内))?"
)
_DOTTED = re.compile(
    r"(?<![0-9.])(?P<year>(?:19|20)[0-9]{2})[.．/／-](?P<month>[0-9]{1,2})[.．/／-](?P<day>[0-9]{1,2})"
    r"(?![0-9]|[.．][0-9])"
)
# 20251009 is a date only right after a date label (【发文日期】20251009, 成文日期：20240731):
# elsewhere eight digits are a number, a code or a tariff line.
_COMPACT = re.compile(
    r"(?:日期|日付|公布日|施行日|発行日|发布日|成文日)[】\]］)）]?[:：]?"
    r"(?P<year>(?:19|20)[0-9]{2})(?P<month>0[1-9]|1[0-2])(?P<day>0[1-9]|[12][0-9]|3[01])"
    r"(?![0-9])"
)
_DITTO_DOTTED = re.compile(r"同(?P<month>[0-9]{1,2})[.．](?P<day>[0-9]{1,2})(?![0-9]|[.．][0-9])")
_RELATIVE = re.compile(
    r"(?P<today>本日|今日|即日)"
    r"|(?P<same_day>同日)"
    r"|(?P<promulgation>公布の日|公布之日|発布の日|发布之日|印发之日|签发之日|公布日)"
    r"|(?P<entry>本(?:公告|通知|決定|决定|弁法|办法|規定|规定|条例)(?:発効|発行|生效|施行)(?:の日|之日))"
    r"|(?P<simultaneous>同時に|同时)(?=[^。]{0,4}(?:廃止|废止))"
)
_URL = re.compile(r"(?:https?://|www\.)[!-~]*")
# After a month: a duration or a counter, not a date (3か月, 12月末 in 毎年12月末まで).
_NOT_A_MONTH_BEFORE = ("毎年", "每年", "か", "ヶ", "カ", "个", "第", "毎", "每")
_BARE_MONTH_FOLLOWERS = (
    "に",
    "、",
    "，",
    "の",
    "から",
    "まで",
    "以降",
    "中",
    "上旬",
    "中旬",
    "下旬",
)


@dataclass(frozen=True)
class DateContext:
    """What a text says about itself: its year and dates (``本日`` = ``document_date``)."""

    year: int | None = None
    own_year: int | None = None  # the year of the document's own date (identity), if known
    document_date: str | None = None
    promulgated: str | None = None
    effective: str | None = None
    lang: str = "ja"
    include_rules: bool = False  # recurring/relative deadlines (毎月10日まで) as records
    dateline_role: str = "promulgated"  # a signature/dateline date: "published" in a commentary


@dataclass(frozen=True)
class DateMatch:
    start: int
    end: int
    iso: str | None
    role: str
    raw: str
    precision: str = "day"
    relative: bool = False
    rule: str | None = None


@dataclass
class _Mention:
    start: int  # squeezed offsets
    end: int
    year: int | None
    month: int | None
    day: int | None
    kind: str  # "full", "dotted", "ditto", "relative:<name>", "rule"
    year_source: str = "written"  # written | ditto | relative | context
    rel_year: str | None = None
    rule: str | None = None
    roles: list[str] = field(default_factory=list)
    iso: str | None = None
    aside: bool = False  # inside parentheses: 輸出管理法（2020年12月1日施行）
    dateline: bool = False  # a news dateline: 新華社北京12月27日電


# A news agency's dateline: place, month and day, then 电/電/讯 (新華社北京12月27日電,
# 本报北京12月27日讯).  It dates the report, not any event the text goes on to list.
_DATELINE_END = re.compile(r"[电電讯訊]")


def _num(text: str | None) -> int | None:
    if text is None:
        return None
    if text == "元":
        return 1
    value = parse_number(text)
    return int(value) if isinstance(value, int) else None


def _year(text: str) -> int | None:
    """A written year: 2025, 二〇二五, or with look-alike zeros (二○○七, 二00二)."""
    if not text[:1].isdigit():
        text = text.translate({ord(c): "〇" for c in _ZERO_LOOKALIKES})
    return _num(text)


def _era_year(era: str, year: int) -> int:
    return {"令和": 2018, "平成": 1988, "昭和": 1925, "民國": 1911, "民国": 1911}[era] + year


def _valid(month: int | None, day: int | None) -> bool:
    return month is not None and 1 <= month <= 12 and (day is None or 1 <= day <= 31)


def _scan(text: str, lang: str) -> list[_Mention]:
    """Every date-like mention in squeezed ``text``, in order, URLs excluded."""
    blocked = [(m.start(), m.end()) for m in _URL.finditer(text)]

    def in_url(pos: int) -> bool:
        return any(a <= pos < b for a, b in blocked)

    found: list[_Mention] = []
    for m in _FULL.finditer(text):
        if in_url(m.start()):
            continue
        month, day = _num(m.group("month")), _num(m.group("day"))
        if not _valid(month, day):
            continue
        year: int | None = None
        source = "context"
        if m.group("year"):
            year, source = _year(m.group("year")), "written"
        elif m.group("era"):
            era_year = _num(m.group("era_year"))
            if era_year is None:
                continue
            year, source = _era_year(m.group("era"), era_year), "written"
        elif m.group("rel_year"):
            source = "relative"
        else:
            before = text[: m.start("month")]
            if before.endswith(_NOT_A_MONTH_BEFORE) or re.search(r"[0-9０-９.．]$", before):
                continue
            if day is None and not text.startswith(_BARE_MONTH_FOLLOWERS, m.end()):
                continue
        if m.group(0).startswith("年"):
            continue  # 毎年… / 2025年 split from its digits: not a date start
        found.append(
            _Mention(m.start(), m.end(), year, month, day, "full", source, m.group("rel_year"))
        )
    for m in _DOTTED.finditer(text):
        month, day = int(m.group("month")), int(m.group("day"))
        if not in_url(m.start()) and _valid(month, day):
            found.append(_Mention(m.start(), m.end(), int(m.group("year")), month, day, "dotted"))
    for m in _COMPACT.finditer(text):
        found.append(
            _Mention(
                m.start("year"),
                m.end(),
                int(m.group("year")),
                int(m.group("month")),
                int(m.group("day")),
                "dotted",
            )
        )
    for m in _DITTO_DOTTED.finditer(text):
        month, day = int(m.group("month")), int(m.group("day"))
        recent_dotted = any(d.kind == "dotted" and 0 <= m.start() - d.end <= 40 for d in found)
        if not in_url(m.start()) and _valid(month, day) and recent_dotted:
            found.append(_Mention(m.start(), m.end(), None, month, day, "ditto", "ditto"))
    for m in _RELATIVE.finditer(text):
        if not in_url(m.start()):
            name = m.lastgroup or "relative"
            found.append(_Mention(m.start(), m.end(), None, None, None, f"relative:{name}"))
    found.sort(key=lambda x: (x.start, -x.end))
    return _drop_overlaps(found)


def _drop_overlaps(mentions: list[_Mention]) -> list[_Mention]:
    kept: list[_Mention] = []
    for mention in mentions:
        if kept and mention.start < kept[-1].end:
            continue
        kept.append(mention)
    return kept


def _resolve(mentions: list[_Mention], context: DateContext) -> None:
    """Fill in years and the dates relative mentions stand for, in text order."""
    year = context.year
    previous: _Mention | None = None
    last_promulgated: str | None = None
    last_effective: str | None = None
    for m in mentions:
        if m.kind.startswith("relative:"):
            name = m.kind.split(":", 1)[1]
            if name == "same_day":
                m.iso = previous.iso if previous else None
            elif name == "today":
                m.iso = (
                    context.document_date
                    or last_promulgated
                    or (previous.iso if previous else None)
                )
            elif name == "promulgation":
                m.iso = context.promulgated or last_promulgated
            else:  # entry into force, 同時に廃止: the instrument's effective date
                m.iso = (
                    context.effective or context.promulgated or last_effective or last_promulgated
                )
        else:
            if m.year_source == "ditto":
                m.year = previous.year if previous and previous.year else year
            elif m.year_source == "relative":
                m.year = _relative_year(m.rel_year, year, previous)
            elif m.year_source == "context" and m.dateline:
                # the report's own year, never a neighbouring date of another event (the
                # adoption line under it); unknown: the date stays partial, not a record
                m.year = context.own_year
            elif m.year_source == "context":
                m.year = (previous.year if previous and previous.year else None) or year
            if m.year is None:
                continue
            m.iso = f"{m.year:04d}-{m.month:02d}" + (f"-{m.day:02d}" if m.day else "")
            previous = m
        if m.iso and len(m.iso) == 10 and not m.aside:
            # an aside about another instrument does not date the one the text is about
            if "promulgated" in m.roles:
                last_promulgated = m.iso
            if "effective" in m.roles:
                last_effective = m.iso


def _relative_year(word: str | None, year: int | None, previous: _Mention | None) -> int | None:
    if word == "同年":
        return previous.year if previous and previous.year else year
    if year is None:
        return None
    offset = {"昨年": -1, "去年": -1, "前年": -1, "翌年": 1, "来年": 1, "明年": 1}.get(
        word or "", 0
    )
    return year + offset


def find_dates(text: str, context: DateContext | None = None) -> list[DateMatch]:
    """Every date mention in ``text`` with its role(s); a mention with two roles gives two."""
    context = context or DateContext()
    squeezed, offsets = squeeze(text)
    mentions = _scan(squeezed, context.lang)
    roles = RoleFinder(
        text,
        squeezed,
        offsets,
        [(m.start, m.end, m.kind) for m in mentions],
        dateline_role=context.dateline_role,
    )
    for i, m in enumerate(mentions):
        m.roles = roles.roles(i)
        m.aside = _in_parentheses(squeezed, m.start)
        m.dateline = m.year_source == "context" and bool(_DATELINE_END.match(squeezed, m.end))
    _resolve(mentions, context)
    out: list[DateMatch] = []
    for m in mentions:
        if m.iso is None and not m.kind.startswith("relative:"):
            continue
        start, end = offsets[m.start], offsets[m.end - 1] + 1
        relative = m.kind.startswith("relative:")
        precision = "month" if (not relative and m.day is None) else "day"
        for role in m.roles:
            out.append(
                DateMatch(
                    start=start,
                    end=end,
                    iso=m.iso,
                    role=role,
                    raw=text[start:end],
                    precision=precision,
                    relative=relative,
                )
            )
    if context.include_rules:
        out.extend(_deadline_rules(text, squeezed, offsets))
    out.sort(key=lambda d: (d.start, d.end))
    return out


def _in_parentheses(squeezed: str, pos: int) -> bool:
    """Whether ``pos`` sits inside an unclosed （ of its sentence."""
    sentence_start = squeezed.rfind("。", 0, pos) + 1
    before = squeezed[sentence_start:pos]
    return before.count("（") + before.count("(") > before.count("）") + before.count(")")


_DEADLINE_RULE = re.compile(
    r"(?:毎月|每月)[0-9０-９一二三四五六七八九十]{1,3}日(?:まで|前|以前)"
    r"|(?:毎年|每年)[0-9０-９一二三四五六七八九十]{1,3}月(?:末|[0-9０-９]{1,2}日)?(?:まで|前|以前)"
    r"|[^。、，,]{0,12}(?:後|后|之日起)[0-9０-９一二三四五六七八九十百]{1,4}(?:営業日|工作日|日|天)(?:以内|内)"
)


def _deadline_rules(text: str, squeezed: str, offsets: list[int]) -> list[DateMatch]:
    """Recurring (毎月10日まで) and relative (輸出後10営業日以内) deadlines, rule as written."""
    out: list[DateMatch] = []
    for m in _DEADLINE_RULE.finditer(squeezed):
        start, end = offsets[m.start()], offsets[m.end() - 1] + 1
        out.append(
            DateMatch(start, end, None, "deadline", text[start:end], relative=True, rule=m.group(0))
        )
    return out


# Documents that comment on instruments rather than being one: their own date is publication.
_PUBLISHED_KINDS = frozenset({"commentary", "explanation", "qa", "guide"})


def _identity_context(
    document: Document, locator: Locator, offset: int, year: int | None
) -> DateContext:
    identity = locator.identity_at(offset)
    promulgated = identity.date("promulgated")
    effective = identity.date("effective")
    own = (
        promulgated
        or identity.date("published")
        or effective
        or next((d.iso for d in identity.dates), None)
    )
    if own is None and identity is not document.identity:
        own = document.identity.date("promulgated") or document.identity.date("published")
    lang = identity.language if identity.language != "und" else document.language
    kind = identity.kind if identity.kind != "other" else document.identity.kind
    return DateContext(
        dateline_role="published" if kind in _PUBLISHED_KINDS else "promulgated",
        year=int(own[:4]) if own else year,
        own_year=int(own[:4]) if own else None,
        document_date=promulgated or own,
        promulgated=promulgated,
        effective=effective,
        lang="ja" if lang == "und" else lang,
    )


def _dominant_year(text: str) -> int | None:
    """The year most explicit dates carry: the fallback when the document states none.

    Only a year that outnumbers every other: an adoption line listing one date per revision
    (1994, 2004, 2016, 2022, 2025, once each) names no year of the document's own."""
    squeezed, _ = squeeze(text)
    years = Counter(m.year for m in _scan(squeezed, "ja") if m.year_source == "written" and m.year)
    ranked = years.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def extract_dates(document: Document, locator: Locator) -> list[DateMention]:
    """Date records for the whole text, footnotes (after ``body_end``) included."""
    text = document.text
    fallback_year = _dominant_year(text)
    cuts = {0, len(text)}
    for sub in document.subdocuments:
        cuts.update((sub.char_span.start, sub.char_span.end))
    records: list[DateMention] = []
    for start, end in itertools.pairwise(sorted(cuts)):
        if start >= end:
            continue
        context = _identity_context(document, locator, start, fallback_year)
        for m in find_dates(text[start:end], context):
            m = replace(m, start=m.start + start, end=m.end + start)
            common = locator.common("date", m.start, m.end)
            if records and records[-1].provenance.char_span.start == m.start:
                # 7月28日公布、施行: one mention, two records; ids must still differ
                common["id"] = f"{common['id']}-{m.role}"
            records.append(
                DateMention(
                    **common,  # type: ignore[arg-type]
                    iso=m.iso,
                    role=m.role,  # type: ignore[arg-type]
                    raw=m.raw,
                    precision=m.precision,  # type: ignore[arg-type]
                    relative=m.relative,
                    rule=m.rule,
                )
            )
    return records
