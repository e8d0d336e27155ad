"""The corpus store's tables (SQLite).  Bump SCHEMA_VERSION with any change here.

``versions.sha256`` is UNIQUE: one file is one version, whatever document it belongs to.
``records.json`` stays plain JSON (not compressed) so analysts can query it with
``json_extract``; the Document and the rest of the ExtractionResult are zlib-compressed.
``deliveries`` is UNIQUE on (subscription, alert, target): at most one delivery each.
"""

SCHEMA_VERSION = "1"

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
