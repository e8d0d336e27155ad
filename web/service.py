"""What the API routes and the pages share: each is a thin wrapper over a Workspace call
(the same calls the CLI makes), plus caching keyed by file hashes (versions never change)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from corpus.pipeline import Limits
from corpus.queue import load_alerts
from corpus.store import parse_version
from corpus.workspace import AddReport, Workspace
from models.corpus import Alert, StoredVersion, VersionInfo
from models.diff import VersionDiff
from models.errors import EmptyFileError, InputError, LimitExceededError, NotFoundError
from models.provenance import BBox
from web.state import AppState
from web.views import DocumentView, build_view

UPLOAD_DIR = "uploads"
PAGE_CACHE_DIR = Path("cache") / "pages"
COPY_CHUNK = 1024 * 1024
_UNSAFE_NAME = re.compile(r"[^\w.\-]+", re.UNICODE)


def version_info(ws: Workspace, ref: str, version: int | str | None = None) -> VersionInfo:
    """The stored version ``ref`` names (``DOC``, ``DOC@N``, prefix...); latest by default."""
    if version is not None and str(version) != "latest":
        ref = f"{ref.partition('@')[0]}@{parse_version(str(version))}"
    doc_id, wanted = ws.store.resolve(ref)
    infos = ws.store.versions(doc_id)
    if wanted is None:
        wanted = ws.store.latest_version(doc_id)  # by date, not the last added
    return next(i for i in infos if i.version == wanted)


def stored_version(ws: Workspace, info: VersionInfo, *, with_document: bool) -> StoredVersion:
    return ws.store.get_version(info.doc_id, info.version, with_document=with_document)


def document_view(state: AppState, ws: Workspace, info: VersionInfo) -> DocumentView:
    # Keyed by the file hash too: link/unlink renumber versions, a hash never changes.
    key = (info.doc_id, str(info.version), info.sha256)
    view = state.views.get_or_make(
        key, lambda: build_view(stored_version(ws, info, with_document=True))
    )
    assert isinstance(view, DocumentView)
    return view


def diff(state: AppState, ws: Workspace, old: str, new: str) -> VersionDiff:
    """``Workspace.diff`` of two stored versions.  Refs are resolved in the store first and
    passed on canonical (``DOC@N``): over HTTP a ref must never be read as a server path."""
    old_info, new_info = version_info(ws, old), version_info(ws, new)
    key = (old_info.ref, new_info.ref, old_info.sha256, new_info.sha256)
    result = state.diffs.get_or_make(key, lambda: ws.diff(old_info.ref, new_info.ref))
    assert isinstance(result, VersionDiff)
    return result


def filter_alerts(
    alerts: Iterable[Alert],
    *,
    event: str | None = None,
    doc_id: str | None = None,
    kind: str | None = None,
    text: str | None = None,
    since: str | None = None,
    limit: int = 50,
) -> list[Alert]:
    """Newest first; ``kind`` matches the changed kinds (threshold, date, item...), ``text``
    the title and summary lines, ``doc_id`` a document id prefix."""
    needle = (text or "").strip().casefold()
    kept = [
        a
        for a in alerts
        if (not event or a.event == event)
        and (not doc_id or a.doc_id.startswith(doc_id))
        and (not kind or kind in a.payload.changed_kinds)
        and (not since or a.created >= since)
        and (not needle or needle in (a.title + "\n" + "\n".join(a.summary)).casefold())
    ]
    kept.sort(key=lambda a: (a.created, a.id), reverse=True)
    return kept[:limit]


def alerts(ws: Workspace, **filters: object) -> list[Alert]:
    return filter_alerts(load_alerts(ws.store), **filters)  # type: ignore[arg-type]


def safe_filename(name: str | None) -> str:
    """A plain file name from a client-supplied one (no folders, no odd characters)."""
    base = Path((name or "").replace("\\", "/")).name
    stem = _UNSAFE_NAME.sub("_", Path(base).stem).strip("._") or "upload"
    return f"{stem[:80]}.pdf"


def save_upload(data_dir: Path, source: BinaryIO, filename: str | None, limit: int) -> Path:
    """Copy an uploaded file under ``DATA_DIR/uploads`` (named by its hash and first name: the
    same bytes uploaded again, under any name, are one file) and return its path; raises
    over ``limit`` bytes."""
    folder = data_dir / UPLOAD_DIR
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    partial = folder / f".partial-{id(source)}-{safe_filename(filename)}"
    size = 0
    try:
        with partial.open("wb") as out:
            while chunk := source.read(COPY_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise LimitExceededError(f"upload larger than the limit of {limit} bytes")
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise EmptyFileError("the uploaded file is empty", filename or "")
        sha = digest.hexdigest()
        # The same bytes under another name are the file already kept: one copy, and the
        # version's stored path stays the one it was added from.
        for kept in sorted(folder.glob(f"{sha[:16]}-*.pdf")):
            if _sha256(kept) == sha:
                return kept
        target = folder / f"{sha[:16]}-{safe_filename(filename)}"
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def ingest_upload(
    state: AppState, ws: Workspace, path: Path, *, index: bool, ocr: str = "auto"
) -> AddReport:
    """``Workspace.add`` on one saved upload: ingest, extract, store, diff, alert, index.
    A file that fails is removed again and its first coded error raised."""
    with state.upload_lock:
        reports = list(ws.add([path], index=index, limits=Limits(ocr=ocr)))
    report = reports[0]
    if report.outcome is None:
        path.unlink(missing_ok=True)
        first = report.errors[0] if report.errors else {"code": "E100", "message": "failed"}
        raise _input_error(first.get("code", ""), first.get("message", "cannot ingest"), path.name)
    return report


def _input_error(code: str, message: str, name: str) -> InputError:
    """The ``InputError`` subclass whose code the pipeline reported (E101 not a PDF...)."""
    classes = [InputError, *InputError.__subclasses__()]
    cls = next((c for c in classes if c.code == code), InputError)
    return cls(message, name)


def source_pdf(data_dir: Path, info: VersionInfo) -> Path | None:
    """The version's source PDF if it is still where it was added and unchanged (by hash)."""
    stored = Path(info.path).expanduser()
    for candidate in (stored, data_dir / stored, data_dir / UPLOAD_DIR / stored.name):
        if candidate.is_file() and _sha256(candidate) == info.sha256:
            return candidate
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(COPY_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def page_png(data_dir: Path, info: VersionInfo, page: int, bbox: BBox | None = None) -> bytes:
    """The rendered page, ``bbox`` outlined; plain pages are cached on disk by hash and page."""
    from ingest.render_page import render_page_png

    cached = data_dir / PAGE_CACHE_DIR / f"{info.sha256[:24]}-p{page}.png"
    if bbox is None and cached.is_file():
        return cached.read_bytes()
    pdf = source_pdf(data_dir, info)
    if pdf is None:
        raise NotFoundError(f"the source PDF of {info.ref} is not available", info.path)
    png = render_page_png(pdf, page, bbox=bbox)
    if bbox is not None:
        return png
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".tmp")
    tmp.write_bytes(png)
    tmp.replace(cached)
    return png
