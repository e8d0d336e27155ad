"""Builders for test inputs: a Document from plain text, without a PDF."""

from __future__ import annotations

import hashlib

from models.document import Block, BlockKind, Document, DocumentIdentity, Line, Page, SourceFile
from models.provenance import BBox, CharSpan


def make_document(
    text: str,
    *,
    language: str = "ja",
    identity: DocumentIdentity | None = None,
    lines_per_page: int = 40,
) -> Document:
    """One block per non-empty line of ``text``; pages every ``lines_per_page`` lines.

    Lines are joined by ``\\n`` exactly as ``Document.text`` joins blocks, so offsets in
    ``text`` (with blank lines removed) are offsets in the document.
    """
    sha = hashlib.sha256(text.encode()).hexdigest()
    blocks: list[Block] = []
    parts: list[str] = []
    pos = 0
    for i, line in enumerate(x for x in text.split("\n") if x.strip()):
        page = i // lines_per_page + 1
        top = 50.0 + (i % lines_per_page) * 18.0
        bbox = BBox(x0=50.0, top=top, x1=545.0, bottom=top + 12.0)
        span = CharSpan(start=pos, end=pos + len(line))
        blocks.append(
            Block(
                index=i,
                kind=BlockKind.BODY,
                page=page,
                bbox=bbox,
                text=line,
                lang=language,  # type: ignore[arg-type]
                char_span=span,
                lines=[Line(bbox=bbox, char_span=span, raw=line)],
            )
        )
        parts.append(line)
        pos += len(line) + 1
    full = "\n".join(parts)
    n_pages = max((b.page for b in blocks), default=1)
    return Document(
        id=sha[:16],
        source=SourceFile(path="<text>", sha256=sha, size=len(text.encode())),
        identity=identity or DocumentIdentity(language=language),  # type: ignore[arg-type]
        language=language,  # type: ignore[arg-type]
        pages=[Page(number=n, width=595.0, height=842.0) for n in range(1, n_pages + 1)],
        blocks=blocks,
        text=full,
        body_end=len(full),
    )
