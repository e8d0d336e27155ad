"""Records of a version, or hits of a search, as CSV and XLSX tables for spreadsheets.

The JSON API stays the source: these flatten the same objects, one row per record (or hit),
with the provenance columns an analyst needs to find the passage again (file hash, page,
box, character span, sub-document).  Cells are text from unvetted PDFs: a cell that a
spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``) is prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from models.errors import ConfigError
from models.records import (
    Article,
    DateMention,
    Definition,
    ExtractionResult,
    ItemList,
    Record,
    Reference,
    Threshold,
)
from models.search import Hit
from web.display import threshold_text

RECORD_COLUMNS = (
    "doc_id",
    "version",
    "record_id",
    "kind",
    "law",
    "article",
    "article_label",
    "reading",
    "text",
    "value",
    "unit",
    "comparator",
    "min",
    "max",
    "role",
    "date",
    "term",
    "items",
    "codes",
    "sub_document",
    "page",
    "bbox",
    "char_start",
    "char_end",
    "source_sha256",
    "source_file",
    "text_source",
    "ocr_confidence",
)
HIT_COLUMNS = (
    "rank",
    "relevance",
    "doc_id",
    "version",
    "latest",
    "title",
    "law",
    "article",
    "article_label",
    "language",
    "issuer",
    "doc_kind",
    "effective",
    "page",
    "sub_document",
    "chunk_id",
    "snippet",
    "text",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Row = Sequence[object]


def _reading(record: Record) -> str:
    """The record in one line, as the workspace shows it."""
    if isinstance(record, Threshold):
        return threshold_text(record)
    if isinstance(record, DateMention):
        return f"{record.role} {record.iso or record.rule or record.raw}"
    if isinstance(record, ItemList):
        return f"{record.heading} ({len(record.items)})"
    if isinstance(record, Definition):
        return f"{record.term}: {record.definition}"
    if isinstance(record, Reference):
        return " ".join(x for x in (record.target_law, record.target_label) if x)
    if isinstance(record, Article):
        return record.label
    return ""


def record_rows(extraction: ExtractionResult, doc_id: str, version: int) -> list[Row]:
    rows: list[Row] = []
    for r in extraction.records:
        p = r.provenance
        box = p.bbox
        threshold = r if isinstance(r, Threshold) else None
        date = r if isinstance(r, DateMention) else None
        items = r if isinstance(r, ItemList) else None
        codes = [
            c
            for i in (items.items if items else [])
            for c in ([*i.control_codes, *i.hs_codes] or ([i.code] if i.code else []))
        ]
        rows.append(
            (
                doc_id,
                version,
                r.id,
                r.kind,
                r.law,
                r.article,
                r.article_label,
                _reading(r),
                r.text,
                threshold.value if threshold else None,
                threshold.unit if threshold else None,
                threshold.comparator if threshold else None,
                threshold.min if threshold else None,
                threshold.max if threshold else None,
                date.role if date else None,
                date.iso if date else None,
                r.term if isinstance(r, Definition) else None,
                len(items.items) if items else None,
                " ".join(dict.fromkeys(codes)) if items else None,
                p.document,
                p.page,
                f"{box.x0:.1f},{box.top:.1f},{box.x1:.1f},{box.bottom:.1f}" if box else None,
                p.char_span.start,
                p.char_span.end,
                p.source_sha256,
                extraction.source,
                p.source or "text",
                p.confidence,
            )
        )
    return rows


def hit_rows(hits: Iterable[Hit], first_rank: int = 1) -> list[Row]:
    return [
        (
            rank,
            hit.relevance,
            c.document,
            c.version,
            c.latest,
            c.title,
            c.law,
            c.article,
            c.article_label,
            c.language,
            c.issuer.replace("|", "、"),
            c.doc_kind,
            c.effective,
            c.page,
            c.subdocument,
            c.id,
            hit.snippet,
            c.text,
        )
        for rank, hit in enumerate(hits, first_rank)
        for c in (hit.chunk,)
    ]


def _safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(columns: Sequence[str], rows: Iterable[Row]) -> bytes:
    """UTF-8 with a byte-order mark: Excel then reads the Chinese and Japanese right."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else _safe(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(columns: Sequence[str], rows: Iterable[Row], sheet: str) -> bytes:
    try:
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    except ImportError as exc:  # the web extra installs it
        raise ConfigError("XLSX export needs openpyxl: pip install 'regwatch[web]'") from exc
    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet[:31])
    ws.append(list(columns))
    for row in rows:
        ws.append(
            [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in map(_safe, row)]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
