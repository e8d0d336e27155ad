"""The v2 version pairs of the diff bench (``tests/data/dev/v2/truth/diff_A__B.json``).

The v2 truth (format: tests/data/dev/v2/README.md) names articles by number or, for a
branch article, by key (``"2_2"`` for 第二条の二) and gives two views:

- ``by_number``: articles added / removed / modified / unchanged under the same number.  Ours
  is read off the alignment: an added row is added, a removed row removed, a pair under one
  key modified or unchanged by its status; a renumbered or moved pair is neither (a miss).
  Scored as F1 over ``(category, article)`` facts.
- ``by_content``: the content alignment, rows ``(a, b, status)`` (matched pairs, then ``(None,
  b, added)`` and ``(a, None, removed)``), scored as the v1 alignment is: rows found verbatim
  divided by the larger row count.

Records come from the real pipeline (the pair's PDFs in ``tests/data/dev/v2/pdf``) or, with
``--from-truth``, from the truth's article texts.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

from models.diff import VersionDiff
from models.provenance import CharSpan, Provenance
from models.records import Article, Record

V2 = Path(__file__).resolve().parents[1] / "tests" / "data" / "dev" / "v2"


def pairs() -> list[Path]:
    return sorted((V2 / "truth").glob("diff_*__*.json"))


def _ref(value: Any) -> str | None:
    return None if value is None else str(value)


def truth_records(stem: str) -> list[Record]:
    """The truth's articles as Article records (key "2_2" for a branch article)."""
    data = json.loads((V2 / "truth" / f"{stem}.json").read_text(encoding="utf-8"))
    sha = hashlib.sha256(stem.encode()).hexdigest()
    records: list[Record] = []
    offset = 0
    for entry in data["articles"]:
        key = str(entry["number"])
        number = int(key.split("_")[0])
        body = entry["body"]
        records.append(
            Article(
                id=f"{sha[:16]}:article:{offset}",
                law=data.get("title"),
                article=number,
                article_label=entry["label"],
                text=body,
                provenance=Provenance(
                    source_sha256=sha,
                    document="main",
                    page=1,
                    char_span=CharSpan(start=offset, end=offset + len(body)),
                ),
                number=number,
                key=key,
                label=entry["label"],
                body=body,
            )
        )
        offset += len(body) + 1
    return records


def records(stem: str, from_truth: bool) -> list[Record]:
    if from_truth:
        return truth_records(stem)
    from bench.diff import records_from_pipeline

    return records_from_pipeline(V2 / "pdf" / f"{stem}.pdf")


def _f1(want: Counter[Any], got: Counter[Any]) -> dict[str, Any]:
    hit = sum((want & got).values())
    p = hit / max(1, sum(got.values()))
    r = hit / max(1, sum(want.values()))
    return {
        "precision": round(p, 3),
        "recall": round(r, 3),
        "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
        "missed": sorted(map(list, (want - got).elements())),
        "spurious": sorted(map(list, (got - want).elements())),
    }


def by_number_facts(diff: VersionDiff) -> Counter[tuple[str, str]]:
    facts: Counter[tuple[str, str]] = Counter()
    for row in diff.alignment:
        old, new = _ref(row.old), _ref(row.new)
        if old is None and new is not None:
            facts[("added", new)] += 1
        elif new is None and old is not None:
            facts[("removed", old)] += 1
        elif old == new and row.status in ("modified", "unchanged"):
            facts[(row.status, old)] += 1  # type: ignore[index]
    return facts


def score(expected: dict[str, Any], diff: VersionDiff) -> dict[str, Any]:
    truth = expected["by_number"]
    want_numbers = Counter(
        (category, str(ref))
        for category in ("added", "removed", "modified", "unchanged")
        for ref in truth[category]
    )
    content = expected["by_content"]
    want_rows = Counter(
        [(_ref(m["a"]), _ref(m["b"]), m["status"]) for m in content["matched"]]
        + [(None, str(b), "added") for b in content["added"]]
        + [(str(a), None, "removed") for a in content["removed"]]
    )
    got_rows = Counter((_ref(r.old), _ref(r.new), r.status) for r in diff.alignment)
    hit_rows = sum((want_rows & got_rows).values())
    rows = max(1, sum(want_rows.values()), sum(got_rows.values()))
    return {
        "by_number": _f1(want_numbers, by_number_facts(diff)),
        "by_content": round(hit_rows / rows, 3),
        "by_content_rows": f"{hit_rows}/{sum(want_rows.values())} (ours {sum(got_rows.values())})",
        "by_content_missed": sorted(map(list, (want_rows - got_rows).elements()), key=str),
    }
