"""Search quality on the dev questions: recall@1/5/10 and MRR, dense vs keyword vs hybrid.

    python -m bench.search                 # chunks from the real pipeline (samples/*.pdf)
    python -m bench.search --from-truth    # chunks from tests/data/dev truth articles
    python -m bench.search --model use     # another embedder

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
from index.embed import get_embedder  # noqa: E402
from index.search import SearchIndex  # noqa: E402
from models.search import Chunk, Hit  # noqa: E402

DEV = ROOT / "tests" / "data" / "dev"
MODES = ("dense", "keyword", "hybrid")


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


def run(from_truth: bool, model: str | None, verbose: bool) -> dict[str, Any]:
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
    embedder = get_embedder(model)
    with tempfile.TemporaryDirectory() as tmp:
        index = SearchIndex(Path(tmp), embedder=embedder)
        start = time.perf_counter()
        index.add(chunks)
        build_s = time.perf_counter() - start
        ranks: dict[str, list[int | None]] = {m: [] for m in MODES}
        cross: dict[str, list[int | None]] = {m: [] for m in MODES}
        for q in questions:
            keys = answer_keys(chunks, q["answers"])
            for mode in MODES:
                hits = index.search(q["question"], k=10, mode=mode)
                rank = first_rank(hits, keys)
                ranks[mode].append(rank)
                if q["cross_lingual"]:
                    cross[mode].append(rank)
            if verbose:
                print(q["id"], q["lang"], {m: ranks[m][-1] for m in MODES}, file=sys.stderr)
        index.destroy()
    return {
        "source": source,
        "embedder": embedder.config()["model"],
        "chunks": len(chunks),
        "questions": len(questions),
        "cross_lingual": len(cross["hybrid"]),
        "index_build_s": round(build_s, 2),
        "all": {m: scores(ranks[m]) for m in MODES},
        "cross": {m: scores(cross[m]) for m in MODES},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from-truth", action="store_true", help="chunks from truth articles")
    parser.add_argument("--model", default=None, help="embedder name or path (default e5-small)")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    parser.add_argument("-v", "--verbose", action="store_true", help="per-question ranks")
    args = parser.parse_args()
    result = run(args.from_truth, args.model, args.verbose)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"{result['questions']} questions ({result['cross_lingual']} cross-lingual), "
        f"{result['chunks']} chunks from {result['source']}, embedder {result['embedder']}, "
        f"index built in {result['index_build_s']} s"
    )
    print(f"{'':9}{'mode':9}{'R@1':>7}{'R@5':>7}{'R@10':>7}{'MRR':>7}")
    for group in ("all", "cross"):
        for mode in MODES:
            s = result[group][mode]
            print(f"{group:9}{mode:9}{s['r@1']:7.3f}{s['r@5']:7.3f}{s['r@10']:7.3f}{s['mrr']:7.3f}")


if __name__ == "__main__":
    main()
