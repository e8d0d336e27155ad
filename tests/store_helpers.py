"""Documents and extraction results built by hand for the store and alert tests."""

from __future__ import annotations

from models.document import Document, DocumentIdentity, IdentityDate
from models.provenance import CharSpan, Provenance
from models.records import (
    Article,
    DateMention,
    ExtractionResult,
    Item,
    ItemList,
    Record,
    Threshold,
)
from tests.factories import make_document

RARE_DRAFT_TITLE = "レアアース採掘・レアアース製錬分離総量規制管理弁法（暫定）（意見募集稿）"
RARE_FINAL_TITLE = "レアアース採掘・レアアース製錬分離総量規制管理暫定弁法"

# Article 9 of the draft and 10 of the final (tests/data/dev/versions): the monthly deadline.
RARE_DRAFT_TEXT = f"""{RARE_DRAFT_TITLE}
（2025年2月19日工業情報化部公表、意見募集稿）
第九条 レアアース生産企業は毎月15日までに前月の生産状況を報告しなければならない。
第十五条 本弁法は2025年5月1日より施行する。"""
RARE_FINAL_TEXT = f"""{RARE_FINAL_TITLE}
（2025年7月28日工業情報化部、国家発展改革委員会、自然資源部令第71号公布、公布の日より施行。）
第十条 レアアース生産企業は毎月10日までに前月の生産状況を報告しなければならない。
第十七条 本弁法は公布の日より施行する。"""


def rare_identity(final: bool) -> DocumentIdentity:
    if final:
        return DocumentIdentity(
            title=RARE_FINAL_TITLE,
            kind="measures",
            issuers=["工業情報化部", "国家発展改革委員会", "自然資源部"],
            number="工業情報化部、国家発展改革委員会、自然資源部令第71号",
            dates=[
                IdentityDate(role="promulgated", iso="2025-07-28", raw="2025年7月28日"),
                IdentityDate(role="effective", iso="2025-07-28", raw="公布の日"),
            ],
            language="ja",
        )
    return DocumentIdentity(
        title=RARE_DRAFT_TITLE,
        kind="measures",
        issuers=["工業情報化部"],
        dates=[IdentityDate(role="published", iso="2025-02-19", raw="2025年2月19日")],
        language="ja",
    )


def _prov(doc: Document, start: int, end: int) -> Provenance:
    page, bbox = doc.locate(CharSpan(start=start, end=end))
    return Provenance(
        source_sha256=doc.source.sha256,
        document="main",
        page=page,
        bbox=bbox,
        char_span=CharSpan(start=start, end=end),
    )


def records_for(doc: Document) -> list[Record]:
    """One article per 第…条 line, thresholds 毎月N日まで, effective dates, and an item list."""
    records: list[Record] = []
    text = doc.text
    offset = 0
    for line in text.split("\n"):
        start, end = offset, offset + len(line)
        offset = end + 1
        if not line.startswith("第"):
            continue
        label, _, body = line.partition(" ")
        records.append(
            Article(
                id=f"{doc.id}:article:{start}",
                number=None,
                label=label,
                text=line,
                body=body,
                provenance=_prov(doc, start, end),
            )
        )
        for marker in ("毎月15日まで", "毎月10日まで"):
            at = line.find(marker)
            if at >= 0:
                records.append(
                    Threshold(
                        id=f"{doc.id}:threshold:{start + at}",
                        text=marker,
                        value=float(marker[2:4]),
                        unit="日",
                        comparator="<=",
                        recurrence="monthly",
                        subject="生産状況の報告",
                        provenance=_prov(doc, start + at, start + at + len(marker)),
                    )
                )
        for raw, iso in (("2025年5月1日", "2025-05-01"), ("公布の日", "2025-07-28")):
            at = line.find(raw)
            if at >= 0 and "施行" in line:
                records.append(
                    DateMention(
                        id=f"{doc.id}:date:{start + at}",
                        text=raw,
                        iso=iso,
                        role="effective",
                        raw=raw,
                        relative=raw == "公布の日",
                        provenance=_prov(doc, start + at, start + at + len(raw)),
                    )
                )
    return records


def build(
    text: str,
    identity: DocumentIdentity,
    *,
    item_codes: list[str] | None = None,
) -> tuple[Document, ExtractionResult]:
    """A Document from ``text`` and its ExtractionResult, as the pipeline would hand them over."""
    doc = make_document(text, identity=identity, language=identity.language)
    records = records_for(doc)
    if item_codes:
        records.append(
            ItemList(
                id=f"{doc.id}:item_list:0",
                heading="品目リスト",
                text=doc.text.split("\n")[0],
                items=[Item(text=f"item {c}", code=c) for c in item_codes],
                provenance=_prov(doc, 0, 1),
            )
        )
    extraction = ExtractionResult(
        document=doc.id, source=doc.source.path, identity=identity, records=records
    )
    return doc, extraction


def numbered_doc(
    n: int, title: str | None = None, text_extra: str = ""
) -> tuple[Document, ExtractionResult]:
    """A small announcement of its own (distinct title and number)."""
    identity = DocumentIdentity(
        title=title or f"関連品目に対する輸出管理の決定（第{n}号）",
        kind="announcement",
        issuers=["商務部"],
        number=f"商務部公告2025年第{n}号" if title is None else None,
        language="ja",
    )
    text = f"{identity.title}\n第一条 本公告は公布の日より施行する。{text_extra}"
    return build(text, identity)
