"""Cross-references: ``同条例第10条``, ``《中華人民共和国輸出管理法》第十二条``, ``第13条～第16条``,
``本法第十五条``, ``前条``.

``target_law`` is None when the reference stays in the law it sits in (``本条例``, ``本法``,
a bare ``第三条``); ``resolved`` is the record id of the target article when this document
carries it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.extract.article_laws import (
    ARTICLE_MENTION,
    PRONOUN,
    footnote_aliases,
    law_key,
    law_names,
    mention_numbers,
    resolve_pronoun,
    to_int,
)
from ingest.extract.base import Locator
from ingest.extract.spans import Intervals
from models.document import Document
from models.records import Reference

_RELATIVE = re.compile(r"(?P<word>前条|次条|本条|同条|前款|本款|前項|本項)(?![例件文目])")
_CHAINED = re.compile(
    r"[ \u3000]*(?:及び|および|及|並びに|ならびに|又は|または|和|与|、|，|,)[ \u3000]*"
)
_SPACES = re.compile(r"[ \u3000\t]")


@dataclass(frozen=True)
class ReferenceMatch:
    start: int
    end: int
    text: str
    number: int | None
    number_end: int | None
    label: str
    law: str | None  # the name written before the reference, cleaned
    pronoun: str | None  # 同条例 / 本法 / 前条 …


def find_references(text: str) -> list[ReferenceMatch]:
    """Article references in ``text``; the law named right before each is attached."""
    names = law_names(text)
    # names by where they end: each mention looks up the one or two ends right before it
    # (a scan of every name per mention was quadratic in the document's length)
    ending: dict[int, list[int]] = {}
    for i, n in enumerate(names):
        if n.end > n.start:
            ending.setdefault(n.end, []).append(i)
    found: list[ReferenceMatch] = []
    for m in ARTICLE_MENTION.finditer(text):
        if _is_label(text, m.start(), m.end()):
            continue
        numbers = mention_numbers(m)
        if not numbers:
            continue
        start, law, pronoun = m.start(), None, None
        near = sorted([*ending.get(m.start() - 1, []), *ending.get(m.start(), [])])
        before = [names[i] for i in near]
        if before:
            named = before[-1]
            start = named.start
            law, pronoun = named.name, named.pronoun
        elif found and _CHAINED.fullmatch(text[found[-1].end : m.start()]):
            # 第 5 条及び第 7 条: the second takes the law of the first
            law, pronoun = found[-1].law, found[-1].pronoun
        last = to_int(m.group("last")) if m.group("last") else None
        found.append(
            ReferenceMatch(
                start=start,
                end=m.end(),
                text=text[start : m.end()],
                number=numbers[0],
                number_end=last,
                label=_SPACES.sub("", m.group(0)),
                law=law,
                pronoun=pronoun,
            )
        )
    taken = Intervals()
    taken.add_all((r.start, r.end) for r in found)
    for m in _RELATIVE.finditer(text):
        if taken.overlaps(m.start(), m.start() + 1):
            continue
        found.append(
            ReferenceMatch(
                m.start(), m.end(), m.group(0), None, None, m.group(0), None, m.group("word")
            )
        )
    found.sort(key=lambda r: r.start)
    return found


def _is_label(text: str, start: int, end: int) -> bool:
    """``第十条 国は…`` opening a line is the article itself, not a reference to it."""
    line_start = text.rfind("\n", 0, start) + 1
    prefix = text[line_start:start]
    if prefix.strip(" \u3000\t") and not re.fullmatch(
        r"[ \u3000\t]*[0-9]{1,3}[ \u3000\t]+", prefix
    ):
        return False
    return end >= len(text) or text[end] in " \u3000\t\n"


def extract_references(document: Document, locator: Locator) -> list[Reference]:
    text = document.text
    aliases = footnote_aliases(document)
    names = law_names(text)
    # Ingest drops the space between a label and a CJK sentence (`第一条国は…`), so the
    # text alone cannot tell a label from a reference: the articles found say where labels are.
    labels = {a.start for a in locator.articles}
    records: list[Reference] = []
    for ref in find_references(text):
        if ref.start in labels:
            continue
        common = locator.common("reference", ref.start, ref.end)
        here = locator.article_at(ref.start)
        own_law = common["law"] if isinstance(common["law"], str) else None
        target_law: str | None = None
        number, number_end = ref.number, ref.number_end
        if ref.law:
            target_law = aliases.get(ref.law, ref.law)
        elif ref.pronoun and PRONOUN.fullmatch(ref.pronoun) and not ref.pronoun.startswith("本"):
            index = next((i for i, n in enumerate(names) if n.start == ref.start), None)
            resolved = resolve_pronoun(names, index, None) if index is not None else None
            target_law = aliases.get(resolved, resolved) if resolved else None
        elif ref.pronoun in ("前条", "次条", "本条", "同条"):
            if here is None or here.number is None:
                continue
            number = here.number + {"前条": -1, "次条": 1}.get(ref.pronoun, 0)
        elif ref.pronoun and not PRONOUN.fullmatch(ref.pronoun):
            continue  # 前項/本款: paragraphs are not addressable records
        if (
            target_law is not None
            and own_law is not None
            and law_key(target_law) == law_key(own_law)
        ):
            target_law = None
        records.append(
            Reference(
                **common,  # type: ignore[arg-type]
                target_law=target_law,
                target_article=number,
                target_article_end=number_end,
                target_label=ref.label,
                resolved=_resolve(locator, target_law or own_law, number),
            )
        )
    return records


def _resolve(locator: Locator, law: str | None, number: int | None) -> str | None:
    if number is None:
        return None
    key = law_key(law) if law else None
    for span in locator.articles:
        if (
            span.number == number
            and span.record_id
            and (law_key(span.law) if span.law else None) == key
        ):
            return span.record_id
    return None
