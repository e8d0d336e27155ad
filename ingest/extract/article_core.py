"""The pure core of article extraction: ``find_articles(text) -> list[ArticleMatch]``.

Works on plain text (``Document.text`` or a test string) so tests drive it with real
sentences.  Everything document-specific (which sub-document may hold MOFCOM-style
``一、`` provisions, which parts are commentary quoting a law, where footnotes start) comes
in as arguments.

An article runs from its label at the start of a line to the first of: the next article
label, a 编/章/节 heading, a commentary mark (``・``, ``■``, ``【留意点】`` …: the commentary
resumes after a quotation), an excerpt mark (``～（略）～``, kept), a date-only signature
line, or a hard boundary (sub-document edge, start of the footnotes, a footnote's end).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ingest.extract.article_lines import (
    EXCERPT_MARK,
    PARAGRAPH_END,
    Label,
    Line,
    article_label,
    enum_label,
    heading,
    is_caption,
    is_commentary,
    is_item,
    is_skippable,
    join_paragraph,
    numbered_paragraph,
    outline_number,
    split_lines,
)
from ingest.extract.codes import find_codes
from ingest.identity_fields import EXCERPT_WORDS

OffsetTest = Callable[[int], bool]

# A lead-in left open (``以下の用語の意味：``) may find its list after the commentary that
# the layout put in between; definitions look like this.
_DEFINITION_LEAD = re.compile(r"^.{1,40}?(?:とは|是指|系指|，指)")
_RESUME_WINDOW = 60  # lines


@dataclass
class ItemMatch:
    label: str
    text: str
    start: int
    end: int


@dataclass
class ParagraphMatch:
    """款/項: its lead-in text (items excluded) and its （一）（二） items."""

    text: str
    start: int
    end: int
    items: list[ItemMatch] = field(default_factory=list)

    def lines(self) -> list[str]:
        head = [self.text] if self.text else []
        return head + [f"{i.label}{i.text}" for i in self.items]


@dataclass
class ArticleMatch:
    style: str  # "article" (第N条) or "enum" (一、)
    label: str
    number: int | None
    start: int  # label start
    end: int  # end of the last line of the article's first piece
    paragraphs: list[ParagraphMatch]
    chapter: str | None = None
    section: str | None = None
    excerpt: bool = False
    ended_by: str = "end"
    pieces: list[tuple[int, int]] = field(default_factory=list)
    in_footnote: bool = False

    @property
    def body(self) -> str:
        return "\n".join(line for p in self.paragraphs for line in p.lines())


@dataclass
class _Layout:
    lines: list[Line]
    boundaries: list[int]
    lines_are_paragraphs: bool
    full_width: float
    quoted: OffsetTest
    outline: list[tuple[int, int]] = field(default_factory=list)  # (line index, number)

    def boundary_after(self, offset: int) -> int:
        return next((b for b in self.boundaries if b > offset), 10**12)

    def resumes_outline(self, index: int, first: int) -> bool:
        """Line ``index`` is the next numbered heading of the text around the article that
        opens at line ``first``: ``2．主な内容`` before it, ``3．…`` here."""
        at = bisect.bisect_left(self.outline, (index, -1))
        if at >= len(self.outline) or self.outline[at][0] != index or at == 0:
            return False
        previous_index, previous_number = self.outline[at - 1]
        return previous_index < first and previous_number == self.outline[at][1] - 1

    def next_text_line(self, index: int) -> Line | None:
        for line in self.lines[index + 1 : index + 4]:
            if not is_skippable(line):
                return line
        return None


def _is_excerpt_line(line: Line) -> bool:
    stripped = EXCERPT_MARK.sub("", line.text).strip("。．. 　")
    return bool(EXCERPT_MARK.search(line.text)) and not stripped


def _collect(layout: _Layout, first: int, label: Label) -> tuple[list[Line], str, int]:
    """Lines of the article opened at line ``first``: (lines, why it ended, next line index)."""
    lines = layout.lines
    limit = layout.boundary_after(label.start)
    quoted = layout.quoted(label.start)
    taken = [lines[first]]
    j = first + 1
    ended_by = "end"
    while j < len(lines):
        line = lines[j]
        if line.start >= limit:
            ended_by = "boundary"
            break
        if is_skippable(line):
            j += 1
            continue
        if article_label(line) is not None:
            ended_by = "label"
            break
        if label.style == "enum" and enum_label(line) is not None:
            ended_by = "label"
            break
        if heading(line) is not None:
            ended_by = "heading"
            break
        if is_commentary(line, quoted) or layout.resumes_outline(j, first):
            ended_by = "commentary"
            break
        if is_caption(line) and (after := layout.next_text_line(j)) and article_label(after):
            ended_by = "label"  # （定義） above 第二条 is that article's caption
            break
        taken.append(line)
        j += 1
        if _is_excerpt_line(line):
            ended_by = "excerpt"
            break
    if ended_by == "commentary" and lines[j].text and _signature_date(lines[j]):
        # 商務部 / 2025年10月9日: the issuer line before the date is the signature.
        while (
            len(taken) > 1
            and len(taken[-1].text) <= 15
            and not taken[-1].text.endswith(PARAGRAPH_END)
        ):
            taken.pop()
    return taken, ended_by, j


def _signature_date(line: Line) -> bool:
    return bool(re.match(r"^[0-9０-９〇○一二三四五六七八九十 　]{4,}年", line.text))


def _starts_paragraph(layout: _Layout, prev: Line, line: Line) -> bool:
    if not prev.text.endswith(PARAGRAPH_END):
        return False
    return (
        line.indented
        or layout.lines_are_paragraphs
        or prev.width < 0.85 * layout.full_width
        or numbered_paragraph(line)
    )


def _paragraphs(layout: _Layout, taken: list[Line], label: Label) -> list[ParagraphMatch]:
    """Group an article's lines into paragraphs (款) holding their items (（一）…)."""
    first = taken[0]
    paragraphs = [ParagraphMatch("", label.start, first.end)]
    para_lines = [first.raw[label.end - first.start :]]
    item: ItemMatch | None = None
    item_lines: list[str] = []

    def close_item() -> None:
        nonlocal item, item_lines
        if item is not None:
            item.text = join_paragraph(item_lines)
            paragraphs[-1].items.append(item)
            paragraphs[-1].end = item.end
        item, item_lines = None, []

    prev = first
    for line in taken[1:]:
        item_label = is_item(line)
        if item_label is None and label.style == "article":
            inner = enum_label(line)
            item_label = inner.label if inner else None
        label_alone = len(paragraphs) == 1 and item is None and not join_paragraph(para_lines)
        if item_label is not None:
            close_item()
            if not paragraphs[-1].items:
                paragraphs[-1].text = join_paragraph(para_lines)
            offset = line.raw.index(item_label)
            item = ItemMatch(item_label, "", line.start + offset, line.end)
            item_lines = [line.raw[offset + len(item_label) :]]
        elif not label_alone and _starts_paragraph(layout, prev, line):
            close_item()
            if not paragraphs[-1].items:
                paragraphs[-1].text = join_paragraph(para_lines)
            paragraphs.append(ParagraphMatch("", line.start, line.end))
            para_lines = [line.raw]
        elif item is not None:
            item_lines.append(line.raw)
            item.end = line.end
        else:
            para_lines.append(line.raw)
            paragraphs[-1].end = line.end
        prev = line
    close_item()
    if not paragraphs[-1].items:
        paragraphs[-1].text = join_paragraph(para_lines)
    return [p for p in paragraphs if p.text or p.items]


def _resume_open_lead_in(layout: _Layout, match: ArticleMatch, after: int) -> None:
    """Attach a run of definitions displaced by commentary to an article ending in ``：``."""
    lines = layout.lines
    limit = layout.boundary_after(match.start)
    run: list[Line] = []
    for line in lines[after : after + _RESUME_WINDOW]:
        if line.start >= limit or article_label(line) is not None or heading(line) is not None:
            break
        if is_skippable(line):
            continue
        commentary = is_commentary(line, True)
        if not run:
            if (
                not commentary
                and _DEFINITION_LEAD.match(line.text)
                and not line.text.startswith(("「", "“"))
            ):
                run.append(line)
            continue
        if commentary:
            break
        run.append(line)
    if not run:
        return
    label = Label(match.style, "", None, run[0].start, run[0].start)
    paragraphs = _paragraphs(layout, run, label)
    kept = [p for p in paragraphs if _DEFINITION_LEAD.match(p.text)]
    # Only a run of definitions, all of them, counts: one stray sentence is commentary.
    if len(kept) >= 2 and len(kept) == len(paragraphs):
        match.paragraphs.extend(kept)
        match.pieces.append((kept[0].start, kept[-1].end))


def find_articles(
    text: str,
    *,
    boundaries: Sequence[int] = (),
    enum_allowed: OffsetTest | None = None,
    quoted: OffsetTest | None = None,
    lines_are_paragraphs: bool = False,
    footnotes_from: int | None = None,
) -> list[ArticleMatch]:
    """Articles of ``text`` in text order (quoted copies included).

    ``enum_allowed(offset)`` says whether ``一、`` provisions may start there (None: decide
    from the text: a run 一、二、… of sentences).  ``quoted(offset)`` marks commentary that
    quotes laws (arabic-numbered lines end a quotation there).  ``lines_are_paragraphs``:
    each line of ``text`` is a paragraph block, not a printed line.
    """
    lines = split_lines(text)
    widths = sorted(line.width for line in lines if line.text)
    full_width = float(widths[int(len(widths) * 0.9)]) if widths else 0.0
    layout = _Layout(
        lines=lines,
        boundaries=sorted(set(boundaries)),
        lines_are_paragraphs=lines_are_paragraphs,
        full_width=full_width,
        quoted=quoted or (lambda _offset: False),
        outline=[(i, n) for i, line in enumerate(lines) if (n := outline_number(line)) is not None],
    )
    matches: list[ArticleMatch] = []
    covered: list[tuple[int, int]] = []
    chapter: str | None = None
    section: str | None = None
    for index, line in enumerate(lines):
        head = heading(line)
        if head is not None:
            level, title = head
            if level == "节":
                section = title
            else:
                chapter, section = title, None
            continue
        label = article_label(line)
        if label is None:
            continue
        match = _build(layout, index, label, footnotes_from)
        if _heading_only(match):
            continue
        match.chapter, match.section = chapter, section
        matches.append(match)
        covered.append((match.start, match.end))
    matches.extend(_enum_articles(layout, covered, enum_allowed, footnotes_from))
    matches.sort(key=lambda m: m.start)
    return matches


# What a line naming an article may hold besides its label: a caption in brackets and an
# excerpt mark (第四条（特例）抜粋, 第1条　[許可の手続等], 第二条（抄）).
_CAPTION_ONLY = re.compile(
    rf"^(?:[（(【\[〔［][^）)】\]〕］\n]{{0,40}}[）)】\]〕］]|{EXCERPT_WORDS}|[\s\u3000。．])*$"
)


def _heading_only(match: ArticleMatch) -> bool:
    """A label with at most a caption and no provision: a table of contents entry or a
    heading that announces the article (its text follows under the same label)."""
    return bool(_CAPTION_ONLY.match(match.body))


def _build(layout: _Layout, index: int, label: Label, footnotes_from: int | None) -> ArticleMatch:
    taken, ended_by, after = _collect(layout, index, label)
    paragraphs = _paragraphs(layout, taken, label)
    end = taken[-1].end
    match = ArticleMatch(
        style=label.style,
        label=label.label,
        number=label.number,
        start=label.start,
        end=end,
        paragraphs=paragraphs,
        ended_by=ended_by,
        excerpt=ended_by == "excerpt" or any(EXCERPT_MARK.search(p.text) for p in paragraphs),
        pieces=[(label.start, end)],
        in_footnote=footnotes_from is not None and label.start >= footnotes_from,
    )
    if (
        ended_by == "commentary"
        and paragraphs
        and not paragraphs[-1].items
        and paragraphs[-1].text.endswith(("：", ":"))
    ):
        _resume_open_lead_in(layout, match, after)
    return match


def _enum_articles(
    layout: _Layout,
    covered: list[tuple[int, int]],
    enum_allowed: OffsetTest | None,
    footnotes_from: int | None,
) -> list[ArticleMatch]:
    """MOFCOM-style provisions: runs 一、二、三、… outside 第N条 articles."""
    candidates: list[tuple[int, Label]] = []
    for index, line in enumerate(layout.lines):
        label = enum_label(line)
        if label is None or any(s <= label.start < e for s, e in covered):
            continue
        if footnotes_from is not None and label.start >= footnotes_from:
            continue
        if enum_allowed is not None and not enum_allowed(label.start):
            continue
        candidates.append((index, label))
    runs: list[list[tuple[int, Label]]] = []
    for index, label in candidates:
        if label.number == 1:
            runs.append([(index, label)])
        elif (
            runs
            and runs[-1][-1][1].number is not None
            and label.number == runs[-1][-1][1].number + 1
            and layout.boundary_after(runs[-1][-1][1].start) > label.start
        ):
            runs[-1].append((index, label))
    found: list[ArticleMatch] = []
    for run in runs:
        built = [_build(layout, index, label, footnotes_from) for index, label in run]
        if _provision_run(built, explicit=enum_allowed is not None):
            found.extend(built)
    return found


def _sentence(lead: str) -> bool:
    """A provision's lead: a full stop, or a colon that ends it (对下列物项实施出口管制：).  A
    colon inside is a form's field (一、电子邮件：fg@mofcom.gov.cn; 二、传真：010-…)."""
    return any(p in lead for p in "。；;") or lead.rstrip().endswith(("：", ":"))


def _provision_run(built: list[ArticleMatch], explicit: bool) -> bool:
    """Provisions are sentences; FAQ items and form sections (一、輸出者) are headings, and a
    control list's entries (一、…飞行器（参考海关商品编号：8806100010…）) are items: a lead that
    names a control or customs code is an entry, whatever its punctuation."""
    if not built or (len(built) < 2 and not explicit):
        return False
    leads = [match.paragraphs[0].text if match.paragraphs else "" for match in built]
    if any(find_codes(lead) for lead in leads):
        return False
    sentences = 0
    for match in built:
        lead = match.paragraphs[0].text if match.paragraphs else ""
        if len(lead) >= 10 and _sentence(lead):
            sentences += 1
    return sentences * 2 > len(built)
