"""Chroma collections stay close to their live vectors (``index.generations``): a collection
whose tombstones outnumber its live vectors is rebuilt into a new generation; searches give
the same hits after; a reader in another process holding the dropped generation still gets
answers; a rebuild killed midway leaves the old generation serving; no write re-inserts an
id a collection holds (chroma's update path, chroma-core/chroma#6895)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import zlib
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import index.generations as generations
from index.generations import generation_of, is_build_of
from index.vector import Filters, VectorStore, make_client
from models.search import Chunk
from tests.test_index_search import chroma_server  # noqa: F401  (the fixture)
from tests.web_fixtures import ROOT

DIM = 16
CHUNKS = 12  # chunks a version
DOCUMENTS = 5


def version_chunks(document: int, version: int, latest: bool) -> list[Chunk]:
    return [
        Chunk(
            id=f"doc{document}@{version}#{j}",
            text=f"passage {j} of version {version}",
            document=f"doc{document}",
            version=version,
            language="zh",
            issuer="MOFCOM",
            doc_kind="notice",
            latest=latest,
        )
        for j in range(CHUNKS)
    ]


def vectors_of(chunks: list[Chunk]) -> np.ndarray:
    """A fixed vector per chunk id (the same id always gets the same vector)."""
    return np.stack(
        [np.random.default_rng(zlib.crc32(c.id.encode())).standard_normal(DIM) for c in chunks]
    ).astype(np.float32)


def add_version(store: VectorStore, document: int, version: int) -> None:
    """What ``index_version`` does with a new version: indexed not-latest, then one
    relabelling makes it latest and its predecessor not (``bench.chroma_growth`` interim)."""
    new = version_chunks(document, version, version == 1)
    store.upsert(new, vectors_of(new))
    if version > 1:
        relabel = [c.model_copy(update={"latest": True}) for c in new]
        relabel += version_chunks(document, version - 1, False)
        store.update_metadata(relabel)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("regwatch-chunks", 0, id="the-historic-name-is-generation-0"),
        pytest.param("regwatch-chunks.g7", 7, id="a-rebuilt-generation"),
        pytest.param("regwatch-chunks.b3", None, id="a-build-is-no-generation"),
        pytest.param("regwatch-chunks-old", None, id="the-old-side-is-another-collection"),
        pytest.param("regwatch-chunks-old.g2", None, id="the-old-sides-generation"),
        pytest.param("regwatch-chunks.g", None, id="no-number"),
        pytest.param("regwatch-chunks.counts", None, id="the-counts-collection"),
    ],
)
def test_generation_names(name: str, expected: int | None) -> None:
    assert generation_of("regwatch-chunks", name) == expected


def test_build_names() -> None:
    assert is_build_of("regwatch-chunks", "regwatch-chunks.b12")
    assert not is_build_of("regwatch-chunks", "regwatch-chunks.g12")
    assert not is_build_of("regwatch-chunks", "regwatch-chunks-old.b1")


def _count_inserts(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Vectors chroma was asked to insert, by collection id, whatever code asks: an add of
    an id the collection does not hold, and every upsert (a held id gets a new HNSW label,
    its old one a tombstone)."""
    from chromadb.api.models.Collection import Collection

    inserted: dict[str, int] = defaultdict(int)
    add, upsert = Collection.add, Collection.upsert

    def counting_add(self: Any, ids: Any, *args: Any, **kwargs: Any) -> Any:
        held = set(self.get(ids=list(ids), include=[])["ids"])
        inserted[str(self.id)] += sum(i not in held for i in ids)
        return add(self, ids, *args, **kwargs)

    def counting_upsert(self: Any, ids: Any, *args: Any, **kwargs: Any) -> Any:
        inserted[str(self.id)] += len(ids)
        return upsert(self, ids, *args, **kwargs)

    monkeypatch.setattr(Collection, "add", counting_add)
    monkeypatch.setattr(Collection, "upsert", counting_upsert)
    return inserted


def test_tombstones_stay_bounded_over_many_versions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After each of 20 versions of 5 documents, every collection's HNSW holds at most
    twice its live vectors plus one version's worth (the floor lowered to one version)."""
    monkeypatch.setattr(generations, "MIN_TOMBSTONES", CHUNKS)
    inserted = _count_inserts(monkeypatch)
    store = VectorStore(tmp_path / "chroma")
    worst = 0.0
    for version in range(1, 21):
        for document in range(DOCUMENTS):
            add_version(store, document, version)
            for collection in (store.collection, store.old):
                live = int(collection.count())
                total = inserted[str(collection.id)]
                assert total <= max(2 * live, live + CHUNKS) + 2 * CHUNKS, (
                    collection.name,
                    version,
                    total,
                    live,
                )
                worst = max(worst, total / max(live, 1))
    assert store.collection.count() == DOCUMENTS * CHUNKS
    assert store.old.count() == DOCUMENTS * CHUNKS * 19
    assert generation_of("regwatch-chunks", store.collection.name) not in (None, 0)
    print(f"\nworst inserted/live {worst:.2f}; latest now {store.collection.name}")


def _all_hits(store: VectorStore) -> list[list[tuple[str, float]]]:
    queries = np.random.default_rng(7).standard_normal((6, DIM)).astype(np.float32)
    out = []
    for q in queries:
        for filters in (Filters(), Filters(latest_only=False), Filters(lang="zh")):
            out.append([(i, round(s, 5)) for i, s in store.query(q, 10, filters)])
    return out


def test_search_hits_are_the_same_after_a_rebuild(tmp_path: Path) -> None:
    store = VectorStore(tmp_path / "chroma")
    for version in (1, 2, 3):
        for document in range(DOCUMENTS):
            add_version(store, document, version)
    before = _all_hits(store)
    names = (store.collection.name, store.old.name)
    for side in store._sides():
        side.rebuild()
    assert (store.collection.name, store.old.name) == tuple(f"{n}.g1" for n in names)
    assert _all_hits(store) == before
    assert store.ids_by_side() == (
        {c.id for d in range(DOCUMENTS) for c in version_chunks(d, 3, True)},
        {c.id for d in range(DOCUMENTS) for v in (1, 2) for c in version_chunks(d, v, False)},
    )
    client_names = {c.name for c in store.client.list_collections()}
    assert not client_names & set(names)  # the old generations are dropped
    # and their HNSW folders are gone from disk (chroma leaves them: chroma#5259)
    folders = {p.name for p in (tmp_path / "chroma").iterdir() if p.is_dir()}
    with sqlite3.connect(tmp_path / "chroma" / "chroma.sqlite3") as db:
        segments = {row[0] for row in db.execute("SELECT id FROM segments")}
    assert folders and folders <= segments


# A process working on one embedded store: commands on stdin, one JSON answer a line.
CHILD = textwrap.dedent(
    """
    import json, os, sys
    import numpy as np
    import index.generations as generations
    from index.vector import Filters, VectorStore, make_client
    from tests.test_vector_generations import DOCUMENTS, add_version, _all_hits

    from pathlib import Path
    store = VectorStore(Path(sys.argv[1]))
    for line in sys.stdin:
        command = line.split()
        if command[0] == "fill":
            for version in range(1, int(command[1]) + 1):
                for document in range(DOCUMENTS):
                    add_version(store, document, version)
            answer = store.collection.name
        elif command[0] == "hits":
            answer = _all_hits(store)
        elif command[0] == "rebuild":
            for side in store._sides():
                side.rebuild()
            answer = store.collection.name
        elif command[0] == "kill-mid-rebuild":
            generations.COPY_BATCH = 5
            def die(copied):
                if copied >= 10:
                    os._exit(137)
            store._sides()[0].rebuild(interrupt=die)
        elif command[0] == "names":
            answer = sorted(c.name for c in store.client.list_collections())
        print(json.dumps(answer), flush=True)
    """
)


class Child:
    def __init__(self, folder: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "ANONYMIZED_TELEMETRY": "False"}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(folder)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, command: str) -> Any:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        return json.loads(line) if line else None

    def close(self) -> int:
        assert self.proc.stdin
        self.proc.stdin.close()
        return self.proc.wait(timeout=120)


@pytest.mark.slow
def test_a_reader_holding_the_dropped_generation_still_gets_answers(tmp_path: Path) -> None:
    writer = Child(tmp_path / "chroma")
    assert writer.ask("fill 3") == "regwatch-chunks"
    reader = Child(tmp_path / "chroma")
    before = reader.ask("hits")  # the reader now holds generation 0
    assert writer.ask("rebuild") == "regwatch-chunks.g1"
    assert "regwatch-chunks" not in writer.ask("names")
    assert reader.ask("hits") == before  # resolved the new generation, retried once
    assert (writer.close(), reader.close()) == (0, 0)


@pytest.mark.slow
def test_a_rebuild_killed_midway_leaves_the_old_generation_serving(tmp_path: Path) -> None:
    writer = Child(tmp_path / "chroma")
    writer.ask("fill 3")
    before = writer.ask("hits")
    writer.close()
    dying = Child(tmp_path / "chroma")
    assert dying.ask("kill-mid-rebuild") is None  # no answer: the process died
    assert dying.proc.wait(timeout=60) == 137
    after = Child(tmp_path / "chroma")
    assert "regwatch-chunks.b1" in after.ask("names")  # the half-built copy is left
    assert after.ask("hits") == before  # and never read
    assert after.ask("rebuild") == "regwatch-chunks.g1"  # the next build clears it
    names = after.ask("names")
    assert "regwatch-chunks.b1" not in names and "regwatch-chunks" not in names
    assert after.ask("hits") == before
    assert after.close() == 0


class Spy:
    """A chroma collection that records which ids each write call got."""

    WRITES = ("add", "upsert", "update", "delete")

    def __init__(self, collection: Any, log: dict[str, Counter[str]]) -> None:
        self._collection = collection
        self._log = log

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._collection, name)
        if name not in self.WRITES:
            return attribute

        def write(*, ids: list[str], **kwargs: Any) -> Any:
            self._log[name].update(ids)
            return attribute(ids=ids, **kwargs)

        return write


def test_no_write_upserts_an_id_the_collection_holds(tmp_path: Path) -> None:
    store = VectorStore(tmp_path / "chroma")
    first = version_chunks(0, 1, True)
    store.upsert(first, vectors_of(first))
    log: dict[str, Counter[str]] = defaultdict(Counter)
    store.collection = Spy(store.collection, log)
    store.old = Spy(store.old, log)
    # The same vectors again (a re-run after a timeout): metadata only.
    store.upsert(first, vectors_of(first))
    assert not log["upsert"] and not log["add"] and not log["delete"]
    assert set(log["update"]) == {c.id for c in first}
    # New vectors for held ids (a chunk's text changed): deleted, then added.
    log.clear()
    store.upsert(first[:3], vectors_of(first[:3]) + 1.0)
    assert not log["upsert"]
    assert set(log["delete"]) == set(log["add"]) == {c.id for c in first[:3]}
    # A chunk moving side goes by add, never upsert.
    log.clear()
    store.update_metadata([c.model_copy(update={"latest": False}) for c in first])
    assert not log["upsert"] and set(log["add"]) == {c.id for c in first}
    assert (store.collection.count(), store.old.count()) == (0, CHUNKS)


@pytest.mark.slow
def test_rebuilds_through_a_chroma_server(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same with ``REGWATCH_CHROMA_URL``: rebuilt when due, same hits, and a store that
    still holds the dropped generation (another client of the server) resolves the new."""
    monkeypatch.setattr(generations, "MIN_TOMBSTONES", CHUNKS)
    url = request.getfixturevalue("chroma_server")
    store = VectorStore(url=url)
    held = VectorStore(client=make_client(url=url))
    held_name = held.collection.name
    for version in range(1, 6):
        for document in range(DOCUMENTS):
            add_version(store, document, version)
    assert generation_of("regwatch-chunks", store.collection.name) not in (None, 0)
    assert held_name not in {c.name for c in store.client.list_collections()}
    assert _all_hits(held) == _all_hits(store)
    assert held.collection.name == store.collection.name
