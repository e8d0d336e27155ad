"""Diff bench: alignment accuracy and field-change precision/recall/F1 on the dev version pairs.

    python -m bench.diff                 # records from the real pipeline (PDF → extraction)
    python -m bench.diff --from-truth    # article texts from STEM.articles.json
    python -m bench.diff --json          # machine-readable figures
    python -m bench.diff --skip-v2       # the v1 pairs only

The two dev v2 pairs (``tests/data/dev/v2/truth/diff_*.json``, branch articles named "2_2")
are scored beside them by ``bench.diff_v2``: by-number F1 and by-content alignment.

Inputs: ``tests/data/dev/versions/OLD__NEW.json`` (expected diff) with the PDFs in
``samples/versions/`` (pipeline mode) or the ``STEM.articles.json`` article texts (truth mode).
In truth mode, thresholds and dates come from the real extractors run over a document built
from the truth article texts (no header lines there, so the issuing-line date change cannot be
found and counts as a miss); without the extractors only article-level changes can match.

Scores
- alignment accuracy: expected rows ``[old, new, status]`` found verbatim in ours, divided by
  the larger of the two row counts (extra rows cost as much as missing ones).
- splits / merges: exact group matches.
- field changes: a multiset match on a key.  The key is ``(kind, change, old article, new
  article)`` plus, for thresholds, the old and new mention texts (NFKC, white space removed)
  and, for dates, the old and new ISO dates.  The truth writes a wording change as
  ``kind=article, change=wording``; it is our ``kind=wording, change=changed``; threshold and
  date entries without ``change`` are ``added`` / ``removed`` / ``changed`` by which side is
  null.  Article and wording changes are matched without their texts (the articles already
  decide them).  Thresholds are also scored "unpaired": each change becomes its removed old
  value and its added new value, so a defensible alternative pairing inside one article
  (the truth's notes call 48→58 ambiguous) is not counted twice as wrong.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from corpus.diff import diff_versions  # noqa: E402
from models.diff import FieldChange, VersionDiff  # noqa: E402
from models.records import Record  # noqa: E402

VERSIONS = ROOT / "tests" / "data" / "dev" / "versions"
PDFS = ROOT / "samples" / "versions"
TARGETS = {"alignment": 0.98, "field_f1": 0.95}

Key = tuple[Any, ...]


def _norm(text: str | None) -> str | None:
    if text is None:
        return None
    return "".join(unicodedata.normalize("NFKC", text).split())


def _change_of(old: Any, new: Any) -> str:
    if old is None:
        return "added"
    return "removed" if new is None else "changed"


def truth_keys(entry: dict[str, Any]) -> Key:
    kind = entry["kind"]
    o, n = entry.get("article_old"), entry.get("article_new")
    if kind == "article" and entry.get("change") == "wording":
        return ("wording", "changed", o, n)
    if kind == "threshold":
        return (
            kind,
            _change_of(entry["old"], entry["new"]),
            o,
            n,
            _norm(entry["old"]),
            _norm(entry["new"]),
        )
    if kind == "date":
        old = entry.get("old_iso") if entry["old"] is not None else None
        new = entry.get("new_iso") if entry["new"] is not None else None
        return (kind, _change_of(entry["old"], entry["new"]), o, n, old, new)
    return (kind, entry.get("change") or _change_of(entry.get("old"), entry.get("new")), o, n)


def our_keys(change: FieldChange) -> Key:
    base = (change.kind, change.change, change.old_article, change.new_article)
    if change.kind == "threshold":
        return (*base, _norm(change.old), _norm(change.new))
    if change.kind == "date":
        return (*base, change.old, change.new)
    return base


def unpaired_thresholds(keys: Iterable[Key]) -> Counter[Key]:
    """Threshold changes as removed/added values per article pair (pairing-independent)."""
    facts: Counter[Key] = Counter()
    for key in keys:
        if key[0] != "threshold":
            continue
        _, _, o, n, old, new = key
        if old is not None:
            facts[("unpaired", "removed", o, old)] += 1
        if new is not None:
            facts[("unpaired", "added", n, new)] += 1
    return facts


def _values_agree(a: Any, b: Any) -> bool:
    """Equal, or one mention text inside the other (``毎月15日まで`` / ``毎月15日までに``)."""
    if a is None or b is None:
        return a is b
    return a == b or (isinstance(a, str) and isinstance(b, str) and (a in b or b in a))


def _agree(want: Key, got: Key) -> bool:
    head = 4 if want[0] != "unpaired" else 3
    return want[:head] == got[:head] and all(
        _values_agree(a, b) for a, b in zip(want[head:], got[head:], strict=True)
    )


def prf(expected: Counter[Key], got: Counter[Key]) -> dict[str, Any]:
    """Greedy multiset match: exact keys first, then keys whose mention texts agree."""
    want_left = expected - got
    got_left = got - expected
    hit = sum((expected & got).values())
    pending = list(want_left.elements())
    for key in list(got_left.elements()):
        twin = next((w for w in pending if len(w) == len(key) and _agree(w, key)), None)
        if twin is not None:
            pending.remove(twin)
            got_left[key] -= 1
            hit += 1
    p = hit / max(1, sum(got.values()))
    r = hit / max(1, sum(expected.values()))
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 3),
        "recall": round(r, 3),
        "f1": round(f, 3),
        "hits": hit,
        "missed": [list(k) for k in pending],
        "spurious": [list(k) for k in (+got_left).elements()],
    }


# --- record sources ---------------------------------------------------------------------------


@functools.cache
def _extractors() -> tuple[Any, str]:
    """The threshold/date extractors, imported once so both versions get the same ones."""
    try:
        from ingest.extract.base import ArticleSpan, Locator
        from ingest.extract.dates import extract_dates
        from ingest.extract.thresholds import extract_thresholds
        from tests.factories import make_document
    except ImportError as error:
        return None, f"no extractors ({error}): article-level changes only"
    return (ArticleSpan, Locator, extract_dates, extract_thresholds, make_document), ""


def records_from_truth(stem: str) -> tuple[list[Record], str]:
    """Truth articles; thresholds/dates from the real extractors over the same text, if present."""
    from tests.version_factories import load_truth, truth_articles, truth_document_text

    articles: list[Record] = list(truth_articles(stem))
    tools, problem = _extractors()
    if tools is None:
        return articles, problem
    article_span, locator_type, extract_dates, extract_thresholds, make_document = tools
    text, spans = truth_document_text(stem)
    document = make_document(text, language=load_truth(stem).get("language", "ja"))
    locator = locator_type(
        document,
        [
            article_span(s, e, entry.get("law"), entry["number"], entry["label"])
            for s, e, entry in spans
        ],
    )
    try:
        mentions = [*extract_thresholds(document, locator), *extract_dates(document, locator)]
    except Exception as error:  # a half-written extractor must not stop the bench
        return articles, f"extractors failed ({type(error).__name__}: {error})"
    return [*articles, *mentions], "truth articles + real threshold/date extractors"


def records_from_pipeline(pdf: Path) -> list[Record]:
    from ingest.extract import extract_records
    from ingest.pipeline import ingest_pdf

    ingested = ingest_pdf(pdf)
    document = getattr(ingested, "document", None) or ingested
    return list(extract_records(document).records)


# --- bench ------------------------------------------------------------------------------------


def score_pair(expected: dict[str, Any], diff: VersionDiff) -> dict[str, Any]:
    want_rows = Counter(tuple(r) for r in expected["alignment"])
    got_rows = Counter((r.old, r.new, r.status) for r in diff.alignment)
    hit_rows = sum((want_rows & got_rows).values())
    want = Counter(truth_keys(e) for e in expected["field_changes"])
    got = Counter(our_keys(c) for c in diff.field_changes)
    norm_groups = lambda groups: sorted(json.dumps(g, sort_keys=True) for g in groups)  # noqa: E731
    return {
        "alignment": round(hit_rows / max(1, sum(want_rows.values()), sum(got_rows.values())), 3),
        "alignment_rows": f"{hit_rows}/{sum(want_rows.values())} (ours {sum(got_rows.values())})",
        "splits_merges_exact": norm_groups(expected["splits"]) == norm_groups(diff.splits)
        and norm_groups(expected["merges"]) == norm_groups(diff.merges),
        "field_changes": prf(want, got),
        "thresholds_unpaired": prf(unpaired_thresholds(want), unpaired_thresholds(got)),
        "_counts": (want, got, want_rows, got_rows),
    }


def run(from_truth: bool, skip_v2: bool = False) -> dict[str, Any]:
    mode = "truth"
    if not from_truth:
        try:
            from ingest.extract import extract_records  # noqa: F401
            from ingest.pipeline import ingest_pdf  # noqa: F401
        except ImportError as error:
            print(f"note: pipeline unavailable ({error}); using --from-truth", file=sys.stderr)
            from_truth = True
        else:
            mode = "pipeline"
    start = time.perf_counter()
    from corpus.tokens import tokenize

    tokenize("審査の上", "ja"), tokenize("罚款", "zh")  # load spaCy once, outside the timings
    model_load = round(time.perf_counter() - start, 2)
    pairs: dict[str, Any] = {}
    totals: dict[str, Counter[Key]] = {k: Counter() for k in ("want", "got", "rows_w", "rows_g")}
    for path in sorted(VERSIONS.glob("*__*.json")):
        expected = json.loads(path.read_text(encoding="utf-8"))
        old_stem, new_stem = Path(expected["old"]).stem, Path(expected["new"]).stem
        start = time.perf_counter()
        if from_truth:
            (old, note_old), (new, _) = records_from_truth(old_stem), records_from_truth(new_stem)
            source = note_old
        else:
            old = records_from_pipeline(PDFS / expected["old"])
            new = records_from_pipeline(PDFS / expected["new"])
            source = "pipeline"
        extracted = time.perf_counter()
        diff = diff_versions(old, new, expected["old"], expected["new"])
        done = time.perf_counter()
        scores = score_pair(expected, diff)
        want, got, rows_w, rows_g = scores.pop("_counts")
        for name, counter in zip(
            ("want", "got", "rows_w", "rows_g"), (want, got, rows_w, rows_g), strict=True
        ):
            totals[name].update({(path.stem, *k): v for k, v in counter.items()})
        scores["records"] = source
        scores["seconds"] = {
            "records": round(extracted - start, 2),
            "diff": round(done - extracted, 2),
        }
        pairs[path.stem] = scores
    rows_hit = sum((totals["rows_w"] & totals["rows_g"]).values())
    overall = {
        "alignment": round(
            rows_hit / max(1, sum(totals["rows_w"].values()), sum(totals["rows_g"].values())), 3
        ),
        "field_changes": prf(totals["want"], totals["got"]),
    }
    return {
        "mode": mode,
        "tokenizer_load_seconds": model_load,
        "pairs": pairs,
        "overall": overall,
        "v2": {} if skip_v2 else run_v2(from_truth),
        "targets": TARGETS,
    }


def run_v2(from_truth: bool) -> dict[str, Any]:
    from bench import diff_v2

    scores: dict[str, Any] = {}
    for path in diff_v2.pairs():
        expected = json.loads(path.read_text(encoding="utf-8"))
        start = time.perf_counter()
        old = diff_v2.records(expected["a"], from_truth)
        new = diff_v2.records(expected["b"], from_truth)
        diff = diff_versions(old, new, expected["a"], expected["b"], tokenizer="fast")
        scores[path.stem] = {
            **diff_v2.score(expected, diff),
            "seconds": round(time.perf_counter() - start, 2),
        }
    return scores


def _print_misses(scores: dict[str, Any]) -> None:
    for key in scores["missed"]:
        print("   missed  ", key)
    for key in scores["spurious"]:
        print("   spurious", key)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--from-truth", action="store_true", help="articles from STEM.articles.json"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--skip-v2", action="store_true", help="score the v1 pairs only")
    parser.add_argument("--verbose", "-v", action="store_true", help="list missed/spurious changes")
    args = parser.parse_args(argv)
    result = run(args.from_truth, args.skip_v2)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return 0
    print(f"mode: {result['mode']} (tokenizers loaded in {result['tokenizer_load_seconds']}s)")
    for stem, s in result["pairs"].items():
        fc, tu = s["field_changes"], s["thresholds_unpaired"]
        print(
            f"{stem}: alignment {s['alignment']:.3f} ({s['alignment_rows']}), "
            f"splits/merges {'ok' if s['splits_merges_exact'] else 'WRONG'}, "
            f"field changes P {fc['precision']:.3f} R {fc['recall']:.3f} F1 {fc['f1']:.3f}, "
            f"thresholds unpaired F1 {tu['f1']:.3f}; "
            f"{s['seconds']['records']}s records + {s['seconds']['diff']}s diff [{s['records']}]"
        )
        if args.verbose:
            _print_misses(fc)
    o = result["overall"]
    print(
        f"overall: alignment {o['alignment']:.3f} (target {TARGETS['alignment']}), field changes "
        f"F1 {o['field_changes']['f1']:.3f} (target {TARGETS['field_f1']})"
    )
    for stem, s in result["v2"].items():
        bn = s["by_number"]
        print(
            f"v2 {stem}: by_number P {bn['precision']:.3f} R {bn['recall']:.3f} F1 {bn['f1']:.3f}, "
            f"by_content {s['by_content']:.3f} ({s['by_content_rows']}); {s['seconds']}s"
        )
        if args.verbose:
            _print_misses(bn)
            for row in s["by_content_missed"]:
                print("   row missed", row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
