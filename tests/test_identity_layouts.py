"""Identity and page furniture on whole PDFs in layouts the dev set does not have.

Each file is typeset by ``tests.layout_pdfs`` (reportlab, built-in CID fonts): a Chinese law
with ``— n —`` folios alternating right/left and a ``*`` note on its title; a Traditional-script
one-page repost with its header above a rule, a ``※`` note and ``第 1 頁（共 1 頁）``; Japanese
circulars (通達) with the number, date, addressee and signing office above the title, the
title set larger or in the body size; a one-page notice whose document number is set in the
title's size on a line of its own, with a small header and no rule; a red-header document
whose letterhead (中华人民共和国商务部文件) is set larger than its title.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from bench.extraction import norm
from ingest.pipeline import ingest_pdf
from models.document import BlockKind, Document
from tests.layout_pdfs import JA, ZH, Layout, Para, render

_ARTICLE = (
    "第{n}条　为了加强和规范两用物项出口管制，维护国家安全和利益，履行防扩散等国际义务，"
    "根据有关法律，制定本法。本条所称管制物项，包括物项相关的技术资料等数据。"
)
_NUMERALS = "一二三四五六七八九十"
ARTICLES = [_ARTICLE.format(n=n) for n in _NUMERALS] + [
    _ARTICLE.format(n=f"十{n}") for n in _NUMERALS[:-1]
]


def _law(path: Path) -> Path:
    layout = Layout(
        ZH,
        header=["中华人民共和国出口管制法"],
        header_from=2,
        folio=lambda n, _: f"— {n} —",
        folio_align="outer",
        notes={1: ["* 本法根据全国人民代表大会常务委员会公报刊载文本排印。"]},
    )
    head = [
        Para("中华人民共和国出口管制法*", 16, "center"),
        Para(
            "（2020年10月17日第十三届全国人民代表大会常务委员会第二十二次会议通过）",
            10.5,
            "center",
            space_before=6,
        ),
        Para("第一章　总则", 12, "center", space_before=6),
    ]
    return render(path, layout, head + [Para(a, 10.5, indent=2) for a in ARTICLES])


def _traditional_repost(path: Path) -> Path:
    layout = Layout(
        ZH,
        header=["法規資料庫轉載"],
        header_rule=True,
        folio=lambda n, total: f"第 {n} 頁（共 {total} 頁）",
        notes={1: ["※ 轉載自全國人民代表大會網站，僅供參考。"]},
    )
    return render(
        path,
        layout,
        [
            Para("中華人民共和國出口管制法（節選）※", 15, "center"),
            Para(
                "（2020年10月17日第十三屆全國人民代表大會常務委員會第二十二次會議通過）",
                10,
                "center",
                space_before=4,
            ),
            Para(
                "第一條　為了維護國家安全和利益，履行防擴散等國際義務，"
                "加強和規範出口管制，制定本法。",
                indent=2,
            ),
            Para(
                "第二條　國家對兩用物項、軍品、核以及其他與維護國家安全和利益、履行防擴散等國際"
                "義務相關的貨物、技術、服務等物項的出口管制，適用本法。",
                indent=2,
            ),
        ],
    )


def _circular(path: Path, title_size: float) -> Path:
    return render(
        path,
        Layout(JA, folio=lambda n, _: f"- {n} -"),
        [
            Para("20240315貿局第2号", align="right"),
            Para("令和6年3月15日", align="right"),
            Para("各地方経済産業局長　殿"),
            Para("経済産業省貿易経済協力局長", align="right"),
            Para("輸出貿易管理令の運用について", title_size, "center", space_before=10),
            Para(
                "輸出貿易管理令（昭和二十四年政令第三百七十八号）の運用について、下記のとおり"
                "定めたので、通知する。",
                indent=1,
                space_before=10,
            ),
            Para("記", align="center"),
            Para("１　この通達は、令和6年4月1日から施行する。"),
        ],
    )


def _numbered_notice(path: Path) -> Path:
    layout = Layout(
        ZH, header=["两用物项出口管制通知汇编"], folio=lambda n, t: f"{n}/{t}", folio_align="right"
    )
    return render(
        path,
        layout,
        [
            Para("商贸函〔2024〕12号", 15, "center"),
            Para("商务部关于做好两用物项出口管制工作的通知", 15, "center"),
            Para("各省、自治区、直辖市商务主管部门：", space_before=8),
            Para(
                "为做好两用物项出口管制工作，根据《中华人民共和国出口管制法》有关规定，"
                "现将有关事项通知如下：",
                indent=2,
            ),
            Para("一、出口经营者应当建立出口管制内部合规制度，并按照规定办理许可手续。", indent=2),
            Para("二、各地商务主管部门应当加强对出口经营者的指导和监督检查。", indent=2),
            Para("商务部", align="right", space_before=8),
            Para("2024年3月1日", align="right"),
        ],
    )


def _red_header(path: Path) -> Path:
    """A 红头文件: the issuer's letterhead set larger than the title, the number under it."""
    return render(
        path,
        Layout(ZH, folio=lambda n, _: f"- {n} -"),
        [
            Para("中华人民共和国商务部文件", 24, "center"),
            Para("商贸发〔2024〕35号", 10.5, "center", space_before=6),
            Para("商务部关于加强两用物项出口管制合规工作的通知", 16, "center", space_before=14),
            Para("各省、自治区、直辖市商务主管部门：", space_before=8),
            Para(
                "为指导出口经营者建立健全出口管制内部合规制度，现就有关事项通知如下。",
                indent=2,
            ),
            Para("商务部", align="right", space_before=8),
            Para("2024年5月10日", align="right"),
        ],
    )


BUILDERS = {
    "law-alternating-folios": _law,
    "traditional-repost": _traditional_repost,
    "circular-large-title": lambda p: _circular(p, 13),
    "circular-body-size-title": lambda p: _circular(p, 10.5),
    "notice-number-line": _numbered_notice,
    "red-header": _red_header,
}


@cache
def _document(name: str, folder: str) -> Document:
    return ingest_pdf(BUILDERS[name](Path(folder) / f"{name}.pdf"))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("layouts"))


_CIRCULAR = ("輸出貿易管理令の運用について", "notice", ["経済産業省"], "20240315貿局第2号")
IDENTITIES = [
    ("law-alternating-folios", "中华人民共和国出口管制法", "law", ["全国人民代表大会常务委员会"],
     None),
    (
        "traditional-repost",
        "中華人民共和國出口管制法（節選）",
        "law",
        ["全國人民代表大會常務委員會"],
        None,
    ),
    ("circular-large-title", *_CIRCULAR),
    ("circular-body-size-title", *_CIRCULAR),
    (
        "notice-number-line",
        "商务部关于做好两用物项出口管制工作的通知",
        "notice",
        ["商务部"],
        "商贸函〔2024〕12号",
    ),
    (
        "red-header",
        "商务部关于加强两用物项出口管制合规工作的通知",
        "notice",
        ["商务部"],
        "商贸发〔2024〕35号",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "title", "kind", "issuers", "number"), IDENTITIES, ids=[r[0] for r in IDENTITIES]
)
def test_identity_of_unseen_layouts(
    folder: str, name: str, title: str, kind: str, issuers: list[str], number: str | None
) -> None:
    identity = _document(name, folder).identity
    assert (identity.title, identity.kind, identity.issuers, identity.number) == (
        title,
        kind,
        issuers,
        number,
    )


def test_circular_date_from_its_era_dateline(folder: str) -> None:
    identity = _document("circular-large-title", folder).identity
    assert identity.date("promulgated") == "2024-03-15"


FURNITURE = [
    ("law-alternating-folios", ["中华人民共和国出口管制法"], "— {n} —"),
    ("traditional-repost", ["法規資料庫轉載"], "第{n}頁（共{total}頁）"),
    ("circular-large-title", [], "- {n} -"),
    ("notice-number-line", ["两用物项出口管制通知汇编"], "{n}/{total}"),
]


@pytest.mark.parametrize(("name", "headers", "folio"), FURNITURE, ids=[r[0] for r in FURNITURE])
def test_furniture_is_never_body_text(
    folder: str, name: str, headers: list[str], folio: str
) -> None:
    document = _document(name, folder)
    total = len(document.pages)
    folios = [folio.format(n=n, total=total) for n in range(1, total + 1)]
    furniture = [norm(b.text) for b in document.blocks if b.kind.is_furniture]
    assert set(furniture) == {norm(t) for t in headers + folios}
    body_lines = {
        norm(document.text[line.char_span.start : line.char_span.end])
        for block in document.blocks
        if block.kind in (BlockKind.BODY, BlockKind.HEADING, BlockKind.LIST_ITEM)
        for line in block.lines
        if line.char_span is not None
    }
    assert not body_lines & {norm(f) for f in folios}


def test_paragraphs_run_on_over_page_breaks(folder: str) -> None:
    document = _document("law-alternating-folios", folder)
    assert len(document.pages) >= 2
    paragraphs = [norm(p) for p in document.text[: document.body_end].split("\n")]
    for article in ARTICLES:
        assert norm(article) in paragraphs


NOTES = [
    ("law-alternating-folios", "*", "本法根据全国人民代表大会常务委员会公报刊载文本排印。"),
    ("traditional-repost", "※", "轉載自全國人民代表大會網站，僅供參考。"),
]


@pytest.mark.parametrize(("name", "label", "text"), NOTES, ids=[r[0] for r in NOTES])
def test_symbol_note_is_linked_to_the_title(folder: str, name: str, label: str, text: str) -> None:
    """The marker glued to the title is removed from it and points at the note."""
    document = _document(name, folder)
    assert [(n.label, n.text) for n in document.footnotes] == [(label, text)]
    note = document.footnotes[0]
    assert note.marker_block is not None
    marked = document.blocks[note.marker_block]
    assert norm(marked.text) == norm(document.identity.title)
    assert label not in document.text[: document.body_end]
