"""Score extraction against the dev ground truth (tests/data/dev/truth/*.json).

    python -m bench.extraction [--kind threshold|date|article|item_list] [--verbose]
                               [--by-page] [--source pdf|text]

Runs the project's real pipeline (``ingest.pipeline.ingest_pdf`` on ``samples/STEM.pdf``, then
``ingest.extract.extract_records``) and prints precision, recall and F1 per record kind:

- thresholds count only if value, unit and comparator (or min/max and both inclusivities) match;
- dates only if iso and role match;
- articles by (law, number or label), with the truth's ``law_aliases`` mapped to one name, and
  a text similarity of at least ``ARTICLE_SIMILARITY`` (NFKC, white space removed);
- item lists per item (NFKC, white space removed).

Mentions are matched as multisets; ``--by-page`` adds the page to every key.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TRUTH_DIR = ROOT / "tests" / "data" / "dev" / "truth"
SAMPLES_DIR = ROOT / "samples"
SEED_DIR = ROOT / "tests" / "data"
KINDS = ("article", "threshold", "date", "item_list")
ARTICLE_SIMILARITY = 0.9

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def norm(text: str | None) -> str:
    """NFKC with all white space removed: how every text field is compared."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def _num(value: Any) -> float | None:
    return None if value is None else round(float(value), 6)


# --- keys: what must agree for a prediction to count ---------------------------------------


def threshold_key(rec: dict[str, Any]) -> tuple[Hashable, ...]:
    if rec.get("min") is not None or rec.get("max") is not None:
        return (
            "range",
            _num(rec.get("min")),
            _num(rec.get("max")),
            rec.get("min_inclusive"),
            rec.get("max_inclusive"),
            rec.get("unit"),
        )
    return ("value", _num(rec.get("value")), rec.get("unit"), rec.get("comparator"))


def date_key(rec: dict[str, Any]) -> tuple[Hashable, ...]:
    return (rec.get("iso"), rec.get("role"))


@dataclass
class Score:
    truth: int = 0
    predicted: int = 0
    matched: int = 0
    misses: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.truth += other.truth
        self.predicted += other.predicted
        self.matched += other.matched
        self.misses += other.misses
        self.false_positives += other.false_positives

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else (1.0 if not self.truth else 0.0)

    @property
    def recall(self) -> float:
        return self.matched / self.truth if self.truth else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score_multiset(
    truth: Iterable[dict[str, Any]],
    predicted: Iterable[dict[str, Any]],
    key: Callable[[dict[str, Any]], Hashable],
    describe: Callable[[dict[str, Any]], str],
) -> Score:
    truth, predicted = list(truth), list(predicted)
    want = Counter(key(t) for t in truth)
    got = Counter(key(p) for p in predicted)
    score = Score(len(truth), len(predicted), sum((want & got).values()))
    missing, extra = want - got, got - want
    for t in truth:
        if missing[key(t)] > 0:
            missing[key(t)] -= 1
            score.misses.append(describe(t))
    for p in predicted:
        if extra[key(p)] > 0:
            extra[key(p)] -= 1
            score.false_positives.append(describe(p))
    return score


def _with_page(key: Callable[[dict[str, Any]], Hashable], by_page: bool) -> Callable[..., Hashable]:
    if not by_page:
        return key
    return lambda rec: (key(rec), rec.get("page"))


def _describe(rec: dict[str, Any]) -> str:
    shown = {k: v for k, v in rec.items() if k not in ("context", "note", "text") and v is not None}
    where = rec.get("context") or rec.get("text") or ""
    return f"{norm(rec.get('text'))!r} {shown} @ {norm(where)[:40]}"


# --- articles and item lists ---------------------------------------------------------------


def _law_canon(truth: dict[str, Any]) -> Callable[[str | None], str]:
    mapping: dict[str, str] = {}
    for law, aliases in (truth.get("law_aliases") or {}).items():
        for name in [law, *aliases]:
            mapping[norm(name).strip("《》「」")] = law
    for doc in truth.get("documents", []):
        for name in (doc.get("title"), doc.get("title_zh"), doc.get("number")):
            if name and norm(name) not in mapping:
                mapping[norm(name)] = name
    return lambda law: mapping.get(norm(law).strip("《》「」"), norm(law))


def score_articles(truth: dict[str, Any], predicted: list[dict[str, Any]]) -> Score:
    canon = _law_canon(truth)
    wanted = list(truth.get("articles", []))
    score = Score(truth=len(wanted), predicted=len(predicted))
    unmatched = list(predicted)
    for t in wanted:
        best, best_sim = None, 0.0
        for p in unmatched:
            same_law = canon(p.get("law")) == canon(t.get("law"))
            same_number = (p.get("number") is not None and p.get("number") == t.get("number")) or (
                norm(p.get("label")) == norm(t.get("label"))
            )
            if not (same_law and same_number):
                continue
            body = p.get("body") if p.get("body") is not None else p.get("text")
            sim = difflib.SequenceMatcher(None, norm(body), norm(t.get("text")), False).ratio()
            if sim > best_sim:
                best, best_sim = p, sim
        if best is not None and best_sim >= ARTICLE_SIMILARITY:
            score.matched += 1
            unmatched.remove(best)
        else:
            note = f" (best similarity {best_sim:.2f})" if best is not None else ""
            score.misses.append(f"{t.get('law')} {t.get('label')}{note}")
    score.false_positives = [f"{p.get('law')} {p.get('label')}" for p in unmatched]
    return score


def _item_text(item: Any) -> str:
    return norm(item.get("text") if isinstance(item, dict) else item)


def score_items(truth: dict[str, Any], predicted: list[dict[str, Any]]) -> Score:
    want = [{"text": _item_text(i)} for lst in truth.get("item_lists", []) for i in lst["items"]]
    got = [{"text": _item_text(i)} for lst in predicted for i in lst.get("items", [])]
    return score_multiset(want, got, lambda r: r["text"], lambda r: r["text"])


# --- running the pipeline ------------------------------------------------------------------


def _seed_document(stem: str) -> Any:
    from tests.factories import make_document

    return make_document((SEED_DIR / f"{stem}.txt").read_text(encoding="utf-8"))


def load_document(stem: str, source: str) -> tuple[Any, str]:
    """The Document for ``stem`` and where it came from (``pdf`` or ``text``).

    ``pdf`` runs the real pipeline on ``samples/STEM.pdf``; when the pipeline is missing or
    fails, the seed text is scored instead, with a warning (offsets and pages then differ).
    """
    if source == "text":
        return _seed_document(stem), "text"
    try:
        from ingest.pipeline import ingest_pdf  # type: ignore[import-not-found]
    except ImportError as err:
        print(f"WARNING: ingest.pipeline unavailable ({err}); scoring seed text", file=sys.stderr)
        return _seed_document(stem), "text"
    try:
        result = ingest_pdf(SAMPLES_DIR / f"{stem}.pdf")
    except Exception as err:  # another stage's bug must not hide this stage's score
        print(f"WARNING: ingest_pdf failed on {stem} ({err!r}); scoring seed text", file=sys.stderr)
        return _seed_document(stem), "text"
    document = getattr(result, "document", result)
    if document is None:
        raise RuntimeError(f"{stem}: ingestion failed: {getattr(result, 'errors', '')}")
    return document, "pdf"


def extract(document: Any, kinds: set[str]) -> list[dict[str, Any]]:
    """Records as plain dicts: ``extract_records`` if the package has it, else each extractor."""
    try:
        from ingest.extract import extract_records
    except ImportError as err:
        print(f"WARNING: extract_records unavailable ({err}); calling extractors", file=sys.stderr)
        return [r.model_dump() for r in _extract_each(document, kinds)]
    result = extract_records(document, kinds=kinds | {"article"})
    return [r.model_dump() for r in result.records]


def _extract_each(document: Any, kinds: set[str]) -> list[Any]:
    import importlib

    from ingest.extract.base import Locator

    records: list[Any] = []
    locator = Locator(document)
    try:
        articles = importlib.import_module("ingest.extract.articles").extract_articles(document)
        locator = Locator(document, articles.spans)
        records.extend(articles.records)
    except ImportError:
        pass
    for kind, module, function in (
        ("threshold", "ingest.extract.thresholds", "extract_thresholds"),
        ("date", "ingest.extract.dates", "extract_dates"),
        ("item_list", "ingest.extract.items", "extract_item_lists"),
    ):
        if kind not in kinds:
            continue
        try:
            records.extend(getattr(importlib.import_module(module), function)(document, locator))
        except ImportError:
            print(f"WARNING: {module} unavailable; {kind} not scored", file=sys.stderr)
    return records


def _flatten(rec: dict[str, Any]) -> dict[str, Any]:
    """A record dict with its page lifted out of provenance (for --by-page and listings)."""
    prov = rec.get("provenance") or {}
    return {**rec, "page": prov.get("page")}


def score_document(
    path: Path, kinds: set[str], by_page: bool, source: str = "pdf"
) -> tuple[dict[str, Score], float, str]:
    truth = json.loads(path.read_text(encoding="utf-8"))
    started = time.perf_counter()
    document, used = load_document(path.stem, source)
    records = [_flatten(r) for r in extract(document, kinds)]
    elapsed = time.perf_counter() - started
    by_kind: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
    for rec in records:
        by_kind.setdefault(rec["kind"], []).append(rec)
    scores: dict[str, Score] = {}
    if "threshold" in kinds:
        key = _with_page(threshold_key, by_page)
        scores["threshold"] = score_multiset(
            truth["thresholds"], by_kind["threshold"], key, _describe
        )
    if "date" in kinds:
        key = _with_page(date_key, by_page)
        scores["date"] = score_multiset(truth["dates"], by_kind["date"], key, _describe)
    if "article" in kinds:
        scores["article"] = score_articles(truth, by_kind["article"])
    if "item_list" in kinds:
        scores["item_list"] = score_items(truth, by_kind["item_list"])
    return scores, elapsed, used


def print_table(rows: list[tuple[str, str, Score]]) -> None:
    print(f"{'document':<24}{'kind':<11}{'truth':>6}{'pred':>6}{'tp':>6}{'P':>7}{'R':>7}{'F1':>7}")
    for doc, kind, s in rows:
        print(
            f"{doc:<24}{kind:<11}{s.truth:>6}{s.predicted:>6}{s.matched:>6}"
            f"{s.precision:>7.3f}{s.recall:>7.3f}{s.f1:>7.3f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kind", choices=KINDS, action="append", help="score only this kind")
    parser.add_argument("--verbose", "-v", action="store_true", help="list misses and FPs")
    parser.add_argument("--by-page", action="store_true", help="a match must be on the same page")
    parser.add_argument("--truth", type=Path, default=TRUTH_DIR, help="folder of truth JSON")
    parser.add_argument(
        "--source",
        choices=("pdf", "text"),
        default="pdf",
        help="pdf: the real pipeline on samples/*.pdf; text: the seed text (no PDF layer)",
    )
    args = parser.parse_args(argv)
    kinds = set(args.kind or KINDS)
    rows: list[tuple[str, str, Score]] = []
    totals = {k: Score() for k in KINDS if k in kinds}
    for path in sorted(args.truth.glob("*.json")):
        scores, elapsed, used = score_document(path, kinds, args.by_page, args.source)
        print(f"{path.stem} ({used}): ingest + extract {elapsed:.2f}s", file=sys.stderr)
        label = path.stem[:17] + ("" if used == "pdf" else " (txt)")
        for kind, score in scores.items():
            rows.append((label, kind, score))
            totals[kind].add(score)
            if args.verbose:
                for line in score.misses:
                    print(f"  MISS {path.stem} {kind}: {line}")
                for line in score.false_positives:
                    print(f"  FP   {path.stem} {kind}: {line}")
    rows += [("ALL", kind, score) for kind, score in totals.items()]
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
