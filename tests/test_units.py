"""Physical units in both scripts as a class (ingest.extract.units): tesla, temperature and
angle degrees, giga/mega pascal, gigahertz, counts per area; kanji decimals (一・三) and signs
(マイナス, 零下).  Rows follow the wording of the control lists (貨物等省令, 两用物项出口管制清单,
MOFCOM/GACC notices)."""

from __future__ import annotations

import pytest

from ingest.extract.thresholds import find_thresholds
from ingest.extract.units import normalize_unit
from tests.test_thresholds import _shape

PHYSICAL = [
    pytest.param(
        "動作周波数が二・七ギガヘルツを超え六・八ギガヘルツ以下のもの",
        "ja",
        [("二・七ギガヘルツを超え六・八ギガヘルツ以下", (2.7, 6.8, False, True), "GHz", None)],
        id="ja-kanji-decimal-ghz-range",
    ),
    pytest.param(
        "工作频率超过1.3吉赫兹的放大器", "zh", [("超过1.3吉赫兹", 1.3, "GHz", ">")], id="zh-ghz"
    ),
    pytest.param(
        "中心磁場の磁束密度が二テスラを超えるもの",
        "ja",
        [("二テスラを超える", 2, "T", ">")],
        id="ja-tesla",
    ),
    pytest.param(
        "磁感应强度大于等于1.5特斯拉的超导磁体",
        "zh",
        [("大于等于1.5特斯拉", 1.5, "T", ">=")],
        id="zh-tesla",
    ),
    pytest.param(
        "降伏点が二ギガパスカル以上のもの",
        "ja",
        [("二ギガパスカル以上", 2, "GPa", ">=")],
        id="ja-gpa",
    ),
    pytest.param(
        "合成压力≥5GPa的六面顶压机", "zh", [("≥5GPa", 5, "GPa", ">=")], id="zh-symbol-gpa"
    ),
    pytest.param(
        "设计使用压力大于等于6千兆帕的压机",
        "zh",
        [("大于等于6千兆帕", 6, "GPa", ">=")],
        id="zh-qian-zhao-pa-is-giga",
    ),
    pytest.param(
        "マイナス五十五度以下の温度で使用することができるもの",
        "ja",
        [("マイナス五十五度以下", -55, "°C", "<=")],
        id="ja-minus-degrees",
    ),
    pytest.param(
        "工作温度低于零下40度的", "zh", [("低于零下40度", -40, "°C", "<")], id="zh-below-zero"
    ),
    pytest.param(
        "温度が二百度以上で用いることができるもの",
        "ja",
        [("二百度以上", 200, "°C", ">=")],
        id="ja-temperature-clause",
    ),
    pytest.param("视场角大于10度的红外成像", "zh", [("大于10度", 10, "°", ">")], id="zh-angle"),
    # a bare 度 with neither temperature nor angle is a count of times, kept as written (like 回)
    pytest.param("二度以上違反した者", "ja", [("二度以上", 2, "度", ">=")], id="ja-times"),
    pytest.param(
        "线宽14纳米及以下的逻辑芯片", "zh", [("14纳米及以下", 14, "nm", "<=")], id="zh-and-below"
    ),
    pytest.param(
        "位错密度小于500个/平方厘米的锗单晶",
        "zh",
        [("小于500个/平方厘米", 500, "/cm2", "<")],
        id="zh-count-per-area",
    ),
    pytest.param("欠陥密度が一平方センチメートル当たり", "ja", [], id="ja-no-limit-word"),
]


@pytest.mark.parametrize(("text", "lang", "expected"), PHYSICAL)
def test_physical_units(text: str, lang: str, expected: list[tuple[object, ...]]) -> None:
    assert [_shape(text, m) for m in find_thresholds(text, lang)] == expected


@pytest.mark.parametrize(
    ("written", "symbol"),
    [
        ("千兆帕", "GPa"),
        ("ギガパスカル", "GPa"),
        ("兆帕", "MPa"),
        ("特斯拉", "T"),
        ("テスラ", "T"),
        ("ギガヘルツ", "GHz"),
        ("个/平方厘米", "/cm2"),
        ("個/cm2", "/cm2"),
        ("平方センチメートル", "cm2"),
        ("℃", "°C"),
        ("度", "°"),
        ("納米", "nm"),  # Traditional script, read through its Simplified form
        ("噸", "ton"),
        ("桶", "bbl"),
        ("分钟", "min"),
        ("毫开尔文", "mK"),
        ("リットル", "L"),
    ],
)
def test_normalize_unit(written: str, symbol: str) -> None:
    assert normalize_unit(written) == symbol
