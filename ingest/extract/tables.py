"""Tables: ``Document.tables`` (ruled 別表 grids) as ``TableRecord``s, and where a cell is.

``cell_at`` tells the other extractors which cell an offset sits in, so a threshold found in
a table carries ``table_cell = [row, column]``.
"""

from __future__ import annotations

import bisect

from ingest.extract.base import Locator
from models.document import Document
from models.records import TableRecord


def extract_tables(document: Document, locator: Locator) -> list[TableRecord]:
    records: list[TableRecord] = []
    for table in document.tables:
        cells = [span for row in table.rows for span in row]
        if not cells:
            continue
        start, end = min(s.start for s in cells), max(s.end for s in cells)
        records.append(
            TableRecord(
                **locator.common("table", start, end),  # type: ignore[arg-type]
                caption=table.caption,
                rows=[[document.text[s.start : s.end] for s in row] for row in table.rows],
            )
        )
    return records


class CellIndex:
    """Which table cell holds an offset: (row, column), by bisection over every cell."""

    def __init__(self, document: Document) -> None:
        cells = sorted(
            (span.start, span.end, r, c)
            for table in document.tables
            for r, row in enumerate(table.rows)
            for c, span in enumerate(row)
        )
        self._cells = cells
        self._starts = [cell[0] for cell in cells]

    def cell_at(self, start: int, end: int) -> list[int] | None:
        """[row, column] of the cell holding ``[start, end)`` whole, else None."""
        i = bisect.bisect_right(self._starts, start) - 1
        if i < 0:
            return None
        cell_start, cell_end, row, column = self._cells[i]
        return [row, column] if cell_start <= start and end <= cell_end else None
