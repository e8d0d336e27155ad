"""Extracted records: one pydantic model per kind, a discriminated union on ``kind``.

Field names are part of the published JSON Schema (``regwatch schema``): change them only
with a new ``SCHEMA_VERSION``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from models.document import DateRole, DocumentIdentity
from models.provenance import Provenance

# 1.1: Article.key (branch articles 第二条の二 = "2_2"); Item.control_codes / hs_codes /
# items (nested 号 → イロハ); ItemList.family / parent_labels; Provenance.source ("ocr") /
# confidence on records read from an OCR'd page (left out of the JSON when unset).  All
# additive with defaults.
# 1.2: TableRecord (kind "table": a ruled 別表 grid as rows of cells) and
# Threshold.table_cell ([row, column] of the cell a threshold was found in).  Additive.
SCHEMA_VERSION = "1.2"

Comparator = Literal[">=", "<=", "<", ">", "=="]


class RecordBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Deterministic: document id + kind + character offset")
    law: str | None = Field(default=None, description="The law/notice the record belongs to")
    article: int | None = Field(default=None, description="Number of the enclosing article")
    article_label: str | None = None
    text: str = Field(description="The exact clean source text of the mention")
    provenance: Provenance


class Paragraph(BaseModel):
    """款/項: a paragraph of an article, with its 项/号 items."""

    model_config = ConfigDict(extra="forbid")

    index: int = Field(ge=1)
    text: str
    items: list[Item] = Field(default_factory=list)


class Article(RecordBase):
    """A numbered provision (条, or 一、 in MOFCOM announcements)."""

    kind: Literal["article"] = "article"
    number: int | None
    key: str | None = Field(
        default=None,
        description="Stable article key: '10' for 第十条, '2_2' for the branch article 第二条の二"
        " (e-Gov's Num form); what versions align and diffs report by",
    )
    label: str = Field(description="As written: 第十条, 第10条, 一、")
    chapter: str | None = Field(default=None, description="编/章 heading it sits under")
    section: str | None = Field(default=None, description="节 heading it sits under")
    body: str = Field(description="Article text without its label; paragraphs joined by \\n")
    paragraphs: list[Paragraph] = Field(default_factory=list)
    excerpt: bool = Field(default=False, description="Only part of the article is quoted")
    quoted: bool = Field(
        default=False, description="A quotation inside a commentary, not the law's own copy"
    )


class Threshold(RecordBase):
    kind: Literal["threshold"] = "threshold"
    value: float | None = None
    unit: str
    comparator: Comparator | None = None
    min: float | None = None
    max: float | None = None
    min_inclusive: bool | None = None
    max_inclusive: bool | None = None
    subject: str | None = Field(default=None, description="What the threshold constrains")
    recurrence: Literal["monthly", "yearly"] | None = None
    table_cell: list[int] | None = Field(
        default=None, description="[row, column] (from 0) of the table cell it was found in"
    )


class DateMention(RecordBase):
    kind: Literal["date"] = "date"
    iso: str | None = Field(description="YYYY-MM-DD, or YYYY-MM when only that is known")
    role: DateRole
    raw: str
    precision: Literal["day", "month"] = "day"
    relative: bool = Field(default=False, description="No calendar date written (本日, 公布の日)")
    rule: str | None = Field(
        default=None, description="For recurring or relative deadlines: the rule as written"
    )


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    code: str | None = Field(
        default=None, description="The first code of the item: control code (1E902.a) or HS code"
    )
    label: str | None = Field(default=None, description="Numbering as written: 1．, a．, （一）")
    control_codes: list[str] = Field(
        default_factory=list, description="Dual-use control codes written in the item (3C901.a.1)"
    )
    hs_codes: list[str] = Field(
        default_factory=list, description="Customs / tariff codes (参考税则号列, HSコード)"
    )
    items: list[Item] = Field(
        default_factory=list, description="Sub-items: イロハ of a 号, 1. of a （一）"
    )


class ItemList(RecordBase):
    kind: Literal["item_list"] = "item_list"
    heading: str
    path: list[str] = Field(default_factory=list, description="Enclosing headings, outermost first")
    items: list[Item]
    family: str | None = Field(
        default=None,
        description="Numbering family: kanji_item (号 一), kana (イ), cn_paren_fw （一）,"
        " cn_paren_hw (一), cn_dun 一、, arabic_paren (1), arabic_dot 1., latin_dot a.",
    )
    parent_labels: list[str] = Field(
        default_factory=list, description="Labels of the items above this list: ['四'] for イロハ"
    )


class Reference(RecordBase):
    kind: Literal["reference"] = "reference"
    target_law: str | None = Field(default=None, description="None: the same law (本条例, 同条)")
    target_article: int | None = None
    target_article_end: int | None = Field(
        default=None, description="End of a range 第13条～第16条"
    )
    target_label: str | None = None
    resolved: str | None = Field(default=None, description="Record id of the target article")


class Definition(RecordBase):
    kind: Literal["definition"] = "definition"
    term: str
    definition: str


class TableRecord(RecordBase):
    """A ruled table (a statute's 別表): rows of cell texts, as printed."""

    kind: Literal["table"] = "table"
    caption: str | None = Field(default=None, description="別表第二（第八条、第十一条関係）")
    rows: list[list[str]]


Record = Annotated[
    Article | Threshold | DateMention | ItemList | Reference | Definition | TableRecord,
    Field(discriminator="kind"),
]


class ExtractionResult(BaseModel):
    """What ``regwatch extract`` prints per document."""

    model_config = ConfigDict(extra="forbid")

    schema_version: str = SCHEMA_VERSION
    document: str = Field(description="Document id")
    source: str = Field(description="Path of the source file")
    identity: DocumentIdentity
    subdocuments: dict[str, DocumentIdentity] = Field(default_factory=dict)
    records: list[Record]
    warnings: list[str] = Field(default_factory=list)


Paragraph.model_rebuild()
