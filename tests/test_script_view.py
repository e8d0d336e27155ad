"""Traditional-script documents: the extractors read a Simplified view, records keep the text as
written (ingest.extract.script_view over models.han_variants)."""

from __future__ import annotations

import pytest

from ingest.extract import extract_records
from ingest.extract.script_view import script_view
from models.han_variants import simplified_view
from models.records import Article, Definition, ItemList, Reference
from tests.factories import make_document

# Real articles in Traditional script (出口管制法, 對外貿易法 reposts; 貿易法 of Taiwan).
ARTICLES = [
    pytest.param(
        "第一條　為了維護國家安全和利益，履行防擴散等國際義務，加強和規範出口管制，制定本法。\n"
        "第二條　國家對兩用物項、軍品、核以及其他與維護國家安全和利益、履行防擴散等國際義務相關的"
        "貨物、技術、服務等物項（以下統稱管制物項）的出口管制，適用本法。",
        [(1, "第一條"), (2, "第二條")],
        id="export-control-law",
    ),
    pytest.param(
        "第十一條　對外貿易經營者可以依法成立和參加有關協會、商會。\n"
        "第十二條　國家可以對部分貨物的進出口實行國營貿易管理。\n"
        "第十三條　國家基於下列原因，可以限制或者禁止有關貨物、技術的進口或者出口。",
        [(11, "第十一條"), (12, "第十二條"), (13, "第十三條")],
        id="foreign-trade-law-teens",
    ),
]


@pytest.mark.parametrize(("text", "expected"), ARTICLES)
def test_traditional_articles(text: str, expected: list[tuple[int, str]]) -> None:
    result = extract_records(make_document(text, language="zh"), kinds={"article"})
    articles = [r for r in result.records if isinstance(r, Article)]
    assert [(a.number, a.label) for a in articles] == expected
    # the record keeps the Traditional text as printed, not the view's Simplified
    assert all(a.text in text and a.body in text for a in articles)


DEFINITIONS = [
    pytest.param(
        "第二條　本法所稱貿易，係指貨品或附屬其商標專用權、專利權、著作權及其他已立法保護之"
        "智慧財產權之輸出入行為及有關事項。",
        (
            "貿易",
            "貨品或附屬其商標專用權、專利權、著作權及其他已立法保護之智慧財產權之輸出入行為及有關事項",
        ),
        id="taiwan-trade-act-xi-zhi",
    ),
    pytest.param(
        "前款所稱管制物項，包括物項相關的技術資料等數據。",
        ("管制物項", "物項相關的技術資料等數據"),
        id="preceding-paragraph-includes",
    ),
    pytest.param(
        "本辦法所稱兩用物項，是指既有民事用途，又有軍事用途或者有助於提升軍事潛力的貨物、技術和服務。",
        ("兩用物項", "既有民事用途，又有軍事用途或者有助於提升軍事潛力的貨物、技術和服務"),
        id="measures-shi-zhi",
    ),
    pytest.param(
        "前款所称计征汇率，是指按照海关总署规定确定的日期当日的人民币汇率中间价。",
        ("计征汇率", "按照海关总署规定确定的日期当日的人民币汇率中间价"),
        id="simplified-preceding-paragraph",
    ),
]


@pytest.mark.parametrize(("text", "expected"), DEFINITIONS)
def test_traditional_definitions(text: str, expected: tuple[str, str]) -> None:
    result = extract_records(make_document(text, language="zh"), kinds={"definition"})
    (found,) = [r for r in result.records if isinstance(r, Definition)]
    assert (found.term, found.definition) == expected
    assert found.text in text


CODED_ITEMS = [
    pytest.param(
        "一、滿足以下特性的物項，未經許可，不得出口：\n"
        "（一）高純度（純度>99.9%）、高強度（抗折強度>30Mpa）、高密度（密度>1.73克/立方釐米）的"
        "人造石墨材料及其製品（參考海關商品編號：3801100030、3801909010、6815190020）。\n"
        "（二）天然鱗片石墨及其製品（包含球化石墨、膨脹石墨等）（參考海關商品編號：2504101000、"
        "2504109100）。",
        [["3801100030", "3801909010", "6815190020"], ["2504101000", "2504109100"]],
        id="graphite-customs-codes",
    ),
]


@pytest.mark.parametrize(("text", "codes"), CODED_ITEMS)
def test_traditional_code_notes(text: str, codes: list[list[str]]) -> None:
    result = extract_records(make_document(text, language="zh"), kinds={"item_list"})
    (items,) = [r for r in result.records if isinstance(r, ItemList)]
    assert [item.hs_codes for item in items.items] == codes
    assert all(item.text in text for item in items.items)


REFERENCES = [
    pytest.param(
        "第三十三條　違反本法第十二條第二款規定的，由國家出口管制管理部門責令改正。", id="this-law"
    ),
    pytest.param(
        "第十九條　依照《中華人民共和國行政許可法》第三十八條的規定作出決定。", id="other-law"
    ),
]


@pytest.mark.parametrize("text", REFERENCES)
def test_traditional_references_match_their_simplified_reading(text: str) -> None:
    """A Traditional text gives the records its Simplified transliteration gives, at the same
    offsets, with the text as printed."""

    def refs(source: str) -> list[Reference]:
        result = extract_records(make_document(source, language="zh"), kinds={"reference"})
        return [r for r in result.records if isinstance(r, Reference)]

    traditional, simplified = refs(text), refs(simplified_view(text))
    assert traditional
    assert [(r.target_article, r.provenance.char_span) for r in traditional] == [
        (r.target_article, r.provenance.char_span) for r in simplified
    ]
    assert all(r.text in text for r in traditional)


VIEWS = [
    # Simplified text is its own view: a shinjitai fold would turn 给予 into 给豫, 研究 into 硏究
    pytest.param(
        "给予警告，研究欠款，上海沪", "给予警告，研究欠款，上海沪", id="simplified-unchanged"
    ),
    pytest.param("以後於公布之日起施行", "以后于公布之日起施行", id="traditional-in-gb2312"),
    pytest.param("參考海關商品編號", "参考海关商品编号", id="customs-note"),
]


@pytest.mark.parametrize(("text", "expected"), VIEWS)
def test_simplified_view(text: str, expected: str) -> None:
    assert simplified_view(text) == expected
    assert len(simplified_view(text)) == len(text)


def test_japanese_blocks_are_not_folded() -> None:
    # 項 would fold to 项 and break the Japanese patterns
    document = make_document("第二条第一項の規定により輸出の許可を受けること。", language="ja")
    assert not script_view(document).folded


def test_kana_free_traditional_block_in_chinese_document_folds() -> None:
    # script evidence labels a block Japanese for one 産; in a Chinese document it still folds
    document = make_document("本法適用於與對外貿易有關的知識産權保護。", language="ja")
    document = document.model_copy(update={"language": "zh"})
    view = script_view(document)
    assert view.folded and "适用于" in view.document.text


# Japanese in old forms (kyūjitai), as pre-war statutes and some reprints print it: read
# through the shinjitai view (條→条, 號→号, 經→経), 項 untouched.
KYUJITAI = [
    pytest.param(
        "第四條　貨物を輸出しようとする者は、經濟產業大臣の許可を受けなければならない。\n"
        "第五條　前條第一項第三號に掲げる貨物については、この限りでない。",
        [(4, "第四條"), (5, "第五條")],
        id="ja-kyujitai-articles",
    ),
]


@pytest.mark.parametrize(("text", "expected"), KYUJITAI)
def test_japanese_old_forms_read_through_shinjitai(
    text: str, expected: list[tuple[int, str]]
) -> None:
    document = make_document(text, language="ja")
    view = script_view(document)
    assert view.folded and "第四条" in view.document.text and "第一項" in view.document.text
    result = extract_records(document, kinds={"article"})
    articles = [r for r in result.records if isinstance(r, Article)]
    assert [(a.number, a.label) for a in articles] == expected
    assert all(a.text in text for a in articles)
