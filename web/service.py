"""What the API routes and the pages share: each is a thin wrapper over a Workspace call
(the same calls the CLI makes), plus caching keyed by file hashes (versions never change)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from corpus.pipeline import Limits
from corpus.queue import load_alerts
from corpus.store import parse_version
from corpus.workspace import AddReport, Workspace
from index.han_fold import fold_han
from models.corpus import Alert, StoredVersion, VersionInfo
from models.diff import VersionDiff
from models.errors import EmptyFileError, InputError, LimitExceededError, NotFoundError
from models.provenance import BBox
from models.records import Article
from web.display import alert_lines
from web.errors import ApiError, too_large_message
from web.i18n import enum_translator, translator
from web.loanwords import fold_loanwords
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


def parse_since(since: str | None) -> str | None:
    """``since`` as an ISO date or time (compared with ``Alert.created``); anything else is
    a coded error, not an empty list that reads as "no alerts"."""
    if not since:
        return None
    text = since.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(
            400,
            InputError.code,
            f"since: cannot read {since!r} as a date (YYYY-MM-DD or an ISO date-time expected)",
        ) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC)
    # Alert.created is UTC ISO 8601: a date alone means from its start.
    return parsed.strftime("%Y-%m-%dT%H:%M:%S") if "T" in text or " " in text else text[:10]


def fold_text(text: str) -> str:
    """The matching key of a text: case, width and Han forms folded (経済 = 经济 = 經濟), as the
    keyword index does, and material names (リチウム電池 = 锂电池), so one keyword finds a ja
    alert and a zh one."""
    return fold_han(fold_loanwords(unicodedata.normalize("NFKC", text).casefold()))


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
    the title, summary lines and changed values (Han forms folded), ``doc_id`` a document id
    prefix, ``since`` an ISO date or time (a bad one is an ``InputError``)."""
    start = parse_since(since)
    needle = fold_text((text or "").strip())
    kept = [
        a
        for a in alerts
        if (not event or a.event == event)
        and (not doc_id or a.doc_id.startswith(doc_id))
        and (not kind or kind in a.payload.changed_kinds)
        and (not start or a.created >= start)
        and (not needle or needle in fold_text(_alert_text(a)))
    ]
    kept.sort(key=lambda a: (a.created, a.id), reverse=True)
    return kept[:limit]


def _alert_text(alert: Alert) -> str:
    payload = alert.payload
    parts = [alert.title, *alert.summary, payload.identity.title or ""]
    parts += [t.text for t in payload.thresholds]
    parts += [i.heading for i in payload.item_lists]
    parts += [f"{c.old or ''} {c.new or ''}" for c in payload.field_changes]
    return "\n".join(parts)


def alerts(ws: Workspace, **filters: object) -> list[Alert]:
    return filter_alerts(load_alerts(ws.store), **filters)  # type: ignore[arg-type]


def article_labels(state: AppState, ws: Workspace, doc_id: str, version: int) -> dict[int, str]:
    """Article number → its label as written (第十条, 一、) in one stored version."""
    key = ("labels", doc_id, str(version))

    def read() -> dict[int, str]:
        try:
            records = ws.store.get_records(f"{doc_id}@{version}")
        except NotFoundError:
            return {}
        labels: dict[int, str] = {}
        for r in records:
            # 第四条の二 shares number 4 with 第四条: the plain article keeps the number.
            if isinstance(r, Article) and r.number and (r.key in (None, str(r.number))):
                labels.setdefault(r.number, r.label)
        return labels

    labels = state.views.get_or_make(key, read)
    assert isinstance(labels, dict)
    return labels


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
                    raise LimitExceededError(too_large_message(limit))
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
    A file that fails is removed again and its first coded error raised.

    Reading and extraction (seconds to minutes for a long PDF) run on this request's
    thread, beside other uploads; only the writer's half (store, alert, index: one writer
    for SQLite and Chroma) waits for ``upload_lock``, so one slow file never holds the
    others back."""
    limits = Limits(ocr=ocr)
    processed = ws.read(path, limits=limits)
    with state.upload_lock:
        ws.recover(index=index, limits=limits)  # what a killed run left queued
        report = ws.commit(processed, index=index, limits=limits)
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


def localised_summary(state: AppState, ws: Workspace, alert: Alert, language: str) -> list[str]:
    """An alert's summary lines in ``language``, with the article labels of its versions."""
    labels = article_labels(state, ws, alert.doc_id, alert.version)
    previous = alert.payload.previous_version
    old_labels = article_labels(state, ws, alert.doc_id, previous) if previous else {}
    return alert_lines(alert, enum_translator(language), translator(language), labels, old_labels)
