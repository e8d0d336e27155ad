"""How ``corpus.parallel.ordered`` hands files to its workers: a block of ``capacity`` files at
a time, largest first, results still in input order; and the fork server's warm start."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.executors import Ticket, process_pool
from corpus.parallel import ordered
from models.document import IngestResult
from tests.test_executors import Recording


def _files(folder: Path, sizes: list[int | None]) -> list[Path]:
    """One file per size (bytes); None: a path with no file behind it."""
    paths = []
    for i, size in enumerate(sizes):
        path = folder / f"{i:02d}.pdf"
        if size is not None:
            path.write_bytes(b"x" * size)
        paths.append(path)
    return paths


@pytest.mark.parametrize(
    ("sizes", "capacity", "handed_out"),
    [
        ([10, 10, 10, 50], 4, [3, 0, 1, 2]),
        ([10, 30, 20, 90, 10, 80], 3, [1, 2, 0, 3, 5, 4]),
        ([20, 20, 20], 2, [0, 1, 2]),
        ([None, 10, 40], 3, [2, 1, 0]),
        ([50, 10, 10, 10, 10, 60], 2, [0, 1, 2, 3, 5, 4]),
    ],
    ids=[
        "long-last-file-starts-first",
        "each-block-largest-first",
        "equal-sizes-keep-input-order",
        "missing-file-counts-as-empty",
        "blocks-never-reach-past-the-window",
    ],
)
def test_files_are_handed_out_largest_first_within_a_window_block(
    tmp_path: Path, sizes: list[int | None], capacity: int, handed_out: list[int]
) -> None:
    paths = _files(tmp_path, sizes)
    runner = Recording(capacity=capacity)
    got = list(ordered(paths, str, "ingest", 2, executor=runner))
    assert [r.path for r in got] == [str(p) for p in paths]  # taken in input order
    assert runner.sent == [paths[i].name for i in handed_out]
    assert runner.most_in_flight <= capacity


class Shrinking(Recording):
    """A window that shrinks once the first file is sent (a Ray cluster with fewer CPUs
    than this machine, known only once connected)."""

    def submit(self, path: str) -> Ticket:
        ticket = super().submit(path)
        self.capacity = 1
        return ticket


def test_a_window_that_shrinks_below_its_block_still_yields_every_file(tmp_path: Path) -> None:
    paths = _files(tmp_path, [10, 20, 30, 40, 50])
    runner = Shrinking(capacity=4)
    got = list(ordered(paths, str, "ingest", 2, executor=runner))
    assert [r.path for r in got] == [str(p) for p in paths]
    assert sorted(runner.sent) == sorted(p.name for p in paths)


def _profiles_loaded(_: str) -> IngestResult:
    from langdetect import detector_factory

    status = "success" if detector_factory._factory is not None else "failure"
    return IngestResult(path=_, status=status)


def test_workers_start_with_the_language_profiles_loaded() -> None:
    # Loaded once by the fork server (ingest.warm), not by each worker at its first file.
    with process_pool(2) as pool:
        statuses = [pool.submit(_profiles_loaded, "x").result().status for _ in range(2)]
    assert statuses == ["success", "success"]
