"""Page layout: glyphs -> printed lines -> furniture / footnote zone / body paragraphs.

Works on ``ingest.pdf.RawPage`` only (no pdfplumber), single column, top-to-bottom reading
order.  Geometry decides where a paragraph ends (indentation, a short last line, a large
vertical gap, a change of font size); the text of a line's start decides what begins a new
block (article ``第十条``, chapter ``第一章``, list labels ``（一）`` ``一、`` ``1．`` ``①`` ``・``
``■``).
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ingest.normalize import fold, is_wide, line_separator, normalize_glyphs
from ingest.pdf import RawChar, RawPage, Rule
from models.document import BlockKind

# Sentence-final punctuation: a short line ending with one of these ends its paragraph.
TERMINAL = frozenset("。．.!?！？:：;；」』)）]】…")
# A heading may end with a bracket, never with sentence punctuation.
SENTENCE_END = frozenset("。．.!?！？:：;；")
BULLETS = frozenset("●○▪▫•・◎▶►➢✓✔-–")  # ■ ◆ □ open headings as often as items
_NUM = r"[一二三四五六七八九十百千零〇两0-9]+"
ARTICLE_START = re.compile(rf"^第\s*{_NUM}\s*条(?:之{_NUM})?(?:[\s　]+\S|$)")
CHAPTER_START = re.compile(rf"^第\s*{_NUM}\s*(?:编|編|章|节|節|部分|款)(?:[\s　]|$)")
LIST_START = re.compile(
    r"^(?:[（(]\s*(?:[一二三四五六七八九十]{1,3}|\d{1,3}|[a-zA-Zア-ンイロハニホヘト])\s*[)）]"
    r"|[一二三四五六七八九十]{1,3}[、．.]"
    r"|\d{1,3}(?:[．、]|\.(?!\d)|\)|）)"
    r"|[a-zA-Z][．.)）](?!\w)"
    r"|[①-⑳⑴-⒇❶-❿㉑-㊿ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]"
    r"|[■□●○◆◇▪▫•・◎★☆▶►➢✓✔])"
)
# These begin a new block without being list items: notes, bracketed labels, subtitles.
OTHER_START = re.compile(r"^(?:※|＊|\*|【|〔|―|—|－{2}|注[:：)）\s　0-9])")
PAGE_NUMBER = re.compile(
    r"^(?:[-–—－―(\[（]?\s*(?:page|p\.|第)?\s*\d{1,4}\s*(?:页|頁|ページ)?"
    r"\s*(?:/\s*\d{1,4}|of\s*\d{1,4}|共\s*\d{1,4}\s*[页頁])?\s*[-–—－―)\]）]?"
    r"|[ivxlcdm]{1,6}|[-－]\s*[ivxlc]{1,6}\s*[-－])$",
    re.IGNORECASE,
)


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
        while self.chars and self.chars[0] == " ":
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
        # fake bold: the same glyph drawn twice, slightly offset
        if (
            previous is not None
            and previous.text == glyph.text
            and abs(previous.x0 - glyph.x0) < 0.3 * _size(glyph)
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
    )


def page_lines(page: RawPage) -> list[TextLine]:
    lines = [make_line(page.number, row) for row in _cluster_rows(page.chars)]
    return sorted((line for line in lines if line is not None), key=lambda ln: ln.top)


# ---------------------------------------------------------------------------- metrics


@dataclass
class Metrics:
    """Document-wide typography: body size, text column edges, line pitch per page."""

    body_size: float
    left: dict[int, float]
    right: dict[int, float]
    pitch: dict[int, float]
    default_left: float
    default_right: float
    body_font: str = ""

    def left_of(self, page: int) -> float:
        return self.left.get(page, self.default_left)

    def right_of(self, page: int) -> float:
        return self.right.get(page, self.default_right)

    def is_full(self, line: TextLine, slack: float = 2.0) -> bool:
        """Does the line run to the column's right edge (within ``slack`` ems)?"""
        return line.x1 >= self.right_of(line.page) - slack * line.size

    def is_very_short(self, line: TextLine) -> bool:
        left = self.left_of(line.page)
        return line.x1 - left < 0.6 * max(self.right_of(line.page) - left, 1.0)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[round(fraction * (len(ordered) - 1))]


def measure(pages: list[list[TextLine]]) -> Metrics:
    weights: Counter[float] = Counter()
    fonts: Counter[str] = Counter()
    for lines in pages:
        for line in lines:
            weights[line.size] += len(line.text)
            fonts[font_family(line.font)] += len(line.text)
    body_size = max(weights, key=lambda s: (weights[s], s)) if weights else 10.0
    left: dict[int, float] = {}
    right: dict[int, float] = {}
    pitch: dict[int, float] = {}
    all_rights: list[float] = []
    all_lefts: Counter[float] = Counter()
    for lines in pages:
        body = [ln for ln in lines if abs(ln.size - body_size) < 0.15 * body_size]
        if not body:
            continue
        page = body[0].page
        lefts = Counter(round(ln.x0) for ln in body)
        all_lefts.update(lefts)
        # the column edge is the leftmost x0 shared by several lines (not a stray outdent)
        common = [x for x, n in lefts.items() if n >= max(2, len(body) // 5)] or list(lefts)
        left[page] = float(min(common))
        rights = [ln.x1 for ln in body if len(ln.text) > 8]
        all_rights.extend(rights)
        if len(rights) >= 5:  # ragged pages each have their own measure
            right[page] = _percentile(rights, 0.9)
        steps = [b.top - a.top for a, b in itertools.pairwise(body)]
        steps = [s for s in steps if 0.8 * body_size < s < 3 * body_size]
        if steps:
            pitch[page] = statistics.median(steps)
    default_right = _percentile(all_rights, 0.9) if all_rights else 500.0
    default_left = float(all_lefts.most_common(1)[0][0]) if all_lefts else 72.0
    body_font = fonts.most_common(1)[0][0] if fonts else ""
    return Metrics(body_size, left, right, pitch, default_left, default_right, body_font)


def font_family(fontname: str) -> str:
    """``ABCDEF+IPAexMincho`` -> ``IPAexMincho``: subset prefixes differ within one font."""
    return fontname.split("+", 1)[-1]


_BOLD = re.compile(r"bold|black|heavy|gothic|W[6-9]\b|Bd\b|demi", re.IGNORECASE)


def is_emphasis_font(line: TextLine, metrics: Metrics) -> bool:
    family = font_family(line.font)
    return family != metrics.body_font and bool(_BOLD.search(family))


# ---------------------------------------------------------------------------- furniture


def _furniture_keys(line: TextLine, is_top: bool) -> list[str]:
    where = f"{is_top}|{round(line.top / 10)}|"
    keys = [where + line.text]
    numbers = re.findall(r"\d+", line.text)
    if str(line.page) in numbers:
        keys.append(where + "#|" + re.sub(r"\d+", "#", line.text))
    return keys


def find_furniture(pages: list[list[TextLine]], heights: dict[int, float]) -> dict[int, BlockKind]:
    """``id(line) -> kind`` for running headers, footers and page numbers.

    A candidate is among the two outermost lines of a page, in its outer 10 %.  Page numbers
    are recognised by their form at a position shared with the other pages' numbers; other
    text is furniture when it repeats (digits ignored) on many pages at about the same height.
    """
    candidates: list[tuple[TextLine, bool]] = []
    for lines in pages:
        if not lines:
            continue
        height = heights[lines[0].page]
        outer = lines[:2] + lines[-2:] if len(lines) > 4 else lines
        for line in dict.fromkeys(outer):
            is_top = line.bottom < 0.1 * height
            is_bottom = line.top > 0.9 * height
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
    for line, is_top in candidates:
        if id(line) in kinds:
            continue
        if any(len(seen[key]) >= threshold for key in _furniture_keys(line, is_top)):
            kinds[id(line)] = BlockKind.HEADER if is_top else BlockKind.FOOTER
    return kinds


# ---------------------------------------------------------------------------- footnote zone

FOOTNOTE_LABEL = re.compile(r"^(?:注|※|\*|＊|†)?\s*[(（]?(\d{1,3})[)）]?(?![\d.,/:])")


def note_label(line: TextLine) -> tuple[int, int] | None:
    """``(number, length in line.text)`` when the line opens a footnote.

    A bare number must be raised, stand alone, or be followed by a space or a gap
    (``1 「稀土…」``, ``¹ See``); ``(1)``, ``1)``, ``注1``, ``※1`` carry their own delimiter.
    A digit run that merely begins a wrapped line (``30 条）``, ``1月に``) is not a label.
    """
    match = FOOTNOTE_LABEL.match(line.text)
    if match is None:
        return None
    found = (int(match.group(1)), match.end())
    if not match.group(0).isdigit():
        return found
    last = line.origin[match.end() - 1]
    if line.raised[line.origin[0]] or last + 1 >= len(line.glyphs):
        return found
    following = line.glyphs[last + 1]
    if not following.text.strip() or following.x0 - line.glyphs[last].x1 > 0.2 * line.size:
        return found
    return None


def footnote_zone_start(
    lines: list[TextLine],
    rules: list[Rule],
    metrics: Metrics,
    width: float,
    height: float | None = None,
) -> int:
    """Index of the first footnote line of a page's (furniture-free) lines; len() if none.

    Footnotes are the trailing lines in a smaller font, under a short rule when there is one;
    without a rule the run must start with a note label.  Notes in the body size count only
    under a short rule in the lower half of the page, starting with a label.
    """
    if not lines:
        return 0
    limit = 0.9 * metrics.body_size
    trailing = len(lines)
    while trailing > 0 and lines[trailing - 1].size < limit:
        trailing -= 1
    left = metrics.left_of(lines[0].page)
    separators = sorted(
        (r for r in rules if 0.04 * width < r.x1 - r.x0 < 0.7 * width and abs(r.x0 - left) < 40),
        key=lambda r: r.top,
    )
    for rule in reversed(separators):
        below = next((i for i, ln in enumerate(lines) if ln.top > rule.top), None)
        if below is None:
            continue
        if trailing <= below < len(lines):
            return below
        if (
            height is not None
            and rule.top > 0.5 * height
            and rule.x1 - rule.x0 < 0.45 * width
            and note_label(lines[below]) is not None
        ):
            return below
    if trailing < len(lines) and note_label(lines[trailing]) is not None:
        return trailing
    return len(lines)


# ---------------------------------------------------------------------------- paragraphs


def start_kind(line: TextLine) -> BlockKind | None:
    """The block kind a line's opening forces, or None when it may continue a paragraph."""
    raw = line.folded_raw
    if CHAPTER_START.match(raw):
        return BlockKind.HEADING
    if ARTICLE_START.match(raw):
        return BlockKind.BODY
    if LIST_START.match(line.text) and not re.match(r"^\d{1,3}\.\d", line.text):
        return BlockKind.LIST_ITEM
    if OTHER_START.match(line.text):
        return BlockKind.BODY
    return None


def ends_sentence(text: str) -> bool:
    return bool(text) and text[-1] in TERMINAL


def breaks_before(previous: TextLine, line: TextLine, metrics: Metrics, first: TextLine) -> bool:
    """Does ``line`` start a new block after ``previous`` (same page)?"""
    forced = start_kind(line)
    wrapped = metrics.is_full(previous) and not ends_sentence(previous.text)
    if forced is BlockKind.LIST_ITEM and wrapped:
        return False  # a label-like character wrapped mid-sentence: 次頁①及び / ②の措置
    if forced is not None:
        return True
    if abs(previous.size - line.size) > 0.15 * max(previous.size, line.size):
        return True
    left = metrics.left_of(line.page)
    indented = line.x0 - left >= 0.5 * line.size
    hanging = (
        start_kind(first) is BlockKind.LIST_ITEM
        and metrics.is_full(previous)
        and line.x0 > first.x0
        and not ends_sentence(previous.text)
    )
    if indented and line.x0 > previous.x0 + 0.3 * line.size and not hanging:
        return True
    if metrics.is_full(previous):
        return False
    pitch = metrics.pitch.get(line.page, 1.5 * line.size)
    large_gap = line.top - previous.top > 1.6 * pitch
    if ends_sentence(previous.text):
        return True
    return metrics.is_very_short(previous) or large_gap


def classify(block: DraftBlock, metrics: Metrics, is_first_block: bool) -> BlockKind:
    first = block.lines[0]
    forced = start_kind(first)
    text = block.text
    single_short = (
        len(block.lines) == 1
        and text[-1:] not in SENTENCE_END
        and len(text) <= 60
        and not metrics.is_full(first)
    )
    if forced is BlockKind.HEADING:
        return forced
    if forced is BlockKind.LIST_ITEM:
        bullet = text[:1] in BULLETS
        return BlockKind.HEADING if single_short and not bullet else BlockKind.LIST_ITEM
    if text[:1] in "【〔" and text[-1:] in "】〕" and len(text) <= 30:
        return BlockKind.HEADING
    if first.size > 1.15 * metrics.body_size and len(text) <= 120:
        return BlockKind.HEADING
    if single_short and is_emphasis_font(first, metrics):
        return BlockKind.HEADING
    if is_first_block and len(block.lines) <= 3 and text[-1:] not in SENTENCE_END:
        return BlockKind.HEADING  # the document's title
    return BlockKind.BODY


def paragraphs(lines: list[TextLine], metrics: Metrics) -> list[DraftBlock]:
    """Group one page's body lines into blocks (kind set later by ``classify``)."""
    blocks: list[DraftBlock] = []
    for line in lines:
        current = blocks[-1] if blocks else None
        if current is None or breaks_before(current.lines[-1], line, metrics, current.lines[0]):
            block = DraftBlock(kind=BlockKind.BODY, page=line.page, lines=[])
            block.add_line(line, "")
            blocks.append(block)
        else:
            previous = current.lines[-1]
            current.add_line(
                line, line_separator(previous.text, line.text, metrics.is_full(previous))
            )
    return blocks


def single_line_block(line: TextLine, kind: BlockKind) -> DraftBlock:
    block = DraftBlock(kind=kind, page=line.page, lines=[])
    block.add_line(line, "")
    return block
