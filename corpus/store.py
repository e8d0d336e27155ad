"""The versioned corpus: one embedded SQLite file, ``DATA_DIR/regwatch.sqlite``, or a
PostgreSQL database named by ``$REGWATCH_DATABASE_URL`` (``corpus.db`` holds the differences).

Every version of a document is written in one write transaction (document match, version row,
records), so a crash mid-add leaves the corpus as it was before that file, and two processes
adding at once are serialised by the store's write lock (SQLite's, WAL mode, 30 s busy
timeout; PostgreSQL's advisory lock) instead of racing on version numbers.

Tables: ``documents`` (one per lineage), ``versions`` (one per distinct file, sha256 unique,
Document and ExtractionResult JSON zlib-compressed), ``records`` (one row per record, JSON
queryable with ``json_extract``), ``links`` (manual link/unlink log), ``alerts`` and
``deliveries`` (the alert queue, see ``corpus.queue``).
"""

from __future__ import annotations

import os
import sys
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from pydantic import TypeAdapter

from corpus.db import (
    DATABASE_URL_ENV,
    DB_NAME,
    INDEX_LOCK_KEY,
    KEYWORD_LOCK_KEY,
    Connection,
    PostgresConnection,
    connect,
)
from corpus.latest import latest_of, version_date
from corpus.store_documents import (
    fresh_doc_id,
    merge_documents,
    split_version,
    update_document_identity,
    utc_now,
)
from corpus.store_schema import OUTBOX_TASKS, SCHEMA, SCHEMA_VERSION, migrate
from corpus.versions import MATCH_NAMES, Candidate, best_match
from models.corpus import AddOutcome, DocumentSummary, StoredVersion, VersionInfo
from models.document import Document, DocumentIdentity
from models.errors import NotFoundError, StoreError
from models.records import ExtractionResult, Record

MAX_VERSION = 2**31 - 1
#: Test hook: seconds to sleep inside the add transaction, after every row is written.
PAUSE_ENV = "REGWATCH_TEST_PAUSE_IN_ADD"

_RECORD = TypeAdapter(Record)


def default_data_dir(data_dir: Path | str | None = None) -> Path:
    """``data_dir`` if given, else ``$REGWATCH_HOME``, else ``~/.regwatch``."""
    if data_dir:
        return Path(data_dir).expanduser()
    env = os.environ.get("REGWATCH_HOME")
    return Path(env).expanduser() if env else Path.home() / ".regwatch"


def _pack(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), 6)


def _unpack(blob: bytes) -> str:
    return zlib.decompress(blob).decode("utf-8")


def _identity_of(document: Document, extraction: ExtractionResult) -> DocumentIdentity:
    # Extractors may refine what ingest found; an empty extraction identity falls back.
    ident = extraction.identity
    return ident if ident.title or ident.number or ident.issuers else document.identity


class Store:
    """The corpus store; use as a context manager (``with Store(path) as store:``).

    ``database_url`` (default ``$REGWATCH_DATABASE_URL``) selects PostgreSQL; without one the
    store is ``data_dir/regwatch.sqlite``.  ``data_dir`` holds the index and diffs either way.
    One Store per thread: its connection is not shared across threads.
    """

    def __init__(
        self, data_dir: Path | str | None = None, *, database_url: str | None = None
    ) -> None:
        self.data_dir = default_data_dir(data_dir)
        self.path = self.data_dir / DB_NAME
        url = database_url if database_url is not None else os.environ.get(DATABASE_URL_ENV)
        self._url = url
        self._conn: Connection = connect(self.data_dir, url)
        #: Where the corpus is, for messages: the SQLite file or the URL without password.
        self.location = self._conn.location
        self._identities: dict[int, DocumentIdentity] = {}
        self._parsed_upto = 0  # every version row up to this id is in ``_identities``
        try:
            with self.transaction() as conn:
                conn.create(SCHEMA)
                migrate(conn)
                conn.execute(
                    "INSERT INTO meta(key, value) VALUES ('schema_version', ?)"
                    " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (SCHEMA_VERSION,),
                )
        except BaseException:
            self._conn.close()
            raise

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._conn.dialect

    # ------------------------------------------------------------ lifecycle, transactions

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    def keyword_connection(self) -> Connection | None:
        """A connection of its own to the keyword index's tables in this PostgreSQL corpus
        (its writes serialised by their own lock, not the corpus's); None for SQLite, whose
        keyword index stays in the data folder."""
        if self.dialect != "postgresql":
            return None
        return connect(self.data_dir, self._url, lock_key=KEYWORD_LOCK_KEY)

    @contextmanager
    def index_lock(self) -> Iterator[None]:
        """The index writers' lock of a PostgreSQL corpus: one writer at a time on every
        machine that shares it (``corpus.outbox.index_lock``)."""
        assert isinstance(self._conn, PostgresConnection), "PostgreSQL corpora only"
        with self._guard(), self._conn.session_lock(INDEX_LOCK_KEY):
            yield

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction: takes the write lock at once, commits or rolls back whole."""
        with self._guard():
            self._conn.begin_write()
        try:
            yield self._conn
        except BaseException as e:
            with self._guard():
                if self._conn.in_transaction:  # not when the connection itself was lost
                    self._conn.rollback()
            if isinstance(e, self._conn.errors):
                raise StoreError(f"write failed: {e}", self.location) from e
            raise
        with self._guard():
            self._conn.commit()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction: one consistent snapshot across several queries."""
        if self._conn.in_transaction:  # inside a write transaction: its snapshot serves
            with self._guard():
                yield self._conn
            return
        with self._guard():
            self._conn.begin_read()
        try:
            with self._guard():
                yield self._conn
        finally:
            with self._guard():
                if self._conn.in_transaction:
                    self._conn.commit()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except self._conn.errors as e:
            raise StoreError(f"store error: {e}", self.location) from e

    # ------------------------------------------------------------ adding

    def add_version(
        self,
        document: Document,
        extraction: ExtractionResult,
        *,
        path: str | None = None,
        doc_id: str | None = None,
        new_document: bool = False,
    ) -> AddOutcome:
        """Store a file as a new document or a new version of a known one; same file: no-op.

        ``doc_id`` forces "a version of this document", ``new_document`` forces a document of
        its own; otherwise ``corpus.versions`` recognises the document from its identity.
        """
        sha = document.source.sha256
        source_path = path or document.source.path
        identity = _identity_of(document, extraction)
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT doc_id, version, path FROM versions WHERE sha256 = ?", (sha,)
            ).fetchone()
            if row:
                return AddOutcome(
                    status="unchanged", doc_id=row[0], version=row[1], sha256=sha, path=row[2]
                )
            matched_by: str | None = None
            target: str | None = None
            if doc_id is not None:
                target, _ = self._resolve(conn, doc_id)
                matched_by = "manual"
            elif not new_document:
                found = best_match(identity, self._candidates(conn))
                if found:
                    target, matched_by = found[0], MATCH_NAMES[found[1]]
            now = utc_now()
            identity_json = identity.model_dump_json(exclude_defaults=True)
            previous: int | None = None
            out_of_order = False
            if target is None:
                target = fresh_doc_id(conn, document.id, sha)
                conn.execute(
                    "INSERT INTO documents(id, identity, created, updated) VALUES (?, ?, ?, ?)",
                    (target, identity_json, now, now),
                )
                version = 1
            else:
                previous, previous_identity = conn.execute(
                    "SELECT version, identity FROM versions WHERE doc_id = ?"
                    " ORDER BY version DESC LIMIT 1",
                    (target,),
                ).fetchone()
                version = previous + 1
                new_date = version_date(identity)
                old_date = version_date(DocumentIdentity.model_validate_json(previous_identity))
                out_of_order = bool(new_date and old_date and new_date < old_date)
            stored_extraction = extraction.model_copy(update={"records": []})
            (version_row,) = conn.execute(
                "INSERT INTO versions(doc_id, version, sha256, path, ingested_at, identity,"
                " document, extraction) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    target,
                    version,
                    sha,
                    source_path,
                    now,
                    identity_json,
                    _pack(document.model_dump_json(exclude_defaults=True)),
                    _pack(stored_extraction.model_dump_json()),
                ),
            ).fetchall()[0]
            # The index and alert work this version needs, committed with it: a crash
            # after the commit leaves it queued for the next run (corpus.outbox).
            conn.executemany(
                "INSERT INTO outbox(version_id, task, created) VALUES (?, ?, ?)",
                [(version_row, task, now) for task in OUTBOX_TASKS],
            )
            if previous is not None:
                update_document_identity(conn, target, now)
            conn.executemany(
                "INSERT INTO records(version_id, seq, kind, id, law, article, json)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    (version_row, i, r.kind, r.id, r.law, r.article, r.model_dump_json())
                    for i, r in enumerate(extraction.records)
                ),
            )
            _pause_for_tests()
        return AddOutcome(
            status="new_document" if previous is None else "new_version",
            doc_id=target,
            version=version,
            previous_version=previous,
            sha256=sha,
            path=source_path,
            matched_by=matched_by,
            out_of_order=out_of_order,
        )

    def _candidates(self, conn: Connection) -> list[Candidate]:
        # Identities of a version row never change (only its doc_id and number may), so
        # they are parsed once per process: a bulk add stays linear in the corpus size.
        for row_id, ident in conn.execute(
            "SELECT id, identity FROM versions WHERE id > ?", (self._parsed_upto,)
        ):
            if row_id not in self._identities:
                self._identities[row_id] = DocumentIdentity.model_validate_json(ident)
            self._parsed_upto = max(self._parsed_upto, row_id)
        by_doc: dict[str, list[DocumentIdentity]] = {}
        order = conn.execute(
            "SELECT v.id, v.doc_id FROM versions v JOIN documents d ON d.id = v.doc_id"
            " ORDER BY d.created, v.version"
        )
        for row_id, doc in order:
            if row_id in self._identities:
                by_doc.setdefault(doc, []).append(self._identities[row_id])
        return [Candidate(doc, idents) for doc, idents in by_doc.items()]

    # ------------------------------------------------------------ reading

    def resolve(self, ref: str) -> tuple[str, int | None]:
        """``DOC``, ``DOC@2``, ``DOC@latest``, a unique id prefix or a file sha256 (prefix)
        → ``(doc_id, version or None for latest)``.  Raises NotFoundError."""
        with self.read() as conn:
            return self._resolve(conn, ref)

    def _resolve(self, conn: Connection, ref: str) -> tuple[str, int | None]:
        head, _, tail = ref.strip().partition("@")
        version: int | None = None
        if tail and tail != "latest":
            version = parse_version(tail, ref)
        if not head:
            raise NotFoundError(f"empty document reference {ref!r}")
        if "\x00" in head:  # no id holds one, and PostgreSQL text refuses it outright
            raise NotFoundError(f"no document {head[:80]!r} in the corpus")
        rows = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM documents WHERE id = ? OR substr(id, 1, ?) = ? ORDER BY id",
                (head, len(head), head),
            )
        ]
        if head in rows:
            rows = [head]
        if not rows and len(head) >= 8:
            by_sha = conn.execute(
                "SELECT doc_id, version FROM versions WHERE substr(sha256, 1, ?) = ?",
                (len(head), head.lower()),
            ).fetchall()
            if len(by_sha) == 1:
                return by_sha[0][0], version if version is not None else by_sha[0][1]
        if not rows:
            raise NotFoundError(f"no document {head!r} in the corpus")
        if len(rows) > 1:
            shown = ", ".join(rows[:5])
            raise NotFoundError(f"ambiguous document prefix {head!r}: {shown}")
        doc_id = rows[0]
        if (
            version is not None
            and not conn.execute(
                "SELECT 1 FROM versions WHERE doc_id = ? AND version = ?", (doc_id, version)
            ).fetchone()
        ):
            raise NotFoundError(f"document {doc_id} has no version {version}")
        return doc_id, version

    def list_documents(self) -> list[DocumentSummary]:
        with self.read() as conn:
            rows = conn.execute(
                "SELECT d.id, d.identity, d.created, d.updated, COUNT(v.id)"
                " FROM documents d JOIN versions v ON v.doc_id = d.id"
                " GROUP BY d.id ORDER BY d.created, d.id"
            ).fetchall()
            latest_map = self._latest_versions(conn)
        out: list[DocumentSummary] = []
        for doc_id, ident_json, created, updated, n_versions in rows:
            latest = latest_map[doc_id]
            ident = DocumentIdentity.model_validate_json(ident_json)
            out.append(
                DocumentSummary(
                    doc_id=doc_id,
                    title=ident.title,
                    kind=ident.kind,
                    issuers=ident.issuers,
                    number=ident.number,
                    language=ident.language,
                    versions=n_versions,
                    latest_version=latest,
                    created=created,
                    updated=updated,
                )
            )
        return out

    def versions(self, doc_id: str) -> list[VersionInfo]:
        """Every version of a document (id or prefix), oldest first."""
        with self.read() as conn:
            doc, _ = self._resolve(conn, doc_id)
            rows = conn.execute(
                "SELECT v.version, v.sha256, v.path, v.ingested_at, v.identity,"
                " (SELECT COUNT(*) FROM records r WHERE r.version_id = v.id)"
                " FROM versions v WHERE v.doc_id = ? ORDER BY v.version",
                (doc,),
            ).fetchall()
        return [_version_info(doc, *row) for row in rows]

    def find_by_sha(self, sha256: str) -> VersionInfo | None:
        """The version stored from the file with this sha256 (full hash), or None."""
        with self.read() as conn:
            row = conn.execute(
                "SELECT v.doc_id, v.version, v.sha256, v.path, v.ingested_at, v.identity,"
                " (SELECT COUNT(*) FROM records r WHERE r.version_id = v.id)"
                " FROM versions v WHERE v.sha256 = ?",
                (sha256.lower(),),
            ).fetchone()
        return _version_info(*row) if row else None

    def get_version(
        self, ref: str, version: int | None = None, *, with_document: bool = True
    ) -> StoredVersion:
        """A stored version (``ref`` as in ``resolve``; ``version`` None = the latest)."""
        with self.read() as conn:
            doc_id, ref_version = self._resolve(conn, ref)
            wanted = version if version is not None else ref_version
            if wanted is None:
                wanted = self._latest_versions(conn, doc_id)[doc_id]
            row = conn.execute(
                "SELECT id, sha256, path, ingested_at, identity, document, extraction"
                " FROM versions WHERE doc_id = ? AND version = ?",
                (doc_id, wanted),
            ).fetchone()
            if row is None:
                raise NotFoundError(f"document {doc_id} has no version {wanted}")
            row_id, sha, path, ingested_at, ident_json, doc_blob, ext_blob = row
            record_rows = conn.execute(
                "SELECT json FROM records WHERE version_id = ? ORDER BY seq", (row_id,)
            ).fetchall()
        records = [_RECORD.validate_json(r[0]) for r in record_rows]
        for record in records:
            record.provenance.version = wanted
        extraction = ExtractionResult.model_validate_json(_unpack(ext_blob))
        extraction.records = records
        info = _version_info(doc_id, wanted, sha, path, ingested_at, ident_json, len(records))
        document = Document.model_validate_json(_unpack(doc_blob)) if with_document else None
        return StoredVersion(info=info, document=document, extraction=extraction)

    def latest_versions(self, *, with_document: bool = True) -> Iterator[StoredVersion]:
        """The latest version of every document, oldest document first (for indexing)."""
        for summary in self.list_documents():
            yield self.get_version(
                summary.doc_id, summary.latest_version, with_document=with_document
            )

    def get_records(self, ref: str, version: int | None = None) -> list[Record]:
        """The records of a version, without loading its Document."""
        return self.get_version(ref, version, with_document=False).records

    # ------------------------------------------------------------ manual identity

    def link(self, doc_a: str, doc_b: str) -> str:
        """Declare ``doc_b`` a version of ``doc_a``: its versions join ``doc_a``, numbered with
        ``doc_a``'s in the order the files were added.  Returns ``doc_a``'s id.  Index work
        for every version of ``doc_a`` is queued with it (``corpus.outbox``)."""
        with self.transaction() as conn:
            a, _ = self._resolve(conn, doc_a)
            b, _ = self._resolve(conn, doc_b)
            merge_documents(conn, a, b)
        return a

    def unlink(self, doc_id: str, version: int | None = None) -> str:
        """Split a version off into a document of its own; returns the new document's id.

        ``doc_id`` may be ``DOC@N``.  The remaining versions are renumbered 1..n; index
        work for both documents' versions is queued with it (``corpus.outbox``).
        """
        with self.transaction() as conn:
            doc, ref_version = self._resolve(conn, doc_id)
            wanted = version if version is not None else ref_version
            if wanted is None:
                raise StoreError(f"unlink needs a version: {doc}@N")
            new_id = split_version(conn, doc, wanted)
        return new_id

    def _latest_versions(self, conn: Connection, doc_id: str | None = None) -> dict[str, int]:
        """The latest version number of ``doc_id`` (else of every document), read now."""
        sql = "SELECT id, doc_id, version, identity FROM versions"
        rows = conn.execute(sql + " WHERE doc_id = ?", (doc_id,)) if doc_id else conn.execute(sql)
        by_doc: dict[str, list[tuple[int, DocumentIdentity]]] = {}
        for row_id, doc, version, ident_json in rows:
            # A version row's identity never changes: parsed once per process.
            ident = self._identities.get(row_id)
            if ident is None:
                ident = self._identities[row_id] = DocumentIdentity.model_validate_json(ident_json)
            by_doc.setdefault(doc, []).append((version, ident))
        return {doc: latest_of(versions) for doc, versions in by_doc.items()}

    def latest_version(self, doc_id: str) -> int:
        """The latest version of a document (id or prefix): its newest text by date."""
        with self.read() as conn:
            doc, _ = self._resolve(conn, doc_id)
            return self._latest_versions(conn, doc)[doc]

    def version_keys(self) -> set[tuple[str, int]]:
        """Every stored ``(doc_id, version)``, from one snapshot."""
        with self.read() as conn:
            return {
                (doc, version)
                for doc, version in conn.execute("SELECT doc_id, version FROM versions")
            }

    def latest_map(self) -> dict[str, int]:
        """``{doc_id: latest version}`` for the whole corpus, from one snapshot."""
        with self.read() as conn:
            return self._latest_versions(conn)

    # ------------------------------------------------------------ maintenance

    def integrity_check(self) -> list[str]:
        """SQLite's integrity and foreign-key checks (PostgreSQL enforces its constraints on
        every write); an empty list means a sound store."""
        with self._guard():
            return self._conn.integrity_problems()


def parse_version(text: str, ref: str | None = None) -> int:
    """A version number as a user writes it: ASCII digits (``isdigit`` alone also accepts
    ² and ١), at most ``MAX_VERSION`` (the store's integers are 64-bit).  Raises NotFoundError."""
    if not (text.isascii() and text.isdigit()):
        shown = (ref or text)[:80]
        raise NotFoundError(f"bad version {text[:40]!r} in {shown!r} (DOC@N expected)")
    # Length first: int() refuses strings of over 4300 digits with a ValueError.
    if len(text) > len(str(MAX_VERSION)) or int(text) > MAX_VERSION:
        raise NotFoundError(f"no version {text[:40]}: versions are numbered 1, 2, ...")
    return int(text)


def _version_info(
    doc_id: str,
    version: int,
    sha: str,
    path: str,
    ingested_at: str,
    ident_json: str,
    n_records: int,
) -> VersionInfo:
    return VersionInfo(
        doc_id=doc_id,
        version=version,
        sha256=sha,
        path=path,
        ingested_at=ingested_at,
        identity=DocumentIdentity.model_validate_json(ident_json),
        records=n_records,
    )


def _pause_for_tests() -> None:
    seconds = os.environ.get(PAUSE_ENV)
    if seconds:
        print("regwatch-test: paused inside the add transaction", file=sys.stderr, flush=True)
        time.sleep(float(seconds))
