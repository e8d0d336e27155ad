"""Changes in extracted fields between two aligned versions.

Records are compared inside aligned articles only (old article 9 against new article 10 when
9 became 10), so a renumbering never reads as "threshold removed here, added there".  An
article split in two is compared with all its parts together (merges alike).  Records outside
any article (the issuing line's date) are compared with each other.

Within a group, identical mentions cancel out first; the rest are paired by the words around
them and their position in the article, so ``毎月15日まで`` pairs with ``毎月10日まで`` even when
another deadline was added in between.  Only mentions under the same hypothesis pair
(``corpus.conditions``): a fine for ``情节严重的`` cases that was dropped is removed, not
"changed" into the new fine for cases ``没有销售额的``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TypeVar

from corpus.align import normalise
from corpus.conditions import hypotheses
from models.diff import ArticleRef, FieldChange
from models.records import DateMention, Definition, ItemList, Record, Threshold

R = TypeVar("R", Threshold, DateMention)
#: A record's article as the diff names it (``corpus.diff._Side.ref``).
RefOf = Callable[[Record], ArticleRef | None]


def _number_of(record: Record) -> ArticleRef | None:
    return record.article


#: Pairs scoring below this are reported as one removed and one added mention.
MIN_PAIR_SCORE = 0.35
#: Hypotheses less alike than this are different cases (see ``corpus.conditions``).
MIN_CONDITION_SIMILARITY = 0.3
_CONTEXT = 12
_CLAUSE_MARKS = "，,；;。：:\n、"


@dataclass(frozen=True)
class Located:
    """A mention with the words around it, as found in its article's text."""

    record: Threshold | DateMention
    before: str
    after: str
    clause: str  # from the start of the clause to the mention: 对个人可以处 / 对单位处
    condition: str  # the case it applies to: 情节严重的 / 上一年度没有销售额的 (corpus.conditions)
    position: float  # 0..1 within the article; 0.5 when not found

    @staticmethod
    def locate_all(records: Sequence[R], body: str) -> list[Located]:
        text = normalise(body)
        cursor: dict[str, int] = {}
        found: list[tuple[R, int, int]] = []
        for record in sorted(records, key=lambda r: r.provenance.char_span.start):
            needle = normalise(record.text)
            start = text.find(needle, cursor.get(needle, 0)) if needle else -1
            if start >= 0:
                cursor[needle] = start + len(needle)
            found.append((record, start, start + len(needle)))
        spans = [(start, end) for _, start, end in found if start >= 0]
        conditions = iter(hypotheses(text, spans))
        located: list[Located] = []
        for record, start, end in found:
            if start < 0:
                located.append(Located(record, "", "", "", "", 0.5))
                continue
            located.append(
                Located(
                    record,
                    text[max(0, start - _CONTEXT) : start],
                    text[end : end + _CONTEXT],
                    _clause_before(text, start),
                    next(conditions),
                    start / max(1, len(text)),
                )
            )
        return located


def _clause_before(text: str, start: int) -> str:
    """The clause leading to a mention: who is fined, what is due, in the words of the text."""
    window = text[max(0, start - _CONTEXT * 2) : start]
    cut = max(window.rfind(mark) for mark in _CLAUSE_MARKS)
    return window[cut + 1 :]


def _threshold_key(record: Threshold) -> tuple[object, ...]:
    return (
        normalise(record.text),
        record.value,
        record.min,
        record.max,
        record.comparator,
        record.unit,
    )


def _date_key(record: DateMention) -> tuple[object, ...]:
    """Calendar dates compare by ISO date; relative ones (同時に, 公布の日) by their words.

    A relative date resolves through another date; when that one moves, it is reported
    once, not again through every 同日 that follows it.
    """
    if record.relative or not record.iso:
        return ("text", normalise(record.text))
    return ("iso", record.iso)


def _pair_score(a: Located, b: Located) -> float:
    """Same clause words weigh most (对个人 vs 对单位), then nearby text, position, unit/role.

    Mentions under different hypotheses (``情节严重的`` vs ``上一年度没有销售额的``) are different
    rules: they never pair, however alike their units and places.
    """
    condition = _similarity(a.condition, b.condition)
    if condition < MIN_CONDITION_SIMILARITY:
        return 0.0
    clause = _similarity(a.clause, b.clause) if a.clause or b.clause else 0.0
    context = SequenceMatcher(None, a.before + "|" + a.after, b.before + "|" + b.after).ratio()
    position = 1.0 - abs(a.position - b.position)
    same_kind = _same_kind(a.record, b.record)
    return 0.35 * clause + 0.3 * context + 0.25 * position + 0.1 * same_kind


def _similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    return SequenceMatcher(None, a, b).ratio()


# Dates that say when an instrument was issued: a draft's publication date and the final
# text's promulgation date are the same field of the document, moved.
_ISSUING_ROLES = frozenset({"published", "promulgated", "revised"})


def _same_kind(a: Threshold | DateMention, b: Threshold | DateMention) -> float:
    if isinstance(a, Threshold) and isinstance(b, Threshold):
        return float(a.unit == b.unit)
    if isinstance(a, DateMention) and isinstance(b, DateMention):
        if a.role == b.role:
            return 1.0
        return 0.7 if {a.role, b.role} <= _ISSUING_ROLES else 0.0
    return 0.0


def pair_mentions(
    old: list[Located], new: list[Located], key: Callable[[R], tuple[object, ...]]
) -> list[tuple[Located | None, Located | None]]:
    """Changed pairs, then lone removals and additions; identical mentions are dropped."""
    remaining_new = list(new)
    unmatched_old: list[Located] = []
    for item in old:
        twin = next((n for n in remaining_new if key(n.record) == key(item.record)), None)  # type: ignore[arg-type]
        if twin is None:
            unmatched_old.append(item)
        else:
            remaining_new.remove(twin)
    scored = sorted(
        (
            (_pair_score(a, b), i, j)
            for i, a in enumerate(unmatched_old)
            for j, b in enumerate(remaining_new)
        ),
        reverse=True,
    )
    used_old: set[int] = set()
    used_new: set[int] = set()
    pairs: list[tuple[Located | None, Located | None]] = []
    for score, i, j in scored:
        if score < MIN_PAIR_SCORE or i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        pairs.append((unmatched_old[i], remaining_new[j]))
    pairs.extend((a, None) for i, a in enumerate(unmatched_old) if i not in used_old)
    pairs.extend((None, b) for j, b in enumerate(remaining_new) if j not in used_new)
    order = {id(x): k for k, x in enumerate([*old, *new])}
    pairs.sort(key=lambda p: order[id(p[1] or p[0])] if p[1] is None else order[id(p[1])])
    return pairs


def _change_kind(old: object | None, new: object | None) -> str:
    if old is None:
        return "added"
    return "removed" if new is None else "changed"


def _threshold_change(
    a: Located | None,
    b: Located | None,
    old_article: ArticleRef | None,
    new_article: ArticleRef | None,
) -> FieldChange:
    old_text = a.record.text if a else None
    new_text = b.record.text if b else None
    return FieldChange(
        kind="threshold",
        change=_change_kind(a, b),  # type: ignore[arg-type]
        old_article=old_article,
        new_article=new_article,
        old=old_text,
        new=new_text,
        summary=f"threshold {old_text or '(none)'} → {new_text or '(none)'}",
    )


def _date_value(record: DateMention) -> str:
    return record.iso or record.text


def _date_change(
    a: Located | None,
    b: Located | None,
    old_article: ArticleRef | None,
    new_article: ArticleRef | None,
) -> FieldChange:
    old_record = a.record if a else None
    new_record = b.record if b else None
    assert old_record is None or isinstance(old_record, DateMention)
    assert new_record is None or isinstance(new_record, DateMention)
    role = (new_record or old_record).role  # type: ignore[union-attr]
    old_value = _date_value(old_record) if old_record else None
    new_value = _date_value(new_record) if new_record else None
    written = (
        f" ({old_record.text if old_record else '—'} → {new_record.text if new_record else '—'})"
    )
    return FieldChange(
        kind="date",
        change=_change_kind(old_record, new_record),  # type: ignore[arg-type]
        old_article=old_article,
        new_article=new_article,
        old=old_value,
        new=new_value,
        role=role,
        summary=f"{role} {old_value or '(none)'} → {new_value or '(none)'}{written}"
        if old_record is None or new_record is None or old_record.role == new_record.role
        else f"{old_record.role} {old_value} → {new_record.role} {new_value}{written}",
    )


def mention_changes(
    old_records: Sequence[Threshold | DateMention],
    new_records: Sequence[Threshold | DateMention],
    old_body: str,
    new_body: str,
    old_article: ArticleRef | None,
    new_article: ArticleRef | None,
    *,
    old_refs: RefOf = _number_of,
    new_refs: RefOf = _number_of,
) -> list[FieldChange]:
    """Threshold and date changes between two groups of mentions (one aligned article).

    ``old_refs`` / ``new_refs`` name a record's own article (a split part, a branch article
    第二条の二 whose records carry number 2); by default its number.
    """
    changes: list[FieldChange] = []
    for record_type, key, build in (
        (Threshold, _threshold_key, _threshold_change),
        (DateMention, _date_key, _date_change),
    ):
        old_group = [r for r in old_records if isinstance(r, record_type)]
        new_group = [r for r in new_records if isinstance(r, record_type)]
        if not old_group and not new_group:
            continue
        pairs = pair_mentions(
            Located.locate_all(old_group, old_body), Located.locate_all(new_group, new_body), key
        )
        changes.extend(
            build(  # type: ignore[operator]
                a,
                b,
                _article_of(a, old_article, old_refs),
                _article_of(b, new_article, new_refs),
            )
            for a, b in pairs
        )
    return changes


def _article_of(
    mention: Located | None, fallback: ArticleRef | None, refs: RefOf
) -> ArticleRef | None:
    """The mention's own article (a split part), else the group's article on that side."""
    if mention is None or mention.record.article is None:
        return fallback
    return refs(mention.record)


def _item_key(text: str) -> str:
    return normalise(text)


def item_list_changes(
    old_lists: Sequence[ItemList],
    new_lists: Sequence[ItemList],
    old_article: ArticleRef | None,
    new_article: ArticleRef | None,
    *,
    old_body: str = "",
    new_body: str = "",
) -> list[FieldChange]:
    """Items and control codes added to or dropped from lists (paired by heading or overlap).

    With the article texts given, an item "added" whose words were already in the old text
    (or "removed" while still in the new one) is dropped: list extraction differed, the law
    did not.
    """
    changes: list[FieldChange] = []
    remaining = list(new_lists)
    paired: list[tuple[ItemList | None, ItemList | None]] = []
    for old_list in old_lists:
        match = _best_list(old_list, remaining)
        if match is not None:
            remaining.remove(match)
        paired.append((old_list, match))
    paired.extend((None, n) for n in remaining)
    for a, b in paired:
        changes.extend(_list_diff(a, b, old_article, new_article))
    return [c for c in changes if _backed_by_text(c, normalise(old_body), normalise(new_body))]


def _backed_by_text(change: FieldChange, old_text: str, new_text: str) -> bool:
    if change.change == "added" and old_text and change.new:
        return normalise(change.new) not in old_text
    if change.change == "removed" and new_text and change.old:
        return normalise(change.old) not in new_text
    return True


def _best_list(target: ItemList, candidates: Iterable[ItemList]) -> ItemList | None:
    heading = normalise(target.heading)
    items = {_item_key(i.text) for i in target.items}
    best: tuple[float, ItemList] | None = None
    for candidate in candidates:
        other = {_item_key(i.text) for i in candidate.items}
        overlap = len(items & other) / max(1, len(items | other))
        score = overlap + (1.0 if heading and heading == normalise(candidate.heading) else 0.0)
        if score >= 0.3 and (best is None or score > best[0]):
            best = (score, candidate)
    return None if best is None else best[1]


def _list_diff(
    a: ItemList | None,
    b: ItemList | None,
    old_article: ArticleRef | None,
    new_article: ArticleRef | None,
) -> list[FieldChange]:
    old_items = a.items if a else []
    new_items = b.items if b else []
    heading = (b or a).heading if (a or b) else ""  # type: ignore[union-attr]
    changes: list[FieldChange] = []
    old_codes = Counter(i.code for i in old_items if i.code)
    new_codes = Counter(i.code for i in new_items if i.code)
    for code in old_codes - new_codes:
        changes.append(_item_change("code", "removed", code, None, heading, old_article, None))
    for code in new_codes - old_codes:
        changes.append(_item_change("code", "added", None, code, heading, None, new_article))
    old_by_code = {i.code: i for i in old_items if i.code}
    for item in new_items:
        before = old_by_code.get(item.code) if item.code else None
        if before is not None and _item_key(before.text) != _item_key(item.text):
            changes.append(
                _item_change(
                    "item", "changed", before.text, item.text, heading, old_article, new_article
                )
            )
    old_plain = Counter(_item_key(i.text) for i in old_items if not i.code)
    new_plain = Counter(_item_key(i.text) for i in new_items if not i.code)
    text_of = {_item_key(i.text): i.text for i in [*old_items, *new_items]}
    for key in old_plain - new_plain:
        changes.append(
            _item_change("item", "removed", text_of[key], None, heading, old_article, None)
        )
    for key in new_plain - old_plain:
        changes.append(
            _item_change("item", "added", None, text_of[key], heading, None, new_article)
        )
    return changes


def _item_change(
    kind: str,
    change: str,
    old: str | None,
    new: str | None,
    heading: str,
    old_article: ArticleRef | None,
    new_article: ArticleRef | None,
) -> FieldChange:
    where = f" in {heading}" if heading else ""
    return FieldChange(
        kind=kind,  # type: ignore[arg-type]
        change=change,  # type: ignore[arg-type]
        old_article=old_article,
        new_article=new_article,
        old=old,
        new=new,
        summary=f"{kind} {change}{where}: {old or ''}{' → ' if old and new else ''}{new or ''}",
    )


def definition_changes(
    old: Sequence[Definition],
    new: Sequence[Definition],
    *,
    old_text: str = "",
    new_text: str = "",
    old_refs: RefOf = _number_of,
    new_refs: RefOf = _number_of,
) -> list[FieldChange]:
    """Definitions are paired by term across the whole document: terms are unique in a law.

    A definition reported added or removed while its words stand in the other version's
    text (``old_text`` / ``new_text``) is an extraction difference and is dropped.
    """
    old_by_term = {normalise(d.term): d for d in old}
    new_by_term = {normalise(d.term): d for d in new}
    changes: list[FieldChange] = []
    for term, before in old_by_term.items():
        after = new_by_term.get(term)
        if after is None:
            changes.append(_definition_change("removed", before, None, old_refs, new_refs))
        elif normalise(before.definition) != normalise(after.definition):
            changes.append(_definition_change("changed", before, after, old_refs, new_refs))
    for term, after in new_by_term.items():
        if term not in old_by_term:
            changes.append(_definition_change("added", None, after, old_refs, new_refs))
    return [c for c in changes if _backed_by_text(c, normalise(old_text), normalise(new_text))]


def _definition_change(
    change: str,
    before: Definition | None,
    after: Definition | None,
    old_refs: RefOf,
    new_refs: RefOf,
) -> FieldChange:
    term = (after or before).term  # type: ignore[union-attr]
    return FieldChange(
        kind="definition",
        change=change,  # type: ignore[arg-type]
        old_article=old_refs(before) if before else None,
        new_article=new_refs(after) if after else None,
        old=before.definition if before else None,
        new=after.definition if after else None,
        summary=f"definition {change}: {term}",
    )


def wording_changed(
    old_body: str,
    new_body: str,
    old_masks: Iterable[str],
    new_masks: Iterable[str],
    old_parts_elsewhere: Iterable[str] = (),
    new_parts_elsewhere: Iterable[str] = (),
) -> bool:
    """Texts still differ once threshold/date mentions are masked.

    ``old_parts_elsewhere``: text of the old article that a split moved into another new
    article (removed before comparing, so a split alone is no wording change); for a merge,
    ``new_parts_elsewhere`` is the text that came from another old article.
    """
    old_masks, new_masks = list(old_masks), list(new_masks)
    old_text = _mask(normalise(old_body), old_masks)
    new_text = _mask(normalise(new_body), new_masks)
    for part in old_parts_elsewhere:
        old_text = old_text.replace(_mask(normalise(part), old_masks), "", 1)
    for part in new_parts_elsewhere:
        new_text = new_text.replace(_mask(normalise(part), new_masks), "", 1)
    return old_text != new_text


def _mask(text: str, mentions: Iterable[str]) -> str:
    for mention in sorted({normalise(m) for m in mentions if m.strip()}, key=len, reverse=True):
        text = text.replace(mention, "\x00")
    return text
