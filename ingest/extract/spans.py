"""Spans already taken, as a sorted union of intervals: overlap tests in O(log n).

Extractors skip a match that overlaps one taken before (a reference inside a law name, a
list whose entries another reading already listed).  Testing each new match against every
earlier one is quadratic in the document's length (issue 15: 400-page files); this keeps the
union of the taken spans as sorted disjoint intervals instead.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable


class Intervals:
    """A union of spans already taken, kept as sorted disjoint intervals: ``overlaps`` is
    O(log n) (a pairwise test of every list against every kept list was quadratic in the
    document's length)."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self._starts, end) - 1
        return i >= 0 and self._ends[i] > start

    def add(self, start: int, end: int) -> None:
        lo = bisect.bisect_right(self._ends, start)  # first interval ending after start
        hi = bisect.bisect_left(self._starts, end)  # intervals starting before end
        if lo < hi:
            start, end = min(start, self._starts[lo]), max(end, self._ends[hi - 1])
        self._starts[lo:hi] = [start]
        self._ends[lo:hi] = [end]

    def add_all(self, spans: Iterable[tuple[int, int]]) -> None:
        for start, end in spans:
            self.add(start, end)
