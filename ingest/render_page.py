"""Render one PDF page as a PNG, optionally with a box outlined (provenance for a reader).

Lives in ``ingest`` because only ingest may import pdfplumber.  pdfplumber renders through
pypdfium2 (one of its own dependencies), so nothing else needs installing.
"""

from __future__ import annotations

import io
from pathlib import Path

import pdfplumber

from models.errors import CorruptPDFError, NotFoundError
from models.provenance import BBox

DEFAULT_RESOLUTION = 100
OUTLINE = (220, 30, 30)
FILL = (255, 220, 0, 60)


def render_page_png(
    pdf_path: Path,
    page_number: int,
    *,
    resolution: int = DEFAULT_RESOLUTION,
    bbox: BBox | None = None,
) -> bytes:
    """PNG bytes of page ``page_number`` (1-based); ``bbox`` (PDF points, top-left origin,
    as in ``Provenance.bbox``) is drawn as an outlined, lightly filled rectangle."""
    try:
        with pdfplumber.open(pdf_path) as pdf:
            if not 1 <= page_number <= len(pdf.pages):
                raise NotFoundError(
                    f"page {page_number} out of range (1-{len(pdf.pages)})", str(pdf_path)
                )
            image = pdf.pages[page_number - 1].to_image(resolution=resolution)
            if bbox is not None:
                image.draw_rect(
                    (bbox.x0, bbox.top, bbox.x1, bbox.bottom),
                    fill=FILL,
                    stroke=OUTLINE,
                    stroke_width=3,
                )
            out = io.BytesIO()
            image.save(out, format="PNG")
            return out.getvalue()
    except NotFoundError:
        raise
    except Exception as exc:  # pdfium and pdfminer raise many types for a damaged file
        raise CorruptPDFError(f"cannot render page {page_number}: {exc}", str(pdf_path)) from exc
