"""The CLI's command handlers: parse nothing, print results, return an exit code.

Every handler calls the same library functions a Python user would (``corpus.pipeline``,
``corpus.store``, ``index.search``); nothing here is a second implementation.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TYPE_CHECKING

from corpus.files import expand_paths
from corpus.parallel import embedding_threads, run_files
from ingest.limits import Limits
from models.diff import VersionDiff
from models.document import Document

if TYPE_CHECKING:
    from corpus.workspace import Workspace

EXIT_OK, EXIT_INPUT, EXIT_DRIFT = 0, 3, 7


def _out(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def _err(message: str, quiet: bool = False) -> None:
    if not quiet:
        print(message, file=sys.stderr)


def _limits(args: argparse.Namespace) -> Limits:
    return Limits(
        max_pages=args.max_pages,
        max_bytes=int(args.max_mb * 1024 * 1024),
        max_seconds_per_file=args.timeout,
        ocr=getattr(args, "ocr", "auto"),
        ocr_engine=getattr(args, "ocr_engine", None),
    )


def _report_errors(path: str, errors: list[dict[str, str]], quiet: bool = False) -> None:
    for e in errors:
        _err(f"regwatch: [{e['code']}] {path}: {e['message']}", quiet)


def _progress(args: argparse.Namespace, n_files: int) -> bool:
    return n_files > 1 and not getattr(args, "quiet", False) and sys.stderr.isatty()


def _document_summary(doc: Document) -> dict[str, object]:
    kinds: dict[str, int] = {}
    for b in doc.blocks:
        kinds[b.kind.value] = kinds.get(b.kind.value, 0) + 1
    return {
        "id": doc.id,
        "path": doc.source.path,
        "sha256": doc.source.sha256,
        "language": doc.language,
        "pages": len(doc.pages),
        "identity": doc.identity.model_dump(exclude_defaults=True),
        "subdocuments": [
            {"key": s.key, "parent": s.parent, "pages": list(s.pages), "title": s.identity.title}
            for s in doc.subdocuments
        ],
        "blocks": kinds,
        "footnotes": len(doc.footnotes),
        "linked_footnotes": sum(1 for f in doc.footnotes if f.marker_block is not None),
        "warnings": doc.warnings,
    }


def cmd_ingest(args: argparse.Namespace) -> int:
    files = expand_paths(args.paths)
    failed = 0
    for outcome in run_files(
        files,
        stage="ingest",
        jobs=args.jobs,
        executor=args.executor,
        limits=_limits(args),
        progress=_progress(args, len(files)),
    ):
        if outcome.document is None:
            failed += 1
            _report_errors(outcome.path, outcome.errors)
            continue
        doc = outcome.document
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"{doc.id}.document.json").write_text(
                doc.model_dump_json(indent=1), encoding="utf-8"
            )
        if args.json:
            sys.stdout.write(doc.model_dump_json() + "\n")
        else:
            _out(_document_summary(doc))
    return EXIT_INPUT if failed else EXIT_OK


def cmd_extract(args: argparse.Namespace) -> int:
    files = expand_paths(args.paths)
    kinds = set(args.kind) if args.kind else None
    failed = 0
    for outcome in run_files(
        files,
        jobs=args.jobs,
        executor=args.executor,
        kinds=kinds,
        limits=_limits(args),
        progress=_progress(args, len(files)),
    ):
        if outcome.extraction is None:
            failed += 1
            _report_errors(outcome.path, outcome.errors)
            continue
        result = outcome.extraction
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"{result.document}.records.json").write_text(
                result.model_dump_json(indent=1), encoding="utf-8"
            )
        else:
            sys.stdout.write(result.model_dump_json() + "\n")
    return EXIT_INPUT if failed else EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from corpus.schema import json_schema

    _out(json_schema(args.what))
    return EXIT_OK


def _workspace(args: argparse.Namespace):
    from corpus.workspace import Workspace

    return Workspace(
        args.data_dir,
        model=getattr(args, "model", None),
        fusion=getattr(args, "fusion", None),
    )


def cmd_add(args: argparse.Namespace) -> int:
    files = expand_paths(args.paths)
    embedding_threads(args.jobs)
    failed = 0
    with _workspace(args) as ws:
        for report in ws.add(
            files,
            index=not args.no_index,
            limits=_limits(args),
            progress=_progress(args, len(files)),
            jobs=args.jobs,
            executor=args.executor,
            embed_in=args.embed_in,
        ):
            if report.outcome is None or report.errors:  # failed, or indexing ran out of time
                failed += 1
                _report_errors(report.path, report.errors)
            _report_errors(report.path, report.warnings)
            _out(report.as_json())
    return EXIT_INPUT if failed else EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    with _workspace(args) as ws:
        for summary in ws.store.list_documents():
            _out(summary.model_dump())
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    with _workspace(args) as ws:
        stored = ws.store.get_version(args.ref, with_document=False)
    records = [r for r in stored.records if not args.kind or r.kind in args.kind]
    if not args.table:
        result = stored.extraction.model_copy(update={"records": records})
        payload = {"version": stored.info.model_dump(), "extraction": result.model_dump()}
        _out(payload)
        return EXIT_OK
    from corpus.tables import records_table

    ident = stored.extraction.identity
    print(f"{stored.info.doc_id}@{stored.info.version}  {ident.title or ''}  ({ident.kind})")
    print(records_table(records))
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from corpus.render import render_html, render_markdown

    with _workspace(args) as ws:
        diff: VersionDiff = ws.diff(args.old, args.new)
    text = {
        "json": lambda: diff.model_dump_json(indent=1),
        "markdown": lambda: render_markdown(diff),
        "html": lambda: render_html(diff),
    }[args.format]()
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        _err(f"wrote {args.out}")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return EXIT_OK


def _relinked(ws: Workspace, args: argparse.Namespace) -> dict[str, object]:
    """Run the index work link/unlink queued (the versions' new names and latest flags);
    with ``--no-index`` it stays queued for the next run."""
    return ws.recover(index=not args.no_index).as_json()


def cmd_link(args: argparse.Namespace) -> int:
    with _workspace(args) as ws:
        doc = ws.store.link(args.doc, args.other)
        versions = [v.model_dump() for v in ws.store.versions(doc)]
        _out({"linked": doc, "versions": versions, "outbox": _relinked(ws, args)})
    return EXIT_OK


def cmd_unlink(args: argparse.Namespace) -> int:
    with _workspace(args) as ws:
        new_id = ws.store.unlink(args.ref)
        _out({"new_document": new_id, "outbox": _relinked(ws, args)})
    return EXIT_OK


def _scan_once(ws: Workspace, args: argparse.Namespace) -> int:
    from corpus.delivery import deliver_pending
    from corpus.subscriptions import Subscription, Target, load_subscriptions

    failed = 0
    files = expand_paths([args.dir])
    for report in ws.add(
        files,
        limits=_limits(args),
        progress=_progress(args, len(files)),
        jobs=args.jobs,
        executor=args.executor,
        embed_in=args.embed_in,
    ):
        _report_errors(report.path, report.warnings, args.quiet)
        if report.outcome is None or report.errors:
            failed += 1
            _report_errors(report.path, report.errors, args.quiet)
        if report.outcome is not None and report.alerts:
            _err(f"{report.outcome.status}: {report.path}", args.quiet)
    subs = load_subscriptions(args.subscriptions) if args.subscriptions else []
    targets = [Target("stdout")]
    if args.jsonl:
        targets.append(Target("jsonl", str(args.jsonl.resolve())))
    if args.atom:
        targets.append(Target("atom", str(args.atom.resolve())))
    if not args.subscriptions or args.jsonl or args.atom:
        subs.append(Subscription(name="cli", targets=targets))
    report = deliver_pending(ws.store, subs)
    for t in report.targets:
        for e in t.errors:
            _err(f"regwatch: delivery to {t.target} ({t.subscription}): {e}", args.quiet)
    return EXIT_INPUT if failed else EXIT_OK


def cmd_scan(args: argparse.Namespace) -> int:
    embedding_threads(args.jobs)
    with _workspace(args) as ws:
        return _scan_once(ws, args)


def cmd_watch(args: argparse.Namespace) -> int:
    embedding_threads(args.jobs)
    with _workspace(args) as ws:
        while True:
            _scan_once(ws, args)
            sys.stdout.flush()
            time.sleep(args.interval)


def cmd_search(args: argparse.Namespace) -> int:
    with _workspace(args) as ws:
        hits = ws.search(
            args.query,
            k=args.k,
            lang=args.lang,
            issuer=args.issuer,
            kind=args.kind,
            effective_after=args.effective_after,
            all_versions=args.all_versions,
            mode=args.mode,
            **({} if args.min_relevance is None else {"floor": args.min_relevance}),
        )
    if not hits:
        print("no close match: nothing in the corpus reaches the relevance floor", file=sys.stderr)
    if args.json:
        for hit in hits:
            sys.stdout.write(hit.model_dump_json() + "\n")
        return EXIT_OK
    for rank, hit in enumerate(hits, 1):
        c = hit.chunk
        where = f"{c.law or c.title or c.document} {c.article_label or ''}".strip()
        origin = f"{c.document}@{c.version} p.{c.page} {c.language}"
        relevance = "" if hit.relevance is None else f"  relevance {hit.relevance:.2f}"
        print(f"{rank:>2}. {hit.score:.4f}{relevance}  {where}  [{origin}]")
        print(f"    {hit.snippet}")
    return EXIT_OK


def cmd_reindex(args: argparse.Namespace) -> int:
    embedding_threads(args.jobs)
    with _workspace(args) as ws:
        stats = ws.reindex()
    _out(stats.__dict__ if hasattr(stats, "__dict__") else str(stats))
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from corpus.check import check, repair

    with _workspace(args) as ws:
        run = repair if args.repair else check
        report = run(ws, index=not args.no_index)
    _out(report.as_json())
    return EXIT_OK if report.ok else EXIT_DRIFT


def cmd_serve(args: argparse.Namespace) -> int:
    # Imported here: plain CLI use never needs fastapi/uvicorn (the `web` extra).
    from web.cli_serve import cmd_serve as serve

    return serve(args)
