"""Definitions: ``本弁法にいう…とは、…を指す``, ``本法所称…，是指…``, ``「…」とは…をいう``,
and definition lists (``一　法令　法律…をいう。``, ``（一）两用物项，是指…``).

A definition is one sentence: it starts at a sentence start (line start, after 。 or ：, or
after a ``本…にいう`` / ``本…所称`` lead) and ends at its full stop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.extract.base import Locator
from models.document import Document
from models.records import Definition

_SCOPE = (
    r"(?:本|同)(?:弁法|办法|辦法|法律|法|条例|規定|规定|規則|规则|公告|決定|决定|措置|通知"
    r"|告知書|ガイド)"
)
_JA_LEAD = (
    rf"(?:(?:{_SCOPE}|この(?:法律|政令|省令|命令|規則|条|章|節|款|項|号)(?:及び[^、。「\n]{{1,30}})?)"
    r"(?:において|における|に(?:いう|言う)|で(?:いう|言う)|の)?)"
)
_TERM = (
    r"(?:「[^」\n]{1,40}」|『[^』\n]{1,40}』|“[^”\n]{1,40}”(?:[^、。，\n「“]{0,12})"
    r"|[^、。，：:\n「“・■【]{1,40}?)"
)

# A definition may open an article or provision: 第二条 本弁法にいう…, 二、本公告に言う…
_LABEL = (
    r"(?:第[^条\n。]{1,8}条[ \u3000]+|[一二三四五六七八九十]{1,3}[、\u3000]"
    r"|[0-9０-９]{1,2}[ \u3000]|[（(][一二三四五六七八九十]{1,3}[）)])?"
)

_JAPANESE = re.compile(
    rf"(?:^|(?<=[。：:\n]))[ \u3000・]*{_LABEL}[ \u3000]*"
    rf"(?P<lead>{_JA_LEAD})?(?P<term>{_TERM})とは[、，]?"
    r"(?P<definition>[^。\n]{2,400}?"
    r"(?:を指す|をいう|を意味する|のことをいう|という|が含まれる|を含む)[^。\n]{0,40}?)。"
)
_CHINESE = re.compile(
    rf"(?:^|(?<=[。；：:\n]))[ \u3000]*{_LABEL}[ \u3000]*(?P<lead>{_SCOPE}(?:所称|所指|中))"
    r"(?P<term>[^，,。；\n]{1,40}?)[，,]?"
    rf"(?:是指|系指|指)(?P<definition>[^。\n]{{2,400}}?)。"
)
# A statute's definition list: each 号 is ``label　term　definition`` (e-Gov writes the two
# boundaries as U+3000: ``一　法令　法律、法律に基づく命令…をいう。``).  The term is what stands
# between the two spaces; the definition ends in a defining verb.
_JA_ITEM = re.compile(
    r"(?:^|(?<=\n))[ \u3000]*(?:[一二三四五六七八九十]{1,4}(?:の[一二三四五六七八九十]{1,3})*"
    r"|[イロハニホヘトチリヌルヲワカヨタレソツネナラム])\u3000+"
    r"(?P<term>「[^」\n]{1,40}」|[^\u3000 、。，：:\n（(「]{1,40})\u3000+"
    r"(?P<definition>[^\n]{2,400}(?:をいう|を指す|を意味する|をいい、[^\n]{0,300}))。"
    r"[ \u3000]*(?=\n|$)"  # the item's own full stop, not one inside （…を含む。）
)
# A Chinese definition list: ``（一）两用物项，是指…`` under 下列用语的含义.
_ZH_ITEM = re.compile(
    r"(?:^|(?<=[\n：:]))[ \u3000]*"
    r"(?:[（(][一二三四五六七八九十]{1,3}[）)]|[一二三四五六七八九十]{1,3}、)"
    r"[ \u3000]*(?P<term>[^，,。；：:\n（(]{1,30}?)[，,：:]?(?:是指|系指)"
    r"(?P<definition>[^。\n]{2,400}?)。"
)
_SENTENCE_WORDS = re.compile(r"[はがをにで]$")


@dataclass(frozen=True)
class DefinitionMatch:
    start: int
    end: int
    term: str
    definition: str


def _clean_term(term: str) -> str:
    term = term.strip(" \u3000・")
    return term.strip("「」『』“”") if term[:1] in "「『“" and term[-1:] in "」』”" else term


def find_definitions(text: str) -> list[DefinitionMatch]:
    found: list[DefinitionMatch] = []
    for pattern in (_JAPANESE, _CHINESE, _JA_ITEM, _ZH_ITEM):
        for m in pattern.finditer(text):
            term = _clean_term(m.group("term"))
            if not term or _SENTENCE_WORDS.search(term) or len(term) > 40:
                continue
            lead = m.groupdict().get("lead")
            start = m.start("lead") if lead else m.start("term")
            while start < m.end() and text[start] in " \u3000・":
                start += 1
            found.append(DefinitionMatch(start, m.end(), term, m.group("definition").strip()))
    found.sort(key=lambda d: d.start)
    unique: list[DefinitionMatch] = []
    for match in found:
        if unique and match.start < unique[-1].end:
            continue
        unique.append(match)
    return unique


def extract_definitions(document: Document, locator: Locator) -> list[Definition]:
    return [
        Definition(
            **locator.common("definition", m.start, m.end),  # type: ignore[arg-type]
            term=m.term,
            definition=m.definition,
        )
        for m in find_definitions(document.text)
    ]
