"""Tesseract 5 (Debian's ``tesseract-ocr`` and its language packs) through its TSV word boxes.

One ``tesseract`` process per page image, single-threaded (``OMP_THREAD_LIMIT=1``): pages run
side by side instead, which uses two cores better than Tesseract's own threads.  Lines are
read once, by the LSTM models, never again inverted (``tessedit_do_invert=0``).  Nothing is
downloaded: the models are the ``tesseract-ocr-LANG`` packages' ``.traineddata`` files.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

# Languages regwatch asks for; the Debian package of each is tesseract-ocr-<lang with - for _>.
LANGUAGES = ("chi_sim", "chi_tra", "jpn")
APT_PACKAGES = (
    "tesseract-ocr",
    "tesseract-ocr-chi-sim",
    "tesseract-ocr-chi-tra",
    "tesseract-ocr-jpn",
)


class OcrEngineError(RuntimeError):
    """Tesseract is missing, lacks a language, or failed on an image."""


@dataclass(frozen=True, slots=True)
class Word:
    """One TSV word: its text, box in image pixels, confidence (0-100) and line key."""

    text: str
    left: int
    top: int
    width: int
    height: int
    conf: float
    line: tuple[int, int, int]  # (block, paragraph, line)


@dataclass(frozen=True, slots=True)
class LineBox:
    """A TSV line (level 4): its box in image pixels."""

    key: tuple[int, int, int]
    left: int
    top: int
    width: int
    height: int


@functools.cache
def binary() -> str | None:
    return shutil.which("tesseract")


@functools.cache
def installed_languages() -> frozenset[str]:
    exe = binary()
    if exe is None:
        return frozenset()
    try:
        out = subprocess.run(
            [exe, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(line.strip() for line in out.splitlines()[1:] if line.strip())


def missing() -> str | None:
    """Why OCR cannot run here (None when it can): what to install."""
    if binary() is None:
        return "tesseract is not installed (apt-get install " + " ".join(APT_PACKAGES) + ")"
    absent = [lang for lang in LANGUAGES if lang not in installed_languages()]
    if absent:
        packages = " ".join("tesseract-ocr-" + a.replace("_", "-") for a in absent)
        return f"tesseract lacks {', '.join(absent)} (apt-get install {packages})"
    return None


def recognize(
    image: Image.Image,
    dpi: int,
    lang: str,
    timeout: float = 120.0,
    psm: int = 3,
    whitelist: str | None = None,
) -> tuple[list[Word], list[LineBox]]:
    """Words and lines Tesseract reads on ``image`` (rendered at ``dpi``) in ``lang``;
    ``whitelist``: the only characters it may read (item markers, ``markers.py``)."""
    exe = binary()
    if exe is None:
        raise OcrEngineError(missing() or "tesseract is not installed")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    with tempfile.TemporaryDirectory(prefix="regwatch-ocr-") as tmp:
        source = Path(tmp) / "page.png"
        image.save(source, dpi=(dpi, dpi))
        command = [exe, str(source), "stdout", "-l", lang, "--psm", str(psm), "--dpi", str(dpi)]
        # LSTM only; no second pass over each line read inverted (white on black, which
        # notices do not print): a third of a page's time, the same text on the dev scans
        command += ["--oem", "1", "-c", "tessedit_do_invert=0"]
        if whitelist:
            command += ["-c", f"tessedit_char_whitelist={whitelist}"]
        try:
            done = subprocess.run(
                [*command, "tsv"],
                capture_output=True,
                text=True,
                timeout=timeout,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise OcrEngineError(f"tesseract took over {timeout:g} s") from exc
        except OSError as exc:
            raise OcrEngineError(f"tesseract could not run: {exc}") from exc
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or [f"exit code {done.returncode}"]
        raise OcrEngineError(f"tesseract failed: {tail[0]}")
    return parse_tsv(done.stdout)


_OSD_SCALE = 0.5  # OSD reads a half-size page as well as a full one, in about half the time
_ROTATE = re.compile(r"^Rotate:\s*(\d+)", re.MULTILINE)
_ORIENT_CONF = re.compile(r"^Orientation confidence:\s*([\d.]+)", re.MULTILINE)
MIN_ORIENTATION_CONFIDENCE = 2.0  # Tesseract's own advice for trusting an OSD answer


def orientation(image: Image.Image, dpi: int, timeout: float = 60.0) -> int:
    """Degrees (0, 90, 180, 270) to turn ``image`` clockwise to read it upright, from
    Tesseract's orientation detection (``--psm 0``, the ``osd`` model that Debian's
    ``tesseract-ocr`` depends on); 0 when OSD is absent, unsure or fails."""
    exe = binary()
    if exe is None or "osd" not in installed_languages():
        return 0
    small = image.resize(
        (max(1, round(image.width * _OSD_SCALE)), max(1, round(image.height * _OSD_SCALE)))
    )
    osd_dpi = max(1, round(dpi * _OSD_SCALE))
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    with tempfile.TemporaryDirectory(prefix="regwatch-osd-") as tmp:
        source = Path(tmp) / "page.png"
        small.save(source, dpi=(osd_dpi, osd_dpi))
        command = [exe, str(source), "stdout", "--psm", "0", "--dpi", str(osd_dpi)]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, env=env, check=False
            )
        except (OSError, subprocess.SubprocessError):
            return 0
    return parse_osd(done.stdout + done.stderr)


def parse_osd(report: str) -> int:
    """The ``Rotate:`` of an OSD report when its orientation confidence is high enough."""
    rotate, confidence = _ROTATE.search(report), _ORIENT_CONF.search(report)
    if rotate is None or confidence is None:
        return 0
    if float(confidence.group(1)) < MIN_ORIENTATION_CONFIDENCE:
        return 0
    return int(rotate.group(1)) % 360


def parse_tsv(tsv: str) -> tuple[list[Word], list[LineBox]]:
    """Tesseract's TSV: level 4 rows are lines, level 5 rows words (conf -1: not a word)."""
    words: list[Word] = []
    lines: list[LineBox] = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or not cells[0].isdigit():
            continue
        level = int(cells[0])
        key = (int(cells[2]), int(cells[3]), int(cells[4]))
        left, top, width, height = (int(c) for c in cells[6:10])
        if level == 4:
            lines.append(LineBox(key, left, top, width, height))
            continue
        text = cells[11].strip()
        if level != 5 or not text:
            continue
        try:
            conf = float(cells[10])
        except ValueError:
            conf = -1.0
        words.append(Word(text, left, top, width, height, conf, key))
    return words, lines
