"""OCR on synthetic scans of the dev PDFs: CER against the text layer, extraction F1, s/page.

    python -m bench.ocr [--dpi 200] [--set v1|v2|heldout|unseen|vertical|unseen2_zh|...]
                        [--only STEM] [--pages N]
                        [--keep DIR] [--engine tesseract|rapidocr|hybrid ...]

Every dev PDF (v1: samples/*.pdf, v2: tests/data/dev/v2/pdf/*.pdf; ``--set heldout``: the
held-out PDFs, tests/data/heldout/*.pdf, and ``--set unseen``: tests/data/unseen/pdf/*.pdf,
scored as ``bench.unseen`` scores them; neither is part of the default run) is rendered at
``--dpi``, turned ±1° (alternate pages), speckled and blurred, and saved as an image-only PDF
(``ingest.ocr.scans.make_scan``).  Each scan then goes through the real pipeline
(``ingest_pdf``, OCR under ``--ocr auto``), and:

- CER per page: Levenshtein distance between the text blocks of the page read from the
  text layer and from the scan (NFKC, white space removed), over the reference length;
- extraction P/R/F1 against the dev truth, with ``bench.extraction`` (v1),
  ``bench.extraction_v2`` (v2) and ``bench.heldout`` scoring, the scan standing in for the PDF;
- seconds per page: wall time of ``ingest_pdf`` on the scan over its pages (OCR runs
  ``REGWATCH_OCR_WORKERS`` pages at a time, default 2), and CPU seconds per page (this
  process and the Tesseract processes it ran, user + system): on a shared machine the wall
  time follows the load, the CPU time hardly.

``--engine`` (repeatable; default: the configured engine) reads every scan with each engine
named, one file after the other with each engine in turn, so their seconds per page are
taken side by side under the same load.  ``--pages N`` scans only the first N pages of each
file (quick runs; F1 is then skipped).

``--set vertical``: the texts of ``bench/data/vertical`` set in vertical columns (tategaki,
``bench.vertical``, headless Chromium), scanned the same way, whole (``--pages`` does not
apply), and scored by CER only: the whole text read against the text it was set from.
"""

from __future__ import annotations

import argparse
import functools
import re
import resource
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench import extraction as v1
from bench import extraction_v2 as v2
from bench import heldout, unseen, vertical
from ingest import pipeline
from ingest.ocr import engines, reread, unsure_chars
from ingest.ocr.scans import make_scan
from models.document import Document

DATA = unseen.ROOT / "tests" / "data"
# tests/data/unseen2..4: their halves (unseen2_zh, unseen3_ja, ...), scored as
# bench.unseen --dir scores them
HALVES = {
    f"unseen{n}_{lang}": DATA / f"unseen{n}" / lang
    for n in (2, 3, 4, 5, 6)
    for lang in ("zh", "ja")
}
# The sets scored as bench.unseen scores its set (truth in SET_DIR/truth, definitions too).
UNSEEN_LIKE = ("unseen", *HALVES)
SETS = {
    "v1": v1.SAMPLES_DIR,
    "v2": v2.V2_DIR / "pdf",
    "heldout": heldout.HELDOUT_DIR,
    "unseen": unseen.UNSEEN_DIR / "pdf",
    **{name: folder / "pdf" for name, folder in HALVES.items()},
    "vertical": vertical.VERTICAL_DIR,  # texts, set vertically (bench/vertical.py)
}
F1_KINDS = ("article", "threshold", "date", "item_list", "item_code", "title", "definition")
_WHITE = re.compile(r"\s+")


def sources(sets: list[str], only: str | None) -> Iterator[tuple[str, Path, bool]]:
    """``(set, source, upright)`` of each file of ``sets`` whose name holds ``only``: a PDF,
    or for ``vertical`` (not upright) a text to set vertically."""
    for set_name in sets:
        upright = set_name != "vertical"
        for source in sorted(SETS[set_name].glob("*.pdf" if upright else "*.txt")):
            if not only or only in source.stem:
                yield set_name, source, upright


def levenshtein(a: str, b: str) -> int:
    """Edit distance (Hyyrö's bit-parallel form of Myers' algorithm: fast on whole pages)."""
    if not a or not b:
        return len(a) + len(b)
    peq: dict[str, int] = {}
    for i, ch in enumerate(a):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    mask, high = (1 << len(a)) - 1, 1 << (len(a) - 1)
    pv, mv, score = mask, 0, len(a)
    for ch in b:
        eq = peq.get(ch, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = ((ph << 1) | 1) & mask
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
    return score


def _plain(text: str) -> str:
    return _WHITE.sub("", unicodedata.normalize("NFKC", text))


def page_texts(document: Document) -> dict[int, str]:
    """The text blocks (body, headings, lists, footnotes) of each page, NFKC (a scan cannot
    tell ``(`` from ``（``: the text layer has both), white space removed."""
    pages: dict[int, list[str]] = {}
    for block in document.blocks:
        if block.char_span is not None:
            pages.setdefault(block.page, []).append(block.text)
    return {page: _plain("".join(parts)) for page, parts in pages.items()}


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process and its finished children (Tesseract)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class ScanRun:
    """Scans made once, each read once by each engine: ``ingest_pdf`` is patched to serve
    the scans, read by the engine ``engine`` names at the time."""

    def __init__(self, folder: Path, dpi: int, pages: int | None, engine: str) -> None:
        self.folder, self.dpi, self.pages, self.engine = folder, dpi, pages, engine
        # (engine, stem) -> (wall seconds, pages, CPU seconds)
        self.timing: dict[tuple[str, str], tuple[float, int, float]] = {}
        self._documents: dict[tuple[Path, str], Document] = {}
        self._original = pipeline.ingest_pdf

    def scan(self, source: Path, set_name: str) -> Path:
        target = self.folder / set_name / "pdf" / source.name
        if not target.exists():
            make_scan(source, target, dpi=self.dpi, max_pages=self.pages, seed=len(source.name))
        return target

    def read(self, path: Path) -> Document:
        key = (path, self.engine)
        if key not in self._documents:
            limits = pipeline.Limits(max_seconds_per_file=3600.0, ocr_engine=self.engine)
            started, cpu = time.perf_counter(), _cpu_seconds()
            document = self._original(path, limits)
            seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
            self.timing[(self.engine, path.stem)] = (seconds, len(document.pages), cpu)
            self._documents[key] = document
        return self._documents[key]

    @functools.cache  # noqa: B019 - one ScanRun per process
    def reference(self, source: Path) -> dict[int, str]:
        """The page texts of ``source`` read from its text layer."""
        return page_texts(self._original(source))

    def ingest(self, path: Path | str, limits: Any = None) -> Document:
        path = Path(path)
        if self.folder in path.parents:
            return self.read(path)
        return self._original(path, limits)


def measure_cer(run: ScanRun, source: Path, scan: Path) -> tuple[int, int, list[str]]:
    """(edits, reference characters, worst pages) of one scan against its text layer."""
    reference = run.reference(source)
    read = page_texts(run.read(scan))
    edits = total = 0
    worst: list[tuple[float, str]] = []
    for page, text in reference.items():
        if run.pages and page > run.pages:
            continue
        distance = levenshtein(text, read.get(page, ""))
        edits += distance
        total += len(text)
        worst.append((distance / max(1, len(text)), f"p{page} {distance}/{len(text)}"))
    worst.sort(reverse=True)
    return edits, total, [w for _, w in worst[:3]]


def vertical_scan(run: ScanRun, source: Path) -> Path:
    """The scan of a vertical text (its PDF made first, by ``bench.vertical``), whole."""
    target = run.folder / "vertical" / "pdf" / f"{source.stem}.pdf"
    if not target.exists():
        printed = vertical.make_vertical_pdf(
            source, run.folder / "vertical" / "source" / target.name
        )
        make_scan(printed, target, dpi=run.dpi, seed=len(source.name))
    return target


def measure_vertical(run: ScanRun, source: Path, scan: Path) -> tuple[int, int, list[str]]:
    """(edits, reference characters, ``[]``) of a vertical scan: its whole text against the
    text it was set from (a vertical text layer gives no reading order to compare with)."""
    reference = _plain(vertical.reference(source))
    read = "".join(page_texts(run.read(scan)).values())
    return levenshtein(reference, read), len(reference), []


def _f1_v1(run: ScanRun) -> dict[str, v1.Score]:
    v1.SAMPLES_DIR = run.folder / "v1" / "pdf"
    totals = {k: v1.Score() for k in v1.KINDS}
    for path in sorted(v1.TRUTH_DIR.glob("*.json")):
        scores, _, used = v1.score_document(path, set(v1.KINDS), by_page=False)
        if used != "pdf":
            raise RuntimeError(f"{path.stem}: the scan was not read")
        for kind, score in scores.items():
            totals[kind].add(score)
    return totals


def _f1_v2(run: ScanRun, only: str | None) -> dict[str, v1.Score]:
    folder = run.folder / "v2"
    truth = folder / "truth"
    if not truth.exists():
        truth.symlink_to(v2.V2_DIR / "truth")
    _, totals = v2.score_v2(folder, set(v2.V2_KINDS), only)
    return totals


def _f1_unseen(run: ScanRun, only: str | None, set_name: str = "unseen") -> dict[str, v1.Score]:
    """An unseen set scored as ``bench.unseen`` scores it, the scans in place of its PDFs."""
    folder = run.folder / set_name
    truth = folder / "truth"
    if not truth.exists():
        truth.symlink_to(SETS[set_name].parent / "truth")
    extra = {"definition": unseen.score_definitions}
    _, totals = v2.score_v2(folder, set(unseen.KINDS), only, extra=extra)
    return totals


def _f1_heldout(run: ScanRun) -> dict[str, v1.Score]:
    folder = run.folder / "heldout" / "pdf"
    for truth in heldout.HELDOUT_DIR.glob("*.json"):  # score_all reads STEM.json by STEM.pdf
        if not (folder / truth.name).exists():
            (folder / truth.name).symlink_to(truth)
    _, totals = heldout.score_all(folder)
    return totals


def _print_totals(run: ScanRun, engine: str, edits: int, chars: int) -> None:
    timed = [v for (name, _), v in run.timing.items() if name == engine]
    pages = max(1, sum(p for _, p, _ in timed))
    seconds, cpu = sum(s for s, _, _ in timed), sum(c for _, _, c in timed)
    cer = edits / max(1, chars)
    print(f"{'ALL ' + engine:<34}{pages:>6}{cer:>8.4f}{seconds / pages:>8.2f}{cpu / pages:>8.2f}")
    if engine == "tesseract":  # only Tesseract counts in unsure_chars.TALLY
        chars = unsure_chars.TALLY
        print(
            f"  tesseract: lines/page {chars.lines / pages:.1f}, read again "
            f"{chars.reread / pages:.2f}, characters changed {chars.changed / pages:.2f}, "
            f"recogniser CPU s/page {chars.cpu / pages:.2f}"
        )
    if engine == "hybrid":  # only the hybrid counts in reread.TALLY
        tally = reread.TALLY
        print(
            f"  hybrid: lines/page {tally.lines / pages:.1f}, read again "
            f"{tally.reread / pages:.2f}, replaced {tally.replaced / pages:.2f}, "
            f"recogniser CPU s/page {tally.cpu / pages:.2f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dpi", type=int, default=200, help="scan resolution (200, 300)")
    parser.add_argument("--set", choices=sorted(SETS), action="append", help="default: both")
    parser.add_argument("--only", help="only files whose name contains this")
    parser.add_argument("--pages", type=int, help="scan only the first N pages (no F1)")
    parser.add_argument("--keep", type=Path, help="write the scans here (default: a temp dir)")
    parser.add_argument(
        "--engine",
        choices=engines.ENGINES,
        action="append",
        help="OCR engine (repeatable: each reads every scan, in turn; default: the configured)",
    )
    args = parser.parse_args(argv)
    sets = args.set or ["v1", "v2"]
    names = args.engine or [engines.engine_name()]
    with tempfile.TemporaryDirectory(prefix="regwatch-scans-") as tmp:
        folder = (args.keep or Path(tmp)).resolve()
        run = ScanRun(folder, args.dpi, args.pages, names[0])
        pipeline.ingest_pdf = run.ingest  # the scorers call ingest.pipeline.ingest_pdf
        counts = {name: [0, 0] for name in names}  # edits, reference characters
        print(f"== scans at {args.dpi} dpi, ±1°, speckle 0.2%, blur 0.6 px")
        head = f"{'document':<34}{'pages':>6}{'CER':>8}{'s/page':>8}{'cpu/p':>8}"
        print(f"{head}  engine     worst pages")
        for set_name, source, upright in sources(sets, args.only):
            scan = run.scan(source, set_name) if upright else vertical_scan(run, source)
            measure = measure_cer if upright else measure_vertical
            for name in names:
                run.engine = name
                e, n, worst = measure(run, source, scan)
                seconds, pages, cpu = run.timing[(name, scan.stem)]
                counts[name][0] += e
                counts[name][1] += n
                print(
                    f"{source.stem[:33]:<34}{pages:>6}{e / max(1, n):>8.4f}"
                    f"{seconds / pages:>8.2f}{cpu / pages:>8.2f}"
                    f"  {name:<10} {', '.join(worst)}",
                    flush=True,
                )
        for name in names:
            _print_totals(run, name, *counts[name])
        if args.pages:
            return 0
        for set_name in sets:
            if set_name == "vertical" or (set_name not in ("v2", *UNSEEN_LIKE) and args.only):
                continue
            for name in names:
                run.engine = name
                if set_name == "v1":
                    totals = _f1_v1(run)
                elif set_name == "heldout":
                    totals = _f1_heldout(run)
                elif set_name in UNSEEN_LIKE:
                    totals = _f1_unseen(run, args.only, set_name)
                else:
                    totals = _f1_v2(run, args.only)
                print(f"== extraction on the scans, dev {set_name}, {name}")
                v1.print_table([("ALL", k, s) for k, s in totals.items() if k in F1_KINDS])
    return 0


if __name__ == "__main__":
    sys.exit(main())
