"""Search quality on the dev questions: recall@1/5/10 and MRR, each retriever alone and fused.

    python -m bench.search                 # chunks from the real pipeline (samples/*.pdf)
    python -m bench.search --from-truth    # chunks from tests/data/dev truth articles
    python -m bench.search --model use     # other embedders (default e5+use)
    python -m bench.search --fusion rrf    # the default fusion for the fused rows

Rows: each dense retriever alone (``e5``, ``use``), ``dense`` (the dense lists fused),
``keyword`` (BM25), each dense retriever with keywords, ``hybrid`` (everything) with the
chosen fusion, and ``hybrid`` under each other fusion method (``hybrid/rrf``...).

Questions: tests/data/dev/questions.json (ja/zh/en, answers = doc stem/law/article).  A
question counts as found at rank r when the r-th hit is one of its answer articles.
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

from index.chunk import chunks_from, chunks_from_truth  # noqa: E402
from index.embed import get_embedders  # noqa: E402
from index.fusion import METHODS, FusionConfig  # noqa: E402
from index.search import SearchIndex  # noqa: E402
from models.search import Chunk, Hit  # noqa: E402

DEV = ROOT / "tests" / "data" / "dev"


def truth_chunks() -> list[Chunk]:
    paths = sorted((DEV / "truth").glob("*.json")) + sorted(
        (DEV / "versions").glob("*.articles.json")
    )
    return [c for p in paths for c in chunks_from_truth(p)]


def pipeline_chunks() -> list[Chunk]:
    """Chunks of every sample PDF through ingest + extract; raises ImportError until they exist."""
    from ingest.extract import extract_records
    from ingest.pipeline import ingest_pdf

    pdfs = sorted((ROOT / "samples").glob("*.pdf")) + sorted(
        (ROOT / "samples" / "versions").glob("*.pdf")
    )
    chunks: list[Chunk] = []
    for pdf in pdfs:
        document = ingest_pdf(pdf)
        # Questions name documents by file stem, so the bench uses it as the lineage id.
        chunks.extend(chunks_from(extract_records(document), document, 1, True, doc_id=pdf.stem))
    return chunks


def _key(chunk: Chunk) -> tuple[str | None, int | None, str]:
    return (chunk.law, chunk.article, "".join(chunk.text.split()))


def answer_keys(chunks: list[Chunk], answers: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    """The answer articles' (law, number, text): an identical copy of an answer article in
    another file (rare_earth_measures_final reprints 000's 別紙1) is the same answer."""
    return {
        _key(c)
        for c in chunks
        for a in answers
        if c.document == a["doc"] and c.law == a["law"] and c.article == a["article"]
    }


def first_rank(hits: list[Hit], keys: set[tuple[Any, ...]]) -> int | None:
    return next((r for r, h in enumerate(hits, 1) if _key(h.chunk) in keys), None)


def scores(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks) or 1
    return {
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


def run(
    from_truth: bool, model: str | None, verbose: bool, fusion: str | None = None
) -> dict[str, Any]:
    source = "truth"
    if not from_truth:
        try:
            chunks = pipeline_chunks()
            source = "pipeline"
        except ImportError as exc:
            print(f"pipeline not importable ({exc}); using --from-truth chunks", file=sys.stderr)
            chunks = truth_chunks()
    else:
        chunks = truth_chunks()
    questions = json.loads((DEV / "questions.json").read_text(encoding="utf-8"))
    embedders = get_embedders(model)
    with tempfile.TemporaryDirectory() as tmp:
        index = SearchIndex(Path(tmp), embedders=embedders, fusion=fusion)
        start = time.perf_counter()
        index.add(chunks)
        build_s = time.perf_counter() - start
        combos = rows(index)
        ranks: dict[str, list[int | None]] = {label: [] for label, _, _ in combos}
        cross: dict[str, list[int | None]] = {label: [] for label, _, _ in combos}
        chosen = index.fusion
        for q in questions:
            keys = answer_keys(chunks, q["answers"])
            for label, mode, config in combos:
                index.fusion = config
                rank = first_rank(index.search(q["question"], k=10, mode=mode), keys)
                ranks[label].append(rank)
                if q["cross_lingual"]:
                    cross[label].append(rank)
            index.fusion = chosen
            if verbose:
                print(q["id"], q["lang"], {m: ranks[m][-1] for m in ranks}, file=sys.stderr)
        index.destroy()
    return {
        "source": source,
        "embedders": [e.config()["model"] for e in embedders],
        "fusion": chosen.to_dict(),
        "chunks": len(chunks),
        "questions": len(questions),
        "cross_lingual": sum(1 for q in questions if q["cross_lingual"]),
        "index_build_s": round(build_s, 2),
        "all": {m: scores(r) for m, r in ranks.items()},
        "cross": {m: scores(r) for m, r in cross.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from-truth", action="store_true", help="chunks from truth articles")
    parser.add_argument("--model", default=None, help="embedder spec (default e5+use)")
    parser.add_argument("--fusion", default=None, help="zscore (default), rrf, rrf:e5=1,use=2")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    parser.add_argument("-v", "--verbose", action="store_true", help="per-question ranks")
    args = parser.parse_args()
    result = run(args.from_truth, args.model, args.verbose, args.fusion)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"{result['questions']} questions ({result['cross_lingual']} cross-lingual), "
        f"{result['chunks']} chunks from {result['source']}, embedders "
        f"{'+'.join(result['embedders'])}, fusion {result['fusion']}, "
        f"index built in {result['index_build_s']} s"
    )
    print(f"{'':7}{'mode':17}{'R@1':>7}{'R@5':>7}{'R@10':>7}{'MRR':>7}")
    for group in ("all", "cross"):
        for mode, s in result[group].items():
            print(
                f"{group:7}{mode:17}{s['r@1']:7.3f}{s['r@5']:7.3f}{s['r@10']:7.3f}{s['mrr']:7.3f}"
            )


if __name__ == "__main__":
    main()
