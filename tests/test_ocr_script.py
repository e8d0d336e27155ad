"""The script of a scan (Japanese, simplified, traditional) and how sure OCR is of it.

The votes are tested on real Tesseract readings of scanned first-page bands and pages of the
dev v2, held-out and unseen files (``tests/data/ocr/script``, recorded by ``record.py``
there); the pipeline on the held-out scan whose thin first page was read as traditional
(h03), and on vertical Chinese pages, needs Tesseract and its models.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest import ocr
from ingest.limits import Limits
from ingest.ocr import run, vertical
from ingest.ocr.scans import make_scan
from ingest.ocr.script import HORIZONTAL, Tally, Verdict, decide, tally
from ingest.pdf import iter_pages

READINGS = Path(__file__).parent / "data" / "ocr" / "script"
HELDOUT = Path(__file__).parent / "data" / "heldout"
VERTICAL_TEXTS = Path(__file__).resolve().parents[1] / "bench" / "data" / "vertical"


class _Word:
    def __init__(self, text: str, conf: float) -> None:
        self.text, self.conf = text, conf


def _reader(name: str) -> Callable[[str], list[_Word] | None]:
    """``read(models)`` for ``script.decide``, from the readings recorded for ``name``."""
    recorded = json.loads((READINGS / f"{name}.json").read_text(encoding="utf-8"))

    def read(models: str) -> list[_Word] | None:
        words = recorded.get(models)
        return None if words is None else [_Word(text, conf) for text, conf in words]

    return read


@pytest.mark.parametrize(
    ("reading", "lang", "sure"),
    [
        ("zh_biosecurity_2020__band", "chi_sim", True),
        ("zh_mofcom_2024_31_uav__band", "chi_sim", True),
        ("zh_tariff_law_2024__band", "chi_sim", True),
        ("zht_foreign_trade_law_2025__band", "chi_tra", True),
        ("zht_mofcom_2024_33_antimony__band", "chi_tra", True),
        ("ja_saishori_2024__band", "jpn", True),
        # ~70 Han characters, 23 votes nearly even: too thin, page 1 is read whole
        ("h03_dual_use_regulation__band", "chi_sim", False),
        ("h01_mofcom_gacc_2023_23__band", "chi_sim", False),
    ],
    ids=[
        "statute-simplified",
        "mofcom-notice-simplified",
        "tariff-law-simplified",
        "statute-traditional",
        "mofcom-repost-traditional",
        "statute-japanese",
        "thin-simplified-band-unsure",
        "short-notice-band-unsure",
    ],
)
def test_a_first_page_band_decides_its_script_or_says_it_cannot(
    reading: str, lang: str, sure: bool
) -> None:
    verdict = decide(_reader(reading))
    assert verdict is not None
    assert (verdict.lang, verdict.sure) == (lang, sure)


@pytest.mark.parametrize(
    ("pages", "lang"),
    [
        (["h01_mofcom_gacc_2023_23__p1"], "chi_sim"),
        (["h03_dual_use_regulation__p1", "h03_dual_use_regulation__p2"], "chi_sim"),
        (["zht_mofcom_2025_62_rare_earth_tech__p1"], "chi_tra"),
    ],
    ids=["notice-page-1", "thin-page-1-then-page-2", "traditional-repost-page-1"],
)
def test_whole_pages_add_votes_until_sure(pages: list[str], lang: str) -> None:
    prior: Tally | None = Tally()  # the band found the file Chinese: no kana reading
    verdict: Verdict | None = None
    for page in pages:
        verdict = decide(_reader(page), HORIZONTAL, prior, chinese=True)
        assert verdict is not None
        prior = verdict.tally
    assert verdict is not None and verdict.sure and verdict.lang == lang


def test_the_thin_first_page_alone_is_not_enough() -> None:
    verdict = decide(_reader("h03_dual_use_regulation__p1"), HORIZONTAL, Tally(), chinese=True)
    assert verdict is not None and not verdict.sure


@pytest.mark.parametrize(
    ("simplified", "traditional", "expected"),
    [
        # each model writes its own forms; the votes go by confidence on the differing ones
        ([("为了加强", 95.0)], [("為了加強", 60.0)], Tally(simplified=1)),
        ([("为了加强", 60.0)], [("為了加強", 95.0)], Tally(traditional=1)),
        # 两用物项 / 兩用物項: two words on each side, each pair of words one vote
        ([("两用", 91.0), ("物项", 90.0)], [("兩用", 80.0), ("物項", 85.0)], Tally(2, 0)),
        # a misreading that is no script form (目/日) and an equal confidence do not vote
        ([("目的", 90.0)], [("日的", 50.0)], Tally()),
        ([("国家", 90.0)], [("國家", 90.0)], Tally()),
    ],
    ids=["simplified-surer", "traditional-surer", "per-word-pair", "misreading", "tie"],
)
def test_votes_come_from_differing_forms_read_more_surely(
    simplified: list[tuple[str, float]], traditional: list[tuple[str, float]], expected: Tally
) -> None:
    left = [_Word(t, c) for t, c in simplified]
    right = [_Word(t, c) for t, c in traditional]
    assert tally(left, right) == expected


# ---------------------------------------------------------------- with Tesseract

_MISSING = ocr.available("tesseract")
needs_tesseract = pytest.mark.skipif(_MISSING is not None, reason=f"OCR missing: {_MISSING}")


@needs_tesseract
def test_a_thin_simplified_first_page_is_read_as_simplified(tmp_path: Path) -> None:
    """h03: its first page (the promulgation order) holds ~95 characters; its band voted 12
    to 11, the page 14 to 9; the second page decides, and the first is given in the script
    decided (main read both pages in chi_tra: 两用物項, 為了加強)."""
    scan = make_scan(
        HELDOUT / "h03_dual_use_regulation.pdf", tmp_path / "h03.pdf", max_pages=2, seed=27
    )
    pages = list(iter_pages(scan, Limits(), time.monotonic()))  # no OCR yet
    decided: list[tuple[Verdict, int]] = []
    readings = run.ocr_pages(
        scan, pages, time.monotonic() + 600, on_script=lambda v, n: decided.append((v, n))
    )
    assert [r.lang for r in readings] == ["chi_sim", "chi_sim"]
    assert [(v.lang, v.sure, n) for v, n in decided] == [("chi_sim", True, 2)]
    first, second = ("".join(c.text for c in r.chars) for r in readings)
    assert "两用物项" in first and "兩用物項" not in first  # the promulgation page
    assert "为了加强" in second and "為了加強" not in second  # 第一条


_VERTICAL_CHINESE = vertical.reads_chinese() if _MISSING is None else False


@pytest.mark.skipif(
    not _VERTICAL_CHINESE,
    reason="Tesseract's vertical Chinese models: apt-get install tesseract-ocr-chi-sim-vert "
    "tesseract-ocr-chi-tra-vert",
)
@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("zh_biosecurity.txt", "chi_sim", "任何单位和个人不得危害生物安全"),
        ("zht_foreign_trade_law.txt", "chi_tra", "國務院對外貿易主管部門"),
    ],
    ids=["simplified-statute", "traditional-statute"],
)
def test_a_vertical_chinese_page_is_read_in_its_vertical_model(
    tmp_path: Path, text: str, lang: str, expected: str
) -> None:
    from bench.vertical import chromium, make_vertical_pdf

    if chromium() is None:
        pytest.skip("chromium sets the vertical page: apt-get install chromium")
    printed = make_vertical_pdf(VERTICAL_TEXTS / text, tmp_path / "vertical.pdf")
    scan = make_scan(printed, tmp_path / "scan.pdf", seed=7)
    pages = list(iter_pages(scan, Limits(), time.monotonic()))  # no OCR yet
    readings = run.ocr_pages(scan, pages[:1], time.monotonic() + 600)
    assert readings[0].lang == lang and readings[0].turn == vertical.TURN
    assert expected in "".join(c.text for c in readings[0].chars)
