"""Issue 15.4: extraction linear in the document's length, under one time budget per file.

The look-ups that replaced per-record scans (``Document.blocks_in``, ``Locator.article_at``,
``Intervals``) are checked against the brute-force answers they replaced; the budget
(``--timeout``) is checked to stop extraction with E106 naming the file.  Speed itself is
measured by ``bench/extraction_scale.py`` (timings do not belong in a shared test run).
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from corpus.pipeline import process_files
from ingest.deadline import Deadline
from ingest.extract import extract_records
from ingest.extract.base import ArticleSpan, Locator
from ingest.extract.spans import Intervals
from ingest.pipeline import Limits
from models.errors import LimitExceededError
from models.provenance import CharSpan
from tests.factories import make_document

V2_PDF = Path(__file__).parent / "data" / "dev" / "v2" / "pdf"


def test_blocks_in_matches_a_scan_of_every_block() -> None:
    document = make_document("\n".join(f"第{i}条　本法第{i}条の規定。" for i in range(1, 200)))
    rng = random.Random(7)
    for _ in range(300):
        start = rng.randrange(len(document.text))
        span = CharSpan(start=start, end=start + rng.randrange(0, 60))
        brute = [
            b
            for b in document.blocks
            if b.char_span is not None
            and b.char_span.start < max(span.end, span.start + 1)
            and span.start < b.char_span.end
        ]
        assert document.blocks_in(span) == brute


def _article_at_by_scan(articles: list[ArticleSpan], offset: int) -> ArticleSpan | None:
    """The walk ``Locator.article_at`` did before: back over every article starting at or
    before ``offset`` (sorted by start, longest first), stopping once one contains it and
    an article ends before it."""
    best: ArticleSpan | None = None
    for a in reversed([a for a in articles if a.start <= offset]):
        if a.start <= offset < a.end and (best is None or a.end - a.start < best.end - best.start):
            best = a
        if best is not None and a.end <= offset:
            break
    return best


def test_article_at_matches_the_scan_it_replaced() -> None:
    rng = random.Random(11)
    spans = []
    for _ in range(80):
        start = rng.randrange(5000)
        spans.append(ArticleSpan(start, start + rng.randrange(1, 400), None, None, "x"))
    locator = Locator(make_document("x" * 6000), spans)
    for offset in range(0, 6000, 7):
        assert locator.article_at(offset) == _article_at_by_scan(locator.articles, offset)


def test_intervals_overlap_as_the_pairwise_test() -> None:
    rng = random.Random(3)
    for _ in range(500):
        taken, spans = Intervals(), []
        for _ in range(rng.randrange(10)):
            a = rng.randrange(40)
            spans.append((a, a + rng.randrange(7)))
            taken.add(*spans[-1])
        for _ in range(20):
            a = rng.randrange(45)
            b = a + rng.randrange(6)
            assert taken.overlaps(a, b) == any(x < b and a < y for x, y in spans)


def test_extraction_past_the_budget_is_E106_naming_the_file() -> None:
    document = make_document("第一条　本法は公布の日から施行する。")
    spent = Deadline("law.pdf", time.monotonic() - 10.0, 1.0)
    with pytest.raises(LimitExceededError) as raised:
        extract_records(document, deadline=spent)
    assert raised.value.code == "E106"
    assert "law.pdf" in str(raised.value.to_dict())
    assert "extraction" in str(raised.value)


def test_timeout_covers_ingest_and_extraction(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file read in time whose extraction runs past --timeout fails with E106 (before,
    only page reading was timed)."""
    import ingest.extract as extract

    def slow_dates(document: object, locator: object) -> list[object]:
        time.sleep(1.2)
        return []

    monkeypatch.setattr(extract, "_EXTRACTORS", [("date", slow_dates), *extract._EXTRACTORS[1:]])
    pdf = V2_PDF / "zh_mofcom_2023_39_graphite.pdf"
    (outcome,) = process_files([pdf], limits=Limits(max_seconds_per_file=1.0))
    assert outcome.extraction is None
    assert [e["code"] for e in outcome.errors] == ["E106"]
    assert "extraction" in outcome.errors[0]["message"]
