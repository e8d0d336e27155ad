"""The embedded chroma client is replaced once the generations dropped through it hold
enough vectors (``index.chroma_client``: chromadb keeps a dropped collection's memory until
its client is closed).  After a recycle every handle resolves again and the store holds and
finds exactly what it did; a search in another thread never meets the closed client; a
recycle asked for inside a read of the same thread does not wait for itself."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pytest

import index.chroma_client as chroma_client
import index.generations as generations
from index.heap import ENV, limit_arenas
from index.vector import VectorStore
from tests.test_vector_generations import CHUNKS, DOCUMENTS, add_version, vectors_of, version_chunks

VERSIONS = 8


def _filled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> VectorStore:
    """VERSIONS versions of DOCUMENTS documents, rebuilding and recycling at one version's
    worth of vectors (the floors lowered so that a small store goes through both)."""
    monkeypatch.setattr(generations, "MIN_TOMBSTONES", CHUNKS)
    monkeypatch.setattr(chroma_client, "RECYCLE_VECTORS", CHUNKS)
    store = VectorStore(tmp_path / "chroma")
    for version in range(1, VERSIONS + 1):
        for document in range(DOCUMENTS):
            add_version(store, document, version)
    return store


def _brute_force(store_chunks: list, probe: np.ndarray, k: int) -> list[str]:
    vectors = vectors_of(store_chunks)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    order = np.argsort(-(vectors @ (probe / np.linalg.norm(probe))))
    return [store_chunks[i].id for i in order[:k]]


def test_a_recycled_store_holds_and_finds_what_it_did(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _filled(tmp_path, monkeypatch)
    assert store.client.epoch >= 2, "the lowered floors should have recycled the client"
    latest_chunks = [c for d in range(DOCUMENTS) for c in version_chunks(d, VERSIONS, True)]
    latest, old = store.ids_by_side()
    assert latest == {c.id for c in latest_chunks}
    retired = [version_chunks(d, v, False) for d in range(DOCUMENTS) for v in range(1, VERSIONS)]
    assert old == {c.id for chunks in retired for c in chunks}
    for probe in vectors_of(latest_chunks[::7]):
        hits = [chunk_id for chunk_id, _ in store.query(probe, 5)]
        assert hits == _brute_force(latest_chunks, probe, 5)


def test_a_search_in_another_thread_never_meets_the_closed_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _filled(tmp_path, monkeypatch)
    probe = vectors_of(version_chunks(0, VERSIONS, True))[3]
    expected = store.query(probe, 5)
    errors: list[BaseException] = []
    searches = [0]
    stop = threading.Event()

    def search() -> None:
        while not stop.is_set():
            try:
                assert store.query(probe, 5) == expected
                searches[0] += 1
            except BaseException as exc:
                errors.append(exc)
                return

    threads = [threading.Thread(target=search) for _ in range(2)]
    for thread in threads:
        thread.start()
    epoch = store.client.epoch
    for _ in range(12):
        assert store.client.recycle()
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors[:1]
    assert store.client.epoch == epoch + 12
    assert searches[0] > 0


def test_a_recycle_asked_inside_a_read_does_not_wait_for_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _filled(tmp_path, monkeypatch)
    epoch = store.client.epoch
    with store.client.reading():
        assert store.client.recycle() is False
        assert store.client.epoch == epoch
    assert store.client.recycle() is True
    assert store.client.epoch == epoch + 1
    assert store.count() == DOCUMENTS * CHUNKS * VERSIONS


def test_the_arena_limit_keeps_one_the_user_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "5")
    assert limit_arenas(3) == 5


def test_the_arena_limit_reaches_started_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    limit = limit_arenas(4)
    if limit is None:
        pytest.skip("no glibc mallopt here: nothing to limit")
    assert limit == 4
    assert os.environ[ENV] == "4"


def test_a_reset_counts_what_it_drops_and_the_store_is_usable_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``reindex`` drops every collection: what they held counts towards a recycle too."""
    store = _filled(tmp_path, monkeypatch)
    monkeypatch.setattr(chroma_client, "RECYCLE_VECTORS", DOCUMENTS * CHUNKS)
    epoch = store.client.epoch
    store.reset()
    assert store.client.epoch > epoch
    assert store.count() == 0
    add_version(store, 0, 1)
    probe = vectors_of(version_chunks(0, 1, True))[2]
    assert store.query(probe, 1)[0][0] == "doc0@1#2"
