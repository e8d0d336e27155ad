"""Readable tables of records for ``regwatch show --table``."""

from __future__ import annotations

import unicodedata

from models.records import Record


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(text: str, width: int) -> str:
    text = text.replace("\n", " ")
    out, used = "", 0
    for ch in text:
        w = _width(ch)
        if used + w > width:
            return out + "…" + " " * (width - used - 1)
        out, used = out + ch, used + w
    return out + " " * (width - used)


def summarise(record: Record) -> str:
    """The record's fields in one line: what a reader scans for."""
    kind = record.kind
    if kind == "article":
        return f"{record.label} {record.body}"  # type: ignore[union-attr]
    if kind == "threshold":
        r = record
        if r.min is not None or r.max is not None:  # type: ignore[union-attr]
            return f"{r.min}..{r.max} {r.unit}"  # type: ignore[union-attr]
        return f"{r.comparator} {r.value:g} {r.unit}"  # type: ignore[union-attr]
    if kind == "date":
        return f"{record.role} {record.iso}"  # type: ignore[union-attr]
    if kind == "item_list":
        items = "、".join(i.code or i.text for i in record.items)  # type: ignore[union-attr]
        return f"{record.heading}: {items}"  # type: ignore[union-attr]
    if kind == "reference":
        r = record
        return f"→ {r.target_law or '(same law)'} {r.target_label or ''}"  # type: ignore[union-attr]
    return f"{record.term} = {record.definition}"  # type: ignore[union-attr]


def records_table(records: list[Record]) -> str:
    header = f"{_fit('kind', 10)} {_fit('page', 4)} {_fit('article', 10)} {_fit('value', 40)} text"
    lines = [header, "-" * 100]
    for r in records:
        lines.append(
            f"{_fit(r.kind, 10)} {_fit(str(r.provenance.page), 4)} "
            f"{_fit(r.article_label or '', 10)} {_fit(summarise(r), 40)} {_fit(r.text, 40)}"
        )
    return "\n".join(lines)
