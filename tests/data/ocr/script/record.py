"""Record the Tesseract readings the script tests vote on (``tests/test_ocr_script.py``).

    PYTHONPATH=. python tests/data/ocr/script/record.py SCANS_DIR

``SCANS_DIR`` holds ``bench.ocr --keep`` scans (``SET/pdf/STEM.pdf``: 200 dpi, ±1°, speckle,
blur).  For each case below, the first page's band (``run.band_language``'s image) or a
whole page (cleaned and levelled, as ``run._Reader.detect`` reads it) is read in each model
the script is decided with, and the words (text, confidence) are written to ``STEM__PART.json``
here.  Tesseract 5.3 (Debian bookworm), its Debian models.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ingest.ocr import tesseract
from ingest.ocr.image import clean, deskew, render_pages, text_band
from ingest.ocr.run import DPI
from ingest.ocr.script import HORIZONTAL

HERE = Path(__file__).resolve().parent
CASES = [  # (set, stem, part): part "band" (page 1) or "pN" (page N whole)
    ("v2", "zh_biosecurity_2020", "band"),
    ("v2", "zh_mofcom_2024_31_uav", "band"),
    ("v2", "zh_tariff_law_2024", "band"),
    ("v2", "ja_saishori_2024", "band"),
    ("unseen", "zht_foreign_trade_law_2025", "band"),
    ("unseen", "zht_mofcom_2024_33_antimony", "band"),
    ("heldout", "h01_mofcom_gacc_2023_23", "band"),
    ("heldout", "h01_mofcom_gacc_2023_23", "p1"),
    ("heldout", "h03_dual_use_regulation", "band"),
    ("heldout", "h03_dual_use_regulation", "p1"),
    ("heldout", "h03_dual_use_regulation", "p2"),
    ("unseen", "zht_mofcom_2025_62_rare_earth_tech", "p1"),
]


def record(scans: Path, set_name: str, stem: str, part: str) -> None:
    number = 1 if part == "band" else int(part[1:])
    _, image = next(render_pages(scans / set_name / "pdf" / f"{stem}.pdf", [number], DPI))
    image = clean(text_band(image)) if part == "band" else deskew(clean(image))[0]
    models = [HORIZONTAL.simplified, HORIZONTAL.traditional]
    if part == "band":
        models.insert(0, HORIZONTAL.kana)
    readings = {
        model: [[w.text, w.conf] for w in tesseract.recognize(image, DPI, model)[0]]
        for model in models
    }
    target = HERE / f"{stem}__{part}.json"
    target.write_text(json.dumps(readings, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")


if __name__ == "__main__":
    for case in CASES:
        record(Path(sys.argv[1]), *case)
