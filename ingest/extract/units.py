"""Units of measure: the table every threshold's ``unit`` is normalised to.

A threshold keeps its text as written (``大于等于300Wh/kg``, ``九百八十キロニュートン以上``) and
stores its unit as one symbol from ``UNITS``: SI symbols where one exists (``kN``, ``m3``,
``g/cm3``, ``mrad``), ISO 4217 codes for money (``CNY``, ``JPY``), and words for calendar
durations (``day``, ``business_day``, ``month``, ``year``).  A compound unit is two table
units joined by ``/`` (or 每 / 毎 / per): ``克/立方厘米`` is ``g/cm3``, ``mAh/g`` is ``mAh/g``.
Counters (人, 件, 个, 台 …) are not units of measure and stay as written.

The table is the documented list: ``regwatch schema`` users and the benches map a unit as
written to its symbol with ``normalize_unit``.  Every physical unit is listed in each script
the documents use it in: the SI symbol, the Chinese word (Simplified; Traditional text reaches
the extractors folded, see ``ingest.extract.script_view``) and the Japanese katakana word:

==========  =====================================================================
symbol      written as
==========  =====================================================================
T, mT       テスラ 特斯拉; ミリテスラ 毫特斯拉 mT (no bare ``T``: 5T is also 5 tonnes)
°C, °       ℃ °C 度C; a bare 度 is °C where its clause speaks of temperature (温度が177度
            以上, 摂氏, 零下40度), the plane angle ``°`` where of an angle (视场角大于10度),
            else a count of times kept as written (二度以上違反 = twice)
GPa MPa …   GPa 吉帕 千兆帕 ギガパスカル; MPa 兆帕 メガパスカル; kPa; Pa
GHz MHz …   GHz 吉赫 千兆赫 ギガヘルツ; MHz 兆赫 メガヘルツ; kHz; Hz
cm2 mm2     平方厘米 平方センチメートル; 平方毫米 平方ミリメートル (areas before lengths)
h min s     小时 時間; 分钟 分間 (a bare 分 is no unit: 三分の一, 十分); 秒; ms μs ns ps
            毫秒 ミリ秒 …
J nJ … eV   焦耳 ジュール with 纳 微 毫 千 兆 / ナノ マイクロ ミリ キロ メガ; eV keV MeV
K mK        开尔文 ケルビン; 毫开尔文 ミリケルビン
L mL        升 公升 リットル; 毫升 ミリリットル
A mA Ω      安培 アンペア; 毫安 ミリアンペア; 欧姆 オーム (a bare A not before a digit: 3A001)
/cm2        a count per unit: 50個/平方厘米, 个/cm2 (the counter is dropped: a density)
bbl         桶 バレル (oil)
==========  =====================================================================

A unit written in Traditional script (納米, 噸) is read through its Simplified form.
Temperatures below zero carry their sign word (マイナス五十度, 零下40℃ → -50, -40).
"""

from __future__ import annotations

import re
import unicodedata

from models.han_variants import simplified_view

# (symbol, pattern) in matching order: longer words first, so 立方厘米 beats 厘米 and
# 营业日 beats 日.  Patterns match NFKC-folded or raw text (both full- and half-width).
UNITS: list[tuple[str, str]] = [
    ("%", r"[%％]|パーセント|percent"),
    ("nm", r"ナノメートル|ｎｍ|nm|纳米"),
    ("layer", r"層|层"),
    ("CNY", r"人民元|人民币|元"),
    ("JPY", r"円|日元"),
    ("USD", r"米ドル|ドル|美元"),
    # 業務日/作業日/稼働日: Japanese renderings of 工作日 in translations of Chinese rules
    ("business_day", r"営業日|業務日|作業日|稼働日|工作日|个工作日"),
    # A bare 月 is a count of months only before a limit word: 三月以内 / 六月以下の懲役
    # (statute usage); 三月 alone is March.
    ("month", r"[かヶカヵケ箇个個]月間?|月(?=以内|以上|以下|未満|を超え|を経過)"),
    ("week", r"週間|个星期|星期|周(?!岁)"),
    # Clock durations: 分 alone stays out (三分の一, 十分, 60分 = 60 points); 時間 is hours.
    ("h", r"小时|小時|時間|hours?(?![a-zA-Z])|h(?![a-zA-Z])"),
    ("min", r"分钟|分鐘|分間|min(?![a-zA-Z])"),
    ("ps", r"皮秒|ピコ秒|ps(?![a-zA-Z])"),
    ("ns", r"纳秒|ナノ秒|ns(?![a-zA-Z])"),
    ("μs", r"微秒|マイクロ秒|[μµ]s(?![a-zA-Z])"),
    ("ms", r"毫秒|ミリ秒|ms(?![a-zA-Z])"),
    ("s", r"秒钟|秒鐘|秒|s(?![a-zA-Z])"),
    ("day", r"日間|日|天"),
    ("year", r"年間|年"),
    ("times", r"倍"),
    ("ton", r"トン|吨"),
    ("bbl", r"桶|バレル|barrels?(?![a-zA-Z])"),  # oil: 不超过50万桶
    # Energy, charge and pressure before their prefixes' bare forms (Wh before W, MPa before m)
    ("mAh", r"mAh|毫安时|毫安時|ミリアンペア時"),
    ("Ah", r"Ah|安时|安時|アンペア時"),
    ("kWh", r"kWh|千瓦时|キロワット時"),
    ("Wh", r"Wh|瓦时|ワット時"),
    # 千兆帕 is giga (千兆 = 10^9), before 兆帕 (mega)
    ("GPa", r"GPa|Gpa|吉帕|千兆帕|ギガパスカル"),
    ("MPa", r"MPa|Mpa|兆帕|メガパスカル"),
    ("kPa", r"kPa|千帕|キロパスカル"),
    ("Pa", r"Pa|帕斯卡|帕|パスカル"),
    ("kN", r"kN|キロニュートン|千牛顿?"),
    ("N", r"N(?![a-zA-Z])|ニュートン|牛顿"),
    ("kg", r"キログラム|kg|公斤|千克"),
    ("mg", r"ミリグラム|mg|毫克"),
    ("g", r"グラム|g(?![a-zA-Z])|克(?!服|罗|隆)"),
    # Technical parameters of control-list entries (3A001.b.2: 2.7GHzを超え6.8GHz以下)
    ("GHz", r"GHz|ギガヘルツ|吉赫兹?|千兆赫"),
    ("MHz", r"MHz|メガヘルツ|兆赫兹?"),
    ("kHz", r"kHz|キロヘルツ|千赫兹?"),
    ("Hz", r"Hz|ヘルツ|赫兹"),
    ("dBm", r"dBm"),
    ("dB", r"dB|デシベル|分贝"),
    # Energy: 焦 is 焦耳 only after a number (焦点, 焦炭 never follow one)
    ("nJ", r"nJ|纳焦耳?|ナノジュール"),
    ("μJ", r"[μµ]J|微焦耳?|マイクロジュール"),
    ("mJ", r"mJ|毫焦耳?|ミリジュール"),
    ("kJ", r"kJ|千焦耳?|キロジュール"),
    ("MJ", r"MJ|兆焦耳?|メガジュール"),
    ("J", r"J(?![a-zA-Z])|焦耳|焦(?![点炭化距])|ジュール"),
    ("MeV", r"MeV|兆电子伏特?|メガ電子ボルト"),
    ("keV", r"keV|千电子伏特?|キロ電子ボルト"),
    ("eV", r"eV|电子伏特?|電子ボルト"),
    ("MW", r"MW|兆瓦|メガワット"),
    ("kW", r"kW|キロワット|千瓦"),
    ("mW", r"mW|ミリワット|毫瓦"),
    ("W", r"W(?![a-zA-Z])|ワット|瓦(?!斯)"),
    ("mA", r"mA(?!h)|毫安(?![时時])|ミリアンペア(?!時)"),
    # a bare A only where no letter, digit or point follows (3A001 is a control code)
    ("A", r"A(?![a-zA-Z0-9.])|安培|アンペア(?!時)"),
    ("Ω", r"Ω|欧姆|歐姆|オーム"),
    ("kV", r"kV|キロボルト|千伏"),
    ("V", r"V(?![a-zA-Z])|ボルト|伏特"),
    ("mrad", r"mrad|毫弧度|ミリラジアン"),
    ("μrad", r"[μµ]rad|微弧度|マイクロラジアン"),
    ("rad", r"rad|弧度|ラジアン"),
    # Areas and volumes before lengths (立方メートル is m3, not m)
    ("m3", r"m3|m³|立方メートル|立方米|立米"),
    ("cm3", r"cm3|cm³|立方センチメートル|立方厘米"),
    ("m2", r"m2|m²|平方メートル|平方米"),
    ("cm2", r"cm2|cm²|平方センチメートル|平方厘米"),
    ("mm2", r"mm2|mm²|平方ミリメートル|平方毫米"),
    ("km2", r"km2|km²|平方キロメートル|平方千米|平方公里"),
    ("μm", r"[μµ]m|マイクロメートル|ミクロン|微米"),
    ("mm", r"mm|ミリメートル|毫米"),
    ("cm", r"cm|センチメートル|厘米"),
    ("km", r"km|キロメートル|千米|公里"),
    ("m", r"m(?![a-zA-Z])|メートル|米(?!ドル)"),
    ("mK", r"mK|毫开尔文|毫開爾文|ミリケルビン"),
    ("K", r"K(?![a-zA-Z])|开尔文|開爾文|ケルビン"),
    ("mL", r"mL|ml(?![a-zA-Z])|毫升|ミリリットル"),
    ("L", r"L(?![a-zA-Z])|ℓ|公升|升(?![级級高降值温])|リットル"),
    ("°C", r"°C|℃|度C"),
    # A bare 度: °C, a plane angle or a count of times by its clause (``degree_unit``)
    ("°", r"°(?!C)|度(?!C)"),
    ("mT", r"mT|ミリテスラ|毫特斯拉"),
    ("T", r"テスラ|特斯拉"),
    ("bit", r"ビット|bit|比特"),
]

# Joins the two halves of a compound unit: 300Wh/kg, 1.73克/立方厘米, 每 in 千瓦每千克.
PER = r"[/／]|每|毎|per"
# A count over a unit is a density: 50個/平方厘米 is 50 /cm2 (個 tells nothing more).
COUNT_WORDS = r"個|个|颗|顆|粒|根|pcs|ヶ|コ"
# A bare 度 is a temperature or an angle where its clause names one.
# Below zero (マイナス五十度, 零下40度) only a temperature is written with a sign word.
_TEMPERATURE = re.compile(r"温|熱|热|零下|摂氏|攝氏|冷却|冷卻|マイナス")
_ANGLE = re.compile(r"角|傾斜|倾斜|方位|視野|视野|视场|視場|回転|旋转")

_PARTS = [(symbol, re.compile(pattern)) for symbol, pattern in UNITS]
# Counters kept as written; 个月 is a month (in the table), a bare 月 after a count is too.
_AS_WRITTEN_MONTH = re.compile(r"^月間?$")


def unit_pattern(group: str = "u") -> str:
    """A regex alternation of every table unit, each in its own named group ``{group}_{i}``."""
    return "|".join(f"(?P<{group}_{i}>{pattern})" for i, (_, pattern) in enumerate(UNITS))


def symbol_of(match: re.Match[str], group: str = "u") -> str | None:
    """The symbol of the table unit a ``unit_pattern(group)`` alternation matched."""
    for i, (symbol, _) in enumerate(UNITS):
        if match.group(f"{group}_{i}") is not None:
            return symbol
    return None


def _symbol(written: str) -> str | None:
    for symbol, pattern in _PARTS:
        if pattern.fullmatch(written):
            return symbol
    return None


def degree_unit(symbol: str, clause: str) -> str:
    """``°`` (a bare 度) read by its clause: ``°C`` where the clause speaks of temperature,
    ``°`` of an angle, else ``度`` as written (a count of times: 二度以上)."""
    if symbol != "°":
        return symbol
    if _ANGLE.search(clause):
        return "°"
    return "°C" if _TEMPERATURE.search(clause) else "度"


def normalize_unit(written: str) -> str:
    """The table symbol of a unit as written (``立方メートル`` → ``m3``, ``克/立方厘米`` →
    ``g/cm3``); counters and words not in the table come back as written (NFKC, no spaces)."""
    text = "".join(unicodedata.normalize("NFKC", written).split())
    if _AS_WRITTEN_MONTH.match(text):
        return "month"
    folded = simplified_view(text)  # a unit written in Traditional script: 納米, 噸
    if folded != text:
        symbol = normalize_unit(folded)
        if symbol != folded:
            return symbol
    whole = _symbol(text)
    if whole is not None:
        return whole
    halves = re.split(PER, text, maxsplit=1)
    if len(halves) == 2:
        top, bottom = _symbol(halves[0]), _symbol(halves[1])
        if bottom is not None and re.fullmatch(COUNT_WORDS, halves[0]):
            return f"/{bottom}"
        if top is not None and bottom is not None:
            return f"{top}/{bottom}"
    return text
