"""Chunks: the units the search index embeds and keyword-indexes.

* one chunk per article, its law (or document title) and chapter in front as context, so
  a quoted 第十条 is still "第十条 of which law"; an article too long for the embedder's
  window is split at paragraph breaks, each part keeping that context and the label;
* commentary (body text outside every article) by paragraphs, grouped up to a size and
  never across a heading or a sub-document, the heading in front as context;
* one chunk per entry of a control list (an item of an item list that carries a control or
  customs code, its sub-items included), the document's number and title and the list's
  heading in front: a question about one entry (3A001 batteries, the HS code of one radar)
  meets that entry, not the notice's preamble.  The entry's text is the document's own
  (codes and brackets as written), from the item's label to the next item.

Chunk ids are deterministic (document, version, offset, part), so re-adding an unchanged
document costs nothing.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from models.document import BlockKind, Document, DocumentIdentity
from models.provenance import CharSpan
from models.records import Article, ExtractionResult, Item, ItemList
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
        "version_date": identity.version_date(),
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
    chunks.extend(_entry_chunks(extraction, document, owner, version, latest))
    return chunks


def _nfkc(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "")


def _has_code(item: Item) -> bool:
    return bool(item.control_codes or item.hs_codes or item.code)


def entry_texts(text: str, start: int, end: int, items: list[Item]) -> list[tuple[int, str]]:
    """(offset, text) of each coded item of a list within ``text[start:end]``: from its label
    to the next item's label (or the list's end), as the document writes it."""
    found: list[tuple[int, Item]] = []
    cursor = start
    for item in items:
        probe = item.text[:12]
        at = text.find(probe, cursor, end) if probe else -1
        if at < 0:
            continue
        begin = at
        for label in dict.fromkeys(filter(None, (item.label, _nfkc(item.label)))):
            label_at = text.rfind(label.strip(), max(0, at - len(label) - 2), at)
            if label_at >= 0:
                begin = min(begin, label_at)
        found.append((begin, item))
        cursor = at + len(probe)
    # A list's span may stop before its last item's trailing codes: that item runs to its
    # line's end.
    line_end = text.find("\n", end)
    last_stop = (
        end if end == 0 or text[end - 1] == "\n" else (len(text) if line_end < 0 else line_end)
    )
    out = []
    for i, (begin, item) in enumerate(found):
        stop = found[i + 1][0] if i + 1 < len(found) else last_stop
        if _has_code(item):
            out.append((begin, text[begin:stop].strip()))
    return out


def _entry_chunks(
    extraction: ExtractionResult, document: Document, owner: str, version: int, latest: bool
) -> list[Chunk]:
    chunks: list[Chunk] = []
    for record in extraction.records:
        if not isinstance(record, ItemList) or not any(_has_code(i) for i in record.items):
            continue
        span = record.provenance.char_span
        identity = _identity_of(extraction, record.provenance.document)
        context = " ".join(x for x in (identity.number, identity.title) if x)
        for offset, body in entry_texts(document.text, span.start, span.end, record.items):
            if not body:
                continue
            head = "\n".join(x for x in (context, record.heading.strip()) if x)
            chunks.append(
                Chunk(
                    id=f"{owner}:v{version}:e{offset}:0",
                    text=f"{head}\n{body}" if head else body,
                    document=owner,
                    version=version,
                    subdocument=record.provenance.document,
                    page=record.provenance.page,
                    latest=latest,
                    **_identity_fields(identity, document.language),  # type: ignore[arg-type]
                )
            )
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
