"""Records read from an OCR'd page say so: ``provenance.source = "ocr"`` and a confidence."""

from __future__ import annotations

from models.document import Document
from models.records import ExtractionResult


def mark_ocr_records(document: Document, result: ExtractionResult) -> ExtractionResult:
    """Set ``source``/``confidence`` on every record whose page was read by OCR (in place)."""
    ocr_pages = {p.number: p.ocr_confidence for p in document.pages if p.source == "ocr"}
    if not ocr_pages:
        return result
    for record in result.records:
        provenance = record.provenance
        if provenance.page in ocr_pages:
            provenance.source = "ocr"
            provenance.confidence = ocr_pages[provenance.page]
    return result
