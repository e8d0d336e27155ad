"""The writer's half of ``add`` (issue 15 item 4 and the review): a file's ``--timeout``
covers its indexing too, and a new version's diff is computed once for its alert and its
diff passages.

The reading half is replaced by ready ``ProcessedFile``s (``corpus.workspace.run_files``):
what is under test is what ``add`` does with a file once it is read, and the hand-built
documents make it seconds instead of a PDF parse per file.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

import corpus.workspace
from corpus.check import check
from corpus.cli import main
from corpus.diff import diff_versions
from corpus.pipeline import ProcessedFile
from corpus.workspace import Workspace
from models.document import Document
from models.records import ExtractionResult
from tests.store_helpers import (
    RARE_DRAFT_TEXT,
    RARE_FINAL_TEXT,
    build,
    numbered_doc,
    rare_identity,
)
from tests.test_index_search import HashEmbedder

#: Text only the slow document's chunks hold.
SLOW_MARK = "審査に時間を要する"


class SlowEmbedder(HashEmbedder):
    """Takes ``pause`` seconds over any batch holding the slow document's text."""

    pause = 0.0

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if any(SLOW_MARK in t for t in texts):
            time.sleep(self.pause)
        return super().embed_passages(texts)


# Two embedders, as e5 + USE: the budget is checked between their calls.
EMBEDDERS = {"hash": SlowEmbedder(name="hash"), "hash2": SlowEmbedder(name="hash2")}
MODEL = "hash+hash2"


@pytest.fixture
def read_as(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, ProcessedFile]]:
    """``add`` takes its files from this map (by file name) instead of reading PDFs."""
    files: dict[str, ProcessedFile] = {}

    def run_files(paths: Sequence[Path], **_: object) -> Iterator[ProcessedFile]:
        for path in paths:
            yield files[Path(path).name]

    monkeypatch.setattr(corpus.workspace, "run_files", run_files)
    monkeypatch.setattr("index.search.get_embedder", lambda name: EMBEDDERS[name])
    monkeypatch.setenv("REGWATCH_MODEL", MODEL)
    for embedder in EMBEDDERS.values():
        monkeypatch.setattr(embedder, "pause", 0.0)
    yield files


def _read(
    name: str, pair: tuple[Document, ExtractionResult], seconds: float = 0.0
) -> ProcessedFile:
    document, extraction = pair
    return ProcessedFile(path=name, document=document, extraction=extraction, seconds=seconds)


def test_timeout_covers_indexing_and_the_batch_goes_on(
    read_as: dict[str, ProcessedFile], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    read_as["slow.pdf"] = _read("slow.pdf", numbered_doc(1, text_extra=SLOW_MARK))
    read_as["fast.pdf"] = _read("fast.pdf", numbered_doc(2))
    for embedder in EMBEDDERS.values():
        embedder.pause = 1.5  # one embedding call outlasts the whole budget
    argv = ["add", "--timeout", "1", "--data-dir", str(tmp_path), "slow.pdf", "fast.pdf"]
    assert main(argv) == 3
    out, err = capsys.readouterr()
    slow, fast = (json.loads(line) for line in out.splitlines())
    # Stored (the commit is whole), its indexing stopped with the file's coded error ...
    assert slow["status"] == "new_document" and [e["code"] for e in slow["errors"]] == ["E106"]
    assert "[E106] slow.pdf: indexing took the file over 1 s" in err
    # ... and the next file went on, within its own budget.
    assert fast["status"] == "new_document" and fast["errors"] == []
    with Workspace(tmp_path) as ws:
        report = check(ws)
        # Consistent: the slow version's index work is queued, nothing else is off.
        assert report.pending == {"index": 1}
        assert report.missing_chunks == [f"{slow['doc_id']}@1"]
        assert not report.stale_chunks and not report.wrong_latest
        hits = ws.search("輸出管理の決定", all_versions=True, mode="keyword", floor=0)
        assert {h.chunk.document for h in hits} == {fast["doc_id"]}
        # The next run's drain keeps to the budget too: still too slow, still queued.
        drained = ws.recover(limits=corpus.workspace.Limits(max_seconds_per_file=1))
        assert (drained.indexed, drained.left) == (0, 1)
        assert [e["code"] for e in drained.errors] == ["E106"]
        for embedder in EMBEDDERS.values():
            embedder.pause = 0.0
        assert ws.recover().indexed == 1
        assert check(ws).ok, check(ws).as_json()


def test_time_spent_reading_counts_against_the_budget(
    read_as: dict[str, ProcessedFile], tmp_path: Path
) -> None:
    # Extraction used 0.8 s of a 1 s budget: a 0.5 s embedding call leaves none for the next.
    read_as["slow.pdf"] = _read("slow.pdf", numbered_doc(1, text_extra=SLOW_MARK), seconds=0.8)
    for embedder in EMBEDDERS.values():
        embedder.pause = 0.5
    limits = corpus.workspace.Limits(max_seconds_per_file=1)
    with Workspace(tmp_path) as ws:
        (report,) = ws.add([Path("slow.pdf")], limits=limits)
        assert report.outcome is not None
        assert [e["code"] for e in report.errors] == ["E106"]
        assert "stays queued" in report.errors[0]["message"]


def _count_diffs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The ``(old, new)`` refs of every diff the workspace computes from now on."""
    calls: list[tuple[str, str]] = []

    def counted(old: list, new: list, old_ref: str, new_ref: str, **kw: object):
        calls.append((old_ref, new_ref))
        return diff_versions(old, new, old_ref, new_ref, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(corpus.workspace, "diff_versions", counted)
    return calls


def test_a_new_versions_diff_is_computed_once(
    read_as: dict[str, ProcessedFile], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_as["draft.pdf"] = _read("draft.pdf", build(RARE_DRAFT_TEXT, rare_identity(final=False)))
    read_as["final.pdf"] = _read("final.pdf", build(RARE_FINAL_TEXT, rare_identity(final=True)))
    calls = _count_diffs(monkeypatch)
    with Workspace(tmp_path) as ws:
        (draft,) = ws.add([Path("draft.pdf")])
        assert draft.outcome is not None and draft.outcome.status == "new_document"
        assert calls == []  # a first version has nothing to diff
        (final,) = ws.add([Path("final.pdf")])
        assert final.outcome is not None and final.outcome.status == "new_version"
        doc = final.outcome.doc_id
        # One diff, for the alert, the saved redline and the diff passages alike.
        assert calls == [(f"{doc}@1", f"{doc}@2")]
        assert final.alerts and final.diff_path and final.diff_summary
        diff_passages = [
            c for c in ws.index.keywords.chunks() if c.document == doc and c.passage == "diff"
        ]
        assert diff_passages
        # What check recomputes (its own diff) is what was indexed from the alert's.
        assert check(ws).ok, check(ws).as_json()


def test_work_a_crash_left_queued_diffs_once_too(
    read_as: dict[str, ProcessedFile], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(``read_as`` installs the model-free embedders; no file is read here.)"""
    calls = _count_diffs(monkeypatch)
    with Workspace(tmp_path) as ws:
        # Committed with their outbox rows and nothing else, as a run killed after its
        # commits leaves them; the next run drains alert and index work together.
        ws.store.add_version(*build(RARE_DRAFT_TEXT, rare_identity(final=False)))
        final = ws.store.add_version(*build(RARE_FINAL_TEXT, rare_identity(final=True)))
        drained = ws.recover()
        assert (drained.alerts, drained.indexed) == (2, 2)
        assert calls == [(f"{final.doc_id}@1", f"{final.doc_id}@2")]
        assert check(ws).ok, check(ws).as_json()
