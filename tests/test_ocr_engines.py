"""OCR engine choice and the engine layer's pieces that need no engine: which engine a run
uses, how RapidOCR's lines become Tesseract-style words, and the band of a page its script
is told from."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from corpus.cli import build_parser
from corpus.commands import _limits
from ingest.ocr import engines, rapid
from ingest.ocr.chars import Transform, page_chars
from ingest.ocr.image import text_band
from models.errors import ConfigError


def _set_env(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    if value is None:
        monkeypatch.delenv(engines.ENV, raising=False)
    else:
        monkeypatch.setenv(engines.ENV, value)


@pytest.mark.parametrize(
    ("requested", "env", "expected"),
    [
        (None, None, engines.DEFAULT),
        ("rapidocr", None, "rapidocr"),
        (None, "rapidocr", "rapidocr"),
        ("tesseract", "rapidocr", "tesseract"),
        (None, " RapidOCR ", "rapidocr"),
        (None, "", engines.DEFAULT),
    ],
    ids=[
        "default",
        "option",
        "environment",
        "option-over-environment",
        "environment-case-and-blanks",
        "empty-environment",
    ],
)
def test_the_engine_comes_from_option_then_environment_then_default(
    monkeypatch: pytest.MonkeyPatch, requested: str | None, env: str | None, expected: str
) -> None:
    _set_env(monkeypatch, env)
    assert engines.engine_name(requested) == expected


@pytest.mark.parametrize(
    ("requested", "env", "named"),
    [("abbyy", None, "--ocr-engine"), (None, "easyocr", engines.ENV)],
    ids=["unknown-option", "unknown-environment"],
)
def test_an_unknown_engine_is_a_config_error_naming_its_source(
    monkeypatch: pytest.MonkeyPatch, requested: str | None, env: str | None, named: str
) -> None:
    _set_env(monkeypatch, env)
    with pytest.raises(ConfigError) as caught:
        engines.engine_name(requested)
    assert caught.value.code == "E400"
    assert named in str(caught.value) and "tesseract, rapidocr" in str(caught.value)


@pytest.mark.parametrize("command", ["ingest", "extract", "add", "scan"])
def test_commands_that_read_pdfs_take_the_engine_option(command: str) -> None:
    args = build_parser().parse_args([command, "--ocr-engine", "rapidocr", "x.pdf"])
    assert _limits(args).ocr_engine == "rapidocr"
    args = build_parser().parse_args([command, "x.pdf"])
    assert _limits(args).ocr_engine is None  # then $REGWATCH_OCR_ENGINE or the default


def test_without_the_rapidocr_wheel_the_engine_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(rapid, "model_dir", lambda: None)
    assert "pip install rapidocr==3.10.0" in (engines.missing("rapidocr") or "")


def _quad(left: float, top: float, right: float, bottom: float) -> list[list[float]]:
    return [[left, top], [right, top], [right, bottom], [left, bottom]]


def _rapid_line(text: str, left: int, top: int, cell: int) -> tuple:
    """RapidOCR's characters of one line: ``(text, score, quadrilateral)`` each."""
    return tuple(
        (ch, 0.98, _quad(left + i * cell, top, left + (i + 1) * cell, top + cell))
        for i, ch in enumerate(text)
    )


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["第二条国家对两用物项"], ["第二条国家对两用物项"]),
        (["第一条この法律は", "外国為替"], ["第一条この法律は", "外国為替"]),
        (["第三條本法之主管機關為經濟部"], ["第三條本法之主管機關為經濟部"]),
    ],
    ids=["one-chinese-line", "two-japanese-lines", "traditional-line"],
)
def test_rapidocr_lines_become_the_glyphs_tesseract_words_would_give(
    lines: list[str], expected: list[str]
) -> None:
    cell = 30
    boxes = np.array(
        [_quad(100, 100 + 60 * n, 100 + cell * len(t), 130 + 60 * n) for n, t in enumerate(lines)]
    )
    results = tuple(_rapid_line(t, 100, 100 + 60 * n, cell) for n, t in enumerate(lines))
    words, line_boxes = rapid.to_words(boxes, results)
    assert [box.key for box in line_boxes] == [(1, 1, n) for n in range(len(lines))]
    assert all(w.conf == pytest.approx(98.0) for w in words)
    chars, confidence = page_chars(words, line_boxes, Transform(0.36, 0.36))  # 200 dpi -> pt
    by_row: dict[float, str] = {}
    for glyph in chars:
        by_row[glyph.top] = by_row.get(glyph.top, "") + glyph.text
    assert list(by_row.values()) == expected
    assert confidence == pytest.approx(0.98)
    first = chars[0]  # one 30 px cell at 200 dpi is 10.8 pt wide, where the box put it
    assert first.x0 == pytest.approx(36.0) and first.x1 - first.x0 == pytest.approx(10.8)


def _page_with_lines(rows: list[int], height: int = 2000, width: int = 1400) -> Image.Image:
    """A white page with a dark 'text line' 30 px tall at each of ``rows``."""
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    for top in rows:
        draw.rectangle((150, top, width - 150, top + 30), fill=0)
    return image


def _cut_lines(image: Image.Image) -> bool:
    """Whether a line touches the band's top or bottom edge (a line cut in two)."""
    pixels = np.asarray(image) < 128
    return bool(pixels[0].any() or pixels[-1].any())


def _lines_in(image: Image.Image) -> int:
    """Runs of dark rows: the lines a band holds."""
    dark = (np.asarray(image) < 128).any(axis=1).astype(np.int8)
    return int((np.diff(np.concatenate([[0], dark])) == 1).sum())


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (list(range(100, 700, 50)), 10),  # a quarter of 2000 px: ten 50 px lines
        (list(range(1300, 1950, 50)), 10),
        ([100, 150, *range(900, 1500, 45)], 11),  # the body's 45 px lines, not the title's
    ],
    ids=["text-at-the-top", "text-at-the-bottom", "a-title-then-the-body"],
)
def test_the_script_band_holds_the_densest_lines_uncut(rows: list[int], expected: int) -> None:
    page = _page_with_lines(rows)
    band = text_band(page)
    assert band.width == page.width
    assert band.height < 0.3 * page.height  # a fraction of the page to read
    assert not _cut_lines(band)
    assert _lines_in(band) >= expected


def test_a_short_strip_is_its_own_band() -> None:
    strip = _page_with_lines([10], height=60)
    assert text_band(strip, share=1.0).size == strip.size
