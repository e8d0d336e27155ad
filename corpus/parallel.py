"""Ingest + extract of many files in worker processes, results handed back in input order.

The parent stays the only writer (store and index): workers read PDFs and return
``ProcessedFile`` / ``IngestResult`` objects (pickled pydantic models), the parent takes
them in the order the files were given, so document ids and version numbers are those of a
one-process run whatever finishes first.

* ``jobs`` workers (``concurrent.futures.ProcessPoolExecutor``) started by ``forkserver``
  where the platform has it, else ``spawn`` (never ``fork``: the parent may hold SQLite
  connections, ONNX Runtime or BLAS thread pools that a forked child must not inherit).
  The fork server imports ``corpus.pipeline`` once, so each worker starts warm; workers never
  import ``index`` (no embedder, chroma or spaCy in them) and run their numpy on one thread.
* At most ``2 * jobs`` files are in flight: memory stays bounded on a folder of thousands.
* ``jobs == 1`` runs everything in this process, lazily, file by file (no pool).
* A worker that dies (segfault in a PDF library, out of memory) breaks the pool: the file at
  the head is then run again alone in a fresh one-worker pool, so only the file that kills
  its worker is reported (E100), and the rest of the batch goes on in a new pool.
* ``known(path)`` (``corpus.fingerprint``) is asked in the parent before a file is sent:
  a file the store already holds is handed back as ``Known`` without being read.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ingest.limits import Limits
from models.corpus import AddOutcome

if TYPE_CHECKING:
    from typing import TypeAlias

    from corpus.pipeline import ProcessedFile
    from models.document import IngestResult

    Result: TypeAlias = ProcessedFile | IngestResult

Stage = Literal["ingest", "process"]
#: Environment variables that keep a worker's numeric libraries on one thread.
_ONE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class Known:
    """A file whose content the store already holds (recognised by its fingerprint)."""

    path: str
    outcome: AddOutcome


def default_jobs() -> int:
    """The cores this process may run on (its CPU affinity where the OS tells)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def embedding_threads(jobs: int | None) -> None:
    """Cap the parent's embedding threads (ONNX Runtime's intra-op pool) at ``jobs``; read
    when the index opens its sessions, so call it before."""
    if jobs is not None:
        os.environ["REGWATCH_ONNX_THREADS"] = str(max(1, jobs))


def run_one(stage: Stage, path: str, kinds: frozenset[str] | None, limits: Limits | None) -> Result:
    """One file through ingest (and extract): never raises for a bad file."""
    from corpus import pipeline

    if stage == "ingest":
        return next(pipeline.ingest_files([Path(path)], limits=limits))
    return next(
        pipeline.process_files([Path(path)], kinds=set(kinds) if kinds else None, limits=limits)
    )


def _init_worker() -> None:
    # The parallelism is across files: a worker's BLAS/OpenMP pools on every core would
    # oversubscribe the machine.  The fork server has already imported numpy (preload), so
    # the variables alone come too late for it: threadpoolctl resizes the loaded pools.
    for name in _ONE_THREAD:
        os.environ[name] = "1"
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(1)


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["corpus.pipeline"])
        return ctx
    return multiprocessing.get_context("spawn")


def _pool(jobs: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=jobs, mp_context=_context(), initializer=_init_worker)


def _died(path: str, exc: BaseException, what: str = "died") -> Result:
    from models.document import IngestResult

    detail = {
        "code": "E100",
        "message": f"the worker process reading this file {what} ({type(exc).__name__}: {exc})",
        "path": path,
    }
    return IngestResult(path=path, status="failure", errors=[detail])


def _as_stage(stage: Stage, result: Result) -> Result:
    """A failure ``IngestResult`` as the stage's result type."""
    from corpus.pipeline import ProcessedFile
    from models.document import IngestResult

    if stage == "process" and isinstance(result, IngestResult):
        return ProcessedFile(path=result.path, errors=result.errors)
    return result


def _isolated(work: Callable[[str], Result], stage: Stage, path: str) -> Result:
    """Run one file alone in a fresh worker: a second death is this file's doing."""
    with _pool(1) as pool:
        try:
            return pool.submit(work, path).result()
        except BrokenProcessPool as exc:
            return _as_stage(stage, _died(path, exc))


def run_files(
    paths: Sequence[Path],
    *,
    stage: Stage = "process",
    jobs: int | None = None,
    kinds: set[str] | None = None,
    limits: Limits | None = None,
    progress: bool = False,
    known: Callable[[Path], AddOutcome | None] | None = None,
) -> Iterator[Result | Known]:
    """One result per path, in the order given (see the module notes)."""
    jobs = default_jobs() if jobs is None else max(1, jobs)
    frozen = frozenset(kinds) if kinds else None
    work = functools.partial(run_one, stage, kinds=frozen, limits=limits)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(paths), desc=stage, unit="file", file=sys.stderr)
    try:
        for item in ordered(paths, work, stage, jobs, known):
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
    jobs: int,
    known: Callable[[Path], AddOutcome | None] | None = None,
) -> Iterator[Result | Known]:
    """``work(path)`` of every path not ``known``, by ``jobs`` workers, in input order
    (``work`` must pickle: a module-level function or a partial of one)."""
    if jobs == 1 or len(paths) <= 1:
        for path in paths:
            outcome = known(path) if known else None
            yield Known(str(path), outcome) if outcome else work(str(path))
        return
    pending = iter(paths)
    window: deque[tuple[str, Future | Known]] = deque()
    pool = None
    try:
        while True:
            while len(window) < 2 * jobs:
                path = next(pending, None)
                if path is None:
                    break
                outcome = known(path) if known else None
                if outcome is not None:
                    window.append((str(path), Known(str(path), outcome)))
                    continue
                if pool is None:
                    pool = _pool(jobs)
                window.append((str(path), pool.submit(work, str(path))))
            if not window:
                return
            name, item = window.popleft()
            if isinstance(item, Known):
                yield item
                continue
            try:
                result = item.result()
            except BrokenProcessPool:
                pool.shutdown(wait=False, cancel_futures=True)
                pool = _pool(jobs)
                yield _isolated(work, stage, name)
                # The rest of the window died with the pool: send it again.
                window = deque(
                    (n, f if isinstance(f, Known) else pool.submit(work, n)) for n, f in window
                )
                continue
            except Exception as exc:  # e.g. a result that cannot be pickled: this file only
                result = _as_stage(stage, _died(name, exc, "failed in its worker process"))
            yield result
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
