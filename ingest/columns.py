"""Multi-column pages: find a vertical gutter and read the page column by column.

A gutter is a vertical band near the middle of the page that no row's ink crosses, with
text columns on both sides: the lines left of it run up to it (justified or nearly so) and
the lines right of it start at one common edge.  A two-column *table* (short codes, then
descriptions) has no such filled left column, and a one-column page has ink across the
middle in nearly every row, so neither is split.

Rows whose ink crosses the gutter's middle (a full-width title, a centred page number) span
the columns: reading goes left column, right column, then the spanning row, band by band.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from ingest.pdf import RawChar

# Glyph gaps below this many ems are inside a line (word spaces, justification).
_MERGE_EMS = 0.6
_MIN_GUTTER_EMS = 1.0
_MIN_COLUMN_LINES = 4


@dataclass(frozen=True)
class Gutter:
    x0: float
    x1: float
    merge: float  # glyph gaps narrower than this do not separate ink
    left_column: tuple[float, float]
    right_column: tuple[float, float]

    @property
    def middle(self) -> float:
        return (self.x0 + self.x1) / 2


class _HasTop(Protocol):
    top: float


_Line = TypeVar("_Line", bound=_HasTop)


def _inked(row: Sequence[RawChar]) -> list[RawChar]:
    return [g for g in row if g.text.strip()]


def _intervals(row: Sequence[RawChar], merge: float) -> list[tuple[float, float]]:
    """The row's ink as x intervals, glyph gaps under ``merge`` closed."""
    spans: list[tuple[float, float]] = []
    for glyph in sorted(_inked(row), key=lambda g: g.x0):
        if spans and glyph.x0 - spans[-1][1] < merge:
            spans[-1] = (spans[-1][0], max(spans[-1][1], glyph.x1))
        else:
            spans.append((glyph.x0, glyph.x1))
    return spans


def _crosses(spans: list[tuple[float, float]], x: float) -> bool:
    """Does ink run across ``x``?  (A line may poke into the gutter, not through it.)"""
    return any(a < x < b for a, b in spans)


def _widest_free_band(
    rows: list[list[tuple[float, float]]], width: float, allowance: int
) -> tuple[float, float] | None:
    """The widest x band in the page's middle crossed by at most ``allowance`` rows."""
    size = int(width) + 2
    delta = [0] * (size + 1)
    for spans in rows:
        for a, b in spans:
            delta[max(0, int(a))] += 1
            delta[min(size, int(b) + 1)] -= 1
    covered = 0
    coverage: list[int] = []
    for step in delta[:size]:
        covered += step
        coverage.append(covered)
    best: tuple[int, int] | None = None
    start: int | None = None
    low, high = int(0.3 * width), int(0.7 * width)
    for x in range(low, high + 1):
        if coverage[x] <= allowance:
            start = x if start is None else start
            if best is None or x + 1 - start > best[1] - best[0]:
                best = (start, x + 1)
        else:
            start = None
    return (float(best[0]), float(best[1])) if best else None


def _common_min(values: list[float]) -> float:
    """The leftmost edge shared by several lines (a stray outdent does not count)."""
    counts = Counter(round(v) for v in values)
    shared = [x for x, n in counts.items() if n >= 2]
    return float(min(shared)) if shared else min(values)


def _at(ordered: list[float], fraction: float) -> float:
    return ordered[int(fraction * (len(ordered) - 1))]


def find_gutter(rows: list[list[RawChar]], width: float) -> Gutter | None:
    """The gutter of a two-column page, or None for a one-column page."""
    inked_rows = [row for row in rows if _inked(row)]
    if len(inked_rows) < 2 * _MIN_COLUMN_LINES:
        return None
    em = statistics.median(g.size for row in inked_rows for g in _inked(row)) or 10.0
    merge = _MERGE_EMS * em
    spans = [_intervals(row, merge) for row in inked_rows]
    # titles, folios and running heads may cross the gutter: a few rows are let through
    band = _widest_free_band(spans, width, max(2, round(0.12 * len(spans))))
    if band is None or band[1] - band[0] < _MIN_GUTTER_EMS * em:
        return None
    g0, g1 = band
    middle = (g0 + g1) / 2
    left_parts: list[tuple[float, float]] = []
    right_parts: list[tuple[float, float]] = []
    spanning = 0
    for row_spans in spans:
        if _crosses(row_spans, middle):
            spanning += 1
            continue
        left = [(a, b) for a, b in row_spans if b <= middle]
        right = [(a, b) for a, b in row_spans if a >= middle]
        if left:
            left_parts.append((left[0][0], left[-1][1]))
        if right:
            right_parts.append((right[0][0], right[-1][1]))
    if (
        len(left_parts) < _MIN_COLUMN_LINES
        or len(right_parts) < _MIN_COLUMN_LINES
        or spanning > 0.3 * len(spans)
    ):
        return None
    right_start = _common_min([a for a, _ in right_parts])
    filled = sum(1 for _, b in left_parts if b >= g0 - 3 * em) / len(left_parts)
    aligned = sum(1 for a, _ in right_parts if a <= right_start + 3 * em) / len(right_parts)
    left_width = statistics.median(b - a for a, b in left_parts)
    right_width = statistics.median(b - a for a, b in right_parts)
    if filled < 0.5 or aligned < 0.7 or min(left_width, right_width) < 0.2 * width:
        return None  # a table of short codes, or a ragged layout: not text columns
    left_ends = sorted(b for _, b in left_parts)
    right_ends = sorted(b for _, b in right_parts)
    return Gutter(
        x0=g0,
        x1=g1,
        merge=merge,
        left_column=(_common_min([a for a, _ in left_parts]), _at(left_ends, 0.9)),
        right_column=(right_start, _at(right_ends, 0.9)),
    )


def split_row(row: list[RawChar], gutter: Gutter) -> list[tuple[int, list[RawChar]]]:
    """``(side, glyphs)`` parts of a row: -1 left column, 1 right column, 0 spanning both."""
    middle = gutter.middle
    if _crosses(_intervals(row, gutter.merge), middle):
        return [(0, row)]
    left = [g for g in row if (g.x0 + g.x1) / 2 < middle]
    right = [g for g in row if (g.x0 + g.x1) / 2 >= middle]
    return [(side, part) for side, part in ((-1, left), (1, right)) if _inked(part)]


def reading_order(pieces: list[tuple[int, _Line]]) -> list[_Line]:
    """Band by band: the left column, the right column, then the row spanning both."""
    ordered: list[_Line] = []
    left: list[_Line] = []
    right: list[_Line] = []

    def flush() -> None:
        ordered.extend(sorted(left, key=lambda ln: ln.top))
        ordered.extend(sorted(right, key=lambda ln: ln.top))
        left.clear()
        right.clear()

    for side, line in sorted(pieces, key=lambda piece: piece[1].top):
        if side == 0:
            flush()
            ordered.append(line)
        else:
            (left if side < 0 else right).append(line)
    flush()
    return ordered
