"""The outbox: work a stored version still needs, committed in the same transaction as it.

``Store.add_version`` writes, with the version row, one ``outbox`` row per task
(``alert``: diff against the previous version and queue the alert; ``index``: chunk, embed,
index, and set every chunk's ``latest`` flag from the store).  A task's row is deleted only
after its work is done, so a process killed anywhere after the commit leaves the rest
queued: the next ``add``, ``scan``, ``reindex`` or a starting server runs it (``drain``).
Every task is idempotent (alerts have stable ids, the index skips unchanged chunks), so
running one twice, or in two processes at once, is harmless.

Index writes from every process go through one lock (``index_lock``: a file lock, or on a
PostgreSQL corpus, whose keyword index every machine shares, an advisory lock there), and
each reads the latest version from the store inside it: whichever runs last after a commit
sees that commit, so concurrent adds cannot leave an old version's chunks flagged latest.  An index
task also drops the chunks of versions the store no longer has under that name: ``link`` and
``unlink`` move and renumber versions, and queue an index task for every version they touch
(``Store.link``), so the index follows them.

A file's ``--timeout`` covers its indexing (``ingest.deadline``): an index task that runs
out of time stops between embedding calls and stays queued, reported as that file's E106.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from corpus.alerts import raise_alerts
from corpus.faults import crash_point
from corpus.latest import version_date
from corpus.render import render_html
from corpus.store import Store, utc_now
from ingest.deadline import Deadline
from ingest.limits import Limits
from models.corpus import AddOutcome, Alert
from models.diff import VersionDiff
from models.errors import LimitExceededError

if TYPE_CHECKING:
    from corpus.workspace import Workspace
    from index.keyword import KeywordIndex
    from index.search import AddStats, SearchIndex
    from models.search import Chunk

LOCK_NAME = ".write.lock"


@dataclass(frozen=True)
class Task:
    """One queued task, with where its version is now (link/unlink may have moved it)."""

    version_id: int
    task: str
    doc_id: str
    version: int
    sha256: str
    path: str


@dataclass
class Finished:
    """What running a version's tasks produced (for ``AddReport``)."""

    alerts: list[Alert] = field(default_factory=list)
    diff_path: str | None = None
    diff_summary: list[str] = field(default_factory=list)
    #: The diff against the previous version, computed once for the alert and handed on to
    #: the index task's diff passages.
    diff: VersionDiff | None = None
    errors: list[dict[str, str]] = field(default_factory=list)


@dataclass
class DrainReport:
    alerts: int = 0
    indexed: int = 0
    left: int = 0
    #: Coded errors (E106) of index tasks that ran out of time; they stay queued.
    errors: list[dict[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "alerts": self.alerts,
            "indexed": self.indexed,
            "left": self.left,
            "errors": self.errors,
        }


def pending(store: Store, sha256: str | None = None) -> list[Task]:
    """Queued tasks, oldest version first (those of the file ``sha256`` only when given)."""
    sql = (
        "SELECT o.version_id, o.task, v.doc_id, v.version, v.sha256, v.path"
        " FROM outbox o JOIN versions v ON v.id = o.version_id"
    )
    with store.read() as conn:
        if sha256 is None:
            rows = conn.execute(sql + " ORDER BY o.version_id, o.task").fetchall()
        else:
            rows = conn.execute(sql + " WHERE v.sha256 = ? ORDER BY o.task", (sha256,)).fetchall()
    return [Task(*row) for row in rows]


def enqueue(store: Store, version_ids: list[int], task: str) -> None:
    """Queue ``task`` for these version rows again (``check --repair``)."""
    now = utc_now()
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO outbox(version_id, task, created) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            [(v, task, now) for v in version_ids],
        )


def _done(store: Store, task: Task) -> None:
    with store.transaction() as conn:
        conn.execute(
            "DELETE FROM outbox WHERE version_id = ? AND task = ?", (task.version_id, task.task)
        )


def outcome_of(store: Store, task: Task) -> AddOutcome:
    """The ``AddOutcome`` the add that stored this version returned (for its alert)."""
    if task.version == 1:
        return AddOutcome(
            status="new_document",
            doc_id=task.doc_id,
            version=1,
            sha256=task.sha256,
            path=task.path,
        )
    infos = {i.version: i for i in store.versions(task.doc_id)}
    previous = task.version - 1
    new_date = version_date(infos[task.version].identity)
    old_date = version_date(infos[previous].identity)
    return AddOutcome(
        status="new_version",
        doc_id=task.doc_id,
        version=task.version,
        previous_version=previous,
        sha256=task.sha256,
        path=task.path,
        out_of_order=bool(new_date and old_date and new_date < old_date),
    )


def run_alert(ws: Workspace, task: Task, outcome: AddOutcome | None = None) -> Finished:
    """Diff against the previous version (saved as HTML) and queue the version's alert."""
    outcome = outcome or outcome_of(ws.store, task)
    finished = Finished()
    diff = None
    if outcome.status == "new_version" and outcome.previous_version is not None:
        diff = ws.version_diff(outcome.doc_id, outcome.previous_version, outcome.version)
        finished.diff = diff
        finished.diff_path = str(save_diff(ws.data_dir, diff))
        finished.diff_summary = [c.summary for c in diff.field_changes]
        crash_point("after_diff")
    finished.alerts = raise_alerts(ws.store, outcome, diff, diff_link=finished.diff_path)
    crash_point("after_alert")
    _done(ws.store, task)
    return finished


def save_diff(data_dir: Path, diff: VersionDiff) -> Path:
    out = data_dir / "diffs"
    out.mkdir(exist_ok=True)
    path = out / f"{diff.old}..{diff.new}.html".replace("/", "_")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(render_html(diff), encoding="utf-8")
    tmp.replace(path)  # never a half-written diff after a crash
    return path


@contextlib.contextmanager
def index_lock(ws: Workspace) -> Iterator[None]:
    """One index writer at a time.  A PostgreSQL corpus keeps its keyword index in the
    database, shared by every machine: a session-level advisory lock there
    (``Store.index_lock``).  Otherwise across the threads and processes of this data folder
    (``flock`` on a file in the index folder; released by the kernel when its holder dies)."""
    if ws.store.dialect == "postgresql":
        with ws.store.index_lock():
            yield
        return
    folder = ws.data_dir / "index"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / LOCK_NAME).open("a") as handle:
        try:
            import fcntl
        except ImportError:  # not POSIX: one process at a time is the user's business
            yield
            return
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def index_version(
    ws: Workspace,
    doc_id: str,
    version: int,
    *,
    deadline: Deadline | None = None,
    diff: VersionDiff | None = None,
) -> AddStats:
    """Index one version; then every chunk of its document gets ``latest`` from the store,
    and chunks of versions the store no longer has (moved by link/unlink) are dropped.

    Under ``index_lock``, with the latest version read inside it (see the module docstring).
    ``deadline``: the file's budget, checked before and between the embedding calls (raises
    ``LimitExceededError``).  ``diff``: the diff from the previous version, if at hand.
    """
    checkpoint = None if deadline is None else (lambda: deadline.check("indexing"))
    with index_lock(ws):
        if checkpoint is not None:
            checkpoint()
        latest = ws.store.latest_version(doc_id)
        # Where another version is flagged latest, this one is indexed not-latest first
        # (unless latest already: a re-run), then one relabelling sets it latest and the
        # other not: a search in between sees the old version, never both.
        chunks = ws.version_chunks(doc_id, version, False, diff=diff)
        if checkpoint is not None:
            checkpoint()
        flag_latest(ws.index.keywords, chunks, doc_id, version, latest)
        stats = ws.index.add(chunks, checkpoint=checkpoint)
        crash_point("mid_index")
        stats.marked_not_latest += ws.index.set_latest_version(doc_id, latest)
        stats.removed += drop_moved(ws.index, ws.store.version_keys())
    return stats


def flag_latest(
    keywords: KeywordIndex, chunks: list[Chunk], doc_id: str, version: int, latest: int
) -> None:
    """Set ``latest`` of ``chunks`` (of ``doc_id``@``version``) before they are indexed:
    where another version is flagged latest, not yet (the relabelling after the add
    switches both in one write), unless the chunk is indexed latest already (a re-run)."""
    keywords.refresh()
    other_latest = any(flag for _, v, flag in keywords.rows_of(doc_id) if v != version)
    for chunk in chunks:
        already = keywords.latest(chunk.id) is True
        chunk.latest = version == latest and (already or not other_latest)


def drop_moved(index: SearchIndex, stored: set[tuple[str, int]]) -> int:
    """Drop indexed chunks whose (document, version) the store no longer has (``stored``):
    a document linked into another, a version renumbered or split off (the moved versions'
    own index tasks add them under their new names).  Every indexed chunk was committed
    before it was indexed under this lock, so one missing from the store now was moved,
    never unborn."""
    gone = [
        cid
        for document, version in sorted(index.keywords.version_keys() - stored)
        for cid, v, _ in index.keywords.rows_of(document)
        if v == version
    ]
    if gone:
        index.remove(gone)
    return len(gone)


def index_now(ws: Workspace, doc_id: str, version: int) -> AddStats:
    """``index_version`` for a caller that indexes by hand: the version's queued index task,
    if any, is done by it."""
    stats = index_version(ws, doc_id, version)
    with ws.store.transaction() as conn:
        conn.execute(
            "DELETE FROM outbox WHERE task = 'index' AND version_id ="
            " (SELECT id FROM versions WHERE doc_id = ? AND version = ?)",
            (doc_id, version),
        )
    return stats


def run_index(
    ws: Workspace,
    task: Task,
    deadline: Deadline | None = None,
    diff: VersionDiff | None = None,
) -> None:
    index_version(ws, task.doc_id, task.version, deadline=deadline, diff=diff)
    crash_point("after_index")
    _done(ws.store, task)


def _out_of_time(exc: LimitExceededError, task: Task) -> dict[str, str]:
    """The file's E106, saying where its index work went."""
    error = exc.to_dict()
    error["message"] += (
        f"; {task.doc_id}@{task.version} is stored, its index work stays queued"
        " (the next add, or check --repair, runs it)"
    )
    return error


def run_version(
    ws: Workspace,
    outcome: AddOutcome,
    *,
    index: bool,
    deadline: Deadline | None = None,
) -> Finished:
    """Run the queued tasks of the version ``outcome`` names (none left: nothing to do).

    The alert's diff is handed to the index task (one diff per new version).  An index
    task over ``deadline`` stays queued; its E106 is in ``Finished.errors``."""
    finished = Finished()
    for task in pending(ws.store, outcome.sha256):
        if task.task == "alert":
            # The outcome an add just returned knows how the file was matched; after a
            # crash it is rebuilt from the store.
            fresh = outcome if outcome.status != "unchanged" else None
            finished = run_alert(ws, task, fresh)
        elif index:
            try:
                run_index(ws, task, deadline, finished.diff)
            except LimitExceededError as exc:
                finished.errors.append(_out_of_time(exc, task))
    return finished


def drain(ws: Workspace, *, index: bool = True, limits: Limits | None = None) -> DrainReport:
    """Run every queued task (``index=False``: the alerts only; index tasks stay queued).
    Each index task gets its file's time budget (``limits``); one that runs out stays
    queued and the others go on."""
    seconds = (limits or Limits()).max_seconds_per_file
    report = DrainReport()
    diffs: dict[int, VersionDiff | None] = {}  # a version's alert runs just before its index
    for task in pending(ws.store):
        if task.task == "alert":
            finished = run_alert(ws, task)
            report.alerts += len(finished.alerts)
            diffs[task.version_id] = finished.diff
        elif index:
            try:
                diff = diffs.pop(task.version_id, None)
                run_index(ws, task, Deadline.start(task.path, seconds), diff)
            except LimitExceededError as exc:
                report.errors.append(_out_of_time(exc, task))
                report.left += 1
                continue
            report.indexed += 1
        else:
            report.left += 1
    return report


def discard(store: Store, tasks: list[Task]) -> None:
    """Tasks done otherwise (a rebuild indexed every version read after they were queued)."""
    with store.transaction() as conn:
        conn.executemany(
            "DELETE FROM outbox WHERE version_id = ? AND task = ?",
            [(t.version_id, t.task) for t in tasks],
        )
