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
    r"(?:本|同)(?:弁法|办法|辦法|法律|法|条例|條例|規定|规定|規則|规则|公告|決定|决定|措置|通知"
    r"|告知書|ガイド)"
)
_JA_LEAD = (
    rf"(?:(?:{_SCOPE}|この(?:法律|政令|省令|命令|規則|条|章|節|款|項|号)(?:及び[^、。「\n]{{1,30}})?)"
    r"(?:において|における|に(?:いう|言う)|で(?:いう|言う)|の)?)"
)
# One character of a sentence before its full stop: a bracket is read whole, so the 。 of a
# bracketed aside (（昭和55年政令第260号。以下「外為令」という。）) does not end the sentence.
_UNTIL_STOP = r"(?:[（(][^（）()\n]{0,200}[）)]|[^。\n])"
_TERM = (
    r"(?:「[^」\n]{1,40}」|『[^』\n]{1,40}』|“[^”\n]{1,40}”(?:[^、。，\n「“]{0,12})"
    r"|[^、。，：:\n「“・■【]{1,40}?)"
)

# A definition may open an article or provision: 第二条 本弁法にいう…, 二、本公告に言う…
_LABEL = (
    r"(?:第[^条\n。]{1,8}条[ \u3000]*|[一二三四五六七八九十]{1,3}[、\u3000]"
    # (1), (イ), (ア): a circular's or a company rule's items (unseen5)
    r"|[0-9０-９]{1,2}[ \u3000]|[（(](?:[一二三四五六七八九十]{1,3}|[0-9０-９]{1,2}|[ア-ン])[）)])?"
)

_JAPANESE = re.compile(
    rf"(?:^|(?<=[。：:\n]))[ \u3000・]*{_LABEL}[ \u3000]*"
    rf"(?P<lead>{_JA_LEAD})?(?P<term>{_TERM})とは[、，]?"
    rf"(?P<definition>{_UNTIL_STOP}{{2,400}}?"
    r"(?:(?:を指す|をいう|を意味する|のことをいう|という|が含まれる|を含む)[^。\n]{0,40}?"
    # …を指し、…を含み、…措置をとる。: the defining verb in the connective form, then more
    rf"|(?:を指し|をいい|を意味し)、{_UNTIL_STOP}{{0,300}}?))。"
)
# The scope may be the neighbouring provision (前款所称计征汇率，是指…; 前款所称管制物项，包括…);
# ``包括`` defines by extension (本公告所称出口经营者，包括…).
_ZH_SCOPE = rf"(?:{_SCOPE}|前(?:[两二三]?款|条|项)|本(?:条|款|项|章|节))"
_CHINESE = re.compile(
    rf"(?:^|(?<=[。；：:\n]))[ \u3000]*{_LABEL}[ \u3000]*(?P<lead>{_ZH_SCOPE}(?:所称|所稱|所指|中))"
    r"(?P<term>[^，,。；\n]{1,40}?)[，,]?"
    # 係指: Traditional script (also read through the Simplified view, ingest.extract.script_view)
    rf"(?:是指|系指|係指|指|包括)(?P<definition>{_UNTIL_STOP}{{2,400}}?)。"
)
# A term defined at a sentence start with no scope before it: 商用密码，是指采用特定变换的方法…。
_ZH_BARE = re.compile(
    r"(?:^|(?<=[。；\n]))[ \u3000]*(?P<term>[^，,。；;：:\n（(“”「」这那其它此]{2,15})[，,]"
    rf"(?:是指|系指|係指)(?P<definition>{_UNTIL_STOP}{{2,400}}?)。"
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
    r"[ \u3000]*(?P<term>[^，,。；：:\n（(]{1,30}?)[，,：:]?(?:是指|系指|係指)"
    r"(?P<definition>[^。\n]{2,400}?)。"
)
# A short name defined in passing: 外国為替及び外国貿易法（…。以下「法」という。）,
# 商务部（以下简称“商务部”）: the term is the short name, the definition the phrase before the
# bracket (back to the clause start).
# The short name may be scoped, after 以下 or alone (以下この項及び次項において「特定技術」
# という, 第三号及び第四号において「X」という), and quoted with 《》 (以下简称《管制清单》).
_SCOPE_IN = r"[^「“『《\"（）()。\n]{1,40}?において"
_CALLED = r"という|と言う|と称する|と略称する|と略す|と呼ぶ"
_ABBREVIATION = re.compile(
    r"(?P<definition>[^、。，,；;：:\n（(「“]{2,80})[（(][^（）()]{0,60}?"
    rf"(?:(?:以下|下称|下稱)(?:{_SCOPE_IN})?|{_SCOPE_IN})(?:简称|簡稱|称|稱)?[ \u3000]*"
    rf"[「“『《\"](?P<term>[^」”』》\"\n]{{1,30}})[」”』》\"](?:{_CALLED})?[。．]?[）)]"
)
# A short name without quotes runs to the closing bracket or a comma: （以下简称工作机制）,
# （以下簡稱工作機制）, （以下简称发证机构，名单见附件）; in Japanese up to its verb:
# （以下では規制品目と略す）.
_BARE_ABBREVIATION = re.compile(
    r"(?P<definition>[^、。，,；;：:\n（(「“]{2,80})[（(](?:以下)?(?:简称|簡稱|下称|下稱)[ \u3000]*"
    r"(?P<term>[^（）()「」“”『』《》\"，,。；;\n]{1,20})(?:[，,；;][^（）()\n]{0,40})?[）)]"
)
_BARE_JA_ABBREVIATION = re.compile(
    r"(?P<definition>[^、。，,；;：:\n（(「“]{2,80})[（(]以下(?:では|、)?"
    rf"(?P<term>[^（）()「」“”『』《》\"、，,。\n]{{1,20}}?)(?:{_CALLED})[。]?[）)]"
)
# e-Gov's inline definition: the term, then in brackets what it means
# (輸出者等（法第五十五条の十第一項の輸出者等をいう。次号において同じ。）).  The term is the
# run of kanji and katakana before the bracket: 従事する者（…をいう。） names no term.
_INLINE_JA = re.compile(
    r"(?P<term>[\u4e00-\u9fff\u30a0-\u30ffー々〆]{2,20})[（(]"
    r"(?P<definition>(?:[（(][^（）()\n]{0,200}[）)]|[^（）()\n。]){2,300}?(?:をいう|を指す))。"
    r"(?:[^（）()\n]{0,40}?同じ。)?[）)]"
)
_SENTENCES = (_JAPANESE, _CHINESE, _JA_ITEM, _ZH_ITEM, _ZH_BARE)
_SHORT_NAMES = (_ABBREVIATION, _BARE_ABBREVIATION, _BARE_JA_ABBREVIATION)
# 是指本条例附件《…清单》（以下简称…）, を特定の外国（以下…「特定国」という。）
# （…）の対象となる…: a bracket closed before the phrase is the end of an earlier aside.
_PHRASE_OPENER = re.compile(
    r"^[）)]*(?:是指|系指|係指|即|指|[をにがはでとものへ](?=[^\u3040-\u309f]))?"
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
    quoted = term[:1] in "「『“《" and term[-1:] in "」』”》"
    return term.strip("「」『』“”《》") if quoted else term


def find_definitions(text: str) -> list[DefinitionMatch]:
    found: list[DefinitionMatch] = []
    for pattern in (*_SENTENCES, *_SHORT_NAMES, _INLINE_JA):
        for m in pattern.finditer(text):
            term = _clean_term(m.group("term"))
            if not term or _SENTENCE_WORDS.search(term) or len(term) > 40:
                continue
            if pattern is _ZH_BARE and any(d.start < m.end() and m.start() < d.end for d in found):
                continue  # a scoped definition (本法所称X，是指…) read by its own pattern
            definition = m.group("definition")
            if pattern in _SHORT_NAMES:
                # the defined phrase runs back to a clause start: a defining verb or a case
                # particle there belongs to the sentence, not the phrase
                definition = _PHRASE_OPENER.sub("", definition, count=1)
            # the mention starts at its lead, term or (a short name's) defined phrase
            start = min(m.start(g) for g, v in m.groupdict().items() if v is not None)
            if pattern in _SHORT_NAMES:
                start = m.end("definition") - len(definition)
            while start < m.end() and text[start] in " \u3000・":
                start += 1
            found.append(DefinitionMatch(start, m.end(), term, definition.strip()))
    found.sort(key=lambda d: d.start)
    unique: list[DefinitionMatch] = []
    for match in found:
        # two patterns reading one definition give one; a short name defined inside another
        # definition (…（以下「X」という。）…をいう。) is a definition of its own
        if any(
            match.start < u.end and u.start < match.end and u.term == match.term
            for u in unique[-3:]
        ):
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
