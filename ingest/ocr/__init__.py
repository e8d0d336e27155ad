"""OCR for scanned pages: page images -> the same ``RawChar`` glyphs a text layer gives.

``apply_ocr`` is the hook ``ingest.pdf.read_pdf`` calls once a file's pages are read: under
``auto`` it reads the pages whose text layer is missing or garbage (``detect.scan_reason``),
under ``always`` every page, under ``never`` none.  A page it reads gets ``source = "ocr"``,
its confidence and language; everything after (lines, layout, extraction, provenance) works
on those glyphs unchanged.  A page OCR cannot read stays empty and is a warning.

Engines (``engines.py``): Tesseract 5 from Debian (``tesseract.py``, the default) or RapidOCR
(PP-OCRv6 on onnxruntime, ``rapid.py``), chosen by ``--ocr-engine`` / ``$REGWATCH_OCR_ENGINE``;
``bench/ocr.py --engine`` measures their CER and speed on the same scans.  Without the engine
a scan still fails with E104, naming what to install.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Literal, get_args

from ingest.ocr import engines
from ingest.ocr.detect import scan_reason
from ingest.ocr.run import PageReading, ocr_pages
from ingest.pdf import RawPage

OcrMode = Literal["auto", "always", "never"]
OCR_MODES: tuple[str, ...] = get_args(OcrMode)

__all__ = [
    "OCR_MODES",
    "OcrMode",
    "PageReading",
    "apply_ocr",
    "available",
    "page_progress",
    "scan_reason",
]

# A bar per page while OCR reads a file, for callers that show progress (``ingest_many``);
# a context variable so the readers' signatures stay as they are.
_PAGE_PROGRESS: ContextVar[bool] = ContextVar("regwatch_ocr_page_progress", default=False)
_PROGRESS_FROM = 2  # pages to read before a file gets its own bar


@contextlib.contextmanager
def page_progress(enabled: bool = True) -> Iterator[None]:
    """Within the block, OCR of a file shows a progress bar per page on stderr."""
    token = _PAGE_PROGRESS.set(enabled)
    try:
        yield
    finally:
        _PAGE_PROGRESS.reset(token)


def available(engine: str | None = None) -> str | None:
    """None when OCR can run here with ``engine`` (None: the configured one), else what is
    missing (and the packages to install)."""
    return engines.missing(engines.engine_name(engine))


def apply_ocr(
    path: Path,
    pages: list[RawPage],
    mode: str,
    deadline: float,
    on_page: Callable[[PageReading], None] | None = None,
    engine: str | None = None,
) -> list[str]:
    """OCR the pages ``mode`` selects, in place, with ``engine`` (None: ``$REGWATCH_OCR_ENGINE``
    or the default); returns warnings for the document.

    Raises ``TimeoutError(page)`` when ``deadline`` (``time.monotonic()``) passes, and
    ``ConfigError`` (E400) for an unknown engine."""
    if mode == "never":
        return []
    chosen = pages if mode == "always" else [p for p in pages if scan_reason(p)]
    if not chosen:
        return []
    name = engines.engine_name(engine)
    missing = engines.missing(name)
    if missing:
        numbers = [p.number for p in chosen]
        return [f"pages {numbers} need OCR, which cannot run: {missing}"]
    warnings: list[str] = []
    by_number = {page.number: page for page in chosen}
    bar = None
    if _PAGE_PROGRESS.get() and len(chosen) >= _PROGRESS_FROM:
        from tqdm import tqdm

        bar = tqdm(total=len(chosen), desc=f"OCR {path.name}", unit="page", file=sys.stderr)

    def step(reading: PageReading) -> None:
        if bar is not None:
            bar.update(1)
        if on_page is not None:
            on_page(reading)

    try:
        readings = ocr_pages(path, chosen, deadline, step, engine=name)
    finally:
        if bar is not None:
            bar.close()
    for reading in readings:
        page = by_number[reading.number]
        if reading.error is not None:
            warnings.append(f"page {reading.number}: OCR failed ({reading.error})")
            continue
        if not any(c.text.strip() for c in reading.chars) and not reading.tables:
            warnings.append(f"page {reading.number}: OCR found no text")
            continue
        page.chars = reading.chars
        page.rotated = 0
        page.source = "ocr"
        page.ocr_confidence = reading.confidence
        page.ocr_lang = reading.lang
        page.skew = reading.skew
        page.ocr_turn = reading.turn
        page.rules = page.rules or reading.rules  # drawn ones, when the page had a text layer
        page.tables = reading.tables  # its cells are the OCR glyphs, not the text layer's
        if reading.turn in (90, 270):  # read upright: the page as read is the other way up
            page.width, page.height = page.height, page.width
    low = [p.number for p in chosen if p.ocr_confidence is not None and p.ocr_confidence < 0.8]
    if low:
        warnings.append(f"OCR is unsure of pages {low} (confidence under 0.8)")
    return warnings
