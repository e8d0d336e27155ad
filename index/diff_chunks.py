"""Diff passages: each change between two versions of a document as a searchable chunk.

A question "which articles were added by the 2023 amendment" or "what did the 2024 revision
change in 第五十六条" is answered by the change, not by either text: so every field change of a
stored diff (an article added, removed, split or merged, its wording, a threshold, date, list
item, control code or definition) becomes one ``passage="diff"`` chunk.  It carries both
versions' provenance: ``version`` / ``article_key`` of the newer side, ``old_version`` /
``old_article_key`` of the older.  Its text is the law's name with the two versions' dates,
the article's label with its status named in the document's language and in English (a
question in either finds it), then what changed: the values before and after, the words
deleted and inserted, and the article's text.
"""

from __future__ import annotations

from models.diff import ArticleAlignment, ArticleRef, FieldChange, VersionDiff, default_label
from models.document import DocumentIdentity
from models.search import Chunk

#: e5 reads 512 tokens: a passage keeps within the article chunks' size.
MAX_PASSAGE_CHARS = 700

# A row's status as the document's language writes it, then in English.
_WORDS: dict[str, dict[str, str]] = {
    "ja": {"added": "新設 追加", "removed": "削除", "modified": "改正 変更",
           "renumbered": "条番号変更", "moved": "移動", "document": "改正"},
    "zh": {"added": "新增", "removed": "删除", "modified": "修改 变更",
           "renumbered": "条号变更", "moved": "移动", "document": "修改"},
    "en": {"added": "added", "removed": "deleted removed", "modified": "changed amended",
           "renumbered": "renumbered", "moved": "moved", "document": "amended"},
}  # fmt: skip
_KINDS = {
    "ja": {"threshold": "数値", "date": "日付", "item": "項目", "code": "コード",
           "definition": "定義", "article": "条", "wording": "文言"},
    "zh": {"threshold": "数值", "date": "日期", "item": "项目", "code": "编码",
           "definition": "定义", "article": "条", "wording": "措辞"},
}  # fmt: skip


def _key(ref: ArticleRef | None) -> str | None:
    return None if ref is None else str(ref)


def _number(key: str | None) -> int | None:
    base = (key or "").split("_")[0]
    return int(base) if base.isdigit() else None


def _label(label: str | None, ref: ArticleRef | None) -> str | None:
    return label or (default_label(ref) if ref is not None else None)


def _row_of(rows: list[ArticleAlignment], change: FieldChange) -> int | None:
    """The alignment row a field change belongs to (a split part: its new article's row)."""
    for n, row in enumerate(rows):
        if row.new is not None and change.new_article == row.new:
            return n
    for n, row in enumerate(rows):
        if row.old is not None and change.old_article == row.old and change.new_article is None:
            return n
    return None


def _line(change: FieldChange, language: str) -> str:
    kind = _KINDS.get(language, {}).get(change.kind, change.kind)
    if change.kind in ("article", "wording"):
        return f"{kind} {change.change}"
    return f"{kind} {change.change}: {change.old or '—'} → {change.new or '—'}"


def _texts(row: ArticleAlignment | None, changes: list[FieldChange]) -> list[str]:
    """The words deleted and inserted (旧 … / 新 …), then the article's text."""
    if row is None:
        return []
    if row.inline:
        deleted = " … ".join(op.text.strip() for op in row.inline if op.op == "delete")
        inserted = " … ".join(op.text.strip() for op in row.inline if op.op == "insert")
        new_text = "".join(op.text for op in row.inline if op.op != "delete")
        return [f"旧: {deleted or '—'}", f"新: {inserted or '—'}", new_text]
    whole = next((c for c in changes if c.kind == "article" and (c.new or c.old)), None)
    return [(whole.new or whole.old or "")] if whole else []


def diff_chunks(
    diff: VersionDiff,
    *,
    doc_id: str,
    old_version: int,
    new_version: int,
    old_identity: DocumentIdentity,
    new_identity: DocumentIdentity,
    language: str,
    latest: bool,
) -> list[Chunk]:
    """One chunk per changed article of ``diff`` (old_version → new_version of ``doc_id``),
    its field changes listed in it, and one for the changes outside any article."""
    rows = [r for r in diff.alignment if r.status != "unchanged"]
    grouped: dict[int | None, list[FieldChange]] = {}
    for change in diff.field_changes:
        grouped.setdefault(_row_of(rows, change), []).append(change)
    title = new_identity.title or old_identity.title or doc_id
    dates = f"{old_identity.version_date() or f'v{old_version}'} → "
    dates += f"{new_identity.version_date() or f'v{new_version}'}"
    words = _WORDS.get(language, _WORDS["en"])
    chunks: list[Chunk] = []
    for n, row in [*enumerate(rows), (None, None)]:
        changes = grouped.get(n, [])
        if row is None and not changes:
            continue
        status = row.status if row is not None else "document"
        label = " → ".join(
            x
            for x in (
                _label(row.old_label, row.old) if row else None,
                _label(row.new_label, row.new) if row else None,
            )
            if x
        )
        named = f"{label} {words[status]} / {_WORDS['en'][status]}".strip()
        head = f"{title}（{dates}）\n{named}"
        lines = [_line(c, language) for c in changes if c.kind not in ("article", "wording")]
        text = "\n".join([head, *lines, *_texts(row, changes)])
        new_key = _key(row.new) if row else None
        chunks.append(
            Chunk(
                id=f"{doc_id}:v{new_version}:d{old_version}:{len(chunks)}",
                text=text.strip()[:MAX_PASSAGE_CHARS],
                document=doc_id,
                version=new_version,
                title=new_identity.title,
                law=new_identity.title,
                article=_number(new_key),
                article_label=row.new_label if row else None,
                article_key=new_key,
                language=language,
                issuer="|".join(new_identity.issuers),
                doc_kind=new_identity.kind,
                effective=new_identity.date("effective"),
                version_date=new_identity.version_date(),
                latest=latest,
                passage="diff",
                old_version=old_version,
                old_article_key=_key(row.old) if row else None,
            )
        )
    return chunks
