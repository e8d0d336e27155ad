"""Ingest + extract of many files away from the writing process, results in input order.

The parent stays the only writer (store and index): workers read PDFs and return
``ProcessedFile`` / ``IngestResult`` objects (pickled pydantic models), the parent takes
them in the order the files were given, so document ids and version numbers are those of a
one-process run whatever finishes first.

* Where the work runs is an ``Executor`` (``corpus.executors``): ``local`` (default),
  ``jobs`` worker processes on this machine started by ``forkserver`` where the platform
  has it, else ``spawn``; or ``ray`` (``corpus.ray_executor``), Ray tasks on a local Ray or
  a cluster (``RAY_ADDRESS``).  Workers import no ``index`` module (no embedder, chroma
  or spaCy in them) unless asked to embed their files' passages (``embed``:
  ``index.worker_vectors``, never chroma), and run their numpy and ONNX on one thread.
* At most ``executor.capacity`` files (``WINDOW_PER_JOB * jobs``) are in flight: memory
  stays bounded on a folder of thousands, and the workers have files queued while the
  writer spends a second on one commit.
* ``jobs == 1`` with the local executor runs everything in this process, lazily, file by
  file (no pool).
* A worker that dies (segfault in a PDF library, out of memory) fails only its own file
  (E100) and the batch goes on: each executor says how (``ProcessExecutor``).
* ``known(path)`` (``corpus.fingerprint``) is asked in the parent before a file is sent:
  a file the store already holds is handed back as ``Known`` without being read, and an
  executor is started only for the first file that is not known.
"""

from __future__ import annotations

import functools
import os
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from corpus.executors import (
    WINDOW_PER_JOB,
    Executor,
    ExecutorName,
    Stage,
    Ticket,
    default_jobs,
    make_executor,
)
from ingest.limits import Limits
from models.corpus import AddOutcome

if TYPE_CHECKING:
    from corpus.executors import Result
    from index.worker_vectors import EmbedRequest


@dataclass(frozen=True)
class Known:
    """A file whose content the store already holds (recognised by its fingerprint)."""

    path: str
    outcome: AddOutcome


def embedding_threads(jobs: int | None) -> None:
    """Cap the parent's embedding threads (ONNX Runtime's intra-op pool) at ``jobs``; read
    when the index opens its sessions, so call it before."""
    if jobs is not None:
        os.environ["REGWATCH_ONNX_THREADS"] = str(max(1, jobs))


def run_one(
    stage: Stage,
    path: str,
    kinds: frozenset[str] | None,
    limits: Limits | None,
    embed: EmbedRequest | None = None,
) -> Result:
    """One file through ingest (and extract, and with ``embed`` the embedding of its
    passages, within what is left of its time budget): never raises for a bad file."""
    from corpus import pipeline

    if stage == "ingest":
        return next(pipeline.ingest_files([Path(path)], limits=limits))
    processed = next(
        pipeline.process_files([Path(path)], kinds=set(kinds) if kinds else None, limits=limits)
    )
    if embed is not None and processed.ok:
        from index.worker_vectors import embed_file
        from ingest.deadline import Deadline

        assert processed.document is not None and processed.extraction is not None
        seconds = (limits or Limits()).max_seconds_per_file
        deadline = Deadline.resume(path, seconds, processed.seconds)
        processed.passage_vectors = embed_file(
            embed, processed.extraction, processed.document, deadline
        )
        processed.seconds = deadline.spent
    return processed


def runs_inline(executor: ExecutorName | Executor, jobs: int | None, files: int) -> bool:
    """Whether ``ordered`` runs the files in this process, one by one (no workers)."""
    if executor != "local":
        return False
    return (jobs if jobs is not None else default_jobs()) <= 1 or files <= 1


def run_files(
    paths: Sequence[Path],
    *,
    stage: Stage = "process",
    jobs: int | None = None,
    kinds: set[str] | None = None,
    limits: Limits | None = None,
    progress: bool = False,
    known: Callable[[Path], AddOutcome | None] | None = None,
    executor: ExecutorName | Executor = "local",
    embed: EmbedRequest | None = None,
) -> Iterator[Result | Known]:
    """One result per path, in the order given (see the module notes).  ``jobs`` None: the
    cores here (local), the cluster's CPUs (ray).  ``embed``: each file's worker also
    embeds its passages (``index.worker_vectors``)."""
    frozen = frozenset(kinds) if kinds else None
    work = functools.partial(run_one, stage, kinds=frozen, limits=limits, embed=embed)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(paths), desc=stage, unit="file", file=sys.stderr)
    try:
        for item in ordered(paths, work, stage, jobs, known, executor=executor):
            if bar is not None:
                bar.update(1)
            yield item
    finally:
        if bar is not None:
            bar.close()


def ordered(
    paths: Sequence[Path],
    work: Callable[[str], Result],
    stage: Stage,
    jobs: int | None,
    known: Callable[[Path], AddOutcome | None] | None = None,
    *,
    executor: ExecutorName | Executor = "local",
) -> Iterator[Result | Known]:
    """``work(path)`` of every path not ``known``, on ``executor``, in input order (``work``
    must pickle: a module-level function or a partial of one).  An executor given by name
    is made here and closed here; one given as an object stays the caller's to close."""
    if jobs is not None:
        jobs = max(1, jobs)
    elif executor == "local":
        jobs = default_jobs()
    if runs_inline(executor, jobs, len(paths)):
        for path in paths:
            outcome = known(path) if known else None
            yield Known(str(path), outcome) if outcome else work(str(path))
        return
    owned = isinstance(executor, str)
    runner: Executor | None = None if owned else executor  # made for the first file sent
    pending = iter(paths)
    window: deque[Ticket | Known] = deque()

    def capacity() -> int:  # before an executor is made: what a local one would take
        return runner.capacity if runner is not None else WINDOW_PER_JOB * (jobs or default_jobs())

    try:
        while True:
            while len(window) < capacity():
                path = next(pending, None)
                if path is None:
                    break
                outcome = known(path) if known else None
                if outcome is not None:
                    window.append(Known(str(path), outcome))
                    continue
                if runner is None:
                    assert isinstance(executor, str)
                    runner = make_executor(executor, work, stage, jobs)
                window.append(runner.submit(str(path)))
            if not window:
                return
            item = window.popleft()
            if isinstance(item, Known):
                yield item
                continue
            assert runner is not None  # a ticket was handed out by it
            yield runner.result(item)
    finally:
        if owned and runner is not None:
            runner.close()
