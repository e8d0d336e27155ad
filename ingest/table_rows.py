"""A ruled table's rows in the document: one body block per row, its cells as lines.

``ingest.tables`` reads the cells; ``ingest.pipeline`` inserts the rows where the table
stands on its page and records the table in ``Document.tables`` (``document_tables``).
"""

from __future__ import annotations

import re

from ingest.lines import DraftBlock, TextLine
from ingest.pdf import RawChar
from ingest.tables import RawCell
from models.document import Block, BlockKind, Table
from models.provenance import BBox, CharSpan

_CELL_SEPARATOR = "\u3000"  # the statute's own field separator (see ingest.normalize)


def row_block(page: int, row: list[RawCell], size: float) -> DraftBlock:
    """One table row as a body block whose lines are its cells, joined by U+3000."""
    block = DraftBlock(kind=BlockKind.BODY, page=page, lines=[])
    for index, cell in enumerate(row):
        if index:
            block.chars.append(_CELL_SEPARATOR)
            block.origin.append(-1)
            block.raised.append(False)
        line = TextLine(
            page=page,
            # one glyph per character, in the cell's box: Line.raw is the cell as read
            glyphs=[RawChar(ch, cell.x0, cell.x1, cell.top, cell.bottom, size) for ch in cell.text],
            text=cell.text,
            origin=list(range(len(cell.text))),
            raised=[False] * len(cell.text),
            size=size,
            font="",
            x0=cell.x0,
            x1=cell.x1,
            top=cell.top,
            bottom=cell.bottom,
        )
        block.lines.append(line)
        block.chars.extend(cell.text)
        block.origin.extend([index] * len(cell.text))
        block.raised.extend([False] * len(cell.text))
    return block


def insert_rows(blocks: list[DraftBlock], rows: list[DraftBlock], top: float) -> None:
    """Put a table's row blocks into a page's blocks (reading order) where the table stands:
    before the first text block below its top."""
    at = next(
        (
            i
            for i, b in enumerate(blocks)
            if b.kind in _TEXT_KINDS and b.lines and b.lines[0].top > top
        ),
        None,
    )
    if at is None:  # below every text block: after the last one
        text = [i for i, b in enumerate(blocks) if b.kind in _TEXT_KINDS]
        at = text[-1] + 1 if text else 0
    blocks[at:at] = rows


_TEXT_KINDS = (BlockKind.BODY, BlockKind.HEADING, BlockKind.LIST_ITEM)


# A caption above a table: 別表第二（第八条、第十一条関係）, 附表, 表1 …; a short line otherwise.
_CAPTION = re.compile(r"^(?:別表|别表|附表|表)")


def cell_spans(row: DraftBlock, span: CharSpan) -> list[CharSpan]:
    """Each cell's span in the text, from the row block's span (cells joined by one U+3000;
    an empty cell is an empty span where it stands)."""
    spans: list[CharSpan] = []
    pos = span.start
    for index, line in enumerate(row.lines):
        pos += 1 if index else 0
        spans.append(CharSpan(start=pos, end=pos + len(line.text)))
        pos += len(line.text)
    return spans


def document_tables(
    blocks: list[Block], rows_of: list[tuple[int, list[int], list[list[CharSpan]]]]
) -> list[Table]:
    """``Document.tables`` from each raw table's (page, row block indexes); a table that
    goes on at the top of the next page, with nothing but page furniture between, and the
    same number of columns, is one table."""
    tables: list[Table] = []
    previous_last: int | None = None
    for page, indexes, spans in rows_of:
        rows = [blocks[i] for i in indexes]
        if not rows:
            continue
        between = blocks[previous_last + 1 : indexes[0]] if previous_last is not None else None
        if (
            tables
            and between is not None
            and all(b.kind.is_furniture for b in between)
            and len(rows[0].lines) == len(blocks[tables[-1].blocks[-1]].lines)
        ):
            tables[-1].blocks.extend(indexes)
            tables[-1].rows.extend(spans)
        else:
            tables.append(
                Table(
                    page=page,
                    bbox=BBox.union([b.bbox for b in rows if b.page == page]) or rows[0].bbox,
                    caption=_caption(blocks, indexes[0]),
                    blocks=list(indexes),
                    rows=spans,
                )
            )
        previous_last = indexes[-1]
    return tables


def _caption(blocks: list[Block], first_row: int) -> str | None:
    for block in reversed(blocks[:first_row]):
        if block.kind.is_furniture:
            continue
        text = block.text.strip()
        if _CAPTION.match(text) or (len(text) <= 60 and not text.endswith("。")):
            return text
        return None
    return None
