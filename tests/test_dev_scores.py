"""The dev set's accuracy floors (issue 3 targets), through the real PDF → records pipeline.

Scored with the same code as ``bench/extraction.py``; a drop below a target fails CI.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.extraction import score_document

TRUTH = Path(__file__).parent / "data" / "dev" / "truth"
TARGETS = {"article": 0.99, "threshold": 0.95, "date": 0.95, "item_list": 0.90}


@pytest.mark.slow
@pytest.mark.parametrize("truth", sorted(TRUTH.glob("*.json")), ids=lambda p: p.stem[:3])
def test_dev_document_meets_targets(truth: Path) -> None:
    scores, _, source = score_document(truth, set(TARGETS), by_page=False)
    assert source == "pdf"
    for kind, target in TARGETS.items():
        assert scores[kind].f1 >= target, (kind, scores[kind])
