"""Keyword search with its rows in the local SQLite file vs in a PostgreSQL corpus (issue 14).

    python -m bench.keyword_backends                 # dev v1 + v2, a throw-away cluster
    python -m bench.keyword_backends --set v1 --rounds 3 --json
    python -m bench.keyword_backends --database-url postgresql://me@db:5432/scratch   # an empty db

The dev chunks (v1: the truth articles; v2: the 11 PDFs through ingest + extract) are written
to two keyword indexes, one in ``keyword.sqlite`` and one in a PostgreSQL corpus's tables.
Then, in this one process, one backend after the other on each question (the order swapped
every round, so load from other processes hits both alike):

* ``query``: ``SearchIndex.search(mode="keyword")`` on the dev questions (v1 32, v2 55): the
  per-query change check (``PRAGMA data_version`` against one row read over the socket), the
  BM25 postings, the filters and the snippets; the hit lists must be the same on both;
* ``refresh``: the change check alone, when nothing changed;
* ``catch-up``: a second reader's ``refresh`` after a writer added one document's chunks
  (``--catch-ups`` documents), i.e. what another machine pays once after an add;
* ``open``: a fresh ``KeywordIndex`` loading every row (a process or a machine starting).

Wall milliseconds (p50, p95) and this process's CPU time; the machine may be shared, so
compare the two columns of one run, not figures of different runs.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.search_latency import percentiles  # noqa: E402
from bench.search_sets import DEV2, v1_set, v2_corpus  # noqa: E402
from bench.store_parity import print_result, scratch_database  # noqa: E402
from corpus.store import Store  # noqa: E402
from index.keyword import KeywordIndex  # noqa: E402
from index.search import SearchIndex  # noqa: E402
from models.search import Chunk  # noqa: E402

BACKENDS = ("sqlite", "postgresql")


def dev_set(which: str, tmp: Path) -> tuple[list[Chunk], list[str]]:
    """The chunks and the question texts of the dev set(s) ``v1``, ``v2`` or ``both``."""
    chunks: list[Chunk] = []
    questions: list[str] = []
    if which in ("v1", "both"):
        v1 = v1_set(from_truth=True)
        chunks += v1.chunks
        questions += [q.text for q in v1.questions]
    if which in ("v2", "both"):
        chunks += v2_corpus(tmp / "v2-corpus")[0]
        rows = json.loads((DEV2 / "questions.json").read_text(encoding="utf-8"))
        questions += [q["question"] for q in rows]
    return chunks, questions


def _sample(call: Callable[[], object]) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = call()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def _stats(samples: list[tuple[float, float]]) -> dict[str, float]:
    return percentiles([w for w, _ in samples], [c for _, c in samples])


def measure(
    chunks: list[Chunk], questions: list[str], url: str, tmp: Path, rounds: int, catch_ups: int
) -> dict[str, Any]:
    store = Store(tmp / "pg-data", database_url=url)  # creates the keyword tables
    connect = {"sqlite": lambda: None, "postgresql": store.keyword_connection}
    folders = {"sqlite": tmp / "local", "postgresql": tmp / "pg-data"}
    writers = {b: SearchIndex(folders[b], keyword_db=connect[b]()) for b in BACKENDS}
    readers = {b: SearchIndex(folders[b], keyword_db=connect[b]()) for b in BACKENDS}
    for index in writers.values():
        index.keywords.add(chunks)
    query: dict[str, list[tuple[float, float]]] = {b: [] for b in BACKENDS}
    differ = 0
    for r in range(rounds):
        order = BACKENDS if r % 2 == 0 else BACKENDS[::-1]
        for text in questions:
            ids = {}
            for b in order:
                wall, cpu, hits = _sample(
                    lambda b=b, text=text: readers[b].search(text, mode="keyword", floor=None)
                )
                query[b].append((wall, cpu))
                ids[b] = [h.chunk.id for h in hits]  # type: ignore[attr-defined]
            differ += ids["sqlite"] != ids["postgresql"]
    refresh = {b: [_sample(readers[b].keywords.refresh)[:2] for _ in range(500)] for b in BACKENDS}
    # One document's chunks again under new ids (another machine's add), then the reader.
    by_doc: dict[str, list[Chunk]] = {}
    for c in chunks:
        by_doc.setdefault(c.document, []).append(c)
    catch: dict[str, list[tuple[float, float]]] = {b: [] for b in BACKENDS}
    sizes = []
    for i, doc_chunks in enumerate(list(by_doc.values())[:catch_ups]):
        sizes.append(len(doc_chunks))
        for b in BACKENDS:
            copies = [c.model_copy(update={"id": f"{c.id}#copy{i}"}) for c in doc_chunks]
            writers[b].keywords.add(copies)
            catch[b].append(_sample(readers[b].keywords.refresh)[:2])
    opened: dict[str, list[tuple[float, float]]] = {b: [] for b in BACKENDS}
    for _ in range(3):
        for b in BACKENDS:
            db = connect[b]()
            wall, cpu, index = _sample(
                lambda b=b, db=db: KeywordIndex(folders[b] / "index" / "keyword.sqlite", db)
            )
            opened[b].append((wall, cpu))
            index.close()  # type: ignore[attr-defined]
    for index in (*writers.values(), *readers.values()):
        index.close()
    store.close()
    result: dict[str, Any] = {
        "chunks": len(chunks),
        "questions": len(questions),
        "rounds": rounds,
        "hit lists differing": differ,
        "catch-up documents (chunks each)": sizes,
    }
    for name, table in (("query", query), ("catch-up", catch)):
        for b in BACKENDS:
            result[f"{name} {b}"] = _stats(table[b])
        ratio = result[f"{name} postgresql"]["p50_ms"] / result[f"{name} sqlite"]["p50_ms"]
        result[f"{name} postgresql / sqlite (p50 wall)"] = round(ratio, 2)
    for b in BACKENDS:  # microseconds: a fraction of a millisecond either way
        us = np.asarray([w for w, _ in refresh[b]]) * 1e6
        result[f"refresh {b}"] = {
            "p50_us": round(float(np.percentile(us, 50)), 1),
            "p95_us": round(float(np.percentile(us, 95)), 1),
        }
    for b in BACKENDS:
        result[f"open {b}"] = _stats(opened[b])
    return result


def run(which: str, database_url: str | None, rounds: int, catch_ups: int) -> dict[str, Any]:
    with scratch_database(database_url) as url, tempfile.TemporaryDirectory() as tmp:
        chunks, questions = dev_set(which, Path(tmp))
        return measure(chunks, questions, url, Path(tmp), rounds, catch_ups)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("v1", "v2", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the questions")
    parser.add_argument("--catch-ups", type=int, default=8, help="documents re-added")
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: start one)")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args()
    result = run(args.set, args.database_url, args.rounds, args.catch_ups)
    print_result(result, args.json, width=42)
    sys.exit(1 if result["hit lists differing"] else 0)


if __name__ == "__main__":
    main()
