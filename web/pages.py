"""The analysts' web workspace: server-rendered pages over the same calls as the API.

Jinja autoescape is on for every template: document text comes from unvetted PDFs.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from models.errors import RegwatchError
from web import service
from web.api import check_write_allowed, state_of
from web.i18n import LANG_COOKIE, pick_language, translator

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.autoescape = True
# Chunk ids end in ":a<offset>:<part>" / ":c<offset>:<part>" (index.chunk): the offset lets a
# hit open at its exact paragraph; without it the article number or page is used.
_CHUNK_OFFSET = re.compile(r":[ac](\d+):\d+$")
RECORD_KINDS = ("threshold", "date", "item_list", "definition", "reference", "article")

router = APIRouter(prefix="/ui", include_in_schema=False)


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    language = pick_language(request)
    response = TEMPLATES.TemplateResponse(
        request,
        name,
        {"t": translator(language), "lang": language, **context},
        status_code=status,
    )
    asked = request.query_params.get("lang")
    if asked == language and request.cookies.get(LANG_COOKIE) != language:
        response.set_cookie(LANG_COOKIE, language, max_age=365 * 86400, samesite="lax")
    return response


def render_error(request: Request, status: int, code: str, message: str) -> Response:
    return render(
        request, "error.html", {"status": status, "code": code, "message": message}, status
    )


def hit_link(hit: Any) -> str:
    """The document view opened at the hit's passage (``#focus``)."""
    chunk = hit.chunk
    params = [f"v={chunk.version}", f"page={chunk.page}"]
    match = _CHUNK_OFFSET.search(chunk.id)
    if match:
        params.append(f"at={match.group(1)}")
    if chunk.article is not None:
        params.append(f"article={chunk.article}")
    return f"/ui/documents/{chunk.document}?{'&'.join(params)}#focus"


@router.get("", response_class=HTMLResponse)
def home(request: Request, added: str | None = None, status: str | None = None) -> Response:
    ws = state_of(request).workspace()
    documents = ws.store.list_documents()
    return render(
        request, "home.html", {"documents": documents, "added": added, "added_status": status}
    )


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    q: str = "",
    k: Annotated[int, Query(ge=1, le=50)] = 10,
    doc_lang: str = "",
) -> Response:
    hits = []
    if q.strip():
        hits = state_of(request).search(q, k=k, lang=doc_lang or None)
    links = [hit_link(h) for h in hits]
    return render(
        request,
        "search.html",
        {"q": q, "k": k, "doc_lang": doc_lang, "results": list(zip(hits, links, strict=True))},
    )


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def document_page(
    request: Request,
    doc_id: str,
    v: str | None = None,
    record: str | None = None,
    at: int | None = None,
    article: int | None = None,
    law: str | None = None,
    page: int | None = None,
    kind: str = "",
) -> Response:
    state = state_of(request)
    ws = state.workspace()
    info = service.version_info(ws, doc_id, v)
    versions = ws.store.versions(info.doc_id)
    view = service.document_view(state, ws, info)
    focus = view.with_focus(at, article, law, page)
    selected = view.row(record)
    shown_page = selected.page if selected else (focus.page if focus else (page or 1))
    has_pdf = service.source_pdf(state.settings.data_dir, info) is not None
    rows = [r for r in view.rows if not kind or r.kind == kind]
    return render(
        request,
        "document.html",
        {
            "info": info,
            "versions": versions,
            "view": view,
            "rows": rows,
            "kind": kind,
            "kinds": RECORD_KINDS,
            "selected": selected,
            "shown_page": shown_page,
            "has_pdf": has_pdf,
            "page_url": f"/documents/{info.doc_id}/versions/{info.version}/pages/",
        },
    )


@router.get("/diff", response_class=HTMLResponse)
def diff_page(
    request: Request,
    doc: str | None = None,
    old: str | None = None,
    new: str | None = None,
) -> Response:
    """Pick two versions of a document; the 新旧対照表 below the field-level changes."""
    state = state_of(request)
    ws = state.workspace()
    if doc is None:
        ref = old or new
        if ref is None:
            return render(request, "diff.html", {"documents": ws.store.list_documents()})
        doc = ref
    doc_id = service.version_info(ws, doc).doc_id
    versions = ws.store.versions(doc_id)
    old_ref = _version_ref(doc_id, old, versions[-2].version if len(versions) > 1 else 1)
    new_ref = _version_ref(doc_id, new, versions[-1].version)
    result = service.diff(state, ws, old_ref, new_ref)
    return render(
        request,
        "diff.html",
        {
            "doc_id": doc_id,
            "versions": versions,
            "old_ref": result.old,
            "new_ref": result.new,
            "diff": result,
            "frame_src": f"/diff?format=html&old={result.old}&new={result.new}",
        },
    )


def _version_ref(doc_id: str, given: str | None, default: int) -> str:
    if not given:
        return f"{doc_id}@{default}"
    return given if "@" in given else f"{doc_id}@{given}"


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(
    request: Request,
    event: str = "",
    kind: str = "",
    q: str = "",
    doc: str = "",
    since: str = "",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Response:
    found = service.alerts(
        state_of(request).workspace(),
        event=event or None,
        doc_id=doc or None,
        kind=kind or None,
        text=q or None,
        since=since or None,
        limit=limit,
    )
    filters = {"event": event, "kind": kind, "q": q, "doc": doc, "since": since}
    return render(request, "alerts.html", {"alerts": found, "filters": filters})


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request) -> Response:
    needs_token = bool(state_of(request).settings.api_token)
    return render(request, "upload.html", {"needs_token": needs_token, "error": None})


@router.post("/upload", response_class=HTMLResponse)
def upload_submit(
    request: Request,
    file: Annotated[UploadFile, File()],
    token: Annotated[str | None, Form()] = None,
) -> Response:
    check_write_allowed(request, form_token=token)
    state = state_of(request)
    settings = state.settings
    try:
        path = service.save_upload(
            settings.data_dir, file.file, file.filename, settings.max_upload_bytes
        )
        report = service.ingest_upload(state, state.workspace(), path, index=settings.index_uploads)
    except RegwatchError as exc:
        from web.errors import status_of

        context = {"needs_token": bool(settings.api_token), "error": exc}
        return render(request, "upload.html", context, status=status_of(exc))
    assert report.outcome is not None
    target = f"/ui?added={report.outcome.doc_id}&status={report.outcome.status}"
    return RedirectResponse(target, status_code=303)
