"""Document rows inside a store transaction: a free document id, a document's shown
identity (its latest version's), and the manual identity changes ``link`` / ``unlink``
make (versions moved between documents, renumbered 1..n, index work queued in the outbox).

Functions take the open write transaction's ``Connection``; ``corpus.store.Store`` opens it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from corpus.db import Connection
from corpus.latest import latest_of
from models.document import DocumentIdentity
from models.errors import StoreError


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def fresh_doc_id(conn: Connection, preferred: str, sha: str) -> str:
    """``preferred`` when no document has it, else the shortest free prefix of ``sha``."""
    for candidate in (preferred, *(sha[:n] for n in range(16, 65, 4))):
        if (
            candidate
            and not conn.execute("SELECT 1 FROM documents WHERE id = ?", (candidate,)).fetchone()
        ):
            return candidate
    raise StoreError(f"no free document id for {sha}")


def update_document_identity(conn: Connection, doc_id: str, now: str) -> None:
    """A document shows its latest version's identity (by date, ``corpus.latest``)."""
    rows = conn.execute(
        "SELECT version, identity FROM versions WHERE doc_id = ?", (doc_id,)
    ).fetchall()
    parsed = {v: DocumentIdentity.model_validate_json(i) for v, i in rows}
    latest = latest_of(list(parsed.items()))
    conn.execute(
        "UPDATE documents SET identity = ?, updated = ? WHERE id = ?",
        (dict(rows)[latest], now, doc_id),
    )


def merge_documents(conn: Connection, a: str, b: str) -> None:
    """``b``'s versions join ``a`` (numbered in the order the files were added); ``b`` goes."""
    if a == b:
        raise StoreError(f"{a} cannot be linked to itself")
    # Out of the way of UNIQUE(doc_id, version) until renumber numbers them.
    conn.execute(
        "UPDATE versions SET doc_id = ?, version = -(version + 1000000) WHERE doc_id = ?",
        (a, b),
    )
    renumber(conn, a)
    conn.execute("DELETE FROM documents WHERE id = ?", (b,))
    conn.execute(
        "INSERT INTO links(action, doc_id, other_doc_id, created) VALUES ('link', ?, ?, ?)",
        (a, b, utc_now()),
    )


def split_version(conn: Connection, doc: str, version: int) -> str:
    """Version ``version`` of ``doc`` becomes a document of its own; returns its id."""
    count = conn.execute("SELECT COUNT(*) FROM versions WHERE doc_id = ?", (doc,)).fetchone()[0]
    if count < 2:
        raise StoreError(f"{doc} has one version only: it is already a document")
    row_id, sha, ident_json, ingested_at = conn.execute(
        "SELECT id, sha256, identity, ingested_at FROM versions WHERE doc_id = ? AND version = ?",
        (doc, version),
    ).fetchone()
    new_id = fresh_doc_id(conn, sha[:16], sha)
    now = utc_now()
    conn.execute(
        "INSERT INTO documents(id, identity, created, updated) VALUES (?, ?, ?, ?)",
        (new_id, ident_json, ingested_at, now),
    )
    conn.execute("UPDATE versions SET doc_id = ?, version = 1 WHERE id = ?", (new_id, row_id))
    renumber(conn, doc)
    renumber(conn, new_id)  # one version: queues its index work
    conn.execute(
        "INSERT INTO links(action, doc_id, other_doc_id, sha256, created)"
        " VALUES ('unlink', ?, ?, ?, ?)",
        (doc, new_id, sha, now),
    )
    return new_id


def renumber(conn: Connection, doc_id: str) -> None:
    """``doc_id``'s versions numbered 1..n in the order their rows were added."""
    rows = conn.execute(
        "SELECT id FROM versions WHERE doc_id = ? ORDER BY id", (doc_id,)
    ).fetchall()
    # Negative first: UNIQUE(doc_id, version) must hold after every single UPDATE.
    conn.executemany(
        "UPDATE versions SET version = ? WHERE id = ?",
        [(-(i + 1), r[0]) for i, r in enumerate(rows)],
    )
    conn.execute("UPDATE versions SET version = -version WHERE doc_id = ?", (doc_id,))
    update_document_identity(conn, doc_id, utc_now())
    # Names and the latest version changed: the index follows through the outbox.
    conn.execute(
        "INSERT INTO outbox(version_id, task, created)"
        " SELECT id, 'index', ? FROM versions WHERE doc_id = ? ON CONFLICT DO NOTHING",
        (utc_now(), doc_id),
    )
