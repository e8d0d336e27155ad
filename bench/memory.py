"""Peak memory of ``add`` on many PDFs: made by varying the dev PDFs to new files.

    python -m bench.memory --count 1000            # the issue's figure (hours on 2 cores)
    python -m bench.memory --count 40 --no-index   # a quick look at the growth per file

Each copy is a dev PDF (samples/ and dev v2, in turn) saved again by pymupdf with its own
metadata subject ("regwatch bench copy N"): the same text, a new sha256, so ``add`` reads,
extracts and stores every one (a new version of its document from the second copy on, with
its diff, alert and index chunks), as an archive of re-issued notices would make it do.

One ``add`` runs as a fresh CLI process.  Reported: peak RSS of the command itself and of
the command with its worker processes (sampled every 0.2 s from /proc), and the growth of
the command's RSS per file over the second half of the run (least-squares slope; the first
half includes model loading).  Target (issue 14): peak <= 2 GB for 1,000 PDFs.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.procs import Run, run_cli  # noqa: E402
from bench.throughput import default_files  # noqa: E402


def make_copies(sources: list[Path], count: int, folder: Path) -> list[Path]:
    """``count`` PDFs cycling through ``sources``, each with a distinct sha256."""
    import pymupdf

    out: list[Path] = []
    for i in range(count):
        source = sources[i % len(sources)]
        target = folder / f"{i:05d}_{source.name}"
        with pymupdf.open(source) as doc:
            meta = dict(doc.metadata or {})
            meta["subject"] = f"regwatch bench copy {i}"
            doc.set_metadata({k: v for k, v in meta.items() if isinstance(v, str)})
            doc.save(target)
        out.append(target)
    return out


def slope(points: list[tuple[int, int]]) -> float:
    """Least-squares KiB per file of (file number, RSS KiB) points."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    var = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / var if var else 0.0


def per_cycle(seconds_by_line: list[float], cycle: int) -> list[float]:
    """Wall seconds a file over each cycle of ``cycle`` files (the first includes loading the
    models; from the second on, the passage-vector cache knows every text)."""
    out: list[float] = []
    for start in range(0, len(seconds_by_line), cycle):
        part = seconds_by_line[start : start + cycle]
        before = seconds_by_line[start - 1] if start else 0.0
        out.append(round((part[-1] - before) / len(part), 2))
    return out


def progress_writer(path: Path | None) -> Callable[[Run], None] | None:
    """A line of JSON a file (file number, seconds, RSS MB) to ``path``: a long run killed
    before its end still leaves its figures."""
    if path is None:
        return None
    path.write_text("")

    def write(result: Run) -> None:
        n, kb = result.rss_by_line[-1]
        row = {"file": n, "seconds": round(result.seconds_by_line[-1], 1), "rss_mb": kb // 1024}
        with path.open("a") as out:
            out.write(json.dumps(row) + "\n")

    return write


def run(
    count: int, jobs: int, index: bool, timeout: float, progress: Path | None = None
) -> dict[str, object]:
    sources = default_files()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        copies = make_copies(sources, count, folder)
        args = ["add", "-q", str(folder), "--data-dir", str(Path(tmp) / "data")]
        args += ["--jobs", str(jobs), "--timeout", str(timeout)]
        args += [] if index else ["--no-index"]
        result = run_cli(args, on_line=progress_writer(progress))
    statuses: dict[str, int] = {}
    for line in result.lines:
        status = json.loads(line)["status"]
        statuses[status] = statuses.get(status, 0) + 1
    second_half = result.rss_by_line[len(result.rss_by_line) // 2 :]
    return {
        "files": len(copies),
        "jobs": jobs,
        "index": index,
        "seconds": round(result.seconds, 1),
        "seconds_per_file": round(result.seconds / max(1, count), 2),
        "exit": result.code,
        "statuses": statuses,
        "peak_rss_main_mb": round(result.peak_main_kb / 1024),
        "peak_rss_with_workers_mb": round(result.peak_tree_kb / 1024),
        "rss_growth_kb_per_file": round(slope(second_half), 1),
        "rss_after_file_mb": {
            n: round(kb / 1024)
            for n, kb in result.rss_by_line[max(1, count // 10) - 1 :: max(1, count // 10)]
        },
        "cycle_files": len(sources),
        "seconds_per_file_by_cycle": per_cycle(result.seconds_by_line, len(sources)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--count", type=int, default=1000, help="PDFs to make and add (default 1000)"
    )
    parser.add_argument("--jobs", type=int, default=2, help="add --jobs (default 2)")
    parser.add_argument("--no-index", action="store_true", help="add --no-index")
    # A loaded machine must not change the work measured: a file out of its time budget
    # while indexed leaves its index task queued for later (exit 3), off this file's RSS.
    parser.add_argument(
        "--timeout", type=float, default=3600.0, help="add --timeout (default 3600 s)"
    )
    parser.add_argument(
        "--progress", type=Path, help="write each file's seconds and RSS to this file as it goes"
    )
    args = parser.parse_args()
    result = run(args.count, args.jobs, not args.no_index, args.timeout, args.progress)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
