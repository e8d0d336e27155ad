"""Search latency at scale, and index build throughput vs the embedder's own.

    python -m bench.search_latency                     # 10k and 100k chunks
    python -m bench.search_latency --sizes 10000 --queries 32

What is synthetic (embedding 100k texts on 2 cores would take the better part of an hour):
the 205 dev truth chunks are embedded for real; each synthetic chunk copies one of them,
its vector = that real vector + Gaussian noise (sigma 0.05 per dimension, renormalised)
and its keyword terms = the real chunk's tokens plus 5 random "noise" terms from a 50k
vocabulary, so neither retriever sees exact duplicates.  Queries are the 32 dev questions,
run end to end (e5 query embedding + chroma + BM25 + fusion + snippets) next to a bare
chroma query with the same precomputed vector.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.search import DEV, truth_chunks  # noqa: E402
from index.embed import get_embedder  # noqa: E402
from index.keyword import tokenize  # noqa: E402
from index.search import SearchIndex  # noqa: E402
from index.vector import where  # noqa: E402
from models.search import Chunk  # noqa: E402


def percentiles(samples: list[float]) -> dict[str, float]:
    ms = np.asarray(samples) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
    }


def build_throughput(model: str | None) -> dict[str, float]:
    """Chunks/s of ``SearchIndex.add`` vs sentences/s of the embedder alone, same texts."""
    embedder = get_embedder(model)
    chunks = truth_chunks()
    texts = [c.text for c in chunks]
    embedder.embed_passages(texts[:8])  # warm-up
    start = time.perf_counter()
    embedder.embed_passages(texts)
    embed_s = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        index = SearchIndex(Path(tmp), embedder=embedder)
        start = time.perf_counter()
        index.add(chunks)
        add_s = time.perf_counter() - start
        index.destroy()
    return {
        "chunks": len(chunks),
        "embedder_per_s": round(len(texts) / embed_s, 1),
        "index_add_per_s": round(len(chunks) / add_s, 1),
        "ratio": round(add_s / embed_s, 3),
    }


def synthetic(size: int, base: list[Chunk], vectors: np.ndarray, seed: int = 0):
    rng = np.random.default_rng(seed)
    base_tokens = [tokenize(c.text) for c in base]
    picks = rng.integers(0, len(base), size)
    noisy = vectors[picks] + rng.normal(0, 0.05, (size, vectors.shape[1])).astype(np.float32)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    chunks, tokens = [], []
    for i, p in enumerate(picks):
        src = base[p]
        chunks.append(src.model_copy(update={"id": f"syn{i}", "document": f"syn{i // 20}"}))
        tokens.append(base_tokens[p] + [f"w{x}" for x in rng.integers(0, 50_000, 5)])
    return chunks, noisy, tokens


def latency(size: int, n_queries: int, model: str | None) -> dict[str, object]:
    embedder = get_embedder(model)
    base = truth_chunks()
    base_vectors = embedder.embed_passages([c.text for c in base])
    questions = [q["question"] for q in json.loads((DEV / "questions.json").read_text("utf-8"))]
    questions = (questions * (n_queries // len(questions) + 1))[:n_queries]
    with tempfile.TemporaryDirectory() as tmp:
        index = SearchIndex(Path(tmp), embedder=embedder)
        chunks, vectors, tokens = synthetic(size, base, base_vectors)
        start = time.perf_counter()
        index.vectors.upsert(chunks, vectors)
        load_vectors_s = time.perf_counter() - start
        start = time.perf_counter()
        index.keywords.add(chunks, tokens)
        load_keywords_s = time.perf_counter() - start
        query_vectors = embedder.embed_queries(questions)
        index.search(questions[0], k=10)  # warm-up: postings, caches
        full, bare, embed_only = [], [], []
        for q, v in zip(questions, query_vectors, strict=True):
            t0 = time.perf_counter()
            index.search(q, k=10)
            full.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            index.vectors.query(v, 50, where())
            bare.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            embedder.embed_queries([q])
            embed_only.append(time.perf_counter() - t0)
        index.destroy()
    return {
        "chunks": size,
        "load_vectors_s": round(load_vectors_s, 1),
        "load_keywords_s": round(load_keywords_s, 1),
        "end_to_end": percentiles(full),
        "bare_chroma": percentiles(bare),
        "query_embedding": percentiles(embed_only),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=64)
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    # One JSON line per measurement, printed as soon as it is known (100k takes minutes).
    print(json.dumps({"build": build_throughput(args.model)}), flush=True)
    for size in args.sizes:
        print(json.dumps({"latency": latency(size, args.queries, args.model)}), flush=True)


if __name__ == "__main__":
    main()
