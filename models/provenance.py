"""Where a piece of text came from: file, page, box, character span.

Modelled on docling-core's ``ProvenanceItem(page_no, bbox, charspan)``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class BBox(BaseModel):
    """A box in PDF points, origin top-left of the page (pdfplumber's ``top``/``bottom``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    x0: float
    top: float
    x1: float
    bottom: float

    @staticmethod
    def union(boxes: list[BBox]) -> BBox | None:
        if not boxes:
            return None
        return BBox(
            x0=min(b.x0 for b in boxes),
            top=min(b.top for b in boxes),
            x1=max(b.x1 for b in boxes),
            bottom=max(b.bottom for b in boxes),
        )


class CharSpan(BaseModel):
    """Half-open ``[start, end)`` offsets into ``Document.text``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: int = Field(ge=0)
    end: int = Field(ge=0)

    def __len__(self) -> int:
        return self.end - self.start

    def contains(self, other: CharSpan) -> bool:
        return self.start <= other.start and other.end <= self.end


def _unset(value: Any) -> bool:
    return value is None


class Provenance(BaseModel):
    """Where a record sits: the source file, its version in the corpus, page, box and span."""

    model_config = ConfigDict(extra="forbid")

    source_sha256: str
    document: str = Field(description="Sub-document key ('main', 'annex1', ...)")
    version: int | None = Field(default=None, description="Corpus version number, once stored")
    page: int = Field(ge=1, description="1-based PDF page number of the start of the span")
    bbox: BBox | None = None
    char_span: CharSpan
    # schema 1.1, additive: set only on records read from an OCR'd page (left out otherwise)
    source: Literal["ocr"] | None = Field(
        default=None,
        exclude_if=_unset,
        description="'ocr' when the text was read from the page image",
    )
    confidence: float | None = Field(
        default=None, ge=0, le=1, exclude_if=_unset, description="OCR confidence (0-1)"
    )
