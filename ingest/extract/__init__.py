"""Extraction: one module per record kind; ``extract_records`` runs them all in order.

Articles come first because every other record needs to know which law and article it
sits in (``Locator``); references are resolved against the articles found.
"""

from __future__ import annotations

from ingest.extract.articles import extract_articles
from ingest.extract.base import Locator
from ingest.extract.dates import extract_dates
from ingest.extract.definitions import extract_definitions
from ingest.extract.items import extract_item_lists
from ingest.extract.references import extract_references
from ingest.extract.thresholds import extract_thresholds
from models.document import Document
from models.records import ExtractionResult, Record

RECORD_KINDS = ("article", "threshold", "date", "item_list", "reference", "definition")


def extract_records(document: Document, kinds: set[str] | None = None) -> ExtractionResult:
    """All records of ``document``, in kind order then text order; ids are deterministic."""
    wanted = set(RECORD_KINDS) if kinds is None else kinds
    articles = extract_articles(document)
    locator = Locator(document, articles.spans)
    records: list[Record] = []
    if "article" in wanted:
        records.extend(articles.records)
    if "threshold" in wanted:
        records.extend(extract_thresholds(document, locator))
    if "date" in wanted:
        records.extend(extract_dates(document, locator))
    if "item_list" in wanted:
        records.extend(extract_item_lists(document, locator))
    if "reference" in wanted:
        records.extend(extract_references(document, locator))
    if "definition" in wanted:
        records.extend(extract_definitions(document, locator))
    return ExtractionResult(
        document=document.id,
        source=document.source.path,
        identity=document.identity,
        subdocuments={s.key: s.identity for s in document.subdocuments},
        records=records,
        warnings=[*document.warnings, *articles.warnings],
    )
