"""A small page-layout engine for the held-out PDFs (deliberately unlike the seeds' renderer).

Differences from the seed PDFs: own line wrapping at a page width (not the original line
breaks), running header text above a rule on every page, centred multi-line titles and
chapter headings, ``— N —`` / ``第 N 页`` page numbers, superscript footnote markers, B5 pages
for the Japanese commentary, 12 pt body for the Chinese laws, two-column tables.

Markup: ``[^N]`` in a text marks footnote N (rendered as a raised small digit).
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

rl_config.invariant = 1  # byte-reproducible output

_MARKER = re.compile(r"\[\^(\d+)\]")


def font_file(basename: str) -> str:
    listing = subprocess.run(
        ["fc-list", "--format", "%{file}\n"], capture_output=True, text=True, check=True
    ).stdout
    for line in listing.splitlines():
        if line.endswith("/" + basename):
            return line
    raise FileNotFoundError(f"{basename}: apt-get install fonts-wqy-zenhei fonts-ipaexfont")


def register_fonts() -> None:
    if "WQY" in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont("WQY", font_file("wqy-zenhei.ttc"), subfontIndex=0))
    pdfmetrics.registerFont(TTFont("IPAexM", font_file("ipaexm.ttf")))
    pdfmetrics.registerFont(TTFont("IPAexG", font_file("ipaexg.ttf")))


def _has_glyph(font: str, ch: str) -> bool:
    face = pdfmetrics.getFont(font).face
    return ord(ch) in face.charToGlyph


def runs(text: str, font: str, fallback: str = "WQY") -> list[tuple[str, str]]:
    """``text`` cut into (font, piece) runs; characters the font lacks fall back."""
    out: list[tuple[str, str]] = []
    for ch in text:
        use = font if _has_glyph(font, ch) or ch == " " else fallback
        if out and out[-1][0] == use:
            out[-1] = (use, out[-1][1] + ch)
        else:
            out.append((use, ch))
    return out


def width(text: str, font: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(p, f, size) for f, p in runs(text, font))


@dataclass
class Style:
    font: str
    size: float
    leading: float
    align: str = "left"  # left, center, right
    indent: float = 0.0  # first line, in em
    hang: float = 0.0  # continuation lines, in em
    space_before: float = 0.0


@dataclass
class Line:
    pieces: list[tuple[str, bool]]  # (text, is_marker)
    style: Style
    x_offset: float
    notes: list[int] = field(default_factory=list)
    gap_before: float = 0.0


@dataclass
class Page:
    lines: list[tuple[Line, float]] = field(default_factory=list)  # line, baseline y
    notes: list[int] = field(default_factory=list)


def _tokens(text: str) -> list[tuple[str, bool]]:
    """Characters (ASCII words kept whole) and footnote markers."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for m in _MARKER.finditer(text):
        out += _word_tokens(text[pos : m.start()])
        out.append((m.group(1), True))
        pos = m.end()
    out += _word_tokens(text[pos:])
    return out


def _word_tokens(text: str) -> list[tuple[str, bool]]:
    return [(t, False) for t in re.findall(r"[!-~]+|.", text)]


_NO_LINE_START = set("、。，；：）」』”,.;:)")


def wrap(text: str, style: Style, measure: float) -> list[Line]:
    em = style.size
    lines: list[Line] = []
    current: list[tuple[str, bool]] = []
    used = style.indent * em
    limit = measure
    first = True
    for tok, marker in _tokens(text):
        w = width(tok, style.font, style.size * (0.6 if marker else 1))
        if not marker and current and used + w > limit and tok not in _NO_LINE_START:
            lines.append(_line(current, style, first))
            first = False
            current, used = [], style.hang * em
        current.append((tok, marker))
        used += w
    if current:
        lines.append(_line(current, style, first))
    return lines


def _line(pieces: list[tuple[str, bool]], style: Style, first: bool) -> Line:
    offset = (style.indent if first else style.hang) * style.size
    notes = [int(t) for t, m in pieces if m]
    return Line(pieces, style, offset, notes, style.space_before if first else 0.0)


class Renderer:
    def __init__(
        self,
        path: str,
        pagesize: tuple[float, float],
        margins: tuple[float, float, float, float],  # left, right, top, bottom
        header: str,
        page_label: str,  # format with {n}
        header_font: str,
        note_style: Style,
        footnotes: dict[int, str] | None = None,
    ) -> None:
        register_fonts()
        self.path = path
        self.w, self.h = pagesize
        self.left, self.right, self.top, self.bottom = margins
        self.header = header
        self.page_label = page_label
        self.header_font = header_font
        self.note_style = note_style
        self.footnotes = footnotes or {}
        self.pages: list[Page] = [Page()]
        self.y = self.h - self.top
        self.measure = self.w - self.left - self.right

    # -- layout
    def _note_height(self, notes: list[int]) -> float:
        if not notes:
            return 0.0
        lines = sum(
            len(wrap(f"{n}　{self.footnotes[n]}", self.note_style, self.measure)) for n in notes
        )
        return 14 + lines * self.note_style.leading

    def add(self, text: str, style: Style) -> None:
        for line in wrap(text, style, self.measure):
            page = self.pages[-1]
            need = line.gap_before + style.leading
            notes_after = self._note_height(page.notes + line.notes)
            if self.y - need < self.bottom + notes_after and page.lines:
                self.pages.append(Page())
                page = self.pages[-1]
                self.y = self.h - self.top
                need = style.leading
            self.y -= need
            page.lines.append((line, self.y))
            page.notes += line.notes

    def space(self, points: float) -> None:
        self.y -= points

    def page_break(self) -> None:
        self.pages.append(Page())
        self.y = self.h - self.top

    def table_row(self, left: str, right: str, style: Style, column: float) -> None:
        """Two columns: a code and its description, wrapped in the right column."""
        right_style = Style(style.font, style.size, style.leading)
        lines = wrap(right, right_style, self.measure - column)
        for i, line in enumerate(lines):
            if i == 0:
                line.pieces = [(left, False), ("\t", False), *line.pieces]
            line.x_offset = column
            self.y -= style.leading
            self.pages[-1].lines.append((line, self.y))

    # -- drawing
    def save(self) -> None:
        c = canvas.Canvas(self.path, pagesize=(self.w, self.h))
        c.setTitle("")
        total = len(self.pages)
        for n, page in enumerate(self.pages, 1):
            self._furniture(c, n, total)
            for line, y in page.lines:
                self._draw_line(c, line, y)
            self._draw_notes(c, page.notes)
            c.showPage()
        c.save()

    def _furniture(self, c: canvas.Canvas, n: int, total: int) -> None:
        self._text(c, self.left, self.h - self.top + 22, self.header, self.header_font, 8.5)
        c.setLineWidth(0.4)
        c.line(self.left, self.h - self.top + 18, self.w - self.right, self.h - self.top + 18)
        label = self.page_label.format(n=n, total=total)
        lw = width(label, self.header_font, 9)
        self._text(c, (self.w - lw) / 2, self.bottom - 28, label, self.header_font, 9)

    def _draw_line(self, c: canvas.Canvas, line: Line, y: float) -> None:
        st = line.style
        if "\t" in [p for p, _ in line.pieces]:
            code = line.pieces[0][0]
            self._text(c, self.left, y, code, st.font, st.size)
            x = self.left + line.x_offset
            for tok, _ in line.pieces[2:]:
                x += self._text(c, x, y, tok, st.font, st.size)
            return
        total = sum(width(t, st.font, st.size * (0.6 if m else 1)) for t, m in line.pieces)
        if st.align == "center":
            x = self.left + (self.measure - total) / 2
        elif st.align == "right":
            x = self.w - self.right - total
        else:
            x = self.left + line.x_offset
        for tok, marker in line.pieces:
            if marker:
                x += self._text(c, x, y + st.size * 0.4, tok, st.font, st.size * 0.6)
            else:
                x += self._text(c, x, y, tok, st.font, st.size)

    def _draw_notes(self, c: canvas.Canvas, notes: list[int]) -> None:
        if not notes:
            return
        st = self.note_style
        lines = [ln for n in notes for ln in wrap(f"{n}　{self.footnotes[n]}", st, self.measure)]
        y = self.bottom + len(lines) * st.leading + 4
        c.setLineWidth(0.5)
        c.line(self.left, y + 6, self.left + self.measure / 3, y + 6)
        for line in lines:
            y -= st.leading
            self._draw_line(c, line, y)

    def _text(
        self, c: canvas.Canvas, x: float, y: float, text: str, font: str, size: float
    ) -> float:
        start = x
        for f, piece in runs(text, font):
            c.setFont(f, size)
            c.drawString(x, y, piece)
            x += pdfmetrics.stringWidth(piece, f, size)
        return x - start
