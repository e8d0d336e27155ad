"""regwatch records: the typed objects every stage hands to the next.

This package depends on nothing else of ours (pydantic only).
"""

from models.diff import ArticleAlignment, FieldChange, InlineOp, VersionDiff
from models.document import (
    Block,
    BlockKind,
    Document,
    DocumentIdentity,
    Footnote,
    IdentityDate,
    IngestResult,
    Page,
    SourceFile,
    SubDocument,
)
from models.errors import RegwatchError
from models.provenance import BBox, CharSpan, Provenance
from models.records import (
    Article,
    DateMention,
    Definition,
    ExtractionResult,
    Item,
    ItemList,
    Record,
    Reference,
    TableRecord,
    Threshold,
)
from models.search import Chunk, Hit

__all__ = [
    "Article",
    "ArticleAlignment",
    "BBox",
    "Block",
    "BlockKind",
    "CharSpan",
    "Chunk",
    "DateMention",
    "Definition",
    "Document",
    "DocumentIdentity",
    "ExtractionResult",
    "FieldChange",
    "Footnote",
    "Hit",
    "IdentityDate",
    "IngestResult",
    "InlineOp",
    "Item",
    "ItemList",
    "Page",
    "Provenance",
    "Record",
    "Reference",
    "RegwatchError",
    "SourceFile",
    "SubDocument",
    "TableRecord",
    "Threshold",
    "VersionDiff",
]
