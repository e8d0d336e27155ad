"""Build the unseen PDFs and their truth (tests/data/unseen/pdf/*.pdf, truth/*.json).

    python tests/data/unseen/make_unseen.py              # this set
    python tests/data/unseen/make_unseen.py --dir DIR    # another set in the same format

Eleven excerpts of real public texts (sources.json) that regwatch was not developed on,
rendered by ``layout.py`` (built-in CID fonts, page forms the dev sets lack) with the page
styles of ``styles.json``.  The texts (``texts.json``) are blocks as the sources print them,
with the article, paragraph and item boundaries marked by hand; ``hand.json`` holds the
dates, thresholds, definitions and item codes written by hand.  Truth: the v2 format
(tests/data/dev/v2/README.md) so ``bench.extraction_v2``'s scorers read it, plus
``definitions``.  Nothing here calls regwatch's own extractors.  README.md gives the formats.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from layout import A4, A5, B5, K16, MM, Renderer, Style  # noqa: E402

GOTH = "HeiseiKakuGo-W5"
PAGES = {"A4": A4, "A5": A5, "B5": B5, "K16": K16}
_FW = str.maketrans("0123456789", "０１２３４５６７８９")
# Documents whose source prints no title: the rendered title is the act's or notice's name.
TITLE_ADDED = {"zht_mofcom_2025_62_rare_earth_tech", "ja_kamotsu_shorei_art5"}


def _load(folder: Path, name: str) -> Any:
    return json.loads((folder / name).read_text(encoding="utf-8"))


def style_of(spec: dict[str, Any]) -> Style:
    """A ``Style`` from one ``styles.json`` entry (margins in mm, folio a format string)."""
    fmt, fullwidth = spec["folio"], spec.get("folio_fullwidth", False)

    def folio(n: int, m: int) -> str:
        text = fmt.format(n=n, m=m)
        return text.translate(_FW) if fullwidth else text

    keys = ("latin", "title_font", "title_size", "title_marker", "header", "header_align")
    return Style(
        PAGES[spec["page"]],
        spec["font"],
        spec["size"],
        spec["leading"],
        tuple(m * MM for m in spec["margins_mm"]),  # type: ignore[arg-type]
        header_from=spec.get("header_from", 1),
        folio=folio,
        folio_at=spec.get("folio_at", "bottom-center"),
        japanese=spec.get("japanese", False),
        **{k: spec[k] for k in keys if k in spec},
    )


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


def render(blocks: list[list[Any]], style: Style, pdf: Path) -> tuple[int, list[dict[str, Any]]]:
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


def articles(blocks: list[list[Any]], japanese: bool) -> list[dict[str, Any]]:
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
    blocks: list[list[Any]], japanese: bool, codes: dict[str, Any]
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


def build(
    doc_id: str,
    blocks: list[list[Any]],
    spec: dict[str, Any],
    hand: dict[str, Any],
    folder: Path = HERE,
    title_added: bool | None = None,
) -> dict[str, Any]:
    style = style_of(spec)
    pdf = folder / "pdf" / f"{doc_id}.pdf"
    pages, printed = render(blocks, style, pdf)
    title = next(b[1] for b in blocks if b[0] == "title")
    notes = [b[1] for b in blocks if b[0] == "note"]
    return {
        "id": doc_id,
        "language": "ja" if style.japanese else "zh",
        "title": title,
        "rendered_title_added": doc_id in TITLE_ADDED if title_added is None else title_added,
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
                "page_number_form": spec["page_number_form"],
                "page_number_example": style.folio(2, max(pages, 2)),
                "title_marker": style.title_marker or None,
                "footnote": notes[0] if notes else None,
            },
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--dir",
        type=Path,
        default=HERE,
        help="a set's folder with texts.json, styles.json, hand.json, sources.json "
        "(default: this one); its pdf/ and truth/ are written",
    )
    folder = parser.parse_args(argv).dir.resolve()
    (folder / "pdf").mkdir(exist_ok=True)
    (folder / "truth").mkdir(exist_ok=True)
    texts, styles = _load(folder, "texts.json"), _load(folder, "styles.json")
    hands, sources = _load(folder, "hand.json"), _load(folder, "sources.json")
    # A source entry says "title_added": true where its text has no title line and the
    # rendered title is the act's name (this folder's own set: TITLE_ADDED).
    added = {s["id"]: s["title_added"] for s in sources if "title_added" in s}
    for doc_id, blocks in texts.items():
        truth = build(doc_id, blocks, styles[doc_id], hands[doc_id], folder, added.get(doc_id))
        path = folder / "truth" / f"{doc_id}.json"
        path.write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"{doc_id}: {truth['rendering']['pages']} pages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
