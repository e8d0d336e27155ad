"""Expanding FILE_OR_DIR arguments into the PDF files to process."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given (whatever their suffix: a bad file must get its own error) and the
    ``*.pdf`` files under directories, sorted, without duplicates."""
    out: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        found = (
            sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")
            if path.is_dir()
            else [path]
        )
        for p in found:
            key = p.resolve()
            if key not in seen:
                seen.add(key)
                out.append(p)
    return out
