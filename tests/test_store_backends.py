"""The PostgreSQL corpus store next to the SQLite one: bad URLs are coded errors that never
show the password; the same files give the same corpus on both (issue 14 item 4).

The store, alert, delivery, check and concurrency tests themselves run on both backends
(their fixtures take ``backend``, tests/conftest.py).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bench.store_parity import differences, snapshot
from corpus import outbox
from corpus.cli import main
from corpus.db import DATABASE_URL_ENV, connect, redact
from corpus.fingerprint import RACY_NS, Fingerprints, sha256_of
from corpus.store import Store
from corpus.store_schema import SCHEMA, SCHEMA_VERSION
from corpus.workspace import Workspace
from models.errors import ConfigError, DatabaseUnreachableError, StoreError
from tests.store_helpers import (
    RARE_DRAFT_TEXT,
    RARE_FINAL_TEXT,
    build,
    numbered_doc,
    rare_identity,
)

REPO = Path(__file__).resolve().parents[1]
SECRET = "s3cr3t-pw"
RARE_TEXTS = {False: RARE_DRAFT_TEXT, True: RARE_FINAL_TEXT}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"postgresql://alice:{SECRET}@db.example:5432/corpus",
         "postgresql://alice:***@db.example:5432/corpus"),
        (f"postgresql://alice@db.example/corpus?password={SECRET}&sslmode=require",
         "postgresql://alice@db.example/corpus?password=%2A%2A%2A&sslmode=require"),
        ("postgresql://alice@db.example/corpus", "postgresql://alice@db.example/corpus"),
        (f"postgres://:{SECRET}@/corpus?host=/run/postgresql", "postgres://:***@/corpus?host=%2Frun%2Fpostgresql"),
    ],
    ids=["user-password", "password-parameter", "no-password", "socket-host"],
)  # fmt: skip
def test_redact_hides_the_password(url: str, expected: str) -> None:
    assert redact(url) == expected


@pytest.mark.parametrize(
    ("url", "error", "shown"),
    [
        (f"postgresql://alice:{SECRET}@127.0.0.1:1/corpus", DatabaseUnreachableError,
         "postgresql://alice:***@127.0.0.1:1/corpus"),
        (f"postgresql://alice@127.0.0.1:1/corpus?password={SECRET}", DatabaseUnreachableError,
         "postgresql://alice@127.0.0.1:1/corpus?password=%2A%2A%2A"),
        (f"postgresql://alice:{SECRET}@no-such-host.invalid/corpus", DatabaseUnreachableError,
         "postgresql://alice:***@no-such-host.invalid/corpus"),
        (f"mysql://alice:{SECRET}@127.0.0.1/corpus", ConfigError,
         "mysql://alice:***@127.0.0.1/corpus"),
        ("/srv/regwatch/corpus.sqlite", ConfigError, "/srv/regwatch/corpus.sqlite"),
        (f"host=db.example user=alice password={SECRET} dbname=corpus", ConfigError,
         "host=db.example user=alice password=*** dbname=corpus"),
        (f"postgresql://alice:{SECRET}@[::1/corpus", ConfigError, "(unparsable database URL)"),
    ],
    ids=["refused", "refused-password-parameter", "unknown-host", "other-database", "a-path",
         "libpq-keywords", "unparsable"],
)  # fmt: skip
def test_a_bad_database_url_is_a_coded_error_without_the_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], url: str, error: type, shown: str
) -> None:
    with pytest.raises(error) as raised:
        Store(tmp_path, database_url=url)
    assert raised.value.path == shown
    assert SECRET not in str(raised.value)
    code = main(["list", "--data-dir", str(tmp_path), "--database-url", url])
    err = capsys.readouterr().err
    assert code == error.exit_code
    assert f"[{error.code}] {shown}: " in err
    assert SECRET not in err and "Traceback" not in err


def test_the_environment_selects_postgresql_and_a_missing_database_is_named(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATABASE_URL_ENV, pg_url)
    with Store(tmp_path) as store:
        assert (store.dialect, store.location) == ("postgresql", pg_url)
    assert not (tmp_path / "regwatch.sqlite").exists()
    missing = pg_url.rsplit("/", 1)[0] + "/no_such_corpus"
    with pytest.raises(DatabaseUnreachableError) as raised:
        Store(tmp_path, database_url=missing)
    assert "no_such_corpus" in str(raised.value) and raised.value.path == missing


def test_a_schema_1_store_is_migrated_on_open(tmp_path: Path, backend: str) -> None:
    """One migration path for both backends: a store written before the outbox gets it,
    its alerts learn which file they are about, its deliveries an owner column."""
    old = connect(tmp_path, os.environ.get(DATABASE_URL_ENV))
    old.begin_write()
    old.create(SCHEMA)  # the schema-1 tables; migrate() adds what came after
    now = "2025-01-01T00:00:00+00:00"
    old.execute("INSERT INTO documents VALUES ('d1', '{}', ?, ?)", (now, now))
    old.execute(
        "INSERT INTO versions(doc_id, version, sha256, path, ingested_at, identity, document,"
        " extraction) VALUES ('d1', 1, 'ab12', 'a.pdf', ?, '{}', ?, ?)",
        (now, b"\x00blob", b"\x01blob"),
    )
    old.execute(
        "INSERT INTO alerts(id, event, doc_id, version, created, json)"
        " VALUES ('new_document:d1@1', 'new_document', 'd1', 1, ?, '{}')",
        (now,),
    )
    old.commit()
    assert "sha256" not in old.columns("alerts") and "owner" not in old.columns("deliveries")
    old.close()
    with Store(tmp_path) as store, store.read() as conn:
        assert store.dialect == backend
        assert conn.execute("SELECT sha256 FROM alerts").fetchall() == [("ab12",)]
        assert "owner" in conn.columns("deliveries")
        assert conn.execute("SELECT COUNT(*) FROM outbox").fetchone() == (0,)
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
            SCHEMA_VERSION,
        )
        blobs = conn.execute("SELECT document, extraction FROM versions").fetchone()
    assert [bytes(b) for b in blobs] == [b"\x00blob", b"\x01blob"]


def test_a_lost_connection_is_replaced_before_the_next_transaction(
    tmp_path: Path, pg_url: str
) -> None:
    import psycopg

    with Store(tmp_path, database_url=pg_url) as store:
        first = store.add_version(*numbered_doc(1))
        with psycopg.connect(pg_url, autocommit=True) as admin:  # as a restart or a timeout
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        with pytest.raises(StoreError):  # the query that meets the dead connection fails
            store.list_documents()
        assert [d.doc_id for d in store.list_documents()] == [first.doc_id]
        assert store.add_version(*numbered_doc(2)).status == "new_document"


def test_a_writer_waiting_past_the_lock_timeout_fails_and_can_write_later(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("corpus.db.BUSY_TIMEOUT_S", 0.5)
    with (
        Store(tmp_path, database_url=pg_url) as holder,
        Store(tmp_path, database_url=pg_url) as other,
    ):
        with holder.transaction(), pytest.raises(StoreError, match="lock timeout"):
            other.add_version(*numbered_doc(1))
        assert other.add_version(*numbered_doc(1)).status == "new_document"


def test_a_file_fingerprint_is_trusted_on_its_own_host_only(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two machines sharing a PostgreSQL corpus can hold different files at one path with
    the same size and mtime: a fingerprint taken on one is not trusted on the other."""
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4 first")
    old = time.time_ns() - 100 * RACY_NS  # outside the racy window: stat alone would answer
    os.utime(pdf, ns=(old, old))
    with Store(tmp_path / "data", database_url=pg_url) as store:
        assert Fingerprints(store).of(pdf).sha256 == sha256_of(pdf)  # type: ignore[union-attr]
        assert Fingerprints(store).of(pdf).from_stat  # type: ignore[union-attr]
        pdf.write_bytes(b"%PDF-1.4 other")  # same size, same mtime: another machine's file
        os.utime(pdf, ns=(old, old))
        monkeypatch.setattr("socket.gethostname", lambda: "other-machine")
        seen = Fingerprints(store).of(pdf)
    assert seen is not None and not seen.from_stat
    assert seen.sha256 == sha256_of(pdf)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/documents", 200),
        ("/documents/{doc}", 200),
        ("/documents/{doc}/versions/2/records", 200),
        ("/documents/{doc}@99999999999999999999", 404),
        ("/documents/{doc}/versions/99999999999999999999999/records", 404),
        ("/documents/{doc}%00", 404),
        ("/documents/%00/versions/1", 404),
    ],
    ids=["list", "document", "records", "huge-version", "huge-version-records", "nul-in-id",
         "nul-id"],
)  # fmt: skip
def test_the_web_api_answers_alike_on_both_backends(
    tmp_path: Path, backend: str, url: str, status: int
) -> None:
    from fastapi.testclient import TestClient

    from web.app import create_app

    with Store(tmp_path) as store:
        assert store.dialect == backend
        for final in (False, True):
            doc = store.add_version(*build(RARE_TEXTS[final], rare_identity(final=final))).doc_id
    app = create_app(tmp_path, api_token="", index_uploads=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get(url.format(doc=doc))
    assert response.status_code == status, response.text
    if status == 404:
        assert response.json()["error"]["code"] == "E200"


@pytest.fixture(scope="module")
def sample_versions() -> list[tuple]:
    """The four sample PDFs (two documents, two versions each), read once."""
    from corpus.pipeline import process_files

    paths = sorted((REPO / "samples" / "versions").glob("*.pdf"))
    processed = list(process_files(paths))
    assert all(p.ok for p in processed), processed
    return [(p.document, p.extraction, p.path) for p in processed]


def _corpus(data_dir: Path, url: str | None, files: list[tuple]) -> dict:
    with Workspace(data_dir, database_url=url) as ws:
        for document, extraction, path in files:
            outcome = ws.store.add_version(document, extraction, path=path)
            outbox.run_version(ws, outcome, index=False)  # the diff and the alert
        return snapshot(ws)


@pytest.mark.slow
def test_postgresql_lists_and_diffs_what_sqlite_does(
    tmp_path: Path, pg_url: str, sample_versions: list[tuple]
) -> None:
    lite = _corpus(tmp_path / "sqlite", None, sample_versions)
    pg = _corpus(tmp_path / "postgresql", pg_url, sample_versions)
    assert len(lite["list"]) == 2 and len(lite["alerts"]) == 4
    assert sum(key.startswith("diff ") for key in lite) == 2
    assert differences(lite, pg) == []
