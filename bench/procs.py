"""Run the CLI as a user would (a fresh process) and watch its time and memory.

Shared by ``bench.throughput`` and ``bench.memory``.  Memory is read from ``/proc`` (Linux):
the command's own resident set, and the sum over it and every descendant (the ingest
workers live under a fork server, a child of the command).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def rss_kb(pid: int) -> int:
    """Resident set of one process in KiB (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def descendants(pid: int) -> list[int]:
    """Every process under ``pid`` (children, their children...)."""
    found: list[int] = []
    stack = [pid]
    while stack:
        parent = stack.pop()
        try:
            tasks = Path(f"/proc/{parent}/task").iterdir()
            children = [
                int(c)
                for task in tasks
                for c in (task / "children").read_text().split()
                if c.strip()
            ]
        except OSError:
            continue
        found.extend(children)
        stack.extend(children)
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds one process has used so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


@dataclass
class Run:
    """One finished command: wall seconds, exit code, stdout lines, peak memory (KiB)."""

    args: list[str]
    seconds: float = 0.0
    code: int = 0
    lines: list[str] = field(default_factory=list)
    peak_main_kb: int = 0
    peak_tree_kb: int = 0
    #: CPU seconds of the command and its descendants (each process's last sample: a worker's
    #: final 0.2 s may be missed).  On a shared machine, CPU time is steadier than wall time.
    cpu_by_pid: dict[int, float] = field(default_factory=dict)
    #: (lines of output so far, the command's RSS then): memory growth per file.
    rss_by_line: list[tuple[int, int]] = field(default_factory=list)
    #: Wall seconds from the start to each line of output (time per file, as it goes).
    seconds_by_line: list[float] = field(default_factory=list)


def run_cli(
    args: list[str],
    env: dict[str, str] | None = None,
    sample_s: float = 0.2,
    on_line: Callable[[Run], None] | None = None,
) -> Run:
    """``python -m corpus.cli ARGS`` from this checkout, timed and sampled; ``on_line`` is
    called after each line of output (progress of a long run)."""
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    run = Run(args=args)
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "corpus.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=environ,
        cwd=ROOT,
    )
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            main = rss_kb(proc.pid)
            below = descendants(proc.pid)
            tree = main + sum(rss_kb(p) for p in below)
            for pid in (proc.pid, *below):
                used = cpu_seconds(pid)
                if used:
                    run.cpu_by_pid[pid] = max(run.cpu_by_pid.get(pid, 0.0), used)
            run.peak_main_kb = max(run.peak_main_kb, main)
            run.peak_tree_kb = max(run.peak_tree_kb, tree)
            done.wait(sample_s)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert proc.stdout is not None
    for line in proc.stdout:
        run.lines.append(line)
        run.rss_by_line.append((len(run.lines), rss_kb(proc.pid)))
        run.seconds_by_line.append(time.perf_counter() - start)
        if on_line is not None:
            on_line(run)
    run.code = proc.wait()
    run.seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    return run


def cpu_total(run: Run) -> float:
    return round(sum(run.cpu_by_pid.values()), 2)
