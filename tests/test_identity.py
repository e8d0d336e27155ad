"""Document identity: field parsers on real lines, and whole files against the dev truth."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from ingest.identity import identify
from ingest.identity_fields import (
    chinese_form,
    dates_in_clause,
    find_numbers,
    kind_from_title,
    revision_stamp,
    split_issuers,
)
from models.document import Document
from tests.factories import make_document

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"

NUMBERS = [
    ("商務部・海関総署公告 2025 年第 70 号 商務部・海関総署公告", "商務部・海関総署公告2025年第70号"),  # noqa: E501
    ("【発布文書番号】商務部公告 2025 年第 61 号", "商務部公告2025年第61号"),
    ("「商务部公告 2025 第 61 号 公布对境外相关稀土物项", "商务部公告2025第61号"),
    ("「商务部、海关总署公告 2025 年第 70 号 公布暂停实施", "商务部、海关总署公告2025年第70号"),
    (
        "（2025 年 7 月 28 日工業情報化部、国家発展改革委員会、自然資源部令第 71 号公布、公布の",
        "工業情報化部、国家発展改革委員会、自然資源部令第71号",
    ),
    ("《弁法》（工業情報化部令第 71 号、以下《弁法》と略）", "工業情報化部令第71号"),
    ("国发〔2024〕12号", "国发〔2024〕12号"),
    ("工信部原〔2012〕285号", "工信部原〔2012〕285号"),
]


@pytest.mark.parametrize(("text", "expected"), NUMBERS, ids=[e for _, e in NUMBERS])
def test_first_number(text: str, expected: str) -> None:
    assert find_numbers(text)[0].text == expected


def test_chinese_alias_of_a_japanese_number() -> None:
    number = find_numbers("商務部・海関総署公告 2025 年第 70 号")[0]
    assert chinese_form(number.canonical()) == "商务部、海关总署公告2025年第70号"
    assert find_numbers("商务部公告 2025 第 61 号")[0].canonical() == "商务部公告2025年第61号"


ISSUERS = [
    ("工業情報化部、国家発展改革委員会、自然資源部", ("工業情報化部", "国家発展改革委員会", "自然資源部")),  # noqa: E501
    ("商務部・海関総署", ("商務部", "海関総署")),
    ("2007年8月30日 第十届全国人民代表大会常务委员会第二十九次会议通过", ("全国人民代表大会常务委员会",)),  # noqa: E501
    ("工業情報化部公表、意見募集稿", ("工業情報化部",)),
]


@pytest.mark.parametrize(("text", "expected"), ISSUERS, ids=[t[:12] for t, _ in ISSUERS])
def test_split_issuers(text: str, expected: tuple[str, ...]) -> None:
    assert split_issuers(text) == expected


def test_revision_stamp() -> None:
    published, revised = revision_stamp("2025.10.9／改訂 5 版同 11.10")
    assert (published.role, published.iso) == ("published", "2025-10-09")
    assert (revised.role, revised.iso, revised.revision) == ("revised", "2025-11-10", 5)


CLAUSES = [
    (
        "（2025 年 7 月 28 日工業情報化部、国家発展改革委員会、自然資源部令第 71 号公布、"
        "公布の日より施行。）",
        [("promulgated", "2025-07-28"), ("effective", "2025-07-28")],
    ),
    (
        "2007年8月30日 第十届全国人民代表大会常务委员会第二十九次会议通过 2022年6月24日 第十三届"
        "全国人民代表大会常务委员会第三十五次会议《关于修改〈中华人民共和国反垄断法〉的决定》修正）",
        [("promulgated", "2007-08-30"), ("revised", "2022-06-24")],
    ),
    ("（2025 年 2 月 19 日工業情報化部公表、意見募集稿）", [("published", "2025-02-19")]),
]


@pytest.mark.parametrize(("clause", "expected"), CLAUSES, ids=["order71", "aml2022", "draft"])
def test_dates_in_clause(clause: str, expected: list[tuple[str, str]]) -> None:
    assert [(d.role, d.iso) for d in dates_in_clause(clause)] == expected


KINDS = [
    ("中华人民共和国反垄断法", "law"),
    ("レアアース採掘・レアアース製錬分離総量規制管理弁法（暫定）（意見募集稿）", "measures"),
    ("稀土开采和稀土冶炼分离总量调控管理暂行办法", "measures"),
    ("《レアアース採掘・レアアース製錬分離総量規制管理暫定弁法》解説", "explanation"),
    ("《稀土开采和稀土冶炼分离总量调控管理暂行办法》解读", "explanation"),
    ("公布对稀土相关技术实施出口管制的决定", "announcement"),
    ("国外の関連希土類品目に対する輸出管理実施の決定の公布", "announcement"),
    ("品目リスト", "list"),
    ("《コンプライアンス告知書》ガイド", "guide"),
    ("稀土管理条例", "regulation"),
    ("中国によるレアアース関連貨物及び技術の輸出管理規制の強化について", None),
]


@pytest.mark.parametrize(("title", "expected"), KINDS, ids=[t[:14] for t, _ in KINDS])
def test_kind_from_title(title: str, expected: str | None) -> None:
    assert kind_from_title(title) == expected


def test_seed_text_documents() -> None:
    """The seed's text (no pages, footnotes interleaved) still yields the three documents."""
    document = make_document((DATA / "000_15acbace682750dc.txt").read_text(encoding="utf-8"))
    _, subs = identify(document)
    by_key = {s.key: s.identity for s in subs}
    assert set(by_key) == {"main", "annex1", "annex2"}
    assert by_key["annex1"].kind == "measures"
    assert by_key["annex1"].number == "工業情報化部、国家発展改革委員会、自然資源部令第71号"
    assert by_key["annex2"].kind == "explanation"
    assert by_key["main"].kind == "commentary"


# ---------------------------------------------------------------- real PDFs

SAMPLES = [
    ("samples/000_15acbace682750dc.pdf", "tests/data/dev/truth/000_15acbace682750dc.json"),
    ("samples/001_2ccde129c88cd74c.pdf", "tests/data/dev/truth/001_2ccde129c88cd74c.json"),
    (
        "samples/versions/anti_monopoly_law_2007.pdf",
        "tests/data/dev/versions/anti_monopoly_law_2007.articles.json",
    ),
    (
        "samples/versions/anti_monopoly_law_2022.pdf",
        "tests/data/dev/versions/anti_monopoly_law_2022.articles.json",
    ),
    (
        "samples/versions/rare_earth_measures_draft.pdf",
        "tests/data/dev/versions/rare_earth_measures_draft.articles.json",
    ),
    (
        "samples/versions/rare_earth_measures_final.pdf",
        "tests/data/dev/versions/rare_earth_measures_final.articles.json",
    ),
]


@cache
def _ingested(path: str) -> Document:
    from ingest.pipeline import ingest_pdf

    return ingest_pdf(ROOT / path)


def _truth_cases() -> list[tuple[str, dict[str, object]]]:
    cases = []
    for pdf, truth in SAMPLES:
        for doc in json.loads((ROOT / truth).read_text(encoding="utf-8"))["documents"]:
            cases.append((pdf, doc))
    return cases


@pytest.mark.slow
@pytest.mark.parametrize(
    ("pdf", "truth"),
    _truth_cases(),
    ids=[f"{Path(p).stem[:20]}-{t['key']}" for p, t in _truth_cases()],
)
def test_sample_documents_match_truth(pdf: str, truth: dict[str, object]) -> None:
    document = _ingested(pdf)
    _, subs = identify(document)
    sub = next(s for s in subs if s.key == truth["key"])
    identity = sub.identity
    assert identity.title == truth["title"]
    assert identity.kind == truth["kind"]
    assert identity.issuers == truth["issuer"]
    assert identity.number == truth["number"]
    if "title_zh" in truth:
        assert identity.title_original == truth["title_zh"]
    if "label" in truth:
        assert identity.label == truth["label"]
    if truth["key"] == "main":
        # main spans the whole file; the truth's pages are the commentary's own pages
        assert sub.pages == (1, len(document.pages))
    else:
        assert list(sub.pages) == truth["pages"]
    for alias in truth.get("number_aliases", []):  # type: ignore[attr-defined]
        assert alias in identity.number_aliases


@pytest.mark.slow
def test_commentary_revision_and_law_dates() -> None:
    identity, _ = identify(_ingested("samples/001_2ccde129c88cd74c.pdf"))
    assert identity.date("published") == "2025-10-09"
    assert identity.date("revised") == "2025-11-10"
    assert identity.revision == 5
    law, _ = identify(_ingested("samples/versions/anti_monopoly_law_2022.pdf"))
    assert law.date("promulgated") == "2007-08-30"
    assert law.date("revised") == "2022-06-24"
