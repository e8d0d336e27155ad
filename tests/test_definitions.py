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
    # Traditional-script reposts, definitions by inclusion, short names defined in passing.
    pytest.param(
        "本法所稱對外貿易經營者，是指依法辦理工商登記或者其他執業手續的法人、其他組織或者個人。",
        [("對外貿易經營者", "依法辦理工商登記或者其他執業手續的法人、其他組織或者個人")],
        id="zh-traditional-suo-cheng",
    ),
    pytest.param(
        "本公告所称物项，包括相关技术资料等数据。",
        [("物项", "相关技术资料等数据")],
        id="zh-defined-by-inclusion",
    ),
    pytest.param(
        "外国為替及び外国貿易法（昭和二十四年法律第二百二十八号。以下「法」という。）第四十八条",
        [("法", "外国為替及び外国貿易法")],
        id="ja-short-name-in-passing",
    ),
    pytest.param(
        "根据《中华人民共和国出口管制法》（以下简称“出口管制法”）有关规定",
        [("出口管制法", "根据《中华人民共和国出口管制法》")],
        id="zh-short-name-in-passing",
    ),
    pytest.param("一　外国人\n二　外国法人", [], id="ja-go-without-definition"),
    pytest.param(
        "一　前条第一項に規定する施設　二十人以下とする。", [], id="ja-go-two-columns-no-verb"
    ),
]


@pytest.mark.parametrize(("text", "expected"), DEFINITION_LISTS)
def test_definition_lists(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(d.term, d.definition) for d in find_definitions(text)] == expected


# Short names defined in passing, as unseen texts write them (tests/data/unseen2, unseen):
# quoted with 《》, unquoted after 简称/簡稱, scoped (…において「X」という) with or without 以下.
# Each row: the text, then (term, defined phrase) for every definition found.
SHORT_NAMES = [
    pytest.param(
        "本条例所称导弹及相关物项和技术出口,是指本条例附件《导弹及相关物项和技术出口管制清单》"
        "(以下简称《管制清单》)所列的导弹的贸易性出口。",
        [
            ("导弹及相关物项和技术出口", None),
            ("管制清单", "本条例附件《导弹及相关物项和技术出口管制清单》"),
        ],
        id="zh-title-quoted-after-是指",
    ),
    pytest.param(
        "出口《管制清单》第二部分所列的物项和技术(以下简称导弹相关物项和技术),应当依照本条例办理。",
        [("导弹相关物项和技术", "出口《管制清单》第二部分所列的物项和技术")],
        id="zh-unquoted",
    ),
    pytest.param(
        "國家建立中央國家機關有關部門參加的工作機制(以下簡稱工作機制),負責不可靠實體清單制度的組織實施。",
        [("工作機制", "國家建立中央國家機關有關部門參加的工作機制")],
        id="zht-unquoted",
    ),
    pytest.param(
        "使用に係る技術（以下この項次項及び第十八条の二第一項において「特定技術」という。）を"
        "特定の外国（以下この項において「特定国」という。）において提供する",
        [("特定技術", "使用に係る技術"), ("特定国", "特定の外国")],
        id="ja-scoped-after-以下",
    ),
    pytest.param(
        "船荷証券により運送されたもの（第三号及び第四号において「外国向け仮陸揚げ貨物」という。）を輸出",
        [("外国向け仮陸揚げ貨物", "船荷証券により運送されたもの")],
        id="ja-scoped-without-以下",
    ),
    pytest.param(
        "外為法第25条で規定されている特定技術とは、外国為替令（昭和55年政令第260号。以下「外為令」"
        "という。）別表の中欄に掲げる技術（プログラムを含む。）をいう。",
        [("外為法第25条で規定されている特定技術", None), ("外為令", "外国為替令")],
        id="ja-とは-sentence-with-bracketed-full-stops",
    ),
    # unseen3: 遵守基準省令, a newsletter, a bilingual draft, a MOFCOM draft
    pytest.param(
        "一\u3000輸出者等（法第五十五条の十第一項の輸出者等をいう。次号及び第三条において同じ。）が"
        "遵守すべき基準",
        [("輸出者等", "法第五十五条の十第一項の輸出者等をいう")],
        id="ja-egov-inline-definition",
    ),
    pytest.param(
        "管理に従事する者（該非確認の責任者をいう。）に対し", [], id="ja-inline-without-a-term"
    ),
    pytest.param(
        "管制物项出口的货物、技术和服务（以下では規制品目と略す）",
        [("規制品目", "技术和服务")],
        id="ja-unquoted-to-ryakusu",
    ),
    pytest.param(
        "外国為替令（以下外為令という。）別表の中欄",
        [("外為令", "外国為替令")],
        id="ja-unquoted-to-iu",
    ),
    pytest.param(
        "輸出許可証管理貨物目録（以下「目録」と言う）に追加",
        [("目録", "輸出許可証管理貨物目録")],
        id="ja-kanji-iu",
    ),
    pytest.param(
        "商务部委托的省级商务主管部门（以下简称发证机构，名单见附件）负责",
        [("发证机构", "商务部委托的省级商务主管部门")],
        id="zh-unquoted-with-a-remark",
    ),
    # unseen4 (a customs guide; the anti-monopoly law's PDF): a term with no scope before it,
    # an article label glued to the lead
    pytest.param(
        "商用密码,是指采用特定变换的方法对信息等进行加密保护、安全认证的技术、产品和服务。",
        [("商用密码", "采用特定变换的方法对信息等进行加密保护、安全认证的技术、产品和服务")],
        id="zh-term-without-scope",
    ),
    pytest.param(
        "第十二条本法所称经营者，是指从事商品生产、经营或者提供服务的自然人、法人和其他组织。",
        [("经营者", "从事商品生产、经营或者提供服务的自然人、法人和其他组织")],
        id="zh-label-glued-to-the-lead",
    ),
    # unseen5: a company rule's (1) item, a circular's (イ), a verb in its connective form
    pytest.param(
        "(1)「貨物」とは、役職員等が輸出するすべての物品をいい、託送品として持ち込む物品を含む。",
        [("貨物", None)],
        id="ja-item-labelled-1",
    ),
    pytest.param(
        "(イ)「外国貿易船又は航空機」とは、本邦と外国との間を往来する船舶又は航空機をいう。",
        [("外国貿易船又は航空機", "本邦と外国との間を往来する船舶又は航空機をいう")],
        id="ja-item-labelled-i",
    ),
    pytest.param(
        "本条例でいう輸出規制とは、国内から国外への両用物品の移転を指し、貿易性輸出および対外贈与を"
        "含み、禁止または制限的な措置をとる。",
        [("輸出規制", None)],
        id="ja-connective-sashi",
    ),
    pytest.param("详见附件（“两用物项清单”）。", [], id="zh-quote-in-brackets-is-no-short-name"),
    pytest.param("（参见“第三条”）", [], id="zh-see-also-is-no-short-name"),
]


@pytest.mark.parametrize(("text", "expected"), SHORT_NAMES)
def test_short_names(text: str, expected: list[tuple[str, str | None]]) -> None:
    found = find_definitions(text)
    assert [d.term for d in found] == [term for term, _ in expected]
    for match, (_, phrase) in zip(found, expected, strict=True):
        if phrase is not None:
            assert match.definition == phrase
            assert phrase in text[match.start : match.end]
