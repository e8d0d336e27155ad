"""The keyword index's per-row keys (issue 14: ``add`` must not scan the whole index per file).

Each row keeps its (document, version, latest) in memory beside the postings; the add path
(``corpus.outbox.flag_latest`` / ``drop_moved``, ``SearchIndex._stale_ids`` /
``_retire_old_versions`` / ``set_latest_version``) asks those keys, so the chunks it reads
are the file's own and its document's, whatever the size of the index; and no chunk's JSON
is held in memory (``get`` reads the table).  The keys must stay right through every kind
of write, on the writer's copy and on another connection's copy that catches up, on both
backends.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from corpus.outbox import drop_moved, flag_latest
from corpus.store import Store
from index.keyword import KeywordIndex
from index.search import SearchIndex
from models.search import Chunk
from tests.test_index_search import HashEmbedder


def _chunks(document: str, version: int, n: int = 2, **fields: object) -> list[Chunk]:
    return [
        Chunk(
            id=f"{document}:v{version}:{i}",
            text=f"輸出管理 第{i + 1}条 {document} 版{version}",
            document=document,
            version=version,
            **fields,  # type: ignore[arg-type]
        )
        for i in range(n)
    ]


def _moved(chunks: list[Chunk], **update: object) -> list[Chunk]:
    return [c.model_copy(update=update) for c in chunks]


Write = Callable[[KeywordIndex], None]
D1, D2 = _chunks("d", 1), _chunks("d", 2)

# (writes, expected rows_of per document as {chunk id: (version, latest)}, expected keys)
CASES: list[tuple[list[Write], dict[str, dict[str, tuple[int, bool]]], set[tuple[str, int]]]] = [
    (
        [lambda k: k.add(D1)],
        {"d": {"d:v1:0": (1, True), "d:v1:1": (1, True)}},
        {("d", 1)},
    ),
    (  # a new version indexed, then the old one flagged not latest in one write
        [
            lambda k: k.add(D1),
            lambda k: k.add(D2),
            lambda k: k.set_latest([c.id for c in D1], False),
        ],
        {
            "d": {
                "d:v1:0": (1, False),
                "d:v1:1": (1, False),
                "d:v2:0": (2, True),
                "d:v2:1": (2, True),
            }
        },
        {("d", 1), ("d", 2)},
    ),
    (  # linked into another document: the same ids re-added under it
        [lambda k: k.add(D1), lambda k: k.add(_moved(D1, document="e"))],
        {"d": {}, "e": {"d:v1:0": (1, True), "d:v1:1": (1, True)}},
        {("e", 1)},
    ),
    (  # a version renumbered: the same ids re-added as version 3
        [lambda k: k.add(D1), lambda k: k.add(_moved(D1, version=3))],
        {"d": {"d:v1:0": (3, True), "d:v1:1": (3, True)}},
        {("d", 3)},
    ),
    (  # one chunk of a version removed: the version stays while a chunk of it does
        [lambda k: k.add(D1 + D2), lambda k: k.remove(["d:v1:0", "d:v2:0", "d:v2:1"])],
        {"d": {"d:v1:1": (1, True)}},
        {("d", 1)},
    ),
    (
        [lambda k: k.add(D1), lambda k: k.clear()],
        {"d": {}},
        set(),
    ),
]
CASE_IDS = ["one-version", "new-version-retires-old", "linked", "renumbered", "removed", "cleared"]


@pytest.fixture
def pair(tmp_path: Path, backend: str) -> Iterator[tuple[KeywordIndex, KeywordIndex]]:
    """A writer and a reader of one keyword index (one file, or one PostgreSQL corpus)."""
    with Store(tmp_path / "data") as store:
        if backend == "sqlite":
            path = tmp_path / "keyword.sqlite"
            writer, reader = KeywordIndex(path), KeywordIndex(path)
        else:
            db_w, db_r = store.keyword_connection(), store.keyword_connection()
            writer = KeywordIndex(tmp_path / "w.sqlite", db_w)
            reader = KeywordIndex(tmp_path / "r.sqlite", db_r)
        yield writer, reader
        writer.close()
        reader.close()


def _rows(index: KeywordIndex, document: str) -> dict[str, tuple[int, bool]]:
    return {cid: (version, latest) for cid, version, latest in index.rows_of(document)}


@pytest.mark.parametrize(("writes", "rows", "keys"), CASES, ids=CASE_IDS)
def test_row_keys_follow_every_write(
    pair: tuple[KeywordIndex, KeywordIndex],
    writes: list[Write],
    rows: dict[str, dict[str, tuple[int, bool]]],
    keys: set[tuple[str, int]],
) -> None:
    writer, reader = pair
    for write in writes:
        reader.refresh()  # the reader catches up between the writes too
        write(writer)
    reader.refresh()
    for index in (writer, reader):
        assert {d: _rows(index, d) for d in rows} == rows
        assert index.version_keys() == keys
        stored = {c.id: (c.document, c.version, c.latest) for c in index.chunks()}
        assert stored == {
            cid: (d, version, latest)
            for d, by_id in rows.items()
            for cid, (version, latest) in by_id.items()
        }


def test_a_diff_passage_is_located_with_both_versions(tmp_path: Path) -> None:
    index = KeywordIndex(tmp_path / "keyword.sqlite")
    passage = _chunks("d", 3, 1, passage="diff", old_version=2, version_date="2025-01-01")[0]
    index.add([*D1, passage])
    assert index.locate(passage.id) == ("d", 3, 2)
    assert index.locate("d:v1:0") == ("d", 1, None)
    assert index.locate("nowhere") is None
    assert index.versions("d") == [(1, None), (3, "2025-01-01")]
    assert index.get_many([passage.id, "nowhere", "d:v1:1"]) == {
        passage.id: passage,
        "d:v1:1": D1[1],
    }
    index.close()


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many chunks are parsed from JSON from now on (one list item, counting)."""
    parsed = [0]
    original = Chunk.model_validate_json

    def counting(data: str | bytes, *args: object, **kwargs: object) -> Chunk:
        parsed[0] += 1
        return original(data, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Chunk, "model_validate_json", counting)
    return parsed


@pytest.mark.parametrize("others", [20, 200], ids=["20-documents", "200-documents"])
def test_indexing_a_file_reads_its_own_document_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, others: int
) -> None:
    """The keyword side of ``corpus.outbox.index_version`` for a new version of one
    document parses the chunks of that document (and the file's own), never every row."""
    index = SearchIndex(tmp_path, embedder=HashEmbedder())
    every = [c for n in range(others) for c in _chunks(f"other{n}", 1, 5)]
    index.keywords.add(every + _chunks("d", 1, 5))
    stored = {(c.document, c.version) for c in every} | {("d", 1), ("d", 2)}
    new = _chunks("d", 2, 5)
    parsed = _count_parses(monkeypatch)
    flag_latest(index.keywords, new, "d", 2, 2)
    index.add(new)
    index.set_latest_version("d", 2)
    assert drop_moved(index, stored) == 0
    # Both versions of ``d`` (10 chunks) change flags: read to relabel them, and again in the
    # one write that flips them (``KeywordIndex.set_flags``); nothing of the other documents.
    assert parsed[0] <= 2 * 10
    assert {(v, latest) for _, v, latest in index.keywords.rows_of("d")} == {
        (1, False),
        (2, True),
    }
    index.close()


def test_the_copy_holds_no_chunk_text(tmp_path: Path) -> None:
    """A chunk's text (10,000 characters here, 20 KB in memory) is read from the table when
    asked for, not kept by every reader: a fresh open holds a few KB a chunk at most."""
    path = tmp_path / "keyword.sqlite"
    long = [
        Chunk(id=f"long{i}", text=f"第{i}号 " + "輸出管理" * 2500, document=f"doc{i}")
        for i in range(100)
    ]
    writer = KeywordIndex(path)
    writer.add(long)
    writer.close()
    tracemalloc.start()
    try:
        reader = KeywordIndex(path)
        traced = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert traced / len(long) < 5_000
    assert reader.get("long7") == long[7]
    reader.close()
