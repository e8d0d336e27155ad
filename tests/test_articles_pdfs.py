"""Articles of the real sample PDFs, through ingest_pdf, against the dev truth.

Every article the truth lists comes out once with its law (any spelling the truth allows),
number, label and text (white space aside), and nothing else does: the two CISTEC
commentaries (own articles of the annexed measures, quotations of other laws) and the four
version PDFs (反垄断法 2007/2022, the rare-earth measures draft/final).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from bench.extraction import _law_canon
from ingest.extract.articles import extract_articles
from models.document import Document

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "data" / "dev"

CASES = [
    ("samples/000_15acbace682750dc.pdf", DEV / "truth" / "000_15acbace682750dc.json"),
    ("samples/001_2ccde129c88cd74c.pdf", DEV / "truth" / "001_2ccde129c88cd74c.json"),
    *(
        (f"samples/versions/{stem}.pdf", DEV / "versions" / f"{stem}.articles.json")
        for stem in (
            "anti_monopoly_law_2007",
            "anti_monopoly_law_2022",
            "rare_earth_measures_draft",
            "rare_earth_measures_final",
        )
    ),
]

Row = tuple[str, int | None, str, str]


@cache
def _ingested(path: str) -> Document:
    """Each PDF is ingested once per test session."""
    from ingest.pipeline import ingest_pdf

    return ingest_pdf(ROOT / path)


def _squash(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def _canon(truth: dict[str, Any]) -> Any:
    """Law names as the truth compares them.

    A version file names its one document by the title the PDF prints and its articles by the
    law's original (Chinese) name, which the translated PDF never prints: the title stands
    for that law.
    """
    canon = _law_canon(truth)
    laws = {a["law"] for a in truth["articles"]}
    documents = truth.get("documents", [])
    if len(laws) == 1 and len(documents) == 1:
        (law,) = laws
        title = _squash(documents[0]["title"])
        return lambda name: law if _squash(name) == title else canon(name)
    return canon


def _rows(pdf: str, truth_path: Path) -> tuple[list[Row], list[Row]]:
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    canon = _canon(truth)
    got = [
        (canon(a.law), a.number, a.label, _squash(a.body))
        for a in extract_articles(_ingested(pdf)).records
    ]
    want = [
        (canon(a["law"]), a["number"], a["label"], _squash(a["text"])) for a in truth["articles"]
    ]
    return sorted(got, key=str), sorted(want, key=str)


@pytest.mark.parametrize(("pdf", "truth_path"), CASES, ids=[Path(p).stem[:26] for p, _ in CASES])
def test_article_lists_match_truth(pdf: str, truth_path: Path) -> None:
    got, want = _rows(pdf, truth_path)
    assert [r[:3] for r in got] == [r[:3] for r in want]
    wrong = [g[2] for g, w in zip(got, want, strict=True) if g[3] != w[3]]
    assert wrong == []


@pytest.mark.parametrize(
    ("pdf", "count"),
    [
        ("samples/versions/anti_monopoly_law_2007.pdf", 57),
        ("samples/versions/anti_monopoly_law_2022.pdf", 70),
        ("samples/versions/rare_earth_measures_draft.pdf", 15),
        ("samples/versions/rare_earth_measures_final.pdf", 17),
    ],
    ids=["aml-2007", "aml-2022", "rare-earth-draft", "rare-earth-final"],
)
def test_version_pdfs_number_their_articles_without_warnings(pdf: str, count: int) -> None:
    result = extract_articles(_ingested(pdf))
    assert [a.number for a in result.records] == list(range(1, count + 1))
    assert result.warnings == []
