"""Generated PDFs in layouts the dev set does not have, for whole-file identity and furniture
checks.

A tiny typesetter over reportlab's built-in CID fonts (STSong-Light reads simplified and
traditional Chinese, HeiseiMin-W3 Japanese; no font files needed): paragraphs wrapped to the
measure character by character, pages filled top-down, and per page a running header (with or
without a rule under it), a folio in a given form and position, and footnotes in small print
under a short rule.  ``*`` or ``※`` at the end of a paragraph is drawn as printed; a marker
written ``^1`` is drawn raised and small.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

rl_config.invariant = 1

ZH = "STSong-Light"
JA = "HeiseiMin-W3"


def _register() -> None:
    for name in (ZH, JA):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(name))


@dataclass
class Para:
    text: str
    size: float = 10.5
    align: str = "left"  # left, center, right
    indent: float = 0.0  # first line, in em
    space_before: float = 0.0


@dataclass
class Layout:
    font: str
    page: tuple[float, float] = (515.9, 728.5)  # JIS B5
    margins: tuple[float, float, float, float] = (60.0, 60.0, 70.0, 70.0)  # l, r, t, b
    header: list[str] = field(default_factory=list)
    header_rule: bool = False
    header_from: int = 1  # first page with the running header
    folio: Callable[[int, int], str] | None = None  # (page, total) -> label
    folio_align: str = "center"  # center, outer (alternating right/left), right
    notes: dict[int, list[str]] = field(default_factory=dict)  # page -> note lines


def _width(text: str, font: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, font, size)


def _wrap(para: Para, font: str, measure: float) -> list[str]:
    lines: list[str] = []
    current = ""
    used = para.indent * para.size
    for ch in para.text:
        w = _width(ch, font, para.size)
        if current and used + w > measure and ch not in "，。、；：）」":
            lines.append(current)
            current, used = "", 0.0
        current += ch
        used += w
    if current:
        lines.append(current)
    return lines


def render(path: Path, layout: Layout, paragraphs: list[Para]) -> Path:
    """Typeset ``paragraphs`` into ``path``; returns it."""
    _register()
    width, height = layout.page
    left, right, top, bottom = layout.margins
    measure = width - left - right
    pages: list[list[tuple[str, Para, float, bool]]] = [[]]
    y = height - top
    for para in paragraphs:
        y -= para.space_before
        for index, line in enumerate(_wrap(para, layout.font, measure)):
            reserve = 14 + 11 * len(layout.notes.get(len(pages), []))
            if y - para.size * 1.7 < bottom + reserve:
                pages.append([])
                y = height - top
            y -= para.size * 1.7
            pages[-1].append((line, para, y, index == 0))
    drawing = canvas.Canvas(str(path), pagesize=layout.page)
    total = len(pages)
    for number, lines in enumerate(pages, 1):
        _furniture(drawing, layout, number, total)
        for line, para, baseline, first in lines:
            _draw_line(drawing, layout, line, para, baseline, first)
        _notes(drawing, layout, layout.notes.get(number, []))
        drawing.showPage()
    drawing.save()
    return path


def _draw_line(
    drawing: canvas.Canvas, layout: Layout, line: str, para: Para, y: float, first: bool
) -> None:
    left, right = layout.margins[0], layout.page[0] - layout.margins[1]
    raised = line.endswith(("^1", "^2", "^3"))
    text, mark = (line[:-2], line[-1]) if raised else (line, "")
    w = _width(text, layout.font, para.size)
    if para.align == "center":
        x = (left + right - w) / 2
    elif para.align == "right":
        x = right - w
    else:
        x = left + (para.indent * para.size if first else 0.0)
    drawing.setFont(layout.font, para.size)
    drawing.drawString(x, y, text)
    if mark:
        drawing.setFont(layout.font, para.size * 0.55)
        drawing.drawString(x + w, y + para.size * 0.45, mark)


def _furniture(drawing: canvas.Canvas, layout: Layout, number: int, total: int) -> None:
    width, height = layout.page
    left, right, top, bottom = layout.margins
    if layout.header and number >= layout.header_from:
        y = height - top + 14 + 10 * (len(layout.header) - 1)
        for line in layout.header:
            drawing.setFont(layout.font, 8)
            drawing.drawString(left, y, line)
            y -= 10
        if layout.header_rule:
            drawing.setLineWidth(0.5)
            drawing.line(left, height - top + 8, width - right, height - top + 8)
    if layout.folio is None:
        return
    label = layout.folio(number, total)
    w = _width(label, layout.font, 9)
    if layout.folio_align == "outer":
        x = width - right - w if number % 2 else left
    elif layout.folio_align == "right":
        x = width - right - w
    else:
        x = (width - w) / 2
    drawing.setFont(layout.font, 9)
    drawing.drawString(x, bottom - 30, label)


def _notes(drawing: canvas.Canvas, layout: Layout, notes: list[str]) -> None:
    if not notes:
        return
    left, _, _, bottom = layout.margins
    y = bottom + 11 * len(notes)
    drawing.setLineWidth(0.5)
    drawing.line(left, y + 8, left + 120, y + 8)
    for note in notes:
        drawing.setFont(layout.font, 7.5)
        drawing.drawString(left, y - 4, note)
        y -= 11
