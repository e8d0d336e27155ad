"""Printed lines: glyphs -> rows -> ``TextLine`` (clean text, box, font, table cells).

Works on ``ingest.pdf.RawChar`` only.  ``page_lines`` returns a page's lines in reading order:
top to bottom, or column by column where ``ingest.columns`` finds a gutter.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ingest.columns import Gutter, find_gutter, reading_order, split_row
from ingest.normalize import fold, is_wide, normalize_glyphs
from ingest.pdf import RawChar, RawPage
from models.document import BlockKind


@dataclass(eq=False)
class TextLine:
    """One printed line: its glyphs, raw and clean text, box and dominant font."""

    page: int
    glyphs: list[RawChar]
    text: str
    origin: list[int]
    raised: list[bool]
    size: float
    font: str
    x0: float
    x1: float
    top: float
    bottom: float
    unmapped: int = 0
    # x0 of each table cell after the first: where a tab-wide gap opens a new cell
    cells: tuple[float, ...] = ()
    # (left, right) of the text column the line sits in, on a page of several columns
    column: tuple[float, float] | None = None

    @property
    def raw(self) -> str:
        return "".join(g.text for g in self.glyphs)

    @property
    def folded_raw(self) -> str:
        """The raw line with characters folded but spaces kept: for label patterns."""
        return "".join(fold(g.text) for g in self.glyphs).strip()


@dataclass(eq=False)
class DraftBlock:
    """A block under construction: clean characters with their source line and flags."""

    kind: BlockKind
    page: int
    lines: list[TextLine]
    chars: list[str] = field(default_factory=list)
    origin: list[int] = field(default_factory=list)  # line index in ``lines``; -1: separator
    raised: list[bool] = field(default_factory=list)
    footnote_refs: list[int] = field(default_factory=list)
    continues_previous: bool = False
    footnote_number: int | None = None
    # how a note is labelled when not by its number: ※, *, †, 注
    note_label: str | None = None

    @property
    def text(self) -> str:
        return "".join(self.chars)

    def add_line(self, line: TextLine, separator: str) -> None:
        index = len(self.lines)
        self.lines.append(line)
        if self.chars:
            for ch in separator:
                self.chars.append(ch)
                self.origin.append(-1)
                self.raised.append(False)
        for ch, source in zip(line.text, line.origin, strict=True):
            self.chars.append(ch)
            self.origin.append(index)
            self.raised.append(line.raised[source])

    def delete(self, start: int, end: int) -> int:
        """Remove ``[start, end)`` and white space left dangling; returns where the cut is."""
        del self.chars[start:end], self.origin[start:end], self.raised[start:end]
        if start > 0 and self.chars[start - 1] == " ":
            after = self.chars[start] if start < len(self.chars) else ""
            if after in ("", " ") or is_wide(after) or after in ".,;:)]":
                del self.chars[start - 1], self.origin[start - 1], self.raised[start - 1]
                return start - 1
        return start

    def strip_prefix(self, length: int) -> None:
        self.delete(0, length)
        while self.chars and self.chars[0] in (" ", "\u3000"):
            self.delete(0, 1)


# ---------------------------------------------------------------------------- lines


def _size(glyph: RawChar) -> float:
    return glyph.size if glyph.size > 0 else max(glyph.bottom - glyph.top, 1.0)


def _cluster_rows(chars: list[RawChar]) -> list[list[RawChar]]:
    """Group glyphs into rows by vertical centre; raised superscripts stay on their row."""
    ordered = sorted(chars, key=lambda c: c.top + c.bottom)
    rows: list[list[RawChar]] = []
    centre = height = 0.0
    for glyph in ordered:
        mid = (glyph.top + glyph.bottom) / 2
        size = _size(glyph)
        if rows and abs(mid - centre) <= 0.45 * (height if height > size else size):
            rows[-1].append(glyph)
            if size > height:  # the row's reference is its largest glyph
                centre, height = mid, size
        else:
            rows.append([glyph])
            centre, height = mid, size
    return rows


def _dominant(sizes: list[float], fonts: list[str]) -> tuple[float, str]:
    """Most common size (ties: the larger) and the most common font at that size."""
    counts: dict[float, int] = {}
    rounded = [round(size * 2) / 2 for size in sizes]
    for size in rounded:
        counts[size] = counts.get(size, 0) + 1
    size = max(counts, key=lambda s: (counts[s], s))
    font_counts = Counter(font for s, font in zip(rounded, fonts, strict=True) if s == size)
    return size, font_counts.most_common(1)[0][0]


def make_line(page: int, row: list[RawChar]) -> TextLine | None:
    row = sorted(row, key=lambda c: c.x0)
    glyphs: list[RawChar] = []
    previous: RawChar | None = None
    for glyph in row:
        # fake bold: the same glyph drawn twice, slightly offset (overlapping itself; a
        # doubled narrow letter such as the ``ll`` of ``shall`` sits side by side)
        if (
            previous is not None
            and previous.text == glyph.text
            and abs(previous.x0 - glyph.x0) < 0.3 * _size(glyph)
            and glyph.x0 < (previous.x0 + previous.x1) / 2
            and abs(previous.top - glyph.top) < 0.3 * _size(glyph)
        ):
            continue
        glyphs.append(glyph)
        previous = glyph
    sizes = [_size(g) for g in glyphs]
    ink = [bool(g.text) and not g.text.isspace() for g in glyphs]
    inked = [g for g, has_ink in zip(glyphs, ink, strict=True) if has_ink]
    if not inked:
        return None
    inked_sizes = [s for s, has_ink in zip(sizes, ink, strict=True) if has_ink]
    size, font = _dominant(inked_sizes, [g.fontname for g in inked])
    bottoms = sorted(
        g.bottom for g, s in zip(inked, inked_sizes, strict=True) if abs(s - size) < 0.6
    )
    baseline = bottoms[len(bottoms) // 2] if bottoms else inked[0].bottom
    gaps: list[bool] = []
    columns: list[bool] = []
    right = glyphs[0].x1
    inked_right: float | None = None
    space, tab = 0.25 * size, 2.5 * size
    for glyph, has_ink in zip(glyphs, ink, strict=True):
        gaps.append(glyph.x0 - right > space)
        columns.append(has_ink and inked_right is not None and glyph.x0 - inked_right > tab)
        if glyph.x1 > right:
            right = glyph.x1
        if has_ink:
            inked_right = glyph.x1 if inked_right is None else max(inked_right, glyph.x1)
    gaps[0] = False
    cells = tuple(g.x0 for g, is_cell in zip(glyphs, columns, strict=True) if is_cell)
    normalized = normalize_glyphs([g.text for g in glyphs], gaps, columns)
    if not normalized.text:
        return None
    small, low = 0.8 * size, baseline - 0.2 * size
    raised = [
        has_ink and (s <= small or g.bottom < low)
        for g, s, has_ink in zip(glyphs, sizes, ink, strict=True)
    ]
    return TextLine(
        page=page,
        glyphs=glyphs,
        text=normalized.text,
        origin=normalized.origin,
        raised=raised,
        size=size,
        font=font,
        x0=min(g.x0 for g in inked),
        x1=max(g.x1 for g in inked),
        top=min(g.top for g in inked),
        bottom=max(g.bottom for g in inked),
        unmapped=normalized.unmapped,
        cells=cells,
    )


def page_lines(page: RawPage) -> list[TextLine]:
    """The page's lines in reading order (column by column on a multi-column page)."""
    rows = _cluster_rows(page.chars)
    gutter = find_gutter(rows, page.width)
    if gutter is None:
        lines = [make_line(page.number, row) for row in rows]
        return sorted((line for line in lines if line is not None), key=lambda ln: ln.top)
    return _column_lines(page.number, rows, gutter)


def _column_lines(page: int, rows: list[list[RawChar]], gutter: Gutter) -> list[TextLine]:
    pieces: list[tuple[int, TextLine]] = []  # (side: -1 left, 1 right, 0 spanning), line
    for row in rows:
        for side, part in split_row(row, gutter):
            made = make_line(page, part)
            if made is not None:
                pieces.append((side, made))
    for side, made in pieces:
        if side:
            made.column = gutter.left_column if side < 0 else gutter.right_column
    return reading_order(pieces)
