"""The hand-written part of the unseen truth: dates, thresholds, definitions and the codes of
control-list items, read off the texts in ``texts_zh.py`` / ``texts_ja.py``.

Levels are no thresholds (README: 县级以上): 精度がグレード5以下 and 精度が4級以上 in
貨物等省令第五条 are grades, not limits.  Conventions are otherwise the dev v2 README's
(tests/data/dev/v2/README.md): complete dates only
(month-day datelines such as 10月9日電 and document numbers such as 20140407貿局第2号 are
not dates); thresholds with value in base units (万元 -> 元), unit as written, comparator
from the README table, a range as two records with ``range: true``; ``codes`` keyed by the
item's text (label removed), control codes and 8-10 digit customs codes as written (a code
the repost left blank is no code).  Definitions are ``{term, definition}``: ``「X」という``
abbreviations, ``本法所稱X，是指…`` and ``本公告所稱X，包括…``.
"""

from __future__ import annotations

from typing import Any


def _t(text: str, value: float, unit: str, comparator: str, *, rng: bool = False) -> dict[str, Any]:
    rec: dict[str, Any] = {"text": text, "value": value, "unit": unit, "comparator": comparator}
    if rng:
        rec["range"] = True
    return rec


def _d(text: str, iso: str) -> dict[str, str]:
    return {"text": text, "iso": iso}


def _c(*control: str, hs: tuple[str, ...] = ()) -> dict[str, list[str]]:
    return {"control": list(control), "hs": list(hs)}


HAND: dict[str, dict[str, Any]] = {
    "zh_mofcom_2025_18_rare_earth": {
        "dates": [_d("2025年04月04日", "2025-04-04")],
        "thresholds": [],
        "definitions": [],
        "codes": {
            "1C902.a 金属钐、含钐的合金及相关制品:": _c("1C902.a"),
            "1C902.b氧化钐及其混合物(参考海关商品编号:、、)。": _c("1C902.b"),
            "1C902.c含钐的化合物及其混合物(参考海关商品编号:、、、、、、)。": _c("1C902.c"),
            "1C903.a 金属钆、含钆的合金及相关制品:": _c("1C903.a"),
            "1C903.b氧化钆及其混合物(参考海关商品编号:、、)。": _c("1C903.b"),
            "1C903.c含钆的化合物及其混合物(参考海关商品编号: 、、、、、、)。": _c("1C903.c"),
            "1C904.a金属铽、含铽的合金及相关制品:": _c("1C904.a"),
            "1C904.b氧化铽及其混合物(参考海关商品编号:、、)。": _c("1C904.b"),
        },
    },
    "zht_mofcom_2025_62_rare_earth_tech": {
        "dates": [],
        "thresholds": [],
        "definitions": [
            {"term": "磁材製造", "definition": "釤鈷、釹鐵硼、鈰磁體製造技術"},
            {"term": "技術及其載體", "definition": "包括技術相關資料等數據"},
            {"term": "出口經營者", "definition": "包括中國公民、法人和非法人組織"},
        ],
        "codes": {
            "稀土開採、冶煉分離、金屬冶煉、磁材製造、稀土二次資源回收利用相關技術及其載體；"
            "（管制編碼：1E902.a）": _c("1E902.a"),
            "稀土開採、冶煉分離、金屬冶煉、磁材製造、稀土二次資源回收利用相關生產線裝配、調試、"
            "維護、維修、升級等技術。（管制編碼：1E902.b）": _c("1E902.b"),
        },
    },
    "zh_foreign_trade_law_2004_liability": {
        "dates": [_d("2004年4月6日", "2004-04-06")],
        "thresholds": [
            _t("五万元以下", 50000, "元", "<="),
            _t("三年内", 3, "年", "<="),
            _t("一倍以上五倍以下", 1, "倍", ">=", rng=True),
            _t("一倍以上五倍以下", 5, "倍", "<=", rng=True),
            _t("不足一万元", 10000, "元", "<"),
            _t("一万元以上五万元以下", 10000, "元", ">=", rng=True),
            _t("一万元以上五万元以下", 50000, "元", "<=", rng=True),
            _t("三年内", 3, "年", "<="),
            _t("一年以上三年以下", 1, "年", ">=", rng=True),
            _t("一年以上三年以下", 3, "年", "<=", rng=True),
        ],
        "definitions": [],
        "codes": {},
    },
    "zht_foreign_trade_law_2025": {
        "dates": [
            _d("1994年5月12日", "1994-05-12"),
            _d("2004年4月6日", "2004-04-06"),
            _d("2016年11月7日", "2016-11-07"),
            _d("2022年12月30日", "2022-12-30"),
            _d("2025年12月27日", "2025-12-27"),
        ],
        "thresholds": [],
        "definitions": [
            {"term": "對外貿易", "definition": "貨物進出口、技術進出口和國際服務貿易"},
        ],
        "codes": {},
    },
    "zht_mofcom_2024_33_antimony": {
        "dates": [],
        "thresholds": [
            _t("大於等於99.99%", 99.99, "%", ">="),
            _t("大於99.999%", 99.999, "%", ">"),
            _t("大於99.999%", 99.999, "%", ">"),
            _t("小於50個/平方厘米", 50, "個/平方厘米", "<"),
            _t("大於99.99999%", 99.99999, "%", ">"),
            _t("大於等於500毫米", 500, "毫米", ">="),
            _t("大於等於5千兆帕", 5, "千兆帕", ">="),
        ],
        "definitions": [],
        "codes": {
            "銻礦及原料,包括但不限於塊、顆粒、粉末、結晶體等形態。(參考海關商品編號:2617101000、"
            "2617109001、2617109090、2830902000)": _c(
                hs=("2617101000", "2617109001", "2617109090", "2830902000")
            ),
            "金屬銻及制品,包括但不限於錠、塊、珠、顆粒、粉末等形態。(參考海關商品編號:8110101000、"
            "8110102000、8110200000、8110900000)": _c(
                hs=("8110101000", "8110102000", "8110200000", "8110900000")
            ),
            "銻的氧化物,純度大於等於99.99%,包括但不限於粉末形態。(參考海關商品編號:2825800010)": _c(
                hs=("2825800010",)
            ),
            "三甲基銻、三乙基銻及其他有機銻化合物,純度(無機元素基準)大於99.999%。"
            "(參考海關商品編號:2931900032)": _c(hs=("2931900032",)),
            "銻的氫化物,純度大於99.999%(含在惰性氣體或氫氣中稀釋的銻的氫化物)。"
            "(參考海關商品編號:2850009020)": _c(hs=("2850009020",)),
            "銻化銦,具有以下所有特性:位錯密度小於50個/平方厘米的單晶,以及純度大於99.99999%的多晶,"
            "包括但不限於錠(棒)、塊、片、靶材、顆粒、粉末、碎料等形態。"
            "(參考海關商品編號:2853909031)": _c(hs=("2853909031",)),
        },
    },
    "ja_kamotsu_shorei_art5": {
        "dates": [],
        "thresholds": [
            _t("2テスラ以上", 2, "テスラ", ">="),
            _t("414メガパスカルを超える", 414, "メガパスカル", ">"),
            _t("177度以上", 177, "度", ">="),
        ],
        "definitions": [],
        "codes": {},
    },
    "ja_yushutsurei_2005": {
        "dates": [
            _d("昭和二十四年十二月一日", "1949-12-01"),
            _d("平成一七年七月二一日", "2005-07-21"),
        ],
        "thresholds": [],
        "definitions": [
            {"term": "法", "definition": "外国為替及び外国貿易法"},
            {"term": "指定加工", "definition": "経済産業大臣が定める加工"},
        ],
        "codes": {},
    },
    "ja_yushutsurei_art4": {
        "dates": [],
        "thresholds": [_t("三百キロメートル以上", 300, "キロメートル", ">=")],
        "definitions": [
            {
                "term": "外国向け仮陸揚げ貨物",
                "definition": (
                    "仮に陸揚げした貨物のうち、本邦以外の地域を仕向地とする船荷証"
                    "券により運送されたもの"
                ),
            },
            {
                "term": "核兵器等",
                "definition": (
                    "核兵器、軍用の化学製剤若しくは細菌製剤若しくはこれらの散布の"
                    "ための装置又はこれらを運搬することができるロケット若しくは無"
                    "人航空機であつてその射程若しくは航続距離が三百キロメートル以"
                    "上のもの"
                ),
            },
            {"term": "開発等", "definition": "開発、製造、使用又は貯蔵"},
        ],
        "codes": {},
    },
    "ja_betsu2no3_shorei_2022": {
        "dates": [],
        "thresholds": [
            _t("九〇パーセントを超える", 90, "%", ">"),
            _t("九五パーセントを超える", 95, "%", ">"),
        ],
        "definitions": [{"term": "輸出令", "definition": "輸出貿易管理令"}],
        "codes": {},
    },
    "ja_unyo_tsutatsu_1987": {
        "dates": [
            _d("昭和62年11月6日", "1987-11-06"),
            _d("平成26年4月21日", "2014-04-21"),
            _d("昭和62年11月10日", "1987-11-10"),
            _d("昭和36年3月28日", "1961-03-28"),
            _d("昭和62年11月9日", "1987-11-09"),
        ],
        "thresholds": [],
        "definitions": [
            {"term": "外為法", "definition": "外国為替及び外国貿易法"},
            {"term": "輸出令", "definition": "輸出貿易管理令"},
            {"term": "輸入令", "definition": "輸入貿易管理令"},
            {"term": "外為令", "definition": "外国為替令"},
            {"term": "輸出規則", "definition": "輸出貿易管理規則"},
            {
                "term": "貨物等省令",
                "definition": (
                    "輸出貿易管理令別表第1及び外国為替令別表の規定に基づき貨物又は技術を定める省令"
                ),
            },
            {
                "term": "仮陸揚げ貨物核兵器等開発省令",
                "definition": (
                    "仮に陸揚げした貨物が核兵器等の開発等のために用いられるおそれ"
                    "がある場合を定める省令"
                ),
            },
            {
                "term": "核兵器等開発等省令",
                "definition": (
                    "輸出貨物が核兵器等の開発等のために用いられるおそれがある場合を定める省令"
                ),
            },
        ],
        "codes": {},
    },
    "ja_kaisei_tsutatsu_2012": {
        "dates": [
            _d("平成24年4月2日", "2012-04-02"),
            _d("昭和62年11月6日", "1987-11-06"),
            _d("平成24年4月1日", "2012-04-01"),
            _d("平成24年7月1日", "2012-07-01"),
            _d("平成24年4月2日", "2012-04-02"),
        ],
        "thresholds": [],
        "definitions": [],
        "codes": {},
    },
}
