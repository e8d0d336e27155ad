"""Item markers at the start of scanned lines (``ingest.ocr.markers``, ``marker_numbers``).

The crops are regions of levelled 200-dpi scans made by ``python -m bench.ocr`` (unseen
ja_betsu2no3_shorei_2022 pages 1-2: an e-Gov list of substances numbered 一 to 三十; held-out
h04 page 2: ① to ⑤; unseen zh_mofcom_2025_18 page 1: 一、 (一) 1.).  ``crops.json`` holds,
for each crop, Tesseract's words and lines on the page (moved into the crop's frame) and what
Tesseract read of the strip of marker candidates (``strip``, recorded with the same call
``markers.tesseract_reader`` makes), so the tests need no Tesseract.  The expected markers
are the text layer's.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ingest.ocr import marker_numbers
from ingest.ocr.markers import _INK, find_candidates, with_markers, with_separator
from ingest.ocr.tesseract import LineBox, Word

FOLDER = Path(__file__).parent / "data" / "ocr" / "markers"
CROPS = {
    row["file"].removesuffix(".png"): row
    for row in json.loads((FOLDER / "crops.json").read_text(encoding="utf-8"))
}
KANJI = [marker_numbers.kanji(n) for n in range(1, 31)]


def _load(name: str) -> tuple[Image.Image, list[Word], list[LineBox], list[Word]]:
    row = CROPS[name]
    words = [Word(t, x, y, w, h, c, tuple(k)) for t, x, y, w, h, c, k in row["words"]]
    lines = [LineBox(tuple(k), x, y, w, h) for k, x, y, w, h in row["lines"]]
    strip = [Word(t, x, y, w, h, c, (1, 1, 1)) for t, x, y, w, h, c in row["strip"]]
    return Image.open(FOLDER / row["file"]), words, lines, strip


def _texts(words: list[Word]) -> dict[tuple[int, ...], str]:
    out: dict[tuple[int, ...], str] = {}
    for word in words:
        out[word.line] = out.get(word.line, "") + word.text
    return out


def _markers_read(name: str) -> dict[tuple[int, ...], str]:
    image, words, lines, strip = _load(name)
    return _texts(with_markers(image, words, lines, lambda _: strip))


@pytest.mark.parametrize(
    ("name", "first_line", "markers", "text_after"),
    [
        # Tesseract took the column of markers for a block of its own: 田柄唱, S ト, 諾
        pytest.param(
            "ja_egov_goods_p1", (12, 1, 1), KANJI[:11], "アセテチレン", id="dropped-column"
        ),
        # read in the line but misread: -十一 for 二十一 (and the lines above it dropped)
        pytest.param(
            "ja_egov_goods_p1",
            (12, 1, 10),
            KANJI[9:26],
            "フルオロアパタイト",
            id="misread-in-line",
        ),
        # the next page: 二十九 read 二十九 at confidence 0 and 83, 三十 read surely
        pytest.param("ja_egov_goods_p2", (3, 1, 1), KANJI[26:30], "エタノール", id="next-page"),
        pytest.param(
            "ja_commentary_circled_p2", (5, 2, 1), list("①②③④⑤"), "金属ガリウム", id="circled"
        ),
    ],
)
def test_markers_open_their_lines(
    name: str, first_line: tuple[int, ...], markers: list[str], text_after: str
) -> None:
    texts = _markers_read(name)
    keys = [k for k in texts if k >= first_line][: len(markers)]
    assert len(keys) == len(markers)
    for key, marker in zip(keys, markers, strict=True):
        assert texts[key].startswith(marker), (key, texts[key])
    assert texts[keys[0]] in (f"{markers[0]}\u3000{text_after}", f"{markers[0]}{text_after}")


def test_the_garbage_read_down_the_marker_column_goes() -> None:
    _, words, _, _ = _load("ja_egov_goods_p1")
    garbage = {k for k, text in _texts(words).items() if text in ("田柄唱", "Sト", "ン『", "諾")}
    assert garbage, "the fixture holds Tesseract's garbage lines"
    assert not garbage & set(_markers_read("ja_egov_goods_p1"))


def test_sure_labels_and_markers_are_left_as_read() -> None:
    """A Chinese notice's 一、 (一) 1. read surely in their lines, and the body line over
    the e-Gov list: nothing is rewritten."""
    image, words, lines, strip = _load("zh_notice_items_p1")
    assert with_markers(image, words, lines, lambda _: strip) == words
    body = _markers_read("ja_egov_goods_p1")[(7, 1, 1)]
    assert body == _texts(_load("ja_egov_goods_p1")[1])[(7, 1, 1)]


def test_a_number_read_surely_is_no_marker_to_count() -> None:
    """v1 sample 001 p17, a notice's signature under its list of attachments (``1.`` ``2.``
    left-aligned above ``商務部`` and ``2025年10月9日``): the year is a run of ink with white
    after it at the line's start, and the strip reads it surely as ``2025``, no marker; the
    column's count must not make it the attachment ``3.`` (the notice lost its date)."""
    texts = _markers_read("ja_commentary_signature_date_p17")
    assert texts[(4, 1, 1)] == "2025年10月9日"
    assert texts[(2, 1, 1)].startswith("1.") and texts[(2, 1, 2)].startswith("2.")


def test_prose_lines_are_no_candidates() -> None:
    image, words, lines, _ = _load("ja_commentary_circled_p2")
    ink = np.asarray(image.convert("L")) < _INK
    found = {c.line.key for c in find_candidates(ink, words, lines)}
    prose = {k for k, t in _texts(words).items() if "ガリウム" in t and len(t) > 12}
    assert found and not found & prose


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("二十九", ("kanji", 29), id="kanji"),
        pytest.param("二、", ("kanji", 2), id="kanji-comma"),
        pytest.param("（十一）", ("kanji", 11), id="kanji-brackets"),
        pytest.param("12.", ("arabic", 12), id="arabic-dot"),
        pytest.param("(3)", ("arabic", 3), id="arabic-brackets"),
        pytest.param("④", ("circled", 4), id="circled"),
        pytest.param("ハ", ("iroha", 3), id="iroha"),
        pytest.param("(ロ)", ("iroha", 2), id="iroha-brackets"),
        pytest.param("第一条", None, id="article-label"),
        pytest.param("ア", None, id="not-iroha"),
        pytest.param("", None, id="empty"),
    ],
)
def test_parse_marker(text: str, expected: tuple[str, int] | None) -> None:
    parsed = marker_numbers.parse(text)
    assert (None if parsed is None else (parsed[0].script, parsed[1])) == expected


@pytest.mark.parametrize(
    ("readings", "expected"),
    [
        # betsu2no3 p1, the strip's sure readings: 八 九 十四 十六 among 16 markers
        pytest.param(
            [None] * 7 + ["八", "九"] + [None] * 4 + ["十四", None, "十六"],
            KANJI[:16],
            id="egov-column",
        ),
        # past the last two sure readings, which agree
        pytest.param(["十四", None, "十六", None, None], KANJI[13:18], id="beyond"),
        pytest.param(["①", None, None, "④", None], list("①②③④⑤"), id="circled"),
        pytest.param(["(1)", None, "(3)"], ["(1)", "(2)", "(3)"], id="brackets-kept"),
        # two lists meet: the second restarts at 一; between them nothing is known
        pytest.param(
            ["一", "二", "三", None, "一", "二"], ["一", "二", "三", None, "一", "二"], id="restart"
        ),
        # one sure reading says nothing of its neighbours
        pytest.param([None, "五", None], [None, "五", None], id="lone-anchor"),
        # a run read surely as no marker (a year under a list) is no gap to count into
        pytest.param(["1.", "2.", ""], ["1.", "2.", ""], id="sure-non-marker"),
        pytest.param(["一", "", "三"], ["一", "", "三"], id="sure-non-marker-between"),
        # counting back past 一 gives nothing
        pytest.param([None, None, "一", "二"], [None, None, "一", "二"], id="before-one"),
    ],
)
def test_fill_column(readings: list[str | None], expected: list[str | None]) -> None:
    assert marker_numbers.fill(readings) == expected


@pytest.mark.parametrize(
    ("text", "covered", "expected"),
    [
        ("七", "七、", "七、"),  # v1 sample 001: MOFCOM notice's section 七 (lost to 六 without it)
        ("二十一", "二十一、", "二十一、"),
        ("1", "1.", "1."),
        ("３", "３．", "３．"),
        ("三", "三", "三"),  # nothing read after the numeral: nothing added
        ("(一)", "(一)", "(一)"),  # closed already
        ("二、", "二、", "二、"),
        ("十一", "-十一", "十一"),  # the line misread the marker: its text is no guide
        ("五", "五一", "五"),  # a numeral after it is no separator
    ],
    ids=[
        "kanji-comma",
        "compound-comma",
        "digit-dot",
        "fullwidth-dot",
        "bare",
        "parens",
        "already",
        "misread",
        "numeral-after",
    ],
)
def test_the_separator_the_line_read_stays_with_the_marker(
    text: str, covered: str, expected: str
) -> None:
    assert with_separator(text, covered) == expected
