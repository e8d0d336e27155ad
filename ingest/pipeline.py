"""PDF -> Document: the public entry points of ingestion.

``ingest_pdf`` reads one file and raises a typed ``InputError`` (naming the file) when it
cannot; ``ingest_many`` never raises for a bad file and yields one ``IngestResult`` per path,
as docling's ``ConversionResult``.  ``build_document`` is the pure part (no pdfplumber): it
takes the pages ``ingest.pdf`` read.

``Limits`` (re-exported from ``ingest.pdf``) caps pages, bytes and seconds per file; both
entry points take one (``ingest_pdf(path, Limits(max_pages=50))``) and a file over a cap
fails with ``LimitExceededError`` (E106).  See ``Limits`` for the defaults.

``Document.text``: the body blocks (body, heading, list item) of every page in reading order,
then the footnote blocks; blocks are joined by ``\\n`` except a block that continues the
previous page's sentence, which is joined like a wrapped line (nothing between CJK, a space
between Latin words).  Furniture blocks have no span.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from ingest import identity as identity_module
from ingest import lang as lang_module
from ingest.deadline import Deadline
from ingest.footnotes import MarkerLink, link_markers, split_notes
from ingest.layout import (
    DraftBlock,
    Metrics,
    TextLine,
    classify,
    ends_sentence,
    find_furniture,
    footnote_zone_start,
    measure,
    page_lines,
    paragraphs,
    single_line_block,
    start_kind,
)
from ingest.normalize import line_separator
from ingest.pdf import Limits, RawPdf, read_pdf
from ingest.table_rows import cell_spans, document_tables, insert_rows, row_block
from models.document import (
    Block,
    BlockKind,
    Document,
    DocumentIdentity,
    Footnote,
    IngestResult,
    Language,
    Line,
    Page,
    SourceFile,
)
from models.errors import NoTextLayerError, RegwatchError
from models.provenance import BBox, CharSpan

__all__ = ["Deadline", "Limits", "build_document", "ingest_many", "ingest_one", "ingest_pdf"]

_TEXT_KINDS = (BlockKind.BODY, BlockKind.HEADING, BlockKind.LIST_ITEM)
_LANGUAGE_SAMPLE = 20000


def _box(lines: list[TextLine]) -> BBox:
    return BBox(
        x0=round(min(ln.x0 for ln in lines), 2),
        top=round(min(ln.top for ln in lines), 2),
        x1=round(max(ln.x1 for ln in lines), 2),
        bottom=round(max(ln.bottom for ln in lines), 2),
    )


# Characters that never open a line (kinsoku): a page that starts with one continues the
# previous page, even where the sentence before the bracket ended (…以下同じ。|）が…).
_NEVER_FIRST = frozenset("）)」』】〕]、。，,．.：:；;ー")


def _mark_continuations(
    body: list[DraftBlock], metrics: Metrics, table_rows: set[int] | frozenset[int] = frozenset()
) -> None:
    """A page's first block continues the previous page's last one mid-sentence (never a
    table row, nor the block after one)."""
    for previous, block in itertools.pairwise(body):
        if id(previous) in table_rows or id(block) in table_rows:
            continue
        last = previous.lines[-1]
        if (
            block.page != previous.page + 1
            or block.kind is not BlockKind.BODY
            or previous.kind not in (BlockKind.BODY, BlockKind.LIST_ITEM)
        ):
            continue
        if block.text[:1] in _NEVER_FIRST or (
            not metrics.is_very_short(last)
            and not ends_sentence(previous.text)
            and not _forced_start(block)
        ):
            block.continues_previous = True


def _forced_start(block: DraftBlock) -> bool:
    return start_kind(block.lines[0]) is not None


class _Layout:
    """Blocks of every page, before text assembly."""

    def __init__(self, raw: RawPdf) -> None:
        lines = [page_lines(page) for page in raw.pages]
        heights = {page.number: page.height for page in raw.pages}
        furniture = find_furniture(
            lines,
            heights,
            {page.number: page.rules for page in raw.pages},
            {page.number: page.width for page in raw.pages},
        )
        content = [[ln for ln in page if id(ln) not in furniture] for page in lines]
        self.metrics = measure(content)
        self.warnings: list[str] = []
        self.pages: list[list[DraftBlock]] = []
        body_all: list[DraftBlock] = []
        zones: list[list[TextLine]] = []
        for page, page_content, all_lines in zip(raw.pages, content, lines, strict=True):
            start = footnote_zone_start(
                page_content, page.rules, self.metrics, page.width, page.height
            )
            body = paragraphs(page_content[:start], self.metrics)
            for block in body:
                block.kind = classify(block, self.metrics, not body_all and block is body[0])
            body_all.extend(body)
            zones.append(page_content[start:])
            extra = [
                single_line_block(ln, furniture[id(ln)]) for ln in all_lines if id(ln) in furniture
            ]
            self.pages.append(body + extra)
        notes, warnings = split_notes(zones, self.metrics)
        self.warnings.extend(warnings)
        position = {page.number: i for i, page in enumerate(raw.pages)}
        for block in notes:
            self.pages[position[block.page]].append(block)
        # reading order of each block's first line (column by column on multi-column pages)
        order = {id(line): i for page_all in lines for i, line in enumerate(page_all)}
        for blocks in self.pages:
            blocks.sort(key=lambda b: order[id(b.lines[0])])
        # ruled tables: each row a block, where the table stands (never a continuation)
        self.tables: list[tuple[int, list[DraftBlock]]] = []
        for page in raw.pages:
            for table in page.tables:
                rows = [row_block(page.number, r, self.metrics.body_size) for r in table.rows]
                insert_rows(self.pages[position[page.number]], rows, table.top)
                self.tables.append((page.number, rows))
        row_ids = {id(b) for _, rows in self.tables for b in rows}
        if row_ids:
            body_ids = {id(b) for b in body_all} | row_ids
            body_all = [b for blocks in self.pages for b in blocks if id(b) in body_ids]
        _mark_continuations(body_all, self.metrics, row_ids)
        sequence = [
            block
            for blocks in self.pages
            for kind_group in (_TEXT_KINDS, (BlockKind.FOOTNOTE,))
            for block in blocks
            if block.kind in kind_group
        ]
        self.notes = [
            b for b in notes if b.footnote_number is not None and not b.continues_previous
        ]
        self.links, warnings = link_markers(sequence, self.notes)
        self.warnings.extend(warnings)
        rotated = [page.number for page in raw.pages if page.rotated]
        if rotated:
            self.warnings.append(f"rotated text (a watermark?) left out on pages {rotated}")
        unmapped = sum(ln.unmapped for page in lines for ln in page)
        if unmapped:
            self.warnings.append(
                f"{unmapped} glyph(s) without a Unicode mapping (bullets kept as ・)"
            )


def _assemble(layout: _Layout) -> tuple[str, int, dict[int, CharSpan]]:
    """Document.text, body_end and the span of every text block (by id)."""
    ordered = [b for blocks in layout.pages for b in blocks]
    body = [b for b in ordered if b.kind in _TEXT_KINDS]
    notes = [b for b in ordered if b.kind is BlockKind.FOOTNOTE]
    parts: list[str] = []
    spans: dict[int, CharSpan] = {}
    offset = 0
    body_end = 0
    for group_index, group in enumerate((body, notes)):
        if group_index == 1:
            body_end = offset + (1 if parts else 0)
        for block in group:
            text = block.text
            if parts:
                previous = parts[-1]
                separator = (
                    line_separator(previous, text)
                    if block.continues_previous and previous
                    else "\n"
                )
                parts.append(separator)
                offset += len(separator)
            spans[id(block)] = CharSpan(start=offset, end=offset + len(text))
            parts.append(text)
            offset += len(text)
    text = "".join(parts)
    if not notes:
        body_end = len(text)
    return text, body_end, spans


def _lines(block: DraftBlock, span: CharSpan | None) -> list[Line]:
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for position, line_index in enumerate(block.origin):
        first.setdefault(line_index, position)
        last[line_index] = position
    result: list[Line] = []
    for index, line in enumerate(block.lines):
        line_span = None
        if span is not None and index in first:
            line_span = CharSpan(start=span.start + first[index], end=span.start + last[index] + 1)
        result.append(Line(bbox=_box([line]), char_span=line_span, raw=line.raw))
    return result


def build_document(raw: RawPdf, deadline: Deadline | None = None) -> Document:
    """The Document of pages already read (pure: no file access); ``deadline`` is checked
    between the stages."""
    check = deadline.check if deadline is not None else _no_check
    layout = _Layout(raw)
    check("layout")
    text, body_end, spans = _assemble(layout)
    if not text.replace("・", "").strip():
        # e.g. fonts without a Unicode map: every glyph came out as (cid:N)
        raise NoTextLayerError("no readable text (glyphs without Unicode mapping)", raw.path)
    doc_language: Language = lang_module.detect_language(text[:_LANGUAGE_SAMPLE], "und")
    blocks: list[Block] = []
    index_of: dict[int, int] = {}
    for draft in (b for page in layout.pages for b in page):
        span = spans.get(id(draft))
        index_of[id(draft)] = len(blocks)
        is_text = span is not None and draft.text != ""
        blocks.append(
            Block(
                index=len(blocks),
                kind=draft.kind,
                page=draft.page,
                bbox=_box(draft.lines),
                text=draft.text,
                lang=lang_module.detect_language(draft.text, doc_language) if is_text else "und",
                font_size=draft.lines[0].size,
                char_span=span,
                lines=_lines(draft, span),
                footnote_refs=list(draft.footnote_refs),
            )
        )
    footnotes = _footnotes(layout, spans, index_of)
    tables = document_tables(
        blocks,
        [
            (
                page,
                [index_of[id(r)] for r in rows],
                [cell_spans(r, spans[id(r)]) for r in rows],
            )
            for page, rows in layout.tables
            if all(id(r) in spans for r in rows)
        ],
    )
    sha = raw.sha256
    document = Document(
        id=sha[:16],
        source=SourceFile(path=raw.path, sha256=sha, size=raw.size),
        identity=DocumentIdentity(language=doc_language),
        language=doc_language,
        pages=[
            Page(
                number=p.number,
                width=p.width,
                height=p.height,
                source="ocr" if p.source == "ocr" else "text",
                ocr_confidence=p.ocr_confidence,
            )
            for p in raw.pages
        ],
        blocks=blocks,
        footnotes=footnotes,
        tables=tables,
        text=text,
        body_end=body_end,
        warnings=[*raw.warnings, *layout.warnings],
    )
    check("text assembly")
    identity, subdocuments = identity_module.identify(document)
    check("identity")
    document.identity = identity
    document.subdocuments = subdocuments
    if identity.language != "und":
        document.language = identity.language
    return document


def _footnotes(
    layout: _Layout, spans: dict[int, CharSpan], index_of: dict[int, int]
) -> list[Footnote]:
    by_note: dict[int, MarkerLink] = {id(link.note): link for link in layout.links}
    ordered = [b for page in layout.pages for b in page if b.kind is BlockKind.FOOTNOTE]
    result: list[Footnote] = []
    for position, note in enumerate(ordered):
        if note.continues_previous or note.footnote_number is None:
            continue
        parts = [note]
        for following in ordered[position + 1 :]:
            if not following.continues_previous:
                break
            parts.append(following)
        start, end = spans[id(parts[0])].start, spans[id(parts[-1])].end
        link = by_note.get(id(note))
        marker_block = index_of[id(link.block)] if link else None
        marker_offset = spans[id(link.block)].start + link.offset if link else None
        joined = "".join(
            (line_separator(a.text, b.text) if i else "") + b.text
            for i, (a, b) in enumerate(zip([parts[0], *parts], parts, strict=False))
        )
        result.append(
            Footnote(
                number=note.footnote_number,
                label=note.note_label,
                text=joined,
                page=note.page,
                block=index_of[id(note)],
                char_span=CharSpan(start=start, end=end),
                marker_block=marker_block,
                marker_offset=marker_offset,
            )
        )
    return result


def _no_check(stage: str) -> None:
    return None


def ingest_pdf(
    path: Path | str, limits: Limits | None = None, deadline: Deadline | None = None
) -> Document:
    """Read one PDF into a Document; raises an ``InputError`` subclass naming the file.

    ``deadline``: the file's time budget when a caller goes on to extract under the same
    budget (``corpus.pipeline``); by default one starts here from ``limits``."""
    limits = limits or Limits()
    deadline = deadline or Deadline.start(path, limits.max_seconds_per_file)
    return build_document(read_pdf(Path(path), limits, deadline.started), deadline)


def _failure(path: Path, error: Exception) -> IngestResult:
    if isinstance(error, RegwatchError):
        detail = error.to_dict()
    else:  # a bug or an exotic file: reported, never fatal to the batch
        detail = {"code": "E100", "message": f"{type(error).__name__}: {error}", "path": str(path)}
    return IngestResult(path=str(path), status="failure", errors=[detail])


def ingest_many(
    paths: Iterable[Path | str], limits: Limits | None = None, progress: bool = False
) -> Iterator[IngestResult]:
    """One result per path, in order; a bad file is a ``failure`` result, never an exception."""
    for item in with_progress(paths, progress):
        yield ingest_one(Path(item), limits)


def with_progress(paths: Iterable[Path | str], progress: bool) -> Iterable[Path | str]:
    """``paths``, under a progress bar on stderr when asked."""
    if not progress:
        return paths
    from tqdm import tqdm

    return tqdm(list(paths), desc="ingest", unit="file", file=sys.stderr)


def ingest_one(
    path: Path, limits: Limits | None = None, deadline: Deadline | None = None
) -> IngestResult:
    """``ingest_pdf`` as a result: a bad file is a ``failure``, never an exception."""
    try:
        document = ingest_pdf(path, limits, deadline)
    except Exception as error:
        return _failure(path, error)
    return IngestResult(path=str(path), status="success", document=document)
