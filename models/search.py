"""Search-side records: chunks indexed, hits returned."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Chunk(BaseModel):
    """A unit of retrieval: one article (or paragraph of a long one), or a commentary paragraph."""

    model_config = ConfigDict(extra="forbid")

    id: str
    text: str = Field(description="Text embedded and keyword-indexed (with heading context)")
    document: str
    version: int = 1
    subdocument: str = "main"
    title: str | None = None
    law: str | None = None
    article: int | None = None
    article_label: str | None = None
    article_key: str | None = Field(
        default=None, description="The article's stable key: '10', '2_2' for 第二条の二"
    )
    language: str = "und"
    issuer: str = Field(default="", description="Issuers joined by '|' (chroma metadata is flat)")
    doc_kind: str = "other"
    page: int = 1
    effective: str | None = None
    latest: bool = True
    # A change between two versions (index/diff_chunks.py) is a passage of its own: version
    # and article_key name the newer side, old_version and old_article_key the older.
    passage: Literal["text", "diff"] = "text"
    version_date: str | None = Field(
        default=None, description="The version's legal date (DocumentIdentity.version_date)"
    )
    old_version: int | None = None
    old_article_key: str | None = None


class Hit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    chunk: Chunk
    score: float
    relevance: float | None = Field(
        default=None,
        description=(
            "Calibrated closeness of the hit to the question, 0..1: a logistic model of the "
            "embedders' cosine similarities and the share of the question's terms the hit "
            "contains, fitted on dev questions' answers against off-topic queries "
            "(index/relevance.py); hits below the floor (0.45 by default) are not returned. "
            "None where the engine gives no calibrated figure (embedders other than e5+USE)"
        ),
    )
    dense_rank: int | None = None
    keyword_rank: int | None = None
    snippet: str = Field(
        description=(
            "Excerpt with the matching part marked 【like this】 (the document's own 【】 "
            "shown as 〖〗)"
        )
    )
