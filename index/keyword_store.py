"""Where the keyword index keeps its rows: a local SQLite file beside the vectors (the
default), or the tables of the same name in a shared database that the caller connects
(``corpus`` hands over a PostgreSQL connection when the corpus is PostgreSQL, so every
machine sharing the corpus searches one keyword index).

The SQL of ``index.keyword`` is written once, with ``?`` placeholders, in the subset SQLite
and PostgreSQL both speak (``ON CONFLICT``); a connection of the shared kind maps the rest.
``KEYWORD_SCHEMA`` is in SQLite's type names: the local file runs it as it is, the corpus
migration (``corpus.store_schema``) creates it, mapped, in a PostgreSQL corpus.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

BUSY_TIMEOUT_S = 30.0

#: ``keyword_chunks``: every chunk's JSON and term counts, stamped with the generation that
#: wrote it; ``keyword_removed``: deletions, stamped the same way, so a reader loads only what
#: changed since its own generation; ``keyword_meta``: ``generation`` and ``tokenizer``.
KEYWORD_SCHEMA = """
CREATE TABLE IF NOT EXISTS keyword_chunks(
    id TEXT PRIMARY KEY,
    chunk TEXT NOT NULL,
    terms TEXT NOT NULL,
    gen INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS keyword_chunks_gen ON keyword_chunks(gen);
CREATE TABLE IF NOT EXISTS keyword_removed(id TEXT PRIMARY KEY, gen INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS keyword_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO keyword_meta(key, value) VALUES ('generation', '0') ON CONFLICT(key) DO NOTHING
"""

# A file written before the shared tables named them without the prefix.
_OLD_NAMES = {"chunks": "keyword_chunks", "removed": "keyword_removed", "meta": "keyword_meta"}


class KeywordDB(Protocol):
    """The connection the keyword index writes through (``corpus.db.Connection`` is one):
    ``?`` placeholders; ``begin_write`` takes the index's write lock, ``begin_read`` opens
    one snapshot."""

    dialect: str
    errors: tuple[type[Exception], ...]

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    @property
    def in_transaction(self) -> bool: ...

    def begin_write(self) -> None: ...

    def begin_read(self) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def close(self) -> None: ...


class LocalKeywordFile:
    """The keyword index's own SQLite file (WAL; explicit transactions only)."""

    dialect = "sqlite"
    errors: tuple[type[Exception], ...] = (sqlite3.Error,)

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode = WAL")
        self.begin_write()
        try:
            tables = {r[0] for r in self._conn.execute("SELECT name FROM sqlite_master")}
            for old, new in _OLD_NAMES.items():
                if old in tables and new not in tables:
                    self._conn.execute(f"ALTER TABLE {old} RENAME TO {new}")
            columns = {r[1] for r in self._conn.execute("PRAGMA table_info(keyword_chunks)")}
            if columns and "gen" not in columns:  # written before generations
                self._conn.execute(
                    "ALTER TABLE keyword_chunks ADD COLUMN gen INTEGER NOT NULL DEFAULT 0"
                )
            for statement in KEYWORD_SCHEMA.split(";"):
                self._conn.execute(statement)
        except BaseException:
            self.rollback()
            self.close()
            raise
        self.commit()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._conn.executemany(sql, rows)

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction

    def begin_write(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")

    def begin_read(self) -> None:
        self._conn.execute("BEGIN")

    def commit(self) -> None:
        self._conn.execute("COMMIT")

    def rollback(self) -> None:
        self._conn.execute("ROLLBACK")

    def close(self) -> None:
        self._conn.close()


def stored_generation(db: KeywordDB) -> int:
    sql = "SELECT value FROM keyword_meta WHERE key = 'generation'"
    return int(db.execute(sql).fetchone()[0])


def set_generation(db: KeywordDB, gen: int) -> None:
    db.execute("UPDATE keyword_meta SET value = ? WHERE key = 'generation'", (str(gen),))


def terms_json(counts: Mapping[str, int]) -> str:
    return json.dumps(counts, ensure_ascii=False)


def check_tokenizer(db: KeywordDB, version: str, count: Callable[[str], Mapping[str, int]]) -> None:
    """Re-count every stored chunk's terms with ``count`` when the rows were written by
    another tokenizer ``version``: old token streams cannot be compared with new queries.
    Every chunk's text is stored, so this is done in place (the vectors stay as they are)."""
    sql = "SELECT value FROM keyword_meta WHERE key = 'tokenizer'"
    row = db.execute(sql).fetchone()
    if row is not None and row[0] == version:
        return
    # Under the write lock, read again: of several processes (or machines) opening one index
    # at once, one re-counts and the others find it done.  Stamped with a new generation, so
    # other readers of these tables load the new counts too.
    db.begin_write()
    try:
        row = db.execute(sql).fetchone()
        if row is None:
            db.execute("INSERT INTO keyword_meta(key, value) VALUES ('tokenizer', ?)", (version,))
        elif row[0] != version:
            rows = db.execute("SELECT id, chunk FROM keyword_chunks").fetchall()
            gen = stored_generation(db) + 1
            set_generation(db, gen)
            db.executemany(
                "UPDATE keyword_chunks SET terms = ?, gen = ? WHERE id = ?",
                [(terms_json(count(json.loads(chunk)["text"])), gen, cid) for cid, chunk in rows],
            )
            db.execute("UPDATE keyword_meta SET value = ? WHERE key = 'tokenizer'", (version,))
    except BaseException:
        db.rollback()
        raise
    db.commit()


def read_setting(db: KeywordDB, key: str) -> str | None:
    row = db.execute("SELECT value FROM keyword_meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def write_setting(db: KeywordDB, key: str, value: str | None) -> None:
    """Set (or, with None, drop) one ``keyword_meta`` row, in a write transaction."""
    db.begin_write()
    try:
        if value is None:
            db.execute("DELETE FROM keyword_meta WHERE key = ?", (key,))
        else:
            db.execute(
                "INSERT INTO keyword_meta(key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
    except BaseException:
        db.rollback()
        raise
    db.commit()


def mirror(text: str | None, path: Path) -> None:
    """``path`` holds ``text`` (rewritten only when it differs), or is gone when None."""
    if text is None:
        path.unlink(missing_ok=True)
    elif not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
