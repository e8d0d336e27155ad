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


# Definition lists: each 号 / （一） item is ``label　term　definition`` (U+3000 boundaries in
# e-Gov statutes) or ``（一）term，是指definition``.  (text, [(term, definition)])
DEFINITION_LISTS = [
    pytest.param(
        "第二条　この法律において、次の各号に掲げる用語の意義は、当該各号に定めるところによる。\n"
        "一　法令　法律、法律に基づく命令（告示を含む。）、条例及び地方公共団体の執行機関の規則を"
        "いう。\n二　処分　行政庁の処分その他公権力の行使に当たる行為をいう。",
        [
            (
                "法令",
                "法律、法律に基づく命令（告示を含む。）、条例及び地方公共団体の執行機関の規則をいう",
            ),
            ("処分", "行政庁の処分その他公権力の行使に当たる行為をいう"),
        ],
        id="ja-go-term-definition-u3000",
    ),
    pytest.param(
        "一　原子力　原子核変換の過程において原子核から放出されるすべての種類のエネルギーをいう。",
        [("原子力", "原子核変換の過程において原子核から放出されるすべての種類のエネルギーをいう")],
        id="ja-genshiryoku",
    ),
    pytest.param(
        "三　外国為替　外国通貨をもつて表示される支払手段をいい、外国において支払う手段を含む。",
        [("外国為替", "外国通貨をもつて表示される支払手段をいい、外国において支払う手段を含む")],
        id="ja-ii-and-includes",
    ),
    pytest.param(
        "第四十九条　本法下列用语的含义：\n"
        "（一）两用物项，是指既有民事用途，又有军事用途或者有助于提升军事潜力的货物、技术和服务。\n"
        "（二）出口经营者，是指从事出口活动的法人、其他组织和个人。",
        [
            ("两用物项", "既有民事用途，又有军事用途或者有助于提升军事潜力的货物、技术和服务"),
            ("出口经营者", "从事出口活动的法人、其他组织和个人"),
        ],
        id="zh-list-shi-zhi",
    ),
    # Statute leads この法律において / この政令において, after a 号 or 項 label.
    pytest.param(
        "一　「原子力」とは、原子核変換の過程において原子核から放出されるすべての種類のエネルギー"
        "をいう。",
        [("原子力", "原子核変換の過程において原子核から放出されるすべての種類のエネルギーをいう")],
        id="ja-go-quoted-term-toha",
    ),
    pytest.param(
        "２　この法律において「脱炭素成長型経済構造移行債」とは、第七条第一項の規定により政府が"
        "発行する公債をいう。",
        [("脱炭素成長型経済構造移行債", "第七条第一項の規定により政府が発行する公債をいう")],
        id="ja-kou-this-act",
    ),
    pytest.param(
        "第二条　この政令において「特定工場」とは、製造業に属する事業の用に供する工場をいう。",
        [("特定工場", "製造業に属する事業の用に供する工場をいう")],
        id="ja-this-cabinet-order",
    ),
    pytest.param("一　外国人\n二　外国法人", [], id="ja-go-without-definition"),
    pytest.param(
        "一　前条第一項に規定する施設　二十人以下とする。", [], id="ja-go-two-columns-no-verb"
    ),
]


@pytest.mark.parametrize(("text", "expected"), DEFINITION_LISTS)
def test_definition_lists(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(d.term, d.definition) for d in find_definitions(text)] == expected
