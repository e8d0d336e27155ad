"""Chunks: one per article with its law as context, long articles split, commentary by
paragraph group, truth files for the bench."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.chunk import MAX_ARTICLE_CHARS, article_texts, chunks_from, chunks_from_truth
from models.document import DocumentIdentity, IdentityDate
from models.provenance import CharSpan, Provenance
from models.records import Article, ExtractionResult
from tests.factories import make_document

DEV = Path(__file__).parent / "data" / "dev"
TEXT = (
    "中国によるレアアース関連貨物の輸出管理規制の強化について\n"
    "商務部は10月9日、国外の関連希土類品目に対する輸出管理の実施を公表した。\n"
    "第十条　レアアース生産企業は、毎月10日までに前月の"
    "レアアース製品フロー情報を入力しなければならない。\n"
    "第十一条　レアアース生産企業は、ネットワークおよび"
    "データセキュリティ保護義務を履行しなければならない。"
)


def _extraction() -> tuple[ExtractionResult, object]:
    document = make_document(TEXT)
    identity = DocumentIdentity(
        title="レアアース管理弁法",
        kind="measures",
        issuers=["工業情報化部", "国家発展改革委員会"],
        language="ja",
        dates=[IdentityDate(role="effective", iso="2025-07-28", raw="7月28日")],
    )
    records = []
    for line, number, label in ((2, 10, "第十条"), (3, 11, "第十一条")):
        block = document.blocks[line]
        assert block.char_span is not None
        records.append(
            Article(
                id=f"a{number}",
                law="稀土开采和稀土冶炼分离总量调控管理暂行办法",
                article=number,
                text=block.text,
                number=number,
                label=label,
                body=block.text[len(label) + 1 :],
                provenance=Provenance(
                    source_sha256=document.source.sha256,
                    document="main",
                    page=1,
                    char_span=CharSpan(start=block.char_span.start, end=block.char_span.end),
                ),
            )
        )
    extraction = ExtractionResult(
        document=document.id, source="<text>", identity=identity, records=records
    )
    return extraction, document


def test_articles_and_commentary() -> None:
    extraction, document = _extraction()
    chunks = chunks_from(extraction, document, version=2, latest=True, doc_id="rare-earth")  # type: ignore[arg-type]
    articles = [c for c in chunks if c.article is not None]
    commentary = [c for c in chunks if c.article is None]
    assert [c.article_label for c in articles] == ["第十条", "第十一条"]
    assert articles[0].text.startswith("稀土开采和稀土冶炼分离总量调控管理暂行办法\n第十条 ")
    assert {(c.document, c.version, c.latest) for c in chunks} == {("rare-earth", 2, True)}
    assert articles[0].issuer == "工業情報化部|国家発展改革委員会"
    assert (articles[0].doc_kind, articles[0].effective, articles[0].language) == (
        "measures",
        "2025-07-28",
        "ja",
    )
    assert len(commentary) == 1 and "商務部は10月9日" in commentary[0].text
    assert "第十条" not in commentary[0].text
    assert len({c.id for c in chunks}) == len(chunks)


@pytest.mark.parametrize(
    ("body", "parts"),
    [
        ("短い条文。", 1),
        ("\n".join(f"（{i}）" + "輸出者は許可を申請しなければならない。" * 6 for i in range(8)), 3),
    ],
    ids=["short-article", "long-article-split-by-paragraph"],
)
def test_long_articles_split(body: str, parts: int) -> None:
    texts = article_texts("商务部公告2025年第62号", None, "三、", body)
    assert len(texts) == parts
    for text in texts:
        assert text.startswith("商务部公告2025年第62号\n三、 ")
        assert len(text) <= MAX_ARTICLE_CHARS


def test_truth_chunks() -> None:
    chunks = chunks_from_truth(DEV / "truth" / "001_2ccde129c88cd74c.json")
    first = next(c for c in chunks if c.law == "商务部公告2025年第61号" and c.article == 1)
    assert "0.1%以上" in first.text
    assert (first.document, first.subdocument, first.issuer) == (
        "001_2ccde129c88cd74c",
        "annex1",
        "商務部",
    )
