"""The ingest workers' fork server starts them warm (ingest.warm): what each worker would
load at its first file is loaded once, before the fork."""

from __future__ import annotations

from corpus.executors import process_pool
from models.document import IngestResult


def _profiles_loaded(path: str) -> IngestResult:
    from langdetect import detector_factory

    status = "success" if detector_factory._factory is not None else "failure"
    return IngestResult(path=path, status=status)


def test_workers_start_with_the_language_profiles_loaded() -> None:
    # Loaded once by the fork server, not by each worker at its first English block.
    with process_pool(2) as pool:
        statuses = [pool.submit(_profiles_loaded, "x").result().status for _ in range(2)]
    assert statuses == ["success", "success"]
