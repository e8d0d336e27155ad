"""The corpus store's two backends behind one connection: embedded SQLite (the default) and
PostgreSQL (``REGWATCH_DATABASE_URL=postgresql://...``, for a corpus a team shares).

Everything that differs between the two dialects is here; the SQL elsewhere is written once,
with ``?`` placeholders, in the subset both understand (``INSERT ... ON CONFLICT``,
``RETURNING``, ``substr``, ``||``):

- placeholders: ``?`` becomes ``%s`` for psycopg;
- types: one schema text, ``create`` maps ``INTEGER PRIMARY KEY`` to an identity column,
  ``INTEGER`` to ``BIGINT`` (nanosecond mtimes), ``BLOB`` to ``BYTEA`` and ``TEXT`` to
  ``TEXT COLLATE "C"`` (ids and timestamps sort by code point, as in SQLite, whatever the
  database's locale);
- locking: a write transaction takes the corpus write lock first. SQLite's ``BEGIN
  IMMEDIATE``; on PostgreSQL a transaction-level advisory lock, so writers from any number of
  processes and machines are serialised as SQLite's are (version numbers, document matching
  and delivery claims read-then-write inside it). Reads are one snapshot (``REPEATABLE READ``).
  The keyword index's tables in a PostgreSQL corpus have their own connection and lock key
  (``KEYWORD_LOCK_KEY``), and index writers on every machine take turns on a session-level
  one (``INDEX_LOCK_KEY``, ``session_lock``), as the processes of one machine do on a file;
- introspection for migrations (``columns``) and the integrity check.
"""

from __future__ import annotations

import contextlib
import functools
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from models.errors import ConfigError, DatabaseUnreachableError, StoreError

DATABASE_URL_ENV = "REGWATCH_DATABASE_URL"
DB_NAME = "regwatch.sqlite"
BUSY_TIMEOUT_S = 30.0
CONNECT_TIMEOUT_S = 10
#: The PostgreSQL advisory lock every write transaction holds: "regwatch" in ASCII.
WRITE_LOCK_KEY = 0x7265677761746368
#: The keyword index's write transactions (its tables in the corpus database): "regwkeyw".
KEYWORD_LOCK_KEY = 0x7265677761657977
#: The index writers' lock (``corpus.outbox.index_lock``), held by a session: "regwindx".
INDEX_LOCK_KEY = 0x726567776964786E
LOCK_POLL_S = 0.1
SCHEMES = ("postgresql", "postgres")
_KEYWORD_PASSWORD = re.compile(r"(password\s*=\s*)('[^']*'|\S+)", re.IGNORECASE)

Params = Sequence[Any]


class Cursor(Protocol):
    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Any: ...


class Connection:
    """One database connection, used by one thread; SQL written with ``?`` placeholders."""

    dialect = ""
    errors: tuple[type[Exception], ...] = ()
    location = ""  # the SQLite file or the URL without its password, for messages

    def execute(self, sql: str, params: Params = ()) -> Cursor:
        raise NotImplementedError

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        raise NotImplementedError

    @property
    def in_transaction(self) -> bool:
        raise NotImplementedError

    def begin_write(self) -> None:
        raise NotImplementedError

    def begin_read(self) -> None:
        raise NotImplementedError

    def commit(self) -> None:
        self.execute("COMMIT")

    def rollback(self) -> None:
        self.execute("ROLLBACK")

    def close(self) -> None:
        raise NotImplementedError

    def columns(self, table: str) -> set[str]:
        raise NotImplementedError

    def integrity_problems(self) -> list[str]:
        raise NotImplementedError

    def type_map(self) -> list[tuple[str, str]]:
        return []

    def create(self, schema: str) -> None:
        """Run a schema text (``;``-separated statements), its types mapped to this dialect."""
        for statement in schema.split(";"):
            if statement.strip():
                for pattern, replacement in self.type_map():
                    statement = re.sub(pattern, replacement, statement)
                self.execute(statement)


class SqliteConnection(Connection):
    dialect = "sqlite"
    errors = (sqlite3.Error,)

    def __init__(self, path: Path) -> None:
        self.location = str(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            self._conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._conn.execute("PRAGMA foreign_keys = ON")
        except (OSError, sqlite3.Error) as e:
            raise StoreError(f"cannot open the corpus store: {e}", self.location) from e

    def execute(self, sql: str, params: Params = ()) -> Cursor:
        return self._conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        self._conn.executemany(sql, rows)

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction

    def begin_write(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")  # the write lock at once, not at first write

    def begin_read(self) -> None:
        self._conn.execute("BEGIN")

    def close(self) -> None:
        self._conn.close()

    def columns(self, table: str) -> set[str]:
        return {row[1] for row in self._conn.execute(f"PRAGMA table_info({table})")}

    def integrity_problems(self) -> list[str]:
        result = [r[0] for r in self._conn.execute("PRAGMA integrity_check")]
        problems = [] if result == ["ok"] else result
        return problems + [str(r) for r in self._conn.execute("PRAGMA foreign_key_check")]


@functools.lru_cache(maxsize=512)
def _pg_sql(sql: str) -> str:
    # No statement of regwatch's has ``?`` or ``%`` inside a literal: a plain replace is exact.
    return sql.replace("%", "%%").replace("?", "%s")


class PostgresConnection(Connection):
    dialect = "postgresql"

    def __init__(self, url: str, lock_key: int = WRITE_LOCK_KEY) -> None:
        """``lock_key``: the advisory lock ``begin_write`` takes (the corpus's by default;
        the keyword index's connection serialises its own writers with another)."""
        self.location = redact(url)
        self._lock_key = lock_key
        try:
            import psycopg
        except ImportError as e:
            raise ConfigError(
                "a PostgreSQL corpus needs psycopg: pip install 'regwatch[postgres]'",
                self.location,
            ) from e
        self.errors = (psycopg.Error,)
        self._url = url
        self._conn = self._connect()

    def _connect(self) -> Any:
        import psycopg

        try:
            conn = psycopg.connect(self._url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
            # A writer waits for the write lock as long as SQLite's busy timeout, then fails.
            conn.execute(f"SET lock_timeout = '{int(BUSY_TIMEOUT_S * 1000)}ms'")
            return conn
        except psycopg.Error as e:
            message = _scrub(str(e), self._url)
            raise DatabaseUnreachableError(
                f"cannot connect to the corpus database: {message}", self.location
            ) from e

    def _reconnect_if_lost(self) -> None:
        # A long-lived store (a server's thread) outlives a database restart or an idle
        # timeout: a lost connection is replaced between transactions, never inside one.
        if self._conn.broken or self._conn.closed:
            self._conn.close()
            self._conn = self._connect()

    def execute(self, sql: str, params: Params = ()) -> Cursor:
        return self._conn.execute(_pg_sql(sql), params)

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        with self._conn.cursor() as cursor:
            cursor.executemany(_pg_sql(sql), rows)

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        # Not UNKNOWN: a lost connection is in no transaction (begin_* replaces it).
        status = self._conn.info.transaction_status
        return status in (TransactionStatus.INTRANS, TransactionStatus.INERROR)

    def begin_write(self) -> None:
        # READ COMMITTED: each statement after the lock sees every commit made before it.
        self._reconnect_if_lost()
        self.execute("BEGIN")
        try:
            self.execute("SELECT pg_advisory_xact_lock(?)", (self._lock_key,))
        except self.errors:  # lock_timeout: no transaction left open behind the error
            if self.in_transaction:
                self.rollback()
            raise

    def begin_read(self) -> None:
        self._reconnect_if_lost()
        self.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def close(self) -> None:
        self._conn.close()

    @contextlib.contextmanager
    def session_lock(self, key: int) -> Iterator[None]:
        """Hold the advisory lock ``key`` across transactions until the block ends (or this
        session dies), waiting for it as long as it takes: its holders run minutes of work,
        past any ``lock_timeout``.  Outside a transaction only."""
        self._reconnect_if_lost()
        while not self.execute("SELECT pg_try_advisory_lock(?)", (key,)).fetchone()[0]:
            time.sleep(LOCK_POLL_S)
        try:
            yield
        finally:
            if not (self._conn.broken or self._conn.closed):  # a lost session holds nothing
                self.execute("SELECT pg_advisory_unlock(?)", (key,))

    def columns(self, table: str) -> set[str]:
        rows = self.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = ?",
            (table,),
        )
        return {r[0] for r in rows}

    def integrity_problems(self) -> list[str]:
        # The server enforces every constraint on write; nothing to scan for here.
        return []

    def type_map(self) -> list[tuple[str, str]]:
        return [
            (r"\bINTEGER PRIMARY KEY\b", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
            (r"\bINTEGER\b", "BIGINT"),
            (r"\bBLOB\b", "BYTEA"),
            (r"\bTEXT\b", 'TEXT COLLATE "C"'),
        ]


def connect(data_dir: Path, url: str | None, lock_key: int = WRITE_LOCK_KEY) -> Connection:
    """PostgreSQL when ``url`` is a ``postgresql://`` URL (its writers serialised by the
    advisory lock ``lock_key``), else ``data_dir/regwatch.sqlite``."""
    if not url:
        return SqliteConnection(data_dir / DB_NAME)
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:  # e.g. an unclosed [IPv6] host
        scheme = ""
    if scheme not in SCHEMES:
        raise ConfigError(
            f"unsupported database URL scheme {scheme or '(none)'!r}: postgresql://"
            f"user@host:port/dbname expected (${DATABASE_URL_ENV}, --database-url)",
            redact(url),
        )
    return PostgresConnection(url, lock_key)


def redact(url: str) -> str:
    """The URL with its password (user-info or ``?password=``) replaced by ``***``; in a
    libpq keyword string given instead of a URL, ``password=...`` too."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(unparsable database URL)"
    if "://" not in url:
        return _KEYWORD_PASSWORD.sub(r"\1***", url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user, colon, _ = userinfo.partition(":")
        netloc = f"{user}:***@{host}" if colon else netloc
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, "***" if k.lower() == "password" else v) for k, v in pairs])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _scrub(message: str, url: str) -> str:
    """A driver message with the URL's password (if it quotes it) blanked out."""
    try:
        parts = urlsplit(url)
        secrets = [parts.password or ""]
        secrets += [v for k, v in parse_qsl(parts.query) if k.lower() == "password"]
    except ValueError:
        secrets = []
    for secret in filter(None, secrets):
        message = message.replace(secret, "***")
    return message.strip()
