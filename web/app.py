"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from web import api, pages
from web.errors import install_error_handlers
from web.middleware import BodyLimit, ServerTiming
from web.state import AppState, Settings

STATIC_DIR = Path(__file__).parent / "static"
SWAGGER_PREFIX = "/swagger-ui"


def swagger_assets() -> Path | None:
    """Swagger UI 5's scripts from the ``fastapi-offline`` package: FastAPI's own /docs
    fetches them from a CDN, which an offline analyst's machine cannot reach, and
    ``swagger-ui-bundle`` ships Swagger UI 4, which cannot read OpenAPI 3.1."""
    try:
        import fastapi_offline
    except ImportError:
        return None
    path = Path(fastapi_offline.__file__).parent / "static"
    return path if (path / "swagger-ui-bundle.js").is_file() else None


def create_app(
    data_dir: Path | None = None,
    *,
    api_token: str | None = None,
    max_upload_bytes: int | None = None,
    index_uploads: bool = True,
) -> FastAPI:
    """The API and the web workspace over the corpus in ``data_dir`` (default
    ``$REGWATCH_HOME`` or ``~/.regwatch``).

    ``api_token`` (default ``$REGWATCH_API_TOKEN``): when set, uploads need
    ``Authorization: Bearer TOKEN``.  ``max_upload_bytes`` (default
    ``$REGWATCH_MAX_UPLOAD_MB`` or 50 MB).  ``index_uploads=False`` stores uploads without
    updating the search index (``regwatch reindex`` catches up).
    """
    settings = Settings.from_env(
        data_dir,
        api_token=api_token,
        max_upload_bytes=max_upload_bytes,
        index_uploads=index_uploads,
    )
    state = AppState(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        state.close()

    app = FastAPI(
        title="regwatch",
        summary="Chinese export-control regulation: documents, records, diffs, alerts, search",
        version="0.1.0",
        # FastAPI's /docs loads Swagger UI from a CDN: ours serves it from a package instead.
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.regwatch = state
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _install_docs(app)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui")

    install_error_handlers(app, pages.render_error)
    app.add_middleware(BodyLimit, limit=settings.max_upload_bytes)
    app.add_middleware(ServerTiming)
    return app


def _install_docs(app: FastAPI) -> None:
    """``/docs``: Swagger UI over ``/openapi.json``, every asset served from this server."""
    assets = swagger_assets()
    if assets is None:
        return
    app.mount(SWAGGER_PREFIX, StaticFiles(directory=assets), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="regwatch API",
            swagger_js_url=f"{SWAGGER_PREFIX}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_PREFIX}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER_PREFIX}/favicon.png",
        )
