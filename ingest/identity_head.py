"""Reading the front matter of one (sub-)document: title, numbers, dates, issuers.

A document's head is the run of blocks before its body starts: the title, subtitle dashes,
a bracketed promulgation clause ``（2025年7月28日…令第71号公布…）``, 【field】 lines of a
MOFCOM page, a revision stamp, an author line.  The body starts at the first article, Q&A
or prose paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.identity_fields import (
    DATE_PATTERN,
    ERA_DATE,
    HAN,
    DocNumber,
    dates_in_clause,
    era_iso,
    find_numbers,
    iso_date,
    official_issuer,
    revision_stamp,
    split_issuers,
    squeeze,
)
from models.document import IdentityDate

_ARTICLE_START = re.compile(
    r"^\s*(?:第[0-9一二三四五六七八九十百〇]+[条條章節节編编部]|第[一二三四五六七八九十]+部分"
    r"|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|[0-9０-９]+[．.、]\s*\S"
    r"|質問|回答|问：|答：|問：|説明[：:]|说明[：:]|注[：:])"
)
_FIELD_LINE = re.compile(r"^\s*[【\[]\s*(?P<name>[^】\]]{1,12})\s*[】\]]\s*(?P<value>.*)$")
_NUMBER_FIELDS = ("文書番号", "文号", "发文字号", "發文字號", "文書号", "番号", "Document No")
_DATE_FIELDS = ("期日", "日期", "日付", "成文", "発布日", "公布日")
_TITLE_FIELDS = ("原題", "原题", "原文", "原标题", "中国語", "中文")
_ISSUER_FIELDS = ("団体", "机构", "機関", "发布", "発布機関")
TRANSLATION_MARKER = re.compile(
    r"^\s*※?\s*[【\[（(]?\s*(?P<translator>[A-Za-z]+\s*)?(?:仮訳|仮翻訳|参考訳|試訳|翻訳|译文|機械翻訳|Translation)"
    r"\s*[】\]）)]?\s*$"
)
_SUBTITLE = re.compile(r"^\s*[―—－─‐\-~～・■●◆※]")
_AUTHOR = re.compile(
    r"^\s*(?P<org>[A-Za-z][A-Za-z&.\- ]{1,30}?|[^\s]{2,20}?)\s*(?:事務局|事务局|編集部)\s*$"
)
# A research body signing a paper: a legal-entity form before its name, or a research
# department after it (一般財団法人 安全保障貿易情報センター 調査研究部).
_ENTITY_FORM = r"(?:一般|公益)?(?:財団|社団)法人|独立行政法人|株式会社|有限会社|弁護士法人"
_RESEARCH_UNIT = r"(?:調査研究部|調査部|研究部|研究所|研究室|調査室|総合研究所|编辑部|研究院)"
_BODY_AUTHOR = re.compile(
    rf"^\s*(?P<form>{_ENTITY_FORM})?[\s\u3000]*(?P<org>[^\s\u3000。、，]{{2,30}}?)"
    rf"(?:[\s\u3000]*(?P<unit>{_RESEARCH_UNIT}))?\s*$"
)
# Research bodies better known by their acronym than their Japanese name.
_ACRONYMS = {
    "安全保障貿易情報センター": "CISTEC",
    "日本貿易振興機構": "JETRO",
    "日本機械輸出組合": "JMC",
}
_TRAILING_MARKER = re.compile(r"(?<=[^\s0-9０-９年月日第])\s*(?P<n>[0-9]{1,2})\s*$")
_SENTENCE = re.compile(r"[。．]\s*$|[。]")
_TRAILING_CLAUSE = re.compile(
    r"[（(]\s*(?:[0-9０-９]{4}|[〇零一二三四五六七八九○]{4})\s*年[^（）()]*[）)]$"
)
_TRAILING_LABEL = re.compile(r"(?<=[》」\w])(?:説明|说明|注|備考|备注|目次|目录)[：:]$")
# A wrapped title fills its line; a short line is complete.
_WRAPPED_TITLE_LENGTH = 28


@dataclass
class Head:
    """What the front matter of one document says about it."""

    title: str | None = None
    title_block: int | None = None
    title_original: str | None = None
    heading_numbers: list[DocNumber] = field(default_factory=list)
    issuing_numbers: list[DocNumber] = field(default_factory=list)
    clause_numbers: list[DocNumber] = field(default_factory=list)
    clause_issuers: list[str] = field(default_factory=list)
    field_issuers: list[str] = field(default_factory=list)
    author: str | None = None
    office_issuers: list[str] = field(default_factory=list)  # 国税庁長官 → 国税庁
    dates: list[IdentityDate] = field(default_factory=list)
    marker_blocks: list[int] = field(default_factory=list)
    end: int = 0  # index (in the given list) of the first body block


def strip_marker(text: str) -> tuple[str, int | None]:
    """A heading without a trailing footnote marker (``…暫定弁法 20`` → ``…暫定弁法``, 20)."""
    m = _TRAILING_MARKER.search(text)
    if m is None:
        return text.strip(), None
    return text[: m.start()].strip(), int(m.group("n"))


def is_body_start(text: str) -> bool:
    """An article, a Q&A item, a numbered point or a prose paragraph."""
    stripped = text.strip()
    if _ARTICLE_START.match(stripped):
        return True
    stripped = _TRAILING_CLAUSE.sub("", stripped)
    return len(stripped) > 45 and bool(_SENTENCE.search(stripped)) and not _is_clause(stripped)


def _is_clause(text: str) -> bool:
    """A bracketed front-matter clause, or a bare adoption line (2007年8月30日…会议通过)."""
    stripped = text.strip()
    if stripped.startswith(("（", "(")):
        return True
    return bool(DATE_PATTERN.match(stripped)) and "。" not in stripped.rstrip("。")


def is_date_only(text: str) -> bool:
    """A dateline: ``2024年10月15日``, ``令和6年3月15日``."""
    line = squeeze(text)
    return DATE_PATTERN.fullmatch(line) is not None or ERA_DATE.fullmatch(line) is not None


def _is_addressee(text: str) -> bool:
    """A circular's addressee line: ``各地方経済産業局長 殿``, ``国税局長殿``."""
    line = squeeze(text)
    return len(line) <= 30 and line.endswith(("殿", "様", "各位"))


def _balance(text: str) -> int:
    return sum(text.count(c) for c in "（(") - sum(text.count(c) for c in "）)")


def read_head(texts: list[str], max_blocks: int = 14) -> Head:
    """Parse the front matter at the start of ``texts`` (a document's blocks, in order)."""
    head = Head()
    index = 0
    limit = min(len(texts), max_blocks)
    in_subtitle = False
    while index < limit:
        text = texts[index].strip()
        if not text:
            index += 1
            continue
        wrapped_subtitle = in_subtitle and len(texts[index - 1].strip()) >= _WRAPPED_TITLE_LENGTH
        in_subtitle = False
        if wrapped_subtitle and not is_body_start(text) and not revision_stamp(text):
            in_subtitle = True
            index += 1
            continue
        if TRANSLATION_MARKER.match(text):
            head.marker_blocks.append(index)
            index += 1
            continue
        field_match = _FIELD_LINE.match(text)
        if field_match:
            _read_field(head, field_match.group("name"), field_match.group("value"))
            index += 1
            continue
        if head.title is not None and is_date_only(text) and _next_to_author(texts, index):
            head.dates.extend(_dated(text, "published"))
            index += 1
            continue
        if _is_clause(text) and (head.title is not None or DATE_PATTERN.match(text.lstrip("（( "))):
            clause = text
            while _balance(clause) > 0 and index + 1 < len(texts):
                index += 1
                clause += texts[index].strip()
            while (
                index + 1 < limit
                and _balance(clause) == 0
                and not clause.rstrip().endswith(("）", ")"))
                and texts[index + 1].strip()
                and not is_body_start(texts[index + 1])
                and not _is_clause(texts[index + 1])
                and not _FIELD_LINE.match(texts[index + 1])
                and _balance(texts[index + 1]) < 0
            ):
                index += 1
                clause += texts[index].strip()
            _read_clause(head, clause)
            index += 1
            continue
        stamp = revision_stamp(text) if len(text) <= 40 else []
        if stamp and head.title is not None:
            head.dates.extend(stamp)
            index += 1
            continue
        author = author_name(text)
        if author and head.title is not None:
            head.author = author
            index += 1
            continue
        if head.title is None and is_date_only(text):
            head.dates.extend(_dated(text, "promulgated"))
            index += 1
            continue
        office = official_issuer(text) if len(text) <= 30 else None
        if office or _is_addressee(text):
            head.office_issuers.extend([office] if office else [])
            index += 1
            continue
        if head.title is not None and (_SUBTITLE.match(text) or _is_parenthetical_note(text)):
            in_subtitle = True
            index += 1
            continue
        if is_body_start(text) or (head.title is not None and is_date_only(text)):
            break
        numbers = find_numbers(text)
        if numbers and numbers[0].start <= 2:
            head.heading_numbers.append(numbers[0])
            rest = text[numbers[0].end :].strip()
            if rest and not rest.isdigit() and head.title is None:
                index = _take_title(head, texts, index, rest, limit)
            index += 1
            continue
        if head.title is not None:
            break
        index = _take_title(head, texts, index, text, limit)
        index += 1
    head.end = index
    return head


def author_name(text: str) -> str | None:
    """The organisation signing a line of front matter (``CISTEC 事務局``), by its usual name."""
    m = _AUTHOR.match(text)
    if m is not None:
        return m.group("org").strip()
    m = _BODY_AUTHOR.match(text)
    if m is None or not (m.group("form") or m.group("unit")):
        return None
    org = squeeze(m.group("org"))
    return _ACRONYMS.get(org, org)


def _next_to_author(texts: list[str], index: int) -> bool:
    """A bare date right above or below the author line is the paper's date."""
    near = [texts[i] for i in (index - 1, index + 1) if 0 <= i < len(texts)]
    return any(author_name(t.strip()) for t in near)


def _dated(text: str, role: str) -> list[IdentityDate]:
    era = ERA_DATE.search(text)
    iso_era = era_iso(era.group(0)) if era else None
    if era is not None and iso_era is not None:
        return [IdentityDate(role=role, iso=iso_era, raw=squeeze(era.group(0)))]  # type: ignore[arg-type]
    m = DATE_PATTERN.search(text)
    iso = iso_date(m.group("y"), m.group("m"), m.group("d")) if m else None
    if m is None or iso is None:
        return []
    return [IdentityDate(role=role, iso=iso, raw=squeeze(m.group(0)))]  # type: ignore[arg-type]


def _is_parenthetical_note(text: str) -> bool:
    return text.startswith(("（", "(")) and text.endswith(("）", ")")) and len(text) < 80


def _take_title(head: Head, texts: list[str], index: int, first: str, limit: int) -> int:
    """Set the title from ``first``, joining the next lines while the title was wrapped."""
    title = first
    line = texts[index].strip()
    while (
        len(line) >= _WRAPPED_TITLE_LENGTH
        and index + 1 < limit
        and (following := texts[index + 1].strip())
        and not _SUBTITLE.match(following)
        and not _FIELD_LINE.match(following)
        and not TRANSLATION_MARKER.match(following)
        and not is_body_start(following)
        and not DATE_PATTERN.match(following.lstrip("（( "))
        and not revision_stamp(following)
        and not re.search(r"[。」]$", title)
    ):
        index += 1
        line = following
        title += following
    title = squeeze(strip_marker(title)[0])
    # Layout may glue the promulgation clause or the next label onto the title line.
    clause = _TRAILING_CLAUSE.search(title)
    if clause and clause.start() > 0:
        _read_clause(head, clause.group(0))
        title = title[: clause.start()]
    head.title = _TRAILING_LABEL.sub("", title)
    head.title_block = index
    return index


def _read_field(head: Head, name: str, value: str) -> None:
    if any(word in name for word in _NUMBER_FIELDS):
        head.issuing_numbers.extend(find_numbers(value))
    elif any(word in name for word in _DATE_FIELDS):
        m = DATE_PATTERN.search(value)
        iso = iso_date(m.group("y"), m.group("m"), m.group("d")) if m else None
        if m and iso:
            head.dates.append(IdentityDate(role="promulgated", iso=iso, raw=squeeze(m.group(0))))
    elif any(word in name for word in _TITLE_FIELDS):
        head.title_original = squeeze(value).strip("「」《》")
    elif any(word in name for word in _ISSUER_FIELDS):
        head.field_issuers.extend(split_issuers(re.sub(r"[（(].*", "", value)))


def _read_clause(head: Head, clause: str) -> None:
    """A promulgation clause: its dates, its number, the issuer named after its first date."""
    head.dates.extend(dates_in_clause(clause))
    numbers = find_numbers(clause)
    head.clause_numbers.extend(numbers)
    for number in numbers:
        head.clause_issuers.extend(n for n in number.issuers if n not in head.clause_issuers)
    if not head.clause_issuers:
        date = DATE_PATTERN.search(clause)
        after = clause[date.end() :] if date else clause.lstrip("（(")
        run = re.match(rf"[\s{HAN}、・，,]*", after)
        if run:
            head.clause_issuers.extend(split_issuers(run.group(0)))
