"""Citations in a question: the article it names (``Article 5(2)(iii)``, ``Art. 12``,
``第五条第二項第三号``, ``第37条``, ``第二条の二``) and the codes it quotes (dual-use control
codes such as ``3C901.a.1``, customs/tariff codes of 8 to 10 digits).

The article is given as ``Article.key`` writes it (``'5'``, ``'2_2'`` for a branch article
第二条の二 / 第二条之二 / Article 2-2), paragraphs and items as numbers where written; the
search ranks the cited provision of the question's law first (``index.search``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_KANJI = "〇零一二三四五六七八九十百千两兩"
_NUM = rf"[0-9{_KANJI}]+"
# 第五条第二項第三号 / 第37条 / 第二条の二 / 第二条之二 (条 in any script form).
_CJK_ARTICLE = re.compile(
    rf"第\s*(?P<article>{_NUM})\s*[条條](?:\s*[の之]\s*(?P<branch>{_NUM}))?"
    rf"(?:\s*第\s*(?P<paragraph>{_NUM})\s*[項项款])?"
    rf"(?:\s*第\s*(?P<item>{_NUM})\s*[号號项項])?"
)
_ROMAN = {
    "i": 1,
    "ii": 2,
    "iii": 3,
    "iv": 4,
    "v": 5,
    "vi": 6,
    "vii": 7,
    "viii": 8,
    "ix": 9,
    "x": 10,
}
# Article 5(2)(iii), Art. 12, Art 7(1), Article 2-2 / 2bis; "item 4 of Art. 54" (item first).
_EN_ARTICLE = re.compile(
    r"(?:(?:item|subparagraph|point)\s+(?P<item_first>\d+|[ivx]+)\s+of\s+)?"
    r"(?:paragraph\s+(?P<para_first>\d+)\s+of\s+)?"
    r"\b(?:article|art)\.?\s*(?P<article>\d+)(?:\s*-\s*(?P<branch>\d+))?"
    r"(?:\s*\((?P<paragraph>\d+)\))?(?:\s*\((?P<item>[ivx]+|\d+|[a-z])\))?",
    re.IGNORECASE,
)
CONTROL_CODE = re.compile(r"(?<![0-9A-Za-z])\d[A-Z]\d{3}(?:\.[a-z0-9]{1,3})*(?![0-9A-Za-z])")
HS_CODE = re.compile(r"(?<![0-9.])\d{8,10}(?![0-9.])")


def _number(raw: str | None) -> int | None:
    if not raw:
        return None
    raw = raw.strip().lower()
    if raw.isdigit():
        return int(raw)
    if raw in _ROMAN:
        return _ROMAN[raw]
    try:
        from ingest.numbers import kanji_to_int

        return int(kanji_to_int(raw))
    except (ImportError, ValueError):
        return None


@dataclass(frozen=True)
class Citation:
    """What a question cites; ``article`` in ``Article.key`` form, None when no article."""

    article: str | None = None
    paragraph: int | None = None
    item: int | None = None
    control_codes: tuple[str, ...] = field(default_factory=tuple)
    hs_codes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return not (self.article or self.control_codes or self.hs_codes)


def _article(match: re.Match[str]) -> str | None:
    number = _number(match.group("article"))
    if number is None:
        return None
    branch = _number(match.group("branch"))
    return f"{number}_{branch}" if branch else str(number)


def parse_citation(text: str) -> Citation | None:
    """The first article cited in ``text`` and every code it quotes; None when nothing."""
    text = unicodedata.normalize("NFKC", text)
    article = paragraph = item = None
    cjk = _CJK_ARTICLE.search(text)
    english = _EN_ARTICLE.search(text)
    if cjk and (not english or cjk.start() < english.start()):
        article = _article(cjk)
        paragraph, item = _number(cjk.group("paragraph")), _number(cjk.group("item"))
    elif english:
        article = _article(english)
        paragraph = _number(english.group("paragraph") or english.group("para_first"))
        item = _number(english.group("item") or english.group("item_first"))
    citation = Citation(
        article=article,
        paragraph=paragraph,
        item=item,
        control_codes=tuple(dict.fromkeys(CONTROL_CODE.findall(text))),
        hs_codes=tuple(dict.fromkeys(HS_CODE.findall(text))),
    )
    return None if citation.empty else citation
