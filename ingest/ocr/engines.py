"""Which OCR engine reads scanned pages: ``--ocr-engine`` (``Limits.ocr_engine``), else
``$REGWATCH_OCR_ENGINE``, else the default chosen by ``bench/ocr.py``'s figures.

``tesseract``: Debian's Tesseract 5 (``tesseract.py``), one process per page, the language
of a page chosen from its script; with the ``ocr`` extra, the characters it is unsure of are
read again in their line by RapidOCR's recogniser and taken only where a closed set or the
page itself vouches for them (``unsure_chars.py``).  ``rapidocr``: PP-OCRv6 on onnxruntime
(``rapid.py``), one multilingual model, the models inside the ``rapidocr`` wheel.  Both
give the same words and line boxes, so everything after them is shared.  ``hybrid``:
Tesseract, its unsure lines read again by RapidOCR's recogniser alone (``reread.py``);
Tesseract alone where RapidOCR is not installed.
"""

from __future__ import annotations

import os
from typing import Literal, get_args

from ingest.ocr import rapid, tesseract
from models.errors import ConfigError

OcrEngine = Literal["tesseract", "rapidocr", "hybrid"]
ENGINES: tuple[str, ...] = get_args(OcrEngine)
# bench/ocr.py --engine tesseract --engine rapidocr, the first 3 pages of the 13 dev v1 + v2
# files scanned at 200 dpi (bench/README.md): RapidOCR's CER is half Tesseract's (0.76 % vs
# 1.61 %) but it spends 2.3x the CPU per page (6.36 vs 2.78 s): at best 3.2 s a page on 2
# cores (CPU over 2), over the 3 s target; Tesseract meets both, so it stays the default.
# hybrid (bench/README.md, held-out + unseen scans, 26 pages, side by side): CER 5.07 ->
# 4.22 %, item lists 0.317 -> 0.756 (held-out), 0.092 -> 0.310 (unseen), for 1.30x
# Tesseract's CPU a page (2.64 -> 3.44 s; on v2 about 1.55x): 2.95-3.5 s a page on an idle
# machine by those ratios. Idle run at the 6 Dec 04:00 merge (whole dev v1 + v2, 150 pages):
# hybrid 1.91 s/page, CER 0.77 % (Tesseract 1.30, 1.10 %), better on v2 in every column, but
# v1 articles 0.609 against Tesseract's 1.000.  Branch ocrhybrid (bench/README.md) found why
# (a re-read ※CISTEC仮訳 came out ※CISTE C仮訳 and named the annex's law) and brought v1 to
# articles 0.989, dates 1.000; but on the held-out scans it read dates 0.889 (Tesseract 0.957)
# and articles 0.714 (0.727), and v2 was not rerun: Tesseract stays the default until the
# hybrid is at least as good on every set
DEFAULT: OcrEngine = "tesseract"
ENV = "REGWATCH_OCR_ENGINE"


def engine_name(requested: str | None = None) -> str:
    """The engine to use: ``requested``, else ``$REGWATCH_OCR_ENGINE``, else ``DEFAULT``;
    an unknown name is a ``ConfigError`` (E400) naming where it came from."""
    if requested:
        name, source = requested, "--ocr-engine"
    else:
        name, source = os.environ.get(ENV, "") or DEFAULT, ENV
    name = name.strip().lower()
    if name not in ENGINES:
        raise ConfigError(f"{source}: unknown OCR engine {name!r} (choose {', '.join(ENGINES)})")
    return name


def missing(name: str) -> str | None:
    """Why engine ``name`` cannot run here (None when it can): what to install."""
    # the hybrid needs Tesseract only: without RapidOCR its unsure lines stay as read
    return rapid.missing() if name == "rapidocr" else tesseract.missing()
