"""e5 passage vectors with bf16 matrix arithmetic, through torch's oneDNN kernels.

The index's cost is e5's encoder arithmetic over ~100k passage tokens.  On a CPU with native
bf16 dot products (x86 ``avx512_bf16`` or ``amx_bf16``) oneDNN multiplies bf16 matrices at
about twice the fp32 rate with fp32 accumulation, and e5 keeps its vectors: on 200 passage
texts of bench.throughput's files the vectors come out within cosine 0.99999 (min) of the
fp32 ones, where ORT's int8 copies give 0.995-0.999 and lose v2 questions in bench.search.
Without those instructions oneDNN emulates bf16 (slower than fp32), so ``bf16_cpu_flag``
decides, and ``index.onnx_passages.chosen_variant`` falls back to the fp32 ORT engine.

The encoder is written here with ``torch.nn.functional`` on the weights of
``model.safetensors`` (no transformers or sentence-transformers import, no export step):
the word-embedding lookup, batching by length, pooling and normalising are
``OnnxPassages``'s own (this module gives it a runner with an ORT session's ``run``).  What
stays fp32: the embeddings' sum, every LayerNorm and the residual stream (the sum the layers
add into), so only the products of the Linear layers and attention are rounded to bf16.
Weights are packed once into oneDNN's blocked layout where torch offers it (~8 % faster).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from index.onnx_queries import (
    THREADS_ENV,
    _safetensors_array,
    cached_or_built,
    load_tokenizer,
    probed,
)

#: Where the probe vector (torch fp32's, recorded on first use) is kept, in the model folder.
PROBE_FILE = "passage-encoder-bf16.probe.json"
MIN_PROBE_COSINE = 0.9999
#: OpenMP threads sleep when idle instead of spinning.  In a ``--jobs 2`` add the writer
#: embeds while the workers ingest on the same cores; 100 passages on 2 torch threads under
#: load took 15.0-15.7 CPU s spinning (libgomp's default), 4.4-4.5 passive (1 thread: 4.6).
WAIT_POLICY = "PASSIVE"
#: /proc/cpuinfo flags of native bf16 dot products, best first.
BF16_FLAGS = ("amx_bf16", "avx512_bf16")
_LINEARS = {
    "qkv": ("attention.self.query", "attention.self.key", "attention.self.value"),
    "out": ("attention.output.dense",),
    "up": ("intermediate.dense",),
    "down": ("output.dense",),
}
_NORMS = {"norm1": "attention.output.LayerNorm", "norm2": "output.LayerNorm"}


def bf16_cpu_flag(cpuinfo: Path = Path("/proc/cpuinfo")) -> str | None:
    """The CPU flag that makes bf16 matrix products fast here, or None (no such flag, or
    no /proc/cpuinfo to read: bf16 would be emulated, slower than fp32)."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    flags = set()
    for line in text.splitlines():
        if line.startswith("flags"):
            flags.update(line.partition(":")[2].split())
            break
    return next((flag for flag in BF16_FLAGS if flag in flags), None)


def _read_tensors(path: Path, names: list[str]) -> dict[str, np.ndarray]:
    """fp32 tensors of a safetensors file by name, memory-mapped (8-byte header length,
    JSON header, raw little-endian data)."""
    with path.open("rb") as handle:
        size = int.from_bytes(handle.read(8), "little")
        header = json.loads(handle.read(size))
    out = {}
    for name in names:
        info = header.get(name)
        if info is None or info["dtype"] != "F32":
            raise ValueError(f"{path.name}: {name} missing or not F32")
        begin, _ = info["data_offsets"]
        out[name] = np.memmap(
            path, np.float32, "r", offset=8 + size + begin, shape=tuple(info["shape"])
        )
    return out


class Bf16Encoder:
    """A BERT encoder (absolute positions, erf GELU, post-LayerNorm) over a padded batch:
    ``run(None, {"inputs_embeds", "attention_mask"})`` -> ``[mean-pooled fp32 vectors]``,
    as the ONNX sessions of ``index.onnx_passages`` answer."""

    def __init__(self, folder: Path, threads: int) -> None:
        import torch

        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        if (
            config.get("model_type") != "bert"
            or config.get("hidden_act") != "gelu"
            or config.get("position_embedding_type", "absolute") != "absolute"
        ):
            raise ValueError(f"{folder.name}: not a BERT encoder this engine computes")
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        layers = int(config["num_hidden_layers"])
        if threads > 0:  # else torch's default (the physical cores)
            torch.set_num_threads(threads)
        names = [
            "embeddings.position_embeddings.weight",
            "embeddings.token_type_embeddings.weight",
            "embeddings.LayerNorm.weight",
            "embeddings.LayerNorm.bias",
        ]
        for i in range(layers):
            for parts in _LINEARS.values():
                for part in parts:
                    names += [f"encoder.layer.{i}.{part}.weight", f"encoder.layer.{i}.{part}.bias"]
            for norm in _NORMS.values():
                names += [f"encoder.layer.{i}.{norm}.weight", f"encoder.layer.{i}.{norm}.bias"]
        raw = _read_tensors(folder / "model.safetensors", names)

        def fp32(name: str) -> Any:
            return torch.from_numpy(np.array(raw[name]))

        self.positions = fp32("embeddings.position_embeddings.weight")
        self.token_type = fp32("embeddings.token_type_embeddings.weight")[0]
        self.norm = (fp32("embeddings.LayerNorm.weight"), fp32("embeddings.LayerNorm.bias"))
        self.layers = []
        for i in range(layers):
            prefix = f"encoder.layer.{i}."
            layer = {
                key: self._linear(
                    torch.cat([fp32(f"{prefix}{part}.weight") for part in parts]),
                    torch.cat([fp32(f"{prefix}{part}.bias") for part in parts]),
                )
                for key, parts in _LINEARS.items()
            }
            for key, norm in (
                ("norm1", "attention.output.LayerNorm"),
                ("norm2", "output.LayerNorm"),
            ):
                layer[key] = (fp32(f"{prefix}{norm}.weight"), fp32(f"{prefix}{norm}.bias"))
            self.layers.append(layer)

    @staticmethod
    def _linear(weight: Any, bias: Any) -> tuple[Any, Any, bool]:
        """(bf16 weight, bf16 bias, packed?): oneDNN's blocked layout where torch has it."""
        import torch

        weight, bias = weight.to(torch.bfloat16).contiguous(), bias.to(torch.bfloat16)
        try:
            return torch.ops.mkldnn._reorder_linear_weight(weight, None), bias, True
        except (AttributeError, RuntimeError):  # a torch without it: plain F.linear
            return weight, bias, False

    @staticmethod
    def _apply(x: Any, linear: tuple[Any, Any, bool]) -> Any:
        import torch
        import torch.nn.functional as F

        weight, bias, packed = linear
        if not packed:
            return F.linear(x, weight, bias)
        rows = x.reshape(-1, x.shape[-1])
        out = torch.ops.mkldnn._linear_pointwise(rows, weight, bias, "none", [], "")
        return out.view(*x.shape[:-1], out.shape[-1])

    def _norm(self, x: Any, norm: tuple[Any, Any]) -> Any:
        import torch.nn.functional as F

        return F.layer_norm(x, (self.hidden,), *norm, eps=self.eps)

    def run(self, _outputs: Any, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        import torch

        with torch.inference_mode():
            pooled = self._forward(
                torch.from_numpy(feeds["inputs_embeds"]), torch.from_numpy(feeds["attention_mask"])
            )
        return [pooled.numpy()]

    def _forward(self, embeds: Any, mask: Any) -> Any:
        import torch
        import torch.nn.functional as F

        batch, tokens, hidden = embeds.shape
        heads, bf16 = self.heads, torch.bfloat16
        width = hidden // heads
        x = embeds + self.positions[:tokens] + self.token_type
        x = self._norm(x, self.norm)
        # Padding keys get -inf before the softmax: a row's result ignores its batch company.
        bias = torch.zeros(batch, 1, 1, tokens, dtype=bf16)
        bias = bias.masked_fill(mask[:, None, None, :] == 0, float("-inf"))
        bias = bias.expand(batch, heads, tokens, tokens).reshape(batch * heads, tokens, tokens)
        for layer in self.layers:
            qkv = self._apply(x.to(bf16), layer["qkv"])
            q, k, v = (
                qkv.view(batch, tokens, 3, heads, width)
                .permute(2, 0, 3, 1, 4)
                .reshape(3, batch * heads, tokens, width)
            )
            # Plain batched products: on this CPU faster than torch's flash-attention kernel
            # for 32-wide heads; softmax accumulates in fp32 inside torch's bf16 kernel.
            scores = torch.baddbmm(bias, q, k.transpose(1, 2), alpha=width**-0.5)
            context = torch.bmm(scores.softmax(-1), v).view(batch, heads, tokens, width)
            context = context.transpose(1, 2).reshape(batch, tokens, hidden)
            x = self._norm(x + self._apply(context, layer["out"]).float(), layer["norm1"])
            up = F.gelu(self._apply(x.to(bf16), layer["up"]))
            x = self._norm(x + self._apply(up, layer["down"]).float(), layer["norm2"])
        weights = mask.unsqueeze(-1).to(x.dtype)
        return (x * weights).sum(1) / weights.sum(1).clamp(min=1e-9)


def load_bf16_passages(folder: Path, prompt: str, model: Callable[[], Any]) -> Any | None:
    """The bf16 passage engine (an ``OnnxPassages`` over ``Bf16Encoder``), or None.

    None where the CPU has no native bf16 or torch is missing (the caller falls back to
    fp32).  The probe passage must come out within ``MIN_PROBE_COSINE`` of the vector torch
    fp32 gave (recorded in ``PROBE_FILE`` on first use, when ``model()`` is loaded once)."""
    flag = bf16_cpu_flag()
    if flag is None:
        return None
    if "torch" not in sys.modules:  # libgomp reads it once, when torch loads it
        os.environ.setdefault("OMP_WAIT_POLICY", WAIT_POLICY)
    try:
        import torch  # noqa: F401
    except ImportError:
        return None
    return cached_or_built(
        lambda: _from_files(folder, prompt, flag),
        lambda loaded: _built(loaded, folder, prompt, flag),
        model,
        f"bf16 passage engine for {folder}",
    )


def _engine(folder: Path, prompt: str, flag: str) -> Any:
    from index.onnx_passages import OnnxPassages

    tokenizer = load_tokenizer(str(folder / "tokenizer.json"))

    def token_ids(texts: list[str]) -> list[list[int]]:
        return [e.ids for e in tokenizer.encode_batch(texts)]

    words = _safetensors_array(folder / "model.safetensors", "word_embeddings.weight")
    encoder = Bf16Encoder(folder, int(os.environ.get(THREADS_ENV, "0") or 0))
    return OnnxPassages(encoder, token_ids, words, prompt, f"torch-bf16-{flag}-batched")


def _from_files(folder: Path, prompt: str, flag: str) -> Any | None:
    from index.onnx_queries import _cosine

    probe_path = folder / PROBE_FILE
    if not probe_path.exists() or not (folder / "tokenizer.json").exists():
        return None
    probe = json.loads(probe_path.read_text(encoding="utf-8"))
    if probe.get("prompt") != prompt:
        return None
    engine = _engine(folder, prompt, flag)
    cosine = _cosine(engine.embed([probe["text"]])[0], np.asarray(probe["expected"]))
    if not cosine >= MIN_PROBE_COSINE:
        raise ValueError(f"probe cosine {cosine:.5f} to the torch vector")
    return engine


def _built(model: Any, folder: Path, prompt: str, flag: str) -> Any | None:
    from index.onnx_passages import PROBE_TEXT

    (folder / PROBE_FILE).unlink(missing_ok=True)
    # ``probed`` names the probe after its "encoder" path: PROBE_FILE minus ".probe.json".
    anchor = folder / PROBE_FILE.removesuffix(".probe.json")
    return probed(
        _engine(folder, prompt, flag),
        model,
        prompt,
        anchor,
        MIN_PROBE_COSINE,
        f"bf16 passage engine for {folder}",
        PROBE_TEXT,
    )
