"""Hypotheses (the case a value applies to) and the threshold pairing they gate.

Rows are sentences of real statutes: 反垄断法 2007/2022 (第四十八条/第五十八条,
第五十二条/第六十二条) and Japanese ``…場合は、`` / ``…ときは、`` clauses.
"""

from __future__ import annotations

import pytest

from corpus.align import normalise
from corpus.conditions import hypotheses
from corpus.diff import diff_versions
from models.records import Record
from tests.version_factories import article, threshold

AML_48 = (
    "经营者违反本法规定实施集中的，由国务院反垄断执法机构责令停止实施集中、限期处分股份或者资产、"
    "限期转让营业以及采取其他必要措施恢复到集中前的状态，可以处五十万元以下的罚款。"
)
AML_58 = (
    "经营者违反本法规定实施集中，且具有或者可能具有排除、限制竞争效果的，由国务院反垄断执法机构"
    "责令停止实施集中、限期处分股份或者资产、限期转让营业以及采取其他必要措施恢复到集中前的状态，"
    "处上一年度销售额百分之十以下的罚款；不具有排除、限制竞争效果的，处五百万元以下的罚款。"
)
AML_52 = (
    "对反垄断执法机构依法实施的审查和调查，拒绝提供有关材料、信息，或者提供虚假材料、信息，或者隐匿、"
    "销毁、转移证据，或者有其他拒绝、阻碍调查行为的，由反垄断执法机构责令改正，对个人可以处二万元以下"
    "的罚款，对单位可以处二十万元以下的罚款；情节严重的，对个人处二万元以上十万元以下的罚款，对单位处"
    "二十万元以上一百万元以下的罚款；构成犯罪的，依法追究刑事责任。"
)
AML_62 = (
    "对反垄断执法机构依法实施的审查和调查，拒绝提供有关材料、信息，或者提供虚假材料、信息，或者隐匿、"
    "销毁、转移证据，或者有其他拒绝、阻碍调查行为的，由反垄断执法机构责令改正，对单位处上一年度销售额"
    "百分之一以下的罚款，上一年度没有销售额或者销售额难以计算的，处五百万元以下的罚款；对个人处五十万元"
    "以下的罚款。"
)
_OBSTRUCTION = "对反垄断执法机构依法实施的审查和调查,拒绝提供有关材料、信息,或者提供虚假材料、信息,"


def _hypotheses_of(text: str, mentions: list[str]) -> list[str]:
    body = normalise(text)
    spans, cursor = [], 0
    for mention in mentions:
        start = body.index(normalise(mention), cursor)
        spans.append((start, start + len(normalise(mention))))
        cursor = start + 1
    return hypotheses(body, spans)


@pytest.mark.parametrize(
    ("text", "mentions", "expected"),
    [
        (AML_48, ["五十万元以下"], ["经营者违反本法规定实施集中的"]),
        (
            AML_58,
            ["百分之十以下", "五百万元以下"],
            [
                "经营者违反本法规定实施集中,且具有或者可能具有排除、限制竞争效果的",
                "不具有排除、限制竞争效果的",
            ],
        ),
        (
            AML_62,
            ["百分之一以下", "五百万元以下", "五十万元以下"],
            ["main", "上一年度没有销售额或者销售额难以计算的", "main"],
        ),
        (
            AML_52,
            ["二万元以下", "二十万元以下", "二万元以上十万元以下", "二十万元以上一百万元以下"],
            ["main", "main", "情节严重的", "情节严重的"],
        ),
        (
            "輸出者は、技術を提供する場合は、30日以内に報告しなければならない。",
            ["30日以内"],
            ["輸出者は、技術を提供する場合は"],
        ),
        (
            "報告は、毎月10日までに行う。ただし、休日に当たるときは、翌営業日までとする。",
            ["毎月10日まで", "翌営業日まで"],
            ["", "ただし、休日に当たるときは"],
        ),
        ("企业应当在十五日内提交报告。", ["十五日内"], [""]),
    ],
    ids=[
        "aml48_one_case",
        "aml58_two_cases",
        "aml62_turnover_case",
        "aml52_aggravated_tier",
        "ja_baai_wa",
        "ja_tadashi_toki_wa",
        "no_hypothesis",
    ],
)
def test_hypotheses(text: str, mentions: list[str], expected: list[str]) -> None:
    found = _hypotheses_of(text, mentions)
    # ``main``: the article's opening hypothesis (the obstruction offences of 第五十二条).
    assert [("main" if f.startswith(_OBSTRUCTION) else f) for f in found] == expected


def _article_with_thresholds(number: int, body: str, mentions: list[str]) -> list[Record]:
    records: list[Record] = [article(number, body)]
    cursor = 0
    for mention in mentions:
        offset = body.index(mention, cursor)
        records.append(threshold(number, mention, offset=offset, unit="CNY"))
        cursor = offset + 1
    return records


def _threshold_changes(old: list[Record], new: list[Record]) -> set[tuple[object, ...]]:
    diff = diff_versions(old, new, "2007", "2022", tokenizer="fast")
    return {(c.change, c.old, c.new) for c in diff.field_changes if c.kind == "threshold"}


def test_value_pairs_with_the_same_case_not_with_the_same_unit() -> None:
    old = _article_with_thresholds(48, AML_48, ["五十万元以下"])
    new = _article_with_thresholds(48, AML_58, ["百分之十以下", "五百万元以下"])
    assert _threshold_changes(old, new) == {
        ("changed", "五十万元以下", "百分之十以下"),
        ("added", None, "五百万元以下"),
    }


def test_aggravated_tier_removed_and_new_case_added() -> None:
    old = _article_with_thresholds(
        52,
        AML_52,
        ["二万元以下", "二十万元以下", "二万元以上十万元以下", "二十万元以上一百万元以下"],
    )
    new = _article_with_thresholds(52, AML_62, ["百分之一以下", "五百万元以下", "五十万元以下"])
    assert _threshold_changes(old, new) == {
        ("changed", "二万元以下", "五十万元以下"),
        ("changed", "二十万元以下", "百分之一以下"),
        ("removed", "二万元以上十万元以下", None),
        ("removed", "二十万元以上一百万元以下", None),
        ("added", None, "五百万元以下"),
    }


def test_same_case_reworded_still_pairs() -> None:
    old_body = "輸出者は、技術を提供する場合は、30日以内に報告しなければならない。"
    new_body = "輸出者は、技術又は貨物を提供する場合は、10日以内に報告しなければならない。"
    old = _article_with_thresholds(3, old_body, ["30日以内"])
    new = _article_with_thresholds(3, new_body, ["10日以内"])
    assert _threshold_changes(old, new) == {("changed", "30日以内", "10日以内")}
