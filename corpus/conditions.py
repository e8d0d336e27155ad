"""The legal hypothesis a mention stands under, in the words of the text.

A statute attaches each value to a case: ``情节严重的，对个人处二万元以上十万元以下的罚款`` fines
``情节严重`` cases, ``上一年度没有销售额的，处五百万元以下的罚款`` those without turnover,
``…場合は、…`` in Japanese.  Two mentions under different hypotheses are two rules, not one
value that changed, however alike their units; a hypothesis reworded (``实施集中的`` →
``实施集中，且具有…效果的``) is still the same rule.  ``hypotheses`` finds, for each mention, the
clause run that ends in such a hypothesis marker before it in its sentence; a mention without
one inherits the hypothesis of the mention before it in the same sentence, else the article's
opening one (a ``；`` segment without a case of its own continues the main case).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Sentence and ``；`` segment ends (NFKC turns the full-width ``；`` into ``;``).
_SEGMENT_END = re.compile(r"[;；。\n]")
_CLAUSE_END = re.compile(r"[,，、]")
# zh ``…的，`` / ja ``…場合は、`` ``…ときは、``: the clause states the case the rest applies to.
_HYPOTHESIS_END = re.compile(r"(?:的|場合(?:には|は|において)?|とき(?:は|には)?)(?=[,，、])")


def _hypothesis(text: str, start: int, end: int) -> str | None:
    """The text from ``start`` to the last hypothesis marker before ``end``, if any."""
    last = None
    for match in _HYPOTHESIS_END.finditer(text, start, end):
        last = match
    return text[start : last.end()] if last else None


def _segment_start(text: str, position: int) -> int:
    ends = [m.end() for m in _SEGMENT_END.finditer(text, 0, position)]
    return ends[-1] if ends else 0


def hypotheses(text: str, spans: Sequence[tuple[int, int]]) -> list[str]:
    """The hypothesis of each mention ``(start, end)`` of ``text``, spans in text order."""
    first_end = _SEGMENT_END.search(text)
    opening_end = first_end.start() if first_end else len(text)
    if spans:
        opening_end = min(opening_end, spans[0][0])
    main = _hypothesis(text, 0, opening_end) or ""
    result: list[str] = []
    previous_end, previous = -1, main
    for start, end in spans:
        region = _segment_start(text, start)
        inherited = main
        if previous_end > region:  # the mention before is in this sentence
            after = _CLAUSE_END.search(text, previous_end, start)
            region = after.end() if after else start
            inherited = previous
        own = _hypothesis(text, region, start)
        condition = own if own is not None else inherited
        result.append(condition)
        previous_end, previous = end, condition
    return result
