"""Page layout: printed lines -> furniture / footnote zone / body paragraphs.

Works on ``ingest.lines.TextLine`` (no pdfplumber), in the reading order ``page_lines`` gives
(column by column on a multi-column page).  Geometry decides where a paragraph ends
(indentation, a short last line, a large vertical gap, a change of font size, right-aligned
or centred lines, a new table row); the text of a line's start decides what begins a new
block (article ``第十条``, chapter ``第一章``, list labels ``（一）`` ``一、`` ``1．`` ``①`` ``・``
``■``).  Furniture (headers, footers, page numbers) is found by ``ingest.furniture``;
``find_furniture`` and ``PAGE_NUMBER`` are re-exported here for the callers that import them
from this module.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass

from ingest.furniture import PAGE_NUMBER as PAGE_NUMBER
from ingest.furniture import find_furniture as find_furniture
from ingest.lines import DraftBlock as DraftBlock
from ingest.lines import TextLine as TextLine
from ingest.lines import make_line as make_line
from ingest.lines import page_lines as page_lines
from ingest.normalize import fold, line_separator
from ingest.pdf import RawChar, Rule
from models.document import BlockKind

# Sentence-final punctuation: a short line ending with one of these ends its paragraph.
TERMINAL = frozenset("。．.!?！？:：;；」』)）]】…")
# A heading may end with a bracket, never with sentence punctuation.
SENTENCE_END = frozenset("。．.!?！？:：;；")
_FULL_STOPS = frozenset("。．.!?！？")
BULLETS = frozenset("●○▪▫•・◎▶►➢✓✔-–")  # ■ ◆ □ open headings as often as items
_NUM = r"[一二三四五六七八九十百千零〇两0-9]+"
# 第二条之一 (zh) and 第二条の二 (ja): a branch article starts a block like its main article.
ARTICLE_START = re.compile(rf"^第\s*{_NUM}\s*[条條](?:[之の]{_NUM})*(?:[\s　]+\S|$)")
# A statute's own numbering followed by the ideographic space the text draws after it:
# 項 ``２　``, 号 ``一　``, ``イ　``, ``（１）　``.  Running text never puts U+3000 after a
# numeral at a line start, so such a line opens a provision even after a full line.
STATUTE_LABEL = re.compile(
    # a 別表's rows: 1の項, 3の2の項, 十六の項
    r"^(?:[0-9一二三四五六七八九十]{1,3}(?:の[0-9一二三四五六七八九十]{1,3})*の項"
    r"|[0-9]{1,3}|[一二三四五六七八九十百]{1,4}(?:の[一二三四五六七八九十]{1,3})*"
    r"|[イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセス]"
    r"|[（(][0-9一二三四五六七八九十]{1,3}[)）])\u3000\S"
)
CHAPTER_START = re.compile(
    rf"^第\s*{_NUM}\s*(?:编|編|章|节|節|部分|款)(?:[之の]{_NUM})*(?:[\s　]|$)"
    # a table of contents' own heading, on a line of its own: 目录, 目錄, 目次, 目　录
    r"|^目[\s\u3000]*(?:录|錄|次)$"
)
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

    def edges(self, line: TextLine) -> tuple[float, float]:
        """Left and right edge of the text column ``line`` sits in."""
        if line.column is not None:
            return line.column
        return self.left_of(line.page), self.right_of(line.page)

    def is_full(self, line: TextLine, slack: float = 2.0) -> bool:
        """Does the line run to the column's right edge (within ``slack`` ems)?"""
        return line.x1 >= self.edges(line)[1] - slack * line.size

    def is_very_short(self, line: TextLine) -> bool:
        left, right = self.edges(line)
        return line.x1 - left < 0.6 * max(right - left, 1.0)

    def is_right_aligned(self, line: TextLine) -> bool:
        """Pushed to the right edge from far inside the column: a dateline, a signature."""
        left, right = self.edges(line)
        return right - line.x1 < line.size and line.x0 - left > max(
            6 * line.size, 0.25 * (right - left)
        )

    def is_centred(self, line: TextLine) -> bool:
        """Equal margins on both sides, well inside the column: a title, a chapter heading."""
        left, right = self.edges(line)
        before, after = line.x0 - left, right - line.x1
        return min(before, after) > 2.5 * line.size and abs(before - after) <= max(
            line.size, 0.03 * (right - left)
        )


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


# ---------------------------------------------------------------------------- footnote zone

_OPENING = set("（(「『【《〈〔［[")
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
    # an opening bracket delimits it as a space does (``18（訳者注）``, ``17【…】``): on an
    # OCR'd page one word spans both and no gap is measured; prose does not open a wrapped
    # line with a number and a bracket (``1月に``, ``30 条）``)
    if following.text in _OPENING:
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
    if STATUTE_LABEL.match(line.text):
        return BlockKind.LIST_ITEM if not line.text[:1].isdigit() else BlockKind.BODY
    if LIST_START.match(line.text) and not re.match(r"^\d{1,3}\.\d", line.text):
        return BlockKind.LIST_ITEM
    if OTHER_START.match(line.text):
        return BlockKind.BODY
    return None


def ends_sentence(text: str) -> bool:
    return bool(text) and text[-1] in TERMINAL


def leading_word_width(line: TextLine) -> float:
    """Width of the Latin word or number that opens ``line`` (0 when it opens with CJK)."""
    first: RawChar | None = None
    last: RawChar | None = None
    for glyph in line.glyphs:
        text = fold(glyph.text)
        if not text.strip() and first is None:
            continue
        if (
            not text.strip()
            or not text.isascii()
            or (last is not None and glyph.x0 - last.x1 > 0.25 * line.size)
        ):
            break
        first = first or glyph
        last = glyph
    if first is None or last is None or last is first:
        return 0.0
    return last.x1 - first.x0


def _decimal_wrapped(previous: TextLine, line: TextLine) -> bool:
    """``…純度大於99.`` over ``99999%的多晶``: a number wrapped at its decimal point, not a
    sentence's end (a line that opens a list item, ``2.``, is not one)."""
    ends = previous.text[-2:]
    return (
        len(ends) == 2
        and ends[0].isdigit()
        and ends[1] in ".．"
        and line.text[:1].isdigit()
        and start_kind(line) is None
    )


def fills_column(previous: TextLine, line: TextLine, metrics: Metrics) -> bool:
    """Is ``previous`` full, or short only because ``line``'s opening word did not fit?

    The word-wrap reading needs a line that neither ends a sentence nor stands apart.
    """
    if metrics.is_full(previous):
        return True
    pitch = metrics.pitch.get(line.page, 1.5 * line.size)
    if (
        metrics.is_very_short(previous)
        or (previous.text[-1:] in _FULL_STOPS and not _decimal_wrapped(previous, line))
        or line.top - previous.top > 1.3 * pitch
    ):
        return False
    word = leading_word_width(line)
    return word > 0 and previous.x1 + word > metrics.edges(previous)[1] - 0.25 * previous.size


def _alignment_break(
    previous: TextLine, line: TextLine, metrics: Metrics, full: bool
) -> bool | None:
    """Right-aligned lines stand alone; centred lines join only centred lines like them.

    A line that fills its measure (up to a word that did not fit), or opens a list item at
    the list's indent, is not centred whatever its margins.
    """
    if metrics.is_right_aligned(previous) or metrics.is_right_aligned(line):
        return True
    centred_before = not full and metrics.is_centred(previous) and start_kind(previous) is None
    centred_now = metrics.is_centred(line) and start_kind(line) is None
    if centred_before and centred_now:
        alike = font_family(previous.font) == font_family(line.font)
        close = line.top - previous.bottom < 1.2 * line.size
        # a bracketed line under a title is its own note: （2020年10月17日…通过）
        aside = line.text[:1] in "（(" and line.text[-1:] in "）)"
        return aside or not (alike and close and not ends_sentence(previous.text))
    if centred_before or centred_now:
        return True
    return None


def _row_break(line: TextLine, first: TextLine, full: bool, wrapped: bool) -> bool | None:
    """Table rows: a line with cells opens a row; a wrapped cell continues its row.

    The cell must have wrapped (the line before runs to the edge): text under a short
    ``1．　概要`` aligned with its title is a paragraph, not a cell.
    """
    if line.cells and (first.cells or not wrapped):
        return True
    if (
        full
        and first.cells
        and not line.cells
        and line.x0 > first.x0 + line.size
        and any(abs(line.x0 - cell) < 0.5 * line.size for cell in first.cells)
    ):
        return False
    return None


def _leaves_body_size(previous: TextLine, line: TextLine, metrics: Metrics) -> bool:
    """A line in the body size after a larger one (or before it): a title a point or two
    above the body (14 pt over 12.5) is no line of the paragraph under it, even where it fills
    the measure.  Smaller differences are a text's own noise."""
    body = metrics.body_size
    at_body = [abs(x.size - body) <= 0.03 * body for x in (previous, line)]
    if at_body[0] == at_body[1]:
        return False
    return abs(previous.size - line.size) > 0.08 * max(previous.size, line.size)


def breaks_before(previous: TextLine, line: TextLine, metrics: Metrics, first: TextLine) -> bool:
    """Does ``line`` start a new block after ``previous`` (same page)?"""
    forced = start_kind(line)
    if STATUTE_LABEL.match(line.text) or _is_caption(line, metrics):
        return True
    if _is_caption(previous, metrics):
        return True
    full = fills_column(previous, line, metrics)
    if forced is None and full and _hangs_under(first, line):
        return False  # a statute's continuation line, indented under its label

    wrapped = full and not ends_sentence(previous.text) and not metrics.is_right_aligned(previous)
    if forced is BlockKind.LIST_ITEM and wrapped:
        return False  # a label-like character wrapped mid-sentence: 次頁①及び / ②の措置
    if forced is not None:
        return True
    if abs(previous.size - line.size) > 0.15 * max(previous.size, line.size):
        return True
    if _leaves_body_size(previous, line, metrics):
        return True
    if not wrapped:
        aligned = _alignment_break(previous, line, metrics, full)
        if aligned is not None:
            return aligned
    row = _row_break(line, first, full, wrapped)
    if row is not None:
        return row
    left = metrics.edges(line)[0]
    indented = line.x0 - left >= 0.5 * line.size
    hanging = wrapped and (
        (start_kind(first) is BlockKind.LIST_ITEM and line.x0 > first.x0)
        or _hanging_continuation(first, previous, line)
    )
    if indented and line.x0 > previous.x0 + 0.3 * line.size and not hanging:
        return True
    if full:
        return False
    pitch = metrics.pitch.get(line.page, 1.5 * line.size)
    large_gap = line.top - previous.top > 1.6 * pitch
    if ends_sentence(previous.text):
        return True
    return metrics.is_very_short(previous) or large_gap


def _hanging_continuation(first: TextLine, previous: TextLine, line: TextLine) -> bool:
    """A hanging indent without a label (a list of acts in a 通達: first line at 1em, the
    wrapped lines at 2em): the line sits about one character deeper than the block's first
    line, level with the continuation lines before it."""
    deeper = line.x0 - first.x0
    level = previous is first or abs(previous.x0 - line.x0) < 0.3 * line.size
    return 0.5 * line.size < deeper < 1.6 * line.size and level


# e-Gov's article caption on a line of its own: （目的）, （公害防止管理者の選任）.
_CAPTION = re.compile(r"^[（(][^（）()。、，,：:0-9０-９]{1,30}[）)]$")


def _is_caption(line: TextLine, metrics: Metrics) -> bool:
    return bool(_CAPTION.match(line.text)) and not metrics.is_full(line)


# An article label followed by U+3000, as e-Gov prints it (第二条　, 第五条の二　).
_EGOV_ARTICLE = re.compile(rf"^第{_NUM}条(?:[之の]{_NUM})*\u3000")


def _hangs_under(first: TextLine, line: TextLine) -> bool:
    """e-Gov layout: an article, 項 or 号 starts at its level's indent and its wrapped lines
    hang further in, so a line indented past a labelled first line continues it."""
    labelled = STATUTE_LABEL.match(first.text) or _EGOV_ARTICLE.match(first.text)
    return bool(labelled) and line.x0 > first.x0 + 0.5 * line.size


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
