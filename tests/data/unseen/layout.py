"""A small page renderer for the unseen set, unlike the dev and held-out renderers.

Fonts are reportlab's built-in, non-embedded CID fonts (STSong-Light for Chinese,
HeiseiMin-W3 / HeiseiKakuGo-W5 for Japanese), optionally with ASCII letters and digits set
in Times-Roman, as documents typed in a word processor often have them; page numbers in
forms the dev sets do not use (``Page n of m``, ``· n ·``, ``- n -`` at the top, ``p. n``,
``－n－``, full-width ``n／m``), one- and two-line running headers, footnotes under a
short rule, hanging indents for Japanese 号 and イロハ.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

rl_config.invariant = 1  # byte-reproducible output

for _name in ("STSong-Light", "HeiseiMin-W3", "HeiseiKakuGo-W5"):
    if _name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_name))

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)
A5 = (148 * MM, 210 * MM)
B5 = (182 * MM, 257 * MM)
K16 = (184 * MM, 260 * MM)  # Chinese 16开

# Marks that may hang past the right margin instead of starting a line (kinsoku).
_NO_START = set("。，、；：,.;:）)」』】〕！？")


@dataclass
class Style:
    page: tuple[float, float]
    font: str
    size: float
    leading: float
    margins: tuple[float, float, float, float]  # left, right, top, bottom
    latin: str | None = None  # font for ASCII letters and digits
    title_font: str | None = None
    title_size: float = 16
    title_marker: str = ""  # glued to the printed title (a footnote mark)
    header: list[str] = field(default_factory=list)
    header_align: str = "center"
    header_from: int = 1
    header_rule: bool = True
    folio: Callable[[int, int], str] = lambda n, m: str(n)
    folio_at: str = "bottom-center"  # bottom-center, bottom-right, bottom-outer, top-center
    para_indent: float = 2.0  # first-line indent of a paragraph, in em
    item_indent: float = 1.0  # per level, in em
    japanese: bool = False


def _font_of(ch: str, style: Style) -> str:
    if style.latin and ch.isascii() and (ch.isalnum() or ch in ".-/%"):
        return style.latin
    return style.font


def text_width(text: str, style: Style, size: float, font: str | None = None) -> float:
    if font:
        return pdfmetrics.stringWidth(text, font, size)
    return sum(pdfmetrics.stringWidth(ch, _font_of(ch, style), size) for ch in text)


def _tokens(text: str) -> list[str]:
    """ASCII words stay whole; every other character is its own token."""
    out: list[str] = []
    for ch in text:
        if (
            out
            and ch.isascii()
            and ch.isalnum()
            and out[-1][-1:].isascii()
            and out[-1][-1:].isalnum()
        ):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def wrap(text: str, first: float, rest: float, style: Style, size: float) -> list[str]:
    lines: list[str] = []
    line, avail = "", first
    for tok in _tokens(text):
        w = text_width(line + tok, style, size)
        if w > avail and line and tok not in _NO_START:
            lines.append(line)
            line, avail = tok, rest
        else:
            line += tok
    if line:
        lines.append(line)
    return lines


@dataclass
class Placed:
    x: float
    text: str
    size: float
    font: str | None = None  # None: body font with the latin fallback
    center: bool = False
    right: bool = False
    gap_before: float = 0.0
    superscript: str = ""


class Renderer:
    def __init__(self, style: Style) -> None:
        self.style = style
        self.lines: list[Placed] = []
        self.notes: list[str] = []

    # -- building -------------------------------------------------------------------
    def _width(self) -> float:
        s = self.style
        return s.page[0] - s.margins[0] - s.margins[1]

    def title(self, text: str) -> None:
        s = self.style
        font = s.title_font or s.font
        for part in wrap(text + s.title_marker, self._width(), self._width(), s, s.title_size):
            self.lines.append(Placed(0, part, s.title_size, font, center=True, gap_before=6))
        self.lines[-1].gap_before = self.lines[-1].gap_before or 0
        self.lines.append(Placed(0, "", s.size, gap_before=4))

    def block(self, text: str, indent: float, hang: float, *, gap: float = 0.0) -> None:
        s = self.style
        em = s.size
        sup = ""
        if text.endswith("]") and "[^" in text:
            text, sup = text[: text.rindex("[^")], text[text.rindex("[^") + 2 : -1]
        width = self._width()
        parts = wrap(text, width - indent * em, width - hang * em, s, s.size)
        for i, part in enumerate(parts):
            x = (indent if i == 0 else hang) * em
            last = i == len(parts) - 1
            self.lines.append(
                Placed(
                    x,
                    part,
                    s.size,
                    gap_before=gap if i == 0 else 0,
                    superscript=sup if last else "",
                )
            )

    def centered(self, text: str, size: float | None = None, font: str | None = None) -> None:
        self.lines.append(Placed(0, text, size or self.style.size, font, center=True, gap_before=2))

    def right(self, text: str) -> None:
        self.lines.append(Placed(0, text, self.style.size, right=True))

    def note(self, text: str) -> None:
        self.notes.append(text)

    # -- output ---------------------------------------------------------------------
    def _paginate(self) -> list[list[tuple[float, Placed]]]:
        s = self.style
        top = s.page[1] - s.margins[2]
        note_room = (len(self.notes) * s.size * 0.85 * 1.4 + 12) if self.notes else 0
        pages: list[list[tuple[float, Placed]]] = [[]]
        y = top
        for ln in self.lines:
            step = ln.gap_before + (ln.size * 1.5 if ln.font else s.leading)
            floor = s.margins[3] + (note_room if len(pages) == 1 else 0)
            if y - step < floor:
                pages.append([])
                y = top
            y -= step
            pages[-1].append((y, ln))
        return pages

    def _draw_text(self, c: canvas.Canvas, x: float, y: float, ln: Placed) -> float:
        s = self.style
        if ln.font:
            c.setFont(ln.font, ln.size)
            c.drawString(x, y, ln.text)
            return x + pdfmetrics.stringWidth(ln.text, ln.font, ln.size)
        for ch in ln.text:
            font = _font_of(ch, s)
            c.setFont(font, ln.size)
            c.drawString(x, y, ch)
            x += pdfmetrics.stringWidth(ch, font, ln.size)
        return x

    def save(self, path: str) -> int:
        s = self.style
        pages = self._paginate()
        total = len(pages)
        c = canvas.Canvas(path, pagesize=s.page, pageCompression=1)
        c.setTitle("")
        left = s.margins[0]
        for number, lines in enumerate(pages, start=1):
            self._furniture(c, number, total)
            for y, ln in lines:
                w = text_width(ln.text, s, ln.size, ln.font)
                if ln.center:
                    x = (s.page[0] - w) / 2
                elif ln.right:
                    x = s.page[0] - s.margins[1] - w
                else:
                    x = left + ln.x
                end = self._draw_text(c, x, y, ln)
                if ln.superscript:
                    c.setFont(s.font, ln.size * 0.55)
                    c.drawString(end + 0.5, y + ln.size * 0.45, ln.superscript)
            if number == 1 and self.notes:
                self._notes(c)
            c.showPage()
        c.save()
        return total

    def _notes(self, c: canvas.Canvas) -> None:
        s = self.style
        size = s.size * 0.85
        y = s.margins[3] + len(self.notes) * size * 1.4
        c.setLineWidth(0.5)
        c.line(s.margins[0], y + size * 1.2, s.margins[0] + 50 * MM, y + size * 1.2)
        for text in self.notes:
            c.setFont(s.font, size)
            c.drawString(s.margins[0], y, text)
            y -= size * 1.4

    def _furniture(self, c: canvas.Canvas, number: int, total: int) -> None:
        s = self.style
        width, height = s.page
        hsize = s.size * 0.8
        if s.header and number >= s.header_from:
            y = height - s.margins[2] * 0.45
            for text in s.header:
                w = pdfmetrics.stringWidth(text, s.font, hsize)
                x = {
                    "center": (width - w) / 2,
                    "right": width - s.margins[1] - w,
                    "left": s.margins[0],
                }[s.header_align]
                c.setFont(s.font, hsize)
                c.drawString(x, y, text)
                y -= hsize * 1.3
            if s.header_rule:
                c.setLineWidth(0.6)
                c.line(s.margins[0], y + hsize * 0.6, width - s.margins[1], y + hsize * 0.6)
        folio = s.folio(number, total)
        fsize = s.size * 0.9
        font = s.latin if s.latin and folio.isascii() else s.font
        w = pdfmetrics.stringWidth(folio, font, fsize)
        if s.folio_at == "top-center":
            x, y = (width - w) / 2, height - s.margins[2] * 0.5
        elif s.folio_at == "bottom-right":
            x, y = width - s.margins[1] - w, s.margins[3] * 0.45
        elif s.folio_at == "bottom-outer":
            x = width - s.margins[1] - w if number % 2 else s.margins[0]
            y = s.margins[3] * 0.45
        else:
            x, y = (width - w) / 2, s.margins[3] * 0.45
        c.setFont(font, fsize)
        c.drawString(x, y, folio)
