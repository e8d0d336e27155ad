"""Where a batch's per-file work runs: the seam between ``corpus.parallel`` and its workers.

``corpus.parallel.ordered`` owns what every executor shares: files in input order, at most
``capacity`` of them in flight, ``known`` files never sent, the parent the only writer.  An
``Executor`` only runs ``work(path)`` somewhere else and hands back that file's result:

* ``submit(path)`` starts one file and returns its ``Ticket``;
* ``result(ticket)`` waits for that file and never raises for it: a worker that died or a
  result that could not come back is the file's failure (E100), the batch goes on;
* ``capacity`` bounds the files in flight (memory stays flat on a folder of thousands);
* ``close()`` stops what is still running.

Two implementations: ``ProcessExecutor`` (a ``ProcessPoolExecutor`` on this machine, the
default, ``--executor local``) and ``corpus.ray_executor.RayExecutor`` (``--executor ray``:
Ray tasks on a local Ray or a cluster), imported only when asked for, so ``ray`` is never
loaded otherwise.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from typing import TypeAlias

    from corpus.pipeline import ProcessedFile
    from models.document import IngestResult

    Result: TypeAlias = ProcessedFile | IngestResult

Stage = Literal["ingest", "process"]
ExecutorName = Literal["local", "ray"]
EXECUTORS: tuple[ExecutorName, ...] = ("local", "ray")
#: Environment variables that keep a worker's numeric libraries on one thread.
_ONE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
#: How often a worker looks whether the process that owns its pool still runs (seconds).
OWNER_POLL_S = 1.0
#: Files in flight per worker (``capacity``).  Two left the workers idle while the writer
#: spent ~0.9 s on one commit (the first new version loads the diff's word segmenter):
#: the few small files queued behind it ran out.  A result waiting for the writer is a
#: Document and its records, well under 10 MB for these notices.
WINDOW_PER_JOB = 4
#: What the fork server imports before it forks each worker: the pipeline, and
#: ``ingest.warm`` (what every worker would load at its first file, loaded once).
_PRELOAD = ["corpus.pipeline", "ingest.warm"]


@dataclass
class Ticket:
    """One submitted file: its path and the executor's handle on the running work (a
    ``Future``, a Ray ``ObjectRef``), which the executor may replace when it resubmits."""

    path: str
    handle: Any


class Executor(Protocol):
    """Runs one file's ingest (+ extract) away from the writing process (see module notes)."""

    @property
    def capacity(self) -> int: ...

    def submit(self, path: str) -> Ticket: ...

    def result(self, ticket: Ticket) -> Result: ...

    def close(self) -> None: ...


def default_jobs() -> int:
    """The cores this process may run on (its CPU affinity where the OS tells)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _owner_alive(owner: int) -> bool:
    """Whether the process that made the pool still runs: a zombie (dead, not yet reaped by
    its own parent) counts as gone."""
    try:
        with open(f"/proc/{owner}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: the signal test alone (a zombie passes it)
        try:
            os.kill(owner, 0)
        except ProcessLookupError:
            return False
        return True


def _watch_owner(owner: int, every: float = OWNER_POLL_S) -> None:
    """End this worker once the pool's owner is gone.  A worker's parent is the fork server,
    not the owner, so the kernel's parent-death signal does not reach it: an owner killed by
    a crash in native code (a segfault in a vector store) otherwise leaves its workers
    reading the rest of their window for nobody, holding the owner's output pipe open."""

    def watch() -> None:
        while _owner_alive(owner):
            time.sleep(every)
        os._exit(1)

    threading.Thread(target=watch, name="owner-watch", daemon=True).start()


def one_thread(owner: int | None = None) -> None:
    """Keep this worker's BLAS/OpenMP pools on one thread: the parallelism is across files,
    and a pool per worker on every core would oversubscribe the machine.  The variables
    alone come too late where numpy is already loaded (the fork server preloads it):
    threadpoolctl resizes the loaded pools.  ``owner``: the pid whose end ends this worker."""
    if owner is not None:
        _watch_owner(owner)
    for name in _ONE_THREAD:
        os.environ[name] = "1"
    # ONNX Runtime reads it when a worker that embeds opens its sessions (the parent's
    # value, --jobs, is for one process alone).
    os.environ["REGWATCH_ONNX_THREADS"] = "1"
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(1)


def died(stage: Stage, path: str, exc: BaseException, what: str = "died") -> Result:
    """The E100 failure of a file whose worker died or whose result did not come back, as
    the stage's result type."""
    from corpus.pipeline import ProcessedFile
    from models.document import IngestResult

    first_line = (str(exc).strip().splitlines() or [""])[0]
    detail = {
        "code": "E100",
        "message": f"the worker process reading this file {what} "
        f"({type(exc).__name__}: {first_line})",
        "path": path,
    }
    if stage == "process":
        return ProcessedFile(path=path, errors=[detail])
    return IngestResult(path=path, status="failure", errors=[detail])


def _context() -> multiprocessing.context.BaseContext:
    # Never ``fork``: the parent may hold SQLite connections, ONNX Runtime or BLAS thread
    # pools that a forked child must not inherit.  The fork server imports corpus.pipeline
    # (and ``ingest.warm``) once, so each worker starts warm.
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


def process_pool(jobs: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=jobs, mp_context=_context(), initializer=one_thread, initargs=(os.getpid(),)
    )


class ProcessExecutor:
    """``jobs`` worker processes on this machine (``--executor local``).

    A worker that dies (segfault in a PDF library, out of memory) breaks the whole pool and
    every file in it: the file asked for is then run again alone in a fresh one-worker
    pool, so only a file that kills its worker twice is reported (E100), and the other
    files in flight are sent again to a new pool.
    """

    def __init__(self, work: Callable[[str], Result], stage: Stage, jobs: int) -> None:
        self.work, self.stage, self.jobs = work, stage, max(1, jobs)
        self._pool: ProcessPoolExecutor | None = None  # started by the first file sent
        self._open: list[Ticket] = []

    @property
    def capacity(self) -> int:
        return WINDOW_PER_JOB * self.jobs

    def submit(self, path: str) -> Ticket:
        if self._pool is None:
            self._pool = process_pool(self.jobs)
        ticket = Ticket(path, self._send(path))
        self._open.append(ticket)
        return ticket

    def _send(self, path: str) -> Future:
        assert self._pool is not None
        try:
            return self._pool.submit(self.work, path)
        except BrokenProcessPool as exc:
            # Broken by a file sent earlier and not collected yet: collecting that one
            # restarts the pool and sends this file again (or, at the head, runs it alone).
            future: Future = Future()
            future.set_exception(exc)
            return future

    def result(self, ticket: Ticket) -> Result:
        self._open.remove(ticket)
        future: Future = ticket.handle
        try:
            return future.result()
        except BrokenProcessPool:
            self._restart()
            return self._isolated(ticket.path)
        except Exception as exc:  # e.g. a result that cannot be pickled: this file only
            return died(self.stage, ticket.path, exc, "failed in its worker process")

    def _restart(self) -> None:
        """A new pool; the files in flight died with the old one: send them again."""
        assert self._pool is not None
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = process_pool(self.jobs)
        for ticket in self._open:
            ticket.handle = self._send(ticket.path)

    def _isolated(self, path: str) -> Result:
        """Run one file alone in a fresh worker: a second death is this file's doing."""
        with process_pool(1) as pool:
            try:
                return pool.submit(self.work, path).result()
            except BrokenProcessPool as exc:
                return died(self.stage, path, exc)
            except Exception as exc:
                return died(self.stage, path, exc, "failed in its worker process")

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._open.clear()


def make_executor(
    name: ExecutorName, work: Callable[[str], Result], stage: Stage, jobs: int | None
) -> Executor:
    """The executor called ``name``; ``jobs`` None: the cores here (local) or the cluster's
    CPUs (ray).  Ray is imported only here, only for ``ray``."""
    if name == "ray":
        from corpus.ray_executor import RayExecutor

        return RayExecutor(work, stage, jobs)
    if name != "local":
        from models.errors import ExecutorError

        raise ExecutorError(f"unknown executor {name!r} (expected one of {', '.join(EXECUTORS)})")
    return ProcessExecutor(work, stage, default_jobs() if jobs is None else jobs)
