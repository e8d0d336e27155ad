"""Chunks: the units the search index embeds and keyword-indexes.

* one chunk per article, its law (or document title) and chapter in front as context, so
  a quoted 第十条 is still "第十条 of which law"; an article too long for the embedder's
  window is split at paragraph breaks, each part keeping that context and the label;
* commentary (body text outside every article) by paragraphs, grouped up to a size and
  never across a heading or a sub-document, the heading in front as context.

Chunk ids are deterministic (document, version, offset, part), so re-adding an unchanged
document costs nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

from models.document import BlockKind, Document, DocumentIdentity
from models.provenance import CharSpan
from models.records import Article, ExtractionResult
from models.search import Chunk

# e5 reads 512 tokens; a CJK character is about one token, so stay well inside the window.
MAX_ARTICLE_CHARS = 700
PART_CHARS = 450
COMMENTARY_CHARS = 400


def _split_paragraphs(body: str, limit: int) -> list[str]:
    """Group the body's lines into parts of at most ``limit`` characters (a line never split
    unless it alone is longer than ``limit``, then cut at sentence ends)."""
    pieces: list[str] = []
    for line in (x for x in body.split("\n") if x.strip()):
        while len(line) > limit:
            cut = max(line.rfind(end, 0, limit) for end in "。；;.!?！？")
            cut = cut + 1 if cut > limit // 3 else limit
            pieces.append(line[:cut])
            line = line[cut:]
        if line:
            pieces.append(line)
    parts: list[str] = []
    for piece in pieces:
        if parts and len(parts[-1]) + 1 + len(piece) <= limit:
            parts[-1] += "\n" + piece
        else:
            parts.append(piece)
    return parts or [body]


def article_texts(law: str | None, chapter: str | None, label: str, body: str) -> list[str]:
    """The chunk texts of one article: one, or one per paragraph group when it is long."""
    context = " ".join(x for x in (law, chapter) if x)
    head = f"{context}\n" if context else ""
    whole = f"{head}{label} {body}".strip()
    if len(whole) <= MAX_ARTICLE_CHARS:
        return [whole]
    return [f"{head}{label} {part}".strip() for part in _split_paragraphs(body, PART_CHARS)]


def _identity_fields(identity: DocumentIdentity, language: str) -> dict[str, object]:
    return {
        "title": identity.title,
        "language": identity.language if identity.language != "und" else language,
        "issuer": "|".join(identity.issuers),
        "doc_kind": identity.kind,
        "effective": identity.date("effective"),
    }


def _identity_of(extraction: ExtractionResult, key: str) -> DocumentIdentity:
    return extraction.subdocuments.get(key, extraction.identity)


def chunks_from(
    extraction: ExtractionResult,
    document: Document,
    version: int,
    latest: bool,
    *,
    doc_id: str | None = None,
) -> list[Chunk]:
    """Article and commentary chunks of one document version.

    ``doc_id`` is the corpus's lineage id (the same for every version of a document);
    it defaults to the file's own id.
    """
    owner = doc_id or extraction.document or document.id
    chunks: list[Chunk] = []
    spans: list[CharSpan] = []
    for record in extraction.records:
        if not isinstance(record, Article):
            continue
        spans.append(record.provenance.char_span)
        identity = _identity_of(extraction, record.provenance.document)
        law = record.law or identity.title
        texts = article_texts(law, record.chapter, record.label, record.body)
        for part, text in enumerate(texts):
            chunks.append(
                Chunk(
                    id=f"{owner}:v{version}:a{record.provenance.char_span.start}:{part}",
                    text=text,
                    document=owner,
                    version=version,
                    subdocument=record.provenance.document,
                    law=record.law,
                    article=record.number,
                    article_label=record.label,
                    article_key=record.key,
                    page=record.provenance.page,
                    latest=latest,
                    **_identity_fields(identity, document.language),  # type: ignore[arg-type]
                )
            )
    chunks.extend(_commentary_chunks(extraction, document, owner, version, latest, spans))
    return chunks


def _inside_articles(span: CharSpan, articles: list[CharSpan]) -> bool:
    return any(a.start < span.end and span.start < a.end for a in articles)


def _commentary_chunks(
    extraction: ExtractionResult,
    document: Document,
    owner: str,
    version: int,
    latest: bool,
    articles: list[CharSpan],
) -> list[Chunk]:
    chunks: list[Chunk] = []
    heading: str | None = None
    group: list[str] = []
    group_start, group_page, group_sub = 0, 1, "main"

    def flush() -> None:
        if not group:
            return
        identity = _identity_of(extraction, group_sub)
        body = "\n".join(group)
        text = f"{heading}\n{body}" if heading else body
        chunks.append(
            Chunk(
                id=f"{owner}:v{version}:c{group_start}:0",
                text=text,
                document=owner,
                version=version,
                subdocument=group_sub,
                page=group_page,
                latest=latest,
                **_identity_fields(identity, document.language),  # type: ignore[arg-type]
            )
        )
        group.clear()

    for block in document.blocks:
        span = block.char_span
        if span is None or block.kind.is_furniture or block.kind == BlockKind.FOOTNOTE:
            continue
        if span.start >= document.body_end or _inside_articles(span, articles):
            flush()
            continue
        sub = document.subdocument_at(span.start)
        sub_key = sub.key if sub else "main"
        if block.kind == BlockKind.HEADING:
            flush()
            heading = block.text.strip()
            group_sub = sub_key
            continue
        if group and (
            sub_key != group_sub or sum(map(len, group)) + len(block.text) > COMMENTARY_CHARS
        ):
            flush()
        if not group:
            group_start, group_page, group_sub = span.start, block.page, sub_key
        group.append(block.text.strip())
    flush()
    return chunks


def chunks_from_truth(path: Path, version: int = 1, latest: bool = True) -> list[Chunk]:
    """Article chunks from a ground-truth JSON (``tests/data/dev/truth`` or
    ``versions/*.articles.json`` format): the search bench's stand-in for the pipeline."""
    truth = json.loads(path.read_text(encoding="utf-8"))
    stem = truth.get("id") or path.name.split(".")[0]
    documents = {d["key"]: d for d in truth.get("documents", [])}
    chunks: list[Chunk] = []
    for index, article in enumerate(truth["articles"]):
        doc = documents.get(article.get("document", "main"), {})
        texts = article_texts(
            article.get("law") or doc.get("title"), None, article["label"], article["text"]
        )
        pages = article.get("pages") or doc.get("pages") or [1]
        for part, text in enumerate(texts):
            chunks.append(
                Chunk(
                    id=f"{stem}:v{version}:t{index}:{part}",
                    text=text,
                    document=stem,
                    version=version,
                    subdocument=article.get("document", "main"),
                    title=doc.get("title"),
                    law=article.get("law"),
                    article=article.get("number"),
                    article_label=article["label"],
                    language=truth.get("language", "und"),
                    issuer="|".join(doc.get("issuer") or []),
                    doc_kind=doc.get("kind", "other"),
                    page=int(pages[0]),
                    latest=latest,
                )
            )
    return chunks
