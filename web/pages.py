"""The analysts' web workspace: server-rendered pages over the same calls as the API.

Jinja autoescape is on for every template: document text comes from unvetted PDFs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from corpus.render import redline_rows, row_of_change
from corpus.workspace import Workspace
from models.corpus import VersionInfo
from models.errors import RegwatchError
from models.search import Hit
from web import service
from web.api import WRONG_TOKEN, alert_page, check_write_allowed, run_search, state_of
from web.display import change_line, legal_dates
from web.errors import ApiError, megabytes, status_of
from web.i18n import LANG_COOKIE, enum_translator, pick_language, translator

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.autoescape = True
# Chunk ids end in ":a<offset>:<part>" / ":c<offset>:<part>" (index.chunk): the offset lets a
# hit open at its exact paragraph; without it the article number or page is used.
_CHUNK_OFFSET = re.compile(r":[ac](\d+):\d+$")
RECORD_KINDS = ("threshold", "date", "item_list", "definition", "reference", "article")
PAGE_SIZE = 10
MAX_RESULTS = 200
EXPORT_HITS = 100  # the API's most hits per search

router = APIRouter(prefix="/ui", include_in_schema=False)


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    language = pick_language(request)
    response = TEMPLATES.TemplateResponse(
        request,
        name,
        {
            "t": translator(language),
            "tv": enum_translator(language),
            "lang": language,
            "here": lambda **changes: page_link(request, **changes),
            **context,
        },
        status_code=status,
    )
    asked = request.query_params.get("lang")
    if asked == language and request.cookies.get(LANG_COOKIE) != language:
        response.set_cookie(LANG_COOKIE, language, max_age=365 * 86400, samesite="lax")
    return response


def render_error(request: Request, status: int, code: str, message: str) -> Response:
    if request.url.path == "/ui/upload":
        # A refused upload (token, size) keeps the form, with the reason above it.
        return upload_form_error(request, status, code, message)
    return render(
        request, "error.html", {"status": status, "code": code, "message": message}, status
    )


def upload_form_error(request: Request, status: int, code: str, message: str) -> Response:
    t = translator(pick_language(request))
    settings = state_of(request).settings
    if code == "E106":
        exc = getattr(request.state, "too_large", None)
        size = getattr(exc, "size", None)
        limit = megabytes(settings.max_upload_bytes)
        message = (
            t("too_large", size=megabytes(size), limit=limit)
            if size
            else t("too_large_nosize", limit=limit)
        )
    elif code == "E601":
        message = t("wrong_token") if message == WRONG_TOKEN else t("missing_token")
    context = {
        "needs_token": bool(settings.api_token),
        "error": {"code": code, "message": message},
        "limit_mb": megabytes(settings.max_upload_bytes),
    }
    return render(request, "upload.html", context, status)


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
def home(
    request: Request,
    added: str | None = None,
    status: str | None = None,
    v: int | None = None,
    old: int | None = None,
) -> Response:
    ws = state_of(request).workspace()
    documents = ws.store.list_documents()
    added_doc = next((d for d in documents if d.doc_id == added), None)
    context = {
        "documents": documents,
        "added": added,
        "added_doc": added_doc,
        "added_status": status if status in ("new_document", "new_version", "unchanged") else None,
        "added_version": v,
        "diff_link": f"/ui/diff?{urlencode({'doc': added, 'old': old, 'new': v})}"
        if added and old and v
        else None,
    }
    return render(request, "home.html", context)


@dataclass
class HitView:
    """A search hit as the page shows it: where it opens, its version's legal dates, and
    whether a later version replaced it."""

    hit: Hit
    link: str
    dates: list[tuple[str, str]]
    latest: int

    @property
    def superseded(self) -> bool:
        return self.hit.chunk.version < self.latest


def _hit_views(ws: Workspace, hits: list[Hit]) -> list[HitView]:
    versions: dict[str, dict[int, VersionInfo]] = {}
    views = []
    for hit in hits:
        doc = hit.chunk.document
        if doc not in versions:
            versions[doc] = {v.version: v for v in ws.store.versions(doc)}
        known = versions[doc]
        info = known.get(hit.chunk.version)
        dates = legal_dates(info.identity) if info else []
        views.append(HitView(hit, hit_link(hit), dates, max(known, default=hit.chunk.version)))
    return views


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    q: str = "",
    page: Annotated[int, Query(ge=1, le=MAX_RESULTS // PAGE_SIZE)] = 1,
    doc_lang: Literal["", "ja", "zh", "en"] = "",
    issuer: str = "",
    kind: str = "",
    effective_after: Annotated[str, Query(pattern=r"^(\d{4}-\d{2}-\d{2})?$")] = "",
    all_versions: bool = False,
) -> Response:
    state = state_of(request)
    ws = state.workspace()
    documents = ws.store.list_documents()
    filters = {
        "doc_lang": doc_lang,
        "issuer": issuer,
        "kind": kind,
        "effective_after": effective_after,
        "all_versions": all_versions,
    }
    context: dict[str, Any] = {
        "q": q,
        "filters": filters,
        "issuers": sorted({i for d in documents for i in d.issuers}),
        "doc_kinds": sorted({d.kind for d in documents}),
        "page": page,
        "results": [],
        "no_close_match": False,
        "has_next": False,
    }
    if q.strip():
        response = run_search(
            state,
            q,
            k=page * PAGE_SIZE + 1,  # one more than shown: is there a next page?
            lang=doc_lang or None,
            issuer=issuer or None,
            kind=kind or None,
            effective_after=effective_after or None,
            all_versions=all_versions,
        )
        shown = response.hits[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        context["results"] = _hit_views(ws, shown)
        context["has_next"] = len(response.hits) > page * PAGE_SIZE
        context["no_close_match"] = response.no_close_match or not response.hits
        context["first"] = (page - 1) * PAGE_SIZE + 1
        export = {
            "q": q,
            "k": EXPORT_HITS,
            "lang": doc_lang,
            "issuer": issuer,
            "kind": kind,
            "effective_after": effective_after,
            "all_versions": "true" if all_versions else "",
        }
        context["export_query"] = urlencode({k: v for k, v in export.items() if v})
    return render(request, "search.html", context)


def page_link(request: Request, **changes: object) -> str:
    """This page's own address (path and query, no host: it works behind a proxy) with
    some parameters changed."""
    params = dict(request.query_params)
    params.update({k: str(v) for k, v in changes.items()})
    return f"{request.url.path}?{urlencode(params)}"


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
    # A selected record is outlined; a search hit's passage is, when nothing is selected.
    shown_box = selected.box if selected else (focus.box if focus else None)
    has_pdf = service.source_pdf(state.settings.data_dir, info) is not None
    rows = [r for r in view.rows if not kind or r.kind == kind]
    tv = enum_translator(pick_language(request))
    dates = "、".join(f"{tv('role', role)} {iso}" for role, iso in legal_dates(info.identity))
    title = info.identity.title or info.identity.number or info.doc_id

    def citation(seg: Any) -> str:
        """Title, article label, the version's legal dates, page: what a memo cites."""
        where = f"{seg.label} " if seg.label else ""
        return f"{title} {where}({dates}; v{info.version}) p.{seg.page}".replace("(; ", "(")

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
            "shown_box": shown_box,
            "has_pdf": has_pdf,
            "citation": citation,
            "page_url": f"/documents/{info.doc_id}/versions/{info.version}/pages/",
            "records_url": f"/documents/{info.doc_id}/versions/{info.version}/records",
        },
    )


@router.get("/diff", response_class=HTMLResponse)
def diff_page(
    request: Request,
    doc: str | None = None,
    old: str | None = None,
    new: str | None = None,
) -> Response:
    """Pick two versions of a document: the field changes, each linked to its article's row
    of the 新旧対照表 below."""
    state = state_of(request)
    ws = state.workspace()
    if doc is None:
        ref = old or new
        if ref is None:
            return render(request, "diff.html", {"documents": ws.store.list_documents()})
        doc = ref
    doc_id = service.version_info(ws, doc).doc_id
    versions = ws.store.versions(doc_id)
    context: dict[str, Any] = {
        "doc_id": doc_id,
        "versions": versions,
        "title": versions[-1].identity.title or doc_id,
        "legal_dates": legal_dates,
    }
    if len(versions) < 2:
        return render(request, "diff.html", {**context, "one_version": True})
    old_ref = _version_ref(doc_id, old, versions[-2].version)
    new_ref = _version_ref(doc_id, new, versions[-1].version)
    result = service.diff(state, ws, old_ref, new_ref)
    rows = redline_rows(result)
    old_labels = {a.old: a.old_label for a in result.alignment if a.old is not None and a.old_label}
    new_labels = {a.new: a.new_label for a in result.alignment if a.new is not None and a.new_label}
    language = pick_language(request)
    tv, tf = enum_translator(language), translator(language)
    changes = [
        (*change_line(c, tv, tf, old_labels, new_labels), c, row_of_change(rows, c))
        for c in result.field_changes
    ]
    query = urlencode({"old": result.old, "new": result.new})
    return render(
        request,
        "diff.html",
        {
            **context,
            "old_ref": result.old,
            "new_ref": result.new,
            "diff": result,
            "changes": changes,
            "rows": rows,
            "renumbered": [a for a in result.alignment if a.status == "renumbered"],
            "old_labels": old_labels,
            "new_labels": new_labels,
            "query": query,
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
    state = state_of(request)
    ws = state.workspace()
    filters = {"event": event, "kind": kind, "q": q, "doc": doc, "since": since}
    try:
        found = service.alerts(
            ws,
            event=event or None,
            doc_id=doc or None,
            kind=kind or None,
            text=q or None,
            since=since or None,
            limit=limit,
        )
    except ApiError as exc:  # a bad date: said beside the form the user can correct
        message = translator(pick_language(request))("bad_since", value=since)
        context = {
            "alerts": [],
            "filters": filters,
            "error": {"code": exc.code, "message": message},
        }
        return render(request, "alerts.html", context, status=exc.status)
    language = pick_language(request)
    shown = [(a, alert_page(a), service.localised_summary(state, ws, a, language)) for a in found]
    return render(request, "alerts.html", {"alerts": shown, "filters": filters, "error": None})


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request) -> Response:
    settings = state_of(request).settings
    context = {
        "needs_token": bool(settings.api_token),
        "error": None,
        "limit_mb": megabytes(settings.max_upload_bytes),
    }
    return render(request, "upload.html", context)


@router.post("/upload", response_class=HTMLResponse)
def upload_submit(
    request: Request,
    file: Annotated[UploadFile, File()],
    token: Annotated[str | None, Form()] = None,
) -> Response:
    check_write_allowed(request, form_token=token)  # refused: the form again (render_error)
    state = state_of(request)
    settings = state.settings
    try:
        path = service.save_upload(
            settings.data_dir, file.file, file.filename, settings.max_upload_bytes
        )
        report = service.ingest_upload(state, state.workspace(), path, index=settings.index_uploads)
    except RegwatchError as exc:
        return upload_form_error(request, status_of(exc), exc.code, exc.message)
    outcome = report.outcome
    assert outcome is not None
    query = {"added": outcome.doc_id, "status": outcome.status, "v": outcome.version}
    if outcome.previous_version is not None:
        query["old"] = outcome.previous_version
    return RedirectResponse(f"/ui?{urlencode(query)}", status_code=303)
