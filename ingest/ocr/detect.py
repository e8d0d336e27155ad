"""Which pages need OCR: none or only garbage in the text layer, and a picture of a page."""

from __future__ import annotations

from ingest.pdf import RawPage

_MIN_REAL = 20  # inked characters below which a page covered by an image is a scan
_GARBAGE_SHARE = 0.3


def _private(ch: str) -> bool:
    return "\ue000" <= ch <= "\uf8ff" or ch >= "\U000f0000"


def _garbage(text: str) -> bool:
    """A glyph with no Unicode meaning: pdfminer's ``(cid:N)``, private use, U+FFFD."""
    return (
        text.startswith("(cid:") or text in ("\ufffd", "\x00") or any(_private(ch) for ch in text)
    )


def scan_reason(page: RawPage) -> str | None:
    """Why ``page`` should be read by OCR under ``--ocr auto`` (None: its text layer is real)."""
    inked = [c for c in page.chars if c.text.strip()]
    if not inked:
        return "no text layer" if page.images else None
    bad = sum(1 for c in inked if _garbage(c.text))
    if bad >= _GARBAGE_SHARE * len(inked):
        return f"{bad} of {len(inked)} glyphs without Unicode (CID font, private use)"
    if len(inked) < _MIN_REAL and page.image_cover >= 0.5:
        return f"only {len(inked)} characters over a page-sized image"
    return None
