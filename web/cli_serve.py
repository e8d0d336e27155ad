"""``regwatch serve``: the HTTP API and the web workspace (uvicorn)."""

from __future__ import annotations

import argparse
import sys
import threading

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
    threading.Thread(target=_warm_up, args=(app,), daemon=True).start()
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def _warm_up(app: object) -> None:
    """Load the embedding model in the background: the first search need not wait for it."""
    try:
        ws = app.state.regwatch.workspace()  # type: ignore[attr-defined]
        if len(ws.index):
            ws.index.embedder.embed_queries(["warm-up"])
    except Exception as exc:  # a missing model shows on the first search, with its code
        print(f"regwatch: search warm-up skipped: {exc}", file=sys.stderr)
