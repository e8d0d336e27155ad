"""Score extraction on dev v1 and dev v2 in one run.

    python -m bench.extraction_v2 [--set v1|v2] [--kind ...] [--verbose] [--only STEM]

v1 is ``bench.extraction`` (samples/*.pdf against tests/data/dev/truth). v2 runs the real
pipeline on tests/data/dev/v2/pdf/*.pdf against tests/data/dev/v2/truth (format in that
folder's README), with its conventions:

- articles by number (``"2_2"`` for 第二条の二) or label, text similarity ≥ 0.9 (NFKC, no
  white space); the truth has one law per file, so the law is not compared;
- dates by iso only (v2 truth gives no roles), so a mention with two roles (two records)
  counts once; the truth holds complete written dates only, so relative mentions (同日,
  本日) and month-precision dates are not scored;
- the truth holds body text only ("None of the non-body text belongs to the document
  body"): records in footnotes (at or after ``Document.body_end``) are not scored;
- thresholds by (value, unit, comparator); the truth's unit as written and ours both go
  through ``ingest.extract.units.normalize_unit``; one of our ranges counts as its two limits
  (``>=`` low, ``<=`` high), as the truth writes them;
- item lists per item text (a leading control code, a trailing code note and final
  punctuation left out on both sides), and ``item_code`` per (item, code) pair for the truth's
  ``codes`` (control codes and HS codes of each item);
- titles: the document identity's title equals the truth's (NFKC, no white space).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Hashable, Mapping
from pathlib import Path
from typing import Any

from bench.extraction import (
    ARTICLE_SIMILARITY,
    KINDS,
    TRUTH_DIR,
    Score,
    _describe,
    _flatten,
    norm,
    print_table,
    score_document,
    score_multiset,
)
from models.han_variants import simplified_view

ROOT = Path(__file__).resolve().parent.parent
V2_DIR = ROOT / "tests" / "data" / "dev" / "v2"
V2_KINDS = (*KINDS, "item_code", "title")


def article_key(number: Any) -> str | None:
    """``2``, ``"2_2"``: the truth's article key as a string (ours: number + branch)."""
    return None if number is None else str(number)


def _our_article_key(rec: dict[str, Any]) -> str | None:
    key = rec.get("key")
    return key if key else article_key(rec.get("number"))


def score_articles_v2(truth: list[dict[str, Any]], predicted: list[dict[str, Any]]) -> Score:
    import difflib

    score = Score(truth=len(truth), predicted=len(predicted))
    unmatched = list(predicted)
    for t in truth:
        best, best_sim = None, 0.0
        for p in unmatched:
            same = _our_article_key(p) == article_key(t["number"]) or norm(p.get("label")) == norm(
                t["label"]
            )
            if not same:
                continue
            sim = difflib.SequenceMatcher(None, norm(p.get("text")), norm(t["text"]), False).ratio()
            if sim > best_sim:
                best, best_sim = p, sim
        if best is not None and best_sim >= ARTICLE_SIMILARITY:
            score.matched += 1
            unmatched.remove(best)
        else:
            note = f" (best similarity {best_sim:.2f})" if best is not None else ""
            score.misses.append(f"{t['label']}{note}")
    score.false_positives = [f"{p.get('label')} {norm(p.get('text'))[:30]}" for p in unmatched]
    return score


# A bare 度 is °C, ° or a count of times by its clause, which a truth written "as written"
# does not carry: the three readings of a degree compare equal.
_DEGREES = {"°C": "degree", "°": "degree", "度": "degree"}


def _unit(written: str | None) -> str:
    from ingest.extract.units import normalize_unit

    unit = normalize_unit(written or "")
    return _DEGREES.get(unit, unit)


def _value(value: Any) -> float | None:
    return None if value is None else round(float(value), 6)


def threshold_key_v2(rec: dict[str, Any]) -> Hashable:
    return (_value(rec.get("value")), _unit(rec.get("unit")), rec.get("comparator"))


def our_thresholds(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Our threshold records in the truth's shape: a range becomes its two limits."""
    out: list[dict[str, Any]] = []
    for rec in records:
        if rec.get("min") is None and rec.get("max") is None:
            out.append(rec)
            continue
        if rec.get("min") is not None:
            comp = ">=" if rec.get("min_inclusive") is not False else ">"
            out.append({**rec, "value": rec["min"], "comparator": comp})
        if rec.get("max") is not None:
            comp = "<=" if rec.get("max_inclusive") is not False else "<"
            out.append({**rec, "value": rec["max"], "comparator": comp})
    return out


# A control code opening an item (``3C901.a.1.``), a code note closing it
# (``(参考税则号列:85076000)``) and final punctuation: item_code scores the codes, so the text
# comparison leaves them out of both sides.  The note is found on the Simplified view, so a
# Traditional note (參考海關商品編號, 管制編碼) is one too.
_LEADING_CODE = re.compile(r"^[0-9][A-E][0-9]{3}(?:\.[a-z0-9]+)*\.?")
_CODE_NOTE = re.compile(
    r"[(（][^()（）]*(?:税则|商品编号|海关|管制编码|HS|コード|商品番号|関税番号)[^()（）]*[)）]"
)
_FINAL = ";；。:：,，、.．"


def _without_code_notes(text: str) -> str:
    kept, last = [], 0
    for note in _CODE_NOTE.finditer(simplified_view(text)):  # same length: same offsets
        kept.append(text[last : note.start()])
        last = note.end()
    return "".join(kept) + text[last:]


def item_text_v2(text: str | None) -> str:
    bare = _without_code_notes(norm(text)).strip(_FINAL)
    return _LEADING_CODE.sub("", bare).strip(_FINAL)


def score_items_v2(truth: list[dict[str, Any]], predicted: list[dict[str, Any]]) -> Score:
    want = [{"text": item_text_v2(i)} for lst in truth for i in lst["items"]]
    got = [{"text": item_text_v2(i.get("text"))} for lst in predicted for i in lst.get("items", [])]
    return score_multiset(want, got, lambda r: r["text"], lambda r: r["text"])


def score_item_codes(truth: list[dict[str, Any]], predicted: list[dict[str, Any]]) -> Score:
    """Per (item text, code) pair: each control and HS code the truth gives an item."""
    want: list[dict[str, Any]] = []
    for lst in truth:
        for text, codes in zip(lst["items"], lst.get("codes") or [], strict=False):
            for code in [*codes.get("control", []), *codes.get("hs", [])]:
                want.append({"item": item_text_v2(text)[:40], "code": norm(code)})
    got: list[dict[str, Any]] = []
    for lst in predicted:
        for item in lst.get("items", []):
            codes = {*(item.get("control_codes") or []), *(item.get("hs_codes") or [])}
            if item.get("code"):  # the item's codes as written, joined by ", "
                codes.update(item["code"].split(", "))
            for code in sorted(codes):
                got.append({"item": item_text_v2(item.get("text"))[:40], "code": norm(code)})
    return score_multiset(
        want, got, lambda r: (r["item"], r["code"]), lambda r: f"{r['code']} @ {r['item']}"
    )


# A date written with its year (2025年, 令和7年, 二〇〇七年, 2025-04-04, 20251009): the v2 truth's
# "complete dates"; 4月4日 gets its year from the text around it, a partial date to the truth.
_WRITTEN_YEAR = re.compile(
    r"(?:[0-9０-９]{1,4}|[〇零○一二三四五六七八九十OＯ]{1,4}|元)\s*年|^\s*(?:19|20)[0-9]{2}[-.．/／]?[0-9]"
)


def written_dates(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Our complete written dates, one per mention (the scope of the v2 truth)."""
    seen: set[Any] = set()
    out: list[dict[str, Any]] = []
    for rec in records:
        if rec.get("relative") or rec.get("precision") != "day":
            continue
        if not _WRITTEN_YEAR.search(rec.get("raw") or ""):
            continue
        span = rec["provenance"]["char_span"]
        where = (span["start"], span["end"]) if span else id(rec)
        if where not in seen:
            seen.add(where)
            out.append(rec)
    return out


def score_title(truth: dict[str, Any], identity: dict[str, Any]) -> Score:
    ours = identity.get("title") or ""
    hit = norm(ours) == norm(truth["title"])
    score = Score(truth=1, predicted=1 if ours else 0, matched=int(hit))
    if not hit:
        score.misses.append(f"want {truth['title']!r}")
        if ours:
            score.false_positives.append(f"got {ours!r}")
    return score


# An extra scorer: (truth JSON, our records by kind) -> Score; bench.unseen adds definitions.
ExtraScorer = Callable[[dict[str, Any], dict[str, list[dict[str, Any]]]], Score]


def score_v2_document(
    pdf: Path, truth_path: Path, kinds: set[str], extra: Mapping[str, ExtraScorer] | None = None
) -> dict[str, Score]:
    from ingest.extract import extract_records
    from ingest.pipeline import ingest_pdf

    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    result = ingest_pdf(pdf)
    document = getattr(result, "document", result)
    if document is None:
        raise RuntimeError(f"{pdf.name}: ingestion failed: {getattr(result, 'errors', '')}")
    extracted = extract_records(document)
    records = [
        _flatten(r.model_dump())
        for r in extracted.records
        if r.provenance.char_span is None or r.provenance.char_span.start < document.body_end
    ]
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for rec in records:
        by_kind.setdefault(rec["kind"], []).append(rec)
    scores: dict[str, Score] = {}
    if "article" in kinds:
        scores["article"] = score_articles_v2(truth["articles"], by_kind.get("article", []))
    if "threshold" in kinds:
        scores["threshold"] = score_multiset(
            truth["thresholds"],
            our_thresholds(by_kind.get("threshold", [])),
            threshold_key_v2,
            _describe,
        )
    if "date" in kinds:
        scores["date"] = score_multiset(
            truth["dates"],
            written_dates(by_kind.get("date", [])),
            lambda r: r.get("iso"),
            _describe,
        )
    if "item_list" in kinds:
        scores["item_list"] = score_items_v2(truth["item_lists"], by_kind.get("item_list", []))
    if "item_code" in kinds:
        scores["item_code"] = score_item_codes(truth["item_lists"], by_kind.get("item_list", []))
    if "title" in kinds:
        scores["title"] = score_title(truth, extracted.identity.model_dump())
    for kind, scorer in (extra or {}).items():
        if kind in kinds:
            scores[kind] = scorer(truth, by_kind)
    return scores


def score_v2(
    folder: Path = V2_DIR,
    kinds: set[str] | None = None,
    only: str | None = None,
    extra: Mapping[str, ExtraScorer] | None = None,
) -> tuple[list[tuple[str, str, Score]], dict[str, Score]]:
    """Rows (document, kind, score) and per-kind totals over ``folder``/truth/*.json."""
    all_kinds = (*V2_KINDS, *(extra or {}))
    kinds = set(kinds or all_kinds)
    rows: list[tuple[str, str, Score]] = []
    totals = {k: Score() for k in all_kinds if k in kinds}
    for truth_path in sorted((folder / "truth").glob("*.json")):
        if truth_path.stem.startswith("diff_") or (only and only not in truth_path.stem):
            continue
        started = time.perf_counter()
        pdf = folder / "pdf" / f"{truth_path.stem}.pdf"
        scores = score_v2_document(pdf, truth_path, kinds, extra)
        print(f"{truth_path.stem}: {time.perf_counter() - started:.2f}s", file=sys.stderr)
        for kind, score in scores.items():
            rows.append((truth_path.stem[:23], kind, score))
            totals[kind].add(score)
    return rows, totals


def score_v1(kinds: set[str]) -> tuple[list[tuple[str, str, Score]], dict[str, Score]]:
    kinds = kinds & set(KINDS)
    rows: list[tuple[str, str, Score]] = []
    totals = {k: Score() for k in KINDS if k in kinds}
    for path in sorted(TRUTH_DIR.glob("*.json")):
        scores, _, _ = score_document(path, kinds, by_page=False)
        for kind, score in scores.items():
            rows.append((path.stem[:23], kind, score))
            totals[kind].add(score)
    return rows, totals


def _report(name: str, rows: list[tuple[str, str, Score]], totals: dict[str, Score], verbose: bool):
    print(f"== {name}")
    if verbose:
        for doc, kind, score in rows:
            for line in score.misses:
                print(f"  MISS {doc} {kind}: {line}")
            for line in score.false_positives:
                print(f"  FP   {doc} {kind}: {line}")
    print_table([*rows, *[("ALL", k, s) for k, s in totals.items()]])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", choices=("v1", "v2"), action="append", help="default: both")
    parser.add_argument("--kind", choices=V2_KINDS, action="append", help="score only this kind")
    parser.add_argument("--only", help="v2: only truth files whose name contains this")
    parser.add_argument("--verbose", "-v", action="store_true", help="list misses and FPs")
    args = parser.parse_args(argv)
    kinds = set(args.kind or V2_KINDS)
    sets = args.set or ["v1", "v2"]
    if "v1" in sets and not args.only:
        _report("dev v1", *score_v1(kinds), args.verbose)
    if "v2" in sets:
        _report("dev v2", *score_v2(V2_DIR, kinds, args.only), args.verbose)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
