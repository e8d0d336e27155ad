"""A structural diff between two versions of a document."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

AlignmentStatus = Literal["added", "removed", "renumbered", "moved", "modified", "unchanged"]


class InlineOp(BaseModel):
    """One run of an inline token diff: ``equal``, ``insert``, ``delete``."""

    model_config = ConfigDict(extra="forbid")

    op: Literal["equal", "insert", "delete"]
    text: str


class ArticleAlignment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    old: int | None = Field(description="Old article number")
    new: int | None
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
    old_article: int | None = None
    new_article: int | None = None
    old: str | None = None
    new: str | None = None
    role: str | None = Field(default=None, description="For dates: effective, promulgated...")
    summary: str = Field(description="One readable line: 'threshold 0.1% → 0.05%'")


class VersionDiff(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: str = "1.0"
    old: str = Field(description="DOC@VERSION or file path")
    new: str
    alignment: list[ArticleAlignment]
    splits: list[dict[str, list[int]]] = Field(default_factory=list)
    merges: list[dict[str, list[int]]] = Field(default_factory=list)
    field_changes: list[FieldChange] = Field(default_factory=list)
