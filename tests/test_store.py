"""The versioned corpus store: versions, references, manual links, crashes, concurrency."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from corpus.store import DB_NAME, PAUSE_ENV, Store, default_data_dir
from models.document import DocumentIdentity
from models.errors import NotFoundError, StoreError
from tests.store_helpers import (
    RARE_DRAFT_TEXT,
    RARE_FINAL_TEXT,
    build,
    numbered_doc,
    rare_identity,
)

REPO = Path(__file__).resolve().parents[1]

AML_TITLE = "中华人民共和国反垄断法"
AML_ISSUER = ["全国人民代表大会常务委员会"]


def _aml(year: int, title: str = AML_TITLE) -> tuple:
    identity = DocumentIdentity(title=title, kind="law", issuers=AML_ISSUER, language="zh")
    text = f"{title}\n第一条 为了预防和制止垄断行为（{year}年文本），制定本法。"
    return build(text, identity)


@pytest.fixture
def store(tmp_path: Path, backend: str):
    with Store(tmp_path / "corpus") as s:
        yield s


def test_new_document_then_unchanged_file_is_a_no_op(store: Store) -> None:
    doc, ext = build(RARE_DRAFT_TEXT, rare_identity(final=False))
    first = store.add_version(doc, ext)
    again = store.add_version(doc, ext)
    assert (first.status, first.version, first.previous_version) == ("new_document", 1, None)
    assert (again.status, again.doc_id, again.version) == ("unchanged", first.doc_id, 1)
    assert len(store.versions(first.doc_id)) == 1
    assert [d.doc_id for d in store.list_documents()] == [first.doc_id]


@pytest.mark.parametrize(
    ("old", "new", "matched_by"),
    [
        (
            build(RARE_DRAFT_TEXT, rare_identity(final=False)),
            build(RARE_FINAL_TEXT, rare_identity(final=True)),
            "title",
        ),
        (_aml(2007), _aml(2022, f"{AML_TITLE}（2022年修正）"), "title"),
        (numbered_doc(61), numbered_doc(61, text_extra="（改正）"), "number"),
    ],
    ids=["rare-earth-draft-then-final", "aml-2007-then-2022-修正", "notice61-reissued"],
)
def test_changed_file_of_a_known_document_is_a_new_version(
    store: Store, old: tuple, new: tuple, matched_by: str
) -> None:
    first = store.add_version(*old)
    second = store.add_version(*new)
    assert second.status == "new_version"
    assert (second.doc_id, second.version, second.previous_version) == (first.doc_id, 2, 1)
    assert second.matched_by == matched_by
    assert not second.out_of_order
    assert [v.version for v in store.versions(first.doc_id)] == [1, 2]
    summary = store.list_documents()[0]
    assert (summary.versions, summary.latest_version) == (2, 2)
    assert summary.title == new[1].identity.title  # the document shows its latest identity


def test_distinct_documents_stay_apart(store: Store) -> None:
    outcomes = [store.add_version(*numbered_doc(n)) for n in (61, 62)]
    outcomes.append(store.add_version(*_aml(2007)))
    assert [o.status for o in outcomes] == ["new_document"] * 3
    assert len({o.doc_id for o in outcomes}) == 3


def test_get_version_round_trips_document_and_records(store: Store) -> None:
    draft = build(RARE_DRAFT_TEXT, rare_identity(final=False))
    final = build(RARE_FINAL_TEXT, rare_identity(final=True), item_codes=["1E902.a"])
    doc_id = store.add_version(*draft).doc_id
    store.add_version(*final)

    latest = store.get_version(doc_id)
    assert latest.version == 2
    assert latest.document == final[0]
    assert latest.identity == final[1].identity
    assert [r.model_dump(exclude={"provenance"}) for r in latest.records] == [
        r.model_dump(exclude={"provenance"}) for r in final[1].records
    ]
    assert {r.provenance.version for r in latest.records} == {2}
    thresholds = [r for r in latest.records if r.kind == "threshold"]
    assert [t.text for t in thresholds] == ["毎月10日まで"]

    old = store.get_version(f"{doc_id}@1", with_document=False)
    assert old.document is None
    assert [r.text for r in old.records if r.kind == "threshold"] == ["毎月15日まで"]
    assert store.get_records(doc_id, 1) == old.records
    [only] = store.latest_versions(with_document=False)
    assert (only.doc_id, only.version) == (doc_id, 2)


def test_references_resolve(store: Store) -> None:
    outcome = store.add_version(*build(RARE_DRAFT_TEXT, rare_identity(final=False)))
    final = build(RARE_FINAL_TEXT, rare_identity(final=True))
    store.add_version(*final)
    doc_id = outcome.doc_id
    assert store.resolve(doc_id) == (doc_id, None)
    assert store.resolve(f"{doc_id}@1") == (doc_id, 1)
    assert store.resolve(f"{doc_id}@latest") == (doc_id, None)
    assert store.resolve(doc_id[:6] + "@2") == (doc_id, 2)
    # A file's sha256 finds the version made from that file.
    assert store.resolve(final[0].source.sha256[:12]) == (doc_id, 2)
    assert store.find_by_sha(final[0].source.sha256).version == 2  # type: ignore[union-attr]
    assert store.find_by_sha("0" * 64) is None


@pytest.mark.parametrize(
    "ref",
    ["nosuchdoc", "DOCPLACEHOLDER@9", "DOCPLACEHOLDER@two", "@1", ""],
    ids=["unknown", "missing-version", "bad-version", "no-doc", "empty"],
)
def test_bad_references_raise_not_found(store: Store, ref: str) -> None:
    doc_id = store.add_version(*numbered_doc(61)).doc_id
    with pytest.raises(NotFoundError) as err:
        store.resolve(ref.replace("DOCPLACEHOLDER", doc_id))
    assert err.value.code == "E200"


def test_ambiguous_prefix_is_refused(store: Store) -> None:
    ids = [store.add_version(*numbered_doc(n)).doc_id for n in range(1, 40)]
    # Among 39 random hex ids two share a first digit: that one-digit prefix is ambiguous.
    shared = next(i[0] for i in ids if sum(j[0] == i[0] for j in ids) > 1)
    with pytest.raises(NotFoundError, match="ambiguous"):
        store.resolve(shared)


def test_forced_document_and_forced_new_document(store: Store) -> None:
    law = store.add_version(*_aml(2007))
    forced = store.add_version(*numbered_doc(61), doc_id=law.doc_id[:8])
    assert (forced.status, forced.doc_id, forced.matched_by) == (
        "new_version",
        law.doc_id,
        "manual",
    )
    apart = store.add_version(*_aml(2022), new_document=True)
    assert apart.status == "new_document" and apart.doc_id != law.doc_id


def test_link_and_unlink(store: Store) -> None:
    a = store.add_version(*build(RARE_DRAFT_TEXT, rare_identity(final=False)))
    b = store.add_version(*build(RARE_FINAL_TEXT, rare_identity(final=True)), new_document=True)
    c = store.add_version(*numbered_doc(61))
    assert b.doc_id != a.doc_id

    assert store.link(a.doc_id, b.doc_id) == a.doc_id
    assert [(v.version, v.sha256) for v in store.versions(a.doc_id)] == [
        (1, a.sha256),
        (2, b.sha256),
    ]
    # b's old id (its file's hash) still leads to the file, now version 2 of a.
    assert store.resolve(b.doc_id) == (a.doc_id, 2)
    assert b.doc_id not in {d.doc_id for d in store.list_documents()}
    assert store.get_version(a.doc_id).identity.title == rare_identity(final=True).title

    new_id = store.unlink(f"{a.doc_id}@1")
    assert [v.sha256 for v in store.versions(a.doc_id)] == [b.sha256]
    assert [v.sha256 for v in store.versions(new_id)] == [a.sha256]
    assert store.get_version(a.doc_id).version == 1
    assert len(store.list_documents()) == 3
    with pytest.raises(StoreError):
        store.unlink(c.doc_id, 1)  # a single version is already a document of its own
    with pytest.raises(StoreError):
        store.link(c.doc_id, c.doc_id)
    with store.read() as conn:
        actions = [r[0] for r in conn.execute("SELECT action FROM links ORDER BY id")]
    assert actions == ["link", "unlink"]


def test_data_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGWATCH_HOME", str(tmp_path / "home"))
    assert default_data_dir() == tmp_path / "home"
    assert default_data_dir(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.delenv("REGWATCH_HOME")
    assert default_data_dir() == Path.home() / ".regwatch"


def test_reopened_store_keeps_everything_and_uses_wal(tmp_path: Path, backend: str) -> None:
    with Store(tmp_path) as s:
        outcome = s.add_version(*numbered_doc(61))
        assert s.dialect == backend
    with Store(tmp_path) as s:
        assert s.get_version(outcome.doc_id).info.sha256 == outcome.sha256
        assert s.integrity_check() == []
    assert (tmp_path / DB_NAME).exists() == (backend == "sqlite")
    if backend != "sqlite":
        return
    conn = sqlite3.connect(tmp_path / DB_NAME)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_unwritable_data_dir_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError) as err:
        Store(blocker / "corpus")
    assert err.value.exit_code == 5


# ---------------------------------------------------------------- crash safety

_CHILD = """
import sys
from corpus.store import Store
from tests.store_helpers import build, rare_identity, RARE_FINAL_TEXT
with Store(sys.argv[1]) as store:
    store.add_version(*build(RARE_FINAL_TEXT, rare_identity(final=True), item_codes=["1E902.a"]))
"""


def test_kill_9_mid_add_leaves_the_corpus_as_before(tmp_path: Path, backend: str) -> None:
    with Store(tmp_path) as s:
        draft = s.add_version(*build(RARE_DRAFT_TEXT, rare_identity(final=False)))
    env = {**os.environ, PAUSE_ENV: "60", "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(tmp_path)],
        cwd=REPO,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stderr is not None
    line = child.stderr.readline()  # printed once every row of the version is written
    assert "paused inside the add transaction" in line, line
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL

    with Store(tmp_path) as s:
        assert s.integrity_check() == []
        assert [v.version for v in s.versions(draft.doc_id)] == [1]
        with s.read() as conn:
            counts = [
                conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("documents", "versions")
            ]
        assert counts == [1, 1]
        # The killed add is simply redone by the next run.
        redo = s.add_version(
            *build(RARE_FINAL_TEXT, rare_identity(final=True), item_codes=["1E902.a"])
        )
        assert (redo.status, redo.version) == ("new_version", 2)


# ---------------------------------------------------------------- concurrency


def _add_many(data_dir: str, worker: int, count: int) -> list[tuple[str, str, int]]:
    out = []
    with Store(data_dir) as s:
        for i in range(count):
            own = s.add_version(*numbered_doc(1000 * (worker + 1) + i))
            # Every worker also adds versions of one shared regulation, all at once.
            shared = s.add_version(*_aml(2000 + 10 * worker + i))
            out += [
                (own.status, own.doc_id, own.version),
                (shared.status, shared.doc_id, shared.version),
            ]
    return out


def test_two_processes_adding_at_once_lose_nothing(tmp_path: Path, backend: str) -> None:
    Store(tmp_path).close()
    workers, per_worker = 4, 6
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        results = pool.starmap(_add_many, [(str(tmp_path), w, per_worker) for w in range(workers)])
    elapsed = time.perf_counter() - started
    outcomes = [o for r in results for o in r]
    assert len(outcomes) == 2 * workers * per_worker
    with Store(tmp_path) as s:
        assert s.integrity_check() == []
        documents = s.list_documents()
        # one document per worker-file, plus the single shared regulation
        assert len(documents) == workers * per_worker + 1
        law = next(d for d in documents if d.title == AML_TITLE)
        assert [v.version for v in s.versions(law.doc_id)] == list(
            range(1, workers * per_worker + 1)
        )
    shared = [o for o in outcomes if o[1] == law.doc_id]
    assert sorted(o[2] for o in shared) == list(range(1, workers * per_worker + 1))
    assert [o[0] for o in shared].count("new_document") == 1
    assert elapsed < 120


# ---------------------------------------------------------------- real PDFs, whole pipeline


@pytest.fixture(scope="module")
def sample_versions() -> dict[str, tuple]:
    from corpus.pipeline import process_files

    paths = sorted((REPO / "samples" / "versions").glob("*.pdf"))
    processed = {Path(p.path).stem: p for p in process_files(paths)}
    assert all(p.ok for p in processed.values()), processed
    return {stem: (p.document, p.extraction) for stem, p in processed.items()}


@pytest.mark.slow
@pytest.mark.parametrize("reverse", [False, True], ids=["oldest-first", "newest-first"])
def test_sample_pdfs_form_two_documents_of_two_versions(
    tmp_path: Path, sample_versions: dict[str, tuple], reverse: bool, backend: str
) -> None:
    order = sorted(sample_versions, reverse=reverse)
    with Store(tmp_path) as s:
        outcomes = {stem: s.add_version(*sample_versions[stem]) for stem in order}
        documents = s.list_documents()
    # Whichever arrives last, the final text (dated later) is the latest and names the
    # document: a draft added after it does not take over (issue 15 item 3).
    assert sorted((d.title, d.versions) for d in documents) == [
        ("レアアース採掘・レアアース製錬分離総量規制管理暫定弁法", 2),
        ("中华人民共和国反垄断法", 2),
    ]
    final = outcomes["rare_earth_measures_final"]
    assert {d.doc_id: d.latest_version for d in documents}[final.doc_id] == final.version
    assert outcomes["anti_monopoly_law_2022"].doc_id == outcomes["anti_monopoly_law_2007"].doc_id
    rare = (outcomes["rare_earth_measures_draft"], outcomes["rare_earth_measures_final"])
    assert rare[0].doc_id == rare[1].doc_id
    assert sorted(o.status for o in rare) == ["new_document", "new_version"]
    # Added after its final text, the draft is flagged: dated 2025-02-19, before 2025-07-28.
    assert [o.out_of_order for o in rare] == [reverse, False]
