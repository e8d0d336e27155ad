"""Tesseract words -> ``RawChar`` glyphs in PDF points, as the text layer would give them.

A word box is shared among its characters (a CJK character counts as one em, others as
about half); every character of a line gets the line's height, snapped to the page's usual
height when close to it, so the layout sees one font size for the body.  A gap of about
one em between CJK characters becomes a drawn U+3000 (the statute field separator
``第十五条　国家…``), and ASCII punctuation Tesseract reads beside CJK text becomes the
full-width form a Chinese or Japanese text layer has.
"""

from __future__ import annotations

import itertools
import statistics
import unicodedata
from dataclasses import dataclass

from ingest.ocr.tesseract import LineBox, Word
from ingest.pdf import RawChar

FONT = "OCR"
_FULL_WIDTH = {"(": "（", ")": "）", ":": "：", ";": "；", ",": "，", "!": "！", "?": "？"}
_QUOTES = set("\"'“”‘’`")
_GAP_MARKS = _QUOTES | set("|[]{}")
_SURE_MARK = 80.0  # word confidence from which such a mark inside a CJK line is believed
_IDEOGRAPHIC_SPACE = "\u3000"
_PROLONGED = "ー"  # U+30FC, only ever after kana
_DASH = "―"  # U+2015, the dash of Japanese text (Shift_JIS 815C)
_AFTER_NUMERAL = set("、．.条條項号號款章節編目")  # 一、 第一条 第一項 …
_BEFORE_NUMERAL = set("第十百千")  # 第一 二十一 …
_INSIDE = 2  # pixels inside a line's box for a run of ink to be one of its strokes
_NUMERALS = set("〇一二三四五六七八九十百千")
# full-width marks inked on the left of the cell, and on the right
_INK_LEFT = set("。、，．）」』】〕〉》：；！？・")
_INK_RIGHT = set("（「『【〔〈《")
# A line's size within these ratios of the page's usual size is that size (one font read
# with the estimate's noise).  Measured on the dev first pages: body lines 0.907-1.094x the
# usual (min, p99), smaller print (notes, headers, 7.5-9.5 pt beside 10.5-12 pt) at most
# 0.88x.  At the old 0.8-1.25 a 16 pt title over 12 pt body (1.23x) was snapped into the body
# and left the title, and an 8 pt note's short last line (``六条を参照されたい。``, 0.81x)
# into the body size, which ended the page's run of small print: no footnote zone, and the
# notes ran into the article above them.
_SNAP_LOW, _SNAP_HIGH = 0.89, 1.12


def is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


@dataclass(frozen=True, slots=True)
class Transform:
    """Image pixels -> PDF points."""

    scale_x: float
    scale_y: float

    def point(self, x: float, y: float) -> tuple[float, float]:
        return x * self.scale_x, y * self.scale_y


def _split(word: Word, left: float, right: float) -> list[tuple[str, float, float]]:
    """``(char, left, right)`` in pixels: ``[left, right)`` shared by character weight."""
    weights = [1.0 if is_wide(ch) else 0.55 for ch in word.text]
    total = sum(weights) or 1.0
    out: list[tuple[str, float, float]] = []
    x = left
    for ch, weight in zip(word.text, weights, strict=True):
        step = (right - left) * weight / total
        out.append((ch, x, x + step))
        x += step
    return out


def _junk(word: Word) -> bool:
    """A lone unsure quote: what Tesseract reads in a wide gap (``第十五条”国家``)."""
    return len(word.text) == 1 and word.text in _QUOTES and word.conf < 70


def _stray_marks(pieces: list[tuple[str, float, float]], confs: list[float]) -> range:
    """The pieces Tesseract made of the blank after a statute label (``第二条　国家`` read
    ``第二条”国家``, ``第二條[本法``, ``第三條|]本法``): one run of quotes, bars or brackets,
    the only such marks on the line, between two CJK characters, in an unsure word.  A real
    quotation or bracket has its pair on the line and is read surely.  Empty: none."""
    marks = [i for i, piece in enumerate(pieces) if piece[0] in _GAP_MARKS]
    if not marks or marks[-1] - marks[0] + 1 != len(marks):
        return range(0)
    first, last = marks[0], marks[-1]
    if first == 0 or last == len(pieces) - 1:
        return range(0)
    if max(confs[first : last + 1]) >= _SURE_MARK:
        return range(0)
    if is_wide(pieces[first - 1][0]) and is_wide(pieces[last + 1][0]):
        return range(first, last + 1)
    return range(0)


def _widen(chars: list[str]) -> list[str]:
    """ASCII punctuation next to a CJK character -> its full-width form."""
    out = list(chars)
    for i, ch in enumerate(chars):
        if ch not in _FULL_WIDTH:
            continue
        before = next((c for c in reversed(chars[:i]) if c != " "), "")
        after = next((c for c in chars[i + 1 :] if c != " "), "")
        if ch == "," and before.isdigit() and after.isdigit():
            continue
        if (before and is_wide(before)) or (after and is_wide(after)):
            out[i] = _FULL_WIDTH[ch]
    return out


# Tesseract's jpn and chi models read a 5 as $ or S in a CJK line (罰金$億円以下, 価格の$倍).
_FIVE_LOOKALIKES = set("$S＄")
_NUMBER_AFTER = set("億万萬亿千百兆円元倍%％")


def _digits(chars: list[str]) -> list[str]:
    """A ``$`` or ``S`` between CJK text (or a digit, or at a line start) and a number's unit
    (億 万 円 倍 %) is a misread 5.  Before a digit it stays (``$5億``, ``US$50``: a dollar)."""
    out = list(chars)
    for i, ch in enumerate(chars):
        if ch not in _FIVE_LOOKALIKES or i + 1 >= len(chars):
            continue
        before = chars[i - 1] if i else ""
        if chars[i + 1] in _NUMBER_AFTER and (not before or is_wide(before) or before.isdigit()):
            out[i] = "5"
    return out


def _leading_numeral(
    pieces: list[tuple[str, float, float]], height: float
) -> list[tuple[str, float, float]]:
    """A line that opens with ``ー`` (or the stroke read twice, ``ーー``) and then a blank of
    about an em is an item numbered 一 (``一　「原子力」とは``, e-Gov statutes): the blank is the
    field separator after the label.  A dash runs into its text (``―レアアース…``, 8 px)."""
    run = 0
    while run < min(2, len(pieces) - 1) and pieces[run][0] == _PROLONGED:
        run += 1
    if not run or pieces[run][1] - pieces[run - 1][2] <= 0.8 * height:
        return pieces
    return [("一", pieces[0][1], pieces[run - 1][2]), *pieces[run:]]


def _dashes(chars: list[str]) -> list[str]:
    """A prolonged-sound mark ``ー`` that follows no kana is misread: the numeral 一 where a
    numeral stands (``ー、`` opening an enumeration, ``第ー条``, ``十ー``, ``（ー）``), else a
    dash (``―レアアース管理条例の下位規則``, a subtitle; read as ``ー`` it joined the title
    above it).  The three are one stroke to the models."""
    out = list(chars)
    for i, ch in enumerate(chars):
        if ch != _PROLONGED:
            continue
        before = next((c for c in reversed(out[:i]) if c != " "), "")
        if before == _PROLONGED or _kana(before):
            continue
        after = next((c for c in chars[i + 1 :] if c != " "), "")
        numeral = (
            after in _AFTER_NUMERAL
            or before in _BEFORE_NUMERAL
            or (before in "（(〔" and after in "）)〕")
        )
        out[i] = "一" if numeral else _DASH
    return out


def _writes_cjk(text: str) -> bool:
    return any(_han(ch) or _kana(ch) for ch in text)


def _line_height(words: list[Word], box: LineBox | None) -> float:
    """A line's font size in pixels: the lower of its box height and the median height of
    its CJK words (a CJK glyph inks about its em).  Either alone errs upward on some lines:
    a box spans Latin ascenders and descenders and tall brackets (an 8 pt footnote holding a
    URL measured as tall as a 10.5 pt body line; ``（通知公告转载·节选）`` at 7.5 pt 1.4 em),
    and Tesseract's LSTM word boxes on Chinese often reach into the next line (heights 31
    and 47 px alternating on one 12 pt title line: its median jumped from line to line of one
    title, 14 pt then 11 pt, and a 12 pt heading measured 18 pt).  Measured on the dev first
    pages (381 CJK lines against the text layer's sizes): estimate / true size 0.86-0.95
    (p5-p95; words alone 0.86-1.22, box alone 0.90-1.03), lines of one size in one file at
    most 1.15x apart (words alone 1.83x)."""
    height = float(box.height) if box is not None else None
    cjk = [w.height for w in words if _writes_cjk(w.text)]
    if cjk:
        median = float(statistics.median(cjk))
        return min(median, height) if height is not None else median
    if height is not None:
        return height
    return float(max(w.top + w.height for w in words) - min(w.top for w in words))


def line_heights(words: list[Word], lines: list[LineBox]) -> dict[tuple[int, int, int], float]:
    """Each line's font size in pixels (``_line_height``).  Taken from the engine's own
    reading, before a line is read again (``mixed.py``, a re-read crop): a second reading
    replaces a line's text, not its geometry, and the words it makes carry the crop's or
    the line box's height (a bracketed 7.5 pt header re-read measured 11 pt, its title's
    size, and took the title's place)."""
    boxes = {line.key: line for line in lines}
    by_line: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        by_line.setdefault(word.line, []).append(word)
    return {k: _line_height(ws, boxes.get(k)) for k, ws in by_line.items()}


def page_chars(
    words: list[Word],
    lines: list[LineBox],
    transform: Transform,
    sizes: dict[tuple[int, int, int], float] | None = None,
) -> tuple[list[RawChar], float | None]:
    """The glyphs of one page and its mean word confidence (0-1, by characters); ``sizes``:
    ``line_heights`` of the first reading, when ``words`` holds lines read again."""
    boxes = {line.key: line for line in lines}
    by_line: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        by_line.setdefault(word.line, []).append(word)
    measured = line_heights(words, lines)
    sizes_px = {k: (sizes or {}).get(k, measured[k]) for k in by_line}
    heights = [sizes_px[k] for k, ws in by_line.items() if len(ws) > 1]
    usual = statistics.median(heights) if heights else None
    glyphs: list[RawChar] = []
    weighted = count = 0.0
    for key, line_words in by_line.items():
        box = boxes.get(key)
        top = box.top if box else min(w.top for w in line_words)
        bottom = box.top + box.height if box else max(w.top + w.height for w in line_words)
        height = sizes_px[key]
        if usual and _SNAP_LOW < height / usual < _SNAP_HIGH:
            height = float(usual)
        centre = (top + bottom) / 2
        pieces: list[tuple[str, float, float]] = []
        confs: list[float] = []
        kept = [w for w in line_words if not _junk(w)]
        right = float("-inf")
        for index, word in enumerate(kept):
            # Tesseract's order is the reading order, its word boxes can overlap the next
            # words (``(包含`` over ``球化石墨``): clip each box between its neighbours
            left = max(float(word.left), right)
            end = float(word.left + word.width)
            following = kept[index + 1].left if index + 1 < len(kept) else None
            if following is not None and following > left:
                end = min(end, float(following))
            right = max(end, left + 1.0)
            pieces.extend(_split(word, left, right))
            confs.extend([word.conf] * len(word.text))
            if word.conf >= 0:
                weighted += word.conf * len(word.text)
                count += len(word.text)
        stray = _stray_marks(pieces, confs)
        if stray:  # the blank they were made of: the statute field separator
            before, after = pieces[stray.start - 1][2], pieces[stray.stop][1]
            gap = (_IDEOGRAPHIC_SPACE, before, max(before, after))
            pieces[stray.start : stray.stop] = [gap]
        pieces = _leading_numeral(pieces, height)
        texts = _digits(_dashes(_widen([p[0] for p in pieces])))
        pitch = _pitch(pieces, height)
        last: tuple[str, float, float] | None = None
        for index, (text, (_, left, right)) in enumerate(zip(texts, pieces, strict=True)):
            # the line so far is a numeral of at most three characters: a 号 label (四　一キロ…)
            label = 0 < index <= 3 and all(t in _NUMERALS for t in texts[:index])
            if last is not None and _separated(last, (text, left, right), pitch, height, label):
                glyphs.append(_glyph(_IDEOGRAPHIC_SPACE, last[2], left, centre, height, transform))
            glyphs.append(_glyph(text, left, right, centre, height, transform))
            last = (text, left, right)
    confidence = round(weighted / count / 100, 3) if count else None
    return glyphs, confidence


def _pitch(pieces: list[tuple[str, float, float]], height: float) -> float:
    """The usual advance from one CJK character to the next on a line, in pixels: the
    median distance between the centres of neighbours (an em, or more where the line is
    spaced out or justified); the line height when the line has too few to say."""
    steps = [
        (b[1] + b[2] - a[1] - a[2]) / 2
        for a, b in itertools.pairwise(pieces)
        if is_wide(a[0]) and is_wide(b[0])
    ]
    steps = [step for step in steps if 0 < step < 2 * height]
    return float(statistics.median(steps)) if len(steps) >= 3 else height


def _separated(
    last: tuple[str, float, float],
    piece: tuple[str, float, float],
    pitch: float,
    height: float,
    after_label: bool = False,
) -> bool:
    """A blank of about one em between two CJK characters: a drawn U+3000 (the statute
    field separator ``第十五条　国家``).  ``after_label``: ``last`` ends a numeral that opens
    the line, so a numeral after the blank starts the item's text (``四　一キログラム以上``)."""
    (before, _, before_right), (text, left, right) = last, piece
    if not (is_wide(before) and is_wide(text)):
        return False
    # never before a closing mark or after an opening one (三 blank 、), nor inside a numeral
    if text in _INK_LEFT or before in _INK_RIGHT:
        return False
    if before in _NUMERALS and text in _NUMERALS and not after_label:  # 第二十 三条
        return False
    # ink boxes: a full-width 。、）「 inks half its cell, leaving blank beside it; half a
    # cell blank on each side of 、《 : one more half em
    # The blank is measured over what the line leaves between characters anyway: a spaced-out
    # line (MOFCOM web pages, 1.6 em a character) and Tesseract's loose boxes on its narrow
    # glyphs (以, 下) made 具有以　下所有　特性 and broke 参考　海关商品编号 (item codes lost).
    halves = (before in _INK_LEFT) + (text in _INK_RIGHT)
    blank = left - before_right - max(0.0, pitch - height)
    if not (0.8 + 0.5 * halves) * height < blank < 2.5 * height:
        return False
    advance = (left + right) / 2 - (last[1] + before_right) / 2
    return advance - pitch > (0.7 + 0.25 * halves) * height


def off_text(rules: list[tuple[int, int, int]], lines: list[LineBox]) -> list[tuple[int, int, int]]:
    """The ``(left, right, top)`` rules that run through no text line: ink inside a line's
    box is its characters' strokes (一 二 工 side by side on a spaced-out line, joined by the
    blur), not a drawn line.  Taken for rules, such strokes on a MOFCOM notice put a footnote
    separator above its ``(1)`` items, which became footnotes and left the item lists."""
    return [
        (left, right, top)
        for left, right, top in rules
        if not any(
            line.top + _INSIDE < top < line.top + line.height - _INSIDE
            and left < line.left + line.width
            and right > line.left
            for line in lines
        )
    ]


def _glyph(
    text: str, left: float, right: float, centre: float, height: float, transform: Transform
) -> RawChar:
    mid_x, mid_y = transform.point((left + right) / 2, centre)
    half_w = (right - left) * transform.scale_x / 2
    half_h = height * transform.scale_y / 2
    return RawChar(
        text,
        round(mid_x - half_w, 2),
        round(mid_x + half_w, 2),
        round(mid_y - half_h, 2),
        round(mid_y + half_h, 2),
        round(2 * half_h, 2),
        FONT,
    )


# ------------------------------------------------------------------------ script


def _kana(ch: str) -> bool:
    return "\u3041" <= ch <= "\u30fa" or "\u31f0" <= ch <= "\u31ff"


def _han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


# Traditional forms that neither simplified Chinese nor modern Japanese writes.
_TRADITIONAL = set("這們說對會於與關點當從發來國為經產區實總應將條處麼禮門問題")
_SIMPLIFIED = set("这们说对会于与关点当从发来国为经产区实总应将条处么礼门问题")


def script_language(text: str) -> str | None:
    """The Tesseract language a page's text is written in: ``jpn``, ``chi_tra``, ``chi_sim``
    (None: too little CJK text to say)."""
    han = sum(1 for ch in text if _han(ch))
    kana = sum(1 for ch in text if _kana(ch))
    if han + kana < 20:
        return None
    if kana >= 0.05 * (han + kana):
        return "jpn"
    traditional = sum(1 for ch in text if ch in _TRADITIONAL)
    simplified = sum(1 for ch in text if ch in _SIMPLIFIED)
    return "chi_tra" if traditional > max(3, 2 * simplified) else "chi_sim"
