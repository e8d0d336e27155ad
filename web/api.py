"""The HTTP API: JSON over the same Workspace calls the CLI makes (OpenAPI at /openapi.json)."""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from typing import Annotated, Literal
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from corpus.atom import atom_xml
from corpus.queue import load_alerts
from corpus.render import render_html, render_markdown
from models.corpus import AddOutcome, Alert, DocumentSummary, VersionInfo
from models.diff import VersionDiff
from models.document import DocumentIdentity
from models.errors import NotFoundError
from models.provenance import BBox
from models.records import ExtractionResult
from models.search import Hit
from web import service
from web.errors import ERROR_RESPONSES, ApiError, ErrorResponse
from web.exports import (
    CSV_MEDIA_TYPE,
    HIT_COLUMNS,
    RECORD_COLUMNS,
    XLSX_MEDIA_TYPE,
    Row,
    hit_rows,
    record_rows,
    to_csv,
    to_xlsx,
)
from web.i18n import pick_language
from web.state import AppState

router = APIRouter()
WRONG_TOKEN = "wrong API token"
# Declares the scheme in OpenAPI (Swagger's Authorize button); the check itself is
# check_write_allowed, which also takes the upload form's token field.
BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="REGWATCH_API_TOKEN of the server: needed for uploads when it is set",
)


class DocumentPage(BaseModel):
    total: int
    offset: int
    limit: int
    documents: list[DocumentSummary]


class DocumentDetail(BaseModel):
    doc_id: str
    identity: DocumentIdentity = Field(description="Identity of the latest version")
    latest_version: int
    versions: list[VersionInfo]


class VersionDetail(BaseModel):
    version: VersionInfo
    extraction: ExtractionResult


class SearchResponse(BaseModel):
    query: str
    hits: list[Hit]
    no_close_match: bool = Field(
        default=False,
        description="True when nothing reached the relevance floor (hits is then empty)",
    )


class AlertList(BaseModel):
    total: int
    alerts: list[Alert]


class UploadResult(BaseModel):
    """``AddReport.as_json()`` of the stored file, with what a person reads first: the title,
    what happened in words, and the workspace pages to open (relative links)."""

    title: str | None = Field(default=None, description="Title of the stored version")
    message: str = Field(
        default="",
        description="What happened: 'new document', 'new version 2 of …', 'unchanged (…)'",
    )
    document_url: str | None = Field(default=None, description="The version in the workspace")
    diff_url: str | None = Field(
        default=None, description="The diff with the previous version (new versions only)"
    )
    path: str
    status: str
    doc_id: str | None
    version: int | None
    matched_by: str | None
    alerts: list[str]
    diff: str | None
    changes: list[str]
    errors: list[dict[str, str]]


def state_of(request: Request) -> AppState:
    return request.app.state.regwatch  # type: ignore[no-any-return]


def check_write_allowed(request: Request, form_token: str | None = None) -> None:
    """A write needs the API token when one is set, and never comes from another site
    (a page elsewhere must not post files into a corpus served on localhost)."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise ApiError(403, "E602", f"cross-site request from {origin} refused")
    token = state_of(request).settings.api_token
    if not token:
        return
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    offered = given.strip() if scheme.lower() == "bearer" else (form_token or "")
    if not offered:
        raise ApiError(401, "E601", "this server needs an API token: Authorization: Bearer TOKEN")
    if not hmac.compare_digest(offered.encode(), token.encode()):
        raise ApiError(401, "E601", WRONG_TOKEN)


@router.get("/documents", response_model=DocumentPage, tags=["documents"])
def list_documents(
    request: Request,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> DocumentPage:
    """Documents of the corpus, oldest first (as ``regwatch list``)."""
    summaries = state_of(request).workspace().store.list_documents()
    return DocumentPage(
        total=len(summaries),
        offset=offset,
        limit=limit,
        documents=summaries[offset : offset + limit],
    )


@router.get(
    "/documents/{doc_id}",
    response_model=DocumentDetail,
    responses=ERROR_RESPONSES,
    tags=["documents"],
)
def get_document(request: Request, doc_id: str) -> DocumentDetail:
    """A document's identity and versions (``doc_id`` may be a unique prefix)."""
    ws = state_of(request).workspace()
    versions = ws.store.versions(doc_id)
    latest = versions[-1]
    return DocumentDetail(
        doc_id=latest.doc_id,
        identity=latest.identity,
        latest_version=latest.version,
        versions=versions,
    )


@router.get(
    "/documents/{doc_id}/versions/{version}",
    response_model=VersionDetail,
    responses=ERROR_RESPONSES,
    tags=["documents"],
)
def get_version(request: Request, doc_id: str, version: str) -> VersionDetail:
    """One version: its identity and the extraction (as ``regwatch show``)."""
    ws = state_of(request).workspace()
    info = service.version_info(ws, doc_id, version)
    stored = service.stored_version(ws, info, with_document=False)
    return VersionDetail(version=stored.info, extraction=stored.extraction)


@router.get(
    "/documents/{doc_id}/versions/{version}/records",
    response_model=ExtractionResult,
    responses={**ERROR_RESPONSES, 200: {"content": {CSV_MEDIA_TYPE: {}, XLSX_MEDIA_TYPE: {}}}},
    tags=["documents"],
)
def get_records(
    request: Request,
    doc_id: str,
    version: str,
    kind: Annotated[list[str] | None, Query(description="Record kinds (repeatable)")] = None,
    article: Annotated[int | None, Query(description="Only records of this article")] = None,
    format: Annotated[
        Literal["json", "csv", "xlsx"],
        Query(description="json (the extraction), or a table with provenance columns"),
    ] = "json",
) -> Response:
    """The extraction JSON of a version (``regwatch extract`` format), optionally filtered;
    ``format=csv|xlsx``: one row per record with its provenance (file hash, page, box,
    character span, sub-document)."""
    ws = state_of(request).workspace()
    info = service.version_info(ws, doc_id, version)
    extraction = service.stored_version(ws, info, with_document=False).extraction
    records = [
        r
        for r in extraction.records
        if (not kind or r.kind in kind) and (article is None or r.article == article)
    ]
    result = extraction.model_copy(update={"records": records})
    if format == "json":
        return Response(result.model_dump_json(), media_type="application/json")
    rows = record_rows(result, info.doc_id, info.version)
    return _table(RECORD_COLUMNS, rows, format, f"{info.doc_id}_v{info.version}_records")


def _table(columns: Sequence[str], rows: list[Row], format: str, name: str) -> Response:
    if format == "csv":
        body, media = to_csv(columns, rows), CSV_MEDIA_TYPE
    else:
        body, media = to_xlsx(columns, rows, sheet=name), XLSX_MEDIA_TYPE
    disposition = f'attachment; filename="{name}.{format}"'
    return Response(body, media_type=media, headers={"content-disposition": disposition})


@router.get(
    "/documents/{doc_id}/versions/{version}/pages/{page}.png",
    response_class=Response,
    responses={**ERROR_RESPONSES, 200: {"content": {"image/png": {}}}},
    tags=["documents"],
)
def get_page_image(
    request: Request,
    doc_id: str,
    version: str,
    page: int,
    bbox: Annotated[
        str | None, Query(description="x0,top,x1,bottom in PDF points: outlined on the page")
    ] = None,
) -> Response:
    """The PDF page rendered as PNG (provenance), with an optional box outlined."""
    state = state_of(request)
    info = service.version_info(state.workspace(), doc_id, version)
    box = _parse_bbox(bbox) if bbox else None
    png = service.page_png(state.settings.data_dir, info, page, box)
    return Response(png, media_type="image/png", headers={"Cache-Control": "max-age=86400"})


def _parse_bbox(text: str) -> BBox:
    try:
        x0, top, x1, bottom = (float(v) for v in text.split(","))
    except ValueError as exc:
        raise ApiError(422, "E100", f"bad bbox {text!r}: x0,top,x1,bottom expected") from exc
    return BBox(x0=x0, top=top, x1=x1, bottom=bottom)


@router.post(
    "/documents",
    response_model=UploadResult,
    status_code=201,
    responses={**ERROR_RESPONSES, 200: {"model": UploadResult, "description": "Already stored"}},
    tags=["documents"],
)
def upload_document(
    request: Request,
    file: Annotated[UploadFile, File(description="The PDF")],
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)] = None,
    index: Annotated[bool, Query(description="Also update the search index")] = True,
    ocr: Annotated[
        Literal["auto", "always", "never"],
        Query(description="OCR pages without a real text layer (auto), every page, or none"),
    ] = "auto",
) -> JSONResponse:
    """Add a PDF: ingested, extracted, stored (new document or new version), diffed against
    the previous version, alert raised, indexed.  201 when stored, 200 when already known."""
    check_write_allowed(request)
    state = state_of(request)
    settings = state.settings
    path = service.save_upload(
        settings.data_dir, file.file, file.filename, settings.max_upload_bytes
    )
    ws = state.workspace()
    report = service.ingest_upload(state, ws, path, index=index and settings.index_uploads, ocr=ocr)
    outcome = report.outcome
    assert outcome is not None  # ingest_upload raises on failure
    title = service.version_info(ws, outcome.doc_id, outcome.version).identity.title
    result = UploadResult(**report.as_json(), **upload_links(outcome, title))  # type: ignore[arg-type]
    status = 200 if outcome.status == "unchanged" else 201
    return JSONResponse(result.model_dump(), status_code=status)


def upload_links(outcome: AddOutcome, title: str | None) -> dict[str, str | None]:
    name = title or outcome.doc_id
    messages = {
        "new_document": f"new document: {name}",
        "new_version": f"new version {outcome.version} of {name} "
        f"(after version {outcome.previous_version})",
        "unchanged": f"unchanged: this file is version {outcome.version} of {name}",
    }
    diff_url = None
    if outcome.previous_version is not None and outcome.status == "new_version":
        query = urlencode(
            {"doc": outcome.doc_id, "old": outcome.previous_version, "new": outcome.version}
        )
        diff_url = f"/ui/diff?{query}"
    return {
        "title": title,
        "message": messages[outcome.status],
        "document_url": f"/ui/documents/{outcome.doc_id}?v={outcome.version}",
        "diff_url": diff_url,
    }


@router.get(
    "/search",
    response_model=SearchResponse,
    responses={**ERROR_RESPONSES, 200: {"content": {CSV_MEDIA_TYPE: {}, XLSX_MEDIA_TYPE: {}}}},
    tags=["search"],
)
def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, description="The question (ja/zh/en)")],
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    lang: Literal["ja", "zh", "en"] | None = None,
    issuer: str | None = None,
    kind: str | None = None,
    effective_after: str | None = None,
    all_versions: bool = False,
    mode: Literal["hybrid", "dense", "keyword"] = "hybrid",
    format: Annotated[
        Literal["json", "csv", "xlsx"], Query(description="json, or a table of the hits")
    ] = "json",
) -> Response:
    """Hybrid search over the corpus (as ``regwatch search``): best passages first;
    ``format=csv|xlsx`` gives the hits as a table (rank, document, version, article, page...)."""
    response = run_search(
        state_of(request),
        q,
        k=k,
        lang=lang,
        issuer=issuer,
        kind=kind,
        effective_after=effective_after,
        all_versions=all_versions,
        mode=mode,
    )
    if format == "json":
        return Response(response.model_dump_json(), media_type="application/json")
    return _table(HIT_COLUMNS, hit_rows(response.hits), format, "search")


def run_search(state: AppState, q: str, **filters: object) -> SearchResponse:
    """The one search both ``/search`` and the search page call."""
    hits = state.search(q, **filters)
    return SearchResponse(query=q, hits=hits, no_close_match=not hits)


@router.get(
    "/diff",
    response_model=VersionDiff,
    responses={**ERROR_RESPONSES, 200: {"content": {"text/html": {}, "text/markdown": {}}}},
    tags=["diff"],
)
def get_diff(
    request: Request,
    old: Annotated[str, Query(description="DOC@VERSION")],
    new: Annotated[str, Query(description="DOC@VERSION")],
    format: Literal["json", "html", "markdown"] | None = None,
    download: Annotated[
        bool, Query(description="Send as a file to save (Content-Disposition: attachment)")
    ] = False,
) -> Response:
    """Structural diff of two stored versions; the 新旧対照表 as HTML with ``Accept: text/html``
    (or ``format=html``), as Markdown with ``format=markdown``."""
    state = state_of(request)
    result = service.diff(state, state.workspace(), old, new)
    if format is None and _prefers_html(request.headers.get("accept", "")):
        format = "html"
    if format == "html":
        response: Response = HTMLResponse(render_html(result))
    elif format == "markdown":
        response = Response(render_markdown(result), media_type="text/markdown; charset=utf-8")
    else:
        response = Response(result.model_dump_json(), media_type="application/json")
    if download:
        extension = {"html": "html", "markdown": "md"}.get(format or "", "json")
        name = f"{result.old}..{result.new}".replace("@", "_v")
        response.headers["content-disposition"] = f'attachment; filename="{name}.{extension}"'
    return response


def _prefers_html(accept: str) -> bool:
    kinds = [part.split(";")[0].strip() for part in accept.split(",")]
    return "text/html" in kinds and (
        "application/json" not in kinds
        or kinds.index("text/html") < kinds.index("application/json")
    )


@router.get(
    "/alerts",
    response_model=AlertList,
    responses={400: {"model": ErrorResponse}},
    tags=["alerts"],
)
def list_alerts(
    request: Request,
    event: Literal["new_document", "new_version"] | None = None,
    doc_id: str | None = None,
    kind: Annotated[str | None, Query(description="A changed kind: threshold, date...")] = None,
    q: Annotated[str | None, Query(description="Text in the title or summary")] = None,
    since: Annotated[
        str | None, Query(description="ISO date or time (400 when it is not one)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> AlertList:
    """Queued alerts, newest first."""
    found = service.alerts(
        state_of(request).workspace(),
        event=event,
        doc_id=doc_id,
        kind=kind,
        text=q,
        since=since,
        limit=limit,
    )
    return AlertList(total=len(found), alerts=found)


@router.get(
    "/alerts.atom",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}}},
    tags=["alerts"],
)
def alerts_feed(request: Request) -> Response:
    """The Atom feed of alerts (newest first): each entry links to its page in the workspace
    (the diff of a new version, the document of a new one), its summary in the language of
    ``?lang=`` or Accept-Language, each change with its article."""
    state = state_of(request)
    ws = state.workspace()
    language = pick_language(request)
    self_href = "/alerts.atom" + (f"?lang={language}" if request.query_params.get("lang") else "")
    body = atom_xml(
        load_alerts(ws.store),
        link=alert_page,
        summary=lambda alert: service.localised_summary(state, ws, alert, language),
        self_href=self_href,
        language=language,
    )
    return Response(body, media_type="application/atom+xml")


def alert_page(alert: Alert) -> str:
    """The workspace page of an alert, as a path (relative: it works behind a proxy)."""
    previous = alert.payload.previous_version
    if alert.event == "new_version" and previous is not None:
        query = urlencode({"doc": alert.doc_id, "old": previous, "new": alert.version})
        return f"/ui/diff?{query}"
    return f"/ui/documents/{alert.doc_id}?v={alert.version}"


@router.get("/health", tags=["meta"])
def health(request: Request) -> dict[str, object]:
    ws = state_of(request).workspace()
    return {"ok": True, "documents": len(ws.store.list_documents())}


__all__ = ["NotFoundError", "check_write_allowed", "router", "state_of"]
