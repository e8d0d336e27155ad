"""Inline enumerations that define what is controlled: ``A、B、C等`` after a defining word.

Only enumerations introduced by a definition or an example count (``とは``, ``すなわち``,
``例えば``, ``是指``, ``包括``, a short heading and a colon, or a parenthesis in a sentence that
says what something includes): a bare ``A、B、C`` inside a sentence is ordinary prose
(ministries, acts, export modes).  The first item must start right after the defining word and
be a plain noun phrase, which is what separates ``とは、ランタン、セリウム…`` from
``とは、レアアース鉱製品を加工して…``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.extract.itemtext import (
    CATCH_ALL,
    NEGATED_CONTROL,
    clean_item,
    has_particles,
    head_of_tail,
    heading_like,
    item_like,
    squeeze,
    strip_punct,
    tail_of_head,
)

MIN_INLINE_ITEMS = 3
# Who a law applies to, not what it controls: ``经营者，是指…的自然人、法人和非法人组织``,
# ``輸出者とは、個人、法人その他の団体``.  Lists of such actors are not item lists.
_ACTOR = re.compile(
    r"(?:自然人|法人|个人|個人|组织|組織|单位|機関|机构|機構|团体|団体|企业|企業|公民|国民|"
    r"事業者|经营者|経営者|输出者|輸出者)$"
)
_DEFINES = re.compile(
    r"とは[、，]?|是指|系指|指的是|すなわち|即ち|例えば|例如|比如|譬如|例[：:]|(?<!不)包括[：:]?|(?<!不)包含[：:]?"
)
_INCLUDES = re.compile(r"含まれ|を含む|も含む|(?<!不)包括|(?<!不)包含|including|include")
_TERM_PREFIX = re.compile(r"^.*?(?:に(?:いう|言う)|で(?:いう|言う)|所称|所指|における)")
_LEADING_MARK = re.compile(r"^(?:[0-9０-９]{1,3}\s+|[・■□●○◆◇※＊*\uf06c\uf0d8\x00]\s*)+")
_CONNECTOR = re.compile(
    r"^(?:および|及び|並びに|ならびに|または|又は|もしくは|若しくは|以及|及|和|与|或者|或|and|or)\s*"
)
_TAIL_CONNECTOR = re.compile(
    r"(?:および|及び|並びに|ならびに|または|又は|もしくは|若しくは|以及|和|与|或者)"
)
_SENTENCE_END = re.compile(
    r"[。；;]|\n(?=\s*(?:[・■●※＊]|[0-9０-９]+(?:[.．][0-9０-９]+)+))"
    # a numbered definition run into the previous one: ``…ネオジム（Nd）2.4中希土類元素：``
    r"|(?<![0-9０-９.．])(?=[0-9０-９]{1,2}[.．][0-9０-９]{1,2}[^0-9０-９.．%％、。]{1,30}?[：:])"
)
_COLON_HEAD = re.compile(
    r"^(?P<head>[^。、，,]{1,40}?)[：:](?P<rest>(?:[（(][^）)]{0,10}[）)][：:])?)"
)


_OPEN = frozenset("（(「『【《〔［[")
_CLOSE = frozenset("）)」』】》〕］]")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class InlineList:
    start: int
    end: int
    heading: str
    items: list[Span]


def _segments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` cut at 、 (white space around kept inside the pieces)."""
    cuts: list[tuple[int, int]] = []
    pos = start
    depth = 0  # a 、 inside brackets belongs to the parenthetical, not to the list
    for i in range(start, end):
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
        elif ch == "、" and depth == 0:
            cuts.append((pos, i))
            pos = i + 1
    cuts.append((pos, end))
    return cuts


def _locate(text: str, a: int, b: int, item: str) -> Span:
    """The span of ``item`` inside ``text[a:b]`` (items are squeezed, so search char by char)."""
    first = item[0] if item else ""
    i = text.find(first, a, b) if first else a
    if i < 0:
        return Span(a, b, item)
    j, k = i, 0
    while j < b and k < len(item):
        if text[j] == item[k]:
            k += 1
        j += 1
    return Span(i, j, item)


def _enumeration(text: str, start: int, end: int) -> list[Span] | None:
    """The items of an enumeration starting at ``start``, or None if it is not one."""
    segs = _segments(text, start, end)
    if len(segs) < 2:
        return None
    items: list[Span] = []
    modified = 0
    for index, (a, b) in enumerate(segs):
        raw = text[a:b]
        bare = _CONNECTOR.sub("", squeeze(raw))
        last = index == len(segs) - 1
        ends_list = last or bool(re.search(r"等|など|及其", bare))
        if index == 0 and has_particles(bare) and not ends_list:
            return None
        if ends_list:
            pieces = [
                p for p in _TAIL_CONNECTOR.split(re.split(r"等|など|及其", bare)[0]) if p.strip()
            ]
            for p_index, piece in enumerate(pieces):
                item = head_of_tail(piece) if p_index == len(pieces) - 1 else clean_item(piece)
                if item and item_like(item, 30) and not has_particles(item):
                    items.append(_locate(text, a, b, item))
            break
        if has_particles(bare):
            modified += 1
            item = tail_of_head(bare)
        else:
            item = clean_item(bare)
        if not item_like(item, 30):
            return None
        items.append(_locate(text, a, b, item))
    items = [i for i in items if not CATCH_ALL.match(i.text)]
    if len(items) < MIN_INLINE_ITEMS or modified > max(1, len(items) // 4):
        return None
    if sum(1 for i in items if _ACTOR.search(i.text)) * 2 >= len(items):
        return None
    return items


def _term_before(text: str, sentence_start: int, at: int) -> str:
    """The defined term: the phrase between the sentence start and the defining word."""
    term = text[sentence_start:at]
    term = re.split(r"[。；、]|https?://[\x21-\x7e]+|\s[0-9０-９]{1,3}\s", term)[-1]
    term = re.sub(r"^[0-9０-９]{1,3}(?=[^\x00-\x7f0-9０-９．.])", "", term.strip())
    term = _LEADING_MARK.sub("", squeeze(_LEADING_MARK.sub("", term.strip())))
    term = _TERM_PREFIX.sub("", term)
    term = re.sub(r"(?:に|で)?は$", "", term)
    return strip_punct(term)


def _heading(text: str, sentence_start: int, trigger: re.Match[str] | None, list_start: int) -> str:
    sentence = text[sentence_start:list_start]
    colon = _COLON_HEAD.match(_LEADING_MARK.sub("", sentence.strip()))
    if colon and heading_like(colon.group("head")):
        return clean_item(colon.group("head") + re.sub(r"[：:]", "", colon.group("rest")))
    word = trigger.group() if trigger else ""
    if word.startswith(("とは", "是指", "系指", "指的是")):
        return _term_before(text, sentence_start, trigger.start())  # type: ignore[union-attr]
    before = text[sentence_start : trigger.start() if trigger else list_start]
    pieces = [p for p in re.split(r"[、，（(]", before) if p.strip()]
    category = tail_of_head(pieces[-1]) if pieces else ""
    subject = re.split(r"には|とは|は", sentence, maxsplit=1)
    if len(subject) > 1:
        term = _term_before(text, sentence_start, sentence_start + len(subject[0]))
        rest = text[list_start : list_start + 200]
        if re.search(r"含まれ", rest) and category:
            return f"{term}に含まれる{category}"
        return term
    return category


def find_inline_lists(text: str, start: int = 0, end: int | None = None) -> list[InlineList]:
    """Defining enumerations in ``text[start:end]`` (one unit or paragraph)."""
    end = len(text) if end is None else end
    found: list[InlineList] = []
    sentence_start = start
    bounds = [m.end() for m in _SENTENCE_END.finditer(text, start, end)]
    for sentence_end in [*bounds, end]:
        found.extend(_in_sentence(text, sentence_start, sentence_end))
        sentence_start = sentence_end
    return found


def _in_sentence(text: str, start: int, end: int) -> list[InlineList]:
    sentence = text[start:end]
    if NEGATED_CONTROL.search(sentence) or "、" not in sentence:
        return []
    openings: list[tuple[int, re.Match[str] | None, int]] = []  # (list start, trigger, limit)
    lead = (
        len(sentence)
        - len(_LEADING_MARK.sub("", sentence.lstrip()))
        + (len(sentence) - len(sentence.lstrip()))
    )
    colon = _COLON_HEAD.match(sentence[lead:])
    if colon and heading_like(colon.group("head")):
        openings.append((start + lead + colon.end(), None, end))
    for trig in _DEFINES.finditer(text, start, end):
        openings.append((trig.end(), trig, end))
    if _INCLUDES.search(sentence):
        for paren in re.finditer(r"[（(]([^（）()]*、[^（）()]*)[）)]", sentence):
            openings.append((start + paren.start(1), None, start + paren.end(1)))
    results: list[InlineList] = []
    taken_until = -1
    for list_start, trigger, limit in sorted(openings, key=lambda o: o[0]):
        if list_start < taken_until:
            continue
        items = _enumeration(text, list_start, limit)
        if not items:
            continue
        heading = _heading(text, start, trigger, list_start)
        results.append(InlineList(items[0].start, items[-1].end, heading, items))
        taken_until = items[-1].end
    return results
