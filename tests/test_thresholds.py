"""Thresholds: real sentences from the seeds (tests/data/*.txt) and the 反垄断法 texts."""

from __future__ import annotations

import pytest

from ingest.extract.base import Locator
from ingest.extract.thresholds import extract_thresholds, find_thresholds, squeeze
from tests.factories import make_document

# (text, lang, expected): expected items are (mention without spaces, value, unit, comparator)
# or (mention, (min, max, min_inclusive, max_inclusive), unit, None) for a range.
CASES = [
    pytest.param(
        "违法所得不足五十万元的，处未超过五十万元的罚款",
        "zh",
        [("不足五十万元", 500000.0, "CNY", "<"), ("未超过五十万元", 500000.0, "CNY", "<=")],
        id="zh-not-exceeding-negated-wei",
    ),
    pytest.param(
        "年度营业额没有超过二百万元的企业",
        "zh",
        [("没有超过二百万元", 2000000.0, "CNY", "<=")],
        id="zh-not-exceeding-negated-meiyou",
    ),
    pytest.param(
        "製品（製品の価値\nに占める割合が 0.1%以上のもの）の輸出規制",
        "ja",
        [("0.1%以上", 0.1, "%", ">=")],
        id="ja-percent-at-least",
    ),
    pytest.param(
        "ユーザーリスト掲載者等（持株比率が 50％以上の子会社、支店等を含む）",
        "ja",
        [("50％以上", 50, "%", ">=")],
        id="ja-fullwidth-percent",
    ),
    pytest.param(
        "最終用途が 14 ナノメートル以下のロジックチップまたは 256 層以上のメモリチップ",
        "ja",
        [("14ナノメートル以下", 14, "nm", "<="), ("256層以上", 256, "layer", ">=")],
        id="ja-nm-and-layers",
    ),
    pytest.param(
        "輸出後 10 営業日以内に電子メールで商務部に報告し",
        "ja",
        [("10営業日以内", 10, "business_day", "<=")],
        id="ja-business-days",
    ),
    pytest.param(
        "違法所得を没収し、違法所得の 5 倍以上 10 倍以下の罰金を併科する",
        "ja",
        [("5倍以上10倍以下", (5, 10, True, True), "times", None)],
        id="ja-range-times",
    ),
    pytest.param(
        "違法所得が 50 万人民元に満たない場合、100 万人民元\n以上 500 万人民元以下の罰金を併科する",
        "ja",
        [
            ("50万人民元に満たない", 500000, "CNY", "<"),
            ("100万人民元以上500万人民元以下", (1000000, 5000000, True, True), "CNY", None),
        ],
        id="ja-cny-below-and-range-across-lines",
    ),
    pytest.param(
        "違法所得が 50 万人民元に満たない場合、50万人\n民元以上 200 万人民元以下の罰金",
        "ja",
        [
            ("50万人民元に満たない", 500000, "CNY", "<"),
            ("50万人民元以上200万人民元以下", (500000, 2000000, True, True), "CNY", None),
        ],
        id="ja-unit-broken-by-line-end",
    ),
    pytest.param(
        "記録制度を確立し、毎月 10\n日までに前月の流通情報を入力する",
        "ja",
        [("毎月10日までに", 10, "day", "<=")],
        id="ja-monthly-day-of-month",
    ),
    pytest.param(
        "自然資源主管部門は毎年 12 月末までに当該行政区域内の総量規制指標の実施状況を報告",
        "ja",
        [("毎年12月末までに", 12, "month", "<=")],
        id="ja-yearly-end-of-month",
    ),
    pytest.param(
        "関連輸出規制措置の実施を 1 年間停止し",
        "ja",
        [("1年間", 1, "year", "==")],
        id="ja-fixed-term",
    ),
    pytest.param(
        "過去の長期居住地（3 年を超える）。（四）受取人の一年以内に中国を離れたか否か",
        "ja",
        [("3年を超える", 3, "year", ">"), ("一年以内", 1, "year", "<=")],
        id="ja-years-exceeding-and-kanji-within",
    ),
    pytest.param(
        "価値比率が 0.1%を超える 20場合、製造した品目は",
        "ja",
        [("0.1%を超える", 0.1, "%", ">")],
        id="ja-exceeding-before-footnote-marker",
    ),
    pytest.param(
        "「高于 0.1%的」（0.1%より高い［0.1%を超える］）とあるが、公告原文では、「达到 0.1%\n"
        "及以上的」（0.1%および［それ］以上に達するもの［0.1％以上］）",
        "ja",
        [
            ("高于0.1%", 0.1, "%", ">"),
            ("0.1%より高い", 0.1, "%", ">"),
            ("0.1%を超える", 0.1, "%", ">"),
            ("达到0.1%及以上", 0.1, "%", ">="),
            ("0.1%および［それ］以上", 0.1, "%", ">="),
            ("0.1％以上", 0.1, "%", ">="),
        ],
        id="ja-footnote-20-glosses",
    ),
    pytest.param(
        "Ａ磁石メーカーの永久磁石に占める中重レアアースの価値比率が 0.1 以上の場合、"
        "Ｂモーターメーカーの価値比率が 0.1%以上の場合",
        "ja",
        [("0.1以上", 0.1, "%", ">="), ("0.1%以上", 0.1, "%", ">=")],
        id="ja-missing-percent-sign-borrowed-from-context",
    ),
    pytest.param(
        "并处上一年度销售额百分之一以上百分之十以下的罚款",
        "zh",
        [("百分之一以上百分之十以下", (1, 10, True, True), "%", None)],
        id="zh-percent-range",
    ),
    pytest.param(
        "对个人处五十万元以下的罚款。",
        "zh",
        [("五十万元以下", 500000, "CNY", "<=")],
        id="zh-kanji-yuan",
    ),
    pytest.param(
        "参与集中的一个经营者拥有其他每个经营者百分之五十以上有表决权的股份或者资产",
        "zh",
        [("百分之五十以上", 50, "%", ">=")],
        id="zh-percent-prefix",
    ),
    pytest.param(
        "国务院反垄断执法机构可以延长前款规定的审查期限，但最长不得超过六十日",
        "zh",
        [("不得超过六十日", 60, "day", "<=")],
        id="zh-may-not-exceed-days",
    ),
    pytest.param(
        "应当自决定之日起九十日内审查完毕",
        "zh",
        [("九十日内", 90, "day", "<=")],
        id="zh-within-days",
    ),
    pytest.param(
        "一个经营者在相关市场的市场份额达到二分之一的",
        "zh",
        [("达到二分之一", 50, "%", ">=")],
        id="zh-fraction-reaching",
    ),
    pytest.param(
        "其中有的经营者市场份额不足十分之一的，不应当推定该经营者具有市场支配地位",
        "zh",
        [("不足十分之一", 10, "%", "<")],
        id="zh-fraction-below",
    ),
    pytest.param(
        "按照第六十二条规定的罚款数额的二倍以上五倍以下确定具体罚款数额",
        "zh",
        [("二倍以上五倍以下", (2, 5, True, True), "times", None)],
        id="zh-times-range-not-article-number",
    ),
    # Wordings of technical parameters and limits in other notices and control lists.
    pytest.param("功率高于10千瓦的设备", "zh", [("高于10千瓦", 10, "kW", ">")], id="zh-kilowatt"),
    pytest.param("单件重量5千克以上的", "zh", [("5千克以上", 5, "kg", ">=")], id="zh-kilogram"),
    pytest.param("含量在500克以下", "zh", [("500克以下", 500, "g", "<=")], id="zh-gram"),
    pytest.param(
        "年出口量达到或者超过100吨的",
        "zh",
        [("达到或者超过100吨", 100, "ton", ">=")],
        id="zh-reaches-or-exceeds",
    ),
    pytest.param(
        "重量大于等于5kg的", "zh", [("大于等于5kg", 5, "kg", ">=")], id="zh-greater-or-equal"
    ),
    pytest.param(
        "外径小于或者等于25.4 mm的管材",
        "zh",
        [("小于或者等于25.4mm", 25.4, "mm", "<=")],
        id="zh-less-or-equal",
    ),
    pytest.param("纯度≥99.99%的镓", "zh", [("≥99.99%", 99.99, "%", ">=")], id="symbol-geq"),
    pytest.param("粒径＜10 μm的粉末", "zh", [("＜10μm", 10, "μm", "<")], id="symbol-lt-fullwidth"),
    # Negation: a negation word before a relation gives its complement (未超过 is <=, not >).
    pytest.param(
        "违法经营额未超过五十万元的，处五万元以下罚款",
        "zh",
        [("未超过五十万元", 500000, "CNY", "<="), ("五万元以下", 50000, "CNY", "<=")],
        id="zh-negated-exceed",
    ),
    pytest.param(
        "没有违法所得或者违法所得不足五十万元的，处五十万元以上五百万元以下的罚款",
        "zh",
        [
            ("不足五十万元", 500000, "CNY", "<"),
            ("五十万元以上五百万元以下", (500000, 5000000, True, True), "CNY", None),
        ],
        id="zh-falls-short-and-range",
    ),
    pytest.param(
        "未满十八周岁的未成年人", "zh", [("未满十八周岁", 18, "周岁", "<")], id="zh-not-yet-full"
    ),
    pytest.param(
        "年出口量未达到100吨的", "zh", [("未达到100吨", 100, "ton", "<")], id="zh-not-reached"
    ),
    pytest.param(
        "镓含量不高于5%的废料", "zh", [("不高于5%", 5, "%", "<=")], id="zh-not-higher-than"
    ),
    pytest.param(
        "检查期限不得少于三十日",
        "zh",
        [("不得少于三十日", 30, "day", ">=")],
        id="zh-may-not-be-less",
    ),
    pytest.param(
        "その期間は、一年を超えない範囲内において政令で定める",
        "ja",
        [("一年を超えない", 1, "year", "<=")],
        id="ja-does-not-exceed",
    ),
    # Technical parameters with compound units (MOFCOM/GACC control lists).
    pytest.param(
        "质量能量密度大于等于300Wh/kg的锂电池",
        "zh",
        [("大于等于300Wh/kg", 300, "Wh/kg", ">=")],
        id="zh-wh-per-kg",
    ),
    pytest.param(
        "振实密度>1.73克/立方厘米的人造石墨",
        "zh",
        [(">1.73克/立方厘米", 1.73, "g/cm3", ">")],
        id="zh-gram-per-cubic-cm-words",
    ),
    pytest.param(
        "压实密度大于2.5 g/cm3的正极材料",
        "zh",
        [("大于2.5g/cm3", 2.5, "g/cm3", ">")],
        id="zh-gram-per-cubic-cm-symbols",
    ),
    pytest.param(
        "克容量大于等于156 mAh/g的磷酸铁锂",
        "zh",
        [("大于等于156mAh/g", 156, "mAh/g", ">=")],
        id="zh-mah-per-gram",
    ),
    pytest.param(
        "光束发散角小于2.5毫弧度", "zh", [("小于2.5毫弧度", 2.5, "mrad", "<")], id="zh-mrad"
    ),
    pytest.param("最大输出功率超过16千瓦的", "zh", [("超过16千瓦", 16, "kW", ">")], id="zh-kw"),
    pytest.param(
        "排出水量が一万立方メートル以上のもの",
        "ja",
        [("一万立方メートル以上", 10000, "m3", ">=")],
        id="ja-cubic-metres-kanji",
    ),
    pytest.param(
        "液圧プレス（呼び加圧能力が九百八十キロニュートン以上のものに限る。）",
        "ja",
        [("九百八十キロニュートン以上", 980, "kN", ">=")],
        id="ja-kilonewton-kanji",
    ),
    # Ranges written with 至 / ～ (both ends inclusive), framed by 在…之间 or not.
    pytest.param(
        "(1)波长范围在780纳米(nm)至30000纳米(nm)之间;",
        "zh",
        [("在780纳米(nm)至30000纳米(nm)之间", (780, 30000, True, True), "nm", None)],
        id="zh-range-between-with-gloss",
    ),
    pytest.param(
        "处货值金额1至3倍的罚款",
        "zh",
        [("1至3倍", (1, 3, True, True), "times", None)],
        id="zh-range-zhi",
    ),
    pytest.param(
        "重量が10kg～20kgのもの",
        "ja",
        [("10kg～20kg", (10, 20, True, True), "kg", None)],
        id="ja-range-wave-dash",
    ),
    # A bare 月 after a count is months before a limit word (statute usage).
    pytest.param(
        "当該事業年度の終了後三月以内に経済産業大臣に提出しなければならない",
        "ja",
        [("三月以内", 3, "month", "<=")],
        id="ja-months-without-ka",
    ),
    pytest.param(
        "六月以下の懲役又は五十万円以下の罰金に処する",
        "ja",
        [("六月以下", 6, "month", "<="), ("五十万円以下", 500000, "JPY", "<=")],
        id="ja-months-penalty",
    ),
    # SI units by family (unseen2: MOFCOM 2023 No. 28 on drones, 貨物等省令第三条): time,
    # energy, temperature, volume; a prefixed Chinese unit word keeps its 千 (10千焦 = 10 kJ).
    pytest.param(
        "续航时间大于等于30分钟",
        "zh",
        [("大于等于30分钟", 30, "min", ">=")],
        id="zh-minutes",
    ),
    pytest.param(
        "噪声等效温差小于40毫开尔文(mK)",
        "zh",
        [("小于40毫开尔文", 40, "mK", "<")],
        id="zh-millikelvin-with-gloss",
    ),
    pytest.param(
        "单脉冲能量大于等于263.89纳焦(nJ)",
        "zh",
        [("大于等于263.89纳焦", 263.89, "nJ", ">=")],
        id="zh-nanojoule-with-gloss",
    ),
    pytest.param("每次不超过10千焦", "zh", [("不超过10千焦", 10, "kJ", "<=")], id="zh-kilojoule"),
    pytest.param("持续时间超过2小时", "zh", [("超过2小时", 2, "h", ">")], id="zh-hours"),
    pytest.param(
        "内容積が20リットルを超えるもの",
        "ja",
        [("20リットルを超える", 20, "L", ">")],
        id="ja-litres",
    ),
    pytest.param(
        "二十四時間以内に届け出る", "ja", [("二十四時間以内", 24, "h", "<=")], id="ja-hours"
    ),
    pytest.param("2つ以上の貨物を輸出", "ja", [("2つ以上", 2, "つ", ">=")], id="ja-counter-tsu"),
    # unseen3 (貨物等省令 第一条, an MIIT licence guide): a 号 label is no digit of the number
    # after it, e-Gov's 、 groups kanji digits, ± is a tolerance, a stated minimum is a limit
    pytest.param(
        "三\u3000重水素\n四\u3000一キログラム以上の人造黒鉛",
        "ja",
        [("一キログラム以上", 1, "kg", ">=")],
        id="ja-go-label-before-a-kanji-number",
    ),
    pytest.param(
        "比率が五、〇〇〇分の一を超えるもの",
        "ja",
        [("五、〇〇〇分の一を超える", 0.02, "%", ">")],
        id="ja-grouped-kanji-fraction",
    ),
    pytest.param(
        "ほう素の含有量が一、〇〇〇、〇〇〇分の五未満のもの",
        "ja",
        [("一、〇〇〇、〇〇〇分の五未満", 0.0005, "%", "<")],
        id="ja-grouped-kanji-millionths",
    ),
    pytest.param(
        "出力周波数をプラスマイナス〇・二パーセント未満で制御できるもの",
        "ja",
        [("〇・二パーセント未満", 0.2, "%", "<")],
        id="ja-plus-minus-is-a-tolerance",
    ),
    pytest.param("三相以上のもの", "ja", [("三相以上", 3, "相", ">=")], id="ja-phases"),
    pytest.param(
        "非对称密码算法密钥长度在768位以上",
        "zh",
        [("768位以上", 768, "位", ">=")],
        id="zh-key-bits",
    ),
    pytest.param(
        "注册资本最低限额为1亿元人民币",
        "zh",
        [("最低限额为1亿元人民币", 100000000, "CNY", ">=")],
        id="zh-stated-minimum",
    ),
    pytest.param(
        "罚款最高为五十万元",
        "zh",
        [("最高为五十万元", 500000, "CNY", "<=")],
        id="zh-stated-maximum",
    ),
    # unseen5 (通用许可管理办法, Taiwan's 貨品輸出管理辦法 and task-force rules)
    pytest.param(
        "申请超过40份(含40份)的",
        "zh",
        [("超过40份(含40份)", 40, "份", ">=")],
        id="zh-inclusive-note",
    ),
    pytest.param(
        "在美元二万元以下者",
        "zh",
        [("美元二万元以下", 20000, "USD", "<=")],
        id="zh-usd-before-yuan",
    ),
    pytest.param(
        "由十九人至二十三人组成",
        "zh",
        [("十九人至二十三人", (19, 23, True, True), "人", None)],
        id="zh-counted-range",
    ),
    pytest.param("近3年内未受到刑事处罚", "zh", [("3年内", 3, "year", "<=")], id="zh-lookback"),
    # unseen6 (MOFCOM's DPRK embargo notices): barrels, and one limit word for an amount and
    # its alternative in another unit
    pytest.param(
        "全年不得超过400万桶或52.5万吨。",
        "zh",
        [("不得超过400万桶", 4000000, "bbl", "<="), ("52.5万吨", 525000, "ton", "<=")],
        id="zh-shared-limit-alternative",
    ),
    pytest.param(
        "超过5吨或10吨以上的",
        "zh",
        [("超过5吨", 5, "ton", ">"), ("10吨以上", 10, "ton", ">=")],
        id="zh-alternative-with-its-own-limit",
    ),
    pytest.param(
        "距离边境五公里以外的地区",
        "zh",
        [("五公里以外", 5, "km", ">")],
        id="zh-beyond-distance",
    ),
]

NOT_THRESHOLDS = [
    pytest.param("総生産能力は推定 1万トンに達するとしている", "ja", id="estimate"),
    pytest.param("ネオジム磁石のレアアース材料が 2 年超ぶり高値", "ja", id="headline-since"),
    pytest.param("原子番号 57 から 71 までのランタノイド系元素", "ja", id="atomic-numbers"),
    pytest.param("2026 年 11 月 10 日までの間、一時停止する", "ja", id="calendar-date-until"),
    pytest.param("本措置は全17条から構成され、7種のレアアース", "ja", id="counts"),
    pytest.param("第一段落の“価値比率”を“100%”と記入する", "ja", id="value-to-fill-in"),
    pytest.param("3 以下の２件。", "ja", id="footnote-marker-before-ika"),
    pytest.param("県級以上の地方人民政府の工業情報化", "ja", id="administrative-level"),
    pytest.param("実際には 0.1%を含むと理解しておく", "ja", id="includes-is-no-comparator"),
    pytest.param("设区的市级以上人民检察院可以依法提起民事公益诉讼", "zh", id="zh-level"),
    pytest.param("一定时期内就特定商品或者服务（以下统称商品）进行竞争", "zh", id="zh-hereinafter"),
    pytest.param("自2024年1月1日至2025年12月31日止", "zh", id="zh-date-span-not-range"),
    pytest.param("依照本法第一至三项的规定", "zh", id="zh-clause-span-not-range"),
    pytest.param("令和五年三月三日に公布", "ja", id="ja-march-not-months"),
    # 以外 after a list of values, or after 除, excepts them: "bands other than 560/860 nm"
    pytest.param(
        "支持560纳米(nm)、650纳米(nm)、860纳米(nm)以外波段的多光谱相机",
        "zh",
        id="zh-other-than-listed-values",
    ),
    pytest.param("除5吨以外的货物", "zh", id="zh-except"),
    pytest.param("近100万吨", "zh", id="zh-approximately"),
    pytest.param("依照本法第一至三项的规定处理", "zh", id="zh-clause-span-no-counter-range"),
    pytest.param("符合3A001以上规定的物项", "zh", id="zh-control-code-is-no-ampere"),
]


def _shape(text: str, m: object) -> tuple[object, ...]:
    mention = "".join(text[m.start : m.end].split())  # type: ignore[attr-defined]
    if m.min is not None:  # type: ignore[attr-defined]
        bounds = (m.min, m.max, m.min_inclusive, m.max_inclusive)  # type: ignore[attr-defined]
        return (mention, bounds, m.unit, m.comparator)  # type: ignore[attr-defined]
    return (mention, m.value, m.unit, m.comparator)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("text", "lang", "expected"), CASES)
def test_find_thresholds(text: str, lang: str, expected: list[tuple[object, ...]]) -> None:
    assert [_shape(text, m) for m in find_thresholds(text, lang)] == expected


@pytest.mark.parametrize(("text", "lang"), NOT_THRESHOLDS)
def test_descriptive_figures_are_not_thresholds(text: str, lang: str) -> None:
    assert find_thresholds(text, lang) == []


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        pytest.param("製品の価値に占める割合が 0.1%以上のもの", "価値に占める割合", id="share"),
        pytest.param("違法所得の 5 倍以上 10 倍以下の罰金", "違法所得", id="multiple-of"),
        pytest.param("并处上一年度销售额百分之一以上百分之十以下的罚款", "上一年度销售额", id="zh"),
    ],
)
def test_subject(text: str, subject: str) -> None:
    (match,) = find_thresholds(text, "zh" if "罚款" in text else "ja")
    assert match.subject == subject


def test_recurrence_is_recorded() -> None:
    monthly, yearly = find_thresholds("毎月 10 日までに入力し、毎年 12 月末までに報告する")
    assert (monthly.recurrence, yearly.recurrence) == ("monthly", "yearly")


def test_squeeze_keeps_offsets_and_separates_digit_runs() -> None:
    squeezed, offsets = squeeze("50 万人\n民元 3 20")
    assert squeezed == "50万人民元3 20"
    assert [offsets[i] for i in range(3)] == [0, 1, 3]


def test_extract_thresholds_builds_records_with_provenance() -> None:
    text = "第二十一条 違法所得の 5 倍以上 10 倍以下の罰金。\n輸出後 10 営業日以内に報告。"
    document = make_document(text)

    records = extract_thresholds(document, Locator(document))
    assert [(r.text, r.min, r.max, r.unit) for r in records] == [
        ("5 倍以上 10 倍以下", 5, 10, "times"),
        ("10 営業日以内", None, None, "business_day"),
    ]
    assert records[1].value == 10 and records[1].comparator == "<="
    span = records[0].provenance.char_span
    assert document.text[span.start : span.end] == records[0].text
    assert len({r.id for r in records}) == 2
