"""A running searcher sees every committed write: uploads through the API, a second
Workspace in the same process, a CLI ``add`` in another process (issue 15 item 1)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from corpus.workspace import Workspace
from tests.store_helpers import numbered_doc
from tests.test_index_search import HashEmbedder
from tests.web_fixtures import DRAFT, ROOT
from web import create_app

EMBEDDER = HashEmbedder()

# Run in a child process: a Workspace with the hash embedder adds one document.
CHILD = textwrap.dedent(
    """
    import sys
    import index.search
    from corpus.workspace import Workspace
    from tests.store_helpers import numbered_doc
    from tests.test_index_search import HashEmbedder

    embedder = HashEmbedder()
    index.search.get_embedder = lambda name: embedder
    with Workspace(sys.argv[1]) as ws:
        outcome = ws.store.add_version(*numbered_doc(int(sys.argv[2]), text_extra=sys.argv[3]))
        ws.index_version(outcome.doc_id, outcome.version)
    """
)


@pytest.fixture
def hash_embedder(monkeypatch: pytest.MonkeyPatch) -> HashEmbedder:
    monkeypatch.setenv("REGWATCH_MODEL", "hash")
    monkeypatch.setattr("index.search.get_embedder", lambda name: EMBEDDER)
    return EMBEDDER


def add_numbered(data_dir: Path, n: int, extra: str) -> None:
    with Workspace(data_dir) as ws:
        outcome = ws.store.add_version(*numbered_doc(n, text_extra=extra))
        ws.index_version(outcome.doc_id, outcome.version)


def texts(client: TestClient, query: str) -> list[str]:
    response = client.get("/search", params={"q": query, "mode": "keyword", "k": 20})
    assert response.status_code == 200, response.text
    return [hit["chunk"]["text"] for hit in response.json()["hits"]]


def test_a_running_server_finds_what_was_added_after_it_started(
    tmp_path: Path, hash_embedder: HashEmbedder
) -> None:
    add_numbered(tmp_path, 1, "サマリウム磁石")
    with TestClient(create_app(tmp_path, api_token="")) as client:
        assert any("サマリウム" in t for t in texts(client, "サマリウム磁石"))  # warm, loaded
        # An upload: stored and indexed by a request thread, searched by the search thread.
        files = {"file": ("draft.pdf", io.BytesIO(DRAFT.read_bytes()), "application/pdf")}
        assert client.post("/documents", files=files).status_code == 201
        assert any("毎月15日" in t for t in texts(client, "毎月15日までに"))
        # A second Workspace in this process (a script beside the server).
        add_numbered(tmp_path, 2, "ジスプロシウム")
        assert any("ジスプロシウム" in t for t in texts(client, "ジスプロシウム"))
        # Another process: ``regwatch add`` beside ``regwatch serve``.
        env = {**os.environ, "PYTHONPATH": str(ROOT), "REGWATCH_MODEL": "hash"}
        subprocess.run(
            [sys.executable, "-c", CHILD, str(tmp_path), "3", "テルビウム"],
            check=True,
            cwd=ROOT,
            env=env,
        )
        assert any("テルビウム" in t for t in texts(client, "テルビウム"))
        # Hybrid too: the dense lists may hold hits the keyword copy must not drop.
        hybrid = client.get("/search", params={"q": "テルビウム"}).json()["hits"]
        assert any("テルビウム" in h["chunk"]["text"] for h in hybrid)
