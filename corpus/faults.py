"""Named crash points for the crash-injection tests (``tests/test_crash_recovery.py``).

``REGWATCH_TEST_CRASH_AT=after_commit`` makes the process die at once (``os._exit``: no
cleanup, no rollback, like ``kill -9``) when it reaches that point; several names may be
given, comma-separated.  Unset (always, outside tests) a point costs one dict lookup.
"""

from __future__ import annotations

import os
import sys

CRASH_ENV = "REGWATCH_TEST_CRASH_AT"
#: Every named point, in the order an ``add`` reaches them.
POINTS = (
    "after_commit",  # the version is committed, nothing else done
    "after_diff",  # the diff file is written, no alert yet
    "after_alert",  # the alert is saved, its outbox task not yet done
    "mid_index",  # the chunks are in the vector store, not yet in the keyword index
    "after_index",  # the index holds the version, its outbox task not yet done
)
#: Named points outside ``add``: a delivery claimed (a webhook or jsonl alert, or an Atom
#: feed's batch), its target not yet contacted.
OTHER_POINTS = ("mid_send",)
CRASH_EXIT = 137


def crash_point(name: str) -> None:
    wanted = os.environ.get(CRASH_ENV)
    if wanted and name in wanted.split(","):
        print(f"regwatch-test: crash at {name}", file=sys.stderr, flush=True)
        os._exit(CRASH_EXIT)
