"""Records for diff tests and the diff bench, built without the extraction pipeline.

``tests/data/dev/versions/STEM.articles.json`` holds the article texts of each version;
``truth_articles`` turns them into Article records laid end to end in a synthetic document
text (``truth_document_text``), so offsets and provenance are consistent.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from models.provenance import CharSpan, Provenance
from models.records import Article, DateMention, Threshold

VERSIONS_DIR = Path(__file__).parent / "data" / "dev" / "versions"


def _provenance(sha: str, start: int, end: int) -> Provenance:
    return Provenance(
        source_sha256=sha, document="main", page=1, char_span=CharSpan(start=start, end=end)
    )


def load_truth(stem: str) -> dict[str, Any]:
    return json.loads((VERSIONS_DIR / f"{stem}.articles.json").read_text(encoding="utf-8"))


def truth_document_text(stem: str) -> tuple[str, list[tuple[int, int, dict[str, Any]]]]:
    """Title line, then ``LABEL TEXT`` per article (paragraphs on their own lines).

    Returns the text and, per article, the span of its body and its truth entry.
    """
    truth = load_truth(stem)
    parts = [truth["documents"][0].get("title") or stem]
    pos = len(parts[0]) + 1
    spans: list[tuple[int, int, dict[str, Any]]] = []
    for entry in truth["articles"]:
        head = f"{entry['label']} "
        start = pos + len(head)
        parts.append(head + entry["text"])
        spans.append((start, start + len(entry["text"]), entry))
        pos += len(head) + len(entry["text"]) + 1
    return "\n".join(parts), spans


def truth_articles(stem: str) -> list[Article]:
    text, spans = truth_document_text(stem)
    sha = hashlib.sha256(text.encode()).hexdigest()
    return [
        Article(
            id=f"{sha[:16]}:article:{start}",
            law=entry.get("law"),
            article=entry["number"],
            article_label=entry["label"],
            text=entry["text"],
            provenance=_provenance(sha, start, end),
            number=entry["number"],
            label=entry["label"],
            body=entry["text"],
            excerpt=bool(entry.get("excerpt", False)),
        )
        for start, end, entry in spans
    ]


def article(number: int, body: str, *, label: str | None = None, law: str = "法") -> Article:
    """A stand-alone article record (offset = number * 1000 keeps ids distinct)."""
    return Article(
        id=f"t:article:{number}",
        law=law,
        article=number,
        text=body,
        provenance=_provenance("0" * 64, number * 1000, number * 1000 + len(body)),
        number=number,
        label=label or f"第{number}条",
        body=body,
    )


def threshold(
    article_number: int | None, text: str, offset: int = 0, law: str = "法", **fields: Any
) -> Threshold:
    base = (article_number or 0) * 1000 + offset
    return Threshold(
        id=f"t:threshold:{base}",
        law=law,
        article=article_number,
        text=text,
        provenance=_provenance("0" * 64, base, base + len(text)),
        **{"unit": "day", **fields},
    )


def date(
    article_number: int | None,
    text: str,
    iso: str | None,
    role: str = "effective",
    offset: int = 0,
    law: str = "法",
) -> DateMention:
    base = (article_number or 0) * 1000 + offset
    return DateMention(
        id=f"t:date:{base}",
        law=law,
        article=article_number,
        text=text,
        raw=text,
        iso=iso,
        role=role,  # type: ignore[arg-type]
        provenance=_provenance("0" * 64, base, base + len(text)),
    )
