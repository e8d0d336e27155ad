"""Corpus-side records: what the versioned store and the alerting stage hand out."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from models.diff import FieldChange
from models.document import Document, DocumentIdentity
from models.records import ExtractionResult, Record

AddStatus = Literal["new_document", "new_version", "unchanged"]
AlertEvent = Literal["new_document", "new_version"]


class AddOutcome(BaseModel):
    """What ``Store.add_version`` did with one file."""

    model_config = ConfigDict(extra="forbid")

    status: AddStatus
    doc_id: str
    version: int
    previous_version: int | None = Field(
        default=None, description="The version this one follows (new_version only)"
    )
    sha256: str
    path: str
    matched_by: str | None = Field(
        default=None, description="How the document was recognised: number, title, manual..."
    )
    out_of_order: bool = Field(
        default=False,
        description="The file is dated before the version it follows (a draft added after "
        "its final text): still numbered in the order added",
    )


class VersionInfo(BaseModel):
    """One stored version, without its (large) document and records."""

    model_config = ConfigDict(extra="forbid")

    doc_id: str
    version: int
    sha256: str
    path: str
    ingested_at: str
    identity: DocumentIdentity
    records: int = Field(default=0, description="Number of records stored for this version")

    @property
    def ref(self) -> str:
        return f"{self.doc_id}@{self.version}"


class DocumentSummary(BaseModel):
    """One document of the corpus, as ``regwatch list`` shows it."""

    model_config = ConfigDict(extra="forbid")

    doc_id: str
    title: str | None
    kind: str
    issuers: list[str]
    number: str | None
    language: str
    versions: int
    latest_version: int
    created: str
    updated: str


class StoredVersion(BaseModel):
    """A document version read back: identity, the ingested Document and its records.

    Records carry ``provenance.version`` set to ``version``.
    """

    model_config = ConfigDict(extra="forbid")

    info: VersionInfo
    document: Document | None = Field(default=None, description="None when not requested")
    extraction: ExtractionResult

    @property
    def doc_id(self) -> str:
        return self.info.doc_id

    @property
    def version(self) -> int:
        return self.info.version

    @property
    def identity(self) -> DocumentIdentity:
        return self.info.identity

    @property
    def records(self) -> list[Record]:
        return self.extraction.records


class KeyThreshold(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    article: int | None = None
    subject: str | None = None


class KeyItemList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    heading: str
    article: int | None = None
    items: int
    codes: list[str] = Field(default_factory=list)


class AlertPayload(BaseModel):
    """The machine-readable part of an alert; subscription filters read these fields."""

    model_config = ConfigDict(extra="forbid")

    identity: DocumentIdentity
    language: str = "und"
    previous_version: int | None = None
    effective_dates: list[str] = Field(default_factory=list, description="ISO dates, sorted")
    thresholds: list[KeyThreshold] = Field(default_factory=list)
    item_lists: list[KeyItemList] = Field(default_factory=list)
    item_codes: list[str] = Field(
        default_factory=list, description="Every control/HS code in the version's item lists"
    )
    changed_kinds: list[str] = Field(
        default_factory=list,
        description="Field-change kinds (new_version) or record kinds present (new_document)",
    )
    field_changes: list[FieldChange] = Field(default_factory=list)
    article_counts: dict[str, int] = Field(
        default_factory=dict, description="Alignment statuses counted: added, removed, modified..."
    )
    diff_link: str | None = Field(default=None, description="Path or URL of the full diff")


class Alert(BaseModel):
    """One event worth telling an analyst about: a new document or a new version."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Deterministic: event + DOC@VERSION, so raising twice is a no-op")
    event: AlertEvent
    doc_id: str
    version: int
    created: str = Field(description="ISO 8601 UTC")
    title: str
    summary: list[str] = Field(description="Readable lines, most important first")
    payload: AlertPayload


class TargetReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subscription: str
    target: str
    delivered: int = 0
    failed: int = 0
    pending: int = 0
    errors: list[str] = Field(default_factory=list)


class DeliveryReport(BaseModel):
    """What ``deliver_pending`` did: per subscription target, and in total."""

    model_config = ConfigDict(extra="forbid")

    targets: list[TargetReport] = Field(default_factory=list)

    @property
    def delivered(self) -> int:
        return sum(t.delivered for t in self.targets)

    @property
    def failed(self) -> int:
        return sum(t.failed for t in self.targets)

    @property
    def pending(self) -> int:
        return sum(t.pending for t in self.targets)
