"""What a question says about versions: the year it names, which side of an amendment it asks
about, and whether it asks what changed.

    "in the 2020 text", "2020年文", "平成二十七年時点"      → year 2020/2015, relation "in"
    "before the 2023 amendment", "改正前", "修正前", "旧法"   → relation "before"
    "as amended in 2023", "令和五年改正後", "修正后"          → relation "after"
    "which articles were added / deleted / changed",
    "新增 / 删除 / 修改", "追加 / 削除 / 変更"              → change "added" / "removed" / "changed"

Cues are read as classes of words (years, era years, amendment words, before/after words,
change verbs) in English, Chinese and Japanese, never as whole phrasings.  ``select_versions``
turns a cue into the versions of each document to search: a year picks the version whose legal
date matches (the text in force in that year, the one an amendment of that year made, or the
one before it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ingest.numbers import parse_number

Relation = Literal["in", "before", "after"]
Change = Literal["added", "removed", "changed"]

# A calendar year; not the year of a notice's number (公告2023年第39号, "No. 39 of 2023").
_YEAR = re.compile(r"(?<![0-9０-９])((?:19|20)[0-9]{2})(?![0-9０-９])(?!\s*年\s*第)(?!\s*No\b)")
_ERA = re.compile(
    r"(令和|平成|昭和)\s*(元|[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})\s*年(?!\s*第)"
)
_ERA_BASE = {"令和": 2018, "平成": 1988, "昭和": 1925}
_OF_NUMBER = re.compile(r"\bNo\.?\s*\d+\s+of\s+$", re.I)

_EN = re.I
_AMENDMENT = re.compile(
    r"\bamend(?:ed|ment|ments|ing)?\b|\brevis(?:ed|ion)\b|改正|修正|修订|修訂|改訂", _EN
)
# Words that name a side of an amendment by themselves (改正前, the old text) ...
_BEFORE = re.compile(
    r"\bold\s+(?:text|version|law)\b|\boriginal\s+(?:text|version)\b|\bpre-?amendment\b"
    r"|\bprevious\s+(?:text|version)\b|改正前|修正前|修订前|改訂前|旧(?:法|条文|版|規定|规定)",
    _EN,
)
_AFTER = re.compile(
    r"\bas\s+amended\b|\bamended\s+(?:in|by)\b|\bnew\s+(?:text|version)\b"
    r"|改正後|改正后|修正后|修正後|修订后|改訂後|新(?:法|条文|版)",
    _EN,
)
# ... and words that do only next to a year or an amendment word: "report before export"
# is about time, not versions.
_WEAK_BEFORE = re.compile(r"\bbefore\b|\bprior\s+to\b|\bprevious\b|以前|之前|より前", _EN)
_WEAK_AFTER = re.compile(r"\bafter\b|\bsince\b|以後|以后|之后|より後", _EN)
_IN = re.compile(
    r"\bin\s+force\s+in\b|\b(?:text|version)\s+of\b|\b(?:19|20)\d\d\s+(?:text|version)\b"
    r"|年(?:文|版|の条文|的条文|文本)|時点|时点",
    _EN,
)
_CHANGES: tuple[tuple[Change, re.Pattern[str]], ...] = (
    (
        "removed",
        re.compile(
            r"\bdelet(?:e|ed|es|ion)\b|\bremov(?:e|ed|al)\b|\brepeal(?:ed)?\b|\bdropped\b"
            r"|删除|删去|刪除|削除|廃止|废止|削られ",
            _EN,
        ),
    ),
    (
        "added",
        re.compile(
            r"\badd(?:ed|s|ing)?\b|\binsert(?:ed|s)?\b|\bintroduc(?:ed|es)\b"
            r"|\bnew(?:ly)?\s+(?:article|provision|paragraph)s?\b"
            r"|新增|增加|增设|增設|追加|新設|新设|新たに|加えられ|加わ",
            _EN,
        ),
    ),
    (
        "changed",
        re.compile(
            r"\bchang(?:e|ed|es)\b|\bmodif(?:y|ied|ication)\b|\bdiffer(?:s|ence|ences)?\b"
            r"|修改|变更|變更|変更|改め|変わ|变化|改变",
            _EN,
        ),
    ),
)
_BETWEEN = re.compile(r"\bbetween\b|\bcompared\b|\bvs\.?\b|から.{0,20}まで|之间|の間", _EN)


@dataclass(frozen=True)
class VersionCue:
    """What a question says about versions; ``None`` from ``parse_version_cue`` if nothing."""

    years: tuple[int, ...] = ()
    relation: Relation | None = None
    change: Change | None = None
    amendment: bool = False
    between: bool = False

    @property
    def asks_change(self) -> bool:
        """About a change between versions: a change word, an amendment, or two versions."""
        return bool(self.change or self.amendment or (self.between and len(self.years) > 1))


def _era_year(era: str, number: str) -> int | None:
    value = 1 if number == "元" else parse_number(number)
    return None if value is None else _ERA_BASE[era] + int(value)


def _years(text: str) -> tuple[int, ...]:
    found: list[tuple[int, int]] = []
    for m in _YEAR.finditer(text):
        if not _OF_NUMBER.search(text[: m.start()]):  # "No. 58 of 2025" numbers a notice
            found.append((m.start(), int(m.group(1))))
    for m in _ERA.finditer(text):
        year = _era_year(m.group(1), m.group(2))
        if year is not None:
            found.append((m.start(), year))
    return tuple(dict.fromkeys(year for _, year in sorted(found)))


def parse_version_cue(text: str) -> VersionCue | None:
    """The question's version cue, or None when it names no year, amendment or change."""
    years = _years(text)
    change = next((name for name, pattern in _CHANGES if pattern.search(text)), None)
    amendment = bool(_AMENDMENT.search(text))
    anchored = bool(years) or amendment
    relation: Relation | None = None
    if _BEFORE.search(text) or (anchored and _WEAK_BEFORE.search(text)):
        relation = "before"
    elif _IN.search(text):
        relation = "in"
    elif _AFTER.search(text) or (anchored and _WEAK_AFTER.search(text)) or amendment:
        relation = "after"
    elif years:
        relation = "in"
    if not (years or change or amendment or relation):
        return None
    return VersionCue(years, relation, change, amendment, bool(_BETWEEN.search(text)))


def select_version(cue: VersionCue, dated: list[tuple[int, int | None]]) -> set[int]:
    """The versions of one document to search, from its (version, year) list, oldest first.

    A year and "in": the latest version dated in or before it (the text in force then);
    "after" the year's amendment: the first version dated in or after it; "before" it: the
    latest dated earlier.  Two years ("between 2015 and 2023"): each year's version.  No
    year: "before" is the version before the latest, otherwise the latest.  A version
    without a date never matches a year; no match keeps the latest.
    """
    versions = [v for v, _ in dated]
    latest = {versions[-1]}
    if not cue.years:
        return {versions[-2]} if cue.relation == "before" and len(versions) > 1 else latest
    chosen: set[int] = set()
    for year in cue.years if len(cue.years) > 1 else cue.years[:1]:
        relation = "in" if len(cue.years) > 1 and cue.relation == "before" else cue.relation
        chosen |= _for_year(dated, year, relation or "in")
    return chosen or latest


def _for_year(dated: list[tuple[int, int | None]], year: int, relation: Relation) -> set[int]:
    known = [(v, y) for v, y in dated if y is not None]
    if relation == "after":
        later = [v for v, y in known if y >= year]
        return {later[0]} if later else set()
    if relation == "before":
        earlier = [v for v, y in known if y < year]
        return {earlier[-1]} if earlier else set()
    in_force = [v for v, y in known if y <= year]
    return {in_force[-1]} if in_force else set()
