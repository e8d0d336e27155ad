"""Score extraction on the unseen set (tests/data/unseen: 11 excerpts, hand-written truth).

    python -m bench.unseen [--kind ...] [--only STEM] [--verbose] [--dir tests/data/unseen2]

Documents of the kinds regwatch reads that it was not developed on (three MOFCOM/GACC
control-list notices, two of them Traditional-script reposts; two versions of the foreign
trade law; an 政令, two 省令 and two 通達 of METI), rendered in layouts unlike the dev
renderers (``tests/data/unseen/make_unseen.py``).  The truth is in the dev v2 format and is
scored by ``bench.extraction_v2``'s scorers with the same conventions, plus ``definition``:
a truth term matches one of our definitions whose term, quotes and brackets removed, equals it
or contains it (``“磁材製造”技術`` for 磁材製造); the definition text is not compared.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from bench.extraction import Score, norm
from bench.extraction_v2 import V2_KINDS, _report, score_v2

ROOT = Path(__file__).resolve().parent.parent
UNSEEN_DIR = ROOT / "tests" / "data" / "unseen"
KINDS = (*V2_KINDS, "definition")

_QUOTES = re.compile(r"[「」『』“”\"'‘’《》〈〉]")


def _term(text: str | None) -> str:
    return _QUOTES.sub("", norm(text))


def score_definitions(truth: dict[str, Any], ours: dict[str, list[dict[str, Any]]]) -> Score:
    want = [_term(d["term"]) for d in truth.get("definitions", [])]
    got = [_term(d.get("term")) for d in ours.get("definition", [])]
    score = Score(truth=len(want), predicted=len(got))
    unmatched = list(got)
    # Exact terms first, then containment: 輸出等 must not take 輸出等業務従事者 from its own
    # exact match.
    missing: list[str] = []
    for term in want:
        if term in unmatched:
            score.matched += 1
            unmatched.remove(term)
        else:
            missing.append(term)
    for term in missing:
        hit = next((g for g in unmatched if term and term in g), None)
        if hit is None:
            score.misses.append(term)
        else:
            score.matched += 1
            unmatched.remove(hit)
    score.false_positives = unmatched
    return score


def score_unseen(
    kinds: set[str] | None = None, only: str | None = None, folder: Path = UNSEEN_DIR
) -> tuple[list[tuple[str, str, Score]], dict[str, Score]]:
    return score_v2(folder, kinds, only, extra={"definition": score_definitions})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kind", choices=KINDS, action="append", help="score only this kind")
    parser.add_argument("--only", help="only truth files whose name contains this")
    parser.add_argument("--verbose", "-v", action="store_true", help="list misses and FPs")
    parser.add_argument(
        "--dir", type=Path, default=UNSEEN_DIR, help="a set in the same format (default: unseen)"
    )
    args = parser.parse_args(argv)
    rows, totals = score_unseen(set(args.kind or KINDS), args.only, args.dir)
    _report(args.dir.name, rows, totals, args.verbose)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
