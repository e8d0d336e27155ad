"""Recognise a file the corpus already holds before anything heavy is loaded or parsed.

``add`` on a folder it has seen mostly meets files it stored last time.  Each file is
fingerprinted in two steps:

1. ``stat``: size and mtime (nanoseconds), looked up by absolute path in the store's
   ``file_fingerprints`` table.  A match gives the sha256 recorded last time, without reading
   the file.
2. Otherwise the file is read once and hashed (sha256, 1 MiB at a time), and the new
   fingerprint recorded.

The sha256 is then looked up among the stored versions (``versions.sha256`` is unique): a
known one is reported ``unchanged`` without importing pdfplumber, spaCy or any embedder.

A stat match is trusted only when the mtime was at least ``RACY_NS`` older than the moment
the fingerprint was taken: a file rewritten within the same mtime tick as our hashing (same
size, coarse file-system clock) would otherwise keep a stale sha256 forever (git's "racy
clean" problem).  Such a file is simply hashed again, and its fingerprint refreshed.
"""

from __future__ import annotations

import hashlib
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from corpus.store import Store
from models.corpus import AddOutcome

#: A fingerprint taken less than this long after the file's mtime is not trusted on stat alone.
RACY_NS = 2_000_000_000

_TABLE = """
CREATE TABLE IF NOT EXISTS file_fingerprints(
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    checked_ns INTEGER NOT NULL
)
"""


@dataclass(frozen=True)
class Fingerprint:
    path: str  # absolute, resolved (``host:`` before it in a PostgreSQL store): the table's key
    size: int
    mtime_ns: int
    sha256: str
    from_stat: bool  # True when the sha256 came from the table, not from reading the file


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Fingerprints:
    """The fingerprint table of one store (created on first use; it is only a cache)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # A PostgreSQL corpus is shared by machines: /data/a.pdf on one is not /data/a.pdf
        # on another, so there the key names the host too.
        shared = store.dialect != "sqlite"
        self._host = f"{socket.gethostname()}:" if shared else ""
        with store.transaction() as conn:
            conn.create(_TABLE)

    def of(self, path: Path) -> Fingerprint | None:
        """The file's fingerprint, or None when it cannot be read (missing, a folder, no
        permission): ingest then reports the coded error."""
        try:
            key = self._host + str(path.resolve())
            st = path.stat()
            if not path.is_file():
                return None
            with self.store.read() as conn:
                row = conn.execute(
                    "SELECT size, mtime_ns, sha256, checked_ns FROM file_fingerprints "
                    "WHERE path = ?",
                    (key,),
                ).fetchone()
            if (
                row is not None
                and row[0] == st.st_size
                and row[1] == st.st_mtime_ns
                and row[3] - st.st_mtime_ns >= RACY_NS
            ):
                return Fingerprint(key, st.st_size, st.st_mtime_ns, row[2], from_stat=True)
            sha = sha256_of(path)
        except OSError:
            return None
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT INTO file_fingerprints(path, size, mtime_ns, sha256, checked_ns)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET size = excluded.size,"
                " mtime_ns = excluded.mtime_ns, sha256 = excluded.sha256,"
                " checked_ns = excluded.checked_ns",
                (key, st.st_size, st.st_mtime_ns, sha, time.time_ns()),
            )
        return Fingerprint(key, st.st_size, st.st_mtime_ns, sha, from_stat=False)

    def stored(self, path: Path) -> AddOutcome | None:
        """``unchanged`` when the file's content is already a stored version, else None."""
        fingerprint = self.of(path)
        if fingerprint is None:
            return None
        with self.store.read() as conn:
            row = conn.execute(
                "SELECT doc_id, version, path FROM versions WHERE sha256 = ?",
                (fingerprint.sha256,),
            ).fetchone()
        if row is None:
            return None
        return AddOutcome(
            status="unchanged",
            doc_id=row[0],
            version=row[1],
            sha256=fingerprint.sha256,
            path=row[2],
        )
