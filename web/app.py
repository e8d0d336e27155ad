"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from web import api, pages
from web.errors import install_error_handlers
from web.middleware import BodyLimit, ServerTiming
from web.state import AppState, Settings

STATIC_DIR = Path(__file__).parent / "static"


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
        # Swagger UI loads its scripts from a CDN; the OpenAPI document itself is served.
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.regwatch = state
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui")

    install_error_handlers(app, pages.render_error)
    app.add_middleware(BodyLimit, limit=settings.max_upload_bytes)
    app.add_middleware(ServerTiming)
    return app
