"""Ray tasks as an executor (``--executor ray``): one task per file, the driver writes.

Imported only when ``ray`` is asked for (``corpus.executors.make_executor``), and it imports
``ray`` only when the first file is sent, so a batch of known files starts nothing.

* ``RAY_ADDRESS`` unset (or ``local``): a local Ray started here with ``num_cpus = jobs``
  (default: the cores).  Set (``HOST:PORT``, ``ray://HOST:PORT`` or ``auto``): that
  cluster; its address is tried with a plain TCP connection first, because ``ray.init``
  waits minutes on an address where nothing answers.  ``jobs`` None on a cluster: its CPUs.
  A cluster with token authentication (``ray start``'s default) wants ``RAY_AUTH_MODE=token``
  and its token here; without them Ray's refusal is a connection failure (E401, with a hint).
  A Ray already initialised in this process (a server, a test) is used as it is.
* Each task takes one CPU and reads the file by the path it was given, resolved from the
  driver's working directory: on a cluster every node must see the files at the same path
  (a shared file system) and have the same regwatch installed.
* A task whose worker dies (a crashing PDF library, out of memory, a lost node) is retried
  once, as the local pool runs such a file again alone; a second death, or an exception
  that comes back from the task, fails that file only (E100).  Ray runs each task in its
  own worker, so the other files in flight are not touched.
* The session is left running when a batch ends (``watch`` sends a batch per scan; a Ray
  start costs seconds): Ray shuts it down when the process exits.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from corpus.executors import WINDOW_PER_JOB, Stage, Ticket, default_jobs, died, one_thread
from models.errors import ExecutorError

if TYPE_CHECKING:
    from corpus.executors import Result

#: Seconds to wait for a TCP answer from RAY_ADDRESS before calling it unreachable.
CONNECT_TIMEOUT_S = 5.0
_threads_limited = False


def _run(work: Callable[[str], Result], path: str, cwd: str) -> Result:
    """The task body, in a Ray worker process (one task at a time in it)."""
    global _threads_limited
    if not _threads_limited:
        one_thread()
        _threads_limited = True
    if not os.path.isabs(path) and os.path.isdir(cwd):
        os.chdir(cwd)  # a relative path means what it meant to the driver
    return work(path)


def _import_ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise ExecutorError(
            "--executor ray needs the ray package, which is not installed here "
            "(pip install 'regwatch[ray]'), or use --executor local"
        ) from exc
    return ray


def check_reachable(address: str, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Raise E401 when nothing answers at ``address`` (``HOST:PORT`` or ``ray://HOST:PORT``);
    ``auto`` is left to Ray, which fails at once when it finds no cluster."""
    if address == "auto":
        return
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:  # a port that is not a number
        host, port = None, None
    if not host or port is None:
        raise ExecutorError(f"RAY_ADDRESS={address!r} is not HOST:PORT, ray://HOST:PORT or auto")
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        raise ExecutorError(
            f"cannot reach the Ray cluster at RAY_ADDRESS={address} ({exc}); "
            "start it (ray start --head) or unset RAY_ADDRESS for a local Ray"
        ) from exc


def _auth_hint() -> str:
    # `ray start` turns on token authentication by default; a driver given an explicit
    # address sends the token only in token mode (Ray's `auto` switches it on by itself),
    # and the refusal reads as a plain connection failure.
    if os.environ.get("RAY_AUTH_MODE", "").lower() == "token":
        return ""
    return (
        "; a cluster with token authentication (the default of `ray start`) also needs "
        "RAY_AUTH_MODE=token and its token (RAY_AUTH_TOKEN, or the file ~/.ray/auth_token)"
    )


def connect(jobs: int | None) -> Any:
    """The ``ray`` module with a session: the one this process has, else the cluster at
    ``RAY_ADDRESS``, else a local Ray of ``jobs`` CPUs."""
    ray = _import_ray()
    if ray.is_initialized():
        return ray
    options: dict[str, Any] = {"include_dashboard": False, "logging_level": logging.WARNING}
    address = os.environ.get("RAY_ADDRESS", "").strip()
    if address and address != "local":
        check_reachable(address)
        try:
            ray.init(address=address, **options)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise ExecutorError(
                f"cannot connect to the Ray cluster at {address}: {exc}{_auth_hint()}"
            ) from exc
        return ray
    ray.init(address="local", num_cpus=jobs or default_jobs(), **options)
    return ray


class RayExecutor:
    """Ray tasks, one a file (see the module notes); at most ``WINDOW_PER_JOB * jobs`` in
    flight."""

    def __init__(self, work: Callable[[str], Result], stage: Stage, jobs: int | None) -> None:
        self.work, self.stage, self.jobs = work, stage, jobs
        self._ray: Any = None  # connected by the first file sent
        self._task: Any = None
        self._work_ref: Any = None
        self._open: list[Ticket] = []

    @property
    def capacity(self) -> int:
        if self.jobs is None:  # not connected yet: what a local Ray would take
            return WINDOW_PER_JOB * default_jobs()
        return WINDOW_PER_JOB * self.jobs

    def _start(self) -> None:
        ray = connect(self.jobs)
        if self.jobs is None:  # the session's CPUs (a cluster's, or the local Ray's)
            self.jobs = max(1, int(ray.cluster_resources().get("CPU", 1)))
        self._task = ray.remote(num_cpus=1, max_retries=1)(_run)
        self._work_ref = ray.put(self.work)  # sent once, not with every file
        self._ray = ray

    def submit(self, path: str) -> Ticket:
        if self._ray is None:
            self._start()
        ticket = Ticket(path, self._task.remote(self._work_ref, path, os.getcwd()))
        self._open.append(ticket)
        return ticket

    def result(self, ticket: Ticket) -> Result:
        self._open.remove(ticket)
        errors = self._ray.exceptions
        try:
            return self._ray.get(ticket.handle)
        except errors.RayTaskError as exc:  # the task raised: run_one never does for a file
            cause = getattr(exc, "cause", None) or exc
            return died(self.stage, ticket.path, cause, "failed in its Ray task")
        except errors.RayError as exc:  # worker or node died twice, result lost
            return died(self.stage, ticket.path, exc)

    def close(self) -> None:
        for ticket in self._open:  # a batch stopped early: what is still running
            self._ray.cancel(ticket.handle)
        self._open.clear()
