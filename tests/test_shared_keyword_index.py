"""One keyword index for every machine that shares a PostgreSQL corpus (issue 14 items 4-5).

Two ``Workspace`` objects stand for two machines: on PostgreSQL each has its own data folder
(one shared Chroma, as a team runs a Chroma server); on SQLite, whose corpus lives in its
data folder, they are two processes of one machine on one folder.  What one indexes, links,
unlinks or removes, the other's keyword search sees at its next query, with no
``check --repair`` or ``reindex`` in between, and ``check`` finds nothing on either.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from corpus.check import check, repair
from corpus.cli import main
from corpus.db import DATABASE_URL_ENV
from corpus.store import Store
from corpus.workspace import Workspace
from index.keyword import KeywordIndex
from index.vector import make_client
from models.errors import IndexError_
from tests.store_helpers import RARE_DRAFT_TEXT, RARE_FINAL_TEXT, build, numbered_doc, rare_identity
from tests.test_check import _indexed
from tests.test_index_keyword import CHUNKS
from tests.test_index_search import HashEmbedder

EMBEDDER = HashEmbedder()
QUERY = "関連品目 輸出管理 決定"


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str) -> tuple[Path, Path]:
    """The data folders of machine A and machine B (one folder on SQLite)."""
    monkeypatch.setenv("REGWATCH_MODEL", "hash")
    monkeypatch.setattr("index.search.get_embedder", lambda name: EMBEDDER)
    server = tmp_path / "chroma-server"  # every machine's vectors in one place
    monkeypatch.setattr("index.search.make_client", lambda path, url: make_client(server))
    a = tmp_path / "a"
    return a, a if backend == "sqlite" else tmp_path / "b"


@pytest.fixture
def machines(folders: tuple[Path, Path]) -> Iterator[tuple[Workspace, Workspace]]:
    a, b = folders
    with Workspace(a) as wa, Workspace(b) as wb:
        yield wa, wb


def _found(ws: Workspace, query: str = QUERY) -> set[tuple[str, int]]:
    hits = ws.search(query, k=20, mode="keyword", all_versions=True, floor=None)
    return {(h.chunk.document, h.chunk.version) for h in hits}


def _add(ws: Workspace, n: int) -> str:
    outcome = ws.store.add_version(*numbered_doc(n))
    ws.recover()  # the version's outbox work: its alert and its index task
    return outcome.doc_id


def test_what_one_machine_indexes_the_other_finds(machines: tuple[Workspace, Workspace]) -> None:
    wa, wb = machines
    assert _found(wb) == set()  # B's index is open (and empty) before A adds
    first = _add(wa, 1)
    assert _found(wb) == {(first, 1)}
    second = _add(wb, 2)
    assert _found(wa) == {(first, 1), (second, 1)}
    assert check(wa).ok, check(wa).as_json()
    assert check(wb).ok, check(wb).as_json()


def test_a_removal_on_one_machine_is_seen_by_the_other(
    machines: tuple[Workspace, Workspace],
) -> None:
    wa, wb = machines
    doc = _add(wa, 1)
    assert _found(wb) == {(doc, 1)}
    ids = [c.id for c in wa.index.keywords.chunks() if c.document == doc]
    wa.index.remove(ids)
    assert _found(wb) == set()
    assert not wb.index.keywords.ids() & set(ids)
    found = check(wb)
    assert found.missing_chunks == [f"{doc}@1"], found.as_json()

    assert repair(wb).ok
    assert _found(wa) == {(doc, 1)} and check(wa).ok


def test_link_on_one_machine_and_unlink_on_the_other(
    folders: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = folders
    with Workspace(a) as wa, Workspace(b) as wb:
        final = wa.store.add_version(*build(RARE_FINAL_TEXT, rare_identity(final=True))).doc_id
        draft = wa.store.add_version(
            *build(RARE_DRAFT_TEXT, rare_identity(final=False)), new_document=True
        ).doc_id
        wa.recover()
        assert _indexed(wb) == {(final, 1): {True}, (draft, 1): {True}}
        assert main(["link", final, draft, "--data-dir", str(a)]) == 0
        capsys.readouterr()
        # The draft is version 2 of the final text now, and not latest (older by date).
        assert _indexed(wb) == {(final, 1): {True}, (final, 2): {False}}
        assert check(wb).ok, check(wb).as_json()
        assert main(["unlink", f"{final}@2", "--data-dir", str(b)]) == 0
        split = json.loads(capsys.readouterr().out)["new_document"]
        assert _indexed(wa) == {(final, 1): {True}, (split, 1): {True}}
        assert not [c for c in wa.index.keywords.chunks() if c.passage == "diff"]
        assert check(wa).ok, check(wa).as_json()


def test_the_keyword_rows_live_with_the_corpus(
    machines: tuple[Workspace, Workspace], folders: tuple[Path, Path], backend: str
) -> None:
    wa, wb = machines
    _add(wa, 1)
    files = [folder / "index" / "keyword.sqlite" for folder in folders]
    if backend == "sqlite":
        assert files[0].exists()
        return
    assert not any(f.exists() for f in files)
    with wa.store.read() as conn:
        rows = conn.execute("SELECT COUNT(*) FROM keyword_chunks").fetchone()[0]
    assert rows == len(wa.index.keywords) == len(wb.index.keywords) > 0


def test_a_query_reloads_nothing_unless_another_machine_wrote(
    machines: tuple[Workspace, Workspace],
) -> None:
    wa, wb = machines
    _add(wa, 1)
    keywords = wb.index.keywords
    wb.search(QUERY, mode="keyword")  # catches up and builds the CSR postings
    before = keywords._postings
    assert keywords.refresh() is False  # one marker read, nothing loaded
    wb.search(QUERY, mode="keyword")
    assert keywords._postings is before is not None  # the postings were kept
    _add(wa, 2)
    assert keywords.refresh() is True
    assert keywords.refresh() is False


def test_every_machine_queries_with_the_embedders_that_built_the_index(
    folders: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shared index records which embedders built it: B, opened before A's first add,
    takes A's record; B configured with another embedder is refused (E500), not let loose
    on collections it would fill with vectors of another space."""
    a, b = folders
    with Workspace(a) as wa, Workspace(b) as wb:
        assert len(wb.index) == 0
        _add(wa, 1)
        monkeypatch.setattr("index.search.get_embedder", lambda name: HashEmbedder(dim=32))
        with pytest.raises(IndexError_) as refused:
            wb.search(QUERY)  # hybrid: B's embedder would query A's collections
        assert refused.value.code == "E500" and "dim" in str(refused.value)
    stored = [folder / "index" / "embedder.json" for folder in (a, b)]
    assert stored[0].read_text(encoding="utf-8") == stored[1].read_text(encoding="utf-8")


def test_index_writers_on_two_machines_take_turns(tmp_path: Path, pg_url: str) -> None:
    """``Store.index_lock`` (PostgreSQL): held by one session, the other waits for it, past
    the 30 s lock timeout a transaction's lock has, and gets it once released."""
    events: list[str] = []
    with (
        Store(tmp_path / "a", database_url=pg_url) as a,
        Store(tmp_path / "b", database_url=pg_url) as b,
    ):

        def take() -> None:
            with b.index_lock():
                events.append("b")

        with a.index_lock():
            waiter = threading.Thread(target=take)
            waiter.start()
            time.sleep(0.5)
            events.append("a done")
        waiter.join(timeout=30)
    assert events == ["a done", "b"]


def test_a_keyword_file_from_before_the_shared_tables_is_read(tmp_path: Path) -> None:
    """A local keyword file written before the tables were named ``keyword_*``."""
    path = tmp_path / "keyword.sqlite"
    index = KeywordIndex(path)
    index.add(CHUNKS)
    index.close()
    with sqlite3.connect(path) as old:
        old.execute("DROP INDEX keyword_chunks_gen")
        for name in ("chunks", "removed", "meta"):
            old.execute(f"ALTER TABLE keyword_{name} RENAME TO {name}")
    reopened = KeywordIndex(path)
    assert reopened.ids() == {c.id for c in CHUNKS}
    reopened.add(CHUNKS[:1])  # and written to
    reopened.close()


def test_a_database_url_in_the_environment_reaches_the_keyword_index(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATABASE_URL_ENV, pg_url)
    monkeypatch.setattr("index.search.get_embedder", lambda name: EMBEDDER)
    with Workspace(tmp_path, model="hash") as ws:
        assert ws.index.keywords.shared
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT value FROM keyword_meta WHERE key = 'generation'").fetchone()


def test_tied_scores_rank_in_chunk_id_order_whatever_the_load_order(tmp_path: Path) -> None:
    """Each machine's copy of a shared index loads the rows in its own order: chunks of the
    same text (one article reprinted in two files) must still rank alike everywhere."""
    twins = [
        CHUNKS[0].model_copy(update={"id": f"{name}:v1:t2:0", "document": name})
        for name in ("b-notice", "a-commentary", "c-reprint")
    ]
    lists = []
    for order in (twins, twins[::-1]):
        index = KeywordIndex(tmp_path / f"{order[0].id}.sqlite")
        index.add(order)
        lists.append(index.search(CHUNKS[0].text, k=2))
        index.close()
    assert lists[0] == lists[1]
    assert [cid for cid, _ in lists[0]] == ["a-commentary:v1:t2:0", "b-notice:v1:t2:0"]
