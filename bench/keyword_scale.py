"""The keyword index's share of ``add``'s index step, per file, as the corpus grows.

    python -m bench.keyword_scale                      # 50 and 500 files of 70 chunks
    python -m bench.keyword_scale --sizes 50 500 1000 --files 5 --json

For each size N: a keyword index holding N synthetic files (documents of two versions, the
first not latest; each file 70 chunks cycled from the dev truth chunks, tokens counted once),
then ``--files`` new files, each a third version of one of those documents, go through the
keyword side of ``corpus.outbox.index_version``: ``flag_latest``, ``SearchIndex.add`` (stale
chunks, old versions retired), ``set_latest_version`` and ``drop_moved``, with no embedder
(the vector side is the same work at every N and is measured by ``bench.memory``).  Printed:
the step's wall time per file (median), the tokenising of one file's texts alone (the part
that does not grow), and the traced Python memory per chunk of a fresh open of the index
(``tracemalloc``).  The machine is shared: compare two builds side by side, as ratios.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.search_sets import truth_chunks  # noqa: E402
from corpus.outbox import drop_moved, flag_latest  # noqa: E402
from index.keyword import KeywordIndex, tokenize  # noqa: E402
from index.search import SearchIndex  # noqa: E402
from models.search import Chunk  # noqa: E402

CHUNKS_PER_FILE = 70


def file_chunks(base: list[Chunk], doc: str, version: int, latest: bool) -> list[Chunk]:
    """One file's chunks: ``CHUNKS_PER_FILE`` of the base chunks, renamed into ``doc``."""
    start = (hash(doc) % len(base)) if base else 0
    return [
        base[(start + i) % len(base)].model_copy(
            update={
                "id": f"{doc}@{version}#{i}",
                "document": doc,
                "version": version,
                "latest": latest,
            }
        )
        for i in range(CHUNKS_PER_FILE)
    ]


def keyword_only_index(data_dir: Path) -> SearchIndex:
    """A ``SearchIndex`` with no embedder: its add path touches the keyword index only."""
    index = SearchIndex(data_dir, embedders=[])
    index._embedders, index.stores, index._checked = [], [], True
    return index


def run_size(size: int, n_files: int, base: list[Chunk], tokens: dict[str, list[str]]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        index = keyword_only_index(Path(tmp))
        stored: set[tuple[str, int]] = set()
        preload: list[Chunk] = []
        for f in range(size):
            doc, version = f"syn{f // 2}", f % 2 + 1
            # A document's second file is its latest version; the first one is not.
            latest = version == 2 or f == size - 1
            preload.extend(file_chunks(base, doc, version, latest))
            stored.add((doc, version))
        index.keywords.add(preload, [tokens[c.text] for c in preload])
        steps: list[float] = []
        for f in range(n_files):
            doc = f"syn{f * max(1, size // (2 * n_files)) % max(1, size // 2)}"
            version = 3 + f
            chunks = file_chunks(base, doc, version, True)
            stored.add((doc, version))
            start = time.perf_counter()
            flag_latest(index.keywords, chunks, doc, version, version)
            index.add(chunks)
            index.set_latest_version(doc, version)
            drop_moved(index, stored)
            steps.append(time.perf_counter() - start)
        rows = len(index.keywords)
        index.close()
        texts = [c.text for c in file_chunks(base, "t", 1, True)]
        start = time.perf_counter()
        for text in texts:
            Counter(tokenize(text))
        tokenise_s = time.perf_counter() - start
        tracemalloc.start()
        reopened = KeywordIndex(Path(tmp) / "index" / "keyword.sqlite")
        traced = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        reopened.close()
    return {
        "files": size,
        "chunks": rows,
        "step_ms_median": round(statistics.median(steps) * 1000, 1),
        "step_ms_each": [round(s * 1000, 1) for s in steps],
        "tokenise_one_file_ms": round(tokenise_s * 1000, 1),
        "traced_bytes_per_chunk": round(traced / max(rows, 1)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 500])
    parser.add_argument("--files", type=int, default=5, help="files timed at each size")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    base = truth_chunks()
    tokens = {c.text: tokenize(c.text) for c in base}
    results: list[dict[str, Any]] = [run_size(n, args.files, base, tokens) for n in args.sizes]
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for r in results:
        print(
            f"{r['files']:>5} files {r['chunks']:>6} chunks: index step {r['step_ms_median']} ms"
            f" a file (median of {args.files}; tokenising its texts alone"
            f" {r['tokenise_one_file_ms']} ms); traced {r['traced_bytes_per_chunk']} B a chunk"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
