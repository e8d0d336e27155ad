"""Item lists: enumerations of controlled things, with their heading and hierarchy.

Four finders, in order of trust:

1. outline lists: a heading followed by numbered entries (``二、希土類ターゲット材`` with
   ``1．… 7．``, nested ``a．b．c．``), or a heading whose paragraph is one ``A、B、C。``
   enumeration (``第一部分``).  Entries must be short noun phrases; a sentence heading with
   sentence entries (acts, end uses, filling-in instructions) is prose, unless the entries
   carry control codes (``（管理番号：1E902.a）``).
2. control/HS codes outside such lists: each coded clause is an item, grouped by section.
3. defining enumerations (``とは、A、B、C等``, ``すなわち``, ``例えば``, ``2.3 X：A、B``).
4. runs of announcement numbers (``公告2025年第55号、56号、57号``), expanded.

A list found twice (a commentary quoting an article its annex prints in full) is reported
once, from the body rather than a footnote and from the later copy (the annex).
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ingest.extract.base import Locator
from ingest.extract.codes import CONTROL_CODE, CodeMatch, find_codes, find_number_runs
from ingest.extract.enumerations import find_inline_lists
from ingest.extract.itemtext import (
    ATTACHMENT_HEADING,
    NEGATED_CONTROL,
    clean_item,
    has_particles,
    heading_like,
    is_code_only,
    is_japanese,
    item_like,
    nfkc_key,
    particle_share,
    squeeze,
)
from ingest.extract.outline import Node, Unit, build_outline, split_units
from ingest.extract.provisions import ProvisionItem, ProvisionList, find_provision_lists
from ingest.extract.provisions import Unit as ProvisionUnit
from ingest.extract.provisions import parse_label as parse_provision_label
from ingest.extract.spans import Intervals
from models.document import BlockKind, Document
from models.records import Item, ItemList

_MAX_PARTICLE_SHARE = 1 / 3
_MIN_PARAGRAPH_ITEMS = 3
_CODE_PAREN = re.compile(r"[（(][^（）()]*?$")
# A table row glued to the previous row's last line by the PDF layer: "…を超えるもの3B001.a…"
_ROW_BREAK_BEFORE = re.compile(r"(?:もの|こと|[。；;）)])\s*$")


@dataclass
class ItemMatch:
    start: int
    end: int
    text: str
    label: str | None = None
    code: str | None = None  # every code as written, joined by ", "
    control_codes: list[str] = field(default_factory=list)
    hs_codes: list[str] = field(default_factory=list)

    def add_codes(self, codes: Iterable[CodeMatch]) -> None:
        written = self.code.split(", ") if self.code else []
        for found in codes:
            into = self.control_codes if found.kind == "control" else self.hs_codes
            if found.code not in into:
                into.append(found.code)
            if found.code not in written:
                written.append(found.code)
        self.code = ", ".join(written) or None


@dataclass
class ItemListMatch:
    start: int
    end: int
    heading: str
    path: list[str] = field(default_factory=list)
    items: list[ItemMatch] = field(default_factory=list)
    finder: str = "outline"  # outline, code, inline, numbers
    key: tuple[object, ...] = ()

    def __post_init__(self) -> None:
        if not self.key:
            self.key = tuple(nfkc_key(i.text) for i in self.items)


# ---------------------------------------------------------------- outline lists


def _node_text(node: Node) -> str:
    unit = node.unit
    assert unit is not None and unit.label is not None
    return unit.text[unit.label.end :]


def _own_heading(node: Node) -> str:
    label = node.label
    assert label is not None
    return clean_item(label.text + squeeze(_node_text(node)))


@dataclass(frozen=True)
class _Codes:
    """The document's codes in text order, with their starts for range look-ups."""

    codes: list[CodeMatch]
    starts: list[int]

    @classmethod
    def of(cls, codes: list[CodeMatch]) -> _Codes:
        ordered = sorted(codes, key=lambda c: c.start)
        return cls(ordered, [c.start for c in ordered])

    def within(self, start: int, end: int) -> list[CodeMatch]:
        """The codes starting in ``[start, end)``, in O(log n + hits)."""
        lo = bisect.bisect_left(self.starts, start)
        return self.codes[lo : bisect.bisect_left(self.starts, end, lo=lo)]


def _entry(node: Node, codes: _Codes) -> tuple[ItemMatch, list[CodeMatch]]:
    """A numbered entry as an item: its text without label, code note and final punctuation."""
    unit = node.unit
    assert unit is not None and unit.label is not None
    scope_end = unit.end
    # a code note printed on the line after the entry still belongs to it
    if node.body and len(squeeze(node.body[0].text)) <= 30:
        scope_end = node.body[0].end
    found = codes.within(unit.start, scope_end)
    raw_start = unit.start + unit.label.end
    raw = unit.text[unit.label.end :]
    if found and found[0].start < unit.end:
        raw = raw[: found[0].start - raw_start]
        paren = _CODE_PAREN.search(raw)
        if paren:
            raw = raw[: paren.start()]
    text = clean_item(raw)
    lead = len(raw) - len(raw.lstrip())
    item = ItemMatch(
        raw_start + lead,
        raw_start + len(raw.rstrip(" \t\u3000\n。；;：:、，,.．")),
        text,
        node.label.text if node.label else None,
    )
    item.add_codes(found)
    return item, found


def _region_text(text: str, node: Node) -> str:
    assert node.unit is not None
    return text[node.unit.start : node.last_offset()]


def _outline_lists(text: str, root: Node, codes: _Codes) -> tuple[list[ItemListMatch], set[int]]:
    lists: list[ItemListMatch] = []
    used_codes: set[int] = set()
    listed: set[int] = set()  # id() of nodes that head a list
    for node in root.walk():
        if node.unit is None:
            continue
        heading_ok = heading_like(_node_text(node) or (node.label.text if node.label else ""))
        if ATTACHMENT_HEADING.match(clean_item(node.unit.text)):
            continue
        match: ItemListMatch | None = None
        if (
            len(node.children) >= 2
            and node.children[0].label
            and node.children[0].label.ordinal == 1
            # 第一節, 第二節 / 第一章 …: the document's divisions, never an item list
            and not node.children[0].label.kind.startswith("part:")
        ):
            entries = [_entry(child, codes) for child in node.children]
            items = [e[0] for e in entries]
            coded = sum(1 for e in entries if e[1])
            texts = [i.text for i in items]
            # entries followed by paragraphs of their own are section headings, not items
            described = any(
                len(squeeze("".join(u.text for u in child.body))) > 30 for child in node.children
            )
            plain = (
                heading_ok
                and not described
                and all(item_like(t) for t in texts)
                and particle_share(texts) <= _MAX_PARTICLE_SHARE
                and not NEGATED_CONTROL.search(_region_text(text, node))
            )
            if coded * 2 >= len(items) or plain:
                match = ItemListMatch(node.unit.start, items[-1].end, "", items=items)
                for e in entries:
                    used_codes.update(c.start for c in e[1])
        elif heading_ok and not node.children and node.body:
            match = _paragraph_list(text, node, node.body[0])
        if match is None:
            continue
        listed.add(id(node))
        prefix = [a.label.text for a in node.ancestors() if id(a) in listed and a.label]
        match.heading = " ".join([*prefix, _own_heading(node)])
        match.path = [_own_heading(a) for a in node.ancestors()]
        lists.append(match)
    return lists, used_codes


def _paragraph_list(text: str, node: Node, body: Unit) -> ItemListMatch | None:
    """A heading whose paragraph is nothing but ``A、B、C。``."""
    raw = body.text
    stripped = raw.strip()
    if not stripped or "、" not in stripped or re.search(r"[。；;：:]", stripped.rstrip("。；; ")):
        return None
    items: list[ItemMatch] = []
    pos = body.start
    for piece in re.split(r"(、)", raw):
        if piece == "、":
            pos += 1
            continue
        item = clean_item(piece)
        lead = len(piece) - len(piece.lstrip())
        if item:
            items.append(ItemMatch(pos + lead, pos + len(piece.rstrip().rstrip("。；;")), item))
        pos += len(piece)
    texts = [i.text for i in items]
    if (
        len(items) < _MIN_PARAGRAPH_ITEMS
        or not all(item_like(t, 30) for t in texts)
        or particle_share(texts) > 0.2
    ):
        return None
    assert node.unit is not None
    return ItemListMatch(node.unit.start, items[-1].end, "", items=items)


# ---------------------------------------------------------------- coded clauses


class _UnitIndex:
    """Which outline unit (and its node) holds an offset: built once per outline, so that
    placing every code is O(log n) instead of a walk of the whole tree per code."""

    def __init__(self, root: Node, units: list[Unit]) -> None:
        entries: list[tuple[int, int, Unit, Node]] = []
        for order, node in enumerate([root, *root.walk()]):
            for unit in ([node.unit] if node.unit else []) + node.body:
                entries.append((unit.start, order, unit, node))
        # the last unit in walk order wins where two hold the offset (as the walk did)
        entries.sort(key=lambda e: (e[0], e[1]))
        self._entries = entries
        self._starts = [e[0] for e in entries]
        self._reach = list(itertools.accumulate((e[2].end + 1 for e in entries), max))
        self._position = {id(u): i for i, u in enumerate(units)}

    def find(self, offset: int) -> tuple[Unit | None, Node | None]:
        best: tuple[int, Unit, Node] | None = None
        i = bisect.bisect_right(self._starts, offset) - 1
        while i >= 0 and self._reach[i] > offset:
            _, order, unit, node = self._entries[i]
            if offset < unit.end + 1 and (best is None or order > best[0]):
                best = (order, unit, node)
            i -= 1
        return (best[1], best[2]) if best else (None, None)

    def position(self, unit: Unit) -> int:
        return self._position.get(id(unit), -1)


def _code_first_row(text: str, unit: Unit, code: CodeMatch) -> ItemMatch | None:
    """A list or table row that starts with its code: ``3A001.b.1　進行波管…``."""
    head = text[unit.start : code.start]
    if unit.label is not None:
        head = head[unit.label.end :]
    if head.strip(" \t\u3000・-－—|｜") and not _ROW_BREAK_BEFORE.search(head):
        return None
    raw = text[code.end : unit.end]
    if _CODE_PAREN.search(head) or re.match(r"\s*[）)]", raw):
        return None  # a code note in parentheses: （規制コード：1E902.a）
    for following in CONTROL_CODE.finditer(raw):
        if _ROW_BREAK_BEFORE.search(raw[: following.start()]):
            raw = raw[: following.start()]  # the next row, glued on
            break
    item = clean_item(raw)
    if not item or is_code_only(item):
        return None
    lead = len(raw) - len(raw.lstrip(" \t\u3000\n:：|｜"))
    end = code.end + len(raw.rstrip(" \t\u3000\n。；;"))
    return ItemMatch(code.end + lead, end, item, None, code.code)


def _coded_clause(
    text: str, unit: Unit, code: CodeMatch, previous: Unit | None
) -> ItemMatch | None:
    row = _code_first_row(text, unit, code)
    if row is not None:
        return row
    before = text[unit.start : code.start]
    paren = _CODE_PAREN.search(before)
    cut = unit.start + (paren.start() if paren else len(before))
    head = before[: cut - unit.start].rstrip("。；; ")
    ends = [unit.start + m.end() for m in re.finditer(r"[。；;]\s*", head)]
    clause_start = max([unit.start, *ends])
    if unit.label is not None:
        clause_start = max(clause_start, unit.start + unit.label.end)
    raw = text[clause_start:cut]
    # a bullet the PDF turned into ・ after a heading run into the same block: "…規制・レアアース…"
    pieces = raw.split("・")
    if len(pieces) > 1 and len(pieces[-1]) >= 15 and len(pieces[-2]) >= 10:
        clause_start = cut - len(pieces[-1])
        raw = pieces[-1]
    if not clean_item(raw) and previous is not None:
        clause_start, cut = previous.start, previous.end
        if previous.label is not None:
            clause_start += previous.label.end
        raw = text[clause_start:cut]
    item = clean_item(raw)
    if not item or _BARE_LABEL.fullmatch(item):
        return None  # 一、3A001 …: the code follows a list label, the provision reads it
    lead = len(raw) - len(raw.lstrip())
    return ItemMatch(clause_start + lead, clause_start + len(raw.rstrip()), item, None, code.code)


_BARE_LABEL = re.compile(r"[（(]?(?:[一二三四五六七八九十]{1,3}|[0-9]{1,2}|[a-z])[）)、.．]?")


def _code_lists(
    text: str, root: Node, units: list[Unit], codes: list[CodeMatch]
) -> list[ItemListMatch]:
    groups: dict[int, tuple[Node | None, list[ItemMatch]]] = {}
    order: list[int] = []
    where = _UnitIndex(root, units)
    for code in codes:
        unit, node = where.find(code.start)
        if unit is None:
            continue
        index = where.position(unit)
        previous = units[index - 1] if index > 0 else None
        item = _coded_clause(text, unit, code, previous)
        if item is None:
            continue
        item.add_codes([code])
        section = (
            node.parent
            if node is not None and node.parent is not None and node.parent.unit
            else node
        )
        key = id(section)
        if key not in groups:
            groups[key] = (section, [])
            order.append(key)
        taken = groups[key][1]
        if taken and (taken[-1].start, taken[-1].end) == (item.start, item.end):
            taken[-1].add_codes([code])  # one entry, many codes (参考海关商品编号：A、B、C)
        else:
            taken.append(item)
    lists: list[ItemListMatch] = []
    for key in order:
        section, items = groups[key]
        heading = _own_heading(section) if section is not None and section.unit else ""
        path = [_own_heading(a) for a in section.ancestors()] if section is not None else []
        lists.append(ItemListMatch(items[0].start, items[-1].end, heading, path, items, "code"))
    return lists


# ---------------------------------------------------------------- document numbers


def _number_lists(text: str) -> list[ItemListMatch]:
    lists: list[ItemListMatch] = []
    for run in find_number_runs(text):
        after = text[run[-1].end : run[-1].end + 60]
        predicate = re.match(r"\s*[のを]\s*(?P<p>[^。、，；\n]*?)(?:決定|决定|。|、|$)", after)
        issuer = re.sub(r"[0-9]{4}年第[0-9]+号$", "", run[0].expanded)
        category = re.sub(r".*?(公告|通知|令)$", r"\1", issuer) or "公告"
        heading = f"{squeeze(predicate.group('p'))}{category}" if predicate else category
        items = [ItemMatch(d.start, d.end, d.expanded) for d in run]
        lists.append(
            ItemListMatch(
                run[0].start, run[-1].end, heading, [], items, "numbers", tuple(d.key for d in run)
            )
        )
    return lists


# ---------------------------------------------------------------- assembly


def find_item_lists(
    text: str, body_end: int | None = None, breaks: tuple[int, ...] = ()
) -> list[ItemListMatch]:
    """Every item list in ``text``; ``body_end``: where footnotes start; ``breaks``: offsets
    where a new sub-document starts (its numbering is independent of what came before)."""
    body_end = len(text) if body_end is None else body_end
    units = split_units(text)
    for unit in units:
        if any(unit.start <= b < unit.end + 1 for b in breaks):
            unit.reset = True
    root = build_outline(units)
    codes = find_codes(text)
    outline, used = _outline_lists(text, root, _Codes.of(codes))
    coded = _code_lists(text, root, units, [c for c in codes if c.start not in used])
    inline = [
        ItemListMatch(
            m.start,
            m.end,
            m.heading,
            [],
            [ItemMatch(s.start, s.end, s.text) for s in m.items],
            "inline",
        )
        for u in units
        for m in find_inline_lists(text, u.start, u.end)
    ]
    numbers = [n for n in _number_lists(text) if n.start < body_end]
    kept: list[ItemListMatch] = []
    taken = Intervals()
    for candidate in [*outline, *coded, *inline, *numbers]:
        spans = [(i.start, i.end) for i in candidate.items]
        if not any(taken.overlaps(a, b) for a, b in spans):
            kept.append(candidate)
            taken.add_all(spans)
    # one list printed twice: keep the body copy, then the later one (an annex after the commentary)
    best: dict[tuple[object, ...], ItemListMatch] = {}
    for match in kept:
        previous = best.get(match.key)
        if previous is None or (match.start < body_end) >= (previous.start < body_end):
            best[match.key] = match
    return sorted(best.values(), key=lambda m: m.start)


_CONTINUES = re.compile(r"[^。．.；;：:！？!?」』）)]$")
_CAPTION = re.compile(r"^[（(][^（）()。、，,：:0-9０-９]{1,30}[）)]$")  # e-Gov: （目的）
_CLOSING = frozenset("：:、，,）)】」』；;。．")


def provision_units(doc: Document) -> list[ProvisionUnit]:
    """The body blocks as outline units; a block that opens a page and carries on the
    previous page's unfinished line is joined to it (a 号 broken by the page end)."""
    units: list[ProvisionUnit] = []
    last_page = 0
    last_full = False
    right: dict[int, float] = {}
    for block in doc.blocks:
        if block.char_span is not None and block.lines and not block.kind.is_furniture:
            right[block.page] = max(right.get(block.page, 0.0), block.bbox.x1)
    table_rows = {i for table in doc.tables for i in table.blocks}
    for block in doc.blocks:
        span = block.char_span
        if span is None or block.kind.is_furniture or block.kind is BlockKind.FOOTNOTE:
            continue
        if block.index in table_rows:
            # a ruled table's row is a TableRecord row, not a list item; it ends any list
            units.append(ProvisionUnit("別表", span.start))
            last_page = block.page
            continue
        if span.start >= doc.body_end:
            break
        text = doc.text[span.start : span.end]
        head = text.strip(" \u3000")
        if units and (
            # a block can't open with closing punctuation: the layout split a line there
            head[:1] in _CLOSING
            or (
                block.page != last_page
                and last_full
                and parse_provision_label(head) is None
                and not _CAPTION.match(head)
                and _CONTINUES.search(units[-1].text.rstrip())
            )
        ):
            start = units[-1].start
            units[-1] = ProvisionUnit(doc.text[start : span.end], start)
        else:
            units.append(ProvisionUnit(text, span.start))
        last_page = block.page
        # the page's last line reaches the right margin: its sentence may go on overleaf
        size = block.font_size or 10.0
        last_x1 = block.lines[-1].bbox.x1 if block.lines else block.bbox.x1
        last_full = last_x1 >= right.get(block.page, 0.0) - 1.5 * size
    return units


def _item_record(item: ProvisionItem) -> Item:
    return Item(
        text=item.text,
        code=(item.control_codes or item.hs_codes or [None])[0],
        label=item.label,
        control_codes=item.control_codes,
        hs_codes=item.hs_codes,
        items=[_item_record(child) for child in item.children],
    )


# Families only a statute's own layout produces: a kanji numeral or kana and U+3000.
_STATUTE_FAMILIES = frozenset({"kanji_item", "kana", "kou"})


# Japanese acts whose numbered outline is their own structure, whatever its items say: a
# ministry circular (通達, 要領) numbers 1　/ (1) / ア　as a statute numbers 号 and イ.
# Not announcements: in this corpus they are Chinese notices in Japanese translation, whose
# outline a commentary quotes.
_OFFICIAL_KINDS = frozenset({"law", "order", "measures", "regulation", "notice"})


_TOC_ENTRY = re.compile(r"[（(]第[^（）()]+?条[^（）()]*[）)]$")


def _is_list(plist: ProvisionList, locator: Locator) -> bool:
    """Is a run of provisions an item list?

    In e-Gov numbering (号 一　, イ　) and in Chinese official text (whose 一、（一）1.（1）
    levels are the document's own structure, GB/T 9704) yes, whatever the items say.
    So is a Japanese act's own outline (a circular's 1　/ (1) / ア　).
    Elsewhere (a Japanese commentary's outline, its translations of notices) the items must
    carry codes or be short noun phrases, as outline lists must.  A table of contents
    (``総則（第一条―第十条）``) never is.
    """
    texts = [i.text for i in plist.items]
    if sum(1 for t in texts if _TOC_ENTRY.search(t)) * 2 >= len(texts):
        return False
    if plist.family in _STATUTE_FAMILIES or not any(
        is_japanese(t) for t in [plist.heading, *texts]
    ):
        return True
    if locator.identity_at(plist.start).kind in _OFFICIAL_KINDS:
        return True  # a circular's own outline (1　/ (1) / ア　): its structure, as a 号's
    if any(i.children and not _things(c.text for c in i.children) for i in plist.items):
        return False  # entries over prose of their own (（一）基本情報。) are section headings
    coded = sum(1 for i in plist.items if i.control_codes or i.hs_codes)
    return coded * 2 >= len(texts) or _things(texts)


def _things(texts: Iterable[str]) -> bool:
    """Short noun phrases, few particles: names of things, not prose."""
    texts = list(texts)
    return all(item_like(t) for t in texts) and particle_share(texts) <= _MAX_PARTICLE_SHARE


def extract_item_lists(doc: Document, locator: Locator) -> list[ItemList]:
    breaks = tuple(s.char_span.start for s in doc.subdocuments if s.key != "main")
    records: list[ItemList] = []
    provisions = [p for p in find_provision_lists(provision_units(doc)) if _is_list(p, locator)]
    taken = [(p.start, p.end) for p in provisions]
    for plist in provisions:
        records.append(
            ItemList(
                **locator.common("item_list", plist.start, plist.end),  # type: ignore[arg-type]
                heading=plist.heading,
                items=[_item_record(i) for i in plist.items],
                family=plist.family,
                parent_labels=plist.parent_labels,
            )
        )
    provided = Intervals()
    provided.add_all(taken)
    for match in find_item_lists(doc.text, doc.body_end, breaks):
        if provided.overlaps(match.start, match.end):
            continue  # the same entries, read as provisions
        records.append(
            ItemList(
                **locator.common("item_list", match.start, match.end),  # type: ignore[arg-type]
                heading=match.heading,
                path=match.path,
                items=[
                    Item(
                        text=i.text,
                        code=i.code,
                        label=i.label,
                        control_codes=i.control_codes,
                        hs_codes=i.hs_codes,
                    )
                    for i in match.items
                ],
            )
        )
    return sorted(
        records, key=lambda r: r.provenance.char_span.start if r.provenance.char_span else 0
    )


__all__ = ["ItemListMatch", "ItemMatch", "extract_item_lists", "find_item_lists", "has_particles"]
