"""Vertical (tategaki) test pages: a text laid out top to bottom, right to left.

Older 通達 and official-gazette pages set Japanese in vertical columns read from the right,
and Chinese statutes are printed so in Taiwan and in older mainland gazettes.
``make_vertical_pdf`` lays a plain-text file out so (HTML ``writing-mode: vertical-rl``, one
paragraph per line of the file, A4 portrait, 11 pt Noto CJK in the script's own glyphs:
``zh_*`` simplified, ``zht_*`` traditional, others Japanese) and prints it to PDF with
headless Chromium; ``bench.ocr --set vertical`` scans such PDFs the bench way and scores the
OCR'd text against the file's own text.  The texts (``bench/data/vertical/*.txt``) are
passages of dev v2 statutes and of an unseen Chinese statute (SOURCES.md there).
"""

from __future__ import annotations

import html
import shutil
import subprocess
import tempfile
from pathlib import Path

VERTICAL_DIR = Path(__file__).resolve().parent / "data" / "vertical"

_PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 20mm; }}
body {{ writing-mode: vertical-rl; font-family: "Noto Serif CJK {font}", "Noto Sans CJK {font}",
        serif; font-size: 11pt; line-height: 1.7; margin: 0; }}
p {{ margin: 0 0 0 0.6em; text-indent: 1em; }}
</style></head><body>{body}</body></html>
"""


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


# file-name prefix -> (HTML lang, Noto CJK region): a text in its own script's glyph shapes
_SCRIPTS = {"zht_": ("zh-Hant", "TC"), "zh_": ("zh-Hans", "SC")}


def _script(source: Path) -> tuple[str, str]:
    prefix = next((p for p in _SCRIPTS if source.name.startswith(p)), None)
    return _SCRIPTS[prefix] if prefix else ("ja", "JP")


def texts() -> list[Path]:
    return sorted(VERTICAL_DIR.glob("*.txt"))


def reference(source: Path) -> str:
    """The text a vertical page should read as: the file's paragraphs, in order."""
    return source.read_text(encoding="utf-8")


def make_vertical_pdf(source: Path, target: Path) -> Path:
    """``source``'s paragraphs set vertically, printed to ``target`` by headless Chromium."""
    exe = chromium()
    if exe is None:
        raise RuntimeError("chromium is not installed (apt-get install chromium)")
    body = "".join(
        f"<p>{html.escape(line)}</p>" for line in reference(source).splitlines() if line.strip()
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="regwatch-vertical-") as tmp:
        page = Path(tmp) / "page.html"
        lang, font = _script(source)
        page.write_text(_PAGE.format(lang=lang, font=font, body=body), encoding="utf-8")
        command = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer"]
        command += [f"--user-data-dir={tmp}/profile", f"--print-to-pdf={target}", page.as_uri()]
        subprocess.run(command, capture_output=True, timeout=120, check=True)
    return target
