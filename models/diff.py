"""A structural diff between two versions of a document."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

AlignmentStatus = Literal["added", "removed", "renumbered", "moved", "modified", "unchanged"]
#: How a diff names an article: its number (10 for 第十条), or ``Article.key`` for a branch
#: article ("2_2" for 第二条の二 / 第2条之2), the dev truth's convention.  1.1: was int only.
ArticleRef = int | str


def article_ref(number: int | None, key: str | None) -> ArticleRef | None:
    """An article's name in a diff: the branch key ("2_2") when it has one, else its number."""
    if key and "_" in key:
        return key
    return number


def default_label(ref: ArticleRef) -> str:
    """A label for an article whose own label is unknown: 第10条, 第2条の2 for "2_2"."""
    if isinstance(ref, str) and "_" in ref:
        base, branch = ref.split("_", 1)
        return f"第{base}条の{branch}"
    return f"第{ref}条"


class InlineOp(BaseModel):
    """One run of an inline token diff: ``equal``, ``insert``, ``delete``."""

    model_config = ConfigDict(extra="forbid")

    op: Literal["equal", "insert", "delete"]
    text: str


class ArticleAlignment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    old: ArticleRef | None = Field(description="Old article: 10, or '2_2' for 第二条の二")
    new: ArticleRef | None
    old_label: str | None = None
    new_label: str | None = None
    status: AlignmentStatus
    similarity: float | None = None
    inline: list[InlineOp] = Field(default_factory=list)


class FieldChange(BaseModel):
    """A change in an extracted field: threshold value, date moved, item added..."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["threshold", "date", "item", "code", "definition", "article", "wording"]
    change: Literal["added", "removed", "changed", "split", "merged"]
    old_article: ArticleRef | None = None
    new_article: ArticleRef | None = None
    old: str | None = None
    new: str | None = None
    role: str | None = Field(default=None, description="For dates: effective, promulgated...")
    summary: str = Field(description="One readable line: 'threshold 0.1% → 0.05%'")


class VersionDiff(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: str = "1.1"
    old: str = Field(description="DOC@VERSION or file path")
    new: str
    alignment: list[ArticleAlignment]
    splits: list[dict[str, list[ArticleRef]]] = Field(default_factory=list)
    merges: list[dict[str, list[ArticleRef]]] = Field(default_factory=list)
    field_changes: list[FieldChange] = Field(default_factory=list)
