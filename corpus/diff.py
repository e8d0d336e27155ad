"""Structure-aware diff of two versions of a document: ``diff_versions(old, new, ...)``.

Input is what extraction returns (Article records plus Threshold / DateMention / ItemList /
Definition records that name the article they sit in); output is a ``VersionDiff``: the
article alignment (``corpus.align``), inline token diffs of changed articles
(``corpus.tokens``) and the changes in extracted fields (``corpus.field_changes``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Any

from corpus.align import AlignedText, align, status_of
from corpus.field_changes import (
    definition_changes,
    item_list_changes,
    mention_changes,
    wording_changed,
)
from corpus.tokens import Backend, detect_script_language, tokenize
from models.diff import (
    ArticleAlignment,
    ArticleRef,
    FieldChange,
    InlineOp,
    VersionDiff,
    article_ref,
)
from models.records import Article, DateMention, Definition, ItemList, Record, Threshold

Mention = Threshold | DateMention
#: An unchanged stretch this short between two edits is folded into them: one edit
#: ``削減`` → ``審査の上削減`` reads better than scattered edits around a shared ``の``.
_MAX_FOLDED_EQUAL = 1


def ref_of(article: Article) -> ArticleRef:
    """How the diff names an article: 10, or "2_2" for the branch article 第二条の二."""
    return article_ref(article.number, article.key)  # type: ignore[return-value]


def primary_articles(records: Sequence[Record]) -> list[Article]:
    """The document's own articles: not quoted, of its main law, first copy of each key.

    A branch article (第二条の二, key "2_2") is an article of its own, not a second copy of
    第二条: deduplicating by number alone dropped every article an amendment inserted.

    A commentary quotes articles of other laws; their numbers would collide with the
    regulation's own, so only the law with the most articles is diffed.
    """
    numbered = [r for r in records if isinstance(r, Article) and r.number is not None]
    own = [a for a in numbered if not a.quoted] or numbered
    if not own:
        return []
    law = Counter(a.law for a in own).most_common(1)[0][0]
    seen: set[ArticleRef] = set()
    chosen: list[Article] = []
    for article in own:
        if article.law == law and ref_of(article) not in seen:
            seen.add(ref_of(article))
            chosen.append(article)
    return chosen


def _belongs(record: Record, law: str | None) -> bool:
    """Records of the diffed law, and document-level records (no article)."""
    return record.article is None or record.law is None or law is None or record.law == law


def inline_diff(old: str, new: str, backend: Backend = "auto") -> list[InlineOp]:
    """Token diff of two texts: ``equal`` / ``delete`` / ``insert`` runs, deletes before inserts."""
    lang = detect_script_language(old + new)
    a = tokenize(old, lang, backend)
    b = tokenize(new, lang, backend)
    segments: list[tuple[str, str] | str] = []  # str = equal text, tuple = (deleted, inserted)
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            segments.append("".join(a[i1:i2]))
        else:
            segments.append(("".join(a[i1:i2]), "".join(b[j1:j2])))
    return _to_ops(_fold_short_equals(segments))


def _fold_short_equals(segments: list[tuple[str, str] | str]) -> list[tuple[str, str] | str]:
    folded: list[tuple[str, str] | str] = []
    for segment in segments:
        folded.append(segment)
        while (
            len(folded) >= 3
            and isinstance(folded[-1], tuple)
            and isinstance(folded[-2], str)
            and isinstance(folded[-3], tuple)
            and len(folded[-2]) <= _MAX_FOLDED_EQUAL
            and "\n" not in folded[-2]
        ):
            (d2, i2), equal, (d1, i1) = folded.pop(), folded.pop(), folded.pop()
            folded.append((d1 + equal + d2, i1 + equal + i2))  # type: ignore[operator]
    return folded


def _to_ops(segments: list[tuple[str, str] | str]) -> list[InlineOp]:
    ops: list[InlineOp] = []
    for segment in segments:
        if isinstance(segment, str):
            ops.append(InlineOp(op="equal", text=segment))
            continue
        deleted, inserted = segment
        if deleted:
            ops.append(InlineOp(op="delete", text=deleted))
        if inserted:
            ops.append(InlineOp(op="insert", text=inserted))
    return ops


class _Side:
    """One version: its articles and its other records grouped by article (``ref_of``)."""

    def __init__(self, records: Sequence[Record]) -> None:
        self.articles = primary_articles(records)
        self.by_number = {ref_of(a): a for a in self.articles}
        # Records name their article by number and label only: the label tells 第二条の二's
        # mentions from 第二条's.
        self.ref_of_label = {a.label: ref_of(a) for a in self.articles}
        law = self.articles[0].law if self.articles else None
        kept = [r for r in records if not isinstance(r, Article) and _belongs(r, law)]
        self.mentions: dict[ArticleRef | None, list[Mention]] = defaultdict(list)
        self.lists: dict[ArticleRef | None, list[ItemList]] = defaultdict(list)
        self.definitions: list[Definition] = []
        for record in kept:
            if isinstance(record, Threshold | DateMention):
                self.mentions[self.ref(record)].append(record)
            elif isinstance(record, ItemList):
                self.lists[self.ref(record)].append(record)
            elif isinstance(record, Definition):
                self.definitions.append(record)

    def ref(self, record: Record) -> ArticleRef | None:
        if record.article_label in self.ref_of_label:
            return self.ref_of_label[record.article_label]  # type: ignore[index]
        return record.article

    def texts(self) -> list[AlignedText]:
        return [AlignedText.of(ref_of(a), a.label, a.body) for a in self.articles]

    def body(self, numbers: Sequence[ArticleRef]) -> str:
        return "\n".join(self.by_number[n].body for n in numbers if n in self.by_number)

    def group_mentions(self, numbers: Sequence[ArticleRef]) -> list[Mention]:
        return [m for n in numbers for m in self.mentions.get(n, [])]

    def group_lists(self, numbers: Sequence[ArticleRef]) -> list[ItemList]:
        return [x for n in numbers for x in self.lists.get(n, [])]


def diff_versions(
    old: list[Record],
    new: list[Record],
    old_ref: str,
    new_ref: str,
    *,
    inline: bool = True,
    tokenizer: Backend = "auto",
) -> VersionDiff:
    """Diff two versions' records.  ``tokenizer="fast"`` skips spaCy for the inline diffs."""
    before, after = _Side(old), _Side(new)
    old_texts, new_texts = before.texts(), after.texts()
    result = align(old_texts, new_texts)

    rows: list[ArticleAlignment] = []
    for pair in result.pairs:
        status = status_of(pair, old_texts, new_texts)
        a = before.articles[pair.old] if pair.old is not None else None
        b = after.articles[pair.new] if pair.new is not None else None
        ops: list[InlineOp] = []
        if inline and a is not None and b is not None and status in ("modified", "moved"):
            ops = inline_diff(a.body, b.body, tokenizer)
        rows.append(
            ArticleAlignment(
                old=ref_of(a) if a else None,
                new=ref_of(b) if b else None,
                old_label=a.label if a else None,
                new_label=b.label if b else None,
                status=status,
                similarity=None if pair.similarity is None else round(pair.similarity, 3),
                inline=ops,
            )
        )
    splits = [
        {"old": [old_texts[i].ref], "new": [new_texts[j].ref for j in js]}
        for i, js in result.splits
    ]
    merges = [
        {"old": [old_texts[i].ref for i in is_], "new": [new_texts[j].ref]}
        for is_, j in result.merges
    ]
    return VersionDiff(
        old=old_ref,
        new=new_ref,
        alignment=rows,
        splits=splits,
        merges=merges,
        field_changes=_field_changes(before, after, rows, splits, merges),
    )


def _field_changes(
    before: _Side,
    after: _Side,
    rows: list[ArticleAlignment],
    splits: list[dict[str, list[ArticleRef]]],
    merges: list[dict[str, list[ArticleRef]]],
) -> list[FieldChange]:
    split_of = {s["old"][0]: s["new"] for s in splits}
    merge_of = {m["new"][0]: m["old"] for m in merges}
    split_parts = {n for parts in split_of.values() for n in parts}
    merged_parts = {o for parts in merge_of.values() for o in parts}

    article_changes: list[FieldChange] = []
    for row in rows:
        if row.old is not None and row.new is not None:
            article_changes += _pair_changes(before, after, row, split_of, merge_of)
        elif row.new is not None and row.new not in split_parts:
            article_changes += _lone_changes(after, row.new, added=True)
        elif row.old is not None and row.old not in merged_parts:
            article_changes += _lone_changes(before, row.old, added=False)

    # A header restating a date an article change already reports (`公布の日より施行` above
    # 第十七条's own) is the same fact: report it once, where the article says it.
    reported = {(c.role, c.new) for c in article_changes if c.kind == "date" and c.new}
    changes: list[FieldChange] = [
        c
        for c in mention_changes(
            before.mentions.get(None, []), after.mentions.get(None, []), "", "", None, None
        )
        if not (c.kind == "date" and c.change == "added" and (c.role, c.new) in reported)
    ]
    changes += item_list_changes(before.lists.get(None, []), after.lists.get(None, []), None, None)
    changes += definition_changes(
        before.definitions,
        after.definitions,
        old_text=before.body([ref_of(a) for a in before.articles]),
        new_text=after.body([ref_of(a) for a in after.articles]),
        old_refs=before.ref,
        new_refs=after.ref,
    )
    return changes + article_changes


def _pair_changes(
    before: _Side,
    after: _Side,
    row: ArticleAlignment,
    split_of: dict[ArticleRef, list[ArticleRef]],
    merge_of: dict[ArticleRef, list[ArticleRef]],
) -> list[FieldChange]:
    """Changes inside one aligned pair; a split/merge group is compared as a whole."""
    assert row.old is not None and row.new is not None
    old_numbers = merge_of.get(row.new, [row.old])
    new_numbers = split_of.get(row.old, [row.new])
    changes: list[FieldChange] = []
    old_article, new_article = before.by_number[row.old], after.by_number[row.new]
    for part in new_numbers:
        if part != row.new:
            changes.append(_article_change("split", old_article, after.by_number[part]))
    for part in old_numbers:
        if part != row.old:
            changes.append(_article_change("merged", before.by_number[part], new_article))
    if row.status in ("unchanged", "renumbered") and len(old_numbers) == len(new_numbers) == 1:
        # Same text, same fields: any difference would be the extractor's, not the law's.
        return changes
    old_mentions = before.group_mentions(old_numbers)
    new_mentions = after.group_mentions(new_numbers)
    changes += mention_changes(
        old_mentions,
        new_mentions,
        before.body(old_numbers),
        after.body(new_numbers),
        row.old,
        row.new,
        old_refs=before.ref,
        new_refs=after.ref,
    )
    changes += item_list_changes(
        before.group_lists(old_numbers),
        after.group_lists(new_numbers),
        row.old,
        row.new,
        old_body=before.body(old_numbers),
        new_body=after.body(new_numbers),
    )
    if row.status in ("modified", "moved") and wording_changed(
        old_article.body,
        new_article.body,
        [m.text for m in before.mentions.get(row.old, [])],
        [m.text for m in after.mentions.get(row.new, [])],
        old_parts_elsewhere=[after.by_number[n].body for n in new_numbers if n != row.new],
        new_parts_elsewhere=[before.by_number[o].body for o in old_numbers if o != row.old],
    ):
        changes.append(_wording_change(old_article, new_article, row.inline))
    return changes


def _lone_changes(side: _Side, number: ArticleRef, *, added: bool) -> list[FieldChange]:
    """An added (or removed) article, and every mention and list item in it."""
    article = side.by_number[number]
    empty: list[Any] = []
    mentions = side.mentions.get(number, [])
    lists = side.lists.get(number, [])
    changes = [
        _article_change(
            "added" if added else "removed", None if added else article, article if added else None
        )
    ]
    if added:
        changes += mention_changes(
            empty, mentions, "", article.body, None, number, new_refs=side.ref
        )
        changes += item_list_changes(empty, lists, None, number)
    else:
        changes += mention_changes(
            mentions, empty, article.body, "", number, None, old_refs=side.ref
        )
        changes += item_list_changes(lists, empty, number, None)
    return changes


def _article_change(change: str, old: Article | None, new: Article | None) -> FieldChange:
    labels = " → ".join(a.label for a in (old, new) if a is not None)
    return FieldChange(
        kind="article",
        change=change,  # type: ignore[arg-type]
        old_article=ref_of(old) if old else None,
        new_article=ref_of(new) if new else None,
        old=old.body if old else None,
        new=new.body if new else None,
        summary=f"article {change}: {labels}",
    )


def _wording_change(old: Article, new: Article, ops: list[InlineOp]) -> FieldChange:
    edits = [
        ("-" if op.op == "delete" else "+") + op.text.replace("\n", " ")
        for op in ops
        if op.op != "equal"
    ]
    shown = " ".join(edits[:4])
    if len(shown) > 80:
        shown = shown[:79] + "…"
    more = f" (+{len(edits) - 4} more)" if len(edits) > 4 else ""
    return FieldChange(
        kind="wording",
        change="changed",
        old_article=ref_of(old),
        new_article=ref_of(new),
        old=old.body,
        new=new.body,
        summary=f"wording {old.label} → {new.label}: {shown}{more}".rstrip(": "),
    )
