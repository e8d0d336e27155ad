"""Chroma's share of ``add`` on a growing corpus: CPU, wall and RSS per file as it grows.

    python -m bench.chroma_growth --files 200                  # this branch's call sequence
    python -m bench.chroma_growth --files 200 --compare        # and without rebuilds, side by side
    python -m bench.chroma_growth --files 200 --compare-recycle  # and with one client throughout

No PDFs and no embedders: the vector-store calls one ``add`` of a file makes, replayed
through ``index.vector.VectorStore`` on random vectors (e5's 384 and USE's 512 dimensions,
``--chunks`` a file, the files cycling over ``--documents`` documents so that from the
second cycle on each file is a new version whose predecessor moves to the old-versions
collection).  Sequences (``--sequence``):

- ``direct`` (tried, not in ``corpus.outbox.index_version``: see bench/README.md): the new
  version's vectors go to the latest collection at once; the relabelling then moves the
  previous version's out.
- ``interim`` (``index_version`` now): the new version is indexed not-latest first (into the
  old-versions
  collection), then one relabelling moves it to the latest collection and its predecessor
  out: three HNSW inserts and two tombstones per vector instead of two and one.
- ``--blind-deletes``: every delete sent for all ids, present or not (before), instead of
  only for the ids the collection holds.
- ``--no-rebuild``: no collection is ever rebuilt into a new generation (before
  ``index.generations``: tombstones kept until ``reindex``); ``--compare`` runs the sequence
  with and without.
- ``--no-recycle``: the embedded client is never replaced (before ``index.chroma_client``);
  ``--compare-recycle`` runs the sequence with and without.

CPU is the process's (chroma's Rust threads included): on a shared machine it is steadier
than wall time.  Each sequence runs in a fresh process and a fresh folder.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DIMS = (384, 512)


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def replay(
    files: int,
    documents: int,
    chunks: int,
    sequence: str,
    blind: bool,
    hnsw: dict[str, Any],
    url: str | None = None,
    rebuild: bool = True,
    recycle: bool = True,
    recycle_vectors: int = 0,
) -> dict[str, Any]:
    """One sequence in this process; returns the per-tenth figures."""
    import numpy as np

    import index.chroma_client as chroma_client
    import index.generations as generations
    import index.vector as vector
    from models.search import Chunk

    if not rebuild:  # the layout before generations: tombstones stay until ``reindex``
        generations.MIN_TOMBSTONES = 2**62
    if not recycle:  # before index.chroma_client: one embedded client for the whole run
        chroma_client.RECYCLE_VECTORS = 2**62
    elif recycle_vectors:
        chroma_client.RECYCLE_VECTORS = recycle_vectors

    if blind:  # the behaviour before: a delete for every id, present or not

        def delete_all(collection: Any, ids: list[str]) -> int:
            if ids:
                collection.delete(ids=ids)
            return len(ids)

        vector._delete_present = delete_all
    if hnsw:

        def configuration(self: Any) -> dict[str, Any]:
            return {"hnsw": {"space": "cosine", **hnsw}}

        vector.VectorStore.configuration = configuration  # type: ignore[method-assign]
    rng = np.random.default_rng(0)
    folder = Path(tempfile.mkdtemp(prefix="chroma-growth-"))
    client = vector.make_client(None if url else folder / "chroma", url)
    stores = [
        vector.VectorStore(name=vector.collection_name(i), client=client) for i in range(len(DIMS))
    ]

    def version_chunks(document: str, version: int, latest: bool) -> list[Chunk]:
        return [
            Chunk(
                id=f"{document}@{version}#{j}",
                text=f"passage {j}",
                document=document,
                version=version,
                language="zh",
                issuer="MOFCOM",
                doc_kind="notice",
                latest=latest,
            )
            for j in range(chunks)
        ]

    tenth = max(1, files // 10)
    rows: list[dict[str, float]] = []
    wall0, cpu0 = time.perf_counter(), time.process_time()
    mark_wall, mark_cpu = wall0, cpu0
    for i in range(files):
        document, version = f"doc{i % documents}", i // documents + 1
        first = version == 1
        new = version_chunks(document, version, first or sequence == "direct")
        for store, dim in zip(stores, DIMS, strict=True):
            store.upsert(new, rng.standard_normal((chunks, dim)).astype(np.float32))
        if not first:  # set_latest_version: the new version latest, the previous one not
            relabel = [c.model_copy(update={"latest": True}) for c in new]
            relabel += version_chunks(document, version - 1, False)
            for store in stores:
                store.update_metadata(relabel)
        if (i + 1) % tenth == 0 or i + 1 == files:
            wall, cpu = time.perf_counter(), time.process_time()
            done = (i + 1) - (rows[-1]["files"] if rows else 0)
            rows.append(
                {
                    "files": i + 1,
                    "cpu_s_per_file": round((cpu - mark_cpu) / done, 3),
                    "wall_s_per_file": round((wall - mark_wall) / done, 3),
                    "rss_mb": round(_rss_mb()),
                }
            )
            mark_wall, mark_cpu = wall, cpu
    vectors = sum(s.count() for s in stores)
    # Per collection: its generation, live vectors, inserted since its build.
    collections = {
        side.logical: [side.handle.name, int(side.handle.count()), side.inserted()]
        for store in stores
        for side in store._sides()
    }
    disk = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    return {
        "sequence": sequence,
        "blind_deletes": blind,
        "rebuild": rebuild,
        "recycle": recycle,
        "recycles": client.epoch,
        "collections": collections,
        "hnsw": hnsw,
        "files": files,
        "vectors": vectors,
        "cpu_s": round(time.process_time() - cpu0, 1),
        "wall_s": round(time.perf_counter() - wall0, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "disk_mb": round(disk / 2**20, 1),
        "folder": str(folder),
        "by_tenth": rows,
    }


def _child(
    args: argparse.Namespace, sequence: str, blind: bool, rebuild: bool, recycle: bool = True
) -> subprocess.Popen[str]:
    """``replay`` in a fresh process (no chroma state or heap shared between sequences)."""
    command = [sys.executable, "-m", "bench.chroma_growth", "--child", sequence]
    command += ["--files", str(args.files), "--documents", str(args.documents)]
    command += ["--chunks", str(args.chunks), "--hnsw", json.dumps(args.hnsw)]
    command += ["--blind-deletes"] if blind else []
    command += [] if rebuild else ["--no-rebuild"]
    command += [] if recycle else ["--no-recycle"]
    command += ["--recycle-vectors", str(args.recycle_vectors)] if args.recycle_vectors else []
    command += ["--url", args.url] if args.url else []
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ANONYMIZED_TELEMETRY": "False"}
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200, help="files replayed (default 200)")
    parser.add_argument("--documents", type=int, default=17, help="documents cycled (17)")
    parser.add_argument("--chunks", type=int, default=69, help="chunks a file (69)")
    parser.add_argument("--sequence", choices=("direct", "interim"), default="interim")
    parser.add_argument("--blind-deletes", action="store_true", help="the deletes before")
    parser.add_argument(
        "--hnsw",
        type=json.loads,
        default={},
        help="collection settings, e.g. '{\"sync_threshold\": 5000}'",
    )
    parser.add_argument(
        "--no-rebuild", action="store_true", help="never rebuild a collection (before)"
    )
    parser.add_argument(
        "--compare", action="store_true", help="also the same sequence without rebuilds"
    )
    parser.add_argument(
        "--no-recycle",
        action="store_true",
        help="never replace the embedded client (before index.chroma_client)",
    )
    parser.add_argument(
        "--recycle-vectors",
        type=int,
        default=0,
        help="recycle past this many dropped vectors (default: index.chroma_client's)",
    )
    parser.add_argument(
        "--compare-recycle",
        action="store_true",
        help="also the same sequence without recycling the client",
    )
    parser.add_argument(
        "--url", help="a fresh Chroma server (http://host:port) instead of an embedded store"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = replay(
            args.files,
            args.documents,
            args.chunks,
            args.child,
            args.blind_deletes,
            args.hnsw,
            args.url,
            not args.no_rebuild,
            not args.no_recycle,
            args.recycle_vectors,
        )
        print(json.dumps(result))
        return
    # Side by side: on a shared machine both sequences meet the same load.
    rebuild, recycle = not args.no_rebuild, not args.no_recycle
    procs = [_child(args, args.sequence, args.blind_deletes, rebuild, recycle)]
    if args.compare:
        procs.append(_child(args, args.sequence, args.blind_deletes, False, recycle))
    if args.compare_recycle:
        procs.append(_child(args, args.sequence, args.blind_deletes, rebuild, False))
    runs = [json.loads(proc.communicate()[0]) for proc in procs]
    for run in runs:
        subprocess.run(["rm", "-rf", str(run.pop("folder"))], check=False)
    print(json.dumps(runs, indent=2))


if __name__ == "__main__":
    main()
