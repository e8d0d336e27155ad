"""Throughput of ``add``: the issue-14 ratios side by side in one run, and where time goes.

    python -m bench.throughput                    # samples/ + dev v2 PDFs, jobs 1 and 2
    python -m bench.throughput --limit 6          # the first 6 files only (a quick look)
    python -m bench.throughput --files DIR --jobs 4 --json
    python -m bench.throughput --no-profile --passage-engines onnx-fused-int8  # + a full add each

Every ``add`` runs as a fresh CLI process (imports and model loading count, as for a
user), into a fresh data directory, one after the other on the same files:

1. ``add --no-index --jobs 1`` and ``add --no-index --jobs J``: the parallel speed-up;
2. ``add --jobs J`` (ingest, extract, store, index): full add / no-index add at ``J``;
3. the same ``add --jobs J`` again on the unchanged files: re-run / first run;
4. PDF reading: regwatch's ingest (PDF -> Document, one process) in pages/s, next to the raw
   text of the same pages through pymupdf and pypdfium2 (the floor: no layout at all);
5. a profile: one ``Workspace.add`` in this process, ``jobs=1``, with a timer around each
   stage (pdfplumber reading, layout and identity, extraction, store, diff and alerts, e5
   passages, USE passages, chroma, keyword index); the largest is named.

Targets (issue 14): jobs J / jobs 1 >= 1.6x on 2 cores; full add <= 2.5x no-index add;
re-run <= 2% of the first run.  Timings on a shared machine are noise: read the ratios of one
run, not absolute seconds.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.procs import cpu_total, run_cli  # noqa: E402
from index.onnx_passages import ENGINE_ENV  # noqa: E402

DEFAULT_SOURCES = (ROOT / "samples", ROOT / "samples" / "versions", ROOT / "tests/data/dev/v2/pdf")


def default_files() -> list[Path]:
    return [p for folder in DEFAULT_SOURCES for p in sorted(folder.glob("*.pdf"))]


def add_file_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--files", type=Path, nargs="*", help="PDFs or folders (default: samples + dev v2)"
    )
    parser.add_argument("--limit", type=int, help="only the first N files")


def chosen_files(args: argparse.Namespace) -> list[Path]:
    """The PDFs ``--files`` names (default: ``default_files``), the first ``--limit``."""
    if args.files:
        from corpus.files import expand_paths

        files = expand_paths(args.files)
    else:
        files = default_files()
    return files[: args.limit] if args.limit else files


def _add(
    files_dir: Path, data: Path, *extra: str, env: dict[str, str] | None = None
) -> dict[str, Any]:
    run = run_cli(["add", "-q", str(files_dir), "--data-dir", str(data), *extra], env=env)
    statuses: dict[str, int] = defaultdict(int)
    for line in run.lines:
        statuses[json.loads(line)["status"]] += 1
    return {
        "seconds": round(run.seconds, 2),
        "cpu_s": cpu_total(run),
        "exit": run.code,
        "statuses": dict(statuses),
        "peak_rss_mb": round(run.peak_main_kb / 1024),
        "peak_rss_with_workers_mb": round(run.peak_tree_kb / 1024),
    }


def raw_text_rates(files: list[Path]) -> dict[str, dict[str, float]]:
    """Pages/s of regwatch's ingest and of two raw text extractors on the same files."""
    from corpus.parallel import run_one

    pages = 0
    rates: dict[str, dict[str, float]] = {}
    start = time.perf_counter()
    for path in files:
        result = run_one("ingest", str(path), None, None)
        if result.document is not None:
            pages += len(result.document.pages)
    rates["regwatch ingest"] = _rate(pages, time.perf_counter() - start)
    try:
        import pymupdf

        start = time.perf_counter()
        count = 0
        for path in files:
            with pymupdf.open(path) as doc:
                for page in doc:
                    page.get_text()
                    count += 1
        rates["pymupdf get_text"] = _rate(count, time.perf_counter() - start)
    except ImportError:
        rates["pymupdf get_text"] = {"absent": 1.0}
    import pypdfium2

    start = time.perf_counter()
    count = 0
    for path in files:
        doc = pypdfium2.PdfDocument(path)
        for page in doc:
            page.get_textpage().get_text_range()
            count += 1
        doc.close()
    rates["pypdfium2 text"] = _rate(count, time.perf_counter() - start)
    return rates


def _rate(pages: int, seconds: float) -> dict[str, float]:
    return {"pages": pages, "seconds": round(seconds, 2), "pages_per_s": round(pages / seconds, 1)}


@contextmanager
def _timed(
    stages: dict[str, float], peaks: dict[str, int], owner: Any, attr: str, label: str
) -> Iterator[None]:
    """Wrap ``owner.attr`` so its time adds to ``stages[label]`` and the process's peak RSS
    during it goes to ``peaks[label]``; restored on exit."""
    original = getattr(owner, attr)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _reset_peak()
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            stages[label] += time.perf_counter() - start
            peaks[label] = max(peaks.get(label, 0), _peak_mb())

    setattr(owner, attr, wrapper)
    try:
        yield
    finally:
        setattr(owner, attr, original)


def _reset_peak() -> None:
    """Start a new peak-RSS window (Linux: writing 5 to clear_refs resets VmHWM)."""
    with suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_mb() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def _stage_hooks() -> list[tuple[Any, str, str]]:
    import corpus.outbox
    import corpus.pipeline
    import corpus.workspace
    import ingest.pipeline
    from corpus.store import Store
    from index.embed import SentenceTransformerEmbedder, UseEmbedder
    from index.keyword import KeywordIndex
    from index.vector import VectorStore

    return [
        (ingest.pipeline, "read_pdf", "pdf reading (pdfplumber)"),
        (ingest.pipeline, "build_document", "layout + identity"),
        (corpus.pipeline, "extract_records", "record extraction"),
        (Store, "add_version", "store (SQLite)"),
        (corpus.workspace.Workspace, "version_diff", "diff"),
        (corpus.workspace.Workspace, "diff_chunks", "diff passages"),
        (corpus.outbox, "raise_alerts", "alerts"),
        (SentenceTransformerEmbedder, "embed_passages", "e5 passages"),
        (UseEmbedder, "embed_passages", "USE passages"),
        (VectorStore, "upsert", "chroma upsert"),
        (KeywordIndex, "add", "keyword index"),
    ]


def profile(files: list[Path]) -> dict[str, Any]:
    """Seconds per stage of one in-process ``add`` (jobs 1, indexing on)."""
    from corpus.workspace import Workspace

    stages: dict[str, float] = defaultdict(float)
    peaks: dict[str, int] = {}
    hooks = _stage_hooks()
    with tempfile.TemporaryDirectory() as tmp, _nested([_timed(stages, peaks, *h) for h in hooks]):
        start = time.perf_counter()
        with Workspace(Path(tmp) / "data") as ws:
            for _ in ws.add(files, jobs=1):
                pass
        total = time.perf_counter() - start
    named = {k: round(v, 2) for k, v in sorted(stages.items(), key=lambda kv: -kv[1])}
    named["other (imports, model loading, chunking...)"] = round(total - sum(stages.values()), 2)
    largest = max(named, key=lambda k: named[k])
    return {
        "total_s": round(total, 2),
        "stages_s": named,
        "largest": largest,
        "peak_rss_mb_during": dict(sorted(peaks.items(), key=lambda kv: -kv[1])),
    }


@contextmanager
def _nested(managers: list[Any]) -> Iterator[None]:
    from contextlib import ExitStack

    with ExitStack() as stack:
        for manager in managers:
            stack.enter_context(manager)
        yield


def run(
    files: list[Path],
    jobs: int,
    with_profile: bool,
    log: Callable[[str], None],
    embed_in_workers: bool = False,
    passage_engines: Sequence[str] = (),
    env_runs: Sequence[tuple[str, str]] = (),
) -> dict:
    result: dict[str, Any] = {"files": len(files), "jobs": jobs}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        for i, path in enumerate(files):  # one folder, the order of ``files``
            (folder / f"{i:03d}_{path.name}").write_bytes(path.read_bytes())
        log("add --no-index --jobs 1")
        one = _add(folder, Path(tmp) / "a", "--no-index", "--jobs", "1")
        log(f"add --no-index --jobs {jobs}")
        many = _add(folder, Path(tmp) / "b", "--no-index", "--jobs", str(jobs))
        log(f"add --jobs {jobs}")
        full = _add(folder, Path(tmp) / "c", "--jobs", str(jobs))
        log(f"add --jobs {jobs} again (unchanged)")
        rerun = _add(folder, Path(tmp) / "c", "--jobs", str(jobs))
        if embed_in_workers:
            log(f"add --jobs {jobs} --embed-in workers")
            workers = _add(folder, Path(tmp) / "d", "--jobs", str(jobs), "--embed-in", "workers")
        engines = {}
        # Each a full add into a fresh data dir, right after: an engine by its name, any
        # other setting as NAME=VALUE.
        settings = [(engine, ENGINE_ENV, engine) for engine in passage_engines]
        settings += [(f"{name}={value}", name, value) for name, value in env_runs]
        for label, name, value in settings:
            log(f"add --jobs {jobs} with {name}={value}")
            data = Path(tmp) / f"e-{len(engines)}"
            engines[label] = _add(folder, data, "--jobs", str(jobs), env={name: value})
    result["runs"] = {
        "no_index_jobs_1": one,
        f"no_index_jobs_{jobs}": many,
        f"full_jobs_{jobs}": full,
        f"rerun_jobs_{jobs}": rerun,
    }
    result["ratios"] = {
        f"jobs {jobs} speed-up (no-index, wall)": round(one["seconds"] / many["seconds"], 2),
        "full add / no-index add (wall)": round(full["seconds"] / many["seconds"], 2),
        "full add / no-index add (CPU)": round(full["cpu_s"] / max(many["cpu_s"], 1e-9), 2),
        "unchanged re-run / first run (wall)": round(rerun["seconds"] / full["seconds"], 4),
    }
    if embed_in_workers:
        result["runs"][f"full_jobs_{jobs}_embed_in_workers"] = workers
        result["ratios"]["full add, embedding in workers / in the writer (wall)"] = round(
            workers["seconds"] / full["seconds"], 2
        )
    for engine, r in engines.items():
        result["runs"][f"full_jobs_{jobs}_{engine}"] = r
        result["ratios"][f"full add with {engine} / no-index add (wall)"] = round(
            r["seconds"] / many["seconds"], 2
        )
        result["ratios"][f"full add with {engine} / no-index add (CPU)"] = round(
            r["cpu_s"] / max(many["cpu_s"], 1e-9), 2
        )
    log("raw text rates")
    result["pages_per_s"] = raw_text_rates(files)
    if with_profile:
        log("profile (jobs 1, in process)")
        result["profile"] = profile(files)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_file_options(parser)
    parser.add_argument("--jobs", type=int, default=2, help="the parallel run's --jobs (default 2)")
    parser.add_argument("--no-profile", action="store_true", help="skip the stage profile")
    parser.add_argument(
        "--embed-in-workers",
        action="store_true",
        help="also a full add with --embed-in workers, beside the full add (writer embeds)",
    )
    parser.add_argument(
        "--passage-engines",
        default="",
        help=f"comma-separated {ENGINE_ENV} values: one more full add with each, after the others",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="one more full add with this setting (e.g. REGWATCH_E5_SCOPE=all), after the others",
    )
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args()
    bad = [e for e in args.env if "=" not in e]
    if bad:
        parser.error(f"--env expects NAME=VALUE, got {bad}")
    files = chosen_files(args)
    log = (lambda _: None) if args.json else (lambda m: print(f"... {m}", file=sys.stderr))
    engines = [e for e in args.passage_engines.split(",") if e]
    settings = [(name, value) for name, value in (e.split("=", 1) for e in args.env)]
    result = run(
        files, args.jobs, not args.no_profile, log, args.embed_in_workers, engines, settings
    )
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return
    print(f"{result['files']} files; each add a fresh process, one after the other")
    for name, r in result["runs"].items():
        print(
            f"  {name:18} {r['seconds']:8.2f} s wall {r['cpu_s']:8.2f} s CPU  peak RSS "
            f"{r['peak_rss_mb']:5d} MB ({r['peak_rss_with_workers_mb']} MB with workers)  "
            f"{r['statuses']}"
        )
    for name, value in result["ratios"].items():
        print(f"  {name:40} {value}")
    for name, r in result["pages_per_s"].items():
        print(f"  {name:20} {r.get('pages_per_s', 'absent')} pages/s")
    if "profile" in result:
        p = result["profile"]
        print(f"profile (jobs 1, in process, {p['total_s']} s):")
        for name, seconds in p["stages_s"].items():
            print(f"  {name:45} {seconds:8.2f} s")
        print(f"largest cost: {p['largest']}")
        print("peak RSS of this process during each stage (MB):")
        for name, mb in p["peak_rss_mb_during"].items():
            print(f"  {name:45} {mb:8d}")


if __name__ == "__main__":
    main()
