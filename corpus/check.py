"""``regwatch check [--repair]``: does everything built beside the corpus agree with it?

The corpus store is the source of truth; the keyword index, the vector collections and the
alert queue are derived from it.  ``check`` recomputes what they should hold (every version's
chunks with ``latest`` as the store says, one alert per stored file) and reports each
disagreement; ``repair`` queues the missing work in the outbox and runs it, removes chunks
of versions that no longer exist, and corrects ``latest`` flags.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from corpus import outbox
from index.dense_scope import in_scope

if TYPE_CHECKING:
    from corpus.workspace import Workspace
    from models.search import Chunk

#: At most this many ids or refs listed per finding (the counts are always whole).
SHOWN = 20


@dataclass
class CheckReport:
    pending: dict[str, int] = field(default_factory=dict)
    missing_alerts: list[str] = field(default_factory=list)
    missing_chunks: list[str] = field(default_factory=list)
    missing_vectors: list[str] = field(default_factory=list)
    stale_chunks: list[str] = field(default_factory=list)
    wrong_latest: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(asdict(self).values())

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {"ok": self.ok, "pending": self.pending}
        for name, values in asdict(self).items():
            if name != "pending":
                out[name] = {"count": len(values), "shown": values[:SHOWN]}
        return out


def versions_without_alert(ws: Workspace) -> list[tuple[int, str]]:
    """``(version row, DOC@N)`` of stored files no alert is about and none is queued for."""
    with ws.store.read() as conn:
        rows = conn.execute(
            "SELECT v.id, v.doc_id || '@' || v.version FROM versions v"
            " WHERE NOT EXISTS (SELECT 1 FROM alerts a WHERE a.sha256 = v.sha256"
            "   OR (a.sha256 IS NULL AND a.doc_id = v.doc_id AND a.version = v.version))"
            " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.version_id = v.id"
            "   AND o.task = 'alert')"
            " ORDER BY v.id"
        ).fetchall()
    return [(row_id, ref) for row_id, ref in rows]


def restore_alerts(ws: Workspace) -> int:
    """Queue and raise the alert of every stored file that has none; returns how many."""
    missing = versions_without_alert(ws)
    outbox.enqueue(ws.store, [row_id for row_id, _ in missing], "alert")
    return outbox.drain(ws, index=False).alerts


def _expected_chunks(ws: Workspace) -> tuple[dict[str, Chunk], dict[str, int]]:
    """Every chunk the index should hold (``latest`` from the store), and the version row
    each one comes from."""
    latest = ws.store.latest_map()
    with ws.store.read() as conn:
        rows = conn.execute("SELECT id, doc_id, version FROM versions").fetchall()
    expected: dict[str, Chunk] = {}
    owner: dict[str, int] = {}
    for row_id, doc_id, version in rows:
        for chunk in ws.version_chunks(doc_id, version, version == latest[doc_id]):
            expected[chunk.id] = chunk
            owner[chunk.id] = row_id
    return expected, owner


@dataclass
class _IndexState:
    expected: dict[str, Chunk]
    owner: dict[str, int]
    missing_rows: set[int]
    stale: list[str]
    relabel: list[Chunk]


def _index_state(ws: Workspace, report: CheckReport) -> _IndexState:
    expected, owner = _expected_chunks(ws)
    index = ws.index
    index.keywords.refresh()
    have = {c.id: c for c in index.keywords.chunks()}
    sides = [store.ids_by_side() for store in index.stores]
    scopes = index.scopes()
    refs: dict[int, str] = {}
    missing_rows: set[int] = set()
    missing_vector_rows: set[int] = set()
    relabel: list[Chunk] = []
    for cid, chunk in expected.items():
        refs.setdefault(owner[cid], f"{chunk.document}@{chunk.version}")
        found = have.get(cid)
        if found is None or found.model_copy(update={"latest": chunk.latest}) != chunk:
            missing_rows.add(owner[cid])  # absent, or indexed from other content
            continue
        # A store keeps vectors of the chunks in its scope only (e5: latest text chunks).
        if any(
            cid not in latest_ids and cid not in old_ids and in_scope(scope, chunk)
            for (latest_ids, old_ids), scope in zip(sides, scopes, strict=True)
        ):
            missing_vector_rows.add(owner[cid])
            continue
        on_wrong_side = any(cid in (old if chunk.latest else new) for new, old in sides)
        if found.latest != chunk.latest or on_wrong_side:
            relabel.append(chunk)
    every_vector = set().union(*(new | old for new, old in sides)) if sides else set()
    stale = sorted((set(have) | every_vector) - set(expected))
    report.missing_chunks = sorted(refs[r] for r in missing_rows)
    report.missing_vectors = sorted(refs[r] for r in missing_vector_rows)
    report.stale_chunks = stale
    report.wrong_latest = sorted(c.id for c in relabel)
    return _IndexState(expected, owner, missing_rows | missing_vector_rows, stale, relabel)


def check(ws: Workspace, *, index: bool = True) -> CheckReport:
    """Every disagreement between the corpus and what is derived from it."""
    report = CheckReport()
    for task in outbox.pending(ws.store):
        report.pending[task.task] = report.pending.get(task.task, 0) + 1
    report.missing_alerts = [ref for _, ref in versions_without_alert(ws)]
    if index:
        _index_state(ws, report)
    return report


def repair(ws: Workspace, *, index: bool = True) -> CheckReport:
    """Fix what ``check`` finds, then check again (the report returned)."""
    restore_alerts(ws)
    if index:
        with outbox.index_lock(ws):
            state = _index_state(ws, CheckReport())
            # A version to index again goes out whole first: the index skips chunks whose
            # keyword row is unchanged, and would not re-embed one whose vectors are lost.
            redo = [cid for cid, row in state.owner.items() if row in state.missing_rows]
            if state.stale or redo:
                ws.index.remove(state.stale + redo)
            if state.relabel:
                ws.index.relabel(state.relabel)
            # Queued, then run like any add's work: a crash during repair leaves it queued.
            outbox.enqueue(ws.store, sorted(state.missing_rows), "index")
        outbox.drain(ws, index=True)
    return check(ws, index=index)
