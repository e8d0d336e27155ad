"""The Python API: one object over the corpus store, the search index and the pipeline.

The CLI (and any other tool) calls these methods; they are the only implementation.

    from corpus.workspace import Workspace
    with Workspace("~/.regwatch") as ws:
        reports = ws.add([Path("notice.pdf")])
        hits = ws.search("価値比率0.1%以上の規則")
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Literal

from corpus import outbox
from corpus.diff import diff_versions
from corpus.faults import crash_point
from corpus.files import expand_paths
from corpus.fingerprint import Fingerprints
from corpus.parallel import Known, run_files, runs_inline
from corpus.store import Store, default_data_dir
from corpus.suspect import warnings_for
from ingest.deadline import Deadline
from ingest.limits import Limits
from models.corpus import AddOutcome, Alert, DeliveryReport
from models.diff import VersionDiff
from models.errors import RegwatchError
from models.records import Record
from models.search import Chunk, Hit

if TYPE_CHECKING:
    from corpus.executors import Executor, ExecutorName
    from corpus.pipeline import ProcessedFile
    from index.search import AddStats, SearchIndex

#: Where ``add`` embeds the passages of the files it reads: in the workers that read them
#: (``index.worker_vectors``), or in the writer when it indexes them.
EmbedIn = Literal["workers", "writer"]
CHROMA_URL_ENV = "REGWATCH_CHROMA_URL"
MODEL_ENV = "REGWATCH_MODEL"


@dataclass
class AddReport:
    """Per-file outcome of ``Workspace.add``: stored, unchanged, or failed with coded errors."""

    path: str
    outcome: AddOutcome | None = None
    alerts: list[Alert] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    diff_path: str | None = None
    diff_summary: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "status": self.outcome.status if self.outcome else "failure",
            "doc_id": self.outcome.doc_id if self.outcome else None,
            "version": self.outcome.version if self.outcome else None,
            "matched_by": self.outcome.matched_by if self.outcome else None,
            "alerts": [a.id for a in self.alerts],
            "diff": self.diff_path,
            "changes": self.diff_summary,
            "errors": self.errors,
            "warnings": self.warnings,
        }


class Workspace:
    def __init__(
        self,
        data_dir: Path | str | None = None,
        *,
        chroma_url: str | None = None,
        model: str | None = None,
        fusion: str | None = None,
        database_url: str | None = None,
    ) -> None:
        self.data_dir = default_data_dir(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # The index and diffs stay in data_dir; the corpus may be PostgreSQL (corpus.db).
        self.store = Store(self.data_dir, database_url=database_url)
        self.chroma_url = chroma_url or os.environ.get(CHROMA_URL_ENV) or None
        self.model = model or os.environ.get(MODEL_ENV) or None
        self.fusion = fusion
        self._index: SearchIndex | None = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
        self.store.close()

    @property
    def index(self) -> SearchIndex:
        if self._index is None:
            # Imported here: the index pulls in torch/chromadb, which `list` or `show` never need.
            from index.search import SearchIndex

            # A PostgreSQL corpus holds the keyword index too (one for every machine).
            self._index = SearchIndex(
                self.data_dir,
                chroma_url=self.chroma_url,
                model=self.model,
                fusion=self.fusion,
                keyword_db=self.store.keyword_connection(),
            )
        return self._index

    # ------------------------------------------------------------------ adding

    def add(
        self,
        paths: Iterable[Path],
        *,
        index: bool = True,
        limits: Limits | None = None,
        progress: bool = False,
        jobs: int | None = None,
        executor: ExecutorName | Executor = "local",
        embed_in: EmbedIn = "writer",
    ) -> Iterator[AddReport]:
        """Ingest, extract, store (one transaction per file), diff, alert and index.

        Files the store already holds (``corpus.fingerprint``) are reported unchanged without
        being read; the others are ingested and extracted by ``jobs`` workers of
        ``executor`` (local processes by default, or Ray tasks: ``corpus.parallel``) and
        stored here, in the order given.
        With ``embed_in="workers"`` (and workers: not ``jobs=1``) each worker also embeds
        the passages of the file it read and the writer indexes with those vectors
        (``index.worker_vectors``; each worker then loads the embedders).
        ``limits.max_seconds_per_file`` covers each file's ingest, extraction and indexing.
        """
        files = expand_paths(paths)
        limits = limits or Limits()
        self.recover(index=index, limits=limits)  # what a run killed after its commit left
        known = Fingerprints(self.store).stored
        embed = None
        if index and embed_in == "workers" and not runs_inline(executor, jobs, len(files)):
            from index.worker_vectors import EmbedRequest

            embed = EmbedRequest.for_index(self.data_dir, self.model)
        batch = run_files(
            files,
            jobs=jobs,
            limits=limits,
            progress=progress,
            known=known,
            executor=executor,
            embed=embed,
        )
        for processed in batch:
            yield self.commit(processed, index=index, limits=limits)

    def read(self, path: Path, *, limits: Limits | None = None) -> ProcessedFile | Known:
        """Ingest + extract one file in this thread, writing nothing: the heavy half of
        ``add``, which callers may run side by side (the web app's uploads) before handing
        each result to ``commit``, the writer's half, one at a time."""
        known = Fingerprints(self.store).stored
        return next(run_files([path], jobs=1, limits=limits, known=known))

    def commit(
        self,
        processed: ProcessedFile | Known,
        *,
        index: bool = True,
        limits: Limits | None = None,
    ) -> AddReport:
        """Store one read file (one transaction), then run its alert and index work.

        Indexing gets what is left of the file's time budget; a file that runs out while
        indexed stays stored with its index work queued, reported by its E106."""
        if isinstance(processed, Known):
            return AddReport(path=processed.path, outcome=processed.outcome)
        if not processed.ok:
            return AddReport(path=processed.path, errors=processed.errors)
        assert processed.document is not None and processed.extraction is not None
        outcome = self.store.add_version(
            processed.document, processed.extraction, path=processed.path
        )
        crash_point("after_commit")
        if index and processed.passage_vectors:  # made by its worker: indexing finds them
            from index.worker_vectors import keep

            keep(self.index.passage_cache, processed.passage_vectors)
        report = AddReport(path=processed.path, outcome=outcome)
        report.warnings = warnings_for(self.store, processed.document, outcome)
        seconds = (limits or Limits()).max_seconds_per_file
        deadline = Deadline.resume(processed.path, seconds, processed.seconds)
        # The version's alert and index work, queued with it (corpus.outbox); an
        # unchanged file has none left unless a crash interrupted its first add.
        finished = outbox.run_version(self, outcome, index=index, deadline=deadline)
        report.alerts, report.diff_path = finished.alerts, finished.diff_path
        report.diff_summary = finished.diff_summary
        report.errors = finished.errors
        return report

    def recover(self, *, index: bool = True, limits: Limits | None = None) -> outbox.DrainReport:
        """Run the alert and index work earlier runs left queued (``index=False``: alerts),
        each index task within a file's time budget (``limits``)."""
        return outbox.drain(self, index=index, limits=limits)

    def index_version(self, doc_id: str, version: int) -> AddStats:
        return outbox.index_now(self, doc_id, version)

    def version_chunks(
        self, doc_id: str, version: int, latest: bool, *, diff: VersionDiff | None = None
    ) -> list[Chunk]:
        """Every search chunk one stored version gives: its own passages, and the changes from
        the version before it as diff passages (``index.diff_chunks``; ``diff``, when the
        caller has it, is that ``version_diff``).  The one definition indexing
        (corpus.outbox), ``all_chunks`` and ``regwatch check`` share."""
        from index.chunk import chunks_from

        stored = self.store.get_version(doc_id, version)
        assert stored.document is not None
        chunks = chunks_from(stored.extraction, stored.document, version, latest, doc_id=doc_id)
        earlier = [v.version for v in self.store.versions(doc_id) if v.version < version]
        if earlier:
            chunks += self.diff_chunks(doc_id, earlier[-1], version, latest, diff=diff)
        return chunks

    def version_diff(
        self,
        doc_id: str,
        old: int,
        new: int,
        *,
        records: tuple[list[Record], list[Record]] | None = None,
    ) -> VersionDiff:
        """The diff between two stored versions of a document, as its alert, its saved
        redline and its diff passages all use it: one definition (word tokens), so what
        ``check`` recomputes is what was indexed.  ``records``: the two versions' records,
        when the caller has loaded them."""
        before, after = records or (
            self.store.get_records(f"{doc_id}@{old}"),
            self.store.get_records(f"{doc_id}@{new}"),
        )
        return diff_versions(before, after, f"{doc_id}@{old}", f"{doc_id}@{new}")

    def diff_chunks(
        self, doc_id: str, old: int, new: int, latest: bool, *, diff: VersionDiff | None = None
    ) -> list[Chunk]:
        """The changes from version ``old`` to ``new`` as search passages (index.diff_chunks);
        ``diff`` is their ``version_diff`` when the caller has computed it already."""
        from index.diff_chunks import diff_chunks

        before = self.store.get_version(doc_id, old, with_document=False)
        after = self.store.get_version(doc_id, new)
        assert after.document is not None
        if diff is None or (diff.old, diff.new) != (f"{doc_id}@{old}", f"{doc_id}@{new}"):
            diff = self.version_diff(doc_id, old, new, records=(before.records, after.records))
        return diff_chunks(
            diff,
            doc_id=doc_id,
            old_version=old,
            new_version=new,
            old_identity=before.info.identity,
            new_identity=after.info.identity,
            language=after.document.language,
            latest=latest,
        )

    def all_chunks(self) -> list[Chunk]:
        """The search chunks of every stored version (the corpus is the source of truth),
        ``latest`` as the store derives it (corpus.latest), never a process's memory."""
        latest = self.store.latest_map()
        return [
            chunk
            for summary in self.store.list_documents()
            for info in self.store.versions(summary.doc_id)
            for chunk in self.version_chunks(
                summary.doc_id, info.version, info.version == latest[summary.doc_id]
            )
        ]

    def reindex(self) -> AddStats:
        """Rebuild the search index from the corpus (the corpus is the source of truth), and
        raise the alerts of versions that have none (lost to a crash before schema 2)."""
        from corpus.check import restore_alerts

        with outbox.index_lock(self):
            queued = [t for t in outbox.pending(self.store) if t.task == "index"]
            stats = self.index.rebuild(self.all_chunks())
            outbox.discard(self.store, queued)
        restore_alerts(self)
        return stats

    # ------------------------------------------------------------------ reading

    def records(self, ref: str) -> list[Record]:
        """Records of ``DOC[@VERSION]`` from the store, or of a PDF file extracted afresh."""
        path = Path(ref)
        if path.is_file():
            from corpus import pipeline

            processed = next(pipeline.process_files([path]))
            if processed.extraction is None:
                err = processed.errors[0] if processed.errors else {"message": "failed"}
                raise RegwatchError(err["message"], path=ref)
            return list(processed.extraction.records)
        return self.store.get_records(ref)

    def diff(self, old_ref: str, new_ref: str) -> VersionDiff:
        """Structural diff of two versions (``DOC@V`` references or PDF paths)."""
        old, new = self.records(old_ref), self.records(new_ref)
        return diff_versions(old, new, old_ref, new_ref)

    def search(self, query: str, **filters: object) -> list[Hit]:
        return self.index.search(query, **filters)  # type: ignore[arg-type]

    def deliver(self, subscriptions_path: Path | None, stdout: object = None) -> DeliveryReport:
        from corpus.delivery import deliver_pending
        from corpus.subscriptions import load_subscriptions

        subs = load_subscriptions(subscriptions_path) if subscriptions_path else []
        return deliver_pending(self.store, subs, stdout=stdout)  # type: ignore[arg-type]
