"""Document identity and embedded sub-documents (placeholder; being replaced)."""

from __future__ import annotations

from models.document import Document, DocumentIdentity, SubDocument
from models.provenance import CharSpan


def identify(document: Document) -> tuple[DocumentIdentity, list[SubDocument]]:
    identity = DocumentIdentity(language=document.language)
    main = SubDocument(
        key="main",
        identity=identity,
        pages=(1, len(document.pages)),
        char_span=CharSpan(start=0, end=len(document.text)),
    )
    return identity, [main]
