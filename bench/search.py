"""Search quality on the dev questions (v1, v2) and the unseen ones (unseen2, unseen3): R@1/5/10
and MRR per retriever and fused, per question language and for the cross-lingual questions.

    python -m bench.search                  # all sets: v1 (samples/*.pdf), v2 (11 PDFs),
                                            # unseen2, unseen3 (12 PDFs each among v2's,
                                            # 20 questions each)
    python -m bench.search --set v2         # one set
    python -m bench.search --from-truth     # v1 chunks from tests/data/dev truth articles
    python -m bench.search --model use      # other embedders (default e5+use)
    python -m bench.search --fusion rrf     # the default fusion for the fused rows
    python -m bench.search --cache DIR      # keep corpus + index in DIR (reruns embed nothing new)

Rows: each dense retriever alone (``e5``, ``use``), ``dense`` (the dense lists fused),
``keyword`` (BM25), each dense retriever with keywords, ``hybrid`` (everything) with the
chosen fusion, and ``hybrid`` under each other fusion method (``hybrid/rrf``...).  Columns:
all questions (R@1, R@5, R@10, MRR), then R@5 of the English, Japanese and Chinese
questions and of the cross-lingual ones.  What counts as found: ``bench.search_sets``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.search_sets import (  # noqa: E402
    DEV,
    SETS,
    QuestionSet,
    pipeline_chunks,
    truth_chunks,
    unseen_set,
    v1_set,
    v2_set,
)
from index.embed import get_embedders  # noqa: E402
from index.fusion import METHODS, FusionConfig  # noqa: E402
from index.search import SearchIndex  # noqa: E402
from models.search import Chunk  # noqa: E402

__all__ = ["DEV", "pipeline_chunks", "run", "scores", "truth_chunks"]
# "diff": the questions about versions (v2's type "diff": what changed, the text of a year).
GROUPS = ("all", "en", "ja", "zh", "cross", "diff")


def scores(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks) or 1
    return {
        "n": len(ranks),
        "r@1": sum(1 for r in ranks if r and r <= 1) / n,
        "r@5": sum(1 for r in ranks if r and r <= 5) / n,
        "r@10": sum(1 for r in ranks if r and r <= 10) / n,
        "mrr": sum(1 / r for r in ranks if r) / n,
    }


def rows(index: SearchIndex) -> list[tuple[str, str, FusionConfig]]:
    """(row label, search mode, fusion) of every combination the bench reports."""
    names = index.retriever_names()
    chosen = index.fusion
    combos = [(n, n, chosen) for n in names]
    if len(names) > 1:
        combos.append(("dense", "dense", chosen))
    combos.append(("keyword", "keyword", chosen))
    if len(names) > 1:
        combos.extend((f"{n}+keyword", f"{n}+keyword", chosen) for n in names)
    combos.append(("hybrid", "hybrid", chosen))
    for method in METHODS:
        if method != chosen.method:
            other = FusionConfig(method=method, weights=chosen.weights, rrf_k=chosen.rrf_k)
            combos.append((f"hybrid/{method}", "hybrid", other))
    return combos


def _sync(index: SearchIndex, chunks: list[Chunk]) -> float:
    """Make the index hold exactly ``chunks`` (unchanged ones are not embedded again)."""
    start = time.perf_counter()
    stale = sorted(index.keywords.ids() - {c.id for c in chunks})
    if stale:
        for store in index.stores:
            store.delete(stale)
        index.keywords.remove(stale)
    index.add(chunks)
    return time.perf_counter() - start


def score_set(
    qset: QuestionSet, index_dir: Path, embedders: list[Any], fusion: str | None, verbose: bool
) -> dict[str, Any]:
    index = SearchIndex(index_dir, embedders=embedders, fusion=fusion)
    build_s = _sync(index, qset.chunks)
    combos = rows(index)
    chosen = index.fusion
    ranks: dict[str, dict[str, list[int | None]]] = {
        label: {g: [] for g in GROUPS} for label, _, _ in combos
    }
    for q in qset.questions:
        per_mode = {}
        for label, mode, config in combos:
            index.fusion = config
            hits = index.search(q.text, k=10, mode=mode)
            rank = next((r for r, h in enumerate(hits, 1) if q.found(h)), None)
            per_mode[label] = rank
            groups = ["all", q.lang] + (["cross"] if q.cross_lingual else [])
            groups += ["diff"] if q.type == "diff" else []
            for g in groups:
                ranks[label][g].append(rank)
        index.fusion = chosen
        if verbose:
            print(qset.name, q.id, q.lang, per_mode, file=sys.stderr)
    index.close()
    return {
        "source": qset.source,
        "chunks": len(qset.chunks),
        "questions": len(qset.questions),
        "cross_lingual": sum(1 for q in qset.questions if q.cross_lingual),
        "index_build_s": round(build_s, 2),
        "fusion": chosen.to_dict(),
        "modes": {m: {g: scores(r) for g, r in by.items()} for m, by in ranks.items()},
    }


def run(
    sets: list[str],
    from_truth: bool,
    model: str | None,
    verbose: bool,
    fusion: str | None = None,
    cache: Path | None = None,
) -> dict[str, Any]:
    embedders = get_embedders(model)
    result: dict[str, Any] = {"embedders": [e.config()["model"] for e in embedders]}
    with tempfile.TemporaryDirectory() as tmp:
        base = cache or Path(tmp)
        for name in sets:
            if name == "v1":
                qset = v1_set(from_truth)
            elif name == "v2":
                qset = v2_set(base / "corpus-v2")
            else:
                qset = unseen_set(name, base / f"corpus-{name}")
            index_dir = base / f"index-{name}{'-truth' if from_truth and name == 'v1' else ''}"
            result[name] = score_set(qset, index_dir, embedders, fusion, verbose)
    return result


def print_table(result: dict[str, Any]) -> None:
    for name in SETS:
        if name not in result:
            continue
        r = result[name]
        print(
            f"\n{name}: {r['questions']} questions ({r['cross_lingual']} cross-lingual), "
            f"{r['chunks']} chunks from {r['source']}, embedders {'+'.join(result['embedders'])}, "
            f"fusion {r['fusion']['method']} {r['fusion']['weights']}, "
            f"index synced in {r['index_build_s']} s"
        )
        counts = {g: r["modes"]["hybrid"][g]["n"] for g in GROUPS}
        head = "".join(f"{f'R@5 {g}({counts[g]})':>15}" for g in GROUPS[1:])
        print(f"{'mode':15}{'R@1':>7}{'R@5':>7}{'R@10':>7}{'MRR':>7}{head}")
        for mode, by in r["modes"].items():
            s = by["all"]
            cells = "".join(f"{by[g]['r@5']:15.3f}" for g in GROUPS[1:])
            print(f"{mode:15}{s['r@1']:7.3f}{s['r@5']:7.3f}{s['r@10']:7.3f}{s['mrr']:7.3f}{cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=[*SETS, "all"], default="all", help="question set")
    parser.add_argument("--from-truth", action="store_true", help="v1 chunks from truth articles")
    parser.add_argument("--model", default=None, help="embedder spec (default e5+use)")
    parser.add_argument("--fusion", default=None, help="zscore (default), rrf, rrf:e5=1,use=2")
    parser.add_argument("--cache", type=Path, default=None, help="keep corpus and index here")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    parser.add_argument("-v", "--verbose", action="store_true", help="per-question ranks")
    args = parser.parse_args()
    sets = list(SETS) if args.set == "all" else [args.set]
    result = run(sets, args.from_truth, args.model, args.verbose, args.fusion, args.cache)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print_table(result)


if __name__ == "__main__":
    main()
