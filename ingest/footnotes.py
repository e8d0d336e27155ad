"""Footnotes: split a page's footnote zone into numbered notes and find their markers.

Notes are numbered in sequence through the document; a zone line opens note ``n`` only when
it starts with the label ``n`` the sequence expects (so ``30 条）`` wrapped to the start of a
line is not note 30).  Lines before the first label of a page continue the previous note.

Markers are looked for in reading order, one note after another, between the previous marker
and the note itself (on the note's page or the page before).  A raised or smaller digit run is
taken first; failing that, a digit run glued into the text whose *suffix* is the expected
number (``付属文書 16第一部`` = ``付属文書1`` + marker 6) and which is not part of a quantity,
date or ordinal (``8月 22日``, ``第 10 条``, ``2025.8.22``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ingest.layout import DraftBlock, Metrics, TextLine, ends_sentence, note_label
from ingest.normalize import is_wide, line_separator
from models.document import BlockKind

# A number directly followed by one of these is a quantity, date or ordinal, not a marker.
COUNTERS = frozenset(
    "年月日时時分秒条條项項号號款章节節编編回次倍件个個人名社歳岁元円万億亿千百%％‰度℃°"
    "位部頁页点種种类類型层層级級枚台冊册ヶケカ箇頭匹週周期段つ兆ドトキセミ"
)
_NUMBER_JOINERS = frozenset(".,:/-~．，：／－～")
_DIGITS = re.compile(r"\d+")
# How far from the expected number an out-of-sequence note label may be.
_SEQUENCE_SLACK = 3
# A note set off by a symbol instead of a number (``※ 平成…現在の条文``, ``* 本法…``,
# ``注：转载稿…``); the symbol also marks what the note is about (``…法*``, ``（节选）※``).
_SYMBOL_LABEL = re.compile(r"^(?:(?P<mark>※|\*{1,3}|＊{1,3}|†|‡)|(?P<word>注)\s*[：:])\s*(?!\d)")
# A glued symbol marker ends a word: end of line, white space or punctuation after it.
_MARKER_END = frozenset(" \u3000\n。．.，,、;；:：)）」』】")


@dataclass
class MarkerLink:
    note: DraftBlock
    block: DraftBlock
    offset: int  # where the marker stood in ``block`` after removal


def split_notes(
    zones: list[list[TextLine]], metrics: Metrics
) -> tuple[list[DraftBlock], list[str]]:
    """One FOOTNOTE block per note per page; a note running over a page break continues."""
    blocks: list[DraftBlock] = []
    warnings: list[str] = []
    expected = 1
    used: set[int] = set()
    for lines in zones:
        labelled_on_page = False
        for line in lines:
            label = note_label(line)
            number = label[0] if label else None
            symbol = _SYMBOL_LABEL.match(line.text) if label is None else None
            if symbol is not None:
                block = DraftBlock(BlockKind.FOOTNOTE, line.page, [], footnote_number=0)
                block.note_label = symbol.group("mark") or symbol.group("word")
                block.add_line(line, "")
                block.strip_prefix(symbol.end())
                blocks.append(block)
                continue
            restart = number == 1 and not labelled_on_page and expected > 1
            if (
                label
                and number is not None
                and (
                    number == expected
                    or restart
                    or _opens_out_of_sequence(line, label, blocks, expected, used, metrics)
                )
            ):
                if restart:
                    warnings.append(f"footnote numbering restarts at 1 on page {line.page}")
                    used.clear()
                block = DraftBlock(BlockKind.FOOTNOTE, line.page, [], footnote_number=number)
                block.add_line(line, "")
                block.strip_prefix(label[1])
                blocks.append(block)
                used.add(number)
                expected = max(used) + 1
                labelled_on_page = True
            elif blocks and blocks[-1].page == line.page:
                previous = blocks[-1].lines[-1]
                separator = line_separator(previous.text, line.text, metrics.is_full(previous))
                blocks[-1].add_line(line, separator)
            else:
                number = blocks[-1].footnote_number if blocks else None
                block = DraftBlock(BlockKind.FOOTNOTE, line.page, [], footnote_number=number)
                block.continues_previous = bool(blocks)
                block.add_line(line, "")
                blocks.append(block)
    return blocks, warnings


def _opens_out_of_sequence(
    line: TextLine,
    label: tuple[int, int],
    blocks: list[DraftBlock],
    expected: int,
    used: set[int],
    metrics: Metrics,
) -> bool:
    """A label near the expected number, not used yet, where the previous note has ended.

    Notes are laid out by page, so a note whose marker comes later in the text can sit on
    the page before the one expected next (notes 1, 2, 4 on page 1; 3 on page 2).  The
    previous note must look finished (a sentence end, a short last line, or this line
    outdented from it), and the label must not be a quantity (``5 月``, ``30 条``).
    """
    number, length = label
    if number in used or number < 1 or abs(number - expected) > _SEQUENCE_SLACK:
        return False
    rest = line.text[length:].lstrip()
    if not rest or (rest[0] in COUNTERS and _gap_after(line, length) < 0.6 * line.size):
        return False  # 5 月: a quantity; 4　日本の: a label set off by a full-width space
    if not blocks:
        return True
    previous = blocks[-1].lines[-1]
    return (
        ends_sentence(previous.text)
        or not metrics.is_full(previous)
        or line.x0 < previous.x0 - 0.5 * line.size
    )


def _gap_after(line: TextLine, length: int) -> float:
    """Blank space between ``line.text[:length]`` and the next inked glyph."""
    last = line.origin[length - 1]
    following = next((g for g in line.glyphs[last + 1 :] if g.text.strip()), None)
    return following.x0 - line.glyphs[last].x1 if following else 0.0


def _inside_url(text: str, position: int) -> bool:
    start = position
    while start > 0 and text[start - 1] != " " and not is_wide(text[start - 1]):
        start -= 1
    token = text[start:position]
    return "://" in token or token.startswith("www.")


def _is_glued_marker(text: str, start: int, run_start: int, run_end: int) -> bool:
    """Is ``text[start:run_end]`` (a suffix of the digit run) a plausible glued marker?"""
    if run_start == 0 or _inside_url(text, run_start):
        return False  # a block never starts with a marker (that is a list label)
    after = text[run_end] if run_end < len(text) else ""
    following = text[run_end + 1] if run_end + 1 < len(text) else ""
    if after in COUNTERS or (after.isascii() and after.isalnum()):
        return False
    if after in _NUMBER_JOINERS and following.isascii() and following.isalnum():
        return False
    before = text[run_start - 1]
    before2 = text[run_start - 2] if run_start >= 2 else ""
    if before in _NUMBER_JOINERS and before2.isdigit():
        return False  # tail of 2025.8.22, 4.24, 1576-2015
    if before in "※*＊注":
        return False  # ※1, 注1: the text's own note labels, not footnote markers
    # 第10, G7, ISO9001: an ordinal or a name, not a marker
    return not (start == run_start and (before == "第" or (before.isascii() and before.isalpha())))


def marker_spans(
    text: str, number: int, begin: int = 0, raised: list[bool] | None = None
) -> list[tuple[int, int]]:
    """Where footnote ``number``'s marker may stand in ``text`` (from ``begin``), in order.

    With ``raised`` (per character), only raised digit runs count; without it, digits glued
    into the text that are not part of a quantity, date, ordinal, code or URL.
    """
    wanted = str(number)
    found: list[tuple[int, int]] = []
    for match in _DIGITS.finditer(text, begin):
        run_start, run_end = match.span()
        if not match.group().endswith(wanted):
            continue
        start = run_end - len(wanted)
        if raised is not None:
            if all(raised[start:run_end]) and (start == run_start or not raised[start - 1]):
                found.append((start, run_end))
        elif _is_glued_marker(text, start, run_start, run_end):
            found.append((start, run_end))
    return found


def link_markers(
    sequence: list[DraftBlock], notes: list[DraftBlock]
) -> tuple[list[MarkerLink], list[str]]:
    """Find, remove and link each note's marker.

    ``sequence`` holds every text block in reading order (each page's body, then its notes).
    """
    position = {id(block): i for i, block in enumerate(sequence)}
    pages = [block.page for block in sequence]  # non-decreasing: reading order
    links: list[MarkerLink] = []
    warnings: list[str] = []
    cursor_block, cursor_offset = 0, 0
    # A document that sets its markers raised is trusted on that alone: guessing glued digits
    # there would only find dates and counts.
    raised_runs = sum(
        1
        for block in sequence
        for i, ch in enumerate(block.chars)
        if ch.isdigit() and block.raised[i] and (i == 0 or not block.raised[i - 1])
    )
    passes = (True,) if raised_runs >= max(1, len(notes) // 2) else (True, False)
    for note in notes:
        number = note.footnote_number
        if number is None:
            continue
        end = position[id(note)]
        if number == 0:
            link = _link_symbol(sequence, note, end)
            if link is not None:
                links.append(link)
            continue
        hit: tuple[int, int, int] | None = None
        # markers sit on the note's page or the one before it, never earlier
        first = max(cursor_block, bisect.bisect_left(pages, note.page - 1))
        for strong in passes:
            for index in range(first, end):
                block = sequence[index]
                begin = cursor_offset if index == cursor_block else 0
                found = marker_spans(block.text, number, begin, block.raised if strong else None)
                if found:
                    hit = (index, *found[0])
                    break
            if hit:
                break
        if hit is None:
            warnings.append(f"footnote {number} (page {note.page}): marker not found in the text")
            continue
        index, start, stop = hit
        block = sequence[index]
        cut = block.delete(start, stop)
        block.footnote_refs.append(number)
        links.append(MarkerLink(note, block, cut))
        cursor_block, cursor_offset = index, cut
    return links, warnings


def _link_symbol(sequence: list[DraftBlock], note: DraftBlock, end: int) -> MarkerLink | None:
    """The first glued ``※``/``*``/``†`` marker of a symbol note on its page (a ``注`` note has
    none): after a word, never opening a block (that is the text's own note label)."""
    mark = note.note_label
    if not mark or mark == "注":
        return None
    for block in sequence[:end]:
        if block.page != note.page or block.kind is BlockKind.FOOTNOTE:
            continue
        text = block.text
        start = text.find(mark)
        while start > 0:
            stop = start + len(mark)
            after = text[stop : stop + 1]
            if (
                not text[start - 1].isspace()
                and text[start - 1] not in "※*＊†‡"
                and (not after or after in _MARKER_END)
            ):
                cut = block.delete(start, stop)
                block.footnote_refs.append(0)
                return MarkerLink(note, block, cut)
            start = text.find(mark, stop)
    return None
