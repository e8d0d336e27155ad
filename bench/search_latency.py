"""Search latency at scale, and index build throughput vs the embedders' own.

    python -m bench.search_latency                     # 10k and 100k chunks, default embedders
    python -m bench.search_latency --sizes 10000 --queries 32 --model use
    python -m bench.search_latency --sizes 100000 --no-build --ef-search 100 400

What is synthetic (embedding 100k texts on 2 cores would take hours): the 205 dev truth chunks
are embedded for real by every embedder of the index; each synthetic chunk copies one of them,
its vectors = the real vectors + Gaussian noise (sigma 0.05 per dimension, renormalised),
written straight into the index's collections, and its keyword terms = the real chunk's
tokens plus 5 random "noise" terms from a 50k vocabulary, so neither retriever sees exact
duplicates.  One synthetic chunk in ten is an old version (the index keeps those apart).
Queries are the 32 dev questions, run end to end (query embeddings + chroma + BM25 + fusion
+ snippets, marked sentences included) next to a bare chroma query per collection with the
same precomputed vector, and the keyword search alone.

``--ef-search`` builds and measures the index once per value of its collections' HNSW
``ef_search``, each with ``candidate_recall``: the share of the exact
50 nearest latest chunks (numpy over the synthetic vectors) that the bare chroma query
returns, per collection, averaged over the questions.

The machine is shared: each figure is given as wall time and as this process's CPU time
(``time.process_time``, all threads), next to the cores this process may use.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.search import DEV, truth_chunks  # noqa: E402
from index.embed import Embedder, get_embedders  # noqa: E402
from index.fusion import FusionConfig  # noqa: E402
from index.keyword import tokenize  # noqa: E402
from index.search import SearchIndex  # noqa: E402
from index.vector import Filters, VectorStore  # noqa: E402
from models.search import Chunk  # noqa: E402


def percentiles(wall: list[float], cpu: list[float] | None = None) -> dict[str, float]:
    ms = np.asarray(wall) * 1000
    out = {
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
    }
    if cpu is not None:
        cms = np.asarray(cpu) * 1000
        out["cpu_p50_ms"] = round(float(np.percentile(cms, 50)), 2)
        out["cpu_p95_ms"] = round(float(np.percentile(cms, 95)), 2)
    return out


def timed(call: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return time.perf_counter() - wall, time.process_time() - cpu


def build_throughput(embedders: list[Embedder]) -> dict[str, Any]:
    """``SearchIndex.add`` vs the embedders alone (batch ``embed_passages``), same texts.

    Alternated twice (embed, add, embed, add) and the better of each kept, so a burst of
    load from other processes hits both sides alike."""
    chunks = truth_chunks()
    texts = [c.text for c in chunks]
    for embedder in embedders:
        embedder.embed_passages(texts[:8])  # warm-up
    embed_s, add_s = [], []
    for _ in range(2):
        embed_s.append(sum(timed(lambda e=e: e.embed_passages(texts))[0] for e in embedders))
        with tempfile.TemporaryDirectory() as tmp:
            index = SearchIndex(Path(tmp), embedders=embedders)
            add_s.append(timed(lambda index=index: index.add(chunks))[0])
            index.destroy()
    return {
        "chunks": len(chunks),
        "embedders": [e.config()["model"] for e in embedders],
        "embedders_alone_per_s": round(len(texts) / min(embed_s), 1),
        "index_add_per_s": round(len(chunks) / min(add_s), 1),
        "ratio": round(min(add_s) / min(embed_s), 3),
    }


def synthetic(
    size: int, base: list[Chunk], base_vectors: list[np.ndarray], seed: int = 0
) -> tuple[list[Chunk], list[np.ndarray], list[list[str]]]:
    rng = np.random.default_rng(seed)
    base_tokens = [tokenize(c.text) for c in base]
    picks = rng.integers(0, len(base), size)
    vectors = []
    for real in base_vectors:
        noisy = real[picks] + rng.normal(0, 0.05, (size, real.shape[1])).astype(np.float32)
        vectors.append(noisy / np.linalg.norm(noisy, axis=1, keepdims=True))
    chunks, tokens = [], []
    for i, p in enumerate(picks):
        update = {"id": f"syn{i}", "document": f"syn{i // 20}", "latest": i % 10 != 0}
        chunks.append(base[p].model_copy(update=update))
        tokens.append(base_tokens[p] + [f"w{x}" for x in rng.integers(0, 50_000, 5)])
    return chunks, vectors, tokens


def candidate_recall(
    index: SearchIndex,
    query_vectors: list[np.ndarray],
    vectors: list[np.ndarray],
    latest: np.ndarray,
) -> list[float]:
    """Per collection: the share of the exact top 50 latest chunks the chroma query returns."""
    out = []
    ids = np.flatnonzero(latest)
    for store, queries, stored in zip(index.stores, query_vectors, vectors, strict=True):
        shares = []
        for vector in queries:
            exact = ids[np.argsort(-(stored[ids] @ vector))[:50]]
            got = {cid for cid, _ in store.query(vector, 50, Filters())}
            shares.append(len(got & {f"syn{i}" for i in exact}) / 50)
        out.append(round(float(np.mean(shares)), 4))
    return out


@contextlib.contextmanager
def built_with(ef: int | None) -> Iterator[None]:
    """Collections created in the block get HNSW ``ef_search`` ``ef`` (None: as the index
    makes them).  Set at creation: changing it on a collection open in this process does
    not reach the HNSW index chroma already loaded."""
    if ef is None:
        yield
        return
    config = VectorStore.configuration

    def with_ef(store: VectorStore) -> dict[str, Any]:
        made = config(store)
        return {**made, "hnsw": {**made["hnsw"], "ef_search": ef}}

    with mock.patch.object(VectorStore, "configuration", with_ef):
        yield


def latency(
    size: int, n_queries: int, embedders: list[Embedder], ef_values: list[int | None]
) -> list[dict[str, Any]]:
    """One index of ``size`` synthetic chunks per ``ef_values`` entry, measured in turn."""
    base = truth_chunks()
    base_vectors = [e.embed_passages([c.text for c in base]) for e in embedders]
    questions = [q["question"] for q in json.loads((DEV / "questions.json").read_text("utf-8"))]
    questions = (questions * (n_queries // len(questions) + 1))[:n_queries]
    chunks, vectors, tokens = synthetic(size, base, base_vectors)
    latest = np.asarray([c.latest for c in chunks])
    query_vectors = [e.embed_queries(questions) for e in embedders]
    results = []
    for ef in ef_values:
        with tempfile.TemporaryDirectory() as tmp, built_with(ef):
            index = SearchIndex(Path(tmp), embedders=embedders)
            # The collections build side by side (chroma's HNSW insertion leaves the GIL).
            with ThreadPoolExecutor(max_workers=len(index.stores)) as pool:
                start = time.perf_counter()
                list(
                    pool.map(
                        lambda sv, index=index: sv[0].upsert(chunks, sv[1]),
                        zip(index.stores, vectors, strict=True),
                    )
                )
                load_vectors_s = time.perf_counter() - start
            start = time.perf_counter()
            index.keywords.add(chunks, tokens)
            load_keywords_s = time.perf_counter() - start
            result = {
                "chunks": size,
                "ef_search": ef,
                "load_vectors_s": round(load_vectors_s, 1),
                "load_keywords_s": round(load_keywords_s, 1),
                **timings(index, questions, query_vectors, embedders),
                "candidate_recall": candidate_recall(index, query_vectors, vectors, latest),
            }
            index.destroy()
        print(json.dumps({"latency": result}), flush=True)
        results.append(result)
    return results


def timings(
    index: SearchIndex,
    questions: list[str],
    query_vectors: list[np.ndarray],
    embedders: list[Embedder],
) -> dict[str, Any]:
    """p50/p95 of each query path over ``questions`` (see the module notes)."""
    index.search(questions[0], k=10)  # warm-up: postings, caches
    default_fusion = index.fusion
    # The fast profile of the same index: e5 left out at query time (weight 0).
    fast_fusion = FusionConfig.parse("e5=0") if "e5" in index.retriever_names() else None
    full: tuple[list[float], list[float]] = ([], [])
    fast: tuple[list[float], list[float]] = ([], [])
    bare: tuple[list[float], list[float]] = ([], [])
    keyword: tuple[list[float], list[float]] = ([], [])
    embed: tuple[list[float], list[float]] = ([], [])
    for i, q in enumerate(questions):
        samples = (
            (full, lambda q=q: index.search(q, k=10)),
            (
                bare,
                lambda i=i: [
                    s.query(v[i], 50, Filters())
                    for s, v in zip(index.stores, query_vectors, strict=True)
                ],
            ),
            (keyword, lambda q=q: index.keywords.search(q, 50, index.keywords.mask())),
            (embed, lambda q=q: [e.embed_queries([q]) for e in embedders]),
        )
        for (wall, cpu), call in samples:
            w, c = timed(call)
            wall.append(w)
            cpu.append(c)
        if fast_fusion is not None:
            index.fusion = fast_fusion
            w, c = timed(lambda q=q: index.search(q, k=10))
            fast[0].append(w)
            fast[1].append(c)
            index.fusion = default_fusion
    return {
        "end_to_end": percentiles(*full),
        **({"end_to_end_without_e5": percentiles(*fast)} if fast[0] else {}),
        "bare_chroma_all_collections": percentiles(*bare),
        "keyword_alone": percentiles(*keyword),
        "query_embeddings": percentiles(*embed),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=64)
    parser.add_argument("--model", default=None, help="embedder spec (default e5+use)")
    parser.add_argument("--no-build", action="store_true", help="skip the throughput part")
    parser.add_argument(
        "--ef-search",
        type=int,
        nargs="+",
        help="one index per HNSW ef_search value, measured in turn (default: as built)",
    )
    args = parser.parse_args()
    embedders = get_embedders(args.model)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    # How queries run (ONNX Runtime int8 by default for e5) decides most of the figure; an
    # embedder's query engine loads on its first query.
    for embedder in embedders:
        embedder.embed_queries(["warm-up"])
    engines = [e.config().get("query_engine", e.config()["backend"]) for e in embedders]
    print(
        json.dumps({"cores": cores, "load": os.getloadavg()[0], "query_engines": engines}),
        flush=True,
    )
    # One JSON line per measurement, printed as soon as it is known (100k takes minutes).
    if not args.no_build:
        print(json.dumps({"build": build_throughput(embedders)}, ensure_ascii=False), flush=True)
    for size in args.sizes:
        latency(size, args.queries, embedders, args.ef_search or [None])


if __name__ == "__main__":
    main()
