"""Provision lists: the numbered sub-divisions a law or notice is built from.

A statute is a tree of labelled lines: 条 → 項 (２, ３) → 号 (一, 二) → イ, ロ → (1), (2); a
Chinese law 条 → 款 → 项 （一）; a MOFCOM control-list notice 一、 → (一) → 1. → a.  Each
label opens a line (the layout starts a block there), so the tree is read from the blocks:

* a label whose ordinal is 1 and whose family is not open yet opens a level under the
  current item; a label of an open family with the next ordinal is a sibling there
  (closing the levels below it); anything else is not a label here;
* a 項 number (``２　``), an article label, a chapter or section heading or a 別表 closes
  every open level; an unlabelled block closes all but the outermost (a clause may run to
  several paragraphs); either is the lead-in of what follows;
* every run of two or more siblings is one list, whatever its items say (sentences
  included: in a statute a 号 is an item because of where it stands, not what it reads
  like).  Its heading is the parent item's line, or the lead-in paragraph for a top level.

The finder works on (text, start) units so tests drive it with plain lines; the document
adapter feeds it the body blocks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ingest.extract.codes import find_codes
from ingest.numbers import parse_number

_KANJI = "一二三四五六七八九十百"
_IROHA = (
    "イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセス"
)
_AIUEO = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"
_ROMAN = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_SEP = "\u3000"

# (family, label pattern) tried in this order at the start of a unit.
FAMILIES: list[tuple[str, re.Pattern[str]]] = [
    ("cn_paren_fw", re.compile(rf"（(?P<n>[{_KANJI}]{{1,3}})）")),
    ("cn_paren_hw", re.compile(rf"\((?P<n>[{_KANJI}]{{1,3}})\)")),
    ("cn_dun", re.compile(rf"(?P<n>[{_KANJI}]{{1,3}})、")),
    ("arabic_paren", re.compile(r"[（(](?P<n>[0-9]{1,2})[)）]")),
    ("arabic_dot", re.compile(r"(?P<n>[0-9]{1,2})[.．](?![0-9])")),
    ("latin_dot", re.compile(r"(?P<n>[a-z])[.．](?![a-z0-9])")),
    # 号 一　; a branch 号 inserted by an amendment: 六十三の三　(sits after 六十三)
    (
        "kanji_item",
        re.compile(rf"(?P<n>[{_KANJI}]{{1,4}})(?P<branch>(?:の[{_KANJI}]{{1,3}})*)(?={_SEP})"),
    ),
    ("kana", re.compile(rf"(?P<n>[{_IROHA}])(?={_SEP})")),
    # a 別表's rows (外国為替令別表, 輸出貿易管理令別表第一): 1の項, 3の2の項 after 3の項
    (
        "kou",
        re.compile(
            rf"(?P<n>[0-9]{{1,2}}|[{_KANJI}]{{1,3}})(?P<branch>(?:の(?:[0-9]{{1,2}}|[{_KANJI}]{{1,3}}))*)"
            rf"の項(?={_SEP})"
        ),
    ),
    # A circular's (通達, 要領) outline: 1　/ (1) / ア　, under Roman Ⅰ; ① inside a clause.
    ("kana_aiueo", re.compile(rf"(?P<n>[{_AIUEO}])(?={_SEP})")),
    ("arabic_space", re.compile(rf"(?P<n>[0-9]{{1,2}})(?={_SEP})")),
    ("roman", re.compile(rf"(?P<n>[{_ROMAN}])[{_SEP} .．、]?")),
    ("circled", re.compile(rf"(?P<n>[{_CIRCLED}])")),
]
# Units that close every open level and become the lead-in of what follows.
_PARAGRAPH = re.compile(rf"^[0-9]{{1,3}}{_SEP}")  # 項 ２
_ARTICLE = re.compile(rf"^第[{_KANJI}千〇零0-9]+[条條](?:[之の][{_KANJI}0-9]+)*(?:{_SEP}|\s|$)")
_STRUCTURE = re.compile(
    rf"^(?:第[{_KANJI}0-9]+(?:编|編|章|节|節|款|部分)|別表|附表|附则|附則|别表)(?![0-9{_KANJI}])"
)
_SUPPLEMENTARY = re.compile(r"^附[\s\u3000]*[則则]")
# Unlabelled paragraphs a clause may run to before its list of clauses is taken as ended.
_MAX_CLAUSE_PARAGRAPHS = 3
_ITEM_END = re.compile(r"[\s\u3000]+$")
# An item's text ends before its closing punctuation (the list's, not the item's).
_FINAL_PUNCT = re.compile(r"[\s\u3000；;。．，,、：:]+$")


@dataclass(frozen=True)
class Unit:
    """One line of the outline (a block): its text and where it starts in the document."""

    text: str
    start: int


@dataclass
class ProvisionItem:
    label: str
    family: str
    ordinal: int
    text: str  # without the label
    line: str  # the whole line, label included (a nested list's heading)
    start: int
    end: int
    children: list[ProvisionItem] = field(default_factory=list)
    control_codes: list[str] = field(default_factory=list)
    hs_codes: list[str] = field(default_factory=list)


@dataclass
class ProvisionList:
    family: str
    heading: str
    parent_labels: list[str]
    items: list[ProvisionItem]

    @property
    def start(self) -> int:
        return self.items[0].start

    @property
    def end(self) -> int:
        return self.items[-1].end


_SERIES = {"kana": _IROHA, "kana_aiueo": _AIUEO, "roman": _ROMAN, "circled": _CIRCLED}


def _ordinal(family: str, written: str) -> int | None:
    if family in _SERIES:
        return _SERIES[family].index(written) + 1
    if family == "latin_dot":
        return ord(written) - ord("a") + 1
    value = parse_number(written)
    return None if value is None else int(value)


Label = tuple[str, str, int, int]


def parse_labels(text: str) -> list[Label]:
    """Every reading of a unit's label: (family, label as written, ordinal, where the item
    text starts), in ``FAMILIES`` order.  イ　is the first of イロハ and the second of
    アイウエ; which one it is depends on the list it continues (``find_provision_lists``).

    A branch label (``六十三の三``) has its main number's ordinal, negated, so that it
    follows that number without taking its successor's place."""
    found: list[Label] = []
    for family, pattern in FAMILIES:
        m = pattern.match(text)
        if m is None:
            continue
        ordinal = _ordinal(family, m.group("n"))
        if ordinal is None:
            continue
        if m.groupdict().get("branch"):
            ordinal = -ordinal
        rest = text[m.end() :]
        body = len(rest) - len(rest.lstrip(" " + _SEP))
        if not rest.strip():
            return []
        found.append((family, m.group(), ordinal, m.end() + body))
    return found


def parse_label(text: str) -> Label | None:
    """The first reading of a unit's label (``parse_labels``), or None."""
    labels = parse_labels(text)
    return labels[0] if labels else None


def _closes_levels(text: str) -> bool:
    return bool(_PARAGRAPH.match(text) or _ARTICLE.match(text) or _STRUCTURE.match(text))


# A closing note that only names the item's codes: (参考税则号列:85076000), （管理番号：1E902.a）.
# The codes go to the item's code fields; the text stops before the note.
# A repost may leave the note blank (参考税则号列: ): still a note, with no code.
_CODE_NOTE = re.compile(
    r"[（(][^（）()]{0,12}(?:号列|编号|編号|番号|编码|コード|HS|code)"
    r"(?:[^（）()]*[0-9][^（）()]*|[\s\u3000:：]*)[）)]$",
    re.IGNORECASE,
)
# The next entry's label glued after the item's full stop (``…磷酸铁锂。二`` where the line
# of ``二、3C901 …`` lost its start): never part of the item.
_NEXT_LABEL = re.compile(
    rf"(?<=[。；;）)])[\s\u3000]*(?:[{_KANJI}]{{1,3}}|[（(][{_KANJI}]{{1,3}}[）)]?|[0-9]{{1,2}})"
    r"[、.．]?[\s\u3000]*$"
)


def _without_code_note(text: str) -> str:
    text = _FINAL_PUNCT.sub("", _NEXT_LABEL.sub("", text))
    note = _CODE_NOTE.search(text)
    return _FINAL_PUNCT.sub("", text[: note.start()]) if note else text


def _joined(text: str) -> str:
    """A unit's wrapped lines as one line: nothing between CJK, a space between Latin words."""
    return re.sub(r"(?<=[ -~])\n(?=[ -~])", " ", text).replace("\n", "")


def _item(unit: Unit, label: tuple[str, str, int, int]) -> ProvisionItem:
    family, written, ordinal, body = label
    lead = len(unit.text) - len(unit.text.lstrip(" " + _SEP))
    raw = _without_code_note(unit.text[lead + body :])
    codes = find_codes(unit.text)
    return ProvisionItem(
        label=written,
        family=family,
        ordinal=ordinal,
        text=_joined(raw),
        line=_joined(_ITEM_END.sub("", unit.text[lead:])),
        start=unit.start + lead + body,
        end=unit.start + lead + body + len(raw),
        control_codes=list(dict.fromkeys(c.code for c in codes if c.kind == "control")),
        hs_codes=list(dict.fromkeys(c.code for c in codes if c.kind == "hs")),
    )


_OPENERS = {"（": "）", "(": ")", "「": "」", "『": "』", "【": "】", "〔": "〕"}
# Characters a new paragraph never starts with: the line is a wrap of the one before.
_NO_LINE_START = tuple("―ー－）)」』】〕、。，,．.；;：:ァィゥェォッャュョぁぃぅぇぉっゃゅょ")


def _continues(item: ProvisionItem, text: str) -> bool:
    """An unlabelled unit that is the rest of ``item``: the layout split a wrapped item at a
    line it took for a new block (``…又は一・四`` / ``―ジオキサンの…``).  It is when the item
    leaves a bracket open, or the unit starts with a mark no paragraph starts with."""
    if text.startswith(_NO_LINE_START):
        return True
    return any(item.text.count(o) > item.text.count(c) for o, c in _OPENERS.items())


def _extend(item: ProvisionItem, unit: Unit) -> None:
    lead = len(unit.text) - len(unit.text.lstrip(" " + _SEP))
    raw = _without_code_note(unit.text[lead:])
    item.text = _joined(item.text + raw)
    item.line = _joined(item.line + _ITEM_END.sub("", unit.text[lead:]))
    item.end = unit.start + lead + len(raw)
    codes = find_codes(unit.text)
    item.control_codes = list(
        dict.fromkeys([*item.control_codes, *(c.code for c in codes if c.kind == "control")])
    )
    item.hs_codes = list(
        dict.fromkeys([*item.hs_codes, *(c.code for c in codes if c.kind == "hs")])
    )


def _follows(last: int, ordinal: int) -> bool:
    """``ordinal`` may come right after ``last`` (negative: a branch of that number)."""
    main = abs(last)
    return ordinal == main + 1 or ordinal == -main


@dataclass
class _Level:
    family: str
    heading: str
    parent: ProvisionItem | None
    parent_labels: list[str]
    items: list[ProvisionItem] = field(default_factory=list)


def _reading(labels: list[Label], stack: list[_Level]) -> tuple[Label | None, int | None]:
    """The reading of a unit's label that continues an open level (and that level's depth),
    else one that starts a list (ordinal 1), else the first (out of sequence)."""
    for label in labels:
        for depth, level in enumerate(stack):
            if level.family == label[0] and _follows(level.items[-1].ordinal, label[2]):
                return label, depth
    first = next((label for label in labels if label[2] == 1), None)
    return (first or (labels[0] if labels else None)), None


def find_provision_lists(units: Iterable[Unit]) -> list[ProvisionList]:
    """Every run of two or more sibling provisions in ``units`` (in reading order)."""
    done: list[_Level] = []
    stack: list[_Level] = []
    lead_in = ""
    prose = 0  # unlabelled paragraphs since the last label

    def close(depth: int) -> None:
        while len(stack) > depth:
            done.append(stack.pop())

    supplementary = False  # inside 附則, whose paragraphs are numbered from １
    labelled = False  # a label has started a list (until then one may start mid-list)
    for unit in units:
        text = unit.text.strip(" " + _SEP)
        if not text:
            continue
        if _SUPPLEMENTARY.match(text):
            supplementary = True
        label, depth = _reading(parse_labels(text), stack)
        outline_number = label is not None and label[0] == "arabic_space" and not supplementary
        if _closes_levels(text) and not (outline_number and (depth is not None or label[2] == 1)):
            # a 項 number (２　; in 附則 from １　) unless it continues or starts a circular's
            # 1　2　outline
            close(0)
            lead_in = _joined(_ITEM_END.sub("", text))
            continue
        if label is None and stack and _continues(stack[-1].items[-1], text):
            _extend(stack[-1].items[-1], unit)
            continue
        if label is None:
            # a paragraph of its own: the lead-in of what follows.  The open levels stay open
            # for a few paragraphs (a notice's clause 三、 may run on before 四、, a circular's
            # (1) heading has its prose before (2)); a new numbering after it is a list of
            # its own, not a sub-list
            prose += 1
            if prose > _MAX_CLAUSE_PARAGRAPHS:
                close(0)
            lead_in = _joined(_ITEM_END.sub("", text))
            continue
        family, _, ordinal, _ = label
        if depth is not None:
            close(depth + 1)
            stack[depth].items.append(_item(unit, label))
            prose = 0
        elif ordinal == 1 or (not labelled and ordinal > 1):
            # a text's first label may be mid-list: an excerpt or a page that starts at 16.
            same = next((i for i, lv in enumerate(stack) if lv.family == family), None)
            if same is not None:
                close(same)  # the same numbering starts over: a new list at that level
            elif prose:
                close(0)
            prose = 0
            parent = stack[-1].items[-1] if stack else None
            heading = parent.line if parent is not None else lead_in
            labels = [lv.items[-1].label for lv in stack]
            stack.append(_Level(family, heading, parent, labels, [_item(unit, label)]))
            labelled = True
        else:
            # out of sequence: not a label of this outline (a wrapped line, a cross-reference)
            close(0)
            lead_in = _joined(_ITEM_END.sub("", text))
    close(0)
    lists: list[ProvisionList] = []
    for level in sorted(done, key=lambda lv: lv.items[0].start):
        if level.parent is not None:
            level.parent.children = level.items
        if len(level.items) < 2:
            continue
        lists.append(ProvisionList(level.family, level.heading, level.parent_labels, level.items))
    return lists
