"""Renderings of a VersionDiff: a 新旧対照表 in Markdown and a side-by-side HTML redline.

Both are built from the ``VersionDiff`` alone (inline ops of changed articles, texts of
added/removed articles in their field changes), so a diff read back from JSON renders the
same.  Every piece of document text is escaped: it comes from PDFs nobody vetted.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from models.diff import (
    ArticleAlignment,
    ArticleRef,
    FieldChange,
    InlineOp,
    VersionDiff,
    default_label,
)

_STATUS_ORDER = ("modified", "moved", "added", "removed", "renumbered", "unchanged")
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_~\[\]|#])")


def _label(label: str | None, number: ArticleRef | None) -> str:
    if label:
        return label
    return default_label(number) if number is not None else "—"


def _row_title(row: ArticleAlignment) -> str:
    old = _label(row.old_label, row.old) if row.old is not None else "（新設）"
    new = _label(row.new_label, row.new) if row.new is not None else "（削除）"
    similarity = f", similarity {row.similarity:.2f}" if row.similarity is not None else ""
    return f"{old} → {new} ({row.status}{similarity})"


class _Texts:
    """Whole texts of added, removed and split-off articles, from the field changes."""

    def __init__(self, diff: VersionDiff) -> None:
        self.old: dict[ArticleRef, str] = {}
        self.new: dict[ArticleRef, str] = {}
        self.note: dict[tuple[ArticleRef | None, ArticleRef | None], str] = {}
        # ("split", old article) / ("merged", new article): the note's facts, for a UI
        # that words them in its own language.
        self.link: dict[
            tuple[ArticleRef | None, ArticleRef | None], tuple[str, ArticleRef | None]
        ] = {}
        for change in diff.field_changes:
            if change.kind != "article":
                continue
            if change.change in ("added", "split") and change.new_article is not None:
                self.new[change.new_article] = change.new or ""
            if change.change in ("removed", "merged") and change.old_article is not None:
                self.old[change.old_article] = change.old or ""
            if change.change == "split":
                self.note[(None, change.new_article)] = f"split from old {change.old_article}"
                self.link[(None, change.new_article)] = ("split", change.old_article)
            if change.change == "merged":
                self.note[(change.old_article, None)] = f"merged into new {change.new_article}"
                self.link[(change.old_article, None)] = ("merged", change.new_article)

    def ops(self, row: ArticleAlignment) -> list[InlineOp]:
        if row.inline:
            return row.inline
        if row.old is None and row.new is not None:
            return [InlineOp(op="insert", text=self.new.get(row.new, ""))]
        if row.new is None and row.old is not None:
            return [InlineOp(op="delete", text=self.old.get(row.old, ""))]
        return []


def _changed_rows(diff: VersionDiff) -> list[ArticleAlignment]:
    return [r for r in diff.alignment if r.status in ("modified", "moved", "added", "removed")]


def _counts(diff: VersionDiff) -> list[tuple[str, int]]:
    counts = Counter(r.status for r in diff.alignment)
    return [(s, counts[s]) for s in _STATUS_ORDER if counts[s]]


def _change_where(change: FieldChange) -> str:
    parts = [
        f"{side} {number}"
        for side, number in (("old", change.old_article), ("new", change.new_article))
        if number is not None
    ]
    return ", ".join(parts) if parts else "document"


# --- Markdown -------------------------------------------------------------------------------


def escape_markdown(text: str) -> str:
    """Text safe inside a Markdown table cell: no HTML, no emphasis, no cell breaks."""
    escaped = _MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(text, quote=False))
    return escaped.replace("\r", "").replace("\n", "<br>")


def _markdown_side(ops: list[InlineOp], keep: str) -> str:
    """One column: equal text plus this side's edits as ``<del>``/``<ins>``.

    Not ``**~~…~~**``: CommonMark only opens emphasis after white space or punctuation
    when the marker is followed by punctuation, and CJK text has no spaces, so
    ``毎月**~~15日~~**まで`` would render literally.  GFM and most viewers render the tags.
    """
    tag = "del" if keep == "delete" else "ins"
    out: list[str] = []
    for op in ops:
        if op.op == "equal":
            out.append(escape_markdown(op.text))
        elif op.op == keep:
            out.append(f"<{tag}>{escape_markdown(op.text)}</{tag}>")
    return "".join(out) or "—"


def render_markdown(diff: VersionDiff) -> str:
    """新旧対照表: field changes first, then one two-column table (旧 | 新) per changed article."""
    old_ref, new_ref = escape_markdown(diff.old), escape_markdown(diff.new)
    lines = [
        "# 新旧対照表",
        "",
        f"- 旧 (old): {old_ref}",
        f"- 新 (new): {new_ref}",
        "- " + ", ".join(f"{status} {count}" for status, count in _counts(diff)),
    ]
    lines += [f"- split: old {s['old']} → new {s['new']}" for s in diff.splits]
    lines += [f"- merged: old {m['old']} → new {m['new']}" for m in diff.merges]
    lines += ["", "## Field changes", ""]
    if diff.field_changes:
        lines += [
            f"- **{c.kind}** {c.change} ({_change_where(c)}): {escape_markdown(c.summary)}"
            for c in diff.field_changes
        ]
    else:
        lines.append("No field changes.")
    texts = _Texts(diff)
    lines += ["", "## Changed articles"]
    for row in _changed_rows(diff):
        ops = texts.ops(row)
        note = texts.note.get((row.old, row.new))
        lines += ["", f"### {escape_markdown(_row_title(row))}", ""]
        if note:
            lines += [f"_{note}_", ""]
        lines += [
            f"| 旧 ({old_ref}) | 新 ({new_ref}) |",
            "|---|---|",
            f"| {_markdown_side(ops, 'delete')} | {_markdown_side(ops, 'insert')} |",
        ]
    renumbered = [r for r in diff.alignment if r.status == "renumbered"]
    if renumbered:
        lines += ["", "## Renumbered (text unchanged)", "", "| 旧 | 新 |", "|---|---|"]
        lines += [
            f"| {escape_markdown(_label(r.old_label, r.old))} | "
            f"{escape_markdown(_label(r.new_label, r.new))} |"
            for r in renumbered
        ]
    return "\n".join(lines) + "\n"


# --- HTML -----------------------------------------------------------------------------------

_CSS = """
body { font-family: "Noto Sans CJK JP", "Noto Sans CJK SC", "Hiragino Sans", "Microsoft YaHei",
  sans-serif; margin: 2em; color: #222; }
table.redline { border-collapse: collapse; width: 100%; table-layout: fixed; }
table.redline th, table.redline td { border: 1px solid #bbb; padding: .5em; vertical-align: top;
  line-height: 1.7; }
table.redline th.article { background: #f0f0f0; text-align: left; }
del { background: #fdd; color: #900; }
ins { background: #dfd; color: #060; text-decoration: none; font-weight: bold; }
.status { font-size: .85em; color: #555; }
ul.changes li { margin: .2em 0; }
"""


def _html_text(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def _html_side(ops: list[InlineOp], keep: str) -> str:
    tag = "del" if keep == "delete" else "ins"
    out: list[str] = []
    for op in ops:
        if op.op == "equal":
            out.append(_html_text(op.text))
        elif op.op == keep:
            out.append(f"<{tag}>{_html_text(op.text)}</{tag}>")
    return "".join(out) or "—"


def _html_list(items: list[str]) -> str:
    return '<ul class="changes">' + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


@dataclass
class RedlineRow:
    """One changed article of the 新旧対照表: its alignment and both sides as escaped HTML."""

    alignment: ArticleAlignment
    old_html: str
    new_html: str
    note: str | None
    link: tuple[str, ArticleRef | None] | None = None  # ("split", old 8) / ("merged", new 9)

    @property
    def anchor(self) -> str:
        """``art-o9-n10``: the id a field change of this article links to."""
        a = self.alignment
        return f"art-o{'' if a.old is None else a.old}-n{'' if a.new is None else a.new}"


def redline_rows(diff: VersionDiff) -> list[RedlineRow]:
    """The changed articles, each side with ``<del>``/``<ins>`` (text escaped)."""
    texts = _Texts(diff)
    rows = []
    for row in _changed_rows(diff):
        ops = texts.ops(row)
        rows.append(
            RedlineRow(
                row,
                _html_side(ops, "delete"),
                _html_side(ops, "insert"),
                texts.note.get((row.old, row.new)),
                texts.link.get((row.old, row.new)),
            )
        )
    return rows


def row_of_change(rows: list[RedlineRow], change: FieldChange) -> RedlineRow | None:
    """The article row a field change belongs to (its new article first, else its old)."""
    for row in rows:
        a = row.alignment
        if change.new_article is not None and a.new == change.new_article:
            return row
    for row in rows:
        if change.old_article is not None and row.alignment.old == change.old_article:
            return row
    return None


def render_html(diff: VersionDiff) -> str:
    """A standalone page: summary, field changes, side-by-side redline of changed articles."""
    esc: Callable[[str], str] = html.escape
    summary = [f"{esc(status)}: {count}" for status, count in _counts(diff)]
    summary += [f"split: old {s['old']} → new {s['new']}" for s in diff.splits]
    summary += [f"merged: old {m['old']} → new {m['new']}" for m in diff.merges]
    changes = [
        f"<b>{esc(c.kind)}</b> {esc(c.change)} ({esc(_change_where(c))}): {esc(c.summary)}"
        for c in diff.field_changes
    ]
    rows: list[str] = []
    for red in redline_rows(diff):
        note = red.note
        title = esc(_row_title(red.alignment))
        title += f' <span class="status">{esc(note)}</span>' if note else ""
        rows.append(f'<tr id="{red.anchor}"><th class="article" colspan="2">{title}</th></tr>')
        rows.append(f"<tr><td>{red.old_html}</td><td>{red.new_html}</td></tr>")
    renumbered = [
        f"{esc(_label(r.old_label, r.old))} → {esc(_label(r.new_label, r.new))}"
        for r in diff.alignment
        if r.status == "renumbered"
    ]
    body = [
        f"<h1>新旧対照表</h1><p>旧: {esc(diff.old)}<br>新: {esc(diff.new)}</p>",
        _html_list(summary),
        "<h2>Field changes</h2>",
        _html_list(changes) if changes else "<p>No field changes.</p>",
        "<h2>Changed articles</h2>",
        '<table class="redline"><thead><tr>'
        f"<th>旧 ({esc(diff.old)})</th><th>新 ({esc(diff.new)})</th></tr></thead>",
        "<tbody>" + "".join(rows) + "</tbody></table>",
    ]
    if renumbered:
        body += ["<h2>Renumbered (text unchanged)</h2>", _html_list(renumbered)]
    return (
        '<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8">'
        f"<title>新旧対照表: {esc(diff.old)} → {esc(diff.new)}</title>"
        f"<style>{_CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
