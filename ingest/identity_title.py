"""The title block of a document's first page, found by its typography.

A title is set apart by size: the largest print in the front matter of the first page,
usually centred, wrapped over one or more lines of the same size.  What sits in that block
but is not the title: a line that is only the document number (``商务部 海关总署公告2023年
第23号`` above ``关于…的公告``, ``20240315貿局第2号``), a date, a subtitle opened by a dash
(``― 概要と日本企業の留意点 ―``) and a footnote marker glued to the last word (``…法*``,
``…（节选）※``, a raised ``1``).  A web repost's headline that runs the number into the
title on one line (``商务部 海关总署公告2023年第39号 关于…的公告``) is the title as printed.
A red-header letterhead (``中华人民共和国商务部文件``, set larger still) names the issuer,
not the document: the title is the next size down.

Running headers and page numbers are furniture by the time this runs (``ingest.furniture``),
so the repeated line at the top of the page is never a candidate.  Files whose title is in
the body size (plain text, a seed's text layer) have no title block: the line-by-line reader
in ``ingest.identity_head`` decides there.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ingest.identity_fields import find_numbers, split_issuers, squeeze
from ingest.identity_head import is_body_start, is_date_only, strip_marker
from models.document import Block

# A title is at least this much larger than the body text.
_TITLE_SCALE = 1.15
# Lines of one title differ in size by less than this: a text layer gives each glyph its
# font's size (one title, one size); OCR estimates a size per line from ink, and the lines
# of one title measured up to 5 % apart on the dev scans (15.0 pt read 14.0 and 13.3,
# ``ingest.ocr.chars._line_height``), while a subtitle or heading set in the next size down
# is 12 % or more smaller (16/14, 12/10.5 pt).
TEXT_TOLERANCE = 0.5  # points
OCR_TOLERANCE = 0.08  # share of the title's size
# Blocks of the front matter looked at: a title comes before the body, in the first few.
_HEAD_BLOCKS = 12
_SUBTITLE = re.compile(r"^\s*[―—－─‐~～]")
_SYMBOL_MARKER = re.compile(r"\s*(?:[*＊※†‡]+[0-9]{0,2})$")
_CLAUSE = re.compile(r"^[（(].*[）)]$")
_LETTERHEAD_WORD = re.compile(r"(?:文件|文書|公报|公報|通報|通报)$")
_COUNTRY = re.compile(r"^(?:中华人民共和国|中華人民共和國|中華人民共和国)")


@dataclass
class TitleBlock:
    text: str
    block: int  # index of its first title block in the given list
    numbers_line: str | None = None  # a line that is only the document number


def body_size(blocks: list[Block]) -> float | None:
    """The font size most of the text is set in."""
    weights: Counter[float] = Counter()
    for block in blocks:
        if block.font_size:
            weights[round(block.font_size, 1)] += len(block.text)
    return max(weights, key=lambda s: (weights[s], -s)) if weights else None


def _is_number_line(text: str) -> bool:
    """The whole line is a document number (with its issuers)."""
    numbers = find_numbers(text)
    squeezed = squeeze(text)
    return bool(numbers) and len(numbers[0].text) >= len(squeezed) - 1


def strip_title_marker(text: str) -> str:
    """A title without a glued footnote marker: ``*``, ``※``, ``†``, a trailing digit."""
    text = _SYMBOL_MARKER.sub("", text.strip())
    return strip_marker(text)[0]


def title_block(blocks: list[Block], size: float | None, ocr: bool = False) -> TitleBlock | None:
    """The title printed larger than the body at the top of the first page of ``blocks``
    (``ocr``: that page was read by OCR, its sizes are estimates)."""
    if not blocks or size is None:
        return None
    page = blocks[0].page
    head: list[tuple[int, Block]] = []
    for index, block in enumerate(blocks[:_HEAD_BLOCKS]):
        if block.page != page or (head and is_body_start(block.text)):
            break
        head.append((index, block))
    sizes = sorted({round(b.font_size, 1) for _, b in head if b.font_size}, reverse=True)
    for largest in sizes:
        if largest < _TITLE_SCALE * size:
            return None
        tolerance = OCR_TOLERANCE * largest if ocr else TEXT_TOLERANCE
        found = _run_of_size(head, largest, tolerance)
        if found is not None and not is_letterhead(found.text):
            return found
    return None


def is_letterhead(text: str) -> bool:
    """The issuer's name set large above a red-header document (中华人民共和国商务部文件):
    the name of the body that issues, not the title of what it issues."""
    line = _COUNTRY.sub("", _LETTERHEAD_WORD.sub("", squeeze(text)))
    names = split_issuers(line)
    return bool(names) and sum(len(n) for n in names) >= len(line) - len(names)


def _run_of_size(
    head: list[tuple[int, Block]], largest: float, tolerance: float = TEXT_TOLERANCE
) -> TitleBlock | None:
    """The first run of lines printed in ``largest`` (within ``tolerance`` points), less
    number, date and subtitle lines."""
    parts: list[str] = []
    first: int | None = None
    number_line: str | None = None
    previous_bottom: float | None = None
    for index, block in head:
        if block.font_size is None or abs(block.font_size - largest) >= tolerance:
            if parts:
                break
            continue
        for text, top, bottom in _printed_lines(block):
            if previous_bottom is not None and top - previous_bottom > 1.5 * largest:
                break  # a second heading of that size further down
            previous_bottom = bottom
            if parts and (_SUBTITLE.match(text) or _CLAUSE.match(text)):
                break
            if _is_number_line(text) or is_date_only(text):
                number_line = number_line or text
                continue
            first = index if first is None else first
            parts.append(text)
        else:
            continue
        break
    if not parts or first is None:
        return None
    return TitleBlock(strip_title_marker(squeeze("".join(parts))), first, number_line)


def _printed_lines(block: Block) -> list[tuple[str, float, float]]:
    """(clean text, top, bottom) of each printed line of ``block``."""
    if block.char_span is None or not block.lines:
        return [(block.text, block.bbox.top, block.bbox.bottom)]
    lines: list[tuple[str, float, float]] = []
    base = block.char_span.start
    for line in block.lines:
        if line.char_span is None:
            continue
        text = block.text[line.char_span.start - base : line.char_span.end - base].strip()
        if text:
            lines.append((text, line.bbox.top, line.bbox.bottom))
    return lines or [(block.text, block.bbox.top, block.bbox.bottom)]
