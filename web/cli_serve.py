"""``regwatch serve``: the HTTP API and the web workspace (uvicorn)."""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import Future

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from web.app import create_app

    app = create_app(args.data_dir)
    token_set = app.state.regwatch.settings.api_token is not None
    if args.host not in LOCAL_HOSTS and not token_set:
        print(
            f"regwatch: serving on {args.host} without REGWATCH_API_TOKEN: anyone who can "
            "reach this port can add documents",
            file=sys.stderr,
        )
    print(f"regwatch: http://{args.host}:{args.port}/ui  (API: /openapi.json)", file=sys.stderr)
    app.state.regwatch.warm_up().add_done_callback(_report_warm_up)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def _report_warm_up(done: Future[None]) -> None:
    """A failed warm-up (a missing model) shows again on the first search, with its code."""
    exc = done.exception()
    if exc is not None:
        print(f"regwatch: search warm-up skipped: {exc}", file=sys.stderr)
