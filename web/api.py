"""The HTTP API: JSON over the same Workspace calls the CLI makes (OpenAPI at /openapi.json)."""

from __future__ import annotations

import hmac
from typing import Annotated, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from corpus.atom import atom_xml
from corpus.queue import load_alerts
from corpus.render import render_html
from models.corpus import Alert, DocumentSummary, VersionInfo
from models.diff import VersionDiff
from models.document import DocumentIdentity
from models.errors import NotFoundError
from models.provenance import BBox
from models.records import ExtractionResult
from models.search import Hit
from web import service
from web.errors import ERROR_RESPONSES, ApiError
from web.state import AppState

router = APIRouter()


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
    """``AddReport.as_json()`` of the stored file."""

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
        raise ApiError(401, "E601", "wrong API token")


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
    latest_version = ws.store.latest_version(versions[0].doc_id)
    latest = next(v for v in versions if v.version == latest_version)
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
    responses=ERROR_RESPONSES,
    tags=["documents"],
)
def get_records(
    request: Request,
    doc_id: str,
    version: str,
    kind: Annotated[list[str] | None, Query(description="Record kinds (repeatable)")] = None,
    article: Annotated[int | None, Query(description="Only records of this article")] = None,
) -> ExtractionResult:
    """The extraction JSON of a version (``regwatch extract`` format), optionally filtered."""
    ws = state_of(request).workspace()
    info = service.version_info(ws, doc_id, version)
    extraction = service.stored_version(ws, info, with_document=False).extraction
    records = [
        r
        for r in extraction.records
        if (not kind or r.kind in kind) and (article is None or r.article == article)
    ]
    return extraction.model_copy(update={"records": records})


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
    report = service.ingest_upload(
        state, state.workspace(), path, index=index and settings.index_uploads, ocr=ocr
    )
    status = 200 if report.outcome and report.outcome.status == "unchanged" else 201
    return JSONResponse(report.as_json(), status_code=status)


@router.get("/search", response_model=SearchResponse, responses=ERROR_RESPONSES, tags=["search"])
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
) -> SearchResponse:
    """Hybrid search over the corpus (as ``regwatch search``): best passages first."""
    hits = state_of(request).search(
        q,
        k=k,
        lang=lang,
        issuer=issuer,
        kind=kind,
        effective_after=effective_after,
        all_versions=all_versions,
        mode=mode,
    )
    return SearchResponse(query=q, hits=hits)


@router.get(
    "/diff",
    response_model=VersionDiff,
    responses={**ERROR_RESPONSES, 200: {"content": {"text/html": {}}}},
    tags=["diff"],
)
def get_diff(
    request: Request,
    old: Annotated[str, Query(description="DOC@VERSION")],
    new: Annotated[str, Query(description="DOC@VERSION")],
    format: Literal["json", "html"] | None = None,
) -> Response:
    """Structural diff of two stored versions; the 新旧対照表 HTML with ``Accept: text/html``
    (or ``format=html``)."""
    state = state_of(request)
    result = service.diff(state, state.workspace(), old, new)
    wants_html = format == "html" or (
        format is None and _prefers_html(request.headers.get("accept", ""))
    )
    if wants_html:
        return HTMLResponse(render_html(result))
    return Response(result.model_dump_json(), media_type="application/json")


def _prefers_html(accept: str) -> bool:
    kinds = [part.split(";")[0].strip() for part in accept.split(",")]
    return "text/html" in kinds and (
        "application/json" not in kinds
        or kinds.index("text/html") < kinds.index("application/json")
    )


@router.get("/alerts", response_model=AlertList, tags=["alerts"])
def list_alerts(
    request: Request,
    event: Literal["new_document", "new_version"] | None = None,
    doc_id: str | None = None,
    kind: Annotated[str | None, Query(description="A changed kind: threshold, date...")] = None,
    q: Annotated[str | None, Query(description="Text in the title or summary")] = None,
    since: Annotated[str | None, Query(description="ISO date or time")] = None,
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
    """The Atom feed of alerts (newest first)."""
    alerts = load_alerts(state_of(request).workspace().store)
    return Response(atom_xml(alerts), media_type="application/atom+xml")


@router.get("/health", tags=["meta"])
def health(request: Request) -> dict[str, object]:
    ws = state_of(request).workspace()
    return {"ok": True, "documents": len(ws.store.list_documents())}


__all__ = ["NotFoundError", "check_write_allowed", "router", "state_of"]
