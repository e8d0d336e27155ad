"""``add --no-index`` through the local process pool and through Ray, side by side in one run.

    python -m bench.executors                 # the bench.throughput files, --jobs 2
    python -m bench.executors --limit 6 --jobs 2 --json

Each ``add`` is a fresh CLI process (``bench.procs``) into a fresh data directory, one after
the other on the same files: ``--executor local`` then ``--executor ray`` (a local Ray of
``--jobs`` CPUs started by the command, as a user without a cluster gets it: the Ray start
is part of the time).  Reported: wall and CPU seconds of each (CPU of the command and every
process under it: Ray's GCS, raylet and workers, or the fork server's workers), peak RSS of
the whole tree, and local / ray wall time (above 1: Ray is faster).  Timings on a shared
machine are noise: read the ratio of one run, not absolute seconds.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.throughput import _add, add_file_options, chosen_files  # noqa: E402


def run(files: list[Path], jobs: int) -> dict[str, Any]:
    runs: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        for i, path in enumerate(files):  # one folder, the order of ``files``
            (folder / f"{i:03d}_{path.name}").write_bytes(path.read_bytes())
        for executor in ("local", "ray"):
            print(f"... add --no-index --jobs {jobs} --executor {executor}", file=sys.stderr)
            runs[executor] = _add(
                folder,
                Path(tmp) / executor,
                "--no-index",
                "--jobs",
                str(jobs),
                "--executor",
                executor,
            )
    local, ray = runs["local"], runs["ray"]
    return {
        "files": len(files),
        "jobs": jobs,
        "runs": runs,
        "same statuses": local["statuses"] == ray["statuses"],
        "local / ray (wall)": round(local["seconds"] / ray["seconds"], 2),
        "local / ray (CPU)": round(local["cpu_s"] / max(ray["cpu_s"], 1e-9), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_file_options(parser)
    parser.add_argument("--jobs", type=int, default=2, help="--jobs of both runs (default 2)")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args()
    files = chosen_files(args)
    result = run(files, args.jobs)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return
    print(f"{result['files']} files, --jobs {result['jobs']}; each add a fresh process")
    for name, r in result["runs"].items():
        print(
            f"  {name:6} {r['seconds']:8.2f} s wall {r['cpu_s']:8.2f} s CPU  peak RSS "
            f"{r['peak_rss_with_workers_mb']} MB with workers  {r['statuses']}"
        )
    for key in ("same statuses", "local / ray (wall)", "local / ray (CPU)"):
        print(f"  {key:20} {result[key]}")


if __name__ == "__main__":
    main()
