"""A starting server: one chroma client per process, searches wait for the warm-up, and the
warm-up runs the work earlier runs left queued (issue 15 items 2 and 5)."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from corpus.check import check
from corpus.workspace import Workspace
from index.vector import make_client
from tests.store_helpers import numbered_doc
from tests.test_index_search import HashEmbedder
from web import create_app


class SlowFirstEmbedder(HashEmbedder):
    """Its first query takes a while, like a model loading; records when it finished."""

    def __init__(self) -> None:
        super().__init__()
        self.warm_at: float | None = None
        self.first_search_at: float | None = None
        self._lock = threading.Lock()

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            if self.warm_at is None:
                time.sleep(0.5)
                self.warm_at = time.monotonic()
            elif self.first_search_at is None and texts != ["warm-up"]:
                self.first_search_at = time.monotonic()
        return super().embed_queries(texts)


def test_one_chroma_client_per_folder_from_threads_at_once(tmp_path: Path) -> None:
    folder = tmp_path / "chroma"
    start = threading.Barrier(8)

    def open_client(_: int) -> object:
        start.wait()
        return make_client(folder)

    with ThreadPoolExecutor(8) as pool:
        clients = list(pool.map(open_client, range(8)))
    assert len({id(c) for c in clients}) == 1
    clients[0].get_or_create_collection("probe", embedding_function=None)


@pytest.mark.parametrize("round_", range(3))
def test_searches_sent_during_warm_up_wait_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, round_: int
) -> None:
    embedder = SlowFirstEmbedder()
    monkeypatch.setenv("REGWATCH_MODEL", "hash")
    monkeypatch.setattr("index.search.get_embedder", lambda name: embedder)
    with Workspace(tmp_path) as ws:
        for n in (1, 2):
            outcome = ws.store.add_version(*numbered_doc(n, text_extra=f"ネオジム{n}号"))
            ws.index_version(outcome.doc_id, outcome.version)
        # Stored by a run killed before its index and alert work: queued in the outbox.
        queued = ws.store.add_version(*numbered_doc(3, text_extra="テルビウム"))
    app = create_app(tmp_path, api_token="")
    with TestClient(app, raise_server_exceptions=False) as client:
        warm = app.state.regwatch.warm_up()
        with ThreadPoolExecutor(4) as pool:
            responses = list(
                pool.map(
                    lambda q: client.get("/search", params={"q": q}),
                    ["ネオジム", "テルビウム", "ネオジム1号", "テルビウム"],
                )
            )
        warm.result(timeout=60)
    assert [r.status_code for r in responses] == [200] * 4, [r.text for r in responses]
    assert embedder.warm_at is not None and embedder.first_search_at is not None
    assert embedder.first_search_at >= embedder.warm_at  # waited, did not race
    # The warm-up ran the queued work first: the third document is found and alerted.
    found = [h["chunk"]["document"] for h in responses[1].json()["hits"]]
    assert queued.doc_id in found
    with Workspace(tmp_path) as ws:
        assert check(ws).ok
