"""Ingestion speed: ``ingest_pdf`` against bare pdfplumber ``extract_words`` on the same PDFs.

    python bench/ingest.py [PDF ...] [--repeat N]

Defaults to every PDF under samples/.  Both sides open the file from scratch each round, so
the figure includes pdfminer's parsing (the bulk of the cost).  Times are CPU seconds of the
process (best of the rounds, the two sides alternating).  Prints pages/s for each side and the
ratio ingest/bare (target: <= 1.5).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pdfplumber

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.pipeline import ingest_pdf  # noqa: E402


def bare_words(path: Path) -> int:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_words()
            page.close()
        return len(pdf.pages)


def ingest(path: Path) -> int:
    return len(ingest_pdf(path).pages)


def timed(function, paths: list[Path]) -> tuple[float, int]:
    """CPU seconds of this process: steadier than wall time on a shared machine."""
    started = time.process_time()
    pages = sum(function(path) for path in paths)
    return time.process_time() - started, pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pdfs", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the best is kept")
    args = parser.parse_args(argv)
    paths = args.pdfs or sorted((ROOT / "samples").rglob("*.pdf"))
    ingest(paths[0])  # warm imports and caches outside the timing
    # rounds alternate the two sides so that a busy machine slows both alike; best kept
    bare_time = ingest_time = float("inf")
    pages = 0
    for _ in range(args.repeat):
        seconds, pages = timed(bare_words, paths)
        bare_time = min(bare_time, seconds)
        seconds, _ = timed(ingest, paths)
        ingest_time = min(ingest_time, seconds)
    print(f"{len(paths)} PDFs, {pages} pages, best of {args.repeat}")
    print(f"pdfplumber extract_words: {bare_time:7.2f} CPU s  {pages / bare_time:7.1f} pages/s")
    print(f"ingest_pdf:               {ingest_time:7.2f} CPU s  {pages / ingest_time:7.1f} pages/s")
    print(f"ratio ingest/bare: {ingest_time / bare_time:.2f}x (target <= 1.5x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
