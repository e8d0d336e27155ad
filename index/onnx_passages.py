"""Passage vectors of a sentence-transformers model through ONNX Runtime, batched by length.

Passages are throughput-bound: at index time thousands of chunks are embedded at once.  The
query encoder (``index.onnx_queries``) runs one unpadded text per call; this one takes a
padded batch and an attention mask, and pools the mean over real tokens only, so a passage's
vector does not depend on what it was batched with.  Texts are sorted by token count and cut
into batches of at most ``TOKEN_BUDGET`` padded tokens: little padding, and long passages go
in small batches (attention is quadratic in length).

As for queries, the word-embedding table is looked up in numpy (memory-mapped from
``model.safetensors``) and only the encoder is exported, once, beside the model folder; a
later process loads it from files alone: no torch, no sentence-transformers model.  At load
the probe passage must come out within ``VARIANTS[variant][1]`` cosine of the vector torch
gave when the file was built, else the caller keeps the torch path.

The export runs the eager attention code (the pattern ONNX Runtime's BERT fusions find).
Variants (``REGWATCH_E5_PASSAGES``): ``bf16`` (default where the CPU multiplies bf16 natively,
``index.bf16_passages``: not ONNX, torch's oneDNN bf16 products, ~1.9x less CPU than
``onnx-fused`` and the same bench.search figures; elsewhere ``onnx-fused`` runs),
``onnx-fused`` (the exported graph with ORT's BERT fusions, ``index.onnx_graphs.fuse_bert``:
one Attention kernel a layer, cosine 1.000000 to torch, ~20 % less CPU and a lower peak:
bench.throughput at the 6 Dec 04:00 merge, full add 63.78 -> 55.97 s, peak RSS 1727 -> 1170
MB), ``onnx-fp32`` (the unfused export, the same arithmetic), ``onnx-q4`` (the fused graph with
its MatMuls on the model's own 4-bit weights and int8 activations per 32-block:
``index.onnx_graphs.to_matmul_4bit``), ``onnx`` (int8 per tensor, as the query default),
``onnx-fused-int8`` (the fused graph through ORT's dynamic int8 quantiser: ``QAttention`` and
``MatMulInteger``, weights per channel, activations per tensor; about half the CPU of
``onnx-fused``, vectors within ~0.995 cosine that move a little with their batch company),
``onnx-fused-int8-mixed`` (the same with the FFN down-projections fp32),
``onnx-fused-int8-smooth`` (``index.int8_smooth``: every matrix product int8, the FFN
down-projections with int8 activations per token and block, the others' inputs smoothed
into their weights first; cosine >= 0.9996 to fp32 at about the all-int8 CPU), ``torch`` (the
sentence-transformers model). bench/README.md "index_work.py" gives what each costs and what it
does to bench.search.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import mmap
import os
import threading
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.heap import release_freed_heap
from index.int8_smooth import build_smooth_int8, calibration_feeds
from index.onnx_graphs import (
    SESSION_DISABLED_FUSIONS,
    down_projections,
    eager_attention,
    fuse_bert,
    quantise_fused,
    to_matmul_4bit,
)
from index.onnx_queries import (
    OPSET,
    THREADS_ENV,
    _cosine,
    _safetensors_array,
    cached_or_built,
    load_tokenizer,
    probed,
    quantise_encoder,
)

PASSAGE_FILE = "passage-encoder.onnx"
PROBE_TEXT = (
    "第五条 出口経営者は、輸出管理の対象となる貨物の価値比率が0.1%以上の場合、"
    "許可を申請しなければならない。"
)
#: ``REGWATCH_E5_PASSAGES`` value -> (file, minimum probe cosine to the torch vector).
FUSED_FILE = "passage-encoder-fused.onnx"
VARIANTS = {
    "onnx-fp32": (PASSAGE_FILE, 0.9999),
    "onnx-fused": (FUSED_FILE, 0.9999),
    "onnx-q4": ("passage-encoder-q4.onnx", 0.9999),
    "onnx": ("passage-encoder-int8.onnx", 0.995),
    "onnx-fused-int8": ("passage-encoder-fused-int8.onnx", 0.995),
    "onnx-fused-int8-mixed": ("passage-encoder-fused-int8-mixed.onnx", 0.998),
    "onnx-fused-int8-smooth": ("passage-encoder-fused-int8-smooth.onnx", 0.999),
}
#: Not an ONNX file: bf16 matrix arithmetic through torch (``index.bf16_passages``), used
#: where the CPU multiplies bf16 natively, else ``FALLBACK_VARIANT``.
BF16_VARIANT = "bf16"
#: Every matrix product int8, activation outliers smoothed (``index.int8_smooth``): 1.8-1.9x
#: less CPU than fused fp32 on bench.passage_engines, the same bench.search R@5 on both dev
#: sets in two runs each (v1 MRR 0.723 against 0.729: two questions 3 -> 4), and the
#: 17-file full add 74.6 against 100.0 CPU s at the same peak RSS (bench/README.md
#: "int8_sensitivity.py", "throughput.py").  Not bf16: it imports torch into the writer
#: (the 1,000-PDF add peaks at 1944 MB with it, against 1544 MB).
DEFAULT_VARIANT = "onnx-fused-int8-smooth"
#: What runs where the chosen engine cannot: the fused fp32 graph (the same vectors as
#: torch's).
FALLBACK_VARIANT = "onnx-fused"
ENGINE_ENV = "REGWATCH_E5_PASSAGES"
#: Padded tokens per batch (batch size x longest text in it).  Memory, not speed, sets it:
#: attention keeps batch x 12 heads x tokens^2 floats per layer alive (at 4096 padded tokens
#: of 512-token passages, 100 MB a tensor).
TOKEN_BUDGET = 2048
MAX_BATCH = 32
MAX_TOKENS = 512
#: How the built files are made, recorded in each probe: a file of another revision is
#: rebuilt at its first load.  2: ``fuse_bert`` leaves residual + LayerNorm unfused
#: (``index.onnx_graphs.SKIP_LAYER_NORM``).
GRAPH_REVISION = 2

_log = logging.getLogger(__name__)


def export_passage_encoder(model: Any, target: Path) -> Path:
    """Write ``model``'s encoder (inputs_embeds + attention mask of a padded batch -> masked
    mean-pooled vectors) to ``target`` atomically, traced through the eager attention code
    (the pattern ``fuse_bert`` recognises)."""
    import torch

    bert = model[0].auto_model.eval()

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, inputs_embeds: torch.Tensor, attention_mask: torch.Tensor) -> Any:
            hidden = self.bert(
                inputs_embeds=inputs_embeds, attention_mask=attention_mask
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    dim = bert.get_input_embeddings().embedding_dim
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        with torch.no_grad(), warnings.catch_warnings(), eager_attention(bert):
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Encoder().eval(),  # else the export leaves the model in training mode
                (torch.zeros(2, 4, dim), torch.ones(2, 4, dtype=torch.int64)),
                str(tmp),
                input_names=["inputs_embeds", "attention_mask"],
                output_names=["embedding"],
                dynamic_axes={
                    "inputs_embeds": {0: "batch", 1: "tokens"},
                    "attention_mask": {0: "batch", 1: "tokens"},
                },
                opset_version=OPSET,
                dynamo=False,
            )
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def length_batches(lengths: Sequence[int], budget: int = TOKEN_BUDGET) -> list[list[int]]:
    """Indices grouped shortest first, each group's ``len * longest`` within ``budget`` (a
    text longer than the budget goes alone)."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        longest = lengths[i]  # sorted: the newest is the longest
        if current and ((len(current) + 1) * longest > budget or len(current) >= MAX_BATCH):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


def chosen_variant() -> str:
    """The passage engine ``REGWATCH_E5_PASSAGES`` asks for (``DEFAULT_VARIANT`` unset), as
    this machine can run it: ``bf16`` becomes ``FALLBACK_VARIANT`` on a CPU without native
    bf16 or without torch (the variant also names the vectors in the passage-vector cache)."""
    variant = os.environ.get(ENGINE_ENV, "") or DEFAULT_VARIANT
    if variant == BF16_VARIANT and not _bf16_runs_here():
        return FALLBACK_VARIANT
    return variant


@functools.lru_cache(maxsize=1)
def _bf16_runs_here() -> bool:
    import importlib.util

    from index.bf16_passages import bf16_cpu_flag

    flag = bf16_cpu_flag()
    found = importlib.util.find_spec("torch") is not None
    if flag is None or not found:
        _log.info(
            "bf16 passages unavailable (%s): %s used", flag or "no bf16 CPU flag", FALLBACK_VARIANT
        )
    return flag is not None and found


def _probe_path(encoder: Path) -> Path:
    return encoder.with_name(encoder.name + ".probe.json")


class OnnxPassages:
    """``embed(texts)`` -> L2-normalised passage vectors (``prompt`` prepended)."""

    def __init__(
        self,
        session: Any,
        token_ids: Callable[[list[str]], list[list[int]]],
        word_embeddings: np.ndarray,
        prompt: str,
        name: str,
    ) -> None:
        self.name = name
        self._session = session
        self._token_ids = token_ids
        self._words = word_embeddings
        self._prompt = prompt
        self._lock = threading.Lock()

    @classmethod
    def load(cls, folder: Path, prompt: str, model: Callable[[], Any]) -> OnnxPassages | None:
        """The engine for the sentence-transformers folder ``folder``, or None (torch path).

        ``model()`` gives the loaded sentence-transformers model; called only when the
        encoder must be built (first use, or cached files that fail their check).
        """
        variant = chosen_variant()
        if variant == BF16_VARIANT:
            from index.bf16_passages import load_bf16_passages

            engine = load_bf16_passages(folder, prompt, model)
            if engine is not None:
                return engine
            _log.warning("bf16 passage engine unavailable: %s used", FALLBACK_VARIANT)
            variant = FALLBACK_VARIANT
        if variant not in VARIANTS:
            return None
        engine = cls._cached_or_built(folder, prompt, model, variant)
        if engine is None and variant != FALLBACK_VARIANT:
            # An int8 build can fail where fp32 does not (an older onnxruntime without
            # 8-bit MatMulNBits): the fused fp32 graph, not the torch path.
            _log.warning("%s passage engine unavailable: %s used", variant, FALLBACK_VARIANT)
            engine = cls._cached_or_built(folder, prompt, model, FALLBACK_VARIANT)
        return engine

    @classmethod
    def _cached_or_built(
        cls, folder: Path, prompt: str, model: Callable[[], Any], variant: str
    ) -> OnnxPassages | None:
        return cached_or_built(
            lambda: cls._from_files(folder, prompt, variant),
            lambda loaded: cls._built(loaded, folder, prompt, variant),
            model,
            f"ONNX passage engine {variant} for {folder}",
        )

    @classmethod
    def _from_files(cls, folder: Path, prompt: str, variant: str) -> OnnxPassages | None:
        encoder = folder / VARIANTS[variant][0]
        needed = (encoder, _probe_path(encoder), folder / "tokenizer.json")
        if not all(path.exists() for path in needed):
            return None
        probe = json.loads(_probe_path(encoder).read_text(encoding="utf-8"))
        if probe.get("prompt") != prompt or probe.get("graph", 1) != GRAPH_REVISION:
            return None
        tokenizer = load_tokenizer(str(folder / "tokenizer.json"))  # shared with queries

        def token_ids(texts: list[str]) -> list[list[int]]:
            return [e.ids for e in tokenizer.encode_batch(texts)]

        words = _safetensors_array(folder / "model.safetensors", "word_embeddings.weight")
        engine = cls(_session(encoder), token_ids, words, prompt, _engine_name(variant))
        cosine = _cosine(engine.embed([probe["text"]])[0], np.asarray(probe["expected"]))
        if not cosine >= VARIANTS[variant][1]:
            raise ValueError(f"probe cosine {cosine:.5f} to the torch vector")
        return engine

    @classmethod
    def _built(cls, model: Any, folder: Path, prompt: str, variant: str) -> OnnxPassages | None:
        encoder = folder / VARIANTS[variant][0]
        # Only this variant's files: the export and the fused graph are rewritten atomically
        # below, and deleting them would break another variant that was built from them.
        for stale in (encoder, _probe_path(encoder)):
            stale.unlink(missing_ok=True)
        tokenizer = model.tokenizer

        def token_ids(texts: list[str]) -> list[list[int]]:
            encoded = tokenizer(texts, truncation=True, max_length=MAX_TOKENS)
            return [list(ids) for ids in encoded["input_ids"]]

        words = model[0].auto_model.get_input_embeddings().weight.detach().numpy()
        _derive(model, folder, variant, lambda: calibration_feeds(token_ids, words, prompt))
        engine = cls(_session(encoder), token_ids, words, prompt, _engine_name(variant))
        return probed(
            engine,
            model,
            prompt,
            encoder,
            VARIANTS[variant][1],
            f"ONNX passage engine for {folder}",
            PROBE_TEXT,
            {"graph": GRAPH_REVISION},
        )

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        dim = self._words.shape[1]
        out = np.zeros((len(texts), dim), np.float32)
        if not texts:
            return out
        ids = self._token_ids([self._prompt + t for t in texts])
        with self._lock:
            for batch in length_batches([len(row) for row in ids]):
                width = max(len(ids[i]) for i in batch)
                tokens = np.zeros((len(batch), width), np.int64)  # pad id 0: masked out anyway
                mask = np.zeros((len(batch), width), np.int64)
                for row, i in enumerate(batch):
                    tokens[row, : len(ids[i])] = ids[i]
                    mask[row, : len(ids[i])] = 1
                feeds = {
                    "inputs_embeds": np.asarray(self._words[tokens], dtype=np.float32),
                    "attention_mask": mask,
                }
                out[batch] = self._session.run(None, feeds)[0]
            _drop_mapped_pages(self._words)
            release_freed_heap()
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def _drop_mapped_pages(words: np.ndarray) -> None:
    """Unmap the word-embedding pages this call touched (they stay in the page cache).

    The table is memory-mapped from ``model.safetensors`` (250k rows, 384 MB): every row a
    batch looks up stays in this process's RSS, so an indexing run drifts toward holding the
    whole table (+180 MB over 300 dev passages).  Passages come in bulk, so the next call
    re-reads its rows from the page cache at the cost of minor faults."""
    mapping = getattr(words, "_mmap", None)
    if mapping is not None and hasattr(mmap, "MADV_DONTNEED"):
        with contextlib.suppress(OSError, ValueError):
            mapping.madvise(mmap.MADV_DONTNEED)


def _session(path: Path) -> Any:
    """A session without ONNX Runtime's memory arena: batches change shape every run, and
    the arena kept every size it had seen (RSS 0.5 -> 1.7 GB over 120 long passages);
    freed after each run instead."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = int(os.environ.get(THREADS_ENV, "0") or 0)
    options.inter_op_num_threads = 1
    options.enable_cpu_mem_arena = False
    # Idle pool threads sleep instead of spinning: in a ``--jobs N`` add the writer embeds
    # while the workers ingest on the same cores, and spinning threads take their CPU.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(
        str(path),
        options,
        providers=["CPUExecutionProvider"],
        disabled_optimizers=list(SESSION_DISABLED_FUSIONS),
    )


def _derive(
    model: Any, folder: Path, variant: str, calibration: Callable[[], list[dict[str, np.ndarray]]]
) -> Path:
    """Export the encoder, then write ``variant``'s file from it (see ``VARIANTS``;
    ``calibration()``: the inputs the smoothed int8 variant measures its activations on)."""
    source = export_passage_encoder(model, folder / PASSAGE_FILE)
    encoder = folder / VARIANTS[variant][0]
    if variant == "onnx-fp32":
        return source
    if variant == "onnx":  # the dynamic int8 quantiser wants the unfused MatMuls
        return quantise_encoder(source, encoder)
    config = model[0].auto_model.config
    fused = fuse_bert(source, folder / FUSED_FILE, config.num_attention_heads, config.hidden_size)
    _log.info("passage encoder fused: %s", fused)
    if variant == "onnx-q4":
        to_matmul_4bit(folder / FUSED_FILE, encoder)
    elif variant == "onnx-fused-int8-smooth":
        build_smooth_int8(folder / FUSED_FILE, encoder, calibration())
    elif variant.startswith("onnx-fused-int8"):
        keep = down_projections(_loaded(folder / FUSED_FILE)) if variant.endswith("-mixed") else []
        quantise_fused(folder / FUSED_FILE, encoder, keep_fp32=keep)
    return encoder


def _loaded(path: Path) -> Any:
    import onnx

    return onnx.load(str(path), load_external_data=False)


def _engine_name(variant: str) -> str:
    kind = {
        "onnx-fp32": "fp32",
        "onnx-fused": "fused",
        "onnx-q4": "q4",
        "onnx-fused-int8": "fused-int8",
        "onnx-fused-int8-mixed": "fused-int8-mixed",
        "onnx-fused-int8-smooth": "fused-int8-smooth",
    }.get(variant, "int8")
    return f"onnxruntime-{kind}-batched"
