"""OCR the pages of one PDF that need it, in place, under the file's time limit.

Pages are rendered one after the other (pdfium is not thread-safe) and read two at a time
(``REGWATCH_OCR_WORKERS``), each reader single-threaded, by the engine ``engines`` names.

RapidOCR reads every script with one model: one call per page.  Tesseract reads a page in
its script's model, and the script is found once per file, cheaply, on a band of the first
page (``image.text_band``, a quarter of its height): read as Japanese + simplified Chinese,
its kana decide Japanese; a Chinese band is read again in each Chinese model alone, and the
model more confident of the characters whose forms differ wins (``script.decide``).  Every
page, the first included, is then read once in that language (a simplified first page with
the Japanese model beside, ``first_page_models``), side by side; a page whose result
contradicts it (no kana on a "Japanese" page, a low confidence) is read again.  A band with
too little text, or whose votes are too few to be sure: the first page is read whole the
same way, and the others wait for its answer; still unsure, the second page adds its votes
(``_DECIDING_PAGES``), and a page read before the decision is given in the script decided
(each such page was read in both Chinese models).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from ingest.ocr import rapid, tesseract, vertical
from ingest.ocr.chars import Transform, line_heights, off_text, page_chars, script_language
from ingest.ocr.grid import image_tables
from ingest.ocr.image import clean, deskew, find_rules, render_pages, text_band
from ingest.ocr.markers import tesseract_reader, with_markers
from ingest.ocr.marks import with_squares
from ingest.ocr.mixed import with_quoted_chinese
from ingest.ocr.script import HORIZONTAL, VERTICAL, Tally, Verdict, decide
from ingest.ocr.tesseract import Word
from ingest.pdf import RawChar, RawPage, Rule
from ingest.tables import RawTable

# 200 dpi puts a 10.5 pt CJK character at ~29 px, what the models read best: 300 dpi
# (44 px) measured worse, even on 300-dpi scans (bench/ocr.py)
DPI = int(os.environ.get("REGWATCH_OCR_DPI", "200"))
FIRST_LANG = HORIZONTAL.kana
_CHINESE = ("chi_sim", "chi_tra")
# pages read whole, in both Chinese models, while the votes are too few (script.SURE): the
# band, then page 1, then pages 1-2 (h03, a 95-character first page: z 0.2, 1.0, 5.5)
_DECIDING_PAGES = 2
_LOW_CONFIDENCE = 0.7
_TURNED_CONFIDENCE = 0.5  # below it a page may be sideways: ask orientation detection


@dataclass
class PageReading:
    """What OCR made of one page."""

    number: int
    chars: list[RawChar]
    confidence: float | None
    lang: str
    skew: float
    error: str | None = None
    turn: int = 0  # degrees the page image was turned clockwise to read it upright
    rules: list[Rule] = field(default_factory=list)  # drawn horizontal lines, in points
    tables: list[RawTable] = field(default_factory=list)  # ruled grids, cells read (grid.py)
    words: list[Word] = field(default_factory=list, repr=False)  # with their confidences
    verdict: Verdict | None = None  # the script, when this page was read to decide it
    alternative: PageReading | None = None  # unsure Chinese: read in the other script too


def _workers() -> int:
    wanted = os.environ.get("REGWATCH_OCR_WORKERS")
    if wanted and wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    return max(1, min(2, os.cpu_count() or 1))


def first_page_models(lang: str) -> str:
    """The Tesseract models the page that told the file's script is read with.  A simplified
    first page keeps the Japanese model beside chi_sim: read in chi_sim alone, the MOFCOM
    notices lost item codes (F1 0.839 -> 0.642) and thresholds (0.842 -> 0.737); later pages
    are read in chi_sim alone.  Japanese is read in jpn alone: with chi_sim beside it,
    Chinese forms came into a kanji-heavy statute (成長 -> 成长)."""
    return FIRST_LANG if lang == "chi_sim" else lang


def band_language(image: Image.Image, timeout: float) -> Verdict | None:
    """The script of a page from a band of its text (None: too little there, or Tesseract
    failed): three short calls at most instead of three over the whole page."""
    band = clean(text_band(image))
    started = time.monotonic()

    def read(models: str) -> list[Word] | None:
        left = timeout - (time.monotonic() - started)
        if left <= 1:
            return None
        try:
            words, _ = tesseract.recognize(band, DPI, models, timeout=left)
        except tesseract.OcrEngineError:
            return None
        return words

    return decide(read)


def in_script(reading: PageReading, lang: str) -> PageReading:
    """A page read before its file's script was decided, as read in ``lang``."""
    other = reading.alternative
    if reading.lang != lang and other is not None and other.lang == lang:
        return other
    return reading


def _text(reading: PageReading) -> str:
    """All a reading holds: running glyphs, then table cells (a page may be all table)."""
    cells = (cell.text for table in reading.tables for row in table.rows for cell in row)
    return "".join(c.text for c in reading.chars) + "".join(cells)


def _surer(first: PageReading, second: PageReading | None) -> PageReading:
    if second is not None and (second.confidence or 0.0) > (first.confidence or 0.0):
        return second
    return first


def _cell_reader(models: str, timeout: float) -> Callable[[Image.Image], list[Word]] | None:
    """Tesseract reading a strip of table cells as one block (``grid.reread_cells``); no
    words when it fails, so the page's own reading of the cells stands."""
    if timeout <= 1:
        return None

    def read(strip: Image.Image) -> list[Word]:
        try:
            return tesseract.recognize(strip, DPI, models, timeout=timeout, psm=6)[0]
        except tesseract.OcrEngineError:
            return []

    return read


@dataclass(frozen=True)
class _Reader:
    """Reads one page: the engine, the page, the turn (degrees clockwise) its image was
    given to stand upright."""

    engine: str
    page: RawPage
    turn: int = 0
    first: bool = False  # the page the file's script was told from
    vertical: str | None = None  # the vertical model a tategaki page is read in (vertical.py)

    def once(self, image: Image.Image, angle: float, models: str, timeout: float) -> PageReading:
        started = time.monotonic()
        recognize = rapid.recognize if self.engine == "rapidocr" else tesseract.recognize
        words, lines = recognize(image, DPI, models, timeout=timeout)
        sizes = line_heights(words, lines)  # from the first reading (chars.line_heights)
        if self.engine == "tesseract" and models == "jpn":  # quoted Chinese read again (mixed.py)
            left = timeout - (time.monotonic() - started)
            words = with_quoted_chinese(image, words, lines, DPI, left)
        if self.engine == "hybrid":  # unsure lines read again by RapidOCR (reread.py)
            words = rapid.with_second_reading(image, words, lines, models)
        elif self.engine == "tesseract":  # unsure characters read again (unsure_chars.py)
            words = rapid.with_unsure_chars(image, words, lines, models)
        words = with_squares(image, words, lines)  # ■ bullets read as 還 玉 画 (marks.py)
        if self.engine != "rapidocr":  # item markers dropped or misread (markers.py)
            left = timeout - (time.monotonic() - started)
            words = with_markers(image, words, lines, tesseract_reader(models, DPI, left))
        # boxes stay in the levelled image's frame: mapped back onto the turned page, a
        # line's characters would climb or fall and no longer make one row (at most 2° off,
        # a few pt); a page turned a quarter is read upright, its width and height swapped
        page, quarter = self.page, self.turn in (90, 270)
        width, height = (page.height, page.width) if quarter else (page.width, page.height)
        transform = Transform(scale_x=width / image.width, scale_y=height / image.height)
        glyphs, confidence = page_chars(words, lines, transform, sizes)
        left = timeout - (time.monotonic() - started)
        cells = _cell_reader(models, left) if self.engine != "rapidocr" else None
        tables, chars = image_tables(image, glyphs, transform, cells)  # ruled grids (grid.py)
        rules = [
            Rule(x0=x0 * transform.scale_x, x1=x1 * transform.scale_x, top=y * transform.scale_y)
            for x0, x1, y in off_text(find_rules(image), lines)
        ]
        # RapidOCR has no language to be read in: the page's is the script it found
        found = script_language("".join(c.text for c in glyphs)) or ""
        lang = found if self.engine == "rapidocr" else models
        return PageReading(
            page.number,
            chars,
            confidence,
            lang,
            angle,
            turn=self.turn,
            rules=rules,
            tables=tables,
            words=words,
        )

    def again(
        self, image: Image.Image, angle: float, models: str, timeout: float
    ) -> PageReading | None:
        """A further reading of a page already read: None when the engine fails on it (or
        no time is left), so the first reading stands."""
        if timeout <= 1:
            return None
        try:
            return self.once(image, angle, models, timeout)
        except tesseract.OcrEngineError:
            return None

    def _own(self, lang: str) -> str:
        """The models a page of script ``lang`` is read in by this reader."""
        if self.vertical is not None:
            return VERTICAL.of(lang)
        return first_page_models(lang) if self.first else lang

    def detect(
        self, image: Image.Image, angle: float, timeout: float, prior: Tally | None = None
    ) -> PageReading:
        """A page whose script is not known yet, read whole in the models that decide it
        (``script.decide``; ``prior``: the votes of the text read before, Chinese), then in
        its own; each reading made once.  An unsure Chinese page keeps its
        reading in the other script beside it (``alternative``)."""
        started = time.monotonic()
        readings: dict[str, PageReading] = {}

        def read(models: str) -> list[Word] | None:
            if models not in readings:
                left = timeout - (time.monotonic() - started)
                # the first reading's failure is the page's; a later one leaves the others
                if readings:
                    reading = self.again(image, angle, models, left)
                else:
                    reading = self.once(image, angle, models, timeout)
                if reading is None:
                    return None
                readings[models] = reading
            return readings[models].words

        models = VERTICAL if self.vertical is not None else HORIZONTAL
        # the band found the first page Chinese; a later page may be Japanese (a commentary
        # quoting a Chinese notice): its kana are looked for again
        verdict = decide(read, models, prior, chinese=prior is not None and self.first)
        lang = verdict.lang if verdict is not None else "jpn"

        def own(script: str) -> PageReading | None:
            read(self._own(script))
            found = readings.get(self._own(script))
            if found is not None:
                found.lang = script
            return found

        reading = own(lang) or next(iter(readings.values()))
        reading.lang, reading.verdict = lang, verdict
        if verdict is not None and not verdict.sure and lang in _CHINESE:
            reading.alternative = own(_CHINESE[1 - _CHINESE.index(lang)])
        return reading

    def upright(
        self, image: Image.Image, lang: str | None, timeout: float, prior: Tally | None = None
    ) -> PageReading:
        """An upright page: deskewed, read in ``lang`` (None: detect, ``prior`` the votes so
        far), again when that looks wrong."""
        started = time.monotonic()
        image, angle = deskew(image)
        if self.engine == "rapidocr":
            return self.once(image, angle, "", timeout)
        if self.vertical is not None and lang is None and vertical.reads_chinese():
            return self.detect(image, angle, timeout, prior)
        if self.vertical is not None:  # its script: what the vertical model read
            reading = self.once(image, angle, self.vertical, timeout)
            found = script_language(_text(reading))
            reading.lang = found or lang or "jpn"
            if lang is None and found is not None:
                reading.verdict = Verdict(found)
            return reading
        if lang is None:
            return self.detect(image, angle, timeout, prior)
        models = first_page_models(lang) if self.first else lang
        first = self.once(image, angle, models, timeout)
        first.lang = lang
        detected = script_language(_text(first))
        conf = first.confidence or 0.0
        if detected is None or (detected == lang and conf >= _LOW_CONFIDENCE):
            return first
        if lang == "jpn" and detected != "jpn":
            retry = detected
        elif conf < _LOW_CONFIDENCE:
            retry = FIRST_LANG
        else:
            return first
        if retry == models:  # read so already: the page is in the script it shows
            first.lang = detected
            return first
        left = timeout - (time.monotonic() - started)
        second = self.again(image, angle, retry, left)
        if second is not None:
            second.lang = script_language(_text(second)) or retry
        return _surer(first, second)


def read_page(
    image: Image.Image,
    page: RawPage,
    lang: str | None,
    timeout: float,
    engine: str = "tesseract",
    first: bool = False,
    prior: Tally | None = None,
) -> PageReading:
    """One page (``first``: the one the file's script was told from; ``prior``: the votes
    of pages read before while ``lang`` is None): cleaned, read upright; a page read as
    garbage (a scan fed in sideways or upside down reads at ~0.2 confidence) is turned as
    orientation detection says and read again, keeping the surer reading.  Upright pages
    pay nothing for the check."""
    started = time.monotonic()
    image = clean(image)
    # a tategaki page: turned a quarter and read in the vertical model (vertical.py); a
    # horizontal page scanned sideways shows the same blank columns, but reads as garbage
    # so (confidence ~0.2, a vertical page ~0.9) and goes on as any page read badly
    models = vertical.vertical_models(lang) or vertical.vertical_models("jpn")
    if engine != "rapidocr" and models is not None and vertical.is_vertical(image):
        reader = _Reader(engine, page, vertical.TURN, first, models)
        tategaki = reader.upright(vertical.turned(image), lang, timeout, prior)
        if (tategaki.confidence or 0.0) >= _TURNED_CONFIDENCE:
            return tategaki
    left = timeout - (time.monotonic() - started)
    reading = _Reader(engine, page, first=first).upright(image, lang, left, prior)
    if (reading.confidence or 0.0) >= _TURNED_CONFIDENCE:
        return reading
    left = timeout - (time.monotonic() - started)
    # Tesseract's OSD model turns pages for either engine (0 where Tesseract is absent)
    turn = tesseract.orientation(image, DPI, timeout=left) if left > 1 else 0
    left = timeout - (time.monotonic() - started)
    if not turn or left <= 1:
        return reading
    upright = image.rotate(-turn, expand=True, fillcolor=255)  # PIL turns counter-clockwise
    try:
        turned = _Reader(engine, page, turn, first)
        second: PageReading | None = turned.upright(upright, lang, left, prior)
    except tesseract.OcrEngineError:
        second = None
    return _surer(reading, second)


def ocr_pages(
    path: Path,
    pages: list[RawPage],
    deadline: float,
    on_page: Callable[[PageReading], None] | None = None,
    engine: str = "tesseract",
    on_script: Callable[[Verdict, int], None] | None = None,
) -> list[PageReading]:
    """Read ``pages`` of ``path`` (one reading each, in order) with ``engine``; stops at
    ``deadline`` (``time.monotonic()``), raising ``TimeoutError`` with the page it stopped
    at.  ``on_script(verdict, pages)``: the file's script once decided, and how many pages
    were read whole to decide it (0: the band of the first page sufficed)."""
    by_number = {page.number: page for page in pages}
    readings: list[PageReading] = []
    # RapidOCR needs no language; Tesseract's comes from the first page's band, or failing
    # that from the first pages read whole (``waiting``: the others wait for it)
    lang: str | None = None
    waiting = engine != "rapidocr"
    prior: Tally | None = None  # votes of the pages read while still unsure (``held``)
    held: list[PageReading] = []
    workers = _workers()
    pending: list[tuple[int, Future[PageReading]]] = []

    def give(reading: PageReading) -> None:
        readings.append(reading)
        if on_page is not None:
            on_page(reading)

    def take() -> None:
        nonlocal lang, waiting, prior
        number, future = pending.pop(0)
        try:
            reading = future.result()
        except tesseract.OcrEngineError as exc:
            reading = PageReading(number, [], None, lang or "", 0.0, error=str(exc))
        decided = reading.verdict if waiting and not reading.error else None
        if decided is not None and not decided.sure and len(held) + 1 < _DECIDING_PAGES:
            prior = decided.tally  # too few votes: the next page is read to add its own
            held.append(reading)
            return
        if decided is None and held and prior is not None:  # the next page told nothing
            decided = Verdict(prior.lang, prior)
        if decided is None:
            give(reading)
            return
        lang, waiting = decided.lang, False
        if on_script is not None:
            on_script(decided, len(held) + 1)
        for page_reading in (*held, reading):
            give(in_script(page_reading, lang))
        held.clear()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for index, (number, image) in enumerate(render_pages(path, [p.number for p in pages], DPI)):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(number)
            # a vertical first page is read whole (turned), its script told from that
            if index == 0 and waiting and not vertical.is_vertical(image):
                band = band_language(image, left)
                if band is not None and band.sure:
                    lang, waiting = band.lang, False
                    if on_script is not None:
                        on_script(band, 0)
                elif band is not None:  # Chinese, too few votes: page 1 read in both models
                    prior = Tally()
            while pending and ((waiting and index <= _DECIDING_PAGES) or len(pending) >= workers):
                take()
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(number)
            job = pool.submit(
                read_page, image, by_number[number], lang, left, engine, index == 0, prior
            )
            pending.append((number, job))
            while pending and pending[0][1].done():
                take()
        while pending:
            take()
        if held and prior is not None:  # the file ended while still unsure: its best guess
            if on_script is not None:
                on_script(Verdict(prior.lang, prior), len(held))
            for reading in held:
                give(in_script(reading, prior.lang))
    if time.monotonic() > deadline:
        raise TimeoutError(readings[-1].number if readings else pages[0].number)
    return readings
