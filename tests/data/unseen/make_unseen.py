"""Build the unseen PDFs and their truth (tests/data/unseen/pdf/*.pdf, truth/*.json).

    python tests/data/unseen/make_unseen.py

Eleven excerpts of real public texts (sources.json) that regwatch was not developed on,
rendered by ``layout.py`` (built-in CID fonts, page forms the dev sets lack).  Truth: the
v2 format (tests/data/dev/v2/README.md) so ``bench.extraction_v2``'s scorers read it, plus
``definitions``.  Articles and item lists follow the article/item boundaries marked by hand
in the texts; dates, thresholds, definitions and codes are written by hand in
``truth_hand.py``.  Nothing here calls regwatch's own extractors.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import texts_ja as ja  # noqa: E402
import texts_zh as zh  # noqa: E402
from layout import A4, A5, B5, K16, MM, Renderer, Style  # noqa: E402
from truth_hand import HAND  # noqa: E402

SONG, MIN, GOTH = "STSong-Light", "HeiseiMin-W3", "HeiseiKakuGo-W5"
_FW = str.maketrans("0123456789", "０１２３４５６７８９")

DOCS: dict[str, tuple[list[tuple[Any, ...]], Style, str]] = {
    "zh_mofcom_2025_18_rare_earth": (
        zh.RARE_EARTH_2025_18,
        Style(
            A4,
            SONG,
            10.5,
            17,
            (22 * MM, 22 * MM, 26 * MM, 24 * MM),
            latin="Times-Roman",
            title_size=15,
            title_marker="※",
            header=["中国出口管制信息网 · 政策法规", "通知公告转载"],
            header_align="left",
            folio=lambda n, m: f"Page {n} of {m}",
        ),
        "Page n of m, centred",
    ),
    "zht_mofcom_2025_62_rare_earth_tech": (
        zh.RARE_EARTH_TECH_2025_62,
        Style(
            A5,
            SONG,
            11,
            19,
            (16 * MM, 16 * MM, 22 * MM, 20 * MM),
            title_size=14,
            header=["中評網 · 兩岸新聞"],
            folio=lambda n, m: f"· {n} ·",
        ),
        "· n ·, centred",
    ),
    "zh_foreign_trade_law_2004_liability": (
        zh.FOREIGN_TRADE_2004,
        Style(
            A4,
            SONG,
            16,
            28.9,
            (28 * MM, 26 * MM, 37 * MM, 35 * MM),
            latin="Times-Roman",
            title_size=22,
            folio=lambda n, m: f"— {n} —",
            folio_at="bottom-outer",
        ),
        "— n —, outer corner (公文)",
    ),
    "zht_foreign_trade_law_2025": (
        zh.FOREIGN_TRADE_2025,
        Style(
            K16,
            SONG,
            12,
            21,
            (22 * MM, 20 * MM, 28 * MM, 24 * MM),
            latin="Times-Roman",
            title_size=18,
            header=["新華網 · 法律", "中華人民共和國對外貿易法（2025年修訂）"],
            header_align="right",
            header_from=2,
            folio=lambda n, m: f"p. {n}",
            folio_at="bottom-right",
        ),
        "p. n, right",
    ),
    "zht_mofcom_2024_33_antimony": (
        zh.ANTIMONY_2024_33,
        Style(
            B5,
            SONG,
            10.5,
            18,
            (18 * MM, 18 * MM, 26 * MM, 22 * MM),
            latin="Times-Roman",
            title_size=14,
            header=["商務部 · 出口管制", "公告轉載（繁體）"],
            header_align="left",
            folio=lambda n, m: f"第 {n} 頁，共 {m} 頁",
            folio_at="bottom-right",
        ),
        "第 n 頁，共 m 頁, right",
    ),
    "ja_kamotsu_shorei_art5": (
        ja.KAMOTSU_SHOREI_ART5,
        Style(
            A5,
            MIN,
            10,
            17,
            (14 * MM, 14 * MM, 22 * MM, 18 * MM),
            latin="Times-Roman",
            title_font=GOTH,
            title_size=12.5,
            header=["該非判定マトリクス　輸出令第6項"],
            header_align="right",
            folio=lambda n, m: f"[ {n} ]",
            japanese=True,
        ),
        "[ n ], centred",
    ),
    "ja_yushutsurei_2005": (
        ja.YUSHUTSUREI_2005,
        Style(
            A5,
            MIN,
            10.5,
            18,
            (15 * MM, 14 * MM, 20 * MM, 18 * MM),
            title_font=GOTH,
            title_size=14,
            header=["輸出貿易管理令抜粋"],
            header_align="left",
            folio=lambda n, m: f"- {n} -",
            japanese=True,
        ),
        "- n -, centred",
    ),
    "ja_yushutsurei_art4": (
        ja.YUSHUTSUREI_ART4,
        Style(
            B5,
            MIN,
            10.5,
            18,
            (18 * MM, 18 * MM, 26 * MM, 22 * MM),
            title_font=GOTH,
            title_size=15,
            header=["安全保障貿易管理　関係法令集", "輸出貿易管理令"],
            header_align="right",
            folio=lambda n, m: f"— {n} —",
            japanese=True,
        ),
        "— n —, centred",
    ),
    "ja_betsu2no3_shorei_2022": (
        ja.BETSU2NO3_SHOREI,
        Style(
            A4,
            MIN,
            10.5,
            17.5,
            (24 * MM, 24 * MM, 30 * MM, 26 * MM),
            title_font=GOTH,
            title_size=14,
            header=["e-Gov法令検索", "令和四年経済産業省令第十五号"],
            folio=lambda n, m: f"{n}／{m}".translate(_FW),
            folio_at="bottom-right",
            japanese=True,
        ),
        "n／m in full-width digits, right",
    ),
    "ja_unyo_tsutatsu_1987": (
        ja.UNYO_TSUTATSU,
        Style(
            A4,
            MIN,
            10.5,
            18,
            (25 * MM, 25 * MM, 30 * MM, 25 * MM),
            latin="Times-Roman",
            title_font=GOTH,
            title_size=14,
            folio=lambda n, m: f"－{n}－",
            japanese=True,
        ),
        "－n－ (full-width hyphens), centred",
    ),
    "ja_kaisei_tsutatsu_2012": (
        ja.KAISEI_TSUTATSU_2012,
        Style(
            A4,
            MIN,
            10.5,
            18,
            (25 * MM, 25 * MM, 30 * MM, 25 * MM),
            latin="Times-Roman",
            title_font=GOTH,
            title_size=13,
            folio=lambda n, m: f"- {n} -",
            folio_at="top-center",
            japanese=True,
        ),
        "- n - at the top of the page",
    ),
}

# Documents whose source prints no title: the rendered title is the act's or notice's name.
TITLE_ADDED = {"zht_mofcom_2025_62_rare_earth_tech", "ja_kamotsu_shorei_art5"}

_FAMILIES = [
    ("cn_dun", lambda s: s.endswith("、")),
    ("cn_paren_fw", lambda s: s.startswith("（")),
    ("cn_paren_hw", lambda s: s.startswith("(")),
    ("arabic_dot", lambda s: s[:1].isdigit()),
    ("latin_dot", lambda s: s[:1].isascii() and s[:1].isalpha()),
    ("kana", lambda s: s in "イロハニホヘトチリヌルヲ"),
    ("kanji_item", lambda s: True),
]


def family(label: str) -> str:
    return next(name for name, test in _FAMILIES if test(label))


def item_line(label: str, text: str, japanese: bool) -> str:
    if japanese or label[-1] not in ".":
        return label + ("　" if japanese else "") + text
    return f"{label} {text}"


def render(
    blocks: list[tuple[Any, ...]], style: Style, pdf: Path
) -> tuple[int, list[dict[str, Any]]]:
    r = Renderer(style)
    printed: list[dict[str, Any]] = []
    zh_indent = 0.0 if style.japanese else style.para_indent
    for block in blocks:
        kind = block[0]
        if kind == "title":
            r.title(block[1])
        elif kind == "meta":
            if len(block[1]) <= 40:
                r.centered(block[1]) if style.japanese or not printed else r.block(block[1], 0, 0)
            else:
                r.block(block[1], 0, 0, gap=2)
        elif kind == "right":
            r.right(block[1])
        elif kind == "note":
            r.note(block[1])
            continue
        elif kind == "caption":
            r.block(block[1], 3 if "附" in block[1] else 1, 1, gap=3)
        elif kind == "chapter":
            r.centered(block[1], font=GOTH if style.japanese else None)
        elif kind == "toc":
            r.block(block[1], 0 if block[1] == "目錄" else 2, 2)
        elif kind == "para":
            if style.japanese:
                r.block(block[1], 0 if block[1][:1] in "２３４５６７８９" else 1, 1)
            else:
                r.block(block[1], zh_indent, 0)
        elif kind == "plain":
            r.block(block[1], 1 if style.japanese else zh_indent, 2 if style.japanese else 0)
        elif kind == "art":
            _, _, label, text = block
            r.block(f"{label}　{text}", zh_indent, 1 if style.japanese else 0, gap=3)
        elif kind == "item":
            _, level, label, text = block
            line = item_line(label, text, style.japanese)
            if style.japanese:
                r.block(line, level, level + 1)
            else:
                r.block(line, zh_indent, 0)
        printed.append(
            {
                "type": kind,
                "text": block[-1]
                if kind != "item"
                else item_line(block[2], block[3], style.japanese),
            }
        )
    return r.save(str(pdf)), printed


def articles(blocks: list[tuple[Any, ...]], japanese: bool) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for block in blocks:
        kind = block[0]
        if kind == "art":
            _, number, label, text = block
            out.append({"number": number, "label": label, "lines": [f"{label}　{text}"]})
        elif kind in ("chapter", "caption", "title") or (kind == "plain" and out):
            if kind in ("chapter", "title"):
                out and out[-1].setdefault("closed", True)
        elif out and not out[-1].get("closed") and kind in ("para", "item"):
            line = block[1] if kind == "para" else item_line(block[2], block[3], japanese)
            out[-1]["lines"].append(line)
    return [
        {
            "number": a["number"],
            "label": a["label"],
            "text": "\n".join(a["lines"]),
            "body": "\n".join(a["lines"])[len(a["label"]) + 1 :],
        }
        for a in out
    ]


def item_lists(
    blocks: list[tuple[Any, ...]], japanese: bool, codes: dict[str, Any]
) -> list[dict[str, Any]]:
    """Lists of two or more items with the same parent item (or none) in the same article."""
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    stack: list[tuple[str, str]] = []  # (label, printed line) per level above
    article: Any = None
    last_para: str | None = None
    for block in blocks:
        kind = block[0]
        if kind == "art":
            article, stack, last_para = block[1], [], f"{block[2]}　{block[3]}"
            continue
        if kind == "para":
            last_para = block[1]
            continue
        if kind != "item":
            continue
        _, level, label, text = block
        del stack[level - 1 :]
        parents = tuple(lab for lab, _ in stack)
        key = (article, parents, level)
        if key not in groups:
            heading = stack[-1][1] if stack else last_para
            groups[key] = {
                "family": family(label),
                "heading": heading,
                "article": article,
                "parent_labels": list(parents),
                "labels": [],
                "items": [],
            }
        groups[key]["labels"].append(label)
        groups[key]["items"].append(text)
        stack.append((label, item_line(label, text, japanese)))
    out = []
    for lst in groups.values():
        if len(lst["items"]) < 2:
            continue
        if any(item in codes for item in lst["items"]):
            lst["codes"] = [codes.get(item, {"control": [], "hs": []}) for item in lst["items"]]
        out.append(lst)
    return out


def build(doc_id: str) -> dict[str, Any]:
    blocks, style, folio_form = DOCS[doc_id]
    pdf = HERE / "pdf" / f"{doc_id}.pdf"
    pages, printed = render(blocks, style, pdf)
    hand = HAND[doc_id]
    title = next(b[1] for b in blocks if b[0] == "title")
    notes = [b[1] for b in blocks if b[0] == "note"]
    return {
        "id": doc_id,
        "language": "ja" if style.japanese else "zh",
        "title": title,
        "rendered_title_added": doc_id in TITLE_ADDED,
        "articles": articles(blocks, style.japanese),
        "dates": hand["dates"],
        "thresholds": hand["thresholds"],
        "item_lists": item_lists(blocks, style.japanese, hand["codes"]),
        "definitions": hand["definitions"],
        "tables": [],
        "blocks": printed,
        "rendering": {
            "pdf": f"pdf/{doc_id}.pdf",
            "pages": pages,
            "page_size": f"{style.page[0]:.1f} x {style.page[1]:.1f} pts",
            "engine": "reportlab (CID fonts, not embedded)",
            "fonts": [
                style.font,
                *([style.latin] if style.latin else []),
                *([style.title_font] if style.title_font else []),
            ],
            "non_body_text": {
                "running_header": style.header,
                "header_pages": "all" if style.header_from == 1 else f"from{style.header_from}",
                "page_number_form": folio_form,
                "page_number_example": style.folio(2, max(pages, 2)),
                "title_marker": style.title_marker or None,
                "footnote": notes[0] if notes else None,
            },
        },
    }


def main() -> int:
    (HERE / "pdf").mkdir(exist_ok=True)
    (HERE / "truth").mkdir(exist_ok=True)
    for doc_id in DOCS:
        truth = build(doc_id)
        path = HERE / "truth" / f"{doc_id}.json"
        path.write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"{doc_id}: {truth['rendering']['pages']} pages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
