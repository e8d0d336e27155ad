"""``--executor ray`` against a Ray cluster named by RAY_ADDRESS (a head started by
``ray start``, as a team deployment runs it), one head for the module; slow: a start takes
about ten seconds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_executors import _closed_port
from tests.test_throughput import _folder, _stored

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def head(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``ray start --head --block`` on a free port; its address.  Stopped by its own pid
    (SIGTERM: it ends the GCS, raylet and workers it started), never by ``ray stop``."""
    pytest.importorskip("ray")
    ray_cli = Path(sys.executable).with_name("ray")
    if not ray_cli.exists():
        pytest.skip(f"no ray command beside {sys.executable}")
    port = _closed_port()
    log = tmp_path_factory.mktemp("ray") / "head.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RAY_AUTH_MODE": "token"}
    args = ["start", "--head", f"--port={port}", "--num-cpus=2", "--include-dashboard=false"]
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(ray_cli), *args, "--block"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=ROOT,
        )
    try:
        deadline = time.monotonic() + 90
        while "Ray runtime started" not in log.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        yield f"127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)


def _add(folder: Path, data: Path, *extra: str, **env: str) -> tuple[int, list[dict], str]:
    script = (
        "import sys; from corpus.cli import main;"
        f"sys.exit(main(['add', '-q', '--no-index', {str(folder)!r}, "
        f"'--data-dir', {str(data)!r}, *{list(extra)!r}]))"
    )
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environ, cwd=ROOT
    )
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    for row in rows:
        row.pop("diff")  # a file path under each data dir
    return out.returncode, rows, out.stderr


def test_a_cluster_gives_the_records_of_a_local_run(head: str, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    local = _add(folder, tmp_path / "local", "--jobs", "1")
    # --jobs left out: the cluster's CPUs; token auth as `ray start` sets it up.
    cluster = _add(
        folder, tmp_path / "cluster", "--executor", "ray", RAY_ADDRESS=head, RAY_AUTH_MODE="token"
    )
    assert cluster[:2] == local[:2], cluster[2]
    assert cluster[0] == 3  # broken.pdf
    assert _stored(tmp_path / "cluster") == _stored(tmp_path / "local")
