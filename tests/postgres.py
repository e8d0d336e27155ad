"""A throw-away PostgreSQL cluster for the tests and benches: ``initdb`` in a temp folder,
``pg_ctl start`` on a free loopback port (no Unix socket), trust authentication, durability
off (a test cluster is never kept).  Run as root, the server runs as the ``postgres`` user
(PostgreSQL refuses root).  ``scripts/test.sh`` installs Debian's ``postgresql`` when root.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

BIN_ENV = "REGWATCH_PG_BIN"  # a folder holding initdb and pg_ctl, when not found otherwise
SUPERUSER = "regwatch"
START_TIMEOUT_S = 60


class Unavailable(RuntimeError):
    """PostgreSQL cannot be installed or started here (the message says why)."""


def _bin_dir() -> Path:
    candidates = [os.environ.get(BIN_ENV, "")]
    found = shutil.which("initdb")
    candidates.append(str(Path(found).parent) if found else "")
    # Debian keeps the server programs out of PATH, one folder per major version.
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True
    )
    for folder in filter(None, candidates):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    raise Unavailable(
        "PostgreSQL's initdb/pg_ctl not found (apt-get install postgresql, or set "
        f"${BIN_ENV}): the PostgreSQL half of the store tests is skipped"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    folder: Path
    port: int
    bin_dir: Path
    run_as: str | None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def new_database(self, template: str | None = None) -> str:
        """The URL of a fresh database in this cluster: empty, or a copy of the database
        at ``template`` (a URL of this cluster's, with no one connected to it)."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        source = template.rsplit("/", 1)[1] if template else "template0"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        return self.url(name)

    def stop(self) -> None:
        self._run("pg_ctl", "stop", "-D", str(self.folder / "data"), "-m", "immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / program), *args]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=START_TIMEOUT_S)


def start() -> Cluster:
    """A running cluster; raises Unavailable with the reason when there can be none."""
    try:
        import psycopg  # noqa: F401
    except ImportError as e:
        raise Unavailable("psycopg is not installed (pip install '.[postgres]')") from e
    bin_dir = _bin_dir()
    run_as = None
    folder = Path(tempfile.mkdtemp(prefix="regwatch-pg-"))
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError as e:
            raise Unavailable("running as root and there is no 'postgres' user") from e
        run_as = "postgres"
        os.chown(folder, user.pw_uid, user.pw_gid)
    for _ in range(3):  # a port taken between choosing it and the server binding it: retry
        cluster = Cluster(folder, _free_port(), bin_dir, run_as)
        if not (folder / "data").exists():
            done = cluster._run(
                "initdb", "-D", str(folder / "data"), "-U", SUPERUSER, "--auth=trust",
                "--encoding=UTF8", "--locale=C", "--no-sync",
            )  # fmt: skip
            if done.returncode:
                shutil.rmtree(folder, ignore_errors=True)
                raise Unavailable(f"initdb failed: {done.stderr.strip()[-500:]}")
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={cluster.port} -c unix_socket_directories=''"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            " -c max_connections=200"
        )
        done = cluster._run(
            "pg_ctl", "start", "-w", "-D", str(folder / "data"), "-o", options,
            "-l", str(folder / "server.log"),
        )  # fmt: skip
        if done.returncode == 0 and _ready(cluster):
            return cluster
        time.sleep(0.5)
    log = (folder / "server.log").read_text(errors="replace")[-800:]
    shutil.rmtree(folder, ignore_errors=True)
    raise Unavailable(f"PostgreSQL did not start: {done.stderr.strip()[-300:]} {log}")


def _ready(cluster: Cluster) -> bool:
    import psycopg

    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(cluster.url(), connect_timeout=2):
                return True
        except psycopg.OperationalError:
            time.sleep(0.2)
    return False
