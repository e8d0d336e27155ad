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
from ingest.ocr.reread import LineReading, accepted, plausible, to_words, unsure
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
            "「稀土开采和稀土冶炼分离总最调控管理暂行办法」",
            "「稀土开采和稀土冶炼分离总量调控管理暂行办法」",
            0.97,
            "jpn",
            True,
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
        "quoted-chinese-tesseract-also-read",
        "first-page-of-a-simplified-file",
    ],
)
def test_the_second_reading_replaces_a_line_only_where_plausible(
    first: str, second: str, score: float, models: str, expected: bool
) -> None:
    assert plausible(first, _reading(second, score), models) is expected


# (Tesseract's reading, the recogniser's, the models the page was read in, the line it becomes;
# None: Tesseract's stands).  The jpn lines are from the 200-dpi scans of the dev v1 CISTEC
# commentaries (bench.ocr --engine hybrid), quoting Chinese titles in their footnotes
@pytest.mark.parametrize(
    ("first", "second", "models", "expected"),
    [
        (
            "20(訳者注)「稀土井来和稀土冶類分高中最周控管理新行か法」(中華人民共和国工業和信息化部サイト機関",
            "20（訳者注）「稀土开采和稀土冶炼分离总量调控管理暂行办法」（中華人民共和国工業和信息化部サイ卜機関",
            "jpn",
            "20（訳者注）「稀土开采和稀土冶炼分离总量调控管理暂行办法」（中華人民共和国工業和信息化部サイト機関",
        ),
        (
            "3「公弁征求《稀土井来和笑土治米分高忠最週捧管理放法(新行)(公井征求意見稿)》《稀土声品信息師",
            "3「公开征求《稀土开采和稀土冶炼分离总量调控管理办法（暂行）（公开征求意见稿）》《稀土产品信息追",
            "jpn",
            "3「公开征求《稀土开采和稀土冶炼分离总量调控管理办法（暂行）（公开征求意见稿）》《稀土产品信息追",
        ),
        (
            "和国治安管理外司法」(新華綱2025年6月27日)",
            "和国治安管理处罚法」（新華網2025年6月27日）",
            "jpn",
            "和国治安管理处罚法」（新華網2025年6月27日）",
        ),
        (
            "本措置は、本年2月に、レアアース採掘・レアアース製錬分離総景規制管理弁法(暫定)",
            "本措置は、本年2月に、レア了ース採掘・レアアース製鍊分離総量規制管理弁法（暫定）",
            "jpn",
            "本措置は、本年2月に、レアアース採掘・レアアース製錬分離総量規制管理弁法（暫定）",
        ),
        (
            "アアース指令性生産計画管理暫定弁法発布に関する通知〉(工信部原〔2012〕285号)は同時に",
            "了了一ス指令性生產計画管理暫定弁法発布に関する通知》（工信部原〔2012〕285号）は同時に",
            "jpn",
            "アアース指令性生産計画管理暫定弁法発布に関する通知》（工信部原〔2012〕285号）は同時に",
        ),
        (
            "司局・産業政策与法規司・部門規章・基他類2025年8月22日)",
            "司局·產業政策与法规司·部門规章·其他類2025年8月22日）",
            "jpn",
            "司局・産業政策与法規司・部門規章・其他類2025年8月22日）",
        ),
        (
            "6中国国務読によるレアアース管理条例の制定について(CISTEC解説2024.7.4)",
            "6中国国務院によるレ了アース管理条例の制定について（CISTEC解説2024.7.4)",
            "jpn",
            "6中国国務院によるレアアース管理条例の制定について（CISTEC解説2024.7.4)",
        ),
        (
            "産業の振興とを図り、もつて人類社会の福祉",
            "産業の振兴とを図り、もつて人类社会の福祉",
            "jpn",
            "産業の振興とを図り、もつて人類社会の福祉",
        ),
        (
            "本法所稱貿易,係指貨品或附屬於貨品",
            "本法所称贸易,系指货品或附属于货品",
            "chi_tra",
            "本法所稱貿易,係指貨品或附屬於貨品",
        ),
        # a simplified character where Tesseract read another, alone: a misreading, not a quote
        (
            "省級人民政府の工業情報化、自然資源主管部門は毎年12月末までに当該行政区域内の総最",
            "省級人民政府の工業情報化、自然資源主管部門は每年12月末までに当该行政区域内の总虽",
            "jpn",
            None,
        ),
    ],
    ids=[
        "quoted-title-read-right-katakana-kept",
        "quoted-titles-in-a-footnote",
        "quoted-law-name-in-a-footnote",
        "katakana-word-kept-variant-folded",
        "katakana-and-long-vowel-kept",
        "chinese-forms-and-middle-dots-of-a-japanese-line",
        "a-kanji-fixed-katakana-kept",
        "simplified-forms-onto-a-japanese-statute",
        "traditional-forms-of-a-traditional-page",
        "one-simplified-character-is-no-quotation",
    ],
)
def test_the_second_reading_keeps_what_tesseract_read_better(
    first: str, second: str, models: str, expected: str | None
) -> None:
    assert accepted(first, _reading(second, 0.97), models) == expected


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


# a Japanese footnote line whose quoted Chinese title the jpn model read as other kanji, each
# word fairly sure (no word under 50, mean over 80) yet the mean under 85; the same line's
# Japanese, and the same confidences on a Chinese page, are not read again
@pytest.mark.parametrize(
    ("words", "models", "expected"),
    [
        (["「笑土井来和笑土治米分高", "皿最周控管理折行罰法」", "(中華人民共和国"], "jpn", True),
        (
            ["「笑土井来和笑土治米分高", "皿最周控管理折行罰法」", "(中華人民共和国"],
            "chi_sim",
            False,
        ),
        (["の解説", "(中国の", "サイト)"], "jpn", False),
    ],
    ids=["garbled-quote-on-a-japanese-page", "same-on-a-chinese-page", "no-run-of-han"],
)
def test_a_japanese_line_that_may_quote_chinese_is_read_again(
    words: list[str], models: str, expected: bool
) -> None:
    line = [
        Word(text, 100 * i, 0, 90, 30, conf, (1, 1, 1))
        for i, (text, conf) in enumerate(zip(words, [84.0, 81.0, 86.0], strict=True))
    ]
    assert unsure(line, models) is expected


def test_the_characters_of_a_second_reading_stand_where_it_read_them() -> None:
    box = LineBox((3, 1, 5), left=300, top=600, width=236, height=31)
    reading = LineReading("(一）镓", 0.9, (0.1, 0.3, 0.5, 0.75), (0.9, 0.9, 0.9, 0.9))
    words = to_words(reading, box, left=296, width=244)
    assert [w.text for w in words] == ["(", "一", "）", "镓"]
    assert all(w.line == box.key and w.top == box.top for w in words)
    for before, after in itertools.pairwise(words):
        assert before.left + before.width <= after.left + 1  # side by side, never over
    assert abs((words[3].left + words[3].width / 2) - (296 + 0.75 * 244)) <= 1


def _gaps(words: list[Word]) -> list[int]:
    return [
        after.left - (before.left + before.width) for before, after in itertools.pairwise(words)
    ]


def test_a_latin_word_read_without_a_blank_opens_none() -> None:
    # the recogniser on the translation marker above 別紙1 of the dev v1 scan (page 11, 200
    # dpi): its centres for E and C stand 24 px apart, more than half-em boxes reach across
    box = LineBox((2, 1, 1), left=202, top=267, width=203, height=28)
    centres = (0.0995, 0.2133, 0.2701, 0.3555, 0.4408, 0.5261, 0.6398, 0.7820, 0.9242)
    reading = LineReading("※CISTEC仮訳", 0.944, centres, tuple(0.99 for _ in centres))
    words = to_words(reading, box, left=198, width=211)
    assert "".join(w.text for w in words) == "※CISTEC仮訳"
    assert all(gap <= 1 for gap in _gaps(words[1:7]))  # C I S T E C


def test_a_note_number_keeps_its_blank_before_the_note() -> None:
    # a footnote line ``13 第十八条…``: the number stands apart, as on the page (a note label)
    box = LineBox((5, 1, 1), left=100, top=900, width=300, height=28)
    text = "13第十八条輸出者"
    xs = (8, 22, 62, 90, 118, 146, 174, 202, 230)
    centres = tuple(x / 300 for x in xs[: len(text)])
    reading = LineReading(text, 0.95, centres, tuple(0.99 for _ in text))
    gaps = _gaps(to_words(reading, box, left=100, width=300))
    assert gaps[0] <= 1  # 1 3
    assert gaps[1] >= 7  # 3 | 第: a quarter em and more, as the recogniser placed them


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
