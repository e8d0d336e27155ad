"""Simplified Chinese quoted on a Japanese page: its lines read again with both models.

A Japanese commentary quotes Chinese titles (「稀土开采和稀土冶炼分离…」); the Japanese
model reads their simplified glyphs as garbage (稀土井来和笑土治米分高…), and that garbled
title then names the law of the quoted articles.  The two models together read such a line
well (稀土开采和稀土治炼分离…（中華人民共和国工業和信息化部サイト）, the Japanese kept
Japanese), but read a whole Japanese page they put Chinese forms into its kanji (成長 -> 成长).

So only the lines that look garbled are read again, all in one Tesseract call (their crops
stacked into one strip, read as a block): a line with a run of Han characters and an unsure
reading (``reconcile.may_quote_chinese``).  The second reading replaces the line only
where it shows Chinese the Japanese model could not have read: Han characters that Japanese
does not write (outside cp932) standing where the Japanese reading has a different character
even after folding variants (``fold_han``: 総 and 总 are the same word, 井 and 开 are not).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable

from PIL import Image

from ingest.ocr import tesseract
from ingest.ocr.reconcile import may_quote_chinese, shows_quoted_chinese
from ingest.ocr.reread import replace_lines
from ingest.ocr.tesseract import LineBox, Word

MIXED_LANG = "jpn+chi_sim"
_PAD = 3  # pixels kept around each crop (more takes in the ink of the lines beside it)
_GAP = 1.0  # white between stacked crops, in line heights

Reader = Callable[[Image.Image, str, int], tuple[list[Word], list[LineBox]]]


def _line_text(words: list[Word]) -> str:
    return "".join(w.text for w in words)


def prefer_mixed(japanese: str, mixed: str) -> bool:
    """Whether the second reading of a line shows Chinese the first could not read, and
    keeps its Japanese: read as one block, a Japanese line can come out all Han in the two
    models (化石燃料課金の過課に関する事項 -> 化石燃料赋课金四贱课亿阅广召事项), its kana gone."""
    return shows_quoted_chinese(japanese, mixed)


def _strip(image: Image.Image, boxes: list[LineBox]) -> tuple[Image.Image, list[tuple[int, int]]]:
    """The crops of ``boxes`` stacked in one white image; each crop's (top, bottom) in it."""
    crops = [
        image.crop(
            (
                max(0, box.left - _PAD),
                max(0, box.top - _PAD),
                min(image.width, box.left + box.width + _PAD),
                min(image.height, box.top + box.height + _PAD),
            )
        )
        for box in boxes
    ]
    gap = round(_GAP * statistics.median(box.height for box in boxes))
    width = max(c.width for c in crops) + 2 * _PAD
    height = sum(c.height for c in crops) + gap * (len(crops) + 1)
    strip = Image.new("L", (width, height), 255)
    bands: list[tuple[int, int]] = []
    y = gap
    for crop in crops:
        strip.paste(crop, (_PAD, y))
        bands.append((y, y + crop.height))
        y += crop.height + gap
    return strip, bands


def reread_mixed_lines(
    image: Image.Image, words: list[Word], lines: list[LineBox], read: Reader
) -> list[Word]:
    """``words`` with the lines that read better in Japanese + simplified Chinese replaced
    by that reading (in page pixels, the line keys kept); ``read(image, lang, psm)`` is the
    engine."""
    by_line: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        by_line.setdefault(word.line, []).append(word)
    boxes = [box for box in lines if box.key in by_line and may_quote_chinese(by_line[box.key])]
    if not boxes:
        return words
    strip, bands = _strip(image, boxes)
    strip_words, _ = read(strip, MIXED_LANG, 6)  # 6: one block of uniform lines
    replaced: dict[tuple[int, int, int], list[Word]] = {}
    for box, (top, bottom) in zip(boxes, bands, strict=True):
        inside = [w for w in strip_words if top <= w.top + w.height / 2 < bottom]
        inside.sort(key=lambda w: (w.line, w.left))
        mixed = _line_text(inside)
        if not prefer_mixed(_line_text(by_line[box.key]), mixed):
            continue
        dx = max(0, box.left - _PAD) - _PAD
        dy = max(0, box.top - _PAD) - top
        replaced[box.key] = [
            Word(w.text, w.left + dx, w.top + dy, w.width, w.height, w.conf, box.key)
            for w in inside
        ]
    return replace_lines(words, by_line, replaced)


def with_quoted_chinese(
    image: Image.Image, words: list[Word], lines: list[LineBox], dpi: int, timeout: float
) -> list[Word]:
    """A Tesseract ``jpn`` reading of ``image`` with its garbled quoted-Chinese lines read
    again (``reread_mixed_lines``); as it was when that fails or time is short."""
    if timeout <= 1:
        return words

    def read(strip: Image.Image, lang: str, psm: int) -> tuple[list[Word], list[LineBox]]:
        return tesseract.recognize(strip, dpi, lang, timeout=timeout, psm=psm)

    try:
        return reread_mixed_lines(image, words, lines, read)
    except tesseract.OcrEngineError:
        return words
