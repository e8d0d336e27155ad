"""Page furniture and footnotes kept out of the body, on dev v1, dev v2 and the held-out PDFs.

    python -m bench.furniture [--set v1|v2|heldout] [--verbose]

What is printed on each page but is not body text comes from the truth where it says so
(dev v2: ``rendering.non_body_text`` per file) and from how the files were made otherwise
(held-out: ``tests/data/heldout/make_heldout.py``'s header and folio; dev v1: plain folios).
Per file, on the real pipeline's output:

- ``header``: body lines equal to a running header line, beyond those the document's own
  text has (a law's title on page 1 is printed like its running header);
- ``folio``: a body line that is a page number in the file's form, or the page's own label
  (``第2页/共14页``) anywhere in the body;
- ``note``: a footnote whose text is in the body instead of ``Document.footnotes``;
  ``notes`` counts the truth's footnotes found in ``Document.footnotes``;
- ``split``: paragraphs of the truth that run over a page break and come out as two
  paragraphs (``joined`` counts those kept whole).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bench.extraction import norm
from bench.sets import HELDOUT_DIR, ROOT, parse_sets, v2_files

V1_PDFS = sorted((ROOT / "samples").glob("*.pdf"))
_TEXT_KINDS = ("body", "heading", "list_item")
# A footnote's own label, left out when comparing its text.
_NOTE_LABEL = re.compile(r"^(?:注[:：]|※|[*＊†]+|[0-9]{1,3})")


@dataclass
class Spec:
    """What a file prints that is not body text."""

    header: list[str] = field(default_factory=list)
    header_in_text: int = 0  # body lines of the truth equal to a header line (the title)
    folio: str = r"\d{1,4}"  # the page number as a regex over NFKC text without spaces
    label: str | None = None  # the page's own label, {n} and {total}, when distinctive
    notes: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Result:
    header: list[str] = field(default_factory=list)
    folio: list[str] = field(default_factory=list)
    note: list[str] = field(default_factory=list)
    notes_found: int = 0
    notes_truth: int = 0
    crossing: int = 0
    joined: int = 0
    split: list[str] = field(default_factory=list)


def folio_pattern(example: str) -> str:
    """``第2页/共9页`` → a regex for every page's number in that form."""
    return re.sub(r"\d+", r"\\d{1,4}", re.escape(norm(example)))


def _label(example: str) -> str | None:
    """A form distinctive enough to look for inside the body (it names the page)."""
    text = norm(example)
    if not re.search(r"页|頁|Page|of", text, re.IGNORECASE):
        return None
    digits = list(re.finditer(r"\d+", text))
    if len(digits) == 2:
        first, second = digits
        return text[: first.start()] + "{n}" + text[first.end() : second.start()] + "{total}"
    return re.sub(r"\d+", "{n}", text, count=1)


def v2_spec(truth: dict[str, Any]) -> Spec:
    furniture = truth["rendering"]["non_body_text"]
    example = furniture.get("page_number_example") or "1"
    paragraphs = [b["text"] for b in truth["blocks"] if b.get("type") == "para" and b.get("text")]
    return Spec(
        header=furniture.get("running_header") or [],
        header_in_text=sum(
            1
            for b in truth["blocks"]
            if norm(b.get("text")) in {norm(h) for h in furniture.get("running_header") or []}
        ),
        folio=folio_pattern(example),
        label=_label(example),
        notes=[furniture["footnote"]] if furniture.get("footnote") else [],
        paragraphs=paragraphs,
    )


def heldout_specs() -> dict[str, Spec]:
    """Headers and folios as ``tests/data/heldout/make_heldout.py`` draws them."""
    from tests.data.heldout.texts_ja import JA_FOOTNOTES, JA_HEADER
    from tests.data.heldout.texts_zh import LAW_TITLE

    return {
        "h01_mofcom_gacc_2023_23": Spec(
            ["中华人民共和国商务部　公告"], 0, r"第\d{1,4}页共\d{1,4}页", "第{n}页共{total}页"
        ),
        "h02_export_control_law": Spec([LAW_TITLE], 1, r"—\d{1,4}—"),
        "h03_dual_use_regulation": Spec(["国务院令　第792号"], 0, r"-\d{1,4}-"),
        "h04_ja_commentary_dual_use": Spec(
            [JA_HEADER], 0, r"-\d{1,4}-", notes=list(JA_FOOTNOTES.values())
        ),
    }


def _printed_lines(document: Any) -> list[tuple[int, float, str]]:
    """(page, top, NFKC text) of every printed line of the body blocks."""
    out: list[tuple[int, float, str]] = []
    for block in document.blocks:
        if block.kind.value not in _TEXT_KINDS or block.char_span is None:
            continue
        for line in block.lines:
            if line.char_span is not None:
                text = document.text[line.char_span.start : line.char_span.end]
                out.append((block.page, line.bbox.top, norm(text)))
    return out


def check(document: Any, spec: Spec) -> Result:
    result = Result()
    lines = _printed_lines(document)
    body = norm(document.text[: document.body_end])
    pages = len(document.pages)
    header = {norm(h) for h in spec.header}
    repeated = [f"p{p} {text}" for p, _, text in lines if text in header]
    result.header = repeated[spec.header_in_text :] if len(repeated) > spec.header_in_text else []
    for page in range(1, pages + 1):
        own = sorted((top, text) for p, top, text in lines if p == page)
        folio = re.compile(spec.folio)
        for _, text in own:
            if folio.fullmatch(text):
                result.folio.append(f"p{page} {text}")
        if spec.label:
            label = spec.label.format(n=page, total=pages)
            if label in body:
                result.folio.append(f"p{page} {label} (in the body)")
    notes = [norm(f.text) for f in document.footnotes]
    for truth in spec.notes:
        want = _NOTE_LABEL.sub("", norm(truth))
        result.notes_truth += 1
        if any(want == _NOTE_LABEL.sub("", n) for n in notes):
            result.notes_found += 1
        if want[:20] in body:
            result.note.append(want[:30])
    _paragraphs(document, spec, result)
    return result


def _paragraphs(document: Any, spec: Spec, result: Result) -> None:
    """Truth paragraphs that cross a page break: kept whole, or split in two."""
    blocks = [
        (b.page, norm(b.text))
        for b in document.blocks
        if b.kind.value in _TEXT_KINDS and b.char_span is not None
    ]
    paragraphs = [norm(p) for p in document.text[: document.body_end].split("\n")]
    for text in (norm(p) for p in spec.paragraphs):
        if len(text) < 30:
            continue
        head = next((p for p, t in blocks if text[:12] in t), None)
        tail = next((p for p, t in reversed(blocks) if text[-12:] in t), None)
        if head is None or tail is None or head == tail:
            continue
        result.crossing += 1
        if any(text in p for p in paragraphs):
            result.joined += 1
        else:
            result.split.append(text[:30])


def run(sets: list[str]) -> list[tuple[str, Result]]:
    from ingest.pipeline import ingest_pdf

    rows: list[tuple[str, Result]] = []
    if "v1" in sets:
        for pdf in V1_PDFS:
            rows.append((f"v1/{pdf.stem}", check(ingest_pdf(pdf), Spec())))
    if "v2" in sets:
        for stem, truth, pdf in v2_files():
            rows.append((f"v2/{stem}", check(ingest_pdf(pdf), v2_spec(truth))))
    if "heldout" in sets:
        for stem, spec in heldout_specs().items():
            document = ingest_pdf(HELDOUT_DIR / f"{stem}.pdf")
            rows.append((f"heldout/{stem}", check(document, spec)))
    return rows


def main(argv: list[str] | None = None) -> int:
    args = parse_sets(__doc__.split("\n")[0], "list every leak", argv)
    rows = run(args.set)
    print(f"{'file':40} header folio  note  notes  split  joined")
    totals = Result()
    for name, r in rows:
        print(
            f"{name[:40]:40} {len(r.header):6} {len(r.folio):5} {len(r.note):5} "
            f"{r.notes_found:>3}/{r.notes_truth:<2} {len(r.split):5} {r.joined:>4}/{r.crossing}"
        )
        if args.verbose:
            for kind, items in (("header", r.header), ("folio", r.folio), ("note", r.note)):
                for item in items:
                    print(f"    {kind}: {item}")
            for item in r.split:
                print(f"    split: {item}")
        totals.header += r.header
        totals.folio += r.folio
        totals.note += r.note
        totals.split += r.split
        totals.notes_found += r.notes_found
        totals.notes_truth += r.notes_truth
        totals.joined += r.joined
        totals.crossing += r.crossing
    print(
        f"{'ALL':40} {len(totals.header):6} {len(totals.folio):5} {len(totals.note):5} "
        f"{totals.notes_found:>3}/{totals.notes_truth:<2} {len(totals.split):5} "
        f"{totals.joined:>4}/{totals.crossing}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
