"""Score extraction on the held-out PDFs (tests/data/heldout/STEM.pdf + STEM.json).

    python -m bench.heldout [--kind threshold|date|article|item_list] [--verbose]

Same matching as ``bench.extraction`` (its keys and scorers are reused); the documents are
ones the extractors were not developed on: other laws, issuers and page layouts.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bench.extraction import (
    KINDS,
    Score,
    _describe,
    _flatten,
    date_key,
    extract,
    print_table,
    score_articles,
    score_items,
    score_multiset,
    threshold_key,
)

ROOT = Path(__file__).resolve().parent.parent
HELDOUT_DIR = ROOT / "tests" / "data" / "heldout"


def score_pdf(pdf: Path, truth_path: Path, kinds: set[str]) -> dict[str, Score]:
    """Per-kind scores of the real pipeline on ``pdf`` against ``truth_path``."""
    from ingest.pipeline import ingest_pdf

    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    result = ingest_pdf(pdf)
    document = getattr(result, "document", result)
    records = [_flatten(r) for r in extract(document, kinds)]
    by_kind: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
    for rec in records:
        by_kind.setdefault(rec["kind"], []).append(rec)
    scores: dict[str, Score] = {}
    if "threshold" in kinds:
        scores["threshold"] = score_multiset(
            truth["thresholds"], by_kind["threshold"], threshold_key, _describe
        )
    if "date" in kinds:
        scores["date"] = score_multiset(truth["dates"], by_kind["date"], date_key, _describe)
    if "article" in kinds:
        scores["article"] = score_articles(truth, by_kind["article"])
    if "item_list" in kinds:
        scores["item_list"] = score_items(truth, by_kind["item_list"])
    return scores


def score_all(
    folder: Path = HELDOUT_DIR, kinds: set[str] | None = None
) -> tuple[list[tuple[str, str, Score]], dict[str, Score]]:
    """Rows (document, kind, score) and the per-kind totals over every PDF in ``folder``."""
    kinds = set(kinds or KINDS)
    rows: list[tuple[str, str, Score]] = []
    totals = {k: Score() for k in KINDS if k in kinds}
    for truth_path in sorted(folder.glob("*.json")):
        pdf = truth_path.with_suffix(".pdf")
        for kind, score in score_pdf(pdf, truth_path, kinds).items():
            rows.append((truth_path.stem[:23], kind, score))
            totals[kind].add(score)
    return rows, totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kind", choices=KINDS, action="append", help="score only this kind")
    parser.add_argument("--verbose", "-v", action="store_true", help="list misses and FPs")
    parser.add_argument("--dir", type=Path, default=HELDOUT_DIR, help="folder of PDF + JSON")
    args = parser.parse_args(argv)
    rows, totals = score_all(args.dir, set(args.kind or KINDS))
    if args.verbose:
        for doc, kind, score in rows:
            for line in score.misses:
                print(f"  MISS {doc} {kind}: {line}")
            for line in score.false_positives:
                print(f"  FP   {doc} {kind}: {line}")
    print_table([*rows, *[("ALL", k, s) for k, s in totals.items()]])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
