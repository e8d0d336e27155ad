"""What every extractor shares: where an offset sits (law, article, page, box) and record ids.

Each extractor module is a pure function ``Document (+ Locator) -> list[Record]`` with a
``find_*`` core on plain text that the tests drive with ``(text, expected)`` tables.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
from dataclasses import dataclass, field

from models.document import Document, DocumentIdentity
from models.provenance import CharSpan, Provenance


@dataclass(frozen=True)
class ArticleSpan:
    """Where one article (authoritative or quoted copy) lies in ``Document.text``."""

    start: int
    end: int
    law: str | None
    number: int | None
    label: str
    record_id: str | None = None


@dataclass
class Locator:
    """Answers 'where is this offset?' for one document and its articles."""

    document: Document
    articles: list[ArticleSpan] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.articles = sorted(self.articles, key=lambda a: (a.start, -a.end))
        self._starts = [a.start for a in self.articles]
        # the furthest end among the articles up to each one: the backward walk stops where
        # no earlier article can reach the offset (an offset outside every article walked
        # all articles before it, quadratic over a long document)
        self._reach = list(itertools.accumulate((a.end for a in self.articles), max))

    def article_at(self, offset: int) -> ArticleSpan | None:
        """The innermost article whose span contains ``offset``."""
        i = bisect.bisect_right(self._starts, offset) - 1
        best: ArticleSpan | None = None
        while i >= 0 and self._reach[i] > offset:
            a = self.articles[i]
            inside = a.start <= offset < a.end
            if inside and (best is None or a.end - a.start < best.end - best.start):
                best = a
            if best is not None and a.end <= offset:
                break
            i -= 1
        return best

    def subdocument_key(self, offset: int) -> str:
        sub = self.document.subdocument_at(offset)
        return sub.key if sub else "main"

    def identity_at(self, offset: int) -> DocumentIdentity:
        sub = self.document.subdocument_at(offset)
        return sub.identity if sub else self.document.identity

    def law_at(self, offset: int) -> str | None:
        """The law an offset belongs to: its article's law, else the sub-document's own name."""
        art = self.article_at(offset)
        if art is not None and art.law:
            return art.law
        ident = self.identity_at(offset)
        if ident.kind == "commentary":
            return None
        return ident.title_original or ident.number or ident.title

    def provenance(self, start: int, end: int) -> Provenance:
        span = CharSpan(start=start, end=end)
        page, bbox = self.document.locate(span)
        return Provenance(
            source_sha256=self.document.source.sha256,
            document=self.subdocument_key(start),
            page=page,
            bbox=bbox,
            char_span=span,
        )

    def record_id(self, kind: str, start: int, end: int) -> str:
        """Stable across runs: the same file gives the same ids."""
        digest = hashlib.sha1(f"{self.document.id}:{kind}:{start}:{end}".encode()).hexdigest()
        return f"{self.document.id}-{kind}-{start}-{digest[:6]}"

    def common(self, kind: str, start: int, end: int) -> dict[str, object]:
        """Fields of ``RecordBase`` for a mention at ``[start, end)``."""
        art = self.article_at(start)
        return {
            "id": self.record_id(kind, start, end),
            "law": self.law_at(start),
            "article": art.number if art else None,
            "article_label": art.label if art else None,
            "text": self.document.text[start:end],
            "provenance": self.provenance(start, end),
        }
