"""Cross-references: explicit law, 同条例/本法 pronouns, ranges, relative 前条; resolution."""

from __future__ import annotations

import pytest

from ingest.extract.articles import extract_articles
from ingest.extract.base import Locator
from ingest.extract.references import extract_references, find_references
from tests.factories import make_document

FOUND = [
    (
        "同条例第 10 条に基づく、採掘に対する総量管理規制",
        "同条例第 10 条",
        None,
        "同条例",
        10,
        None,
    ),
    (
        "レアアース管理条例第 30 条に同趣旨の規定あり。",
        "レアアース管理条例第 30 条",
        "レアアース管理条例",
        None,
        30,
        None,
    ),
    (
        "《中華人民共和国輸出管理法》第十二条の規定に従って、",
        "《中華人民共和国輸出管理法》第十二条",
        "中華人民共和国輸出管理法",
        None,
        12,
        None,
    ),
    ("■罰則等（第 13 条～第 16 条）", "第 13 条～第 16 条", None, None, 13, 16),
    ("本法第十五条规定的情形", "本法第十五条", None, "本法", 15, None),
    ("本条例第二十条の規定により処罰する。", "本条例第二十条", None, "本条例", 20, None),
    ("前条の規定にかかわらず", "前条", None, "前条", None, None),
]


@pytest.mark.parametrize(
    ("text", "mention", "law", "pronoun", "number", "number_end"),
    FOUND,
    ids=["同条例", "named-ja", "named-zh-brackets", "range", "本法", "本条例", "前条"],
)
def test_reference_mentions(
    text: str,
    mention: str,
    law: str | None,
    pronoun: str | None,
    number: int | None,
    number_end: int | None,
) -> None:
    (ref,) = find_references(text)
    assert (ref.text, ref.law, ref.pronoun, ref.number, ref.number_end) == (
        mention,
        law,
        pronoun,
        number,
        number_end,
    )


def test_second_of_a_list_takes_the_law_of_the_first() -> None:
    refs = find_references("レアアース管理条例第 5 条及び第 7条では、国家は統一的に計画する")
    assert [(r.law, r.number) for r in refs] == [
        ("レアアース管理条例", 5),
        ("レアアース管理条例", 7),
    ]


def test_article_label_is_not_a_reference_to_itself() -> None:
    assert find_references("第十条 国は総量規制を実行する。") == []


def test_references_resolve_to_articles_of_the_same_document() -> None:
    text = "\n".join(
        [
            "中华人民共和国反垄断法",
            "第十三条 禁止具有竞争关系的经营者达成垄断协议。",
            "第十四条 经营者违反本法第十三条规定的，由执法机构责令停止违法行为。",
            "第十五条 前条规定的罚款，由执法机构决定。",
            "第十六条 依照《中华人民共和国行政处罚法》第三十条处理。",
        ]
    )
    document = make_document(text, language="zh")
    articles = extract_articles(document)
    refs = extract_references(document, Locator(document, articles.spans))
    by_label = {r.target_label: r for r in refs}
    thirteen = next(a for a in articles.records if a.number == 13)
    fourteen = next(a for a in articles.records if a.number == 14)
    assert by_label["第十三条"].target_law is None
    assert by_label["第十三条"].resolved == thirteen.id
    assert by_label["第十三条"].article == 14
    assert by_label["前条"].target_article == 14
    assert by_label["前条"].resolved == fourteen.id
    assert by_label["第三十条"].target_law == "中华人民共和国行政处罚法"
    assert by_label["第三十条"].resolved is None


def test_article_labels_glued_to_their_text_are_not_references() -> None:
    """Ingest writes `第一条国は…` without a space: the label is the article, not a reference."""
    from ingest.extract.articles import extract_articles
    from ingest.extract.base import Locator
    from ingest.extract.references import extract_references
    from tests.factories import make_document

    doc = make_document(
        "第一条国はレアアースの採掘に対して総量規制管理を実施する。\n"
        "第二条前条の規定による指標は、第一条に基づき策定する。"
    )
    articles = extract_articles(doc)
    refs = extract_references(doc, Locator(doc, articles.spans))
    assert [(r.text, r.article, r.target_article) for r in refs] == [
        ("前条", 2, 1),
        ("第一条", 2, 1),
    ]
    assert all(r.resolved for r in refs)
