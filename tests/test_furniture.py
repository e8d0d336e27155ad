"""Page furniture, symbol footnotes and title lines: example tables, then the dev/held-out benches.

Tables are rows of text as printed (both languages); the bench rows run the real pipeline on
dev v1, dev v2 and the held-out PDFs (``bench.furniture``, ``bench.identity``).
"""

from __future__ import annotations

import pytest

from bench.furniture import Result
from bench.furniture import run as furniture_run
from bench.identity import run as identity_run
from ingest.footnotes import split_notes
from ingest.furniture import PAGE_NUMBER
from ingest.identity_fields import era_iso, find_numbers, kind_from_title, official_issuer
from ingest.identity_head import is_date_only
from ingest.identity_title import is_letterhead, strip_title_marker
from ingest.layout import measure
from tests.test_layout import line

PAGE_NUMBERS = [
    ("— 3 —", True), ("-3-", True), ("- 12 -", True), ("3/16", True), ("3 / 16", True),
    ("(3)", True), ("（3）", True), ("第3页", True), ("第3頁", True), ("3ページ", True),
    ("第3页/共16页", True), ("第3页（共16页）", True), ("第 2 页（共 16 页）", True),
    ("第 2 页 （ 共 16 页 ）", True), ("第1页　共2页", True), ("共16页 第3页", True),
    ("Page 3 of 16", True), ("page 3", True), ("p. 3", True), ("iv", True),
    ("第3条", False), ("第一章", False), ("(一)", False), ("30 条）", False), ("以上", False),
    ("3.5", False), ("2/3以上", False), ("第2号", False),
]  # fmt: skip


@pytest.mark.parametrize(("text", "is_folio"), PAGE_NUMBERS, ids=[t for t, _ in PAGE_NUMBERS])
def test_page_number_forms(text: str, is_folio: bool) -> None:
    assert bool(PAGE_NUMBER.match(text)) is is_folio


SYMBOL_NOTES = [
    (
        "※ 平成二十七年八月一日現在の条文（附則を除く）。",
        0,
        "※",
        "平成二十七年八月一日現在の条文（附則を除く）。",
    ),
    (
        "* 本法根据全国人民代表大会常务委员会公报刊载文本排印。",
        0,
        "*",
        "本法根据全国人民代表大会常务委员会公报刊载文本排印。",
    ),
    ("注：节选自商务部许可证事务局网站转载稿。", 0, "注", "节选自商务部许可证事务局网站转载稿。"),
    ("† Translation by the editors.", 0, "†", "Translation by the editors."),
    (
        "1 「稀土管理条例」（中華人民共和国国務院サイト）",
        1,
        None,
        "「稀土管理条例」（中華人民共和国国務院サイト）",
    ),
    ("注1 商务部公告2025年第61号。", 1, None, "商务部公告2025年第61号。"),
]


@pytest.mark.parametrize(
    ("text", "number", "label", "note"), SYMBOL_NOTES, ids=[r[0][:8] for r in SYMBOL_NOTES]
)
def test_note_labels(text: str, number: int, label: str | None, note: str) -> None:
    zone = [line(text, top=700.0, size=7.5)]
    body = [line("本文の行です。" * 5, top=100.0 + 18 * i) for i in range(6)]
    blocks, _ = split_notes([zone], measure([body + zone]))
    assert [(b.footnote_number, b.note_label, b.text) for b in blocks] == [(number, label, note)]


TITLE_LINES = [
    ("中华人民共和国出口管制法*", "中华人民共和国出口管制法"),
    ("中華人民共和國出口管制法（節選）※", "中華人民共和國出口管制法（節選）"),
    (
        "关于优化调整石墨物项临时出口管制措施的公告（网页转载，节选）＊",
        "关于优化调整石墨物项临时出口管制措施的公告（网页转载，节选）",
    ),
    (
        "レアアース採掘・レアアース製錬分離総量規制管理暫定弁法 20",
        "レアアース採掘・レアアース製錬分離総量規制管理暫定弁法",
    ),
    ("商务部 海关总署公告2023年第23号", "商务部 海关总署公告2023年第23号"),
    ("輸出貿易管理令の運用について", "輸出貿易管理令の運用について"),
]


@pytest.mark.parametrize(("text", "title"), TITLE_LINES, ids=[t[:10] for t, _ in TITLE_LINES])
def test_title_without_its_marker(text: str, title: str) -> None:
    assert strip_title_marker(text) == title


LETTERHEADS = [
    ("中华人民共和国商务部文件", True),
    ("商务部 海关总署文件", True),
    ("国务院办公厅文件", True),
    ("商务部关于加强两用物项出口管制合规工作的通知", False),
    ("中华人民共和国出口管制法", False),
    ("商务部 海关总署公告2023年第23号", False),
]


@pytest.mark.parametrize(("text", "letterhead"), LETTERHEADS, ids=[t for t, _ in LETTERHEADS])
def test_letterhead_is_not_a_title(text: str, letterhead: bool) -> None:
    assert is_letterhead(text) is letterhead


JA_NUMBERS = [
    ("20240315貿局第2号", "20240315貿局第2号"),
    ("基発0401第12号", "基発0401第12号"),
    ("○○発第12号", "○○発第12号"),
    ("課法2-1", "課法2-1"),
    ("商贸函〔2024〕12号", "商贸函〔2024〕12号"),
    ("（昭和三十年法律第百八十六号）", "昭和三十年法律第百八十六号"),
    ("（昭和四十六年政令第二百六十四号）", "昭和四十六年政令第二百六十四号"),
    ("平成十年経済産業省令第十二号", "平成十年経済産業省令第十二号"),
]


@pytest.mark.parametrize(("text", "number"), JA_NUMBERS, ids=[n for _, n in JA_NUMBERS])
def test_document_number_lines(text: str, number: str) -> None:
    assert find_numbers(text)[0].text == number


def test_statute_numbers_name_their_maker() -> None:
    assert find_numbers("昭和三十年法律第百八十六号")[0].issuers == ("国会",)
    assert find_numbers("昭和四十六年政令第二百六十四号")[0].issuers == ("内閣",)
    assert find_numbers("平成十年経済産業省令第十二号")[0].issuers == ("経済産業省",)


KINDS = [
    ("脱炭素成長型経済構造への円滑な移行の推進に関する法律", "law"),
    ("特定工場における公害防止組織の整備に関する法律施行令", "order"),
    ("輸出貿易管理令", "order"),
    ("外国為替及び外国貿易法施行規則", "order"),
    ("関係法令", None),
    ("中華人民共和國出口管制法（節選）", "law"),
    ("商务部新闻稿", "news"),
    (
        "商务部 海关总署公告2023年第39号 关于优化调整石墨物项临时出口管制措施的公告"
        "（网页转载，节选）",
        "announcement",
    ),
    # unseen2: an excerpt marked without brackets; a ministry's handling rules (要領)
    ("外国為替及び外国貿易法抜粋", "law"),
    ("包括許可取扱要領", "notice"),
    ("輸出許可申請書記入要領", "guide"),
]


@pytest.mark.parametrize(("title", "kind"), KINDS, ids=[t[-10:] for t, _ in KINDS])
def test_kind_from_title(title: str, kind: str | None) -> None:
    assert kind_from_title(title) == kind


OFFICES = [
    ("経済産業省貿易経済協力局長", "経済産業省"),
    ("国税庁長官", "国税庁"),
    ("各地方経済産業局長　殿", None),
    ("国税局長 殿", None),
    ("輸出貿易管理令の運用について", None),
]


@pytest.mark.parametrize(("text", "issuer"), OFFICES, ids=[t for t, _ in OFFICES])
def test_official_issuer(text: str, issuer: str | None) -> None:
    assert official_issuer(text) == issuer


DATELINES = [
    ("令和6年3月15日", "2024-03-15"),
    ("令和元年5月1日", "2019-05-01"),
    ("平成二十七年八月一日", "2015-08-01"),
]


@pytest.mark.parametrize(("text", "iso"), DATELINES, ids=[t for t, _ in DATELINES])
def test_era_datelines(text: str, iso: str) -> None:
    assert is_date_only(text)
    assert era_iso(text) == iso


# ---------------------------------------------------------------- benches on real PDFs


@pytest.fixture(scope="module")
def furniture() -> list[tuple[str, Result]]:
    return furniture_run(["v1", "v2", "heldout"])


@pytest.mark.slow
def test_no_furniture_in_body_blocks(furniture: list[tuple[str, Result]]) -> None:
    leaks = [f"{name}: {item}" for name, r in furniture for item in [*r.header, *r.folio, *r.note]]
    assert leaks == []


@pytest.mark.slow
def test_footnotes_found_and_paragraphs_joined(furniture: list[tuple[str, Result]]) -> None:
    found = sum(r.notes_found for _, r in furniture)
    truth = sum(r.notes_truth for _, r in furniture)
    assert truth >= 8 and found == truth
    assert [s for _, r in furniture for s in r.split] == []
    assert sum(r.crossing for _, r in furniture) >= 100


@pytest.mark.slow
def test_titles_on_dev_and_heldout() -> None:
    tallies = identity_run(["v1", "v2", "heldout"])
    assert tallies["v2"].right["title"] >= 10, tallies["v2"].misses
    for name in ("v1", "heldout"):
        assert tallies[name].right == tallies[name].total, tallies[name].misses
