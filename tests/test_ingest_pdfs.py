"""Ingestion of the two seed PDFs (golden files) and of hand-made pages (no PDF).

Goldens live in tests/golden/STEM.json: a compact summary (block kinds and text heads,
footnotes with their markers).  Regenerate with ``REGWATCH_REGEN_GOLDEN=1 pytest
tests/test_ingest_pdfs.py`` and review the diff; CI refuses to regenerate.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from ingest.pdf import RawChar, RawPage, RawPdf, Rule
from ingest.pipeline import build_document, ingest_pdf
from models.document import BlockKind, Document

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
REGEN = os.environ.get("REGWATCH_REGEN_GOLDEN") == "1"
SEEDS = {"000_15acbace682750dc": 23, "001_2ccde129c88cd74c": 21}


@cache
def seed_document(stem: str) -> Document:
    return ingest_pdf(ROOT / "samples" / f"{stem}.pdf")


def squash(text: str) -> str:
    """How the dev truth compares text: NFKC, no white space."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def summary(document: Document) -> dict[str, Any]:
    return {
        "pages": len(document.pages),
        "language": document.language,
        "blocks": [
            f"p{b.page} {b.kind.value} {len(b.text)} {b.text[:24]}"
            + (f" refs={b.footnote_refs}" if b.footnote_refs else "")
            for b in document.blocks
        ],
        "footnotes": [
            f"{n.number} p{n.page} marker@block{n.marker_block} {n.text[:24]}"
            for n in document.footnotes
        ],
    }


def test_regeneration_is_off_in_ci() -> None:
    assert not (REGEN and os.environ.get("CI") == "true"), "goldens must not be regenerated in CI"


@pytest.mark.slow
@pytest.mark.parametrize("stem", sorted(SEEDS))
def test_golden_summary(stem: str) -> None:
    path = GOLDEN / f"{stem}.json"
    actual = summary(seed_document(stem))
    if REGEN:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(json.dumps(actual, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert actual == json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.slow
@pytest.mark.parametrize(("stem", "count"), sorted(SEEDS.items()))
def test_every_footnote_found_in_order_and_linked(stem: str, count: int) -> None:
    document = seed_document(stem)
    notes = document.footnotes
    assert [n.number for n in notes] == list(range(1, count + 1))
    for note in notes:
        assert note.marker_block is not None and note.marker_offset is not None
        marker = document.blocks[note.marker_block]
        assert marker.char_span is not None
        assert marker.char_span.start <= note.marker_offset <= marker.char_span.end
        assert note.number in marker.footnote_refs
        assert note.char_span is not None and note.char_span.start >= document.body_end
        assert document.blocks[note.block].kind is BlockKind.FOOTNOTE
    assert not [w for w in document.warnings if "marker not found" in w]


@pytest.mark.slow
@pytest.mark.parametrize("stem", sorted(SEEDS))
def test_body_has_no_footnote_text_or_page_numbers(stem: str) -> None:
    document = seed_document(stem)
    body = document.text[: document.body_end]
    for note in document.footnotes:
        head = note.text[:25]
        assert head not in body, f"footnote {note.number} leaked into the body"
    page_numbers = [b for b in document.blocks if b.kind is BlockKind.PAGE_NUMBER]
    assert [int(b.text) for b in page_numbers] == [p.number for p in document.pages]
    assert all(b.char_span is None for b in page_numbers)
    assert not re.search(r"^\d{1,2}$", body, re.MULTILINE)
    assert "\x00" not in document.text
    assert not re.search("[\ue000-\uf8ff]", document.text)


@pytest.mark.slow
@pytest.mark.parametrize("stem", sorted(SEEDS))
def test_spans_lines_and_provenance_are_consistent(stem: str) -> None:
    document = seed_document(stem)
    assert document.id == document.source.sha256[:16]
    previous_end = -1
    for index, block in enumerate(document.blocks):
        assert block.index == index
        if block.kind.is_furniture:
            assert block.char_span is None
            continue
        assert block.char_span is not None
        assert document.text[block.char_span.start : block.char_span.end] == block.text
        assert block.lang in ("ja", "zh", "en")
        for line in block.lines:
            assert line.char_span is not None and block.char_span.contains(line.char_span)
            assert (
                line.bbox.top >= block.bbox.top - 0.01
                and line.bbox.bottom <= block.bbox.bottom + 0.01
            )
        if block.kind is not BlockKind.FOOTNOTE:
            assert block.char_span.start >= previous_end  # equal: a sentence across pages
            previous_end = block.char_span.end
    page, box = document.locate(document.blocks[0].lines[0].char_span)  # type: ignore[arg-type]
    assert page == 1 and box is not None


@pytest.mark.slow
@pytest.mark.parametrize("stem", sorted(SEEDS))
def test_truth_article_paragraphs_are_clean_body_text(stem: str) -> None:
    """Every paragraph of every truth article reads in one piece (markers, page numbers and
    footnotes that interrupt it removed)."""
    truth = json.loads((ROOT / "tests/data/dev/truth" / f"{stem}.json").read_text(encoding="utf-8"))
    text = squash(seed_document(stem).text)
    missing = [
        (a["label"], p[:30])
        for a in truth["articles"]
        for p in a["text"].split("\n")
        if squash(p) not in text
    ]
    assert missing == []


VERSIONS = [
    "anti_monopoly_law_2007",
    "anti_monopoly_law_2022",
    "rare_earth_measures_draft",
    "rare_earth_measures_final",
]


@pytest.mark.slow
@pytest.mark.parametrize("stem", VERSIONS)
def test_version_pdfs_give_one_line_per_article_paragraph(stem: str) -> None:
    """Chinese laws (WenQuanYi, paragraphs indented by a space) and a Japanese measure: every
    truth paragraph is exactly one line of Document.text, the first one opened by its label."""
    document = ingest_pdf(ROOT / "samples/versions" / f"{stem}.pdf")
    truth = json.loads(
        (ROOT / "tests/data/dev/versions" / f"{stem}.articles.json").read_text(encoding="utf-8")
    )
    units = {squash(unit) for unit in document.text.split("\n")}
    wrong = [
        (article["label"], index)
        for article in truth["articles"]
        for index, paragraph in enumerate(article["text"].split("\n"))
        if squash((article["label"] if index == 0 else "") + paragraph) not in units
    ]
    assert wrong == []
    assert document.footnotes == [] and document.body_end == len(document.text)


GLUED_MARKERS = [
    pytest.param("000_15acbace682750dc", "を公表した（7月28日公布、施行）", 1, id="公表1した"),
    pytest.param("000_15acbace682750dc", "レアアース管理条例の下位規則となる", 2, id="管理条例2の"),
    pytest.param("000_15acbace682750dc", "CISTEC解説を参照されたい", 6, id="解説6を"),
    pytest.param(
        "001_2ccde129c88cd74c", "（付属文書1第一部）を含有、混合等", 6, id="付属文書16第一部"
    ),
    pytest.param("001_2ccde129c88cd74c", "付属文書1の要求により", 11, id="付属文書111の"),
    pytest.param("001_2ccde129c88cd74c", "付属文書2の要求により", 12, id="付属文書212の"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("stem", "clean", "number"), GLUED_MARKERS)
def test_glued_marker_removed_and_linked(stem: str, clean: str, number: int) -> None:
    document = seed_document(stem)
    where = document.text.find(clean)
    assert 0 <= where < document.body_end
    note = next(n for n in document.footnotes if n.number == number)
    assert note.marker_offset is not None and where <= note.marker_offset <= where + len(clean)


@pytest.mark.slow
def test_page_break_inside_a_sentence_is_joined() -> None:
    text = seed_document("000_15acbace682750dc").text
    assert (
        "本年5月には、レアアース等の戦略鉱物資源の密輸取り締まりの特別行動も展開している。" in text
    )


# ---------------------------------------------------------------------------- hand-made pages


def _glyphs(text: str, x0: float, top: float, size: float) -> list[RawChar]:
    from ingest.normalize import is_wide

    out, x = [], x0
    for ch in text:
        width = size if is_wide(ch) else 0.5 * size
        out.append(RawChar(ch, x, x + width, top, top + size, size, "Mincho"))
        x += width
    return out


def _raw_pdf(pages: list[RawPage]) -> RawPdf:
    return RawPdf(path="hand-made.pdf", sha256="ab" * 32, size=1, pages=pages)


def test_raised_marker_wins_over_a_digit_in_the_text() -> None:
    """A superscript marker is taken even where the plain text offers an earlier candidate."""
    chars = _glyphs("条例1の規定と規則", 72, 100, 10.5)
    chars.append(RawChar("1", chars[-1].x1, chars[-1].x1 + 3, 100, 106, 6.0, "Mincho"))
    chars += _glyphs("の規定が適用される。", chars[-1].x1, 100, 10.5)
    chars += _glyphs("1 規則の注記。", 72, 700, 8.0)
    chars += _glyphs("7", 295, 794, 9.0)
    document = build_document(_raw_pdf([RawPage(7, 595, 842, chars, [Rule(72, 222, 690)])]))
    assert document.text.split("\n")[0] == "条例1の規定と規則の規定が適用される。"
    (note,) = document.footnotes
    assert note.text == "規則の注記。"
    assert note.marker_offset == document.text.index("規則の規定") + len("規則")
    assert [b.kind for b in document.blocks] == [
        BlockKind.BODY,
        BlockKind.FOOTNOTE,
        BlockKind.PAGE_NUMBER,
    ]


def test_footnote_continued_on_next_page_is_one_note() -> None:
    page1 = _glyphs("本文に注がある 1。", 72, 100, 10.5) + _glyphs("1 長い注の前半", 72, 700, 8.0)
    page2 = _glyphs("次の頁の本文。", 72, 100, 10.5) + _glyphs("後半。", 72, 700, 8.0)
    rules = [Rule(72, 222, 690)]
    document = build_document(
        _raw_pdf([RawPage(1, 595, 842, page1, rules), RawPage(2, 595, 842, page2, rules)])
    )
    (note,) = document.footnotes
    assert note.text == "長い注の前半後半。"
    assert document.text[note.char_span.start : note.char_span.end] == "長い注の前半後半。"  # type: ignore[union-attr]
    assert document.text[: document.body_end] == "本文に注がある。\n次の頁の本文。\n"


def test_footnote_numbering_restarting_on_each_page() -> None:
    rules = [Rule(72, 222, 690)]
    pages = [
        RawPage(
            number,
            595,
            842,
            _glyphs(f"第{number}頁の本文に注がある 1。", 72, 100, 10.5)
            + _glyphs(f"1 第{number}頁の注。", 72, 700, 8.0),
            rules,
        )
        for number in (1, 2)
    ]
    document = build_document(_raw_pdf(pages))
    assert [(n.number, n.page, n.text) for n in document.footnotes] == [
        (1, 1, "第1頁の注。"),
        (1, 2, "第2頁の注。"),
    ]
    markers = [document.blocks[n.marker_block] for n in document.footnotes]  # type: ignore[index]
    assert [b.page for b in markers] == [1, 2]
    assert "本文に注がある1" not in document.text


def _word_like_pdf(path: Path) -> None:
    """Two pages as a word processor sets them: running header, raised markers in a smaller
    font, numbered notes under a short rule with raised labels, centred ``- N -`` folios."""
    from reportlab.pdfgen import canvas

    drawing = canvas.Canvas(str(path))
    note = 0
    for page in (1, 2):
        drawing.setFont("Helvetica", 9)
        drawing.drawString(72, 805, "Export Control Review 2025")
        for i in range(6):
            text = drawing.beginText(90 if i % 3 == 0 else 72, 760 - 15 * i)
            text.setFont("Times-Roman", 11)
            text.textOut(f"Paragraph {i} on page {page} cites the 2025 rules")
            if i in (1, 4):
                note += 1
                text.setFont("Times-Roman", 7)
                text.setRise(4)
                text.textOut(str(note))
                text.setRise(0)
                text.setFont("Times-Roman", 11)
            text.textOut(" and ends here." if i % 3 == 2 else " and goes on")
            drawing.drawText(text)
        drawing.setLineWidth(0.5)
        drawing.line(72, 150, 200, 150)
        for offset, number in enumerate((note - 1, note)):
            text = drawing.beginText(72, 128 - 12 * offset)
            text.setFont("Times-Roman", 6)
            text.setRise(3)
            text.textOut(str(number))
            text.setRise(0)
            text.setFont("Times-Roman", 9)
            text.textOut(f" Note {number} cites Regulation 2021/821, p. 12.")
            drawing.drawText(text)
        drawing.setFont("Times-Roman", 9)
        drawing.drawCentredString(297, 40, f"- {page} -")
        drawing.showPage()
    drawing.save()


def test_word_processor_layout_end_to_end(tmp_path: Path) -> None:
    path = tmp_path / "review.pdf"
    _word_like_pdf(path)
    document = ingest_pdf(path)
    kinds = [b.kind for b in document.blocks]
    assert kinds.count(BlockKind.HEADER) == 2 and kinds.count(BlockKind.PAGE_NUMBER) == 2
    assert [n.text for n in document.footnotes] == [
        f"Note {n} cites Regulation 2021/821, p. 12." for n in range(1, 5)
    ]
    body = document.text[: document.body_end]
    assert "Review 2025" not in document.text and "- 1 -" not in document.text
    assert "Paragraph 1 on page 1 cites the 2025 rules and goes on Paragraph 2" in body
    for note in document.footnotes:
        assert note.marker_offset is not None
        assert body[note.marker_offset - 5 : note.marker_offset + 4] == "rules and"
    assert document.language == "en"


def test_only_unmapped_glyphs_is_no_text_layer() -> None:
    from models.errors import NoTextLayerError

    chars = [
        RawChar("(cid:12)", 72 + 10 * i, 82 + 10 * i, 100, 110, 10, "Symbol") for i in range(20)
    ]
    with pytest.raises(NoTextLayerError, match=r"hand-made\.pdf"):
        build_document(_raw_pdf([RawPage(1, 595, 842, chars, [])]))
