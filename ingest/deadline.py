"""One file's wall-clock budget across every stage: reading, layout, identity, extraction,
and the indexing of the version it becomes.

``Limits.max_seconds_per_file`` (``--timeout``) used to be checked only while pages were
read; a file whose layout or extraction ran long held a core past it (issue 15: a 300-page
PDF ran over 15 minutes under ``--timeout 60``).  A ``Deadline`` starts when the file is
opened and every stage checks it between its steps, so the budget covers the whole of
ingest + extract + index.  Checks are cooperative: one step runs to its end before the next check
(each step is linear in the file's length).

Reading and extraction may run in a worker process while the parent indexes: the worker
hands back the seconds it spent (``spent``) and the parent ``resume``s the budget when it
takes the file, so time a file waits for the one writer is not charged to it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from models.errors import LimitExceededError


@dataclass(frozen=True)
class Deadline:
    path: str
    started: float  # time.monotonic() when the file was opened
    seconds: float

    @classmethod
    def start(cls, path: object, seconds: float) -> Deadline:
        return cls(str(path), time.monotonic(), seconds)

    @classmethod
    def resume(cls, path: object, seconds: float, spent: float) -> Deadline:
        """The budget of a file that has already used ``spent`` seconds of it elsewhere."""
        return cls(str(path), time.monotonic() - spent, seconds)

    @property
    def spent(self) -> float:
        return time.monotonic() - self.started

    @property
    def at(self) -> float:
        return self.started + self.seconds

    def check(self, stage: str) -> None:
        """Raise ``LimitExceededError`` (E106) naming the file and the stage that ran over."""
        if time.monotonic() > self.at:
            raise LimitExceededError(
                f"{stage} took the file over {self.seconds:g} s (raise --timeout)", self.path
            )
