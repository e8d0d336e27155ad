"""The ``regwatch`` command: a thin layer over the library (sqlite-utils style).

JSON goes to stdout, messages to stderr.  Exit codes (also in the README):
0 success; 1 unexpected error; 2 usage or configuration error; 3 at least one input file
could not be ingested; 4 unknown document/version; 5 corpus store error; 6 search index error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from corpus import commands
from corpus.db import DATABASE_URL_ENV
from corpus.executors import EXECUTORS
from index.heap import limit_arenas
from models.errors import RegwatchError

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
_FILE_JOBS = (
    "worker processes reading and extracting PDFs, and threads embedding passages; "
    "the store and the index are written by this process alone"
)


def _add_data_dir(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="corpus directory (default: $REGWATCH_HOME or ~/.regwatch)",
    )
    p.add_argument(
        "--database-url",
        default=None,
        help="store the corpus in PostgreSQL (postgresql://user@host:port/db; default: "
        "$REGWATCH_DATABASE_URL, else SQLite in the corpus directory)",
    )


def _add_quiet(p: argparse.ArgumentParser) -> None:
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar or messages")


def _add_model(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--model",
        help="embedders: e5+use (default), use, e5, or any sentence-transformers name/path "
        "($REGWATCH_MODEL)",
    )


def _add_limits(p: argparse.ArgumentParser) -> None:
    """Caps against hostile files; a file over one fails with E106 and the batch goes on."""
    p.add_argument("--max-pages", type=int, default=2000, help="refuse PDFs with more pages")
    p.add_argument("--max-mb", type=float, default=200.0, help="refuse larger files (MB)")
    p.add_argument(
        "--timeout", type=float, default=120.0, help="give up on a file after this many seconds"
    )
    p.add_argument(
        "--ocr",
        choices=("auto", "always", "never"),
        default="auto",
        help="read pages by OCR: auto (default) where the text layer is missing "
        "or garbage, always, or never (a scan then fails with E104)",
    )
    p.add_argument(
        "--ocr-engine",
        choices=("tesseract", "rapidocr", "hybrid"),
        default=None,
        help="OCR engine: tesseract (default; Debian's Tesseract 5), rapidocr (PP-OCRv6 on "
        "onnxruntime, the regwatch[ocr] extra) or hybrid (Tesseract, its unsure lines read "
        "again by RapidOCR's recogniser); default $REGWATCH_OCR_ENGINE",
    )


def _add_jobs(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help=f"{what} (default: the cores this process may use)",
    )


def _add_executor(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--executor",
        choices=EXECUTORS,
        default="local",
        help="where files are read and extracted: local worker processes (default), or ray: "
        "Ray tasks on a local Ray of --jobs CPUs, or the cluster at $RAY_ADDRESS "
        "(pip install 'regwatch[ray]')",
    )


def _add_embed_in(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--embed-in",
        choices=("workers", "writer"),
        default="writer",
        help="where passages are embedded for the index: in the one writing process "
        "(default), or in the workers that read the files (each loads the embedders: "
        "~0.6 GB a worker; for Ray clusters)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="regwatch",
        description="Track Chinese export-control regulation and Japanese commentary on it: "
        "ingest PDFs, extract records, diff versions, alert, search.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "ingest", help="read PDFs into clean documents (blocks, footnotes, identity)"
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_DIR")
    p.add_argument("--out", type=Path, help="write one DOCUMENT_ID.document.json per file here")
    p.add_argument("--json", action="store_true", help="print full documents as JSON lines")
    _add_quiet(p)
    _add_limits(p)
    _add_jobs(p, "worker processes reading PDFs")
    _add_executor(p)
    p.set_defaults(handler=commands.cmd_ingest)

    p = sub.add_parser("extract", help="extract typed records (articles, thresholds, dates...)")
    p.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_DIR")
    p.add_argument("--out", type=Path, help="write one DOCUMENT_ID.records.json per file here")
    p.add_argument("--kind", action="append", help="only these record kinds (repeatable)")
    _add_quiet(p)
    _add_limits(p)
    _add_jobs(p, "worker processes reading and extracting PDFs")
    _add_executor(p)
    p.set_defaults(handler=commands.cmd_extract)

    p = sub.add_parser("schema", help="print the JSON Schema of regwatch's JSON outputs")
    p.add_argument(
        "what",
        nargs="?",
        default="extract",
        choices=["extract", "document", "diff", "alert", "search"],
    )
    p.set_defaults(handler=commands.cmd_schema)

    p = sub.add_parser("add", help="ingest, extract and store PDFs in the corpus (new versions)")
    p.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_DIR")
    p.add_argument("--no-index", action="store_true", help="do not update the search index")
    _add_model(p)
    _add_data_dir(p)
    _add_quiet(p)
    _add_limits(p)
    _add_jobs(p, _FILE_JOBS)
    _add_executor(p)
    _add_embed_in(p)
    p.set_defaults(handler=commands.cmd_add)

    p = sub.add_parser("list", help="list the documents in the corpus")
    _add_data_dir(p)
    p.set_defaults(handler=commands.cmd_list)

    p = sub.add_parser("show", help="show a document version's identity and records")
    p.add_argument("ref", metavar="DOC[@VERSION]")
    p.add_argument("--kind", action="append", help="only these record kinds (repeatable)")
    p.add_argument("--table", action="store_true", help="a readable table instead of JSON")
    _add_data_dir(p)
    p.set_defaults(handler=commands.cmd_show)

    p = sub.add_parser("diff", help="structural diff of two versions (DOC@V1 DOC@V2, or two PDFs)")
    p.add_argument("old", metavar="OLD")
    p.add_argument("new", metavar="NEW")
    p.add_argument(
        "--format", choices=["json", "markdown", "html"], default="json", help="output format"
    )
    p.add_argument("--out", type=Path, help="write the output to this file instead of stdout")
    _add_data_dir(p)
    p.set_defaults(handler=commands.cmd_diff)

    relink_index = "leave the search index's update queued for the next add/check --repair"
    p = sub.add_parser("link", help="declare two documents versions of one (manual identity)")
    p.add_argument("doc", metavar="DOC")
    p.add_argument("other", metavar="OTHER_DOC")
    p.add_argument("--no-index", action="store_true", help=relink_index)
    _add_data_dir(p)
    p.set_defaults(handler=commands.cmd_link)

    p = sub.add_parser("unlink", help="split a version off into a document of its own")
    p.add_argument("ref", metavar="DOC@VERSION")
    p.add_argument("--no-index", action="store_true", help=relink_index)
    _add_data_dir(p)
    p.set_defaults(handler=commands.cmd_unlink)

    for name, helptext in (
        ("scan", "one pass: add new/changed PDFs under DIR and emit alerts (for cron)"),
        ("watch", "scan DIR every --interval seconds until interrupted"),
    ):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("dir", type=Path, metavar="DIR")
        p.add_argument("--subscriptions", type=Path, help="TOML file of subscriptions")
        p.add_argument("--jsonl", type=Path, help="also append alerts to this JSON-lines file")
        p.add_argument("--atom", type=Path, help="write the Atom feed of alerts to this file")
        if name == "watch":
            p.add_argument("--interval", type=float, default=60.0, help="seconds between scans")
        _add_data_dir(p)
        _add_quiet(p)
        _add_limits(p)
        _add_jobs(p, _FILE_JOBS)
        _add_executor(p)
        _add_embed_in(p)
        p.set_defaults(handler=commands.cmd_scan if name == "scan" else commands.cmd_watch)

    p = sub.add_parser("search", help="ask a question (ja/zh/en); best articles first")
    p.add_argument("query", metavar="QUESTION")
    p.add_argument("--k", type=int, default=10, help="number of hits (default 10)")
    p.add_argument("--lang", choices=["ja", "zh", "en"], help="only chunks in this language")
    p.add_argument("--issuer", help="only documents of this issuer")
    p.add_argument("--kind", help="only documents of this kind (measures, announcement...)")
    p.add_argument("--effective-after", metavar="DATE", help="only documents effective after")
    p.add_argument("--all-versions", action="store_true", help="search old versions too")
    p.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    p.add_argument(
        "--mode",
        default="hybrid",
        help="hybrid (default), dense, keyword, or retrievers joined by + (use+keyword)",
    )
    p.add_argument(
        "--fusion", help="auto (default), rrf, zscore, or weights: e5=0 (fast), rrf:e5=1,use=2"
    )
    p.add_argument(
        "--min-relevance",
        type=float,
        default=None,
        metavar="R",
        help="drop hits whose relevance (0..1) is below R (default: the calibrated floor, "
        "0.45; 0 keeps every hit)",
    )
    _add_model(p)
    _add_data_dir(p)
    p.set_defaults(handler=commands.cmd_search)

    p = sub.add_parser("serve", help="HTTP API and web workspace (http://HOST:PORT/ui)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: localhost only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    _add_data_dir(p)
    p.set_defaults(handler=commands.cmd_serve)

    p = sub.add_parser("reindex", help="rebuild the search index from the corpus")
    _add_model(p)
    _add_data_dir(p)
    _add_quiet(p)
    _add_jobs(p, "threads embedding passages (ONNX Runtime)")
    p.set_defaults(handler=commands.cmd_reindex)

    p = sub.add_parser(
        "check", help="report (and --repair) where the index and alerts disagree with the corpus"
    )
    p.add_argument("--repair", action="store_true", help="fix what is found, then check again")
    p.add_argument("--no-index", action="store_true", help="check the alerts and outbox only")
    _add_model(p)
    _add_data_dir(p)
    p.set_defaults(handler=commands.cmd_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Before chroma, ONNX Runtime or a worker pool starts a thread (index.heap: the 1,000-PDF
    # add's memory).
    limit_arenas()
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        with _database_url(getattr(args, "database_url", None)):
            return handler(args)
    except RegwatchError as exc:
        print(f"regwatch: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head`: not an error.  Silence the final flush too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


@contextmanager
def _database_url(url: str | None) -> Iterator[None]:
    """``--database-url`` through the environment, for this command only: every store it
    opens (the server's threads, the workspace's) uses it, as ``$REGWATCH_DATABASE_URL``."""
    previous = os.environ.get(DATABASE_URL_ENV)
    if url:
        os.environ[DATABASE_URL_ENV] = url
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(DATABASE_URL_ENV, None)
        else:
            os.environ[DATABASE_URL_ENV] = previous


def print_json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    sys.exit(main())
