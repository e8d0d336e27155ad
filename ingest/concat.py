"""Long PDFs for benchmarks: the pages of several PDFs, cycled, into one file.

``bench/extraction_scale.py`` needs 20- to 400-page inputs made of real pages; this is the
only place outside ``ingest.pdf`` that writes PDFs (pypdfium2 comes with pdfplumber).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pypdfium2 as pdfium


def concatenate_pdfs(sources: list[Path], target: Path, pages: int) -> Path:
    """Write the first ``pages`` pages of ``sources`` (cycled, in order) to ``target``."""
    if not sources or pages < 1:
        raise ValueError("need at least one source PDF and one page")
    out = pdfium.PdfDocument.new()
    opened = [pdfium.PdfDocument(str(p)) for p in sources]
    try:
        wanted = ((doc, i) for doc in itertools.cycle(opened) for i in range(len(doc)))
        for doc, index in itertools.islice(wanted, pages):
            out.import_pages(doc, [index])
        out.save(str(target))
    finally:
        for doc in opened:
            doc.close()
        out.close()
    return target
