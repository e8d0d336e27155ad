"""Characters Tesseract is unsure of, read again in their line by RapidOCR's recogniser
under the default ``tesseract`` engine (``ingest/ocr/unsure_chars.py``).

Two tables.  The first replays real readings: Tesseract's words and confidences and the
recogniser's characters and scores on lines of the 200-dpi scans ``bench/ocr.py`` makes
(unseen zh_mofcom_2025_18_rare_earth, held-out h01, dev v2 ja_gx_suishin / ja_kogai /
zh_mofcom_2024_31_uav), recorded from the two engines, so the rule is tested without them.
The second reads real line images (``tests/data/ocr/lines``, ``make_lines.py``) with both
engines: skipped, saying what to install, where one is missing.
"""

from __future__ import annotations

import pytest
from PIL import Image

from ingest.ocr import rapid, tesseract, unsure_chars
from ingest.ocr.closed_sets import ELEMENTS, NUMERALS, SIMPLIFIED, TRADITIONAL
from ingest.ocr.reconcile import is_han
from ingest.ocr.reread import LineReading
from ingest.ocr.tesseract import LineBox, Word
from tests.test_ocr_reread import EXPECTED, LINES, needs_both

_MODELS = {"zh": "chi_sim", "zht": "chi_tra", "ja": "jpn"}
_EM = 30  # px a character in the replayed lines


def _line(index: int, words: list[tuple[str, float]]) -> tuple[list[Word], LineBox]:
    """Tesseract's words of one line as read (text, confidence), one em a character."""
    key = (1, 1, index)
    out, left = [], 10
    for text, conf in words:
        out.append(Word(text, left, 40 * index + 5, _EM * len(text), _EM, conf, key))
        left += _EM * len(text)
    return out, LineBox(key, 10, 40 * index + 5, left - 10, _EM)


def _replay(lines: list[tuple[list[tuple[str, float]], str, list[float]]], models: str) -> str:
    """The page's text after the re-read, the recogniser giving the recorded readings (in
    the order the lines are asked for) instead of reading the blank image."""
    words: list[Word] = []
    boxes: list[LineBox] = []
    readings: dict[tuple[int, int, int], LineReading] = {}
    for index, (line, text, scores) in enumerate(lines):
        line_words, box = _line(index, line)
        words += line_words
        boxes.append(box)
        readings[box.key] = LineReading(text, 0.98, (), tuple(scores))
    asked = [
        box for box in boxes if unsure_chars.has_unsure_han([w for w in words if w.line == box.key])
    ]

    def recorded(crops: list[Image.Image]) -> list[LineReading]:
        assert len(crops) == len(asked)
        return [readings[box.key] for box in asked]

    image = Image.new("L", (2000, 40 * len(lines) + 20), 255)
    out = unsure_chars.reread_unsure_chars(image, words, boxes, models, recorded)
    assert [(w.left, w.width) for w in out] == [(w.left, w.width) for w in words]  # boxes stay
    return "\n".join("".join(w.text for w in out if w.line == box.key) for box in boxes)


_ONES = [1.0] * 40
# (Tesseract's words, the recogniser's reading, its scores): lines of one page each row
REPLAYED = [
    pytest.param(
        [
            (
                [("b.", 91), ("多", 91), ("铁", 0), ("合金", 93), (";", 90)],
                "b.钐铁合金;",
                [1.0, 1.0, 0.84, 0.75, 1.0, 1.0, 0.66],
            )
        ],
        "chi_sim",
        "b.钐铁合金;",
        id="samarium read 多 at 91, the doubt on 铁 beside it",
    ),
    pytest.param(
        [
            (
                [("三", 92), ("、", 93), ("鳞", 36), ("相关", 76), ("物", 93), ("项", 93)],
                "三、铽相关物项",
                [1.0, 1.0, 0.83, 1.0, 1.0, 1.0, 1.0],
            )
        ],
        "chi_sim",
        "三、铽相关物项",
        id="terbium read 鳞",
    ),
    pytest.param(
        [
            (
                [("二", 93), ("、", 93), ("包", 86), ("相", 0), ("关", 93), ("物", 92), ("项", 97)],
                "二、钆相关物项",
                [1.0, 1.0, 0.75, 1.0, 1.0, 1.0, 1.0],
            )
        ],
        "chi_sim",
        "二、钆相关物项",
        id="gadolinium read 包 at 86, element score 0.75",
    ),
    pytest.param(
        [
            (
                [("(三", 93), (")1C902.c", 91), ("含", 74), ("多", 94), ("的", 9), ("化", 93)],
                "(三)1C902.c含衫的化",
                [0.97] + [1.0] * 10 + [0.27, 1.0, 1.0],
            )
        ],
        "chi_sim",
        "(三)1C902.c含多的化",
        id="a rare character the recogniser is unsure of and no element: stays",
    ),
    pytest.param(
        [
            ([("海关", 92), ("商品", 36), ("编", 61)], "每关商品编", [0.98, 1.0, 1.0, 1.0, 1.0]),
            ([("海关", 97), ("总署", 96), ("公告", 95)], "海关总署公告", _ONES[:6]),
        ],
        "chi_sim",
        "海关商品编\n海关总署公告",
        id="海关 right at low confidence, the recogniser's 每关 no pair the page holds: stays",
    ),
    pytest.param(
        [
            (
                [
                    ("8.", 91),
                    ("镜", 57),
                    ("化", 93),
                    ("镶", 0),
                    ("(包括", 95),
                    ("但", 97),
                    ("不", 97),
                    ("限于", 97),
                    ("唱片、", 0),
                    ("粉末、", 63),
                    ("碎", 91),
                    ("料", 93),
                    ("等", 97),
                ],
                "8.锑化镓（包括但不限于晶片、粉末、碎料等",
                [1.0] * 4 + [0.84, 0.92] + [1.0] * 15,
            ),
            ([("晶片", 95), ("、", 93)], "晶片、", _ONES[:3]),
        ],
        "chi_sim",
        "8.镜化镓(包括但不限于晶片、粉末、碎料等\n晶片、",
        id="gallium an element; 晶片 a pair the page read surely; 镜 at 57 no unsure place",
    ),
    pytest.param(
        [
            (
                [
                    ("律", 88),
                    ("第", 93),
                    ("百", 12),
                    ("王", 12),
                    ("十", 93),
                    ("八", 92),
                    ("号", 93),
                ],
                "律第百三十八号",
                _ONES[:7],
            )
        ],
        "jpn",
        "律第百三十八号",
        id="a numeral read 王 between numerals",
    ),
    pytest.param(
        [
            (
                [
                    ("年", 95),
                    ("法律", 94),
                    ("第", 92),
                    ("二", 0),
                    ("十", 36),
                    ("一", 93),
                    ("号", 92),
                ],
                "年法律第五十一号",
                [1.0] * 8,
            )
        ],
        "jpn",
        "年法律第二十一号",
        id="one numeral for another: not a closed-set correction, stays",
    ),
    pytest.param(
        [
            ([("脱", 90), ("淡", 30), ("素", 93)], "脱炭素", _ONES[:3]),
            ([("脱", 90), ("由", 0), ("素", 93)], "脱炭素", _ONES[:3]),
            ([("脱", 91), ("災", 12), ("素", 92)], "脱炭素", _ONES[:3]),
        ],
        "jpn",
        "脱炭素\n脱炭素\n脱炭素",
        id="炭 that Tesseract scatters over 淡 由 災 on one page",
    ),
    pytest.param(
        [
            ([("信", 20), ("和", 93), ("五", 93), ("年", 93)], "令和五年", _ONES[:4]),
            ([("信", 31), ("和", 92), ("四", 93), ("年", 93)], "令和四年", _ONES[:4]),
            ([("信", 11), ("和", 91), ("三", 93), ("年", 93)], "令和三年", _ONES[:4]),
        ],
        "jpn",
        "信和五年\n信和四年\n信和三年",
        id="a glyph Tesseract reads the same way every time is no scatter: stays",
    ),
    pytest.param(
        [([("脱", 90), ("淡", 30), ("素", 93)], "脱炭素", _ONES[:3])],
        "chi_tra",
        "脱淡素",
        id="a character outside the page's code page is not written",
    ),
]


@pytest.mark.parametrize(("lines", "models", "expected"), REPLAYED)
def test_unsure_characters_read_again(
    lines: list[tuple[list[tuple[str, float]], str, list[float]]], models: str, expected: str
) -> None:
    assert _replay(lines, models) == expected


def test_a_line_without_an_unsure_han_character_is_not_read_again() -> None:
    words, box = _line(0, [("出口", 95), ("1.", 93), ("(2)", 20), ("2024", 93)])
    assert not unsure_chars.has_unsure_han(words)

    def never(crops: list[Image.Image]) -> list[LineReading]:
        raise AssertionError("read again")

    image = Image.new("L", (400, 60), 255)
    assert unsure_chars.reread_unsure_chars(image, words, [box], "chi_sim", never) == words


@pytest.mark.parametrize(
    ("confs", "expected"),
    [
        pytest.param([93, 93, 0, 93, 93, 93], {1, 2, 3}, id="an unsure word and both neighbours"),
        pytest.param([0, 93, 93, 93, 93, 93], {0, 1}, id="at the line's start"),
        pytest.param([93] * 6, set(), id="none"),
    ],
)
def test_which_words_are_unsure(confs: list[float], expected: set[int]) -> None:
    words, _ = _line(0, [(ch, conf) for ch, conf in zip("钐铁合金靶材", confs, strict=True)])
    assert unsure_chars.unsure_words(words) == expected


def test_the_reread_window_keeps_context_each_side() -> None:
    words, box = _line(0, [(ch, 0 if i == 10 else 93) for i, ch in enumerate("一" * 30)])
    first, last = unsure_chars.window(words, box.height)
    assert (first, last) == (5, 15)  # 4 ems each side of the unsure words 9-11


def test_the_closed_sets() -> None:
    assert len(SIMPLIFIED) == len(TRADITIONAL[: len(SIMPLIFIED)]) == 104
    assert {"钐", "钆", "铽", "镓", "锗", "锑", "釤", "釓", "鋱", "鎵", "鍺", "銻"} <= ELEMENTS
    assert not {"多", "包", "鳞", "钱", "镶"} & ELEMENTS
    assert "五" in NUMERALS and "石" not in NUMERALS


def _read(name: str) -> tuple[str, str, str]:
    """The Han characters of a line image as Tesseract reads it, after the re-read, and
    as printed (signs and Latin letters are not this stage's: ``b.`` read ``D.`` stays)."""
    image = Image.open(LINES / f"{name}.png")
    models = _MODELS[EXPECTED[name]["language"]]
    words, lines = tesseract.recognize(image, 200, models, psm=7)  # 7: one line
    read = rapid.with_unsure_chars(image, words, lines, models)
    texts = ("".join(w.text for w in words), "".join(w.text for w in read), EXPECTED[name]["text"])
    first, second, printed = ("".join(ch for ch in text if is_han(ch)) for text in texts)
    return first, second, printed


@needs_both
@pytest.mark.parametrize(
    "name",
    [
        "zh_samarium_iron_alloy",
        "zh_terbium_heading",
        "zh_gadolinium_oxide",
        "zh_tungsten_title",
        "zh_zinc_telluride",
        "zh_bismuth_alloys",
        "zh_us_gallium_germanium",
    ],
)
def test_a_misread_element_comes_right(name: str) -> None:
    first, second, printed = _read(name)
    assert first != printed
    assert second == printed


@needs_both
def test_a_line_read_right_stays() -> None:
    first, second, printed = _read("zh_plain_article")
    assert first == second == printed


def test_without_the_recogniser_tesseract_reading_stands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rapid, "missing", lambda: "rapidocr is not installed")
    words, box = _line(0, [("多", 91), ("铁", 0)])
    image = Image.new("L", (200, 60), 255)
    assert rapid.with_unsure_chars(image, words, [box], "chi_sim") == words
