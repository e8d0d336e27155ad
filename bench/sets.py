"""The dev and held-out sets the identity and furniture benches run over."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
V2_DIR = ROOT / "tests" / "data" / "dev" / "v2"
HELDOUT_DIR = ROOT / "tests" / "data" / "heldout"
SETS = ("v1", "v2", "heldout")


def parse_sets(description: str, verbose_help: str, argv: list[str] | None) -> argparse.Namespace:
    """``--set`` (repeatable; default: all) and ``--verbose``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--set", choices=SETS, action="append", help="default: all")
    parser.add_argument("--verbose", "-v", action="store_true", help=verbose_help)
    args = parser.parse_args(argv)
    args.set = args.set or list(SETS)
    return args


def v2_files() -> Iterator[tuple[str, dict[str, Any], Path]]:
    """(stem, truth, pdf) of every dev v2 document (the diff files left out)."""
    for truth_path in sorted((V2_DIR / "truth").glob("*.json")):
        if truth_path.stem.startswith("diff_"):
            continue
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        yield truth_path.stem, truth, V2_DIR / "pdf" / f"{truth_path.stem}.pdf"
