"""Definitions: Japanese とは…を指す/をいう, Chinese 所称…是指, quoted terms."""

from __future__ import annotations

import pytest

from ingest.extract.articles import extract_articles
from ingest.extract.base import Locator
from ingest.extract.definitions import extract_definitions, find_definitions
from tests.factories import make_document

DEFINITIONS = [
    (
        "第二条 本弁法にいうレアアースの採掘とは、バストネサイト、イオン吸着型レアアース、"
        "混合レアアース等の各種レアアース原鉱の採掘・選鉱を行い、レアアース鉱製品を作製する生産プロセスを指す。",
        "レアアースの採掘",
        "本弁法にいう",
    ),
    (
        "本法所称经营者，是指从事商品生产、经营或者提供服务的自然人、法人和其他组织。",
        "经营者",
        "本法所称",
    ),
    (
        "本公告に言う“磁性材料製造”技術とは、サマリウムコバルト、ネオジウム鉄ボロン、"
        "セリウム磁性体の製造技術を指す。",
        "“磁性材料製造”技術",
        "本公告に言う",
    ),
    (
        "レアアース（希土類）とはランタン、セリウム、プラセオジム、ネオジム等の元素の総称を指す。",
        "レアアース（希土類）",
        "レアアース",
    ),
    (
        "二、本公告に言う輸出者とは、中国の公民、法人と非法人組織、"
        "および中国国内のすべての自然人、法人と非法人組織が含まれる。",
        "輸出者",
        "本公告に言う",
    ),
    ("「輸出」とは、規制品目を国外に移動することをいう。", "輸出", "「輸出」"),
]


@pytest.mark.parametrize(
    ("text", "term", "starts"),
    DEFINITIONS,
    ids=["本弁法にいう", "本法所称", "quoted-term", "bare-とは", "enum-provision", "brackets"],
)
def test_definitions(text: str, term: str, starts: str) -> None:
    (found,) = find_definitions(text)
    assert found.term == term
    assert text[found.start :].startswith(starts)
    assert text[found.end - 1] == "。"


NOT_DEFINITIONS = [
    "今回の措置とは別に、商務部は公告を発表した",
    "・輸出申請の際、輸出者は付属文書の要求により状況説明書の提出が必要。",
]


@pytest.mark.parametrize("text", NOT_DEFINITIONS, ids=["とは別に", "no-とは"])
def test_not_definitions(text: str) -> None:
    assert find_definitions(text) == []


def test_definition_records_carry_law_and_article() -> None:
    text = (
        "中华人民共和国反垄断法\n"
        "第十二条 本法所称经营者，是指从事商品生产、经营或者提供服务的自然人、法人和其他组织。"
    )
    document = make_document(text, language="zh")
    articles = extract_articles(document)
    (definition,) = extract_definitions(document, Locator(document, articles.spans))
    assert (definition.term, definition.article, definition.law) == (
        "经营者",
        12,
        "中华人民共和国反垄断法",
    )
