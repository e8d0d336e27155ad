"""Page furniture: running headers, footers and page numbers.

Three signals, strongest first:

* a page number, by its form (``— 3 —``, ``-3-``, ``3/16``, ``(3)``, ``第3页/共16页``,
  ``第 2 页（共 16 页）``, ``Page 3 of 16``, ``iv``) at a position the other pages' numbers
  share (left and right alternate on facing pages: only the height is compared);
* text repeated (digits ignored) near the same edge of many pages, or at the top of a later
  page repeating the first page's title (a header printed from page 2 on, in a short file);
* on a one-page file, where nothing can repeat: small print above a rule that crosses the
  text column at the top of the page, or, without a rule, small print alone in the top margin
  that is smaller than everything else in the page's head (title, datelines, body).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from ingest.lines import TextLine
from ingest.pdf import Rule
from models.document import BlockKind

_N = r"\d{1,4}"
_DASH = r"[-–—－―~～]"
# ``/ 16``, ``of 16``, ``/共16页``, ``（共 16 页）``, ``　共2页``: the page count after the number.
_TOTAL = rf"(?:\s*(?:[/／]|of)\s*{_N}|[\s,，、/／]*[(（]?\s*共\s*{_N}\s*[页頁][)）]?)"
PAGE_NUMBER = re.compile(
    rf"^(?:{_DASH}*\s*[(\[（]?\s*(?:page|p\.|第)?\s*{_N}\s*(?:页|頁|ページ)?{_TOTAL}?"
    rf"\s*[)\]）]?\s*{_DASH}*"
    rf"|共\s*{_N}\s*[页頁][\s,，、/／]*第\s*{_N}\s*[页頁]"
    r"|[ivxlcdm]{1,6}|[-－]\s*[ivxlc]{1,6}\s*[-－])$",
    re.IGNORECASE,
)
# How close to the edges furniture sits (fraction of the page height).
_EDGE = 0.1
# A one-page header: a rule under it at least this wide (fraction of the page width), and
# the header within this fraction of the page height from the top; without a rule, its print
# is smaller than everything else in the page's head (this fraction of the height).
_HEADER_RULE_WIDTH = 0.45
_HEADER_ZONE = 0.15
_HEAD_ZONE = 0.25


def _furniture_keys(line: TextLine, is_top: bool) -> list[str]:
    where = f"{is_top}|{round(line.top / 10)}|"
    keys = [where + line.text]
    numbers = re.findall(r"\d+", line.text)
    if str(line.page) in numbers:
        keys.append(where + "#|" + re.sub(r"\d+", "#", line.text))
    return keys


def _title_lines(pages: list[list[TextLine]]) -> set[str]:
    """The first lines of the first page: what a running header from page 2 repeats."""
    first = next((p for p in pages if p), [])
    if len(pages) < 2:
        return set()
    return {_unmarked(ln.text) for ln in sorted(first, key=lambda ln: ln.top)[:3]}


def _unmarked(text: str) -> str:
    """A line without a footnote marker glued to its end (``…法*``, ``…法1``)."""
    return re.sub(r"[*＊※†‡]+\d{0,2}$|(?<=\D)\d{1,2}$", "", text.strip())


def _body_size(pages: list[list[TextLine]]) -> float:
    weights: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            weights[line.size] += len(line.text)
    return max(weights, key=lambda s: (weights[s], s)) if weights else 10.0


def find_furniture(
    pages: list[list[TextLine]],
    heights: dict[int, float],
    rules: dict[int, list[Rule]] | None = None,
    widths: dict[int, float] | None = None,
) -> dict[int, BlockKind]:
    """``id(line) -> kind`` for running headers, footers and page numbers.

    A candidate is among the two outermost lines of a page, in its outer 10 %.  Page numbers
    are recognised by their form at a position shared with the other pages' numbers; other
    text is furniture when it repeats (digits ignored) on many pages at about the same height.
    A one-page file has its header found by geometry (see the module docstring).
    """
    candidates: list[tuple[TextLine, bool]] = []
    for lines in pages:
        if not lines:
            continue
        height = heights[lines[0].page]
        # by position, not reading order: a multi-column page reads its header mid-list
        lines = sorted(lines, key=lambda ln: ln.top)
        outer = lines[:2] + lines[-2:] if len(lines) > 4 else lines
        for line in dict.fromkeys(outer):
            is_top = line.bottom < _EDGE * height
            is_bottom = line.top > (1 - _EDGE) * height
            if is_top or is_bottom:
                candidates.append((line, is_top))
    kinds: dict[int, BlockKind] = {}
    numbered = [(ln, top) for ln, top in candidates if PAGE_NUMBER.match(ln.text.strip())]
    if numbered:
        positions = Counter(round(ln.top / 8) for ln, _ in numbered)
        usual = {pos for pos, n in positions.items() if n >= max(1, len(numbered) // 3)}
        for line, _ in numbered:
            if round(line.top / 8) in usual or len(pages) == 1:
                kinds[id(line)] = BlockKind.PAGE_NUMBER
    # Running text repeats verbatim; a running text with a number must carry the page number.
    seen: dict[str, set[int]] = defaultdict(set)
    for line, is_top in candidates:
        if id(line) not in kinds:
            for key in _furniture_keys(line, is_top):
                seen[key].add(line.page)
    threshold = max(2, round(0.3 * len(pages)))
    title = _title_lines(pages)
    for line, is_top in candidates:
        if id(line) in kinds:
            continue
        if any(len(seen[key]) >= threshold for key in _furniture_keys(line, is_top)):
            kinds[id(line)] = BlockKind.HEADER if is_top else BlockKind.FOOTER
        elif is_top and line.page > 1 and _unmarked(line.text) in title:
            kinds[id(line)] = BlockKind.HEADER  # the title repeated from page 2 on
    if len([p for p in pages if p]) == 1:
        lines = next(p for p in pages if p)
        page = lines[0].page
        for line in _single_page_header(
            lines, heights[page], (rules or {}).get(page, []), (widths or {}).get(page), kinds
        ):
            kinds.setdefault(id(line), BlockKind.HEADER)
    return kinds


def _single_page_header(
    lines: list[TextLine],
    height: float,
    rules: list[Rule],
    width: float | None,
    kinds: dict[int, BlockKind],
) -> list[TextLine]:
    """The header lines of a one-page file: small print at the top, set off by a rule or
    smaller than all the print under it in the page's head."""
    ordered = sorted((ln for ln in lines if id(ln) not in kinds), key=lambda ln: ln.top)
    if len(ordered) < 3:
        return []
    body = _body_size([ordered])
    # the header block: the top line and the small lines set tight under it
    block = [ordered[0]]
    for line in ordered[1:]:
        previous = block[-1]
        if abs(line.size - previous.size) > 0.5 or line.top - previous.bottom > 0.8 * line.size:
            break
        block.append(line)
    following = ordered[len(block)] if len(block) < len(ordered) else None
    if following is None or any(ln.size >= body - 0.1 for ln in block):
        return []
    if block[-1].bottom > _HEADER_ZONE * height:
        return []
    page_width = width or max(ln.x1 for ln in ordered) + min(ln.x0 for ln in ordered)
    for rule in rules:
        if (
            rule.x1 - rule.x0 >= _HEADER_RULE_WIDTH * page_width
            and block[-1].bottom - 1 <= rule.top <= following.top + 1
        ):
            return block
    # no rule: the smallest print of the page's head, alone in the top margin
    if block[0].top > _EDGE * height or following.top - block[-1].bottom <= block[-1].size:
        return []
    head = [ln for ln in ordered[len(block) :] if ln.top < _HEAD_ZONE * height]
    largest = max(ln.size for ln in block)
    if head and all(ln.size > largest + 0.4 for ln in head):
        return block
    return []
