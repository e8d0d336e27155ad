"""Vector store: old versions kept in their own collection (so latest-only queries need no
chroma filter), filters checked on returned metadata, chroma's filter for selective ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.vector import Filters, VectorStore, metadata_of
from tests.test_index_search import ANTI_MONOPOLY, NOTICE_61, HashEmbedder

CHUNKS = [*NOTICE_61, ANTI_MONOPOLY]


@pytest.fixture()
def store(tmp_path: Path) -> VectorStore:
    vectors = HashEmbedder().embed_passages([c.text for c in CHUNKS])
    vs = VectorStore(tmp_path / "chroma")
    vs.upsert(CHUNKS, vectors)
    return vs


def _query(store: VectorStore, filters: Filters | None = None, k: int = 3) -> set[str]:
    vector = HashEmbedder().embed_queries(["商务部公告 罚款 価値"])[0]
    return {cid for cid, _ in store.query(vector, k, filters)}


def test_retired_chunks_move_to_the_old_collection(store: VectorStore) -> None:
    retired = NOTICE_61[0].model_copy(update={"latest": False})
    store.update_metadata([retired])
    assert (store.collection.count(), store.old.count()) == (2, 1)
    assert retired.id not in _query(store)
    assert retired.id in _query(store, Filters(latest_only=False))
    store.update_metadata([NOTICE_61[0]])
    assert (store.collection.count(), store.old.count()) == (3, 0)


def test_upsert_of_an_old_version_goes_to_the_old_collection(store: VectorStore) -> None:
    old = ANTI_MONOPOLY.model_copy(update={"id": "aml:v0:a0:0", "version": 0, "latest": False})
    store.upsert([old], HashEmbedder().embed_passages([old.text]))
    assert old.id in {i for i in store.old.get(include=[])["ids"]}
    assert store.ids() == {c.id for c in CHUNKS} | {old.id}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(lang="zh"), {"aml:v1:a0:0"}),
        (Filters(issuer="商務部"), {"d61:v1:a0:0", "d61:v1:a1:0"}),
        (Filters(kind="law"), {"aml:v1:a0:0"}),
        (Filters(effective_after="2025-06-01"), {"d61:v1:a0:0"}),
    ],
    ids=["lang", "issuer", "kind", "effective-after"],
)
def test_filters_on_metadata(store: VectorStore, filters: Filters, expected: set[str]) -> None:
    assert _query(store, filters) == expected


def test_selective_filter_falls_back_to_chroma(
    store: VectorStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Over-fetching one candidate: the zh chunk is not nearest, chroma's filter must find it.
    monkeypatch.setattr(VectorStore, "OVERFETCH", 1)
    vector = HashEmbedder().embed_queries(["価値に占める割合が0.1%以上"])[0]
    hits = store.query(vector, 1, Filters(lang="zh"))
    assert [cid for cid, _ in hits] == ["aml:v1:a0:0"]
    assert np.isfinite([s for _, s in hits]).all()


def test_index_from_before_the_split_moves_old_versions_out(tmp_path: Path) -> None:
    vs = VectorStore(tmp_path / "chroma")
    legacy = [CHUNKS[0].model_copy(update={"latest": False}), *CHUNKS[1:]]
    vectors = HashEmbedder().embed_passages([c.text for c in legacy])
    vs.collection.upsert(
        ids=[c.id for c in legacy],
        embeddings=vectors,
        metadatas=[metadata_of(c) for c in legacy],
    )
    vs.client.delete_collection(f"{vs.name}-old")
    reopened = VectorStore(tmp_path / "chroma")
    assert (reopened.collection.count(), reopened.old.count()) == (2, 1)
    assert legacy[0].id not in _query(reopened)


def test_collections_search_wide_enough_to_find_every_candidate(store: VectorStore) -> None:
    """chroma's default ef_search (100) misses some of the 50 candidates a query asks for,
    differently after each build: the collections are made with ``EF_SEARCH``."""
    from index.vector import EF_SEARCH

    assert EF_SEARCH >= 4 * 50
    for collection in (store.collection, store.old):
        assert collection.configuration_json["hnsw"]["ef_search"] == EF_SEARCH


@pytest.mark.parametrize(
    ("message", "retried"),
    [
        pytest.param("Error executing plan: Internal error: Error finding id", True, id="id"),
        pytest.param(
            "Internal error: Error creating hnsw segment reader: Nothing found on disk",
            True,
            id="segment-not-on-disk",
        ),
        pytest.param("Internal error: something else", False, id="other-errors-raise"),
    ],
)
def test_a_stale_copy_of_a_collection_is_reloaded_and_the_call_retried(
    store: VectorStore, monkeypatch: pytest.MonkeyPatch, message: str, retried: bool
) -> None:
    """Another process wrote the embedded store since this one loaded it: chroma's copy
    here is behind the files.  The client is reopened (it loads them again) and the call
    made once more; any other error is the caller's."""
    from chromadb.errors import InternalError

    recycles: list[bool] = []
    monkeypatch.setattr(store.client, "recycle", lambda: recycles.append(True) or True)
    calls: list[int] = []

    def action() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise InternalError(message)
        return "done"

    if retried:
        assert store._retry(action) == "done"
        assert recycles == [True] and len(calls) == 2
    else:
        with pytest.raises(InternalError):
            store._retry(action)
        assert recycles == [] and len(calls) == 1
