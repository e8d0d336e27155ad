"""Simplified Chinese quoted on a Japanese page (``ingest.ocr.mixed``): which second
readings replace a line, and the rereading itself on a real scanned line."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from ingest.ocr import tesseract
from ingest.ocr.mixed import prefer_mixed, reread_mixed_lines

FIXTURE = Path(__file__).parent / "data" / "ocr" / "ja_quoting_zh_title.png"


# (Japanese reading, jpn+chi_sim reading) of one line, both Tesseract on the 200-dpi scans of
# the dev v1 commentaries (bench.ocr), and whether the second reading should replace the first
@pytest.mark.parametrize(
    ("japanese", "mixed", "expected"),
    [
        (
            "20(訳者注)「稀土井来和稀土冶類分高中最周控管理新行か法」(中華人民共和国工業和信息化部サイト機関",
            "20(訳者注)【稀土开采和稀土治炼分离总虽调控管理暂行办法】(中濃人民共和国工業和信息化部サイト機関",
            True,
        ),
        (
            "3「公弁征求《稀土井来和笑土治米分高忠最週捧管理放法(新行)(公井征求意見稿)》《稀土声品信息師",
            "3「公开征求《稀土开采和稀土治炼分离总最调控管理办法(暂行)(公开征求意见稿)》《稀土产品信息追",
            True,
        ),
        # a Japanese line the mixed models put into Chinese forms: same words once folded
        (
            "司局・産業政策与法規司・部門規章・基他類2025年8月22日)",
            "司局“产业政策与法规司“部门规章.其他类2025年8月22日)",
            False,
        ),
        (
            "アアース資源の貯蔵量および種類の相違、レアアース産業の発展、生明保護、市場需要等の要",
            "アアース資源の貯蔵量および種類の相違、レアアース産業の発展、生態保護、市場需要等の要",
            False,
        ),
        (
            "第六条工業情報化部は自然資源部と共同で国務院が承認した総量規制指標に基づいて、レア",
            "第六条工业情报化部は自然资源部と共同で国务院が承认した总量规制指标に基づいて、レア",
            False,
        ),
        # a Japanese line read all Han by the two models, its kana turned into characters
        ("化石燃料課金の過課に関する事項", "化石燃料赋课金四贱课亿阅广召事项", False),
    ],
    ids=[
        "footnote-title",
        "title-in-title",
        "ja-in-chinese-forms",
        "ja-one-fix",
        "ja-statute",
        "ja-kana-lost",
    ],
)
def test_a_line_is_replaced_only_for_chinese_the_japanese_model_could_not_read(
    japanese: str, mixed: str, expected: bool
) -> None:
    assert prefer_mixed(japanese, mixed) is expected


def _by_line(words: list[tesseract.Word]) -> list[str]:
    lines: dict[tuple[int, int, int], str] = {}
    for word in words:
        lines[word.line] = lines.get(word.line, "") + word.text
    return list(lines.values())


@pytest.mark.skipif(tesseract.missing() is not None, reason=f"OCR: {tesseract.missing()}")
def test_a_quoted_chinese_title_is_read_again_and_the_statute_line_is_not() -> None:
    image = Image.open(FIXTURE)
    words, lines = tesseract.recognize(image, 200, "jpn")
    before = _by_line(words)
    assert not any("稀土开采" in line for line in before)  # the Japanese model garbles it

    def read(strip: Image.Image, lang: str, psm: int) -> tuple[list, list]:
        return tesseract.recognize(strip, 200, lang, psm=psm)

    after = _by_line(reread_mixed_lines(image, words, lines, read))
    title = next(line for line in after if "訳者注" in line)
    assert "稀土开采和稀土" in title and "管理暂行办法" in title
    assert "サイト" in title  # the Japanese of the same line stays Japanese
    statute = next(line for line in after if line.startswith("第五条"))
    assert statute == next(line for line in before if line.startswith("第五条"))
