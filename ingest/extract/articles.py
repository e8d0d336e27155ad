"""Article records: every numbered provision of every law a PDF carries, listed once.

``find_articles`` (article_core.py) finds every copy of every article in the text; this
module decides, per copy, whether it is the law's own text or a quotation inside a
commentary, which law it belongs to, and which copy is the record:

- own text: articles in a sub-document that is a law/measure/announcement (not a
  commentary, explanation, FAQ, guide or list), or in a plain document;
- a quoted copy belongs to the authoritative article it repeats (same number, near-same
  text), else to the law the commentary names just before it (article_laws.py);
- records: every authoritative article, plus one quoted copy per (law, number) that has
  no authoritative copy.  Every copy gets an ``ArticleSpan`` so that a threshold inside a
  quoted 稀土管理条例 第十条 is located in that law's article 10.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field

from ingest.extract.article_core import ArticleMatch, ParagraphMatch, find_articles
from ingest.extract.article_laws import (
    LAW_SUFFIX,
    clean_name,
    defined_abbreviations,
    footnote_aliases,
    identity_law,
    quoted_law,
    title_law,
    to_int,
)
from ingest.extract.article_lines import SUB_NUMBER, SUPPLEMENTARY
from ingest.extract.base import ArticleSpan, Locator
from ingest.numbers import parse_number
from models.document import Document, SubDocument
from models.records import Article, Item, Paragraph

__all__ = ["ArticleExtraction", "ArticleMatch", "extract_articles", "find_articles"]

#: Sub-document kinds whose numbered provisions are their own articles.
LAW_KINDS = frozenset(
    {"measures", "regulation", "law", "order", "announcement", "notice", "translation", "other"}
)
#: Kinds that talk about laws: articles there are quotations.
QUOTING_KINDS = frozenset({"commentary", "explanation", "qa", "news"})
_SAME_TEXT = 0.8
_CONTEXT_CHARS = 600


@dataclass
class ArticleExtraction:
    records: list[Article] = field(default_factory=list)
    spans: list[ArticleSpan] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Copy:
    match: ArticleMatch
    quoted: bool
    law: str | None = None
    record_id: str | None = None


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _kind_at(document: Document, offset: int) -> str:
    sub = document.subdocument_at(offset)
    return (sub.identity.kind if sub else document.identity.kind) or "other"


def _sub_law(document: Document, sub: SubDocument | None) -> str | None:
    identity = sub.identity if sub else document.identity
    law = identity_law(identity) if identity.kind not in QUOTING_KINDS else None
    if law:
        return law
    span = (sub.char_span.start, sub.char_span.end) if sub else (0, document.body_end)
    return title_law(document.text[span[0] : span[1]])


def _boundaries(document: Document) -> list[int]:
    cuts = {document.body_end, len(document.text)}
    for sub in document.subdocuments:
        cuts.update((sub.char_span.start, sub.char_span.end))
    for note in document.footnotes:
        if note.char_span is not None:
            cuts.update((note.char_span.start, note.char_span.end))
    return sorted(cuts)


def _lines_are_paragraphs(document: Document) -> bool:
    """Ingest joins a paragraph's printed lines into one block; test documents do not."""
    body = [b for b in document.blocks if b.char_span is not None]
    return bool(body) and sum(len(b.lines) > 1 for b in body) * 4 >= len(body)


def _context(document: Document, copy: _Copy, previous_end: int) -> tuple[str, int]:
    """Commentary text before a quotation, and where the part since the previous article
    (at most 600 chars) starts in it; the 1,500 chars before serve to resolve ``同条例``.

    A quotation in a footnote is introduced where the footnote's marker stands in the body
    (``両用品目輸出管理条例第18条【13】``) and by the footnote's own words before the label.
    """
    start = copy.match.start
    text = document.text
    if copy.match.in_footnote:
        note = next(
            (
                n
                for n in document.footnotes
                if n.char_span and n.char_span.start <= start < n.char_span.end
            ),
            None,
        )
        own = text[note.char_span.start : start] if note and note.char_span else ""
        marker = note.marker_offset if note else None
        before = text[max(0, marker - 1500) : marker] if marker is not None else ""
        return before + "\n" + own, max(0, len(before) - 80)
    wide = max(0, start - 1500)
    window = max(previous_end, start - _CONTEXT_CHARS)
    return text[wide:start], window - wide


def _same_article(quote: ArticleMatch, own: ArticleMatch) -> bool:
    """The quotation repeats ``own`` (typos aside); an excerpt repeats its beginning."""
    a, b = _squash(quote.body), _squash(own.body)
    if len(a) < 8 or len(b) < 8:
        return a == b and bool(a)
    if quote.excerpt or len(a) < len(b):
        b = b[: len(a)]
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= _SAME_TEXT


def _assign_laws(document: Document, copies: list[_Copy], warnings: list[str]) -> None:
    aliases = footnote_aliases(document)
    abbreviations = defined_abbreviations(document.text)
    own = [c for c in copies if not c.quoted]
    for copy in own:
        copy.law = _sub_law(document, document.subdocument_at(copy.match.start))
    own_laws = [c.law for c in own if c.law]
    subject = Counter(own_laws).most_common(1)[0][0] if own_laws else None
    if subject is None and document.identity.kind in QUOTING_KINDS:
        subject = None
    previous_end = 0
    previous: _Copy | None = None
    for copy in copies:
        match = copy.match
        if copy.quoted:
            twin = next(
                (
                    o
                    for o in own
                    if o.match.number == match.number and _same_article(match, o.match)
                ),
                None,
            )
            if match.ended_by.startswith("citation:"):
                cited = match.ended_by.removeprefix("citation:")
                copy.law = aliases.get(cited, cited)
            elif twin is not None:
                copy.law = twin.law
            elif previous is not None and previous.quoted and previous.match.end >= match.start - 2:
                copy.law = previous.law  # 第二十一条 right after 第二十条: same quotation
            else:
                context, window_from = _context(document, copy, previous_end)
                law = quoted_law(context, match.number, subject, window_from, abbreviations)
                if law is None and not match.in_footnote:
                    law = quoted_law(
                        context,
                        match.number,
                        subject,
                        max(0, len(context) - _CONTEXT_CHARS),
                        abbreviations,
                    )
                copy.law = aliases.get(law, law) if law else None
            if copy.law is None:
                warnings.append(f"article {match.label} at {match.start}: law not found")
        previous_end = max(previous_end, match.end) if not match.in_footnote else previous_end
        previous = copy


def _footnote_excerpts(document: Document, taken: list[tuple[int, int]]) -> list[ArticleMatch]:
    """A footnote quoting one sentence of a law and citing it.

    ``…の総称を指す。（レアアース管理条例第30条）`` is an excerpt of that article.
    """
    found: list[ArticleMatch] = []
    cite = re.compile(
        rf"(?P<body>[^（(\n][^\n]*?[。．])[ \u3000]*[（(](?P<law>[^（）()\n]{{2,60}}?{LAW_SUFFIX})"
        r"[ \u3000]*(?P<label>第[ \u3000]*(?P<num>[0-9０-９〇一二三四五六七八九十百]+)[ \u3000]*条)"
        r"[）)][ \u3000]*$"
    )
    for note in document.footnotes:
        if note.char_span is None or any(s <= note.char_span.start < e for s, e in taken):
            continue
        text = document.text[note.char_span.start : note.char_span.end]
        m = cite.search(text)
        if m is None:
            continue
        body_start = note.char_span.start + m.start("body")
        lead = re.match(r"^[ \u3000]*[0-9]{1,3}[ \u3000]+", m.group("body"))
        if lead:
            body_start += lead.end()
        body = re.sub(r"\s+", "", document.text[body_start : note.char_span.start + m.end("body")])
        label = re.sub(r"[ \u3000]", "", m.group("label"))
        match = ArticleMatch(
            style="article",
            label=label,
            number=to_int(m.group("num")),
            start=body_start,
            end=note.char_span.start + m.end(),
            paragraphs=[ParagraphMatch(body, body_start, note.char_span.start + m.end("body"))],
            excerpt=True,
            in_footnote=True,
        )
        match.pieces = [(match.start, match.end)]
        match.ended_by = "citation:" + clean_name(m.group("law"))
        found.append(match)
    return found


def extract_articles(document: Document) -> ArticleExtraction:
    """Article records (authoritative copies, listed once) and spans of every copy."""
    result = ArticleExtraction()
    body_end = document.body_end

    def enum_allowed(offset: int) -> bool:
        return offset < body_end and _kind_at(document, offset) in LAW_KINDS

    def quoted(offset: int) -> bool:
        return offset >= body_end or _kind_at(document, offset) in QUOTING_KINDS

    has_structure = (
        any(s.identity.kind != "other" for s in document.subdocuments)
        or document.identity.kind != "other"
    )
    try:
        matches = find_articles(
            document.text,
            boundaries=_boundaries(document),
            enum_allowed=enum_allowed if has_structure else None,
            quoted=quoted,
            lines_are_paragraphs=_lines_are_paragraphs(document),
            footnotes_from=body_end if body_end < len(document.text) else None,
        )
        matches += _footnote_excerpts(document, [(m.start, m.end) for m in matches])
    except Exception as error:
        result.warnings.append(f"article extraction failed: {type(error).__name__}: {error}")
        return result
    matches.sort(key=lambda m: m.start)
    copies = [_Copy(m, quoted=quoted(m.start)) for m in matches]
    _assign_laws(document, copies, result.warnings)
    _check_numbering(copies, result.warnings)
    return _records(document, copies, result)


def _position(match: ArticleMatch) -> tuple[int | None, str]:
    """What tells an article from its neighbours with the same number: 第十条之一 / 第十条の二
    (inserted by an amendment) and the supplementary provisions (附則 restarts at 第一条)."""
    sub = SUB_NUMBER.search(match.label)
    part = "附则" if match.chapter and SUPPLEMENTARY.match(match.chapter) else ""
    return match.number, f"{part}{sub.group('sub') if sub else ''}"


def article_key(match: ArticleMatch) -> str | None:
    """The stable key versions align by: ``"10"`` for 第十条, ``"2_2"`` for 第二条の二 (之二)."""
    if match.number is None:
        return None
    sub = SUB_NUMBER.search(match.label)
    branch = parse_number(sub.group("sub")) if sub else None
    return f"{match.number}_{int(branch)}" if branch is not None else str(match.number)


def _check_numbering(copies: list[_Copy], warnings: list[str]) -> None:
    seen: dict[tuple[str | None, int | None, str], int] = {}
    last: dict[tuple[str | None, str], int] = {}
    for copy in copies:
        if copy.quoted or copy.match.number is None:
            continue
        number, part = _position(copy.match)
        key = (copy.law, number, part)
        if key in seen:
            warnings.append(
                f"duplicate article {copy.match.label} of {copy.law} at {copy.match.start}"
            )
        seen[key] = copy.match.start
        series = (copy.law, "附则" if part.startswith("附则") else "")
        if series in last and copy.match.number < last[series] and copy.match.style == "article":
            warnings.append(
                f"article {copy.match.label} of {copy.law} follows article {last[series]}"
            )
        last[series] = copy.match.number


def _records(
    document: Document, copies: list[_Copy], result: ArticleExtraction
) -> ArticleExtraction:
    chosen: dict[tuple[str | None, int | None, str], _Copy] = {}
    for copy in copies:
        key = _record_key(copy)
        current = chosen.get(key)
        if current is None or (current.quoted and not copy.quoted):
            chosen[key] = copy
    records_for = {id(c) for c in chosen.values()}
    # Duplicate numbers inside a law's own text (broken numbering) are each kept.
    records_for |= {id(c) for c in copies if not c.quoted}
    spans: list[ArticleSpan] = []
    draft = Locator(document, [])
    for copy in copies:
        if id(copy) in records_for:
            copy.record_id = draft.record_id("article", copy.match.start, copy.match.end)
    for copy in copies:
        if copy.record_id is None:
            twin = chosen.get(_record_key(copy))
            copy.record_id = twin.record_id if twin else None
        for start, end in copy.match.pieces:
            spans.append(
                ArticleSpan(
                    start, end, copy.law, copy.match.number, copy.match.label, copy.record_id
                )
            )
    locator = Locator(document, spans)
    for copy in copies:
        if id(copy) in records_for:
            result.records.append(_article(locator, copy))
    result.spans = spans
    return result


def _record_key(copy: _Copy) -> tuple[str | None, int | None, str]:
    if copy.match.number is None:
        return copy.law, None, copy.match.style
    return (copy.law, *_position(copy.match))


def _article(locator: Locator, copy: _Copy) -> Article:
    match = copy.match
    common = locator.common("article", match.start, match.end)
    common["law"] = copy.law
    return Article(
        **common,  # type: ignore[arg-type]
        number=match.number,
        key=article_key(match),
        label=match.label,
        chapter=match.chapter,
        section=match.section,
        body=match.body,
        paragraphs=[
            Paragraph(
                index=i,
                text=p.text,
                items=[Item(text=it.text, label=it.label) for it in p.items],
            )
            for i, p in enumerate(match.paragraphs, start=1)
        ],
        excerpt=match.excerpt,
        quoted=copy.quoted,
    )
