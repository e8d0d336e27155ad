"""Errors as the API answers them: ``{"error": {"code": "E200", "message": "..."}}``.

Codes are those of ``models.errors`` (a user can search for them); the HTTP status follows
the class: unknown document 404, bad input 422, over-size upload 413, missing token 401.
Web workspace pages (``/ui``) get the same status with an HTML page instead.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from models.errors import (
    ConfigError,
    IndexError_,
    InputError,
    LimitExceededError,
    NotFoundError,
    RegwatchError,
    StoreError,
)

UNAUTHORIZED_CODE = "E601"
FORBIDDEN_CODE = "E602"
HTTP_CODES = {401: UNAUTHORIZED_CODE, 403: FORBIDDEN_CODE, 404: NotFoundError.code, 413: "E106"}


class ErrorBody(BaseModel):
    code: str
    message: str
    path: str = ""


class ErrorResponse(BaseModel):
    error: ErrorBody


def megabytes(size: int) -> str:
    """``52428800`` -> ``50``; ``143360`` -> ``0.14``: sizes as people read them."""
    mb = size / (1024 * 1024)
    return f"{mb:.0f}" if mb >= 10 else f"{mb:.2g}" if mb < 1 else f"{mb:.1f}"


def too_large_message(limit: int, size: int | None = None) -> str:
    if size is None:
        return f"the file is larger than the upload limit of {megabytes(limit)} MB"
    return f"the file is {megabytes(size)} MB, over the upload limit of {megabytes(limit)} MB"


class UploadTooLarge(Exception):
    """Raised while a request body streams in, once it passes the upload limit."""

    def __init__(self, limit: int, size: int | None = None) -> None:
        super().__init__(too_large_message(limit, size))
        self.limit = limit
        self.size = size


class ApiError(Exception):
    """An error with an explicit HTTP status and code (auth, cross-site posts)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def status_of(exc: RegwatchError) -> int:
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, LimitExceededError):
        return 413
    if isinstance(exc, InputError):
        return 422
    if isinstance(exc, IndexError_ | ConfigError):
        return 503
    if isinstance(exc, StoreError):
        return 500
    return 400


def error_payload(code: str, message: str, path: str = "") -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message, "path": path}}


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorResponse} for status in (401, 404, 413, 422)
}

HtmlRenderer = Callable[[Request, int, str, str], Response]


def install_error_handlers(app: FastAPI, render_html_error: HtmlRenderer) -> None:
    def respond(request: Request, status: int, code: str, message: str, path: str = "") -> Response:
        if request.url.path == "/ui" or request.url.path.startswith("/ui/"):
            return render_html_error(request, status, code, message)
        return JSONResponse(error_payload(code, message, path), status_code=status)

    @app.exception_handler(RegwatchError)
    async def regwatch_error(request: Request, exc: RegwatchError) -> Response:
        return respond(request, status_of(exc), exc.code, exc.message, exc.path or "")

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return respond(request, exc.status, exc.code, exc.message)

    @app.exception_handler(UploadTooLarge)
    async def too_large(request: Request, exc: UploadTooLarge) -> Response:
        request.state.too_large = exc  # a page words it in its own language
        return respond(request, 413, LimitExceededError.code, str(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        parts = [
            f"{'.'.join(str(x) for x in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors()
        ]
        return respond(request, 422, InputError.code, "; ".join(parts) or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # FastAPI turns any failure while parsing a form into a 400; an upload cut off at
        # the size limit is a 413.
        if isinstance(exc.__cause__, UploadTooLarge):
            request.state.too_large = exc.__cause__
            return respond(request, 413, LimitExceededError.code, str(exc.__cause__))
        code = HTTP_CODES.get(exc.status_code, InputError.code if exc.status_code < 500 else "E000")
        return respond(request, exc.status_code, code, str(exc.detail))


__all__ = [
    "ERROR_RESPONSES",
    "ApiError",
    "ErrorResponse",
    "HTTPException",
    "UploadTooLarge",
    "error_payload",
    "install_error_handlers",
    "status_of",
]
