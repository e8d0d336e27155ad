"""The chroma writes of indexing: no delete sent for ids a collection does not hold (a delete
is a logged write even then, counted towards chroma's next save of the whole HNSW index)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from index.vector import VectorStore
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


def test_no_delete_is_sent_for_ids_a_collection_does_not_hold(tmp_path: Path) -> None:
    store = VectorStore(tmp_path / "chroma")
    log = spy_on(store)
    store.upsert(NOTICE_61, EMBEDDER.embed_passages([c.text for c in NOTICE_61]))
    store.delete([ANTI_MONOPOLY.id])
    assert not log["delete"]
    store.delete([NOTICE_61[0].id])
    assert log["delete"] == Counter({NOTICE_61[0].id: 1})  # held by the latest side only
    assert store.ids() == {c.id for c in NOTICE_61[1:]}
