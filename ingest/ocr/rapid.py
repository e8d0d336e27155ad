"""RapidOCR (PP-OCRv6 on onnxruntime) as a second engine, behind ``--ocr-engine rapidocr``.

The ``rapidocr`` 3.10 wheel ships its PP-OCRv6 detection and recognition models (one
multilingual model: simplified and traditional Chinese, Japanese, Latin) and the line
orientation model in ``rapidocr/models``; every model path is given explicitly, so the
library's download path (used when no ``model_path`` is set) is never taken, and the
recognizer's character list is the one inside its ONNX file.  Nothing is fetched at run time.

Its lines and per-character boxes come back as the same ``Word`` / ``LineBox`` values that
Tesseract's TSV gives, so ``chars.page_chars`` turns either into ``RawChar`` glyphs.  Engines
are built once per process and lent to one page at a time (as many as pages read at once),
each onnxruntime session single-threaded: pages run side by side, as Tesseract's processes
do.  A call cannot be stopped half-way: the file's time limit is
checked between pages.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ingest.ocr.reread import LineReading, reread_unsure_lines
from ingest.ocr.tesseract import LineBox, OcrEngineError, Word
from ingest.ocr.unsure_chars import reread_unsure_chars

PIP_PACKAGES = ("rapidocr==3.10.0", "onnxruntime")
# the models the rapidocr 3.10 wheel carries (rapidocr/models), by role
_MODELS = {
    "Det": "PP-OCRv6_det_small.onnx",
    "Rec": "PP-OCRv6_rec_small.onnx",
    "Cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}
_IDLE: list[Any] = []  # built engines not reading a page now
_IDLE_LOCK = threading.Lock()


def _install_hint() -> str:
    return "pip install " + " ".join(PIP_PACKAGES) + " (or the regwatch[ocr] extra)"


@functools.cache
def model_dir() -> Path | None:
    """Where the installed rapidocr wheel keeps its models (None: not installed)."""
    try:
        spec = importlib.util.find_spec("rapidocr")
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "models"


def missing() -> str | None:
    """Why RapidOCR cannot run here (None when it can): what to install."""
    folder = model_dir()
    if folder is None:
        return f"rapidocr is not installed ({_install_hint()})"
    if importlib.util.find_spec("onnxruntime") is None:
        return f"onnxruntime is not installed ({_install_hint()})"
    absent = [name for name in _MODELS.values() if not (folder / name).is_file()]
    if absent:
        return f"the rapidocr wheel lacks {', '.join(absent)} (reinstall: {_install_hint()})"
    return None


def _build() -> Any:
    """A RapidOCR built from the wheel's own model files."""
    why = missing()
    folder = model_dir()
    if why is not None or folder is None:
        raise OcrEngineError(why or "rapidocr is not installed")
    from rapidocr import RapidOCR

    params: dict[str, Any] = {
        "Global.log_level": "error",
        # pages are levelled and turned upright before they get here; the 0/180 line
        # classifier would only cost time
        "Global.use_cls": False,
        "EngineConfig.onnxruntime.intra_op_num_threads": 1,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    }
    params.update({f"{role}.model_path": str(folder / name) for role, name in _MODELS.items()})
    try:
        return RapidOCR(params=params)
    except Exception as exc:  # the library raises bare Exceptions on a bad model or config
        raise OcrEngineError(f"rapidocr could not start: {exc}") from exc


@contextlib.contextmanager
def _engine() -> Iterator[Any]:
    """An engine for one page: an idle one, else a new one (loading the models takes a
    second or two, so engines outlive the file they were built for)."""
    with _IDLE_LOCK:
        engine = _IDLE.pop() if _IDLE else None
    if engine is None:
        engine = _build()
    try:
        yield engine
    finally:
        with _IDLE_LOCK:
            _IDLE.append(engine)


def _box(points: Any) -> tuple[int, int, int, int]:
    """``(left, top, width, height)`` around a quadrilateral of ``[x, y]`` points."""
    xs = [float(p[0]) for p in points]
    ys = [float(p[1]) for p in points]
    left, top = round(min(xs)), round(min(ys))
    return left, top, max(1, round(max(xs)) - left), max(1, round(max(ys)) - top)


def to_words(boxes: Any, word_results: Any) -> tuple[list[Word], list[LineBox]]:
    """RapidOCR's line boxes and their characters (``word_results``: per line,
    ``(text, score, quadrilateral)``) as Tesseract-style words and lines: line ``i`` is
    ``(1, 1, i)``, a character (or a Latin word) is a word, its score 0-100."""
    words: list[Word] = []
    lines: list[LineBox] = []
    for index, (quad, pieces) in enumerate(zip(boxes, word_results, strict=False)):
        key = (1, 1, index)
        lines.append(LineBox(key, *_box(quad)))
        for text, score, points in pieces:
            text = str(text).strip()
            if text:
                words.append(Word(text, *_box(points), float(score) * 100.0, key))
    return words, lines


def recognize(
    image: Image.Image, dpi: int, lang: str, timeout: float = 120.0
) -> tuple[list[Word], list[LineBox]]:
    """Words and lines RapidOCR reads on ``image``.  One multilingual model reads every
    script: ``lang`` and ``dpi`` are the Tesseract reader's arguments, unused here."""
    del dpi, lang
    if timeout <= 0:
        raise OcrEngineError("no time left for rapidocr")
    with _engine() as engine:
        try:
            out = engine(np.asarray(image.convert("L")), return_word_box=True)
        except Exception as exc:  # onnxruntime and OpenCV errors have no common base
            raise OcrEngineError(f"rapidocr failed: {exc}") from exc
    if out.boxes is None or out.word_results is None:
        return [], []  # nothing detected: a blank page
    return to_words(out.boxes, out.word_results)


def _reading(text: str, score: float, info: Any) -> LineReading:
    """One crop's result as a ``LineReading``: the CTC columns of its characters (``info``,
    the recogniser's ``WordInfo``) as centres, fractions of the crop's width."""
    columns = [col for group in info.word_cols for col in group] if info else []
    span = float(getattr(info, "line_txt_len", 0.0) or 0.0)
    confs = [float(c) for c in getattr(info, "confs", [])]
    if not span or len(columns) != len(text) or len(confs) != len(text):
        return LineReading(text, float(score), (), ())  # no positions: not placed
    return LineReading(text, float(score), tuple((c + 0.5) / span for c in columns), tuple(confs))


def _glyphs(text: str, score: float, info: Any) -> LineReading:
    """One crop's characters without the blanks the recogniser put between words, each
    with its score (``WordInfo.confs`` holds one for a blank too, when the text has one):
    what ``unsure_chars`` aligns character by character with Tesseract's reading."""
    confs = [float(c) for c in getattr(info, "confs", [])]
    if len(confs) == len(text):
        kept = [(ch, c) for ch, c in zip(text, confs, strict=True) if not ch.isspace()]
        return LineReading("".join(ch for ch, _ in kept), score, (), tuple(c for _, c in kept))
    bare = "".join(text.split())
    if len(confs) == len(bare):
        return LineReading(bare, score, (), tuple(confs))
    return LineReading("", score, (), ())  # scores not per character: nothing to align


def _recognise(crops: list[Image.Image]) -> Any:
    """The recogniser alone (no detection: the boxes are known) on crops, in batches.
    ``_load_rec_model`` is rapidocr 3.10's own loader of its recogniser (pinned in
    ``PIP_PACKAGES``): the model is the one ``_build`` names."""
    from rapidocr.ch_ppocr_rec.typings import TextRecInput

    arrays = [np.asarray(c.convert("RGB")) for c in crops]
    with _engine() as engine:
        try:
            return engine._load_rec_model()(TextRecInput(img=arrays, return_word_box=True))
        except Exception as exc:  # onnxruntime and OpenCV errors have no common base
            raise OcrEngineError(f"rapidocr failed: {exc}") from exc


def read_glyphs(crops: list[Image.Image]) -> list[LineReading]:
    """The recogniser's characters on line crops, blanks left out, each with its score
    (``_glyphs``); no centres.  One reading each, in order."""
    if not crops:
        return []
    out = _recognise(crops)
    texts, scores, infos = out.txts or (), out.scores or (), out.word_results or ()
    return [
        _glyphs(str(text), float(score), info)
        for text, score, info in zip(texts, scores, infos, strict=True)
    ]


def read_lines(crops: list[Image.Image]) -> list[LineReading]:
    """The recogniser on line crops (``_recognise``); one reading each, in order, with
    the centres of its characters (``_reading``)."""
    if not crops:
        return []
    out = _recognise(crops)
    texts, scores = out.txts or (), out.scores or ()
    infos = out.word_results or ()
    return [
        _reading(str(text), score, info)
        for text, score, info in zip(texts, scores, infos, strict=True)
    ]


def with_second_reading(
    image: Image.Image, words: list[Word], lines: list[LineBox], models: str
) -> list[Word]:
    """A Tesseract reading of ``image`` in ``models`` with its unsure lines read again by
    the recogniser (``reread.reread_unsure_lines``); as it was where RapidOCR is not
    installed or fails: the second reading is a bonus, never an error."""
    if missing() is not None:
        return words
    try:
        return reread_unsure_lines(image, words, lines, models, read_lines)
    except OcrEngineError:
        return words


def with_unsure_chars(
    image: Image.Image, words: list[Word], lines: list[LineBox], models: str
) -> list[Word]:
    """A Tesseract reading with the characters it is unsure of read again in their line by
    the recogniser (``unsure_chars.reread_unsure_chars``); as it was where RapidOCR is not
    installed or fails, and on vertical pages (their lines are columns turned a quarter)."""
    if missing() is not None or "_vert" in models:
        return words
    try:
        return reread_unsure_chars(image, words, lines, models, read_glyphs)
    except OcrEngineError:
        return words
