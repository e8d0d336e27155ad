"""Build the held-out PDFs and their expected records (tests/data/heldout/*.pdf, *.json).

    apt-get install -y fonts-wqy-zenhei fonts-ipaexfont   # once; CI uses the committed PDFs
    python tests/data/heldout/make_heldout.py

Four documents the extractors were not developed on, in layouts unlike the seeds (see
``layout.py``).  Expected records are written by hand below (thresholds, dates, item lists);
articles come from the same source texts the PDFs are rendered from.  Truth format: as
tests/data/dev/truth/*.json (shared/dev/README.md), scored with bench.extraction's keys.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from layout import Renderer, Style  # noqa: E402
from texts_ja import JA_BODY, JA_FOOTNOTES, JA_HEADER, JA_ISSUER, JA_TITLE  # noqa: E402
from texts_zh import (  # noqa: E402
    GALLIUM_ARTICLES,
    GALLIUM_ITEMS,
    GALLIUM_PREAMBLE,
    GALLIUM_TITLE,
    LAW_ADOPTED,
    LAW_CHAPTERS,
    LAW_ORDER,
    LAW_TITLE,
    REG_CHAPTERS,
    REG_ORDER,
    REG_TITLE,
)

A4 = (595.28, 841.89)
B5 = (515.91, 728.5)
KANJI = {c: i for i, c in enumerate("〇一二三四五六七八九")}


def kanji_number(label: str) -> int:
    digits = label.strip("第条、")
    if digits.isdigit():
        return int(digits)
    total, current = 0, 0
    for ch in digits:
        if ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            current = KANJI[ch]
    return total + current


def article(law: str, label: str, paras: list[str], document: str = "main") -> dict[str, Any]:
    return {
        "law": law,
        "document": document,
        "number": kanji_number(label),
        "label": label,
        "text": "\n".join(paras),
    }


def value(
    text: str, v: float, unit: str, comp: str, article: int | None = None, **extra: Any
) -> dict[str, Any]:
    return {"text": text, "value": v, "unit": unit, "comparator": comp, "article": article, **extra}


def span(
    text: str,
    lo: float,
    hi: float,
    unit: str,
    article: int | None = None,
    lo_inc: bool = True,
    hi_inc: bool = True,
) -> dict[str, Any]:
    return {
        "text": text,
        "min": lo,
        "max": hi,
        "min_inclusive": lo_inc,
        "max_inclusive": hi_inc,
        "unit": unit,
        "article": article,
    }


def date(
    text: str, iso: str, role: str, article: int | None = None, **extra: Any
) -> dict[str, Any]:
    return {"text": text, "iso": iso, "role": role, "article": article, **extra}


def illegal_income(
    article_no: int,
    base: str,
    base_v: float,
    mult: tuple[str, float, float],
    rng: tuple[str, float, float],
) -> list[dict[str, Any]]:
    """The four thresholds of one 违法经营额 penalty clause, in text order."""
    return [
        value(f"{base}以上", base_v, "CNY", ">=", article_no),
        span(mult[0], mult[1], mult[2], "times", article_no),
        value(f"不足{base}", base_v, "CNY", "<", article_no),
        span(rng[0], rng[1], rng[2], "CNY", article_no),
    ]


def _bare(text: str) -> str:
    return text.rstrip("；;。：:，, ")


def provision_lists(articles: list[tuple[str, list[str]]]) -> list[dict[str, Any]]:
    """Issue 16's convention (the dev v2 README's): every run of two or more numbered
    paragraphs of an article (（一）（二）…) is an item list headed by the paragraph before it,
    and a notice's own clauses 一、二、… are one too.  Read off the source texts, not the PDF."""
    lists: list[dict[str, Any]] = []
    if len(articles) >= 2 and all(label.endswith("、") for label, _ in articles):
        lists.append({"heading": "", "items": [{"text": _bare(paras[0])} for _, paras in articles]})
    for label, paras in articles:
        run: list[str] = []
        heading = label + paras[0]
        for para in [*paras[1:], ""]:
            if para.startswith("（") and "）" in para[:5]:
                run.append(_bare(para[para.index("）") + 1 :]))
                continue
            if run and para[:1].isdigit():
                continue  # 1. 2. under a （一）: a deeper level, its own list
            if len(run) >= 2:
                lists.append({"heading": heading, "items": [{"text": t} for t in run]})
            run, heading = [], para
    return lists


PROVISIONS: dict[str, list[tuple[str, list[str]]]] = {
    "h01_mofcom_gacc_2023_23": GALLIUM_ARTICLES,
    "h02_export_control_law": [a for _, arts in LAW_CHAPTERS for a in arts],
    "h03_dual_use_regulation": [a for _, arts in REG_CHAPTERS for a in arts],
}


def _with_provisions(stem: str, truth: dict[str, Any]) -> dict[str, Any]:
    """The truth's item lists plus the provision lists not already among them."""
    present = {tuple(i["text"] for i in lst["items"]) for lst in truth.get("item_lists", [])}
    extra = [
        {**lst, "note": "provision list (issue 16 convention)"}
        for lst in provision_lists(PROVISIONS.get(stem, []))
        if tuple(i["text"] for i in lst["items"]) not in present
    ]
    return {**truth, "item_lists": [*truth.get("item_lists", []), *extra]}


def update_provision_lists() -> None:
    """Rewrite only the truth files' item lists (the PDFs stay byte for byte)."""
    for stem in PROVISIONS:
        path = HERE / f"{stem}.json"
        truth = json.loads(path.read_text(encoding="utf-8"))
        truth["item_lists"] = [
            lst for lst in truth["item_lists"] if not lst.get("note", "").startswith("provision")
        ]
        path.write_text(
            json.dumps(_with_provisions(stem, truth), ensure_ascii=False, indent=1) + "\n",
            encoding="utf-8",
        )


def write_truth(stem: str, truth: dict[str, Any]) -> None:
    truth = _with_provisions(stem, {"id": stem, **truth})
    (HERE / f"{stem}.json").write_text(
        json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


# -- h01: 商务部 海关总署公告2023年第23号


def build_gallium() -> None:
    stem = "h01_mofcom_gacc_2023_23"
    body = Style("WQY", 11, 19, indent=2)
    r = Renderer(
        str(HERE / f"{stem}.pdf"),
        A4,
        (80, 80, 70, 80),
        "中华人民共和国商务部　公告",
        "第 {n} 页　共 {total} 页",
        "WQY",
        Style("WQY", 8, 11),
    )
    for line in GALLIUM_TITLE:
        r.add(line, Style("WQY", 16, 26, align="center"))
    r.space(12)
    r.add(GALLIUM_PREAMBLE, body)
    for label, paras in GALLIUM_ARTICLES:
        r.add(label + paras[0], body)
        for p in paras[1:]:
            r.add(p, Style("WQY", 11, 19, indent=2 if p.startswith("（") else 3))
    r.space(20)
    r.add("商务部　海关总署", Style("WQY", 11, 19, align="right"))
    r.add("2023年7月3日", Style("WQY", 11, 19, align="right"))
    r.save()
    law = "商务部 海关总署公告2023年第23号"
    item_lists = []
    for heading, items in GALLIUM_ITEMS.items():
        item_lists.append(
            {
                "heading": heading.rstrip("。"),
                "items": [{"text": name, "code": ", ".join(codes)} for name, codes in items],
                "document": "main",
                "article": 1,
                "law": law,
            }
        )
    write_truth(
        stem,
        {
            "language": "zh",
            "documents": [
                {
                    "key": "main",
                    "title": "关于对镓、锗相关物项实施出口管制的公告",
                    "kind": "announcement",
                    "issuer": ["商务部", "海关总署"],
                    "number": law,
                    "number_aliases": ["商务部、海关总署公告2023年第23号"],
                    "pages": [1, 2],
                },
            ],
            "articles": [article(law, label, paras) for label, paras in GALLIUM_ARTICLES],
            "thresholds": [],
            "dates": [
                date("2023年8月1日", "2023-08-01", "effective", 8),
                date("2023年7月3日", "2023-07-03", "promulgated", None, note="signature"),
            ],
            "item_lists": item_lists,
            "law_aliases": {
                law: ["商务部、海关总署公告2023年第23号", "商务部海关总署公告2023年第23号"]
            },
        },
    )


# -- h02: 出口管制法 (excerpt)


def build_law() -> None:
    stem = "h02_export_control_law"
    body = Style("WQY", 12, 21, indent=2)
    r = Renderer(
        str(HERE / f"{stem}.pdf"),
        A4,
        (72, 72, 72, 76),
        LAW_TITLE,
        "— {n} —",
        "WQY",
        Style("WQY", 8, 11),
    )
    center = Style("WQY", 12, 21, align="center")
    r.add(LAW_ORDER[0], Style("WQY", 16, 26, align="center"))
    r.add(LAW_ORDER[1], center)
    r.add(LAW_ORDER[2], body)
    r.add(LAW_ORDER[3], Style("WQY", 12, 21, align="right"))
    r.add(LAW_ORDER[4], Style("WQY", 12, 21, align="right"))
    r.space(24)
    r.add(LAW_TITLE, Style("WQY", 18, 30, align="center"))
    r.add(LAW_ADOPTED, Style("WQY", 10.5, 18, align="center"))
    law = LAW_TITLE
    articles = []
    for chapter, arts in LAW_CHAPTERS:
        r.add(chapter, Style("WQY", 13, 24, align="center", space_before=10))
        for label, paras in arts:
            r.add(f"{label}　{paras[0]}", body)
            for p in paras[1:]:
                r.add(p, body)
            articles.append(article(law, label, paras))
    r.save()
    thresholds = [
        *illegal_income(
            33,
            "五十万元",
            500000,
            ("五倍以上十倍以下", 5, 10),
            ("五十万元以上五百万元以下", 500000, 5000000),
        ),
        *illegal_income(
            34,
            "五十万元",
            500000,
            ("五倍以上十倍以下", 5, 10),
            ("五十万元以上五百万元以下", 500000, 5000000),
        ),
        *illegal_income(
            35,
            "二十万元",
            200000,
            ("五倍以上十倍以下", 5, 10),
            ("二十万元以上二百万元以下", 200000, 2000000),
        ),
        *illegal_income(
            35,
            "五万元",
            50000,
            ("五倍以上十倍以下", 5, 10),
            ("五万元以上五十万元以下", 50000, 500000),
        ),
        *illegal_income(
            36,
            "十万元",
            100000,
            ("三倍以上五倍以下", 3, 5),
            ("十万元以上五十万元以下", 100000, 500000),
        ),
        *illegal_income(
            37,
            "五十万元",
            500000,
            ("十倍以上二十倍以下", 10, 20),
            ("五十万元以上五百万元以下", 500000, 5000000),
        ),
        span("十万元以上三十万元以下", 100000, 300000, "CNY", 38),
        value("五年内", 5, "year", "<=", 39),
        value("五年内", 5, "year", "<=", 39),
    ]
    write_truth(
        stem,
        {
            "language": "zh",
            "documents": [
                {
                    "key": "main",
                    "title": LAW_TITLE,
                    "kind": "law",
                    "issuer": ["全国人民代表大会常务委员会"],
                    "number": "中华人民共和国主席令第五十八号",
                    "pages": [1, 3],
                },
            ],
            "articles": articles,
            "thresholds": thresholds,
            "dates": [
                date("2020年10月17日", "2020-10-17", "promulgated", note="order: 会议…通过"),
                date("2020年12月1日", "2020-12-01", "effective", note="order: 起施行"),
                date("2020年10月17日", "2020-10-17", "promulgated", note="signature under 主席"),
                date("2020年10月17日", "2020-10-17", "promulgated", note="title note: 通过"),
                date("2020年12月1日", "2020-12-01", "effective", 49),
            ],
            "item_lists": [],
            "law_aliases": {LAW_TITLE: ["出口管制法", "《中华人民共和国出口管制法》"]},
        },
    )


# -- h03: 两用物项出口管制条例 (excerpt)


def build_regulation() -> None:
    stem = "h03_dual_use_regulation"
    body = Style("WQY", 11.5, 20, indent=2)
    r = Renderer(
        str(HERE / f"{stem}.pdf"),
        A4,
        (76, 76, 76, 80),
        "国务院令　第792号",
        "- {n} -",
        "WQY",
        Style("WQY", 8, 11),
    )
    r.add(REG_ORDER[0], Style("WQY", 17, 28, align="center"))
    r.add(REG_ORDER[1], Style("WQY", 12, 21, align="center"))
    r.add(REG_ORDER[2], body)
    r.add(REG_ORDER[3], Style("WQY", 11.5, 20, align="right"))
    r.add(REG_ORDER[4], Style("WQY", 11.5, 20, align="right"))
    r.page_break()
    r.add(REG_TITLE, Style("WQY", 17, 28, align="center"))
    articles = []
    for chapter, arts in REG_CHAPTERS:
        r.add(chapter, Style("WQY", 12.5, 24, align="center", space_before=8))
        for label, paras in arts:
            r.add(f"{label}　{paras[0]}", body)
            for p in paras[1:]:
                r.add(p, body)
            articles.append(article(REG_TITLE, label, paras))
    r.save()
    thresholds = [
        value("45个工作日内", 45, "business_day", "<=", 15),
        value("不得超过60个工作日", 60, "business_day", "<=", 15),
        value("不超过1年", 1, "year", "<=", 17),
        value("不超过3年", 3, "year", "<=", 17),
        value("不少于5年", 5, "year", ">=", 22),
        *illegal_income(
            40,
            "50万元",
            500000,
            ("5倍以上10倍以下", 5, 10),
            ("50万元以上500万元以下", 500000, 5000000),
        ),
        value("10万元以下", 100000, "CNY", "<=", 42),
    ]
    write_truth(
        stem,
        {
            "language": "zh",
            "documents": [
                {
                    "key": "main",
                    "title": REG_TITLE,
                    "kind": "regulation",
                    "issuer": ["国务院"],
                    "number": "国务院令第792号",
                    "pages": [1, 3],
                },
            ],
            "articles": articles,
            "thresholds": thresholds,
            "dates": [
                date(
                    "2024年9月18日",
                    "2024-09-18",
                    "promulgated",
                    note="国务院常务会议通过: adoption counts as enactment (ANNOTATION.md)",
                ),
                date("2024年12月1日", "2024-12-01", "effective"),
                date("2024年9月30日", "2024-09-30", "promulgated", note="signature under 总理"),
                date("2024年12月1日", "2024-12-01", "effective", 50),
                date("同时", "2024-12-01", "repealed", 50, relative=True),
            ],
            "item_lists": [],
            "law_aliases": {
                REG_TITLE: ["两用物项出口管制条例", "《中华人民共和国两用物项出口管制条例》"]
            },
        },
    )


# -- h04: Japanese commentary


def build_commentary() -> None:
    stem = "h04_ja_commentary_dual_use"
    body = Style("IPAexM", 10, 17.5, indent=1)
    r = Renderer(
        str(HERE / f"{stem}.pdf"),
        B5,
        (58, 58, 64, 70),
        JA_HEADER,
        "- {n} -",
        "IPAexG",
        Style("IPAexM", 7.5, 10.5, hang=1.5),
        JA_FOOTNOTES,
    )
    for line in JA_TITLE:
        r.add(line, Style("IPAexG", 14, 22, align="center"))
    r.space(6)
    for line in JA_ISSUER:
        r.add(line, Style("IPAexM", 9.5, 15, align="right"))
    r.space(10)
    quoted: list[str] = []
    for kind, text in JA_BODY:
        if kind == "heading":
            r.add(text, Style("IPAexG", 10.5, 19, space_before=6))
        elif kind == "para":
            r.add(text, body)
        elif kind == "item":
            r.add(text, Style("IPAexM", 10, 17.5, indent=1, hang=2.5))
        elif kind == "quote_label":
            r.add(text, Style("IPAexG", 9.5, 16, indent=1, space_before=4))
        elif kind == "quote":
            r.add(text, Style("IPAexM", 9.5, 16, indent=2, hang=1))
            quoted.append(text.split("　", 1)[-1])
        elif kind == "table":
            code, desc = text.split("|")
            r.table_row(code, desc, Style("IPAexM", 10, 17), 90)
    r.save()
    law = "両用品目輸出管理条例"
    write_truth(
        stem,
        {
            "language": "ja",
            "documents": [
                {
                    "key": "main",
                    "title": "中国「両用品目輸出管理条例」の施行について",
                    "kind": "commentary",
                    "issuer": ["CISTEC"],
                    "number": None,
                    "pages": [1, 3],
                },
            ],
            "articles": [
                {
                    "law": law,
                    "document": "main",
                    "number": 2,
                    "label": "第二条",
                    "text": "\n".join(quoted),
                    "quoted": True,
                },
            ],
            "thresholds": [
                value("45業務日以内", 45, "business_day", "<="),
                value("1年を超えない", 1, "year", "<="),
                value("3年を超えない", 3, "year", "<="),
                value("50万人民元以上", 500000, "CNY", ">="),
                span("5倍以上10倍以下", 5, 10, "times"),
                value("50万人民元に満たない", 500000, "CNY", "<"),
                span("50万人民元以上500万人民元以下", 500000, 5000000, "CNY"),
                value("5年以上", 5, "year", ">="),
                value("100万円未満", 1000000, "JPY", "<"),
                value("25％を超える", 25, "%", ">"),
                span("2.7GHzを超え6.8GHz以下", 2.7, 6.8, "GHz", lo_inc=False),
                value("15％を超え", 15, "%", ">"),
                value("75W", 75, "W", ">", note="75W（48.75dBm）を超える: one limit, two units"),
                value("48.75dBmを超える", 48.75, "dBm", ">"),
                # footnotes (after the body in Document.text)
                value(
                    "累計60業務日を超える",
                    60,
                    "business_day",
                    "<=",
                    note="超えることはできない: may not exceed, a limit of at most 60",
                ),
                value("100万円以下", 1000000, "JPY", "<="),
                value("5万円以下", 50000, "JPY", "<="),
            ],
            "dates": [
                date("2024年10月15日", "2024-10-15", "published", note="the commentary's date"),
                date("2024年9月30日", "2024-09-30", "promulgated"),
                date("2024年12月1日", "2024-12-01", "effective"),
                date("令和6年12月1日", "2024-12-01", "effective", note="gloss of the date before"),
                date("2020年12月1日", "2020-12-01", "effective"),
                date("同時に", "2024-12-01", "repealed", relative=True),
                date("2023年8月1日", "2023-08-01", "effective"),
                date("令和6年11月", "2024-11", "other", precision="month"),
                # footnotes
                date("2024年10月9日", "2024-10-09", "published", note="cited web page"),
                date("2023年7月3日", "2023-07-03", "published"),
                date("同年8月1日", "2023-08-01", "effective"),
            ],
            "item_lists": [
                {
                    "heading": "ガリウム関連品目",
                    "document": "main",
                    "items": [
                        "金属ガリウム",
                        "窒化ガリウム",
                        "酸化ガリウム",
                        "リン化ガリウム",
                        "ヒ化ガリウム",
                    ],
                },
                {
                    "heading": "別表 主な規制品目の例",
                    "document": "main",
                    "items": [
                        {"text": "耐放射線設計の集積回路", "code": "3A001.a.1"},
                        {"text": "進行波管等の真空電子デバイス", "code": "3A001.b.1"},
                        {
                            "text": "マイクロ波モノリシック集積回路（MMIC）電力増幅器であって、"
                            "2.7GHzを超え6.8GHz以下の周波数で動作し、比帯域幅が15％を超え、"
                            "かつ、飽和尖頭出力が75W（48.75dBm）を超えるもの",
                            "code": "3A001.b.2",
                        },
                        {"text": "エピタキシャル成長装置", "code": "3B001.a"},
                    ],
                },
            ],
            "law_aliases": {law: ["中華人民共和国両用品目輸出管理条例"]},
        },
    )


def main() -> None:
    if "--item-lists-only" in sys.argv:
        update_provision_lists()
        return
    build_gallium()
    build_law()
    build_regulation()
    build_commentary()
    for pdf in sorted(HERE.glob("*.pdf")):
        print(f"{pdf.name}: {pdf.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
