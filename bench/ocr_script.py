"""The script OCR decides for each scan (Japanese, simplified, traditional), against the text
layer's, with its margin and the pages it took.

    python -m bench.ocr_script [--set v1|v2|heldout|unseen|vertical ...] [--only STEM]
                               [--pages 2] [--keep DIR]

Each file is scanned as ``bench.ocr`` scans it (the same scans under ``--keep``) and its
first ``--pages`` pages read by ``ingest.ocr.run.ocr_pages`` with Tesseract, which reports
its decision (``on_script``): the script, the sign-test margin ``z`` of the votes for
simplified over traditional (``ingest/ocr/script.py``; none for Japanese, told by kana), and
the pages read whole to decide (0: a band of the first page sufficed).  The truth is the
script of the file's text layer (kana: Japanese; else simplified-only against
traditional-only characters); a vertical text's is that of the text it was set from.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from bench import vertical
from bench.ocr import SETS, ScanRun, sources, vertical_scan
from ingest.limits import Limits
from ingest.ocr import run as ocr_run
from ingest.ocr.chars import script_language
from ingest.ocr.script import SIMPLIFIED_ONLY, TRADITIONAL_ONLY, Verdict
from ingest.pdf import iter_pages, read_pdf


def true_script(text: str) -> str | None:
    """The script of a text as written (not as read): kana say Japanese, else the count of
    simplified-only against traditional-only characters."""
    lang = script_language(text)
    if lang is None or lang == "jpn":
        return lang
    simplified = sum(1 for ch in text if ch in SIMPLIFIED_ONLY)
    traditional = sum(1 for ch in text if ch in TRADITIONAL_ONLY)
    return "chi_tra" if traditional > simplified else "chi_sim"


def decision(scan: Path, pages: int) -> tuple[Verdict | None, int, float]:
    """(verdict, pages read whole to decide, seconds) of OCR on the first ``pages`` pages."""
    scanned = list(iter_pages(scan, Limits(), time.monotonic()))  # no OCR yet
    found: list[tuple[Verdict, int]] = []
    started = time.perf_counter()
    ocr_run.ocr_pages(
        scan,
        scanned[:pages],
        time.monotonic() + 600,
        engine="tesseract",
        on_script=lambda verdict, whole: found.append((verdict, whole)),
    )
    seconds = time.perf_counter() - started
    return (found[0] if found else (None, 0)) + (seconds,)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", choices=sorted(SETS), action="append")
    parser.add_argument("--only", help="only files whose name contains this")
    parser.add_argument("--pages", type=int, default=2, help="pages read per file")
    parser.add_argument("--keep", type=Path, help="the scans' folder (bench.ocr --keep)")
    args = parser.parse_args(argv)
    sets = args.set or ["v1", "v2", "heldout", "unseen", "vertical"]
    right = total = 0
    with tempfile.TemporaryDirectory(prefix="regwatch-scans-") as tmp:
        run = ScanRun((args.keep or Path(tmp)).resolve(), 200, None, "tesseract")
        print(f"{'set':<9}{'file':<36}{'truth':<9}{'decided':<9}{'z':>7}{'pages':>6}{'s':>7}")
        for set_name, source, upright in sources(sets, args.only):
            if upright:
                text = "".join(c.text for p in read_pdf(source).pages for c in p.chars)
                scan = run.scan(source, set_name)
            else:
                text, scan = vertical.reference(source), vertical_scan(run, source)
            truth = true_script(text)
            if truth is None:
                continue
            verdict, whole, seconds = decision(scan, args.pages)
            lang = verdict.lang if verdict else "-"
            margin = verdict.margin if verdict and verdict.margin is not None else ""
            total += 1
            right += lang == truth
            mark = "" if lang == truth else "  WRONG"
            print(
                f"{set_name:<9}{source.stem[:35]:<36}{truth:<9}{lang:<9}{margin!s:>7}"
                f"{whole:>6}{seconds:>7.1f}{mark}",
                flush=True,
            )
    print(f"right {right}/{total}")
    return 0 if right == total else 1


if __name__ == "__main__":
    sys.exit(main())
