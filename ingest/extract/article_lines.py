"""Line-level vocabulary of article structure: labels, headings, items, commentary marks.

``find_articles`` (articles.py) walks ``Document.text`` line by line; this module says what a
line *is*: the start of an article (``第十条``, ``第 10 条``, ``一、``), a 编/章/节 heading,
an item (``（一）``), a commentary mark that ends a quotation (``・``, ``■``, ``【留意点】``) or
an ordinary continuation line.  It also joins wrapped lines into paragraphs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ingest.numbers import kanji_to_int

_NUM = "〇零一二三四五六七八九十百千0-9０-９"
_SPACE = " \t\u3000\u00a0"

#: ``第十条`` / ``第 10 条`` at the start of a line, optionally after a footnote number
#: (``13 第十八条 輸出者は…`` is footnote 13 quoting an article).
#: Reposts drop the 第 of Arabic labels (``12条　…``): such a bare label must be followed by a
#: space (``12条に基づき`` in a wrapped sentence is a mention).
ARTICLE_LABEL = re.compile(
    rf"^[{_SPACE}]*(?:(?P<footnote>[0-9]{{1,3}})[{_SPACE}]+)?"
    rf"(?P<label>(?:第[{_SPACE}]*(?P<num>[{_NUM}]+)|(?P<bare>[0-9０-９]{{1,3}}))[{_SPACE}]*条"
    rf"(?:之(?P<sub>[一二三四五六七八九十0-9０-９]+)|の(?P<sub_ja>[一二三四五六七八九十0-9０-９]+))?)"
)
#: ``第十条の一部を改正する`` is an amendment sentence, not article 10-1.
_NOT_AFTER_SUB = set("部項号")
#: Inserted articles share their base number: 第十条之一 / 第十条の二 is (10, "一"/"二").
SUB_NUMBER = re.compile(r"(?:之|の)(?P<sub>[一二三四五六七八九十0-9０-９]+)$")
#: A label followed by one of these is a mention inside a sentence (``第10条に基づく``,
#: ``第13条～第16条``, ``第 5 条及び``), not the start of the article.
_MENTION_FOLLOWERS = set(
    "のにでは、，,。．.）)」』等及およ～〜~－-―条項款まからをがもと・並又及至规第"
)

#: MOFCOM announcements number their provisions 一、二、…; ``十一、`` etc.
ENUM_LABEL = re.compile(rf"^[{_SPACE}]*(?P<label>(?P<num>[一二三四五六七八九十]{{1,3}})[、，])")

HEADING = re.compile(
    rf"^[{_SPACE}]*第[{_SPACE}]*(?P<num>[{_NUM}]+)[{_SPACE}]*(?P<level>编|編|章|节|節)"
    # a branch chapter inserted by an amendment: 第一章の二
    rf"(?:の[{_NUM}]+)?(?![のにでは、，,])"
)
#: Supplementary provisions (附则 / 附則 / 附　則（平成二九年…法律第四五号）): their articles
#: restart at 第一条 in Japanese laws.
SUPPLEMENTARY = re.compile(
    rf"^[{_SPACE}]*附[{_SPACE}]*[则則](?:[{_SPACE}]*[（(][^（）()]*[）)])?[{_SPACE}]*$"
)
#: A Japanese article caption on its own line: ``（定義）`` above ``第二条``; captions may hold
#: numerals (``（法第十条の政令で定める法令の規定）``) but are not an item label ``（一）``.
_CAPTION = re.compile(
    rf"^[{_SPACE}]*[（(](?![{_SPACE}]*[0-9０-９一二三四五六七八九十]{{1,3}}[{_SPACE}]*[）)])"
    rf"[^（）()。]{{1,40}}[）)][{_SPACE}]*$"
)
#: An appended table or form (別表第一（第三条関係）, 別記様式, 附表): the main provisions end.
APPENDIX = re.compile(
    rf"^[{_SPACE}]*(?:別表|别表|附表|別記|様式)(?:第[{_NUM}]+(?:の[{_NUM}]+)?)?"
    rf"[{_SPACE}]*(?:[（(][^（）()]*[）)])?[{_SPACE}]*(?:$|[{_SPACE}])"
)
#: A commentary's numbered section heading (``3．ガリウム・ゲルマニウム関連品目``).
_OUTLINE_HEADING = re.compile(
    rf"^[{_SPACE}]*(?P<n>[0-9０-９]{{1,2}})[．.](?![0-9０-９])[{_SPACE}]*[^{_SPACE}。，、；：:]"
    rf"[^。，；：:]{{0,30}}$"
)
#: A numbered paragraph of a Japanese law (``２　前項の規定にかかわらず``).
_JA_PARAGRAPH = re.compile(rf"^[{_SPACE}]*[0-9０-９]{{1,2}}[{_SPACE}]+[^{_SPACE}0-9０-９]")
ITEM_LABEL = re.compile(
    rf"^[{_SPACE}]*(?P<label>[（(][{_SPACE}]*[一二三四五六七八九十]{{1,3}}[{_SPACE}]*[）)]"
    rf"|[0-9０-９]{{1,2}}[．.](?![0-9０-９])|[a-zａ-ｚ][．.)）]"
    # Japanese 号: ``一　外国人`` (a kanji numeral and a space)
    rf"|[一二三四五六七八九十]{{1,3}}(?=[{_SPACE}]+[^{_SPACE}]))"
)
_ARABIC_ITEM = re.compile(
    rf"^[{_SPACE}]*(?:[0-9０-９]{{1,2}}[．.](?![0-9０-９])|[（(][0-9０-９]{{1,2}}[）)])"
)

#: Marks that open commentary, not law text: bullets, boxed headings, notes, annex labels.
_COMMENTARY_START = re.compile(
    rf"^[{_SPACE}]*(?:[・■□●○◆◇▼▽▶►▷★☆※＊*\u2022\u25aa\uf06c\uf0d8\x00①-⑳]"
    r"|【|〔参考〕|（参考）|\(参考\)|注[：:]|付属文書|附件|添付文書|別添|別紙|附属文書"
    r"|以上[ \u3000]*$|記者質問|答[：:]|问[：:]|答复|Q[0-9０-９]|A[：:])"
)
_DATE_ONLY = re.compile(
    rf"^[{_SPACE}]*[{_NUM}〇○]{{4}}[{_SPACE}]*年[{_SPACE}]*[{_NUM}]{{1,2}}[{_SPACE}]*月"
    rf"[{_SPACE}]*[{_NUM}]{{1,3}}[{_SPACE}]*日[{_SPACE}]*$"
)
_PAGE_NUMBER = re.compile(
    rf"^[{_SPACE}]*[-－‐]?[{_SPACE}]*[0-9０-９]{{1,3}}[{_SPACE}]*[-－‐]?[{_SPACE}]*$"
)
EXCERPT_MARK = re.compile(r"[～〜~][（(]?略[）)]?[～〜~]|（略）|\(略\)|……略")

#: Punctuation that closes a paragraph (a wrapped line ending elsewhere continues).
PARAGRAPH_END = tuple("。：:；;！？!?」』）)")


@dataclass(frozen=True)
class Line:
    """One line of ``Document.text`` (a block, or a printed line of one)."""

    start: int
    end: int
    raw: str

    @property
    def text(self) -> str:
        return self.raw.strip(_SPACE)

    @property
    def indented(self) -> bool:
        return self.raw[:1] in _SPACE

    @property
    def width(self) -> int:
        """Display width: a full-width character counts two."""
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in self.text)


def split_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    pos = 0
    for raw in text.split("\n"):
        lines.append(Line(pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return lines


@dataclass(frozen=True)
class Label:
    """An article label found at the start of a line."""

    style: str  # "article" (第N条) or "enum" (一、)
    label: str  # as written, spaces removed: 第10条, 第十条, 一、
    number: int | None
    start: int  # offset of the label in the text
    end: int
    footnote: bool = False  # preceded by a footnote number


def _int(numeral: str) -> int | None:
    try:
        return kanji_to_int(numeral.replace(" ", "").replace("\u3000", ""))
    except ValueError:
        return None


def article_label(line: Line) -> Label | None:
    """The 第N条 label opening ``line``, or None when the line does not start an article."""
    m = ARTICLE_LABEL.match(line.raw)
    if m is None:
        return None
    rest = line.raw[m.end() :]
    follower = rest[:1]
    if follower and follower not in _SPACE and follower in _MENTION_FOLLOWERS:
        return None
    if m.group("sub_ja") and follower in _NOT_AFTER_SUB:
        return None
    if m.group("footnote") and not (follower == "" or follower in _SPACE):
        return None
    if not rest.strip(_SPACE) and m.group("footnote"):
        return None
    if m.group("bare") and (m.group("footnote") or not follower or follower not in _SPACE):
        return None
    label = re.sub(f"[{_SPACE}]", "", m.group("label"))
    number = _int(m.group("num") or m.group("bare"))
    return Label(
        "article",
        label,
        number,
        line.start + m.start("label"),
        line.start + m.end("label"),
        bool(m.group("footnote")),
    )


def enum_label(line: Line) -> Label | None:
    m = ENUM_LABEL.match(line.raw)
    if m is None:
        return None
    rest = line.raw[m.end() :].strip(_SPACE)
    # 一、～（略）～ quotes a provision; anything else needs text after the label.
    if not rest:
        return None
    return Label(
        "enum",
        m.group("label"),
        _int(m.group("num")),
        line.start + m.start("label"),
        line.start + m.end("label"),
    )


def heading(line: Line) -> tuple[str, str] | None:
    """(level, heading text) for 第N编/章/节 headings: a short line without sentence punctuation;
    level ``附则`` for supplementary provisions, ``別表`` for an appended table or form."""
    if SUPPLEMENTARY.match(line.raw):
        return "附则", re.sub(f"[{_SPACE}]+", "", line.text)
    if APPENDIX.match(line.raw) and len(line.text) <= 40:
        return "別表", re.sub(f"[{_SPACE}]+", "", line.text)
    m = HEADING.match(line.raw)
    if m is None:
        return None
    text = line.text
    if len(text) > 40 or any(p in text for p in "。；，,："):
        return None
    level = {"編": "编", "節": "节"}.get(m.group("level"), m.group("level"))
    return level, re.sub(f"[{_SPACE}]+", " ", text)


def is_supplementary(line: Line) -> bool:
    return bool(SUPPLEMENTARY.match(line.raw))


def is_caption(line: Line) -> bool:
    return bool(_CAPTION.match(line.raw))


def outline_number(line: Line) -> int | None:
    """The number of a short numbered heading line (``2．主な内容``), else None."""
    m = _OUTLINE_HEADING.match(line.raw)
    return _int(m.group("n").translate(_FULLWIDTH)) if m else None


_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def numbered_paragraph(line: Line) -> bool:
    return bool(_JA_PARAGRAPH.match(line.raw))


def is_item(line: Line) -> str | None:
    m = ITEM_LABEL.match(line.raw)
    return m.group("label") if m else None


def is_commentary(line: Line, quoted: bool) -> bool:
    """A line that cannot belong to a law's article: it ends the article before it.

    Arabic-numbered lines (``１. 概要``, ``（1）…``) are commentary headings around a quotation
    but sub-items inside a law's own text.
    """
    if _COMMENTARY_START.match(line.raw):
        return True
    if _DATE_ONLY.match(line.raw):
        return True
    return quoted and bool(_ARABIC_ITEM.match(line.raw))


def is_skippable(line: Line) -> bool:
    """Empty lines, page numbers and bare URLs: not article text, but no end to it either."""
    text = line.text
    return not text or bool(_PAGE_NUMBER.match(text)) or text.startswith(("http://", "https://"))


def join_paragraph(lines: list[str]) -> str:
    """Wrapped lines of one paragraph: joined without a separator, except a space between
    two ASCII letters/digits (``URL：http`` … ``mofcom.gov.cn``)."""
    out = ""
    for piece in (x.strip(_SPACE) for x in lines):
        if not piece:
            continue
        if (
            out
            and out[-1].isascii()
            and out[-1].isalnum()
            and piece[0].isascii()
            and piece[0].isalnum()
        ):
            out += " "
        out += piece
    return out
