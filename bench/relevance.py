"""Calibrate ``Hit.relevance`` (index/relevance.py) and choose its floor.

    python -m bench.relevance               # fit on dev v1 + v2 answers vs off-topic queries
    python -m bench.relevance --cache DIR   # reuse bench.search's corpus and indexes

Positives: the first answer hit of each dev question found in the top 10 (hybrid, default
embedders).  Negatives: the top 5 hits of each off-topic or nonsense query
(bench/data/off_topic_queries.json).  Prints the fitted weights (to copy into
index/relevance.py) and, per candidate floor, the share of dev answers kept, the dev R@5 with
the floor applied, and the share of off-topic queries left with no hit.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.search import _sync  # noqa: E402
from bench.search_sets import SETS, v1_set, v2_set  # noqa: E402
from index.embed import get_embedders  # noqa: E402
from index.relevance import fit, relevance  # noqa: E402
from index.search import SearchIndex  # noqa: E402

OFF_TOPIC = ROOT / "bench" / "data" / "off_topic_queries.json"
FLOORS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7)


def collect(base: Path) -> dict[str, Any]:
    embedders = get_embedders(None)
    answers: list[tuple[int, dict[str, float]]] = []  # (rank, features) of first answer hits
    missed = 0
    negatives: list[list[dict[str, float]]] = []  # per off-topic query, its hits' features
    for name in SETS:
        qset = v1_set(False) if name == "v1" else v2_set(base / "corpus-v2")
        index = SearchIndex(base / f"index-{name}", embedders=embedders)
        _sync(index, qset.chunks)
        for q in qset.questions:
            explained = index.explain(q.text, k=10)
            found = next(((r, f) for r, (h, f) in enumerate(explained, 1) if q.found(h)), None)
            if found is None or found[1] is None:
                missed += 1
            else:
                answers.append(found)  # type: ignore[arg-type]
        for query in json.loads(OFF_TOPIC.read_text(encoding="utf-8"))["queries"]:
            negatives.append([f for _, f in index.explain(query["text"], k=5) if f is not None])
        index.close()
    return {"answers": answers, "missed": missed, "negatives": negatives}


def report(data: dict[str, Any]) -> dict[str, Any]:
    answers, negatives = data["answers"], data["negatives"]
    weights, bias = fit([f for _, f in answers], [f for hits in negatives for f in hits])
    total = len(answers) + data["missed"]
    rows = []
    for floor in FLOORS:
        kept = [(r, f) for r, f in answers if (relevance(f, weights, bias) or 0) >= floor]
        empty = sum(
            1 for hits in negatives if all((relevance(f, weights, bias) or 0) < floor for f in hits)
        )
        rows.append(
            {
                "floor": floor,
                "answers_kept": len(kept) / max(len(answers), 1),
                "r@5_with_floor": sum(1 for r, _ in kept if r <= 5) / max(total, 1),
                "off_topic_empty": empty / max(len(negatives), 1),
            }
        )
    return {
        "weights": {k: round(v, 4) for k, v in weights.items()},
        "bias": round(bias, 4),
        "positives": len(answers),
        "negative_queries": len(negatives),
        "questions_without_answer_in_top10": data["missed"],
        "floors": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=None, help="bench.search's cache folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = report(collect(args.cache or Path(tmp)))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
