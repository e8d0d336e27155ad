"""The Python API: one object over the corpus store, the search index and the pipeline.

The CLI (and any other tool) calls these methods; they are the only implementation.

    from corpus.workspace import Workspace
    with Workspace("~/.regwatch") as ws:
        reports = ws.add([Path("notice.pdf")])
        hits = ws.search("価値比率0.1%以上の規則")
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from corpus import pipeline
from corpus.alerts import raise_alerts
from corpus.diff import diff_versions
from corpus.files import expand_paths
from corpus.render import render_html
from corpus.store import Store, default_data_dir
from ingest.pipeline import Limits
from models.corpus import AddOutcome, Alert, DeliveryReport
from models.diff import VersionDiff
from models.errors import RegwatchError
from models.records import Record
from models.search import Chunk, Hit

if TYPE_CHECKING:
    from index.search import AddStats, SearchIndex

CHROMA_URL_ENV = "REGWATCH_CHROMA_URL"
MODEL_ENV = "REGWATCH_MODEL"


@dataclass
class AddReport:
    """Per-file outcome of ``Workspace.add``: stored, unchanged, or failed with coded errors."""

    path: str
    outcome: AddOutcome | None = None
    alerts: list[Alert] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
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
        }


class Workspace:
    def __init__(
        self,
        data_dir: Path | str | None = None,
        *,
        chroma_url: str | None = None,
        model: str | None = None,
        fusion: str | None = None,
    ) -> None:
        self.data_dir = default_data_dir(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = Store(self.data_dir)
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

            self._index = SearchIndex(
                self.data_dir, chroma_url=self.chroma_url, model=self.model, fusion=self.fusion
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
    ) -> Iterator[AddReport]:
        """Ingest, extract, store (one transaction per file), diff, alert and index."""
        files = expand_paths(paths)
        for processed in pipeline.process_files(files, limits=limits, progress=progress):
            if not processed.ok:
                yield AddReport(path=processed.path, errors=processed.errors)
                continue
            assert processed.document is not None and processed.extraction is not None
            outcome = self.store.add_version(
                processed.document, processed.extraction, path=processed.path
            )
            report = AddReport(path=processed.path, outcome=outcome)
            if outcome.status == "unchanged":
                yield report
                continue
            diff = None
            if outcome.status == "new_version" and outcome.previous_version is not None:
                diff = self.diff(
                    f"{outcome.doc_id}@{outcome.previous_version}",
                    f"{outcome.doc_id}@{outcome.version}",
                )
                report.diff_path = str(self._save_diff(diff))
                report.diff_summary = [c.summary for c in diff.field_changes]
            report.alerts = raise_alerts(self.store, outcome, diff, diff_link=report.diff_path)
            if index:
                self.index_version(outcome.doc_id, outcome.version)
            yield report

    def _save_diff(self, diff: VersionDiff) -> Path:
        out = self.data_dir / "diffs"
        out.mkdir(exist_ok=True)
        path = out / f"{diff.old}..{diff.new}.html".replace("/", "_")
        path.write_text(render_html(diff), encoding="utf-8")
        return path

    def index_version(self, doc_id: str, version: int) -> AddStats:
        from index.chunk import chunks_from

        stored = self.store.get_version(doc_id, version)
        assert stored.document is not None
        versions = [v.version for v in self.store.versions(doc_id)]
        latest = versions[-1]
        chunks = chunks_from(
            stored.extraction, stored.document, version, version == latest, doc_id=doc_id
        )
        earlier = [v for v in versions if v < version]
        if earlier:
            chunks += self.diff_chunks(doc_id, earlier[-1], version, version == latest)
        return self.index.add(chunks)

    def diff_chunks(self, doc_id: str, old: int, new: int, latest: bool) -> list[Chunk]:
        """The changes from version ``old`` to ``new`` as search passages (index.diff_chunks)."""
        from index.diff_chunks import diff_chunks

        before = self.store.get_version(doc_id, old, with_document=False)
        after = self.store.get_version(doc_id, new)
        assert after.document is not None
        diff = diff_versions(
            list(before.extraction.records),
            list(after.extraction.records),
            f"{doc_id}@{old}",
            f"{doc_id}@{new}",
            tokenizer="fast",
        )
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
        """The search chunks of every stored version (the corpus is the source of truth)."""
        from index.chunk import chunks_from

        chunks = []
        for summary in self.store.list_documents():
            infos = self.store.versions(summary.doc_id)
            for old, new in itertools.pairwise(infos):
                chunks += self.diff_chunks(
                    summary.doc_id,
                    old.version,
                    new.version,
                    new.version == summary.latest_version,
                )
            for info in infos:
                stored = self.store.get_version(summary.doc_id, info.version)
                assert stored.document is not None
                chunks.extend(
                    chunks_from(
                        stored.extraction,
                        stored.document,
                        info.version,
                        info.version == summary.latest_version,
                        doc_id=summary.doc_id,
                    )
                )
        return chunks

    def reindex(self) -> AddStats:
        """Rebuild the search index from the corpus."""
        return self.index.rebuild(self.all_chunks())

    # ------------------------------------------------------------------ reading

    def records(self, ref: str) -> list[Record]:
        """Records of ``DOC[@VERSION]`` from the store, or of a PDF file extracted afresh."""
        path = Path(ref)
        if path.is_file():
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
