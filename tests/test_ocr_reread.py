"""The hybrid engine's second reading (``ingest/ocr/reread.py``): Tesseract's unsure lines
read again by RapidOCR's recogniser alone, kept by a rule that holds for any text.

The line images (``tests/data/ocr/lines``, made by its ``make_lines.py``) are real lines of
public notices drawn and degraded as ``bench/ocr.py`` scans pages: Tesseract's chi_sim model
reads their element names wrong at confidence 0 (钨、碲、铋 -> 钨、磅、匀), the recogniser
reads them right.  Those tests are skipped, saying what to install, where an engine is
missing; the rule's own tests need no engine.
"""

from __future__ import annotations

import itertools
import json
import unicodedata
from pathlib import Path

import pytest
from PIL import Image

from corpus.cli import build_parser
from ingest.ocr import engines, rapid, tesseract
from ingest.ocr.reread import LineReading, plausible, to_words, unsure
from ingest.ocr.tesseract import LineBox, Word

LINES = Path(__file__).parent / "data" / "ocr" / "lines"
EXPECTED = json.loads((LINES / "lines.json").read_text(encoding="utf-8"))
_TESSERACT = engines.missing("tesseract")
_RAPIDOCR = engines.missing("rapidocr")
needs_both = pytest.mark.skipif(
    _TESSERACT is not None or _RAPIDOCR is not None,
    reason=f"Tesseract: {_TESSERACT or 'ok'}; RapidOCR: {_RAPIDOCR or 'ok'}",
)
_MODELS = {"zh": "chi_sim", "ja": "jpn"}


def _plain(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _tesseract_line(name: str) -> tuple[Image.Image, list[Word], list[LineBox], str]:
    image = Image.open(LINES / f"{name}.png")
    models = _MODELS[EXPECTED[name]["language"]]
    words, lines = tesseract.recognize(image, 200, models, psm=7)  # 7: one line
    return image, words, lines, models


@needs_both
@pytest.mark.parametrize(
    "name",
    [
        "zh_tungsten_title",
        "zh_ammonium_paratungstate",
        "zh_zinc_telluride",
        "zh_bismuth_alloys",
        "zh_us_gallium_germanium",
        "ja_nuclear_fuel",
    ],
)
def test_an_unsure_line_is_read_again_and_its_rare_characters_come_right(name: str) -> None:
    image, words, lines, models = _tesseract_line(name)
    assert _plain("".join(w.text for w in words)) != _plain(EXPECTED[name]["text"])
    read = rapid.with_second_reading(image, words, lines, models)
    assert _plain("".join(w.text for w in read)) == _plain(EXPECTED[name]["text"])
    lefts = [w.left for w in read]
    assert lefts == sorted(lefts)  # one word per character, in reading order


@needs_both
def test_a_sure_line_is_not_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    image, words, lines, models = _tesseract_line("zh_plain_article")
    calls: list[int] = []

    def counting(crops: list[Image.Image]) -> list[LineReading]:
        calls.append(len(crops))
        return rapid.read_lines(crops)

    monkeypatch.setattr(rapid, "read_lines", counting)
    assert rapid.with_second_reading(image, words, lines, models) == words
    assert calls == []


def _reading(text: str, score: float) -> LineReading:
    step = 1.0 / max(1, len(text))
    centres = tuple((i + 0.5) * step for i in range(len(text)))
    return LineReading(text, score, centres, tuple(score for _ in text))


@pytest.mark.parametrize(
    ("first", "second", "score", "models", "expected"),
    [
        (
            "关于对镶、钞相关物项实施出口管制的公告",
            "关于对镓、锗相关物项实施出口管制的公告",
            0.999,
            "chi_sim",
            True,
        ),
        (
            "关于对镶、钞相关物项实施出口管制的公告",
            "关于对镓、锗相关物项实施出口管制的公告",
            0.62,
            "chi_sim",
            False,
        ),
        ("6.钢镶砷(参考海关商品编号:2853909025、3818009000)。", "6.铟镓砷", 0.97, "chi_sim", False),
        (
            "(一)1C902.a金属处、含多的合金",
            "(一)1C902.a金属钐、含钐的合金及相关制品、物项、技术和服务",
            0.96,
            "chi_sim",
            False,
        ),
        ("国家对两用物项实施出口管制", "国家对两用物项の出口管制を", 0.95, "chi_sim", False),
        ("二「核次料物質」とは、ウラン", "二「核燃料物質」とは、ウラン", 0.99, "jpn", True),
        (
            "産業の振興とを図り、もつて人類社会の福祉",
            "産業の振兴とを図り、もつて人类社会の福祉",
            0.95,
            "jpn",
            False,
        ),
        (
            "「稀土开采和稀土冶炼分离总最调控管理暂行办法」",
            "「稀土开采和稀土冶炼分离总量调控管理暂行办法」",
            0.97,
            "jpn",
            True,
        ),
        (
            "本法所稱貿易,係指貨品或附屬於貨品",
            "本法所称贸易,系指货品或附属于货品",
            0.95,
            "chi_tra",
            False,
        ),
        ("(二)钱相关物项。", "(二）锗相关物项。", 0.91, "jpn+chi_sim", True),
    ],
    ids=[
        "rare-elements-read-surely",
        "recogniser-unsure",
        "half-the-line-lost",
        "line-grown-by-half",
        "kana-onto-a-chinese-line",
        "japanese-kanji-fixed",
        "simplified-forms-onto-a-japanese-page",
        "quoted-chinese-tesseract-also-read",
        "simplified-forms-onto-a-traditional-page",
        "first-page-of-a-simplified-file",
    ],
)
def test_the_second_reading_replaces_a_line_only_where_plausible(
    first: str, second: str, score: float, models: str, expected: bool
) -> None:
    assert plausible(first, _reading(second, score), models) is expected


def _words(confs: list[float]) -> list[Word]:
    return [Word("字", 10 * i, 0, 10, 10, conf, (1, 1, 1)) for i, conf in enumerate(confs)]


@pytest.mark.parametrize(
    ("confs", "expected"),
    [
        ([93, 97, 0, 92, 93], True),
        ([93, 92, 93, 96, 97], False),
        ([72, 75, 78, 70], True),
        ([-1, -1], False),
    ],
    ids=["one-word-at-zero", "all-sure", "unsure-throughout", "no-words-scored"],
)
def test_which_lines_are_unsure(confs: list[float], expected: bool) -> None:
    assert unsure(_words(confs)) is expected


def test_the_characters_of_a_second_reading_stand_where_it_read_them() -> None:
    box = LineBox((3, 1, 5), left=300, top=600, width=236, height=31)
    reading = LineReading("(一）镓", 0.9, (0.1, 0.3, 0.5, 0.75), (0.9, 0.9, 0.9, 0.9))
    words = to_words(reading, box, left=296, width=244)
    assert [w.text for w in words] == ["(", "一", "）", "镓"]
    assert all(w.line == box.key and w.top == box.top for w in words)
    for before, after in itertools.pairwise(words):
        assert before.left + before.width <= after.left + 1  # side by side, never over
    assert abs((words[3].left + words[3].width / 2) - (296 + 0.75 * 244)) <= 1


def test_without_the_recogniser_tesseract_reading_stands(monkeypatch: pytest.MonkeyPatch) -> None:
    words = _words([93, 0, 92])
    lines = [LineBox((1, 1, 1), 0, 0, 30, 10)]
    monkeypatch.setattr(rapid, "missing", lambda: "rapidocr is not installed")
    assert (
        rapid.with_second_reading(Image.new("L", (40, 20), 255), words, lines, "chi_sim") == words
    )
    assert engines.missing("hybrid") == engines.missing("tesseract")


def test_a_failing_recogniser_leaves_tesseract_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    words = _words([93, 0, 92])
    lines = [LineBox((1, 1, 1), 0, 0, 30, 10)]

    def failing(crops: list[Image.Image]) -> list[LineReading]:
        raise tesseract.OcrEngineError("rapidocr failed: bad model")

    monkeypatch.setattr(rapid, "missing", lambda: None)
    monkeypatch.setattr(rapid, "read_lines", failing)
    assert (
        rapid.with_second_reading(Image.new("L", (40, 20), 255), words, lines, "chi_sim") == words
    )


def test_the_hybrid_engine_is_named_by_option_and_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(engines.ENV, "hybrid")
    assert engines.engine_name() == "hybrid"
    args = build_parser().parse_args(["extract", "x.pdf", "--ocr-engine", "hybrid"])
    assert args.ocr_engine == "hybrid"
