"""The chroma writes of indexing: each vector inserted into an HNSW index as few times as the
two-collection layout allows (every insert stays in the graph, a moved one as a tombstone),
and no delete sent for ids a collection does not hold (a delete is a logged write even then).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from corpus import outbox
from corpus.workspace import Workspace
from index.vector import VectorStore
from tests.test_concurrent_latest import version_of
from tests.test_index_search import ANTI_MONOPOLY, NOTICE_61, HashEmbedder

EMBEDDER = HashEmbedder()


class Spy:
    """A chroma collection that records the ids of each upsert and delete it forwards."""

    def __init__(self, collection: Any, log: dict[str, Counter[str]]) -> None:
        self._collection = collection
        self._log = log

    def upsert(self, *, ids: list[str], **kwargs: Any) -> Any:
        self._log["upsert"].update(ids)
        return self._collection.upsert(ids=ids, **kwargs)

    def delete(self, *, ids: list[str], **kwargs: Any) -> Any:
        self._log["delete"].update(ids)
        return self._collection.delete(ids=ids, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._collection, name)


def spy_on(store: VectorStore) -> dict[str, Counter[str]]:
    log: dict[str, Counter[str]] = {"upsert": Counter(), "delete": Counter()}
    store.collection = Spy(store.collection, log)
    store.old = Spy(store.old, log)
    return log


def test_a_new_version_is_inserted_once_and_its_predecessor_moved_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("index.search.get_embedder", lambda name: EMBEDDER)
    with Workspace(tmp_path, model="hash") as ws:
        first = ws.store.add_version(*version_of(0))  # 2025-03-01
        outbox.run_version(ws, first, index=True)
        log = spy_on(ws.index.stores[0])
        second = ws.store.add_version(*version_of(2))  # 2025-06-30: the new latest
        outbox.run_version(ws, second, index=True)
        chunks = list(ws.index.keywords.chunks())
        latest, old = ws.index.stores[0].ids_by_side()
    new_ids = {c.id for c in chunks if c.version == second.version}
    old_ids = {c.id for c in chunks if c.version == first.version}
    assert new_ids and old_ids
    assert {log["upsert"][i] for i in new_ids} == {1}  # straight to the latest collection
    assert {log["upsert"][i] for i in old_ids} == {1}  # moved to the old one, once
    assert {c.id for c in chunks if c.latest} == new_ids == latest
    assert old == old_ids


def test_no_delete_is_sent_for_ids_a_collection_does_not_hold(tmp_path: Path) -> None:
    store = VectorStore(tmp_path / "chroma")
    log = spy_on(store)
    store.upsert(NOTICE_61, EMBEDDER.embed_passages([c.text for c in NOTICE_61]))
    store.delete([ANTI_MONOPOLY.id])
    assert not log["delete"]
    store.delete([NOTICE_61[0].id])
    assert log["delete"] == Counter({NOTICE_61[0].id: 1})  # held by the latest side only
    assert store.ids() == {c.id for c in NOTICE_61[1:]}
