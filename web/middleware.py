"""Pure ASGI middleware: an upload size limit enforced while the body streams in, and a
``Server-Timing`` header (the bench reads it; browsers show it in their dev tools)."""

from __future__ import annotations

import json
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.errors import UploadTooLarge, error_payload, too_large_message

# Multipart framing around the file itself (boundaries, part headers, small form fields).
FORM_OVERHEAD_BYTES = 64 * 1024


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes: at once when Content-Length says so,
    otherwise as soon as the streamed bytes pass it (chunked uploads)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit + FORM_OVERHEAD_BYTES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        size = int(declared) if declared is not None and declared.isdigit() else None
        limit = self.limit - FORM_OVERHEAD_BYTES
        if size is not None and size > self.limit and not _is_page(scope):
            await _send_json(send, 413, error_payload("E106", too_large_message(limit, size)))
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            if size is not None and size > self.limit:
                # A page's form: its error handler shows the message on the form itself.
                raise UploadTooLarge(limit, size)
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise UploadTooLarge(limit)
            return message

        await self.app(scope, counted, send)


def _is_page(scope: Scope) -> bool:
    path = scope.get("path", "")
    return bool(path == "/ui" or path.startswith("/ui/"))


async def _send_json(send: Send, status: int, payload: object) -> None:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class ServerTiming:
    """Adds ``Server-Timing: app;dur=MS`` (time until the response headers were sent)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                elapsed_ms = (time.perf_counter() - start) * 1000
                headers = list(message.get("headers", []))
                headers.append((b"server-timing", f"app;dur={elapsed_ms:.2f}".encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, timed)
