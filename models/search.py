"""Search-side records: chunks indexed, hits returned."""

from __future__ import annotations

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
    language: str = "und"
    issuer: str = Field(default="", description="Issuers joined by '|' (chroma metadata is flat)")
    doc_kind: str = "other"
    page: int = 1
    effective: str | None = None
    latest: bool = True


class Hit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    chunk: Chunk
    score: float
    relevance: float | None = Field(
        default=None,
        description=(
            "Calibrated closeness of the hit to the question, 0..1 (what the relevance floor "
            "compares); None where the engine gives no calibrated figure"
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
