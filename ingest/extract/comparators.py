"""The comparator lexicon: limit words, and the negation that turns one into its complement.

Chinese writes the relation before the number and negates it with 不 / 未 / 不得 / 没有:
``未超过五十万元`` is "has not exceeded 500,000 yuan", i.e. ``<=`` — reading 超过 alone
gives ``>``, the opposite limit.  Rather than list every negated word (不超过, 不得超过,
未超过, 没有超过, 未满, 不满, 未达到 …) the lexicon holds each base relation once and a
negation in front of it yields the complement (``>`` ↔ ``<=``, ``>=`` ↔ ``<``).  Symbols
(``≤``, ``>``) take no negation.

Japanese writes the relation after the number; its negated verbs (を超えない, 下回らない)
are whole words there, listed in ``SUFFIXES``.
"""

from __future__ import annotations

import re

_S = r" ?"

# What a negation does to a relation: not(> x) is <= x, not(>= x) is < x.
COMPLEMENT = {">": "<=", ">=": "<", "<": ">=", "<=": ">"}

# What a stated minimum or maximum is of: 最低限额为, 最高金額為
_AMOUNT = "(?:限[额額]|限度|金[额額]|[额額])"

# Negations that may precede a relation word; 不得 / 不应 / 不能 before 不 (longest first).
NEGATION = r"不得|不应|不能|不|未|没有|沒有|并未|並未|尚未"

# (pattern, relation) for words written before the number.  Longer words first across
# groups: 大于等于 is >=, not 大于 (>) then 等于.
BASES: list[tuple[str, str]] = [
    (
        r"大于或者等于|大于或等于|大于等于|大於或等於|大於等於|达到或者超过|达到或超过|至少",
        ">=",
    ),
    (r"小于或者等于|小于或等于|小于等于|小於或等於|小於等於|最多", "<="),
    (r"超过|超過|超出|高于|高於|多于|多於|大于|大於", ">"),
    (r"低于|低於|少于|少於|小于|小於", "<"),
    (r"达到|達到|届满|屆滿|满|滿", ">="),
    # a stated minimum or maximum: 注册资本最低限额为1亿元, 最高为五十万元
    (rf"最低{_AMOUNT}?[为為]|最少[为為]|下限[为為]", ">="),
    (rf"最高{_AMOUNT}?[为為]|最多[为為]|上限[为為]", "<="),
]
# Relations that exist only negated: 不足 ("falls short of") is <, 足 alone is no limit.
NEGATED_ONLY: list[tuple[str, str]] = [(r"(?:不|未)足", "<")]
SYMBOLS: list[tuple[str, str]] = [
    (r"[≤≦]|＜＝|<=", "<="),
    (r"[≥≧]|＞＝|>=", ">="),
    (r"＞|>", ">"),
    (r"＜|<", "<"),
]


def prefix_pattern() -> str:
    """A regex for a comparator written before the number.

    Named groups: ``pneg`` (the negation, when present), ``pb_{i}`` (which base word),
    ``pn_{i}`` (a negated-only word), ``ps_{i}`` (a symbol)."""
    bases = "|".join(f"(?P<pb_{i}>{pat})" for i, (pat, _) in enumerate(BASES))
    only = "|".join(f"(?P<pn_{i}>{pat})" for i, (pat, _) in enumerate(NEGATED_ONLY))
    symbols = "|".join(f"(?P<ps_{i}>{pat})" for i, (pat, _) in enumerate(SYMBOLS))
    return rf"{only}|(?:(?P<pneg>{NEGATION}){_S})?(?:{bases})|{symbols}"


def prefix_comparator(m: re.Match[str]) -> str | None:
    """The relation a ``prefix_pattern`` match stands for, negation applied."""
    for i, (_, rel) in enumerate(NEGATED_ONLY):
        if m.group(f"pn_{i}") is not None:
            return rel
    for i, (_, rel) in enumerate(SYMBOLS):
        if m.group(f"ps_{i}") is not None:
            return rel
    for i, (_, rel) in enumerate(BASES):
        if m.group(f"pb_{i}") is not None:
            return COMPLEMENT[rel] if m.group("pneg") is not None else rel
    return None


# Suffix limit words, longest first; ``zh_only`` ones mean something else in Japanese
# (以外 = "other than", 内 = "inside").
SUFFIXES: list[tuple[str, str, bool]] = [
    (r"(?:及び|および|及|或)" + _S + r"(?:［それ］|\[それ\]|其)?" + _S + r"以上", ">=", False),
    (r"以上に達する|以上", ">=", False),
    (r"(?:及び|および|及|或)" + _S + r"(?:其)?" + _S + r"以下", "<=", False),  # 14纳米及以下
    (r"以下", "<=", False),
    (r"未満|に満たない|に満たず|に満たぬ", "<", False),
    # Negated limits: 1年を超えない / 60業務日を超えることはできない = at most.
    (
        r"(?:を|が)?(?:超えない|超えず|超過しない|超えることはできない|超えることができない|"
        r"超えてはならない|超えてはいけない|上回らない|上回ってはならない)",
        "<=",
        False,
    ),
    (r"(?:を|が)?(?:下回らない|下回ってはならない|下回ることはできない)", ">=", False),
    (r"を超過|を超える|を超え|超える|超え|超過|超(?!ぶり)", ">", False),
    (r"以内", "<=", False),
    (r"までに|まで", "<=", False),
    (r"よりも高い|より高い|を上回る|より多い", ">", False),
    (r"よりも低い|より低い|を下回る|より少ない", "<", False),
    (r"以外", ">", True),
    (r"内", "<=", True),
]


def suffix_pattern() -> str:
    """A regex for a comparator written after the number; groups ``s_{i}``."""
    return "|".join(f"(?P<s_{i}>{pat})" for i, (pat, _, _) in enumerate(SUFFIXES))


def suffix_comparator(m: re.Match[str], lang: str) -> str | None:
    """The relation of a ``suffix_pattern`` match; None for a Chinese-only word in Japanese."""
    for i, (_, comp, zh_only) in enumerate(SUFFIXES):
        if m.group(f"s_{i}") is not None:
            return None if zh_only and lang != "zh" else comp
    return None


def strip_prefix(window: str) -> str:
    """``window`` without a comparator word at its end (for the subject before a limit)."""
    return _PREFIX_AT_END.sub("", window)


_PREFIX_AT_END = re.compile(
    "(?:"
    + "|".join(
        [f"(?:{NEGATION})?(?:{p})" for p, _ in BASES]
        + [p for p, _ in NEGATED_ONLY]
        + [p for p, _ in SYMBOLS]
    )
    + ")$"
)
