"""Numbered outline: which labelled line (第二部分, 一、, 1．, a．, （一）) is under which.

Lines are first merged into units (a printed line that wraps continues the unit before it),
then a stack parser nests units by label type: a label of a type already open closes
everything below it, a new type opens a level.  Numbering continuity keeps nested lists
apart from the document's own numbering: a ``一、`` that restarts at one under ``第二部分``
opens a new level instead of closing the ``八、`` articles above it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.numbers import kanji_to_int, to_halfwidth_digits

_KANJI = "一二三四五六七八九十百〇"
_DIGITS = "0-9０-９"
_LATIN = "a-zａ-ｚ"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# (type, pattern); the pattern's group "n" is the ordinal as written.
_LABELS: list[tuple[str, re.Pattern[str]]] = [
    (
        "part",
        re.compile(rf"第(?P<n>[{_KANJI}{_DIGITS}]+)(?P<unit>部分|部|編|编|章|節|节|条|條)"),
    ),
    ("kanji", re.compile(rf"(?P<n>[{_KANJI}]+)[、．.](?!\d)")),
    ("paren_kanji", re.compile(rf"[（(](?P<n>[{_KANJI}]+)[）)]")),
    (
        "dotted",
        re.compile(rf"(?P<n>[{_DIGITS}]{{1,2}}(?:[.．][{_DIGITS}]{{1,2}})+)(?=[\s　]|[^\d.．])"),
    ),
    ("digit", re.compile(rf"(?P<n>[{_DIGITS}]{{1,2}})[．.、](?![{_DIGITS}])")),
    ("paren_digit", re.compile(rf"[（(](?P<n>[{_DIGITS}]{{1,2}})[）)]")),
    ("latin", re.compile(rf"(?P<n>[{_LATIN}])[．.)）](?![{_LATIN}])")),
    ("paren_latin", re.compile(rf"[（(](?P<n>[{_LATIN}])[）)]")),
    ("circled", re.compile(rf"(?P<n>[{_CIRCLED}])")),
]
# An SI unit glued to the number: the "label" is a measurement (2.7GHz, 3.5mm, 75W).
_UNIT_AFTER_NUMBER = re.compile(
    r"(?:[GMk]?Hz|dBm?|[kmM]?W|k?V|[mμµck]?m|kg|g|nm|bit|bps|ppm)(?![A-Za-z])"
)
# A line that opens an attachment or annex: numbering starts afresh after it.
_RESET = re.compile(
    rf"^\s*(?:付属文書|附属文書|附件|附表|別添|別紙|别纸|添付文書|添付資料|Annex|Attachment|Appendix)"
    rf"\s*[{_DIGITS}{_KANJI}]*\s*$",
    re.IGNORECASE,
)
# Lines starting with these begin a new unit although they carry no number.
_BULLETS = "・■□●○◆◇▶▷※＊*\uf06c\uf0d8\x00"
_TERMINAL = "。；;：:！？!?"
_WRAP_MIN_CHARS = 30


@dataclass(frozen=True)
class Label:
    kind: str
    text: str  # as written, without surrounding white space
    ordinal: int
    end: int  # offset in the unit text where the label ends (white space after it included)


@dataclass
class Unit:
    """One or more printed lines forming a paragraph, heading or list entry."""

    start: int
    end: int
    text: str  # text[start:end] of the document, line breaks kept
    label: Label | None = None
    reset: bool = False


@dataclass
class Node:
    unit: Unit | None  # None for the root
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    body: list[Unit] = field(default_factory=list)

    @property
    def label(self) -> Label | None:
        return self.unit.label if self.unit else None

    def ancestors(self) -> list[Node]:
        """Enclosing labelled nodes, outermost first (the root excluded)."""
        chain: list[Node] = []
        node = self.parent
        while node is not None and node.unit is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]

    def walk(self) -> list[Node]:
        out: list[Node] = []
        for child in self.children:
            out.append(child)
            out.extend(child.walk())
        return out

    def last_offset(self) -> int:
        """End of the node's own unit, body and descendants."""
        ends = [self.unit.end] if self.unit else [0]
        ends += [u.end for u in self.body]
        ends += [c.last_offset() for c in self.children]
        return max(ends)


def _ordinal(kind: str, written: str) -> int:
    if kind in ("kanji", "paren_kanji"):
        return kanji_to_int(written)
    if kind == "part":
        written = to_halfwidth_digits(written)
        return int(written) if written.isdigit() else kanji_to_int(written)
    if kind == "dotted":
        return int(re.split(r"[.．]", to_halfwidth_digits(written))[-1])
    if kind in ("digit", "paren_digit"):
        return int(to_halfwidth_digits(written))
    if kind in ("latin", "paren_latin"):
        return ord(written.lower().translate(str.maketrans("ａｂｃｄｅｆｇｈ", "abcdefgh"))) - 96
    return _CIRCLED.index(written) + 1


def parse_label(line: str) -> Label | None:
    """The numbering label a line starts with, if any."""
    stripped = line.lstrip(" \t\u3000")
    offset = len(line) - len(stripped)
    for kind, pattern in _LABELS:
        m = pattern.match(stripped)
        if m is None:
            continue
        kind_key = f"part:{m.group('unit')}" if kind == "part" else kind
        if kind == "dotted":
            kind_key = f"dotted{m.group('n').count('.') + m.group('n').count('．')}"
        rest = stripped[m.end() :]
        after = len(rest) - len(rest.lstrip(" \t\u3000"))
        # "1．5倍", "2.1%", "2.7GHzを超え" are numbers, not labels
        if kind in ("digit", "dotted") and (
            re.match(r"[0-9０-９%％]", rest.lstrip()) or _UNIT_AFTER_NUMBER.match(rest.lstrip(" "))
        ):
            continue
        try:
            ordinal = _ordinal(kind, m.group("n"))
        except (ValueError, IndexError):
            continue
        return Label(kind_key, m.group().strip(), ordinal, offset + m.end() + after)
    return None


def _open_parens(text: str) -> int:
    return text.count("（") + text.count("(") - text.count("）") - text.count(")")


def split_units(text: str) -> list[Unit]:
    """Lines merged into units: a long line without final punctuation continues on the next."""
    units: list[Unit] = []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if not line.strip():
            continue
        stripped = line.strip()
        label = parse_label(line)
        reset = bool(_RESET.match(line))
        prev = units[-1] if units else None
        continues = (
            prev is not None
            and label is None
            and not reset
            and not prev.reset
            and stripped[0] not in _BULLETS
            and (
                _open_parens(prev.text) > 0
                or (
                    prev.text.rstrip()[-1] not in _TERMINAL
                    and not re.search(r"https?://\S+$", prev.text.rstrip())
                    and len(prev.text.rstrip().rsplit("\n", 1)[-1].strip()) >= _WRAP_MIN_CHARS
                )
            )
        )
        if continues and prev is not None:
            prev.end = end
            prev.text = text[prev.start : end]
        else:
            units.append(Unit(start, end, line, label, reset))
    return units


def build_outline(units: list[Unit]) -> Node:
    root = Node(None)
    stack: list[Node] = []
    for unit in units:
        if unit.reset:
            stack = []
            root.body.append(unit)
            continue
        label = unit.label
        if label is None:
            (stack[-1] if stack else root).body.append(unit)
            continue
        same = next(
            (i for i in range(len(stack) - 1, -1, -1) if stack[i].label.kind == label.kind), None
        )  # type: ignore[union-attr]
        if same is not None:
            prev = stack[same].label
            assert prev is not None
            restarts = label.ordinal == 1 and prev.ordinal != 0
            if restarts and same < len(stack) - 1:
                same = None  # a fresh numbering under a deeper heading: nest it
        if same is not None:
            stack = stack[:same]
        parent = stack[-1] if stack else root
        node = Node(unit, parent)
        parent.children.append(node)
        stack.append(node)
    return root
