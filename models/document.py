"""An ingested PDF: pages, blocks in reading order, footnotes, identity, sub-documents."""

from __future__ import annotations

import bisect
import itertools
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from models.provenance import BBox, CharSpan

Language = Literal["ja", "zh", "en", "ko", "und"]


class SourceFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str
    sha256: str
    size: int = Field(ge=0)


class BlockKind(StrEnum):
    BODY = "body"
    HEADING = "heading"
    LIST_ITEM = "list_item"
    FOOTNOTE = "footnote"
    HEADER = "header"
    FOOTER = "footer"
    PAGE_NUMBER = "page_number"

    @property
    def is_furniture(self) -> bool:
        """Running headers, footers and page numbers: kept, but never part of the text."""
        return self in (BlockKind.HEADER, BlockKind.FOOTER, BlockKind.PAGE_NUMBER)


class Line(BaseModel):
    """One printed line of a block: its box and the span of its clean text."""

    model_config = ConfigDict(extra="forbid")

    bbox: BBox
    char_span: CharSpan | None = None
    raw: str = Field(description="The line as pdfplumber gave it, before normalisation")


class Block(BaseModel):
    """A paragraph, heading, list item, footnote or page furniture on one page."""

    model_config = ConfigDict(extra="forbid")

    index: int = Field(description="Position in Document.blocks")
    kind: BlockKind
    page: int = Field(ge=1)
    bbox: BBox
    text: str
    lang: Language = "und"
    font_size: float | None = None
    char_span: CharSpan | None = Field(
        default=None, description="Span in Document.text; None for headers/footers/page numbers"
    )
    lines: list[Line] = Field(default_factory=list)
    footnote_refs: list[int] = Field(
        default_factory=list, description="Numbers of the footnotes whose markers sat in this block"
    )


class Footnote(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: int = Field(description="The note's number; 0 for a note set off by a symbol")
    label: str | None = Field(
        default=None, description="The symbol that labels an unnumbered note: ※, *, †, 注"
    )
    text: str
    page: int
    block: int = Field(description="Index of the footnote block in Document.blocks")
    char_span: CharSpan | None = None
    marker_block: int | None = Field(default=None, description="Body block holding the marker")
    marker_offset: int | None = Field(
        default=None, description="Offset in Document.text where the removed marker stood"
    )


class Table(BaseModel):
    """A ruled table (a statute's 別表 grid), kept as rows of cells.

    Each row is one block of ``Document.blocks`` (``blocks``) whose lines are the cells; the
    row's text is its cells joined by U+3000.  A table broken by a page break is one table."""

    model_config = ConfigDict(extra="forbid")

    page: int = Field(ge=1, description="Page of the first row")
    bbox: BBox = Field(description="The table's box on its first page")
    caption: str | None = Field(default=None, description="The line above it: 別表第二（…関係）")
    blocks: list[int] = Field(description="Index in Document.blocks of each row")
    rows: list[list[CharSpan]] = Field(description="Span in Document.text of each cell")


class Page(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: int = Field(ge=1)
    width: float
    height: float
    source: Literal["text", "ocr"] = Field(
        default="text", description="Where the page's text came from: its text layer, or OCR"
    )
    ocr_confidence: float | None = Field(
        default=None, ge=0, le=1, description="OCR pages: mean word confidence (0-1)"
    )


DateRole = Literal[
    "promulgated",
    "effective",
    "published",
    "revised",
    "suspended_from",
    "suspended_until",
    "deadline",
    "repealed",
    "other",
]

DocumentKind = Literal[
    "commentary",
    "announcement",
    "measures",
    "regulation",
    "law",
    "qa",
    "translation",
    "explanation",
    "list",
    "guide",
    "notice",
    "order",
    "news",
    "other",
]


class IdentityDate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: DateRole
    iso: str
    raw: str
    revision: int | None = Field(default=None, description="Revision number for role=revised")


class DocumentIdentity(BaseModel):
    """What a document is: title, kind, issuers, number, dates, revision, language."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    title_original: str | None = Field(
        default=None, description="The title in the source language when a translation names it"
    )
    kind: DocumentKind = "other"
    issuers: list[str] = Field(default_factory=list)
    number: str | None = None
    number_aliases: list[str] = Field(default_factory=list)
    dates: list[IdentityDate] = Field(default_factory=list)
    revision: int | None = None
    language: Language = "und"
    label: str | None = Field(default=None, description="別紙1, 別添1, 付属文書1 ... as written")

    def date(self, role: str) -> str | None:
        return next((d.iso for d in self.dates if d.role == role), None)

    def version_date(self) -> str | None:
        """The legal date this text is known by: the latest of its promulgation, revision,
        entry into force or publication (a consolidated text names its last amendment)."""
        roles = ("promulgated", "revised", "effective", "published")
        return max((d.iso for d in self.dates if d.role in roles and d.iso), default=None)


class SubDocument(BaseModel):
    """A document embedded in another (a CISTEC annex translating a notice)."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(description="'main' for the whole file, 'annex1', 'annex1_att1', ...")
    parent: str | None = None
    identity: DocumentIdentity
    pages: tuple[int, int]
    char_span: CharSpan


# Span indexes of the few documents being worked on, by id of their block list (the list
# itself is kept in the entry, so an id is never mistaken for a reused one).
_SPAN_INDEX: dict[int, tuple[list[Block], int, list[int], list[int], list[Block]]] = {}
_SPAN_INDEX_SIZE = 2  # a batch holds one document at a time; memory stays flat


class Document(BaseModel):
    """One ingested PDF.

    ``text`` is the clean text: every non-furniture block in reading order, joined by
    ``\\n``; body blocks of all pages first, then footnotes (so a footnote never
    interrupts a sentence or an article).  ``body_end`` is where the footnotes start.
    """

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Stable id: first 16 hex digits of the file's sha256")
    source: SourceFile
    identity: DocumentIdentity
    language: Language
    pages: list[Page]
    blocks: list[Block]
    footnotes: list[Footnote] = Field(default_factory=list)
    subdocuments: list[SubDocument] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    text: str
    body_end: int
    warnings: list[str] = Field(default_factory=list)

    def _spans(self) -> tuple[list[int], list[int], list[Block]]:
        """Text blocks sorted by span start, built once per block list: every record asks
        where it is, so a scan of all blocks per record made extraction O(n²).  Kept outside
        the model (``_SPAN_INDEX``) so that equality and serialisation never see it."""
        cached = _SPAN_INDEX.get(id(self.blocks))
        if cached is None or cached[0] is not self.blocks or cached[1] != len(self.blocks):
            spanned = sorted(
                (b for b in self.blocks if b.char_span is not None),
                key=lambda b: b.char_span.start,  # type: ignore[union-attr]
            )
            starts = [b.char_span.start for b in spanned]  # type: ignore[union-attr]
            ends = [b.char_span.end for b in spanned]  # type: ignore[union-attr]
            if any(a > b for a, b in itertools.pairwise(ends)):
                ends = list(itertools.accumulate(ends, max))  # overlapping spans: still sorted
            if len(_SPAN_INDEX) >= _SPAN_INDEX_SIZE:
                _SPAN_INDEX.pop(next(iter(_SPAN_INDEX)))
            cached = _SPAN_INDEX[id(self.blocks)] = (
                self.blocks,
                len(self.blocks),
                starts,
                ends,
                spanned,
            )
        return cached[2], cached[3], cached[4]

    def blocks_in(self, span: CharSpan) -> list[Block]:
        """Blocks whose text overlaps ``span``, in order (O(log n + hits))."""
        starts, ends, spanned = self._spans()
        end = max(span.end, span.start + 1)
        # ends are sorted (a running maximum where spans overlap): skip every block that ends
        # before the span starts
        lo = bisect.bisect_right(ends, span.start)
        hi = bisect.bisect_left(starts, end, lo=lo)
        hits = [
            b for b in spanned[lo:hi] if b.char_span.start < end and span.start < b.char_span.end
        ]  # type: ignore[union-attr]
        return sorted(hits, key=lambda b: b.index)

    def locate(self, span: CharSpan) -> tuple[int, BBox | None]:
        """Page and box of a span of ``text``: the union of the lines it touches on its first
        page."""
        blocks = self.blocks_in(span)
        if not blocks:
            return (1, None)
        page = blocks[0].page
        boxes = [
            line.bbox
            for b in blocks
            if b.page == page
            for line in b.lines
            if line.char_span is not None
            and line.char_span.start < max(span.end, span.start + 1)
            and span.start < line.char_span.end
        ]
        return (page, BBox.union(boxes) or blocks[0].bbox)

    def subdocument_at(self, offset: int) -> SubDocument | None:
        """The innermost sub-document containing ``offset`` (the most specific one)."""
        best: SubDocument | None = None
        for sub in self.subdocuments:
            if sub.char_span.start <= offset < sub.char_span.end and (
                best is None or len(sub.char_span) <= len(best.char_span)
            ):
                best = sub
        return best


class IngestResult(BaseModel):
    """Per-file outcome of a batch, as docling's ``ConversionResult``."""

    model_config = ConfigDict(extra="forbid")

    path: str
    status: Literal["success", "failure"]
    errors: list[dict[str, str]] = Field(default_factory=list)
    document: Document | None = None
