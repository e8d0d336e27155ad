"""Crash injection: a real ``regwatch add`` killed anywhere, then the next run, then
``check`` finds nothing (issue 15 item 2).

Each trial copies a one-version corpus (indexed), starts ``regwatch add`` of the document's
other text in a child process (the CLI itself, with a model-free embedder), and kills it:
at a named point (``corpus.faults``: ``os._exit``, no cleanup, as ``kill -9``) or with
SIGKILL after a random delay.  The next run is the same ``add`` again (the case that used
to answer ``unchanged`` and leave the version unsearchable for good).  Then every version
is in both indexes with ``latest`` as the store says, and has exactly one alert.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from corpus.check import check
from corpus.db import DATABASE_URL_ENV
from corpus.faults import CRASH_ENV, CRASH_EXIT, POINTS
from corpus.outbox import pending
from corpus.queue import load_alerts
from corpus.workspace import Workspace
from tests.postgres import Cluster
from tests.test_index_search import HashEmbedder
from tests.web_fixtures import DRAFT, FINAL, ROOT

EMBEDDER = HashEmbedder()
RANDOM_KILLS = 10
WORKERS = 2  # trials at once (each is two ``add`` processes, one after the other)
SEED = 15

# ``regwatch add`` with the hash embedder (no model to load in every trial).
CHILD = textwrap.dedent(
    """
    import sys
    import index.search
    from corpus.cli import main
    from tests.test_index_search import HashEmbedder

    embedder = HashEmbedder()
    index.search.get_embedder = lambda name: embedder
    sys.exit(main(["add", "-q", "--model", "hash", "--data-dir", *sys.argv[1:]]))
    """
)


@pytest.fixture(scope="module", autouse=True)
def hash_embedder() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("index.search.get_embedder", lambda name: EMBEDDER)
        yield


def _base(tmp_path_factory: pytest.TempPathFactory, first: Path, url: str | None = None) -> Path:
    folder = tmp_path_factory.mktemp(f"base-{first.stem}")
    with Workspace(folder, model="hash", database_url=url) as ws:
        (report,) = ws.add([first])
        assert report.outcome is not None, report.errors
    return folder


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One corpus holding the draft (the final arrives), one the final (the draft arrives
    late and must not become latest)."""
    return {"draft": _base(tmp_path_factory, DRAFT), "final": _base(tmp_path_factory, FINAL)}


def _child(
    data_dir: Path, pdf: Path, env: dict[str, str], url: str | None = None
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    if url:
        env[DATABASE_URL_ENV] = url
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data_dir), str(pdf)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _verify(data_dir: Path, url: str | None = None) -> dict[str, object]:
    """After the next run: nothing queued, index and alerts agree with the store."""
    with Workspace(data_dir, model="hash", database_url=url) as ws:
        report = check(ws)
        alerts = load_alerts(ws.store)
        (doc,) = ws.store.list_documents()
        versions = ws.store.versions(doc.doc_id)
        latest_title = ws.store.get_version(doc.doc_id, with_document=False).identity.title
    assert report.ok, report.as_json()
    assert len(versions) == 2
    assert sorted(a.version for a in alerts) == [1, 2]  # one alert per file, none twice
    return {"latest_title": latest_title}


def _trial(
    base: Path,
    work: Path,
    pdf: Path,
    *,
    point: str | None,
    delay: float | None,
    url: str | None = None,
) -> str:
    """One kill and the next run; returns what the kill hit (``exit`` when it missed).
    ``url``: the trial's PostgreSQL database (a copy of the base's), else SQLite in ``base``."""
    data_dir = work / "corpus"
    shutil.copytree(base, data_dir)
    child = _child(data_dir, pdf, {CRASH_ENV: point} if point else {}, url)
    if delay is not None:
        try:
            child.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGKILL)
    code = child.wait(timeout=300)
    with Workspace(data_dir, database_url=url) as ws:
        committed = ws.store.find_by_sha(_sha(pdf)) is not None
        queued = len(pending(ws.store))
    outcome = (
        "finished"
        if code == 0
        else f"killed-{'after' if committed else 'before'}-commit-{queued}-queued"
    )
    assert point is None or code == CRASH_EXIT
    rerun = _child(data_dir, pdf, {}, url)  # the next run: the same add again
    assert rerun.wait(timeout=300) == 0
    _verify(data_dir, url)
    shutil.rmtree(data_dir)
    return outcome


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_add_killed_anywhere_is_repaired_by_the_next_run(
    bases: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(SEED)
    plan: list[tuple[str, str | None, float | None]] = []
    for point in POINTS:  # every named point, both arrival orders
        plan += [("draft", point, None), ("final", point, None)]
    shutil.copytree(bases["draft"], tmp_path / "timing")
    start = time.monotonic()
    full = _child(tmp_path / "timing", FINAL, {})  # how long an add runs here, unkilled
    assert full.wait(timeout=300) == 0
    duration = time.monotonic() - start
    plan += [
        (rng.choice(["draft", "final"]), None, rng.uniform(0.3, 1.0) * duration)
        for _ in range(RANDOM_KILLS)
    ]

    def run(i: int) -> str:
        base, point, delay = plan[i]
        pdf = FINAL if base == "draft" else DRAFT
        outcome = _trial(bases[base], tmp_path / f"t{i}", pdf, point=point, delay=delay)
        return f"{point or 'random'}: {outcome}"

    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = Counter(pool.map(run, range(len(plan))))
    with capsys.disabled():
        print(f"\n{len(plan)} trials (unkilled add {duration:.1f} s):")
        for name, count in sorted(outcomes.items()):
            print(f"  {count:>2} {name}")
    assert sum(outcomes.values()) == len(plan) >= 20
    # The named points all fell after the commit, with work still queued.
    assert all("after-commit" in o for o in outcomes if not o.startswith("random"))


@pytest.mark.slow
def test_a_draft_added_late_is_not_latest(bases: dict[str, Path], tmp_path: Path) -> None:
    data_dir = tmp_path / "corpus"
    shutil.copytree(bases["final"], data_dir)
    assert _child(data_dir, DRAFT, {}).wait(timeout=300) == 0
    assert (
        _verify(data_dir)["latest_title"]
        == "レアアース採掘・レアアース製錬分離総量規制管理暫定弁法"
    )


@pytest.mark.slow
def test_add_killed_at_each_point_is_repaired_on_postgresql(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, pg_cluster: object
) -> None:
    """The same trials on a PostgreSQL corpus, at every named point (the outbox is written
    in the version's transaction there too); each trial works on a copy of the base database."""
    if isinstance(pg_cluster, str):
        pytest.skip(f"PostgreSQL unavailable: {pg_cluster}")
    assert isinstance(pg_cluster, Cluster)
    base_url = pg_cluster.new_database()
    base = _base(tmp_path_factory, DRAFT, base_url)

    def run(i: int) -> str:
        url = pg_cluster.new_database(template=base_url)
        return _trial(base, tmp_path / f"t{i}", FINAL, point=POINTS[i], delay=None, url=url)

    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = list(pool.map(run, range(len(POINTS))))
    assert all("after-commit" in o for o in outcomes), outcomes
