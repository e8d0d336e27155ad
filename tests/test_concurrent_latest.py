"""Two writer processes add versions of one document at once, in no date order, while a
reader searches: afterwards exactly the newest-dated version is latest in both indexes, and
latest-only searches never mix versions (issue 15 item 3)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from corpus.check import check
from corpus.workspace import Workspace
from tests.test_index_search import HashEmbedder
from tests.web_fixtures import ROOT

EMBEDDER = HashEmbedder()
# Dates of the versions in the order the two writers add them (writer = index % 2): the
# newest text (2025-06) arrives neither first nor last.
DAYS = ["2025-03-01", "2025-01-15", "2025-06-30", "2024-12-01", "2025-02-10", "2025-05-05"]

# One writer: adds its versions as ``regwatch add`` does after ingest (store, then the
# outbox work: alert, index with latest from the store).
WRITER = textwrap.dedent(
    """
    import sys
    import index.search
    from corpus import outbox
    from corpus.workspace import Workspace
    from tests.test_concurrent_latest import version_of
    from tests.test_index_search import HashEmbedder

    embedder = HashEmbedder()
    index.search.get_embedder = lambda name: embedder
    with Workspace(sys.argv[1], model="hash") as ws:
        for i in map(int, sys.argv[2:]):
            outcome = ws.store.add_version(*version_of(i))
            outbox.run_version(ws, outcome, index=True)
    """
)


def version_of(i: int) -> tuple:
    """Version ``i``: the same numbered announcement, promulgated on ``DAYS[i]``."""
    from models.document import DocumentIdentity, IdentityDate
    from tests.store_helpers import build

    day = DAYS[i]
    identity = DocumentIdentity(
        title="両用品目の輸出管理に関する公告",
        kind="announcement",
        issuers=["商務部"],
        number="商務部公告2025年第7号",
        dates=[IdentityDate(role="promulgated", iso=day, raw=day)],
        language="ja",
    )
    text = (
        f"両用品目の輸出管理に関する公告\n（{day}公布）\n"
        f"第一条 ガリウム関連品目の輸出は許可を要する。改正{day}。\n"
        f"第二条 ゲルマニウム関連品目の輸出は許可を要する。改正{day}。"
    )
    return build(text, identity)


@pytest.mark.slow
def test_two_writers_and_a_reader_leave_one_latest_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    monkeypatch.setattr("index.search.get_embedder", lambda name: EMBEDDER)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    seen: list[set[int]] = []  # versions in each latest-only result the reader got
    failures: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        with Workspace(tmp_path, model="hash") as ws:
            while not stop.is_set():
                try:
                    hits = ws.search("ガリウム 輸出 許可", k=20, mode="keyword")
                except BaseException as exc:
                    failures.append(exc)
                    return
                if hits:
                    seen.append({h.chunk.version for h in hits})

    with Workspace(tmp_path, model="hash"):
        pass  # the store exists before the three start
    reader = threading.Thread(target=read)
    reader.start()
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path), *map(str, range(w, len(DAYS), 2))],
            cwd=ROOT,
            env=env,
        )
        for w in (0, 1)
    ]
    codes = [w.wait(timeout=600) for w in writers]
    stop.set()
    reader.join(timeout=60)
    assert codes == [0, 0] and not failures, failures
    with Workspace(tmp_path, model="hash") as ws:
        report = check(ws)
        (doc,) = ws.store.list_documents()
        versions = {
            v.version: v.identity.date("promulgated") for v in ws.store.versions(doc.doc_id)
        }
        flagged = {c.version for c in ws.index.keywords.chunks() if c.latest}
        hits = ws.search("ガリウム 輸出 許可", k=20)
    assert report.ok, report.as_json()
    assert len(versions) == len(DAYS)
    newest = max(versions, key=lambda v: versions[v] or "")
    assert versions[newest] == "2025-06-30"
    assert doc.latest_version == newest and flagged == {newest}
    assert {h.chunk.version for h in hits} == {newest}
    # While the writers ran: a new version and its predecessor's relabelling are one write
    # of the keyword index, so no latest-only result ever held two versions.
    assert seen
    mixed = sum(len(versions) > 1 for versions in seen)
    print(f"\nreader: {len(seen)} latest-only searches during the adds, {mixed} mixed versions")
    assert mixed == 0
