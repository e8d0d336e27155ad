"""``regwatch check [--repair]`` finds each kind of drift between the corpus and what is built
beside it, and repairs it; ``reindex`` restores lost alerts (issue 15 item 2); link and
unlink leave nothing for it to find."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus.check import check, repair
from corpus.cli import main
from corpus.workspace import Workspace
from models.search import Chunk
from tests.store_helpers import RARE_DRAFT_TEXT, RARE_FINAL_TEXT, build, numbered_doc, rare_identity
from tests.test_index_search import HashEmbedder

EMBEDDER = HashEmbedder()


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str) -> Path:
    """Two documents, the first in two versions, indexed and alerted: nothing to find."""
    monkeypatch.setenv("REGWATCH_MODEL", "hash")
    monkeypatch.setattr("index.search.get_embedder", lambda name: EMBEDDER)
    with Workspace(tmp_path) as ws:
        for document in (numbered_doc(1), numbered_doc(2)):
            outcome = ws.store.add_version(*document)
            ws.index_version(outcome.doc_id, outcome.version)
        assert ws.recover().alerts == 2
        assert check(ws).ok, check(ws).as_json()
    return tmp_path


def _drift(ws: Workspace, kind: str) -> str:
    """Damage the derived state one way; returns the finding ``check`` must report."""
    doc = ws.store.list_documents()[0].doc_id
    index = ws.index
    chunks = [c for c in index.keywords.chunks() if c.document == doc]
    if kind == "lost_alert":
        with ws.store.transaction() as conn:
            conn.execute("DELETE FROM alerts WHERE doc_id = ?", (doc,))
        return "missing_alerts"
    if kind == "lost_chunks":
        index.keywords.remove([c.id for c in chunks])
        return "missing_chunks"
    if kind == "lost_vectors":
        for store in index.stores:
            store.delete([c.id for c in chunks])
        return "missing_vectors"
    if kind == "stale_chunk":
        ghost = Chunk.model_validate({**chunks[0].model_dump(), "id": "gone@9:1", "version": 9})
        index.add([ghost])
        return "stale_chunks"
    if kind == "wrong_latest":
        index.relabel([chunks[0].model_copy(update={"latest": not chunks[0].latest})])
        return "wrong_latest"
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind", ["lost_alert", "lost_chunks", "lost_vectors", "stale_chunk", "wrong_latest"]
)
def test_check_finds_and_repair_fixes(corpus: Path, kind: str) -> None:
    with Workspace(corpus) as ws:
        finding = _drift(ws, kind)
        found = check(ws)
        assert not found.ok and getattr(found, finding), found.as_json()
        assert repair(ws).ok
        assert check(ws).ok


def test_cli_check_exit_codes(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Workspace(corpus) as ws:
        _drift(ws, "lost_chunks")
    assert main(["check", "--data-dir", str(corpus)]) == 7
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["missing_chunks"]["count"] == 1
    assert main(["check", "--repair", "--data-dir", str(corpus)]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True


def test_reindex_restores_lost_alerts(corpus: Path) -> None:
    with Workspace(corpus) as ws:
        _drift(ws, "lost_alert")
        ws.reindex()
        assert check(ws).ok


@pytest.fixture
def apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str, str]:
    """The rare-earth measures' final text and, added after it, its draft, stored as two
    documents and indexed: ``(data_dir, final's doc, draft's doc)``."""
    monkeypatch.setenv("REGWATCH_MODEL", "hash")
    monkeypatch.setattr("index.search.get_embedder", lambda name: EMBEDDER)
    with Workspace(tmp_path) as ws:
        final = ws.store.add_version(*build(RARE_FINAL_TEXT, rare_identity(final=True)))
        draft = ws.store.add_version(
            *build(RARE_DRAFT_TEXT, rare_identity(final=False)), new_document=True
        )
        ws.recover()
        assert check(ws).ok, check(ws).as_json()
    return tmp_path, final.doc_id, draft.doc_id


def _indexed(ws: Workspace) -> dict[tuple[str, int], set[bool]]:
    """``(document, version)`` → the ``latest`` flags of its indexed text chunks."""
    ws.index.keywords.refresh()
    flags: dict[tuple[str, int], set[bool]] = {}
    for c in ws.index.keywords.chunks():
        if c.passage == "text":
            flags.setdefault((c.document, c.version), set()).add(c.latest)
    return flags


def test_link_and_unlink_leave_nothing_for_check(
    apart: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir, final, draft = apart
    assert main(["link", final, draft, "--data-dir", str(data_dir)]) == 0
    assert json.loads(capsys.readouterr().out)["outbox"]["indexed"] == 2
    with Workspace(data_dir) as ws:
        assert check(ws).ok, check(ws).as_json()
        # The draft is version 2 now, and not latest: the final text is newer by date.
        assert _indexed(ws) == {(final, 1): {True}, (final, 2): {False}}
    assert main(["unlink", f"{final}@2", "--data-dir", str(data_dir)]) == 0
    split = json.loads(capsys.readouterr().out)["new_document"]
    with Workspace(data_dir) as ws:
        assert check(ws).ok, check(ws).as_json()
        assert _indexed(ws) == {(final, 1): {True}, (split, 1): {True}}
        assert not [c for c in ws.index.keywords.chunks() if c.passage == "diff"]


def test_link_without_index_queues_the_work(apart: tuple[Path, str, str]) -> None:
    data_dir, final, draft = apart
    assert main(["link", "--no-index", final, draft, "--data-dir", str(data_dir)]) == 0
    with Workspace(data_dir) as ws:
        found = check(ws)
        assert found.pending == {"index": 2} and found.stale_chunks, found.as_json()
        assert ws.recover().indexed == 2
        assert check(ws).ok, check(ws).as_json()
