"""Document identity: field parsers on real lines, and whole files against the dev truth."""

from __future__ import annotations

import json
import re
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
    (
        "商務部・海関総署公告 2025 年第 70 号 商務部・海関総署公告",
        "商務部・海関総署公告2025年第70号",
    ),
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
    (
        "工業情報化部、国家発展改革委員会、自然資源部",
        ("工業情報化部", "国家発展改革委員会", "自然資源部"),
    ),
    ("商務部・海関総署", ("商務部", "海関総署")),
    (
        "2007年8月30日 第十届全国人民代表大会常务委员会第二十九次会议通过",
        ("全国人民代表大会常务委员会",),
    ),
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


# ---------------------------------------------------------------- acts behind their orders

JOINT_ISSUERS = [
    ("商务部海关总署", ("商务部", "海关总署")),
    ("商务部 海关总署", ("商务部", "海关总署")),
    ("商務部海関総署", ("商務部", "海関総署")),
    ("财政部国家税务总局", ("财政部", "国家税务总局")),
    ("全国人民代表大会常务委员会", ("全国人民代表大会常务委员会",)),
    ("国务院办公厅", ("国务院办公厅",)),
    ("国务院国有资产监督管理委员会", ("国务院国有资产监督管理委员会",)),
    ("中国人民银行", ("中国人民银行",)),
]


@pytest.mark.parametrize(("text", "expected"), JOINT_ISSUERS, ids=[t for t, _ in JOINT_ISSUERS])
def test_joint_issuers_without_a_separator(text: str, expected: tuple[str, ...]) -> None:
    assert split_issuers(text) == expected


# Gazette layout: order heading, serial, promulgation clause, signer, date, then the act.
ORDERS = [
    pytest.param(
        "中华人民共和国主席令\n第五十八号\n《中华人民共和国出口管制法》已由中华人民共和国第十三届"
        "全国人民代表大会常务委员会第二十二次会议于2020年10月17日通过，现予公布，"
        "自2020年12月1日起施行。\n中华人民共和国主席　习近平\n2020年10月17日\n"
        "中华人民共和国出口管制法\n"
        "（2020年10月17日第十三届全国人民代表大会常务委员会第二十二次会议通过）\n"
        "第一章　总　　则\n第一条　为了维护国家安全和利益，履行防扩散等国际义务，制定本法。",
        (
            "中华人民共和国出口管制法",
            "law",
            ["全国人民代表大会常务委员会"],
            "中华人民共和国主席令第五十八号",
            [("promulgated", "2020-10-17"), ("effective", "2020-12-01")],
        ),
        id="主席令",
    ),
    pytest.param(
        "中华人民共和国国务院令\n第792号\n《中华人民共和国两用物项出口管制条例》已经2024年9月18日"
        "国务院第41次常务会议通过，现予公布，自2024年12月1日起施行。\n总理　李强\n"
        "2024年9月30日\n中华人民共和国两用物项出口管制条例\n第一章　总　　则\n"
        "第一条　为了加强和规范两用物项出口管制，制定本条例。",
        (
            "中华人民共和国两用物项出口管制条例",
            "regulation",
            ["国务院"],
            "国务院令第792号",
            [("promulgated", "2024-09-30"), ("effective", "2024-12-01")],
        ),
        id="国务院令",
    ),
    pytest.param(
        "中华人民共和国商务部令\n2020年第1号\n《不可靠实体清单规定》已经国务院批准，现予公布，"
        "自公布之日起施行。\n部长　钟山\n2020年9月19日\n不可靠实体清单规定\n"
        "第一条　为了维护国家主权、安全、发展利益，根据《中华人民共和国对外贸易法》等有关法律，"
        "制定本规定。",
        (
            "不可靠实体清单规定",
            "measures",
            ["商务部"],
            "商务部令2020年第1号",
            [("promulgated", "2020-09-19"), ("effective", "2020-09-19")],
        ),
        id="商务部令",
    ),
    pytest.param(
        "商务部令\n二〇二〇年第一号\n《不可靠实体清单规定》已经国务院批准，现予公布，"
        "自公布之日起施行。\n部长　钟山\n二〇二〇年九月十九日\n不可靠实体清单规定\n"
        "第一条　为了维护国家主权、安全、发展利益，制定本规定。",
        ("不可靠实体清单规定", "measures", ["商务部"], "商务部令二〇二〇年第一号", []),
        id="部令-kanji-dates",
    ),
    pytest.param(
        "中華人民共和国国務院令\n第792号\n「中華人民共和国両用品目輸出管理条例」は、2024年9月18日"
        "国務院第41回常務会議で採択され、ここに公布し、2024年12月1日から施行する。\n"
        "総理　李強　2024年9月30日\n中華人民共和国両用品目輸出管理条例\n第一章　総則\n"
        "第一条　両用品目の輸出管理を強化するため、本条例を制定する。",
        (
            "中華人民共和国両用品目輸出管理条例",
            "regulation",
            ["国務院"],
            "国務院令第792号",
            [("promulgated", "2024-09-30"), ("effective", "2024-12-01")],
        ),
        id="国務院令-ja-translation",
    ),
]


@pytest.mark.parametrize(("text", "expected"), ORDERS)
def test_act_behind_its_promulgation_order(
    text: str, expected: tuple[str, str, list[str], str, list[tuple[str, str]]]
) -> None:
    identity, _ = identify(make_document(text, language="zh"))
    title, kind, issuers, number, dates = expected
    assert (identity.title, identity.kind, identity.issuers, identity.number) == (
        title,
        kind,
        issuers,
        number,
    )
    assert [(d.role, d.iso) for d in identity.dates][: len(dates)] == dates


def test_research_body_paper_is_a_commentary() -> None:
    """h04's front matter: title, subtitle, date over a research body's name and department."""
    text = (
        "中国「両用品目輸出管理条例」の施行について\n― 概要と日本企業の留意点 ―\n2024年10月15日\n"
        "一般財団法人　安全保障貿易情報センター　調査研究部\n1．概要\n"
        "中国国務院は、2024年9月30日、「中華人民共和国両用品目輸出管理条例」を公布した。"
    )
    identity, _ = identify(make_document(text))
    assert identity.kind == "commentary"
    assert identity.issuers == ["CISTEC"]
    assert [(d.role, d.iso) for d in identity.dates] == [("published", "2024-10-15")]


HELDOUT = sorted((DATA / "heldout").glob("*.json"))


@pytest.mark.slow
@pytest.mark.parametrize("truth_path", HELDOUT, ids=[p.stem[:3] for p in HELDOUT])
def test_heldout_identities(truth_path: Path) -> None:
    """Title, kind, issuers and number of the unseen PDFs (number: any spelling in truth)."""
    truth = json.loads(truth_path.read_text(encoding="utf-8"))["documents"][0]
    identity = _ingested(str(truth_path.with_suffix(".pdf").relative_to(ROOT))).identity
    assert (identity.title, identity.kind, identity.issuers) == (
        truth["title"],
        truth["kind"],
        truth["issuer"],
    )
    spellings = {
        re.sub(r"\s", "", n) for n in [truth["number"], *truth.get("number_aliases", [])] if n
    }
    got = {re.sub(r"\s", "", n) for n in [identity.number, *identity.number_aliases] if n}
    assert bool(spellings & got) or (not spellings and not got)
