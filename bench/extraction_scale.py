"""Extraction time against document length: seconds per page should stay flat.

    python -m bench.extraction_scale [--pages 20 40 80 160 400] [--set v2|v1]

For each length N, the pages of the dev PDFs (v2: tests/data/dev/v2/pdf, v1: samples/, in
name order, cycled) are concatenated into one N-page PDF (``ingest.concat``), then timed:
``ingest_pdf`` (read + layout + identity) and ``extract_records`` (all record kinds),
separately, wall clock, one run each.  Prints seconds and seconds per page for both and the
ratio of s/page at the longest length to s/page at the shortest (1.0 = linear).

Issue 15: before the fix extraction grew ~n^2.7 (20/40/80 pages: 3.1/13.4/89.8 s).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from bench.extraction import SAMPLES_DIR
from bench.extraction_v2 import V2_DIR
from ingest.concat import concatenate_pdfs

SETS = {"v1": SAMPLES_DIR, "v2": V2_DIR / "pdf"}


def time_one(pdf: Path) -> tuple[float, float, int]:
    """(ingest seconds, extract seconds, records) for one PDF."""
    from ingest.extract import extract_records
    from ingest.pipeline import Limits, ingest_pdf

    started = time.perf_counter()
    document = ingest_pdf(pdf, Limits(max_seconds_per_file=3600.0))
    ingested = time.perf_counter()
    result = extract_records(document)
    return ingested - started, time.perf_counter() - ingested, len(result.records)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[20, 40, 80, 160, 400])
    parser.add_argument("--set", choices=sorted(SETS), default="v2")
    args = parser.parse_args(argv)
    sources = sorted(SETS[args.set].glob("*.pdf"))
    rows: list[tuple[int, float, float, int]] = []
    with tempfile.TemporaryDirectory(prefix="regwatch-scale-") as folder:
        time_one(concatenate_pdfs(sources, Path(folder) / "warm.pdf", 2))  # imports, caches
        for n in args.pages:
            pdf = concatenate_pdfs(sources, Path(folder) / f"{n}.pdf", n)
            ingest_s, extract_s, records = time_one(pdf)
            rows.append((n, ingest_s, extract_s, records))
            print(
                f"{n:5d} pages  ingest {ingest_s:7.2f} s ({ingest_s / n:.3f} s/page)  "
                f"extract {extract_s:7.2f} s ({extract_s / n:.3f} s/page)  {records} records",
                flush=True,
            )
    if len(rows) >= 2:
        (n0, i0, e0, _), (n1, i1, e1, _) = rows[0], rows[-1]
        print(
            f"s/page {n1} vs {n0} pages: ingest x{(i1 / n1) / (i0 / n0):.2f}, "
            f"extract x{(e1 / n1) / (e0 / n0):.2f} (1.00 = linear)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
