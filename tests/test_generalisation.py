"""Patterns the seed-tuned extractors got wrong on unseen documents (tests/data/heldout/).

Each row is a sentence from the held-out texts (tests/data/heldout/texts_*.py) or the same
construction in another real regulation's wording; ids name the pattern.
"""

from __future__ import annotations

import pytest

from ingest.extract.dates import DateContext, find_dates
from ingest.extract.items import find_item_lists
from ingest.extract.outline import parse_label
from ingest.extract.thresholds import find_thresholds

# ---------------------------------------------------------------- thresholds

# (text, lang, expected): (mention without spaces, value, unit, comparator) or
# (mention, (min, max, min_inclusive, max_inclusive), unit, None) for a range.
THRESHOLDS = [
    pytest.param(
        "①個別許可：有効期間は1年を超えないものとする。",
        "ja",
        [("1年を超えない", 1, "year", "<=")],
        id="ja-negated-exceed-is-at-most",
    ),
    pytest.param(
        "専門家評価等に要する期間は算入されないが、累計60業務日を超えることはできない。",
        "ja",
        [("60業務日を超えることはできない", 60, "business_day", "<=")],
        id="ja-may-not-exceed-business-days",
    ),
    pytest.param(
        "投資額が基準額を下回らない範囲で、出資比率が10％を下回ってはならない。",
        "ja",
        [("10％を下回ってはならない", 10, "%", ">=")],
        id="ja-may-not-fall-below",
    ),
    pytest.param(
        "商務部は、輸出申請を受理した日から45業務日以内に許可又は不許可の決定を行う。",
        "ja",
        [("45業務日以内", 45, "business_day", "<=")],
        id="ja-gyomubi-business-days",
    ),
    pytest.param(
        "2.7GHzを超え6.8GHz以下の周波数で動作し、比帯域幅が15％を超えるもの",
        "ja",
        [
            ("2.7GHzを超え6.8GHz以下", (2.7, 6.8, False, True), "GHz", None),
            ("15％を超える", 15, "%", ">"),
        ],
        id="ja-technical-range-ghz",
    ),
    pytest.param(
        "飽和尖頭出力が75W（48.75dBm）を超えるもの",
        "ja",
        [("75W", 75, "W", ">"), ("48.75dBm", 48.75, "dBm", ">")],
        id="ja-limit-with-equivalent-in-parentheses",
    ),
    pytest.param(
        "議決権の3分の1以上を保有する者",
        "ja",
        [("3分の1以上", 33.3333, "%", ">=")],
        id="ja-fraction-bun-no",
    ),
    pytest.param(
        "動作温度範囲がマイナス40℃以下のもの",
        "ja",
        [("マイナス40℃以下", -40, "°C", "<=")],
        id="ja-negative-temperature",
    ),
    pytest.param(
        "注册资本不低于人民币五百万元",
        "zh",
        [("不低于人民币五百万元", 5000000, "CNY", ">=")],
        id="zh-currency-before-amount",
    ),
    pytest.param(
        "并处5000万元人民币以下罚款",
        "zh",
        [("5000万元人民币以下", 50000000, "CNY", "<=")],
        id="zh-currency-after-unit",
    ),
    pytest.param(
        "年满十八周岁的自然人",
        "zh",
        [("满十八周岁", 18, "周岁", ">=")],
        id="zh-age-not-weeks",
    ),
    pytest.param(
        "需要征求有关部门意见、组织专家评估的，相关时间不计入前款规定的期限，但累计不得超过60个工作日。",
        "zh",
        [("不得超过60个工作日", 60, "business_day", "<=")],
        id="zh-dual-use-regulation-working-days",
    ),
]


def _shape(text: str, lang: str) -> list[tuple[object, ...]]:
    out: list[tuple[object, ...]] = []
    for m in find_thresholds(text, lang):
        mention = "".join(text[m.start : m.end].split())
        if m.min is not None or m.max is not None:
            rng = (m.min, m.max, m.min_inclusive, m.max_inclusive)
            out.append((mention, tuple(pytest.approx(v) for v in rng), m.unit, None))
        else:
            out.append((mention, pytest.approx(m.value), m.unit, m.comparator))
    return out


@pytest.mark.parametrize(("text", "lang", "expected"), THRESHOLDS)
def test_thresholds_generalise(text: str, lang: str, expected: list[tuple[object, ...]]) -> None:
    assert _shape(text, lang) == expected


# ---------------------------------------------------------------- dates

# (text, context, expected (raw without spaces, iso, role))
DATES = [
    pytest.param(
        "中华人民共和国主席　习近平\n2020年10月17日",
        DateContext(lang="zh"),
        [("2020年10月17日", "2020-10-17", "promulgated")],
        id="zh-signature-under-head-of-state",
    ),
    pytest.param(
        "总理　李强\n2024年9月30日",
        DateContext(lang="zh"),
        [("2024年9月30日", "2024-09-30", "promulgated")],
        id="zh-signature-under-premier",
    ),
    pytest.param(
        "2024年10月15日\n一般財団法人　安全保障貿易情報センター　調査研究部",
        DateContext(dateline_role="published"),
        [("2024年10月15日", "2024-10-15", "published")],
        id="ja-commentary-dateline-above-issuer",
    ),
    pytest.param(
        "中国国務院は、2024年9月30日、「中華人民共和国両用品目輸出管理条例」（国務院令第792号。"
        "以下「条例」という。）を公布した。",
        DateContext(),
        [("2024年9月30日", "2024-09-30", "promulgated")],
        id="ja-full-stop-inside-brackets-ends-no-sentence",
    ),
    pytest.param(
        "条例は2024年12月1日（令和6年12月1日）から施行される。",
        DateContext(),
        [
            ("2024年12月1日", "2024-12-01", "effective"),
            ("令和6年12月1日", "2024-12-01", "effective"),
        ],
        id="ja-era-gloss-shares-role",
    ),
    pytest.param(
        "中国政府網「国务院公布《中华人民共和国两用物项出口管制条例》」（2024年10月9日閲覧）",
        DateContext(),
        [("2024年10月9日", "2024-10-09", "published")],
        id="ja-access-date-of-cited-page",
    ),
    pytest.param(
        "条例は2024年12月1日から施行される。条例は、輸出管理法（2020年12月1日施行）の下位法令である。"
        "既存の行政法規は同時に廃止される。",
        DateContext(),
        [
            ("2024年12月1日", "2024-12-01", "effective"),
            ("2020年12月1日", "2020-12-01", "effective"),
            ("同時に", "2024-12-01", "repealed"),
        ],
        id="ja-simultaneous-repeal-skips-parenthesised-aside",
    ),
]


@pytest.mark.parametrize(("text", "context", "expected"), DATES)
def test_dates_generalise(
    text: str, context: DateContext, expected: list[tuple[str, str, str]]
) -> None:
    got = [("".join(d.raw.split()), d.iso, d.role) for d in find_dates(text, context)]
    assert got == expected


# ---------------------------------------------------------------- item lists

TABLE = (
    "別表　主な規制品目の例\n"
    "3A001.a.1　耐放射線設計の集積回路\n"
    "3A001.b.1　進行波管等の真空電子デバイス\n"
    "3A001.b.2　マイクロ波モノリシック集積回路（MMIC）電力増幅器であって、\n"
    "2.7GHzを超え6.8GHz以下の周波数で動作するもの3B001.aエピタキシャル成長装置\n"
)
GALLIUM = (
    "（一）镓相关物项。\n"
    "1.金属镓（单质）（参考海关商品编号：8112923010、8112929010、8112999010）。\n"
    "2.氮化镓（包括但不限于晶片、粉末、碎料等形态）（参考海关商品编号：\n"
    "2850001200、3818001900、3818009000）。\n"
    "3.硒化镓（参考海关商品编号：2842909000）。\n"
)

ITEMS = [
    pytest.param(
        TABLE,
        [
            [
                ("耐放射線設計の集積回路", "3A001.a.1"),
                ("進行波管等の真空電子デバイス", "3A001.b.1"),
                (
                    "マイクロ波モノリシック集積回路（MMIC）電力増幅器であって、2.7GHzを超え6.8GHz以下の"
                    "周波数で動作するもの",
                    "3A001.b.2",
                ),
                ("エピタキシャル成長装置", "3B001.a"),
            ]
        ],
        id="ja-code-first-table-rows-including-a-glued-row",
    ),
    pytest.param(
        GALLIUM,
        [
            [
                ("金属镓（单质）", "8112923010, 8112929010, 8112999010"),
                (
                    "氮化镓（包括但不限于晶片、粉末、碎料等形态）",
                    "2850001200, 3818001900, 3818009000",
                ),
                ("硒化镓", "2842909000"),
            ]
        ],
        id="zh-hs-code-notes-are-not-an-enumeration",
    ),
    # One entry, many customs codes (unseen2: MOFCOM 2023 No. 28 gives its drones 16): one
    # item that carries them all, not one copy of the entry per code.
    pytest.param(
        "有关事项公告如下：\n一、性能指标未达到现有管制指标，但已达到下述指标的无人驾驶航空飞行器"
        "（参考海关商品编号：8806100010、8806221011、8806229010）。\n"
        "在操作人员自然视距以外能够可控飞行的无人驾驶航空飞行器：\n",
        [
            [
                (
                    "性能指标未达到现有管制指标，但已达到下述指标的无人驾驶航空飞行器",
                    "8806100010, 8806221011, 8806229010",
                )
            ]
        ],
        id="zh-one-entry-many-customs-codes",
    ),
]


@pytest.mark.parametrize(("text", "expected"), ITEMS)
def test_item_lists_generalise(text: str, expected: list[list[tuple[str, str]]]) -> None:
    found = find_item_lists(text)
    got = [[(i.text.replace(" ", ""), i.code) for i in m.items] for m in found]
    assert got == expected
    for item in (i for m in found for i in m.items):  # the code fields hold the same codes
        assert ", ".join([*item.control_codes, *item.hs_codes]) == item.code


@pytest.mark.parametrize(
    ("line", "label"),
    [
        pytest.param("2.7GHzを超え6.8GHz以下の周波数", None, id="measurement-not-dotted-label"),
        pytest.param("3.5 mm以下", None, id="measurement-with-space-not-label"),
        pytest.param("2.1 稀土元素", "2.1", id="dotted-label-kept"),
        pytest.param("1.金属镓（单质）", "1.", id="digit-label-kept"),
    ],
)
def test_measurements_are_not_labels(line: str, label: str | None) -> None:
    parsed = parse_label(line)
    assert (parsed.text if parsed else None) == label
