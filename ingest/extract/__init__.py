"""Extraction: one module per record kind; ``extract_records`` runs them all in order.

Articles come first because every other record needs to know which law and article it
sits in (``Locator``); references are resolved against the articles found.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ingest.deadline import Deadline
from ingest.extract.articles import extract_articles
from ingest.extract.base import Locator
from ingest.extract.dates import extract_dates
from ingest.extract.definitions import extract_definitions
from ingest.extract.items import extract_item_lists
from ingest.extract.references import extract_references
from ingest.extract.tables import extract_tables
from ingest.extract.thresholds import extract_thresholds
from models.document import Document
from models.records import ExtractionResult, Record

RECORD_KINDS = (
    "article",
    "threshold",
    "date",
    "item_list",
    "reference",
    "definition",
    "table",
)


_EXTRACTORS: list[tuple[str, Callable[[Document, Locator], Sequence[Record]]]] = [
    ("threshold", extract_thresholds),
    ("date", extract_dates),
    ("item_list", extract_item_lists),
    ("reference", extract_references),
    ("definition", extract_definitions),
    ("table", extract_tables),
]


def extract_records(
    document: Document, kinds: set[str] | None = None, deadline: Deadline | None = None
) -> ExtractionResult:
    """All records of ``document``, in kind order then text order; ids are deterministic.

    ``deadline``: the file's time budget (``--timeout``), checked after each kind; over it,
    ``LimitExceededError`` (E106) and no records."""
    wanted = set(RECORD_KINDS) if kinds is None else kinds
    articles = extract_articles(document)
    locator = Locator(document, articles.spans)
    records: list[Record] = []
    if "article" in wanted:
        records.extend(articles.records)
    for kind, extractor in _EXTRACTORS:
        if deadline is not None:
            deadline.check(f"extraction ({kind}s)")
        if kind in wanted:
            records.extend(extractor(document, locator))
    if deadline is not None:
        deadline.check("extraction")
    return ExtractionResult(
        document=document.id,
        source=document.source.path,
        identity=document.identity,
        subdocuments={s.key: s.identity for s in document.subdocuments},
        records=records,
        warnings=[*document.warnings, *articles.warnings],
    )
