"""The one place that knows the order of the stages: ingest → extract → store → index."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.extract import extract_records
from ingest.ocr import page_progress
from ingest.ocr.provenance import mark_ocr_records
from ingest.pipeline import Deadline, Limits, ingest_many, ingest_one, with_progress
from models.document import Document, IngestResult
from models.errors import RegwatchError
from models.records import ExtractionResult

if TYPE_CHECKING:
    from index.worker_vectors import PassageVectors


@dataclass
class ProcessedFile:
    """Per-file outcome of ingest + extract: a failure carries coded errors, never raises."""

    path: str
    document: Document | None = None
    extraction: ExtractionResult | None = None
    errors: list[dict[str, str]] = field(default_factory=list)
    #: Seconds of the file's ``--timeout`` budget ingest + extract used (the writer's
    #: indexing gets the rest: ``Deadline.resume``).
    seconds: float = 0.0
    #: Vectors of its passage texts, made by the worker that read it when asked
    #: (``index.worker_vectors``); the writer puts them in the passage-vector cache.
    passage_vectors: list[PassageVectors] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.extraction is not None


def ingest_files(
    paths: Iterable[Path], limits: Limits | None = None, progress: bool = False
) -> Iterator[IngestResult]:
    yield from ingest_many(paths, limits=limits, progress=progress)


def process_files(
    paths: Iterable[Path],
    kinds: set[str] | None = None,
    limits: Limits | None = None,
    progress: bool = False,
) -> Iterator[ProcessedFile]:
    limits = limits or Limits()
    for item in with_progress(paths, progress):
        # one budget (--timeout) for the file's ingest and extraction together
        deadline = Deadline.start(item, limits.max_seconds_per_file)
        with page_progress(progress):  # a bar per page while OCR reads a long file
            outcome = ingest_one(Path(item), limits, deadline)
        if outcome.document is None:
            yield ProcessedFile(path=outcome.path, errors=outcome.errors, seconds=deadline.spent)
            continue
        try:
            extraction = mark_ocr_records(
                outcome.document,
                extract_records(outcome.document, kinds=kinds, deadline=deadline),
            )
        except RegwatchError as exc:
            yield ProcessedFile(
                path=outcome.path,
                document=outcome.document,
                errors=[exc.to_dict()],
                seconds=deadline.spent,
            )
            continue
        yield ProcessedFile(
            path=outcome.path,
            document=outcome.document,
            extraction=extraction,
            seconds=deadline.spent,
        )
