"""Page furniture and block boundaries in layouts not seen in development (issue 16): a
running header printed from page 2 of a two-page file, full-width and minus-sign folios, a
hanging indent without a label, a table of contents' heading after a paragraph."""

from __future__ import annotations

import pytest

from ingest.furniture import PAGE_NUMBER, find_furniture
from ingest.layout import measure, paragraphs, start_kind
from models.document import BlockKind
from tests.test_layout import line

HEIGHT = 842.0


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("－1－", id="fullwidth-hyphens"),
        pytest.param("－ 12 －", id="fullwidth-hyphens-spaced"),
        pytest.param("−3−", id="minus-signs-after-nfkc"),
        pytest.param("‐ 4 ‐", id="unicode-hyphens"),
    ],
)
def test_dash_folios(text: str) -> None:
    assert PAGE_NUMBER.match(text)


def _two_pages(header_on_page_2: bool) -> list[list]:
    page1 = [
        line("中華人民共和國出口管制法", x0=200.0, top=80.0, size=18.0),
        line(
            "第一條　為了維護國家安全和利益，履行防擴散等國際義務，加強和規範出口管制，", top=130.0
        ),
        line("制定本法。", top=147.5),
        line("p. 1", x0=480.0, top=800.0, size=9.0),
    ]
    top = 92.0
    page2 = []
    if header_on_page_2:
        page2 += [
            line("法律法規數據庫", x0=400.0, top=30.0, size=9.0, page=2),
            line("中華人民共和國出口管制法（2020年）", x0=330.0, top=42.0, size=9.0, page=2),
        ]
    page2 += [
        line(
            "第二條　國家對兩用物項、軍品、核以及其他與維護國家安全和利益相關的貨物、",
            top=top,
            page=2,
        ),
        line("技術、服務等物項的出口管制，適用本法。", top=top + 17.5, page=2),
        line("p. 2", x0=480.0, top=800.0, size=9.0, page=2),
    ]
    return [page1, page2]


def test_header_printed_from_page_2_of_a_two_page_file() -> None:
    pages = _two_pages(header_on_page_2=True)
    kinds = find_furniture(pages, {1: HEIGHT, 2: HEIGHT})
    assert [kinds.get(id(ln)) for ln in pages[1][:2]] == [BlockKind.HEADER, BlockKind.HEADER]
    assert id(pages[1][2]) not in kinds  # the article under it stays body
    assert id(pages[0][0]) not in kinds  # the title of page 1 is no header


def test_page_2_without_a_header_keeps_its_first_line() -> None:
    pages = _two_pages(header_on_page_2=False)
    kinds = find_furniture(pages, {1: HEIGHT, 2: HEIGHT})
    assert id(pages[1][0]) not in kinds


def test_hanging_indent_without_a_label_is_one_block() -> None:
    # A 通達's list of acts: each entry at 1em, its wrapped lines at 2em.
    column = (
        "外国為替及び外国貿易法第四十八条第一項の規定による許可の申請に係る運用については、"
        "次に掲げる法令の略称を用いる。"
    )
    wrapped = "ついて（平成四年十二月二十一日付け四貿局第四百九十二号。以下「役務通達」という。）"
    lines = [
        line(column[:40], x0=72.0, top=60.0),
        line(column[40:], x0=72.0, top=77.5),
        line(
            "外国為替令第十七条第二項の規定に基づき許可を要する技術を提供する取引又は行為に",
            x0=82.5,
            top=95.0,
        ),
        line(wrapped[:38], x0=93.0, top=112.5),
        line(wrapped[38:], x0=93.0, top=130.0),
        line("輸出貿易管理規則（昭和二十四年通商産業省令第六十四号）", x0=82.5, top=147.5),
    ]
    blocks = paragraphs(lines, measure([lines]))
    texts = [b.text for b in blocks]
    assert texts[-2].startswith("外国為替令") and texts[-2].endswith("という。）")
    assert texts[-1].startswith("輸出貿易管理規則")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        pytest.param("目录", BlockKind.HEADING, id="zh-simplified"),
        pytest.param("目錄", BlockKind.HEADING, id="zh-traditional"),
        pytest.param("目　录", BlockKind.HEADING, id="spaced"),
        pytest.param("目次", BlockKind.HEADING, id="ja"),
        pytest.param("目录所列物项", None, id="word-in-a-sentence"),
    ],
)
def test_table_of_contents_heading_starts_a_block(text: str, kind: BlockKind | None) -> None:
    assert start_kind(line(text)) is kind
