"""Diff passages: each change between two versions of a document as a searchable chunk.

A question "which articles were added by the 2023 amendment" or "what did the 2024 revision
change in 第五十六条" is answered by the change, not by either text: so every field change of a
stored diff (an article added, removed, split or merged, its wording, a threshold, date, list
item, control code or definition) becomes one ``passage="diff"`` chunk.  It carries both
versions' provenance: ``version`` / ``article_key`` of the newer side, ``old_version`` /
``old_article_key`` of the older.  Its text is the law's name with the two versions' dates,
the article's label with the change named in the document's language and in English (a
question in either finds it), then what changed: the words deleted and inserted, the values
before and after, and the article's text for context.
"""

from __future__ import annotations

from models.diff import ArticleRef, FieldChange, VersionDiff, default_label
from models.document import DocumentIdentity
from models.search import Chunk

#: e5 reads 512 tokens: a passage keeps within the article chunks' size.
MAX_PASSAGE_CHARS = 700

# The change as the document's language writes it, then in English.
_WORDS: dict[str, dict[str, str]] = {
    "ja": {"added": "新設 追加", "removed": "削除", "changed": "改正 変更", "split": "分割",
           "merged": "統合"},
    "zh": {"added": "新增", "removed": "删除", "changed": "修改 变更", "split": "拆分",
           "merged": "合并"},
    "en": {"added": "added", "removed": "deleted removed", "changed": "changed amended",
           "split": "split", "merged": "merged"},
}  # fmt: skip
_KINDS = {
    "ja": {"threshold": "数値", "date": "日付", "item": "項目", "code": "コード",
           "definition": "定義"},
    "zh": {"threshold": "数值", "date": "日期", "item": "项目", "code": "编码",
           "definition": "定义"},
}  # fmt: skip


def _key(ref: ArticleRef | None) -> str | None:
    return None if ref is None else str(ref)


def _number(key: str | None) -> int | None:
    base = (key or "").split("_")[0]
    return int(base) if base.isdigit() else None


def _labels(diff: VersionDiff) -> tuple[dict[str, str], dict[str, str]]:
    old = {str(r.old): r.old_label for r in diff.alignment if r.old is not None and r.old_label}
    new = {str(r.new): r.new_label for r in diff.alignment if r.new is not None and r.new_label}
    return old, new


def _edits(diff: VersionDiff, change: FieldChange) -> str:
    """The words a wording change deleted and inserted (旧 … / 新 …)."""
    row = next(
        (r for r in diff.alignment if r.old == change.old_article and r.new == change.new_article),
        None,
    )
    if row is None:
        return ""
    deleted = " … ".join(op.text.strip() for op in row.inline if op.op == "delete")
    inserted = " … ".join(op.text.strip() for op in row.inline if op.op == "insert")
    return f"旧: {deleted or '—'}\n新: {inserted or '—'}"


def _body(diff: VersionDiff, change: FieldChange, language: str) -> str:
    if change.kind == "article":
        return change.new or change.old or ""
    if change.kind == "wording":
        return f"{_edits(diff, change)}\n{change.new or ''}"
    kind = _KINDS.get(language, {}).get(change.kind, change.kind)
    return f"{kind} {change.kind}: {change.old or '—'} → {change.new or '—'}"


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
    """One chunk per field change of ``diff`` (old_version → new_version of ``doc_id``)."""
    old_labels, new_labels = _labels(diff)
    title = new_identity.title or old_identity.title or doc_id
    dates = f"{old_identity.version_date() or f'v{old_version}'} → "
    dates += f"{new_identity.version_date() or f'v{new_version}'}"
    words = _WORDS.get(language, _WORDS["en"])
    chunks: list[Chunk] = []
    for n, change in enumerate(diff.field_changes):
        verb = "changed" if change.change == "changed" else change.change
        old_key, new_key = _key(change.old_article), _key(change.new_article)
        label = " → ".join(
            x
            for x in (
                old_labels.get(old_key or "") or (default_label(old_key) if old_key else None),
                new_labels.get(new_key or "") or (default_label(new_key) if new_key else None),
            )
            if x
        )
        head = f"{title}（{dates}）\n{label} {words[verb]} / {_WORDS['en'][verb]}".strip()
        text = f"{head}\n{_body(diff, change, language)}".strip()
        chunks.append(
            Chunk(
                id=f"{doc_id}:v{new_version}:d{old_version}:{n}",
                text=text[:MAX_PASSAGE_CHARS],
                document=doc_id,
                version=new_version,
                title=new_identity.title,
                law=new_identity.title,
                article=_number(new_key),
                article_label=new_labels.get(new_key or ""),
                article_key=new_key,
                language=language,
                issuer="|".join(new_identity.issuers),
                doc_kind=new_identity.kind,
                effective=new_identity.date("effective"),
                version_date=new_identity.version_date(),
                latest=latest,
                passage="diff",
                old_version=old_version,
                old_article_key=old_key,
            )
        )
    return chunks
