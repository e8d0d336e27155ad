"""Codes that identify controlled things, and runs of document numbers.

* Control codes in the ECCN-like form of the Chinese dual-use list (``1E902.a``, ``1C902``):
  one digit, a category letter A-E, three digits, optional ``.a`` sub-paragraphs.  The shape is
  distinctive enough to be taken anywhere except inside URLs.
* HS / customs codes (``8505111000``, ``28053011``, ``2846.90``): bare digit runs that look
  like dates, amounts or URL fragments, so they count only after a customs keyword
  (``海关商品编号``, ``HSコード``, ``税番`` ...) as part of the run that keyword introduces.
* Runs of announcement numbers (``公告2025年第55号、56号、57号``): the elliptical members are
  expanded with the issuer and year of the full number before them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.numbers import to_halfwidth_digits

CONTROL_CODE = re.compile(
    r"(?<![0-9A-Za-z０-９Ａ-Ｚａ-ｚ./_-])[0-9０-９][A-EＡ-Ｅ][0-9０-９]{3}(?:[.．][a-zａ-ｚ0-9]{1,3})*"
    r"(?![0-9A-Za-z０-９Ａ-Ｚａ-ｚ/_-])"
)
_HS_KEYWORD = re.compile(
    r"(?:HS|ＨＳ|H\.S\.)\s*(?:コード|code|编码|編碼|编号|番号)?|海关商品编号|海关编码|商品编号|商品編号|"
    # Japanese renderings of 参考海关商品编号 in translated notices: 参考関税商品番号,
    # 参考関税コード, 関税率コード, 税関商品番号
    r"(?:関税|税関)(?:商品|品目|率)?(?:番号|コード)|"
    r"税则号列?|税則番号|税番|関税番号|統計品目番号|tariff\s+(?:code|heading|number)",
    re.IGNORECASE,
)
# A justified line may spread one code's digits (``841111101 0``): one space between two
# digits is allowed, and the code is read without it.
_D = "[0-9０-９]"
_HS_CODE = re.compile(
    rf"(?<![0-9０-９.．])(?:{_D}{{4}}[.．]{_D}{{2}}(?:[.．]{_D}{{2,4}})?|"
    rf"(?:{_D} ?){{9}}{_D}|(?:{_D} ?){{7}}{_D}|{_D}{{6}})(?! ?[0-9０-９])"
)
# Between the keyword and the first code, and between codes: a colon, 参考, white space, 、
_HS_GAP = re.compile(r"(?:及び|および|又は|または|[\s：:、，,；;/及和或与])*(?:参考)?[\s：:]*")
_URL = re.compile(r"https?://\S+|www\.\S+")


@dataclass(frozen=True)
class CodeMatch:
    start: int
    end: int
    code: str
    kind: str  # "control" or "hs"


def _url_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _URL.finditer(text)]


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    return any(a <= pos < b for a, b in spans)


def normalise_code(code: str) -> str:
    """ASCII digits, upper-case category letter, lower-case sub-paragraphs, ASCII dots."""
    code = to_halfwidth_digits(code).translate(str.maketrans("ＡＢＣＤＥ．", "ABCDE."))
    return code.translate(
        str.maketrans(
            "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ", "abcdefghijklmnopqrstuvwxyz"
        )
    )


def find_codes(text: str) -> list[CodeMatch]:
    """Every control code and every keyword-introduced HS code in ``text``, in order."""
    urls = _url_spans(text)
    found: list[CodeMatch] = [
        CodeMatch(m.start(), m.end(), normalise_code(m.group()), "control")
        for m in CONTROL_CODE.finditer(text)
        if not _inside(urls, m.start())
    ]
    for kw in _HS_KEYWORD.finditer(text):
        pos = kw.end()
        while True:
            gap = _HS_GAP.match(text, pos)
            at = gap.end() if gap else pos
            code = _HS_CODE.match(text, at)
            if code is None or _inside(urls, at):
                break
            written = code.group().replace(" ", "")
            found.append(CodeMatch(code.start(), code.end(), normalise_code(written), "hs"))
            pos = code.end()
    found.sort(key=lambda c: c.start)
    return found


# ---------------------------------------------------------------- document-number runs

_SPACE = r"[ \t\u3000]*"
_FULL_NUMBER = re.compile(
    rf"(?P<issuer>[^\s、，,。；;：:「」“”（）()《》〈〉号0-9０-９]{{1,24}}?公告){_SPACE}"
    rf"(?P<year>[0-9０-９]{{4}}){_SPACE}年?{_SPACE}第{_SPACE}(?P<num>[0-9０-９]{{1,4}}){_SPACE}号"
)
_ELLIPTIC_NUMBER = re.compile(rf"{_SPACE}(?:第{_SPACE})?(?P<num>[0-9０-９]{{1,4}}){_SPACE}号")
_CONJUNCTION = r"(?:および|及び|ならびに|並びに|以及|及|和|与|and)"
_RUN_SEPARATOR = re.compile(
    rf"{_SPACE}\n?{_SPACE}(?:[、，,]\n?{_SPACE}{_CONJUNCTION}?|{_CONJUNCTION})\n?{_SPACE}"
)


@dataclass(frozen=True)
class NumberedDoc:
    start: int
    end: int
    text: str  # as written
    expanded: str  # issuer + year + number
    key: tuple[int, int]  # (year, number): the same document in any language


def find_number_runs(text: str, min_items: int = 3) -> list[list[NumberedDoc]]:
    """Runs of announcement numbers joined by 、/および/和 with at least ``min_items`` members."""
    runs: list[list[NumberedDoc]] = []
    pos = 0
    while True:
        first = _FULL_NUMBER.search(text, pos)
        if first is None:
            return runs
        run: list[NumberedDoc] = []
        issuer, year = "", 0
        cursor = first.start()
        while True:
            sep = _RUN_SEPARATOR.match(text, cursor) if run else None
            if run and sep is None:
                break  # two numbers side by side (a title's own number, then the list)
            at = sep.end() if sep else cursor
            full = _FULL_NUMBER.match(text, at)
            if full is not None:
                issuer = re.sub(r"\s+", "", full.group("issuer"))
                year = int(to_halfwidth_digits(full.group("year")))
                num = int(to_halfwidth_digits(full.group("num")))
                match: re.Match[str] = full
            else:
                short = _ELLIPTIC_NUMBER.match(text, at) if run else None
                if short is None:
                    break
                num = int(to_halfwidth_digits(short.group("num")))
                match = short
            written = re.sub(r"\s+", "", match.group())
            run.append(
                NumberedDoc(
                    start=match.start() + (len(match.group()) - len(match.group().lstrip())),
                    end=match.end(),
                    text=written,
                    expanded=f"{issuer}{year}年第{num}号",
                    key=(year, num),
                )
            )
            cursor = match.end()
        if len(run) >= min_items:
            runs.append(run)
        pos = max(cursor, first.end())
