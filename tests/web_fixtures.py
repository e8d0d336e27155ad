"""Corpora for the web tests, built once per process (ingest costs seconds per PDF).

Plain functions with a cache rather than fixtures: the API and browser test modules share
them without a conftest.py.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

from corpus.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
VERSIONS = ROOT / "samples" / "versions"
DRAFT = VERSIONS / "rare_earth_measures_draft.pdf"
FINAL = VERSIONS / "rare_earth_measures_final.pdf"


def _tmp_dir(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


@functools.cache
def two_version_corpus() -> Path:
    """The rare-earth measures, draft then final: one document, two versions, not indexed."""
    data_dir = _tmp_dir("regwatch-web-")
    with Workspace(data_dir) as ws:
        for report in ws.add([DRAFT, FINAL], index=False):
            assert report.outcome is not None, report.errors
    return data_dir


@functools.cache
def indexed_corpus() -> Path:
    """The same corpus with its search index (loads the embedding model)."""
    data_dir = _tmp_dir("regwatch-web-indexed-")
    shutil.copytree(two_version_corpus(), data_dir, dirs_exist_ok=True)
    with Workspace(data_dir) as ws:
        ws.reindex()
    return data_dir


def doc_id_of(data_dir: Path) -> str:
    with Workspace(data_dir) as ws:
        return ws.store.list_documents()[0].doc_id
