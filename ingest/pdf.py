"""Read a PDF into plain dataclasses: pages of characters and horizontal rules.

This is the only module that imports pdfplumber, so everything downstream (layout,
normalisation, footnotes) is testable with hand-made ``RawPage`` objects.  It also turns
every way a file can be unusable into a typed ``InputError`` that names the file.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from ingest.limits import Limits
from ingest.tables import RawTable, outside, ruled_tables
from models.errors import (
    CorruptPDFError,
    EmptyFileError,
    EncryptedPDFError,
    FileNotFoundInputError,
    LimitExceededError,
    NotAPDFError,
    NoTextLayerError,
)

# The PDF header may be preceded by junk (the spec tolerates 1024 bytes of it).
_HEADER_WINDOW = 1024


@dataclass(slots=True)  # not frozen: frozen __init__ costs ~2x on tens of thousands of glyphs
class RawChar:
    """One glyph as pdfplumber reports it (top-left origin, PDF points); treat as read-only."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    fontname: str = ""


@dataclass(frozen=True, slots=True)
class Rule:
    """A horizontal line segment (a drawn line or a flat rectangle)."""

    x0: float
    x1: float
    top: float


@dataclass
class RawPage:
    number: int
    width: float
    height: float
    chars: list[RawChar] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    tables: list[RawTable] = field(default_factory=list)  # ruled grids (ingest.tables)
    images: int = 0
    rotated: int = 0  # glyphs dropped as a rotated overlay (a diagonal watermark)
    image_cover: float = 0.0  # share of the page under its largest image
    source: str = "text"  # "ocr" once ingest.ocr has read the page's image
    ocr_confidence: float | None = None  # mean word confidence, 0-1
    ocr_lang: str | None = None  # the Tesseract language it was read in
    skew: float = 0.0  # degrees OCR turned the image to level the text
    ocr_turn: int = 0  # degrees (90, 180, 270) OCR turned a sideways page clockwise


@dataclass
class RawPdf:
    path: str
    sha256: str
    size: int
    pages: list[RawPage]
    warnings: list[str] = field(default_factory=list)


def file_digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def check_file(path: Path, limits: Limits) -> None:
    """Cheap checks before pdfplumber touches the file."""
    name = str(path)
    if not path.exists():
        raise FileNotFoundInputError("no such file", name)
    if not path.is_file():
        raise NotAPDFError("not a regular file", name)
    size = path.stat().st_size
    if size == 0:
        raise EmptyFileError("the file is empty (0 bytes)", name)
    if size > limits.max_bytes:
        raise LimitExceededError(
            f"file is {size} bytes, over the limit of {limits.max_bytes} bytes", name
        )
    with path.open("rb") as handle:
        head = handle.read(_HEADER_WINDOW)
    if b"%PDF-" not in head:
        raise NotAPDFError("no %PDF- header: this is not a PDF file", name)


def _cause(exc: BaseException) -> BaseException:
    """pdfplumber wraps pdfminer errors in PdfminerException; look inside."""
    inner = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
    return inner if isinstance(inner, BaseException) else exc


def _translate(exc: BaseException, name: str) -> Exception:
    cause = _cause(exc)
    if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
        return EncryptedPDFError("encrypted: a password is needed to read this PDF", name)
    reason = f"{type(cause).__name__}: {cause}".strip().rstrip(":")
    return CorruptPDFError(f"unreadable PDF structure ({reason})", name)


def _axis_aligned(char: dict) -> bool:
    matrix = char.get("matrix") or (1, 0, 0, 1, 0, 0)
    return abs(matrix[1]) < 1e-3 and abs(matrix[2]) < 1e-3


def _page_chars(page: pdfplumber.page.Page) -> tuple[list[RawChar], int]:
    """The page's glyphs, without a minority of rotated ones (watermarks, stamps).

    A page that is mostly rotated text is kept whole: that is its real content.
    """
    chars = page.chars
    aligned = [c for c in chars if _axis_aligned(c)]
    dropped = len(chars) - len(aligned)
    if dropped and len(aligned) >= 0.8 * len(chars):
        chars = aligned
    else:
        dropped = 0
    glyphs = [
        RawChar(
            c["text"],
            c["x0"],
            c["x1"],
            c["top"],
            c["bottom"],
            c.get("size") or (c["bottom"] - c["top"]),
            c.get("fontname") or "",
        )
        for c in chars
    ]
    return glyphs, dropped


def _page_rules(page: pdfplumber.page.Page) -> list[Rule]:
    """Horizontal rules: footnote separators are short drawn lines or flat rectangles."""
    rules = [
        Rule(x0=float(obj["x0"]), x1=float(obj["x1"]), top=float(obj["top"]))
        for obj in page.objects.get("line", [])
        if abs(float(obj["bottom"]) - float(obj["top"])) < 1.5
    ]
    rules.extend(
        Rule(x0=float(obj["x0"]), x1=float(obj["x1"]), top=float(obj["top"]))
        for obj in page.objects.get("rect", [])
        if float(obj["bottom"]) - float(obj["top"]) < 1.5
        and float(obj["x1"]) - float(obj["x0"]) > 20
    )
    return rules


def _image_cover(page: pdfplumber.page.Page) -> float:
    area = float(page.width) * float(page.height) or 1.0
    covers = [
        (float(im["x1"]) - float(im["x0"])) * (float(im["bottom"]) - float(im["top"])) / area
        for im in page.objects.get("image", [])
    ]
    return round(min(1.0, max(covers, default=0.0)), 3)


def iter_pages(path: Path, limits: Limits, started: float) -> Iterator[RawPage]:
    """Pages one at a time; raises typed errors naming ``path``."""
    name = str(path)
    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:
        raise _translate(exc, name) from exc
    with pdf:
        try:
            pages = pdf.pages
        except Exception as exc:
            raise _translate(exc, name) from exc
        if not pages:
            raise CorruptPDFError("the PDF has no pages", name)
        if len(pages) > limits.max_pages:
            raise LimitExceededError(
                f"{len(pages)} pages, over the limit of {limits.max_pages}", name
            )
        for number, page in enumerate(pages, 1):
            if time.monotonic() - started > limits.max_seconds_per_file:
                raise LimitExceededError(
                    f"reading took over {limits.max_seconds_per_file:g} s "
                    f"(stopped at page {number})",
                    name,
                )
            try:
                chars, rotated = _page_chars(page)
                tables = ruled_tables(page)
                chars = outside(chars, tables)
                raw = RawPage(
                    number=number,
                    width=float(page.width),
                    height=float(page.height),
                    chars=chars,
                    tables=tables,
                    rules=_page_rules(page),
                    images=len(page.objects.get("image", [])),
                    rotated=rotated,
                    image_cover=_image_cover(page),
                )
            except Exception as exc:
                raise _translate(exc, f"{name} (page {number})") from exc
            finally:
                page.close()  # drops pdfplumber's per-page layout cache: memory stays flat
            yield raw


def read_pdf(path: Path, limits: Limits | None = None, started: float | None = None) -> RawPdf:
    """Every page's characters and rules, after the file checks and under ``limits``; pages
    without a real text layer are read by OCR as ``limits.ocr`` says (``ingest.ocr``).
    ``started``: when the file's time budget began (``Deadline.started``; default now)."""
    from ingest import ocr  # late: ingest.ocr builds on this module's dataclasses

    limits = limits or Limits()
    started = time.monotonic() if started is None else started
    check_file(path, limits)
    sha, size = file_digest(path)
    pages = list(iter_pages(path, limits, started))
    try:
        deadline = started + limits.max_seconds_per_file
        warnings = ocr.apply_ocr(path, pages, limits.ocr, deadline, engine=limits.ocr_engine)
    except TimeoutError as exc:
        raise LimitExceededError(
            f"reading took over {limits.max_seconds_per_file:g} s "
            f"(OCR stopped at page {exc.args[0] if exc.args else '?'}; raise --timeout)",
            str(path),
        ) from exc
    if not any(c.text.strip() for p in pages for c in p.chars):
        images = sum(p.images for p in pages)
        detail = f"{images} image(s), probably a scan" if images else "the pages are blank"
        if limits.ocr == "never":
            why = "OCR is off (--ocr never)"
        elif images and ocr.available(limits.ocr_engine):
            why = f"OCR cannot run: {ocr.available(limits.ocr_engine)}"
        elif images:
            why = "OCR found no text either"
        else:
            why = "nothing to read"
        raise NoTextLayerError(f"no text layer ({detail}); {why}", str(path))
    return RawPdf(path=str(path), sha256=sha, size=size, pages=pages, warnings=warnings)
