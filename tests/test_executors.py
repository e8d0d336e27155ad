"""The executor seam (corpus.executors), the local process pool, and Ray tasks as an executor
(corpus.ray_executor).

One local Ray of 2 CPUs for the whole module (a Ray start costs seconds); the tests that
need no Ray session run in a subprocess or call the helpers directly.
"""

from __future__ import annotations

import functools
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from corpus.executors import Ticket
from corpus.parallel import Known, ordered, run_one
from index.worker_vectors import EmbedRequest, embed_file
from models.corpus import AddOutcome
from models.document import IngestResult
from models.errors import ExecutorError
from tests.test_throughput import V2, _add, _folder, _stored

ROOT = Path(__file__).resolve().parent.parent


def _closed_port() -> int:
    """A port nothing listens on (its socket is closed again)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _python(script: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environ, cwd=ROOT
    )


# ------------------------------------------------------------- the seam, no Ray needed


class Recording:
    """An Executor that runs each file at once in this process and records what it saw."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.sent: list[str] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.closed = False

    def submit(self, path: str) -> Ticket:
        self.sent.append(Path(path).name)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        return Ticket(path, IngestResult(path=path, status="success"))

    def result(self, ticket: Ticket) -> IngestResult:
        self.in_flight -= 1
        return ticket.handle

    def close(self) -> None:
        self.closed = True


def test_the_seam_keeps_order_bound_and_never_sends_known_files() -> None:
    paths = [Path(f"/x/{i:02d}.pdf") for i in range(12)]
    stored = {"03.pdf", "04.pdf", "09.pdf"}
    outcome = AddOutcome(doc_id="d", version=1, status="unchanged", sha256="0" * 64, path="/x")

    def known(path: Path) -> AddOutcome | None:
        return outcome if path.name in stored else None

    runner = Recording(capacity=3)
    got = list(ordered(paths, str, "ingest", 2, known, executor=runner))
    assert [r.path for r in got] == [str(p) for p in paths]
    assert [isinstance(r, Known) for r in got] == [p.name in stored for p in paths]
    assert runner.sent == [p.name for p in paths if p.name not in stored]
    assert runner.most_in_flight == 3
    assert not runner.closed  # an executor given as an object is the caller's


def _slow_or_exits(path: str) -> IngestResult:
    """Slow on slow_*.pdf, kills its worker on bad.pdf."""
    name = Path(path).stem
    if name == "bad":
        os._exit(1)
    if name.startswith("slow"):
        time.sleep(0.5)
    return IngestResult(path=path, status="success")


def test_a_file_sent_to_a_pool_that_just_broke_is_sent_again() -> None:
    # The slow head is collected after bad.pdf has killed the pool: the pool restarts, the
    # files in flight are resent and bad.pdf kills the new pool while the head runs alone,
    # so the next file is offered to a pool that is already broken.  Only bad.pdf fails.
    names = ("slow_a", "bad", "c", "d", "e", "f", "g", "h")
    paths = [Path(f"/x/{name}.pdf") for name in names]
    results = list(ordered(paths, _slow_or_exits, "ingest", 2))
    assert [r.path for r in results] == [str(p) for p in paths]
    assert [r.status for r in results] == ["success", "failure"] + ["success"] * 6
    assert results[1].errors[0]["code"] == "E100"


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("127.0.0.1:{port}", "cannot reach the Ray cluster"),
        ("ray://127.0.0.1:{port}", "cannot reach the Ray cluster"),
        ("headnode", "is not HOST:PORT"),
        ("headnode:port", "is not HOST:PORT"),
    ],
    ids=["closed-port", "closed-ray-client-port", "no-port", "port-not-a-number"],
)
def test_an_unreachable_cluster_is_a_coded_error(address: str, message: str) -> None:
    from corpus.ray_executor import check_reachable

    with pytest.raises(ExecutorError, match=message) as caught:
        check_reachable(address.format(port=_closed_port()), timeout=2)
    assert caught.value.code == "E401"


def test_ray_is_not_imported_unless_chosen(tmp_path: Path) -> None:
    pytest.importorskip("ray")  # otherwise trivially true
    files = [str(V2 / "zh_mofcom_2024_31_uav.pdf"), str(V2 / "zh_mofcom_2023_39_graphite.pdf")]
    script = (
        "import sys, json; from corpus.cli import main;"
        f"code = main(['ingest', '-q', '--jobs', '2', *{files!r}]);"
        "print(json.dumps([code, 'ray' in sys.modules]))"
    )
    out = _python(script)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [0, False], out.stderr


def test_ray_not_installed_is_a_coded_error(capsys: pytest.CaptureFixture[str]) -> None:
    # Run where ray cannot be imported (a None entry in sys.modules makes import fail).
    script = (
        "import sys; sys.modules['ray'] = None; from corpus.cli import main;"
        f"sys.exit(main(['ingest', '-q', '--executor', 'ray', '--jobs', '2', "
        f"{str(V2 / 'zh_mofcom_2024_31_uav.pdf')!r}]))"
    )
    out = _python(script)
    assert out.returncode == 2
    assert "[E401]" in out.stderr and "pip install 'regwatch[ray]'" in out.stderr


def test_cli_reports_an_unreachable_cluster(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    port = _closed_port()
    script = (
        "import sys; from corpus.cli import main;"
        f"sys.exit(main(['add', '-q', '--no-index', '--executor', 'ray', "
        f"{str(V2 / 'zh_mofcom_2024_31_uav.pdf')!r}, '--data-dir', {str(tmp_path)!r}]))"
    )
    out = _python(script, RAY_ADDRESS=f"127.0.0.1:{port}")
    assert out.returncode == 2, out.stderr
    assert f"[E401] cannot reach the Ray cluster at RAY_ADDRESS=127.0.0.1:{port}" in out.stderr


# ------------------------------------------------------------- a local Ray of 2 CPUs


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray = pytest.importorskip("ray")
    ray.init(address="local", num_cpus=2, include_dashboard=False, logging_level="WARNING")
    yield
    ray.shutdown()


def test_ray_gives_the_ids_versions_and_records_of_a_local_run(
    local_ray: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path)
    local = _add(folder, tmp_path / "local", capsys, "--jobs", "1")
    on_ray = _add(folder, tmp_path / "ray", capsys, "--jobs", "2", "--executor", "ray")
    for row in (*local, *on_ray):
        row.pop("diff")  # a file path under each data dir
    assert on_ray == local
    assert [r["status"] for r in on_ray].count("new_version") == 1
    assert on_ray[0]["errors"][0]["code"] == "E102"  # broken.pdf, reported by its task
    assert _stored(tmp_path / "ray") == _stored(tmp_path / "local")


def _exits_on_bad(path: str) -> IngestResult:
    """A task body that kills its worker on one file (as a crashing PDF library would)."""
    if path.endswith("bad.pdf"):
        os._exit(1)
    return IngestResult(path=path, status="success")


def _raises_on_bad(path: str) -> IngestResult:
    if path.endswith("bad.pdf"):
        raise MemoryError("no room for this page")
    return IngestResult(path=path, status="success")


@pytest.mark.parametrize(
    ("work", "message"),
    [
        (_exits_on_bad, "died (WorkerCrashedError"),
        (_raises_on_bad, "failed in its Ray task (MemoryError: no room for this page)"),
    ],
    ids=["worker-exits", "task-raises"],
)
def test_a_failing_file_is_reported_alone_on_ray(
    local_ray: None, work: Callable[[str], IngestResult], message: str
) -> None:
    paths = [Path(f"/x/{name}.pdf") for name in ("a", "b", "bad", "c", "d", "e")]
    results = list(ordered(paths, work, "ingest", 2, executor="ray"))
    assert [r.path for r in results] == [str(p) for p in paths]
    assert [r.status for r in results] == ["success"] * 2 + ["failure"] + ["success"] * 3
    assert results[2].errors[0]["code"] == "E100"
    assert message in results[2].errors[0]["message"]


def test_a_ray_task_embeds_the_passages_of_the_file_it_read(local_ray: None) -> None:
    path = V2 / "zh_mofcom_2024_31_uav.pdf"
    request = EmbedRequest(("use",))  # no cache to read: every text embedded in the task
    work = functools.partial(run_one, "process", kinds=None, limits=None, embed=request)
    (on_ray,) = list(ordered([path], work, "process", 2, executor="ray"))
    here = run_one("process", str(path), None, None)
    assert on_ray.document is not None and on_ray.extraction is not None
    assert here.document is not None and here.extraction is not None
    (expected,) = embed_file(request, here.extraction, here.document)
    (made,) = on_ray.passage_vectors
    assert made.model == expected.model and made.keys == expected.keys
    np.testing.assert_allclose(made.vectors, expected.vectors, atol=1e-5)


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_workers_end_when_their_owner_is_killed() -> None:
    """The owner of a pool killed outright (a segfault in native code: chromadb's HNSW did so
    at file 768 of a 1,000-file add) must not leave its workers running: they are the fork
    server's children, so only their own watch ends them.  The owner is left unreaped (a
    zombie), as a parent blocked on its output leaves it."""
    owner = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\n"
            "from corpus.executors import process_pool\n"
            "pool = process_pool(2)\n"
            "futures = [pool.submit(time.sleep, 120) for _ in range(2)]\n"
            "time.sleep(3)\n"
            "print(' '.join(str(p) for p in pool._processes), flush=True)\n"
            "time.sleep(120)\n",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert owner.stdout is not None
        workers = [int(p) for p in owner.stdout.readline().split()]
        assert len(workers) == 2 and all(_running(p) for p in workers)
        os.kill(owner.pid, 9)
        deadline = time.monotonic() + 15
        while any(_running(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_running(p) for p in workers)
    finally:
        owner.kill()
        owner.wait()
