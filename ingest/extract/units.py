"""Units of measure: the table every threshold's ``unit`` is normalised to.

A threshold keeps its text as written (``大于等于300Wh/kg``, ``九百八十キロニュートン以上``) and
stores its unit as one symbol from ``UNITS``: SI symbols where one exists (``kN``, ``m3``,
``g/cm3``, ``mrad``), ISO 4217 codes for money (``CNY``, ``JPY``), and words for calendar
durations (``day``, ``business_day``, ``month``, ``year``).  A compound unit is two table
units joined by ``/`` (or 每 / 毎 / per): ``克/立方厘米`` is ``g/cm3``, ``mAh/g`` is ``mAh/g``.
Counters (人, 件, 个, 台 …) are not units of measure and stay as written.

The table is the documented list: ``regwatch schema`` users and the benches map a unit as
written to its symbol with ``normalize_unit``.
"""

from __future__ import annotations

import re
import unicodedata

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
    ("day", r"日間|日|天"),
    ("year", r"年間|年"),
    ("times", r"倍"),
    ("ton", r"トン|吨"),
    # Energy, charge and pressure before their prefixes' bare forms (Wh before W, MPa before m)
    ("mAh", r"mAh|毫安时|毫安時|ミリアンペア時"),
    ("Ah", r"Ah|安时|安時|アンペア時"),
    ("kWh", r"kWh|千瓦时|キロワット時"),
    ("Wh", r"Wh|瓦时|ワット時"),
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
    ("kW", r"kW|キロワット|千瓦"),
    ("mW", r"mW|ミリワット|毫瓦"),
    ("W", r"W(?![a-zA-Z])|ワット|瓦(?!斯)"),
    ("kV", r"kV|キロボルト|千伏"),
    ("V", r"V(?![a-zA-Z])|ボルト|伏特"),
    ("mrad", r"mrad|毫弧度|ミリラジアン"),
    ("μrad", r"[μµ]rad|微弧度|マイクロラジアン"),
    ("rad", r"rad|弧度|ラジアン"),
    # Areas and volumes before lengths (立方メートル is m3, not m)
    ("m3", r"m3|m³|立方メートル|立方米|立米"),
    ("cm3", r"cm3|cm³|立方センチメートル|立方厘米"),
    ("m2", r"m2|m²|平方メートル|平方米"),
    ("km2", r"km2|km²|平方キロメートル|平方千米|平方公里"),
    ("μm", r"[μµ]m|マイクロメートル|ミクロン|微米"),
    ("mm", r"mm|ミリメートル|毫米"),
    ("cm", r"cm|センチメートル|厘米"),
    ("km", r"km|キロメートル|千米|公里"),
    ("m", r"m(?![a-zA-Z])|メートル|米(?!ドル)"),
    ("°C", r"°C|℃|度C"),
    ("bit", r"ビット|bit|比特"),
]

# Joins the two halves of a compound unit: 300Wh/kg, 1.73克/立方厘米, 每 in 千瓦每千克.
PER = r"[/／]|每|毎|per"

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


def normalize_unit(written: str) -> str:
    """The table symbol of a unit as written (``立方メートル`` → ``m3``, ``克/立方厘米`` →
    ``g/cm3``); counters and words not in the table come back as written (NFKC, no spaces)."""
    text = "".join(unicodedata.normalize("NFKC", written).split())
    if _AS_WRITTEN_MONTH.match(text):
        return "month"
    whole = _symbol(text)
    if whole is not None:
        return whole
    halves = re.split(PER, text, maxsplit=1)
    if len(halves) == 2:
        top, bottom = _symbol(halves[0]), _symbol(halves[1])
        if top is not None and bottom is not None:
            return f"{top}/{bottom}"
    return text
