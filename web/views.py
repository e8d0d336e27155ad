"""The document view's model: text segments (articles and the paragraphs between them) with
record spans marked, and the records panel.  Built from a ``StoredVersion`` alone.

Offsets are ``Document.text`` offsets (``Provenance.char_span``), so a record's span inside
an article is its span minus the article's start.  Text stays plain here; the templates
escape it (PDF text is untrusted).
"""

from __future__ import annotations

import itertools
from bisect import bisect_left
from dataclasses import dataclass, field

from models.corpus import StoredVersion
from models.document import BlockKind, Document
from models.provenance import BBox, CharSpan
from models.records import (
    Article,
    DateMention,
    Definition,
    ItemList,
    Record,
    Reference,
    Threshold,
)
from web.display import threshold_text

MARKED_KINDS = ("threshold", "date", "item_list", "definition", "reference")
ROW_TEXT_CHARS = 80


@dataclass
class Piece:
    """A run of text covered by the same set of records (none for plain text)."""

    text: str
    kinds: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    anchor: str | None = None  # the record whose mark starts here (id="m-…")

    @property
    def css(self) -> str:
        return " ".join(f"k-{k}" for k in dict.fromkeys(self.kinds))


@dataclass
class Segment:
    start: int
    end: int
    page: int
    kind: str  # "article", "heading", "body", "list_item", "footnote"
    pieces: list[Piece]
    label: str | None = None
    article: int | None = None
    law: str | None = None
    chapter: str | None = None
    record_id: str | None = None
    focus: bool = False
    box: Box | None = None  # the segment's lines on its page (a search hit's outline)
    lang: str = "und"  # the language of its text (lang="zh" / "ja" on the element)
    part: str | None = None  # the sub-document it sits in: 別紙1 · title

    @property
    def anchor(self) -> str:
        return f"o{self.start}"


@dataclass
class Box:
    """A bbox as percentages of its page, for an overlay on the rendered page image."""

    left: float
    top: float
    width: float
    height: float

    @property
    def style(self) -> str:
        return (
            f"left:{self.left:.2f}%;top:{self.top:.2f}%;"
            f"width:{self.width:.2f}%;height:{self.height:.2f}%"
        )

    @property
    def data(self) -> str:
        return f"{self.left:.2f},{self.top:.2f},{self.width:.2f},{self.height:.2f}"


@dataclass
class RecordRow:
    id: str
    kind: str
    summary: str
    text: str
    article_label: str | None
    page: int
    box: Box | None
    start: int
    role: str | None = None  # dates: promulgated, effective... (translated on screen)
    lang: str = "und"


@dataclass
class DocumentView:
    doc_id: str
    version: int
    sha256: str
    body: list[Segment]
    footnotes: list[Segment]
    rows: list[RecordRow]
    page_count: int
    language: str = "und"

    @property
    def articles(self) -> list[Segment]:
        """Article segments in text order: the table of contents, previous / next article."""
        return [s for s in self.body if s.kind == "article"]

    def neighbours(self, segment: Segment) -> tuple[Segment | None, Segment | None]:
        articles = self.articles
        i = next((n for n, s in enumerate(articles) if s is segment), None)
        if i is None:
            return None, None
        return (articles[i - 1] if i else None, articles[i + 1] if i + 1 < len(articles) else None)

    def row(self, record_id: str | None) -> RecordRow | None:
        return next((r for r in self.rows if r.id == record_id), None)

    def with_focus(
        self, at: int | None, article: int | None, law: str | None, page: int | None
    ) -> Segment | None:
        """The segment a search hit points at: by offset, else article (and law), else page.
        Marks it ``focus`` (and unmarks the others) and returns it."""
        segments = self.body + self.footnotes
        found: Segment | None = None
        if at is not None:
            found = next((s for s in segments if s.start <= at < max(s.end, s.start + 1)), None)
        if found is None and article is not None:
            same = [s for s in segments if s.kind == "article" and s.article == article]
            found = next((s for s in same if law and s.law == law), same[0] if same else None)
        if found is None and page is not None:
            found = next((s for s in segments if s.page == page), None)
        for s in segments:
            s.focus = s is found
        return found


def summarise(record: Record) -> str:
    """One short line describing what was extracted (the panel's main column); a date's
    role is left to the template, which translates it."""
    if isinstance(record, Threshold):
        return threshold_text(record)
    if isinstance(record, DateMention):
        return record.iso or record.rule or record.raw
    if isinstance(record, ItemList):
        return f"{record.heading} ({len(record.items)})"
    if isinstance(record, Definition):
        return record.term
    if isinstance(record, Reference):
        target = record.target_label or (
            f"第{record.target_article}条" if record.target_article else ""
        )
        return f"→ {record.target_law or ''} {target}".strip()
    if isinstance(record, Article):
        return record.label
    return record.kind


def _box(bbox: BBox | None, page: int, document: Document) -> Box | None:
    if bbox is None or not 1 <= page <= len(document.pages):
        return None
    size = document.pages[page - 1]
    if size.width <= 0 or size.height <= 0:
        return None
    return Box(
        left=100 * bbox.x0 / size.width,
        top=100 * bbox.top / size.height,
        width=100 * (bbox.x1 - bbox.x0) / size.width,
        height=100 * (bbox.bottom - bbox.top) / size.height,
    )


def _pieces(text: str, start: int, end: int, marks: list[tuple[int, int, str, str]]) -> list[Piece]:
    """Split ``text[start:end]`` where marks begin or end; each piece lists its covering marks."""
    inside = [m for m in marks if m[0] < end and start < m[1]]
    cuts = sorted(
        {start, end, *(max(start, m[0]) for m in inside), *(min(end, m[1]) for m in inside)}
    )
    pieces: list[Piece] = []
    anchored: set[str] = set()
    for a, b in itertools.pairwise(cuts):
        covering = [m for m in inside if m[0] <= a and b <= m[1]]
        anchor = next((m[3] for m in covering if m[3] not in anchored), None)
        if anchor:
            anchored.add(anchor)
        pieces.append(Piece(text[a:b], [m[2] for m in covering], [m[3] for m in covering], anchor))
    return pieces


def _article_spans(articles: list[Article]) -> list[Article]:
    """Outermost articles, in text order (a quotation nested in another article stays inside)."""
    chosen: list[Article] = []
    last_end = -1
    for art in sorted(
        articles, key=lambda a: (a.provenance.char_span.start, -len(a.provenance.char_span))
    ):
        span = art.provenance.char_span
        if span.start >= last_end and len(span):
            chosen.append(art)
            last_end = span.end
    return chosen


def build_view(stored: StoredVersion) -> DocumentView:
    document = stored.document
    assert document is not None, "the document view needs the stored Document"
    text = document.text
    records = stored.records
    articles = _article_spans([r for r in records if isinstance(r, Article)])
    starts = [a.provenance.char_span.start for a in articles]
    article_starts = set(starts)
    # A reference sitting on an article's own label points at itself: noise in the panel.
    shown = [
        r
        for r in records
        if not (isinstance(r, Reference) and r.provenance.char_span.start in article_starts)
    ]
    marks = sorted(
        (start, end, r.kind, r.id)
        for r in shown
        if r.kind in MARKED_KINDS and len(r.provenance.char_span)
        for start, end in _marked_spans(r, text)
    )
    segments: list[Segment] = []
    for art in articles:
        span = art.provenance.char_span
        segments.append(
            Segment(
                start=span.start,
                end=span.end,
                page=art.provenance.page,
                kind="article",
                pieces=_pieces(text, span.start, span.end, marks),
                label=art.label,
                article=art.number,
                law=art.law,
                chapter=art.chapter,
                record_id=art.id,
            )
        )
    for block in document.blocks:
        span = block.char_span
        if span is None or block.kind.is_furniture or not len(span):
            continue
        for a, b in _outside_articles(span.start, span.end, articles, starts):
            if text[a:b].strip():
                kind = "footnote" if block.kind == BlockKind.FOOTNOTE else block.kind.value
                segments.append(Segment(a, b, block.page, kind, _pieces(text, a, b, marks)))
    segments.sort(key=lambda s: (s.start, s.end))
    for seg in segments:
        seg.box = _box(
            document.locate(CharSpan(start=seg.start, end=seg.end))[1], seg.page, document
        )
        seg.lang = _lang_at(document, seg.start)
        seg.part = _part_at(document, seg.start)
    rows = [
        RecordRow(
            id=r.id,
            kind=r.kind,
            summary=summarise(r),
            text=r.text if len(r.text) <= ROW_TEXT_CHARS else r.text[:ROW_TEXT_CHARS] + "…",
            article_label=r.article_label,
            page=r.provenance.page,
            box=_box(r.provenance.bbox, r.provenance.page, document),
            start=r.provenance.char_span.start,
            role=r.role if isinstance(r, DateMention) else None,
            lang=_lang_at(document, r.provenance.char_span.start),
        )
        # In reading order: the panel follows the text (an article, then its records).
        for r in sorted(shown, key=lambda r: (r.provenance.char_span.start, r.kind != "article"))
    ]
    return DocumentView(
        doc_id=stored.doc_id,
        version=stored.version,
        sha256=stored.info.sha256,
        body=[s for s in segments if s.start < document.body_end],
        footnotes=[s for s in segments if s.start >= document.body_end],
        rows=rows,
        page_count=len(document.pages),
        language=document.language,
    )


def _lang_at(document: Document, offset: int) -> str:
    """The language of the block holding ``offset`` (a Japanese commentary quotes Chinese
    law); the document's where the block does not say."""
    blocks = document.blocks_in(CharSpan(start=offset, end=offset + 1))
    lang = blocks[0].lang if blocks else "und"
    return lang if lang != "und" else document.language


def _part_at(document: Document, offset: int) -> str | None:
    """``別紙1 · 商务部公告2023年第39号``: the sub-document a passage belongs to (which
    notice an 一、 is from); None in a file that is one document."""
    sub = document.subdocument_at(offset)
    if sub is None or sub.key == "main":
        return None
    identity = sub.identity
    name = identity.title or identity.number or sub.key
    return f"{identity.label} · {name}" if identity.label else name


def _marked_spans(record: Record, text: str) -> list[tuple[int, int]]:
    """What a record marks in the text: its span; for an item list, each of its items (a
    list's span runs from its heading to its last item and may hold a whole chapter)."""
    span = record.provenance.char_span
    if not isinstance(record, ItemList) or not record.items:
        return [(span.start, span.end)]
    found: list[tuple[int, int]] = []
    cursor = span.start
    for item in record.items:
        located = locate_text(text, item.text, cursor, span.end)
        if located is not None:
            found.append(located)
            cursor = located[1]
    return found or [(span.start, span.end)]


def locate_text(text: str, needle: str, lo: int, hi: int) -> tuple[int, int] | None:
    """Where ``needle`` sits in ``text[lo:hi]``, white space ignored on both sides (an item's
    text is joined from lines the document text keeps broken)."""
    wanted = "".join(needle.split())
    if not wanted:
        return None
    head = wanted[: min(len(wanted), 8)]
    start = text.find(head[0], lo, hi)
    while start != -1:
        end = _match_from(text, wanted, start, hi)
        if end is not None:
            return start, end
        start = text.find(head[0], start + 1, hi)
    return None


def _match_from(text: str, wanted: str, start: int, hi: int) -> int | None:
    i = start
    for char in wanted:
        while i < hi and text[i].isspace():
            i += 1
        if i >= hi or text[i] != char:
            return None
        i += 1
    return i


def _outside_articles(
    start: int, end: int, articles: list[Article], starts: list[int]
) -> list[tuple[int, int]]:
    """The parts of ``[start, end)`` that no chosen article covers."""
    parts: list[tuple[int, int]] = []
    cursor = start
    i = max(0, bisect_left(starts, start) - 1)
    while i < len(articles) and cursor < end:
        span = articles[i].provenance.char_span
        i += 1
        if span.end <= cursor:
            continue
        if span.start >= end:
            break
        if span.start > cursor:
            parts.append((cursor, span.start))
        cursor = max(cursor, span.end)
    if cursor < end:
        parts.append((cursor, end))
    return parts
