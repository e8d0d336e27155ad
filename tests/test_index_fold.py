"""Han folding: Japanese shinjitai and traditional Chinese meet simplified Chinese, in the
folding table, in keyword tokens, and in BM25 ranking across languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.han_fold import fold_han
from index.keyword import KeywordIndex, tokenize
from models.search import Chunk


@pytest.mark.parametrize(
    ("source", "folded"),
    [
        ("経営者集中", "经营者集中"),
        ("価値比率", "价值比率"),
        ("総量規制指標", "总量规制指标"),
        ("国務院", "国务院"),
        ("商務部公告", "商务部公告"),
        ("輸出許可", "输出许可"),
        ("暫定弁法", "暂定办法"),
        ("製錬分離", "制炼分离"),
        ("違反", "违反"),
        ("監督検査", "监督检查"),
        ("鉱産物", "矿产物"),
        ("國務院", "国务院"),
        ("反壟斷法", "反垄断法"),
        ("兩用物項出口管制", "两用物项出口管制"),
        ("經營者集中", "经营者集中"),
    ],
    ids=[
        "ja-business-concentration",
        "ja-value-ratio",
        "ja-total-quantity-control",
        "ja-state-council",
        "ja-mofcom-notice",
        "ja-export-licence",
        "ja-interim-measures-ben-is-ban",
        "ja-smelting-separation",
        "ja-violation",
        "ja-supervision-inspection",
        "ja-mineral-products-curated",
        "zh-hant-state-council",
        "zh-hant-anti-monopoly-law",
        "zh-hant-dual-use-export-control",
        "zh-hant-business-concentration",
    ],
)
def test_fold_to_simplified(source: str, folded: str) -> None:
    assert fold_han(source) == folded


@pytest.mark.parametrize(
    "text",
    ["稀土开采和稀土冶炼分离总量调控管理暂行办法", "レアアース", "0.1%以上", "1E902"],
    ids=["simplified-unchanged", "katakana-unchanged", "number-unchanged", "code-unchanged"],
)
def test_fold_leaves_simplified_and_kana(text: str) -> None:
    assert fold_han(text) == text


@pytest.mark.parametrize(
    ("japanese", "chinese", "shared"),
    [
        (
            "経営者集中が国務院の申告基準に達していない",
            "经营者集中未达到国务院规定的申报标准",
            {"经营", "集中", "国务", "务院"},
        ),
        (
            "レアアース採掘・製錬分離総量規制管理暫定弁法",
            "稀土开采和稀土冶炼分离总量调控管理暂行办法",
            {"分离", "总量", "管理"},
        ),
        ("価値比率が0.1%以上", "价值比例达到0.1%以上", {"价值", "0.1%"}),
    ],
    ids=["business-concentration", "rare-earth-measures-title", "de-minimis-value"],
)
def test_japanese_and_chinese_share_tokens(japanese: str, chinese: str, shared: set[str]) -> None:
    assert shared <= set(tokenize(japanese)) & set(tokenize(chinese))


CHUNKS = [
    Chunk(
        id="aml-26",
        text="中华人民共和国反垄断法\n第二十六条 经营者集中未达到国务院规定的申报标准，"
        "但有证据证明该经营者集中具有或者可能具有排除、限制竞争效果的，"
        "国务院反垄断执法机构可以要求经营者申报。",
        document="aml",
        language="zh",
    ),
    Chunk(
        id="aml-56",
        text="中华人民共和国反垄断法\n第五十六条 行业协会组织本行业的经营者达成垄断协议的，"
        "由反垄断执法机构责令改正，可以处三百万元以下的罚款。",
        document="aml",
        language="zh",
    ),
    Chunk(
        id="re-10",
        text="稀土开采和稀土冶炼分离总量调控管理暂行办法\n第十条 レアアース生産企業は、"
        "毎月10日までに前月のレアアース製品フロー情報を入力しなければならない。",
        document="re",
        language="ja",
    ),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "経営者集中が国務院の申告基準に達していなくても、独占禁止執行機関は申告を求めることが"
            "できるか。",
            "aml-26",
        ),
        ("稀土生产企业应当在每月几日前将上月的稀土产品流向信息录入系统？", "re-10"),
    ],
    ids=["ja-question-zh-article", "zh-question-ja-article"],
)
def test_bm25_across_languages(tmp_path: Path, query: str, expected: str) -> None:
    index = KeywordIndex(tmp_path / "keyword.sqlite")
    index.add(CHUNKS)
    assert index.search(query, k=3)[0][0] == expected
    index.close()


def test_old_tokenizer_rows_are_retokenised(tmp_path: Path) -> None:
    index = KeywordIndex(tmp_path / "keyword.sqlite")
    index.add(CHUNKS)
    index._db.execute("UPDATE keyword_meta SET value='0' WHERE key='tokenizer'")
    index._db.execute("UPDATE keyword_chunks SET terms='{}'")
    index.close()
    reopened = KeywordIndex(tmp_path / "keyword.sqlite")
    assert reopened.ids() == {c.id for c in CHUNKS}
    assert reopened.search("経営者集中 申告基準", k=1)[0][0] == "aml-26"
    reopened.close()
