"""The PostgreSQL corpus lists and diffs exactly what the SQLite corpus does (issue 14).

    python -m bench.store_parity                  # samples + dev v2 PDFs, a throw-away cluster
    python -m bench.store_parity --limit 6 --json
    python -m bench.store_parity --database-url postgresql://me@db:5432/scratch  # an empty db

The same files are added (``Workspace.add``, no index) to an SQLite corpus and to a
PostgreSQL one, one after the other in this process; then everything a user reads from a
corpus is compared: ``list`` (documents, versions, latest), every version's info and records,
the diff JSON of every pair of consecutive versions, and the alerts (timestamps and the data
folder left out: they differ by construction).  Exit 1 when anything differs.  The time of
each add is printed side by side; it is mostly reading and extraction, and the SQLite add
runs first and loads the NLP models for both: it shows PostgreSQL costs no multiple, not a
store speed (two runs on a shared machine gave 1.08 and 0.54).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpus.queue import load_alerts  # noqa: E402
from corpus.workspace import Workspace  # noqa: E402

#: Fields that record when or where a corpus was written, not what it holds.
WRITTEN = {"created", "updated", "ingested_at"}


def _without(obj: dict[str, Any], data_dir: Path) -> dict[str, Any]:
    text = json.dumps(
        {k: v for k, v in obj.items() if k not in WRITTEN}, ensure_ascii=False, sort_keys=True
    )
    return json.loads(text.replace(str(data_dir), "DATA_DIR"))


def snapshot(ws: Workspace) -> dict[str, Any]:
    """What a user reads from a corpus: list, versions, records, diffs, alerts."""
    store, out = ws.store, {}
    out["list"] = [_without(d.model_dump(mode="json"), ws.data_dir) for d in store.list_documents()]
    for summary in store.list_documents():
        infos = store.versions(summary.doc_id)
        for info in infos:
            ref = f"{summary.doc_id}@{info.version}"
            out[f"version {ref}"] = _without(info.model_dump(mode="json"), ws.data_dir)
            out[f"records {ref}"] = [r.model_dump(mode="json") for r in store.get_records(ref)]
        for old, new in itertools.pairwise(infos):
            diff = ws.diff(f"{summary.doc_id}@{old.version}", f"{summary.doc_id}@{new.version}")
            out[f"diff {diff.old}..{diff.new}"] = diff.model_dump(mode="json")
    out["alerts"] = [_without(a.model_dump(mode="json"), ws.data_dir) for a in load_alerts(store)]
    return out


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """The keys whose values differ (or that one side lacks), sorted."""
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


def add_all(data_dir: Path, files: list[Path], database_url: str | None) -> dict[str, Any]:
    started = time.perf_counter()
    with Workspace(data_dir, database_url=database_url) as ws:
        reports = list(ws.add(files, index=False))
        seconds = time.perf_counter() - started
        failed = [str(r.path) for r in reports if r.outcome is None]
        return {"seconds": round(seconds, 2), "failed": failed, "snapshot": snapshot(ws)}


@contextlib.contextmanager
def scratch_database(database_url: str | None) -> Iterator[str]:
    """``database_url`` (an empty database), else a fresh database of a throw-away cluster
    (``tests.postgres``), stopped afterwards."""
    if database_url is not None:
        yield database_url
        return
    from tests import postgres

    cluster = postgres.start()
    try:
        yield cluster.new_database()
    finally:
        cluster.stop()


def print_result(result: dict[str, Any], as_json: bool, width: int = 32) -> None:
    if as_json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        for key, value in result.items():
            print(f"{key:{width}} {value}")


def run(files: list[Path], database_url: str | None) -> dict[str, Any]:
    with scratch_database(database_url) as url, tempfile.TemporaryDirectory() as tmp:
        lite = add_all(Path(tmp) / "sqlite", files, None)
        pg = add_all(Path(tmp) / "postgresql", files, url)
    differ = differences(lite["snapshot"], pg["snapshot"])
    snap = lite["snapshot"]
    return {
        "files": len(files),
        "documents": len(snap["list"]),
        "versions": sum(1 for k in snap if k.startswith("version ")),
        "records": sum(len(v) for k, v in snap.items() if k.startswith("records ")),
        "diffs": sum(1 for k in snap if k.startswith("diff ")),
        "alerts": len(snap["alerts"]),
        "compared": len(snap),
        "differences": differ,
        "failed": {"sqlite": lite["failed"], "postgresql": pg["failed"]},
        "add_seconds": {"sqlite": lite["seconds"], "postgresql": pg["seconds"]},
        "postgresql / sqlite (add, wall)": round(pg["seconds"] / max(lite["seconds"], 1e-9), 2),
    }


def main() -> None:
    from bench.throughput import default_files

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="only the first N files")
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: start one)")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args()
    result = run(default_files()[: args.limit], args.database_url)
    print_result(result, args.json)
    sys.exit(1 if result["differences"] else 0)


if __name__ == "__main__":
    main()
