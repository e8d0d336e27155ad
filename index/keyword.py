"""Keyword retrieval: BM25 over CJK-aware tokens (``index.keyword_tokens``), persisted in
SQLite beside the vectors (or in the corpus's PostgreSQL database, shared by every machine:
``index.keyword_store``).

The tables keep every chunk (JSON) and its term counts; each reader holds the term counts,
filter attributes and (document, version) of every row in memory (``index.keyword_postings``:
postings are a CSR array rebuilt lazily after writes, so a query costs a few numpy slices),
and reads a whole chunk from the tables when asked for it (``get``, ``chunks``).
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from index.keyword_postings import KeywordRows, effective_number
from index.keyword_store import (
    KeywordDB,
    LocalKeywordFile,
    check_tokenizer,
    mirror,
    read_setting,
    set_generation,
    stored_generation,
    terms_json,
    write_setting,
)
from index.keyword_tokens import TOKENIZER_VERSION, tokenize
from models.search import Chunk

__all__ = ["KeywordIndex", "effective_number", "tokenize"]

# Rows read per statement by ``get_many`` (far below SQLite's and PostgreSQL's limits).
_BATCH = 500


class KeywordIndex(KeywordRows):
    """BM25 over chunks, stored in ``path`` (SQLite) or, given ``db``, in the tables of a
    shared database (``index.keyword_store``); upserts and deletes are incremental.

    Each reader keeps an in-memory copy (``KeywordRows``) and several processes,
    threads or machines may write the same tables: every write bumps the ``generation`` and
    stamps the rows it writes (``keyword_chunks.gen``; deletions leave a ``keyword_removed``
    row), so ``refresh`` (run by ``SearchIndex`` before each query) loads only what other
    connections committed since.
    """

    def __init__(self, path: Path, db: KeywordDB | None = None) -> None:
        self.path = path
        #: Rows in a database the caller shares (the corpus's PostgreSQL), not in ``path``.
        self.shared = db is not None
        self._db: KeywordDB = db if db is not None else LocalKeywordFile(path)
        check_tokenizer(self._db, TOKENIZER_VERSION, lambda text: Counter(tokenize(text)))
        super().__init__()
        self._gen = -1  # the generation the copy reflects; -1: nothing loaded yet
        self._seen: int | None = None  # ``_marker()`` when the copy last caught up
        self.refresh()

    # ------------------------------------------------------------ generations

    def _marker(self) -> int:
        """A number that changes when another connection commits a write, read without a
        transaction: SQLite's ``data_version`` for the local file (no table read), the
        generation row itself in a shared database (one indexed row, one round trip)."""
        if self._db.dialect == "sqlite":
            return int(self._db.execute("PRAGMA data_version").fetchone()[0])
        return stored_generation(self._db)

    def refresh(self) -> bool:
        """Catch up with writes other connections committed; True when something changed.

        Costs one ``_marker`` read when nothing did.  Call it between queries, never
        within one (masks and score arrays must stay the same length)."""
        marker: int | None
        try:
            marker = self._marker()
        except self._db.errors:  # a lost database connection: ``begin_read`` replaces it
            marker = None
        if marker is not None and marker == self._seen:
            return False
        in_txn = self._db.in_transaction
        if not in_txn:
            self._db.begin_read()  # one snapshot for the generation and the rows
        try:
            if marker is None:
                marker = self._marker()
            changed = self._catch_up()
        finally:
            if not in_txn:
                self._db.commit()
        self._seen = marker
        return changed

    def _catch_up(self) -> bool:
        stored = stored_generation(self._db)
        if stored == self._gen:
            return False
        since = self._gen
        removed = "SELECT id FROM keyword_removed WHERE gen > ?"
        for (chunk_id,) in self._db.execute(removed, (since,)).fetchall():
            self._forget(chunk_id)
        changed = "SELECT id, chunk, terms FROM keyword_chunks WHERE gen > ?"
        for chunk_id, chunk_json, terms in self._db.execute(changed, (since,)):
            self._load_row(chunk_id, json.loads(chunk_json), json.loads(terms))
        self._gen = stored
        self._postings = None
        self._masks.clear()
        return True

    @contextlib.contextmanager
    def _write(self) -> Iterator[int]:
        """A write transaction under the index's write lock: the copy catches up first, then
        the writes are stamped with the next generation (yielded)."""
        self._db.begin_write()
        try:
            # Nobody else commits while this holds the lock (and a connection's own commits
            # leave its data_version as it is): read here, it stays right after the commit.
            marker = self._marker()
            self._catch_up()
            gen = stored_generation(self._db) + 1
            set_generation(self._db, gen)
            yield gen
        except BaseException:
            self._db.rollback()
            raise
        self._db.commit()
        self._gen = gen
        # In a shared database the marker is the generation: this write's, once committed.
        self._seen = marker if self._db.dialect == "sqlite" else gen

    def get(self, chunk_id: str) -> Chunk | None:
        """The chunk ``chunk_id`` as stored, or None: read from the tables (the copy holds no
        chunk text), so a write committed since the last ``refresh`` already shows."""
        if chunk_id not in self._row_of:
            return None
        row = self._db.execute(
            "SELECT chunk FROM keyword_chunks WHERE id = ?", (chunk_id,)
        ).fetchone()
        return None if row is None else Chunk.model_validate_json(row[0])

    def get_many(self, ids: Iterable[str]) -> dict[str, Chunk]:
        """The stored chunks of ``ids`` (those indexed), a few statements for all of them."""
        wanted = [i for i in dict.fromkeys(ids) if i in self._row_of]
        found: dict[str, Chunk] = {}
        for start in range(0, len(wanted), _BATCH):
            part = wanted[start : start + _BATCH]
            marks = ", ".join("?" * len(part))
            sql = f"SELECT id, chunk FROM keyword_chunks WHERE id IN ({marks})"
            for chunk_id, chunk_json in self._db.execute(sql, part).fetchall():
                found[chunk_id] = Chunk.model_validate_json(chunk_json)
        return found

    def chunks(self) -> Iterator[Chunk]:
        """Every stored chunk, read from the tables in batches (``check``, benches)."""
        cursor = self._db.execute("SELECT chunk FROM keyword_chunks ORDER BY id")
        while batch := cursor.fetchmany(_BATCH):
            for (chunk_json,) in batch:
                yield Chunk.model_validate_json(chunk_json)

    def add(self, chunks: Sequence[Chunk], tokens: Sequence[list[str]] | None = None) -> None:
        """Insert or replace ``chunks`` (``tokens`` when the caller has them already)."""
        rows = []
        for i, chunk in enumerate(chunks):
            counts = Counter(tokens[i] if tokens is not None else tokenize(chunk.text))
            rows.append((chunk.id, chunk.model_dump_json(), dict(counts)))
        with self._write() as gen:
            self._db.executemany(
                "INSERT INTO keyword_chunks(id, chunk, terms, gen) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET chunk = excluded.chunk,"
                " terms = excluded.terms, gen = excluded.gen",
                [(cid, cj, terms_json(counts), gen) for cid, cj, counts in rows],
            )
            self._db.executemany(
                "DELETE FROM keyword_removed WHERE id = ?", [(r[0],) for r in rows]
            )
        for chunk_id, chunk_json, counts in rows:
            self._load_row(chunk_id, json.loads(chunk_json), counts)

    def remove(self, ids: Iterable[str]) -> None:
        wanted = list(ids)
        with self._write() as gen:
            doomed = [i for i in wanted if i in self._row_of]
            self._db.executemany("DELETE FROM keyword_chunks WHERE id = ?", [(i,) for i in doomed])
            self._db.executemany(
                "INSERT INTO keyword_removed(id, gen) VALUES (?, ?)"
                " ON CONFLICT(id) DO UPDATE SET gen = excluded.gen",
                [(i, gen) for i in doomed],
            )
        for chunk_id in doomed:
            self._forget(chunk_id)

    def clear(self) -> None:
        self.remove(list(self._row_of))

    def set_latest(self, ids: Iterable[str], latest: bool) -> None:
        self.set_flags(dict.fromkeys(ids, latest))

    def set_flags(self, flags: Mapping[str, bool]) -> None:
        """Set ``latest`` of several chunks in one write: a reader sees all or none of it (a
        new version latest and its predecessor not, never both).  Only the chunks whose
        flag changes are read and rewritten."""
        with self._write() as gen:
            changing = {
                cid: latest
                for cid, latest in flags.items()
                if cid in self._row_of and self.latest(cid) != latest
            }
            stored = self.get_many(changing)
            self._db.executemany(
                "UPDATE keyword_chunks SET chunk = ?, gen = ? WHERE id = ?",
                [
                    (chunk.model_copy(update={"latest": changing[cid]}).model_dump_json(), gen, cid)
                    for cid, chunk in stored.items()
                ],
            )
        for cid in stored:
            self._flag(self._row_of[cid], changing[cid])

    def setting(self, key: str) -> str | None:
        """A value kept with the rows (``keyword_meta``), the same for every reader."""
        return read_setting(self._db, f"setting:{key}")

    def set_setting(self, key: str, value: str | None) -> None:
        write_setting(self._db, f"setting:{key}", value)

    def mirror_setting(self, key: str, path: Path) -> None:
        """Of a shared index: make ``path`` hold the setting ``key`` (no file: no setting)."""
        if self.shared:
            mirror(self.setting(key), path)

    def close(self) -> None:
        self._db.close()
