"""Language detection on real lines of the seeds and dev data.

The hard Japanese cases are the kana-less lines (headings, document numbers, issuing
bodies) that langdetect reads as Chinese; the hard Chinese ones are the short article
openings and titles.
"""

from __future__ import annotations

import pytest

from ingest.lang import detect_language, document_language, han_form

JAPANESE = [
    # kana-less lines: decided by shinjitai forms (関 総 発 対 図 経 済 ...)
    ("number_line_70", "【発布文書番号】商務部公告 2025 年第 70 号"),
    ("issuing_body_61", "【発布団体】安全与管制局（産業安全与進出口管制局）"),
    ("issue_date_label", "【発布期日】2025 年 11 月 7 日"),
    ("cistec_tentative", "※CISTEC 仮訳"),
    ("annex_label", "別添 2※CISTEC 仮訳"),
    ("joint_notice_number", "商務部・海関総署公告 2025 年第 70 号"),
    ("revised_edition_ref", "（CISTEC 解説 2025.4.7/改訂版同 4.24）"),
    ("scope_heading", "■適用範囲（第 2 条、3 条）"),
    ("footnote_annex_ref", ".html （別紙 1：CISTEC 仮訳）"),
    ("measures_title", "レアアース採掘・レアアース製錬分離総量規制管理暫定弁法"),
    ("explanation_title", "《レアアース採掘・レアアース製錬分離総量規制管理暫定弁法》解説"),
    ("notice61_title", "国外の関連希土類品目に対する輸出管理実施の決定の公布"),
    ("notice62_title", "希土類関連技術に対する輸出管理実施決定の公布"),
    ("att_guide_title", "《輸出規制技術移転または提供の状況説明》記入ガイド"),
    ("commentary_title", "中国によるレアアース関連貨物及び技術の輸出管理規制の強化について"),
    (
        "measures_art1",
        "第一条 レアアースの採掘およびレアアースの製錬・分離の総量規制・管理を強化するため、",
    ),
    (
        "measures_art4",
        "第四条 工業情報化部は自然資源部、国家発展改革委員会と共同で全国のレアアース採掘およ",
    ),
    (
        "measures_promulgation",
        "（2025 年 7 月 28 日工業情報化部、国家発展改革委員会、自然資源部令第 71 号公布、公布の",
    ),
    (
        "suspension_notice",
        "承認を得て、本日から 2026 年 11 月 10 日まで、商務部・海関総署公告 2025 年第 55 号、",
    ),
    (
        "penalty_article",
        "本弁法の規定に違反し、治安管理違反行為を構成した場合、法に従って治安管理処罰を与える。",
    ),
]

CHINESE = [
    ("aml_title", "中华人民共和国反垄断法"),
    ("aml_adopted", "2007年8月30日 第十届全国人民代表大会常务委员会第二十九次会议通过"),
    ("aml_chapter", "第一章 总则"),
    ("aml_art5", "第五条 国家建立健全公平竞争审查制度。"),
    ("aml_art13", "第十三条 国务院反垄断执法机构负责反垄断统一执法工作。"),
    ("aml_art17", "第十七条 禁止具有竞争关系的经营者达成下列垄断协议："),
    ("aml_art21", "第二十一条 行业协会不得组织本行业的经营者从事本章禁止的垄断行为。"),
    ("aml_art25", "第二十五条 经营者集中是指下列情形："),
    ("aml_art33", "第三十三条 审查经营者集中，应当考虑下列因素："),
    ("aml_item", "（一）经营者达成垄断协议；"),
    ("aml_item_2", "（二）经营者滥用市场支配地位；"),
    ("aml_art4", "第四条 反垄断工作坚持中国共产党的领导。"),
    (
        "aml_art69",
        "第六十九条 农业生产者及农村经济组织在农产品生产、加工、销售、运输、储存等经营活动中"
        "实施的联合或者协同行为，不适用本法。",
    ),
    ("measures_title_zh", "稀土开采和稀土冶炼分离总量调控管理暂行办法"),
    ("explanation_title_zh", "《稀土开采和稀土冶炼分离总量调控管理暂行办法》解读"),
    ("notice61_title_zh", "公布对境外相关稀土物项实施出口管制的决定"),
    ("notice62_title_zh", "公布对稀土相关技术实施出口管制的决定"),
    (
        "notice70_title_zh",
        "公布暂停实施商务部、海关总署公告2025年第55号、56号、57号、58号及商务部公告2025年第61号、"
        "62号的决定",
    ),
    ("notice61_number_zh", "商务部公告2025年第61号"),
    ("notice70_number_zh", "商务部、海关总署公告 2025 年第 70 号"),
]


@pytest.mark.parametrize(("text"), [t for _, t in JAPANESE], ids=[i for i, _ in JAPANESE])
@pytest.mark.parametrize("default", ["und", "zh"])
def test_japanese(text: str, default: str) -> None:
    assert detect_language(text, default=default) == "ja"  # type: ignore[arg-type]


@pytest.mark.parametrize(("text"), [t for _, t in CHINESE], ids=[i for i, _ in CHINESE])
@pytest.mark.parametrize("default", ["und", "ja"])
def test_chinese(text: str, default: str) -> None:
    assert detect_language(text, default=default) == "zh"  # type: ignore[arg-type]


HAN_FORMS = [
    ("関", "ja"), ("総", "ja"), ("経", "ja"), ("図", "ja"), ("働", "ja"), ("込", "ja"),
    ("关", "zh"), ("总", "zh"), ("务", "zh"), ("这", "zh"), ("们", "zh"), ("办", "zh"),
    ("法", None), ("国", None), ("条", None), ("弁", None),
    # Traditional forms Japan replaced (対, 条, 国, 権): CP932 has them outside JIS level 1
    ("國", "zh"), ("對", "zh"), ("條", "zh"), ("權", "zh"),
    # everyday kanji of JIS level 1 that are also Traditional: shared
    ("為", None), ("別", None), ("輸", None), ("貿", None),
]  # fmt: skip


@pytest.mark.parametrize(("char", "expected"), HAN_FORMS, ids=[c for c, _ in HAN_FORMS])
def test_han_form(char: str, expected: str | None) -> None:
    assert han_form(char) == expected


SHARED_ONLY = [
    "第一条",
    "「稀土管理条例」",
    "付属文書 1",
    "2025 年 11 月 7 日",
    "一、希土類永久磁石材料",
]


@pytest.mark.parametrize("text", SHARED_ONLY)
def test_ties_follow_the_document(text: str) -> None:
    assert detect_language(text, default="ja") == "ja"
    assert detect_language(text, default="zh") == "zh"


def test_english_footnote() -> None:
    text = (
        "18 Malaysia flexes rare earth muscle as mineral-hungry US seeks non-Chinese sources"
        "（South China Morning Post 2025.8.23）"
    )
    assert detect_language(text, default="ja") == "en"


@pytest.mark.parametrize(
    "text",
    ["https://www.gov.cn/zhengce/content/202406/content_6960152.htm", "（管理番号：1E902.b）", ""],
)
def test_urls_codes_and_empty_keep_default(text: str) -> None:
    assert detect_language(text, default="ja") == "ja"


def test_document_language_majority_by_characters() -> None:
    blocks = [
        "中华人民共和国反垄断法",
        "第一条 为了预防和制止垄断行为，保护市场公平竞争，鼓励创新，提高经济运行效率。",
        "第一条",
        "レアアースの採掘",
    ]
    assert document_language(blocks) == "zh"
    assert document_language([t for _, t in JAPANESE]) == "ja"
    assert document_language(["第一条", "第二条"]) == "zh"
    assert document_language([]) == "und"


# Traditional-script blocks (reposts of 出口管制法, 對外貿易法): one form only Japanese encodes
# (産 in 知識産權, as mainland reposts print it) must not outweigh the Traditional forms.
TRADITIONAL = [
    pytest.param("第五章　與對外貿易有關的知識産權保護", id="chapter-with-ja-only-san"),
    pytest.param(
        "第二條　國家對兩用物項、軍品、核以及其他與維護國家安全和利益相關的貨物"
        "的出口管制，適用本法。",
        id="export-control-law-art2",
    ),
    pytest.param("中華人民共和國對外貿易法", id="title"),
]


@pytest.mark.parametrize("text", TRADITIONAL)
def test_traditional_script_is_chinese(text: str) -> None:
    assert detect_language(text, default="ja") == "zh"
