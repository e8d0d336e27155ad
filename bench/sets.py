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
UNSEEN_DIR = ROOT / "tests" / "data" / "unseen"
SETS = ("v1", "v2", "heldout")


def parse_sets(
    description: str, verbose_help: str, argv: list[str] | None, sets: tuple[str, ...] = SETS
) -> argparse.Namespace:
    """``--set`` (repeatable; default: all of ``sets``) and ``--verbose``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--set", choices=sets, action="append", help="default: all")
    parser.add_argument("--verbose", "-v", action="store_true", help=verbose_help)
    args = parser.parse_args(argv)
    args.set = args.set or list(sets)
    return args


def v2_files(folder: Path = V2_DIR) -> Iterator[tuple[str, dict[str, Any], Path]]:
    """(stem, truth, pdf) of every document of a set in the dev v2 format (dev v2 itself by
    default; the unseen set has the same layout), the diff files left out."""
    for truth_path in sorted((folder / "truth").glob("*.json")):
        if truth_path.stem.startswith("diff_"):
            continue
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        yield truth_path.stem, truth, folder / "pdf" / f"{truth_path.stem}.pdf"
