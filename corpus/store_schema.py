"""The corpus store's tables, one text for both backends (SQLite's type names, mapped for
PostgreSQL by ``corpus.db``).  Bump SCHEMA_VERSION with any change here.

``versions.sha256`` is UNIQUE: one file is one version, whatever document it belongs to.
``records.json`` stays plain JSON (not compressed) so analysts can query it with
``json_extract``; the Document and the rest of the ExtractionResult are zlib-compressed.
``deliveries`` is UNIQUE on (subscription, alert, target): at most one delivery each.
Schema 2: ``outbox`` (index and alert work committed with each version), ``alerts.sha256``
and ``deliveries.owner`` (who holds a claim), added to a schema-1 file by ``migrate``.
Schema 3: in a PostgreSQL corpus, the keyword index's tables (``index.keyword_store``), so
every machine sharing the corpus searches one keyword index; an SQLite corpus keeps its
keyword index in the data folder's own file, as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from index.keyword_store import KEYWORD_SCHEMA

if TYPE_CHECKING:
    from corpus.db import Connection

SCHEMA_VERSION = "3"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents(
    id TEXT PRIMARY KEY,
    identity TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS versions(
    id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(id),
    version INTEGER NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    ingested_at TEXT NOT NULL,
    identity TEXT NOT NULL,
    document BLOB NOT NULL,
    extraction BLOB NOT NULL,
    UNIQUE(doc_id, version)
);
CREATE TABLE IF NOT EXISTS records(
    version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    law TEXT,
    article INTEGER,
    json TEXT NOT NULL,
    PRIMARY KEY(version_id, seq)
);
CREATE INDEX IF NOT EXISTS records_id ON records(id);
CREATE INDEX IF NOT EXISTS records_kind ON records(kind, version_id);
CREATE TABLE IF NOT EXISTS links(
    id INTEGER PRIMARY KEY,
    action TEXT NOT NULL CHECK(action IN ('link', 'unlink')),
    doc_id TEXT NOT NULL,
    other_doc_id TEXT,
    sha256 TEXT,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS alerts(
    id TEXT PRIMARY KEY,
    event TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    created TEXT NOT NULL,
    json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries(
    subscription TEXT NOT NULL,
    alert_id TEXT NOT NULL REFERENCES alerts(id),
    target TEXT NOT NULL,
    status TEXT NOT NULL CHECK(status IN ('sending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    updated TEXT NOT NULL,
    UNIQUE(subscription, alert_id, target)
);
"""

#: Work a stored version needs beyond its own transaction (``corpus.outbox``).
OUTBOX_TASKS = ("alert", "index")

# Tables and columns added after schema 1, created on open when missing.
OUTBOX_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox(
    version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    task TEXT NOT NULL CHECK(task IN ('alert', 'index')),
    created TEXT NOT NULL,
    PRIMARY KEY(version_id, task)
)
"""


def migrate(conn: Connection) -> None:
    """Bring a schema-1 store up to date: the outbox table, ``alerts.sha256`` (which file an
    alert is about: versions are renumbered by link/unlink, a file's hash never changes)."""
    conn.create(OUTBOX_SCHEMA)
    if "sha256" not in conn.columns("alerts"):
        conn.execute("ALTER TABLE alerts ADD COLUMN sha256 TEXT")
        conn.execute(
            "UPDATE alerts SET sha256 = (SELECT v.sha256 FROM versions v"
            " WHERE v.doc_id = alerts.doc_id AND v.version = alerts.version)"
        )
    conn.execute("CREATE INDEX IF NOT EXISTS alerts_sha256 ON alerts(sha256)")
    if "owner" not in conn.columns("deliveries"):
        conn.execute("ALTER TABLE deliveries ADD COLUMN owner TEXT")
    if conn.dialect == "postgresql":
        conn.create(KEYWORD_SCHEMA)
