"""``Limits``: the caps every reader takes, in a module of its own (no PDF library import).

``corpus`` builds a ``Limits`` for every ``add``; keeping it apart from ``ingest.pdf`` lets a
re-run on unchanged files finish without importing pdfplumber (see ``corpus.fingerprint``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Caps against hostile or accidental giant inputs (one ``Limits`` per call, immutable).

    Every cap, when passed, raises ``models.errors.LimitExceededError`` (code ``E106``, CLI
    exit code 3) naming the file; ``ingest_many`` reports it as that file's failure result.

    * ``max_pages`` (default 2000): checked once the page tree is read, before any page is
      laid out.
    * ``max_bytes`` (default 200 MiB): checked on the file size before pdfplumber opens it.
    * ``max_seconds_per_file`` (default 120 s, wall clock): one budget for the whole file,
      reading, layout, identity, extraction and indexing (``ingest.deadline.Deadline``);
      checked before each page is read, between the later stages' steps and between
      embedding batches, so one pathological page or step can overrun it by its own time.
      A file that runs out while it is indexed stays stored, its index work queued
      (``corpus.outbox``).

    ``Limits(max_pages=50)`` etc. override one cap and keep the others' defaults.

    ``ocr`` is not a cap but travels with them to every reader: ``auto`` (default) reads the
    pages without a real text layer by OCR (``ingest.ocr``), ``always`` every page, ``never``
    none (a scan then fails with E104).  OCR time counts against ``max_seconds_per_file``.
    ``ocr_engine``: ``tesseract``, ``rapidocr`` or ``hybrid`` (None: ``$REGWATCH_OCR_ENGINE``,
    else the default, ``ingest.ocr.engines``).
    """

    max_pages: int = 2000
    max_bytes: int = 200 * 1024 * 1024
    max_seconds_per_file: float = 120.0
    ocr: str = "auto"
    ocr_engine: str | None = None
