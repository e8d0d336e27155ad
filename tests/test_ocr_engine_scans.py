"""The OCR engines on generated scans: Tesseract reads each page once (its script told from
a band of the first page), RapidOCR reads the same scans into the same pages, and
``--ocr-engine`` reaches both from the CLI.

Each engine's tests are skipped, saying what to install, only where that engine is missing:
Tesseract from Debian (scripts/test.sh installs it as root), RapidOCR from the regwatch[ocr]
extra (``rapidocr`` 3.10, whose wheel carries its models, and onnxruntime).
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from PIL import Image

from bench.ocr import levenshtein
from corpus.cli import main
from ingest.ocr import engines, rapid, tesseract
from ingest.ocr.scans import make_scan
from ingest.pdf import Limits, RawPdf, read_pdf
from ingest.pipeline import build_document
from models.errors import NoTextLayerError
from tests.ocr_fixtures import JA, ZH, ZH_TW, write_notice

_TESSERACT = engines.missing("tesseract")
_RAPIDOCR = engines.missing("rapidocr")
needs_tesseract = pytest.mark.skipif(_TESSERACT is not None, reason=f"Tesseract: {_TESSERACT}")
needs_rapidocr = pytest.mark.skipif(_RAPIDOCR is not None, reason=f"RapidOCR: {_RAPIDOCR}")
CER_BOUND = 0.03  # per page, as tests/test_ocr_scans.py
_WHITE = re.compile(r"\s+")


def _cer(expected: str, read: str) -> float:
    def plain(text: str) -> str:
        return _WHITE.sub("", unicodedata.normalize("NFKC", text))

    return levenshtein(plain(expected), plain(read)) / len(plain(expected))


def _page_text(raw: RawPdf, page: int) -> str:
    document = build_document(raw)
    return "".join(b.text for b in document.blocks if b.page == page and b.char_span is not None)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("engines")


@pytest.fixture(scope="module")
def three_scripts(folder: Path) -> Path:
    """Simplified Chinese, Japanese and traditional Chinese pages, scanned at 200 dpi."""
    source = write_notice(folder / "three.pdf", [("zh", ZH), ("ja", JA), ("zh_tw", ZH_TW)])
    return make_scan(source, folder / "three scanned.pdf", dpi=200)


@pytest.mark.parametrize(
    ("script", "paragraphs", "lang", "reads"),
    [
        ("zh", ZH, "chi_sim", 3),
        ("ja", JA, "jpn", 3),
        # a band of two short provisions gives too few votes to be sure (script.SURE): pages
        # 1 and 2 are read whole in chi_sim and chi_tra, and each in its kana reading
        # (jpn+chi_sim), before page 3 is read once
        ("zh_tw", ZH_TW, "chi_tra", 7),
    ],
    ids=["simplified", "japanese", "traditional-thin-band"],
)
@needs_tesseract
def test_tesseract_reads_each_page_once_its_script_told_from_a_band(
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    script: str,
    paragraphs: tuple[str, ...],
    lang: str,
    reads: int,
) -> None:
    source = write_notice(folder / f"{script}3.pdf", [(script, paragraphs)] * 3)
    scan = make_scan(source, folder / f"{script}3 scanned.pdf", dpi=200)
    real = tesseract.recognize
    heights: list[int] = []

    strips: list[int] = []

    def spy(image: Image.Image, *args, **kwargs):  # type: ignore[no-untyped-def]
        # a strip of line-start markers read alone (markers.py) is no script decision
        (strips if kwargs.get("whitelist") else heights).append(image.height)
        return real(image, *args, **kwargs)

    monkeypatch.setattr(tesseract, "recognize", spy)
    raw = read_pdf(scan, Limits(ocr_engine="tesseract"))
    page_height = max(heights)
    whole = [h for h in heights if h > 0.5 * page_height]
    assert len(whole) == reads  # each page read once (decided from the band)
    # the band: Japanese + simplified (kana), then chi_sim and chi_tra alone (script.decide)
    assert len(heights) - len(whole) <= 3
    assert len(strips) <= 3  # at most one marker strip a page
    assert [p.ocr_lang for p in raw.pages] == [lang] * 3
    # the three pages are alike, so the layout would take them for running heads: glyphs
    for page in raw.pages:
        assert _cer("".join(paragraphs), "".join(c.text for c in page.chars)) <= CER_BOUND


@needs_rapidocr
def test_rapidocr_reads_each_script_into_the_same_pages(three_scripts: Path) -> None:
    raw = read_pdf(three_scripts, Limits(ocr_engine="rapidocr"))
    assert [p.source for p in raw.pages] == ["ocr"] * 3
    assert all(0.8 <= (p.ocr_confidence or 0) <= 1 for p in raw.pages)
    # one model reads every script: the language a page records is the script it found
    assert [p.ocr_lang for p in raw.pages[:2]] == ["chi_sim", "jpn"]
    for number, paragraphs in enumerate((ZH, JA, ZH_TW), start=1):
        assert _cer("".join(paragraphs), _page_text(raw, number)) <= CER_BOUND, number


@needs_rapidocr
def test_the_cli_reads_a_scan_with_rapidocr(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_notice(folder / "penalty.pdf", [("zh", ZH[1:])])
    scan = make_scan(source, folder / "penalty scanned.pdf")
    argv = ["extract", "-q", "--ocr-engine", "rapidocr", "--kind", "threshold", str(scan)]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out.splitlines()[0])
    assert out["records"] and all(r["provenance"]["source"] == "ocr" for r in out["records"])


def test_a_scan_without_its_engine_is_e104_naming_what_to_install(
    three_scripts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rapid, "model_dir", lambda: None)
    with pytest.raises(NoTextLayerError) as caught:
        read_pdf(three_scripts, Limits(ocr_engine="rapidocr"))
    assert caught.value.code == "E104"
    assert "pip install rapidocr==3.10.0" in str(caught.value)
