"""Graph rewrites of the passage encoder (index.onnx_graphs): ORT's BERT fusions on the eager
export, and the lossless 4-bit MatMul rewrite.  A tiny random BERT stands in for e5 (fast);
tests/test_onnx_passages.py checks the real model against torch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.onnx_graphs import (
    BLOCK,
    SESSION_DISABLED_FUSIONS,
    _pack_4bit,
    down_projections,
    fuse_bert,
    quantisable,
    quantise_fused,
    to_matmul_4bit,
)

ort = pytest.importorskip("onnxruntime")
onnx = pytest.importorskip("onnx")


def _exact_4bit(k: int, n: int, seed: int = 0) -> np.ndarray:
    """A [K, N] matrix that is exactly (q - 8) * scale per 32-block along K (as e5's is)."""
    rng = np.random.default_rng(seed)
    quants = rng.integers(0, 16, size=(n, k // BLOCK, BLOCK))
    quants[..., 0] = 0  # the block's largest magnitude is -8 * scale, as Q4_0 writes it
    scales = rng.uniform(0.001, 0.05, size=(n, k // BLOCK, 1)).astype(np.float16)
    blocks = (quants - 8).astype(np.float32) * scales.astype(np.float32)
    return np.ascontiguousarray(blocks.reshape(n, k).T)


def _one_ulp_off(weight: np.ndarray) -> np.ndarray:
    weight = weight.copy()
    weight[5, 3] = np.nextafter(weight[5, 3], np.float32(1))
    return weight


def _unpack(packed: np.ndarray, scales: np.ndarray, k: int) -> np.ndarray:
    quants = np.stack([packed & 0x0F, packed >> 4], axis=-1).reshape(packed.shape[0], -1)
    values = (quants.astype(np.float32) - 8).reshape(packed.shape[0], k // BLOCK, BLOCK)
    return (values * scales.reshape(packed.shape[0], -1, 1)).reshape(packed.shape[0], k).T


@pytest.mark.parametrize(
    ("weight", "exact"),
    [
        pytest.param(_exact_4bit(64, 8), True, id="q4-blocks-round-trip"),
        pytest.param(_exact_4bit(384, 3, seed=1), True, id="e5-width-round-trip"),
        pytest.param(np.zeros((32, 4), np.float32), True, id="all-zero-block"),
        pytest.param(
            np.random.default_rng(2).normal(size=(64, 8)).astype(np.float32),
            False,
            id="fp32-weights-refused",
        ),
        pytest.param(_one_ulp_off(_exact_4bit(64, 8)), False, id="one-weight-one-ulp-off-refused"),
    ],
)
def test_pack_4bit_is_lossless_or_refuses(weight: np.ndarray, exact: bool) -> None:
    if not exact:
        with pytest.raises(ValueError, match="not exactly 4-bit"):
            _pack_4bit(weight, "w")
        return
    packed, scales = _pack_4bit(weight, "w")
    assert packed.dtype == np.uint8 and packed.shape == (weight.shape[1], weight.shape[0] // 32, 16)
    np.testing.assert_array_equal(_unpack(packed, scales, weight.shape[0]), weight)


class _Wrapped:
    """The ``model[0].auto_model`` shape of a sentence-transformers model, around a BertModel."""

    def __init__(self, bert: Any) -> None:
        self.auto_model = bert

    def __getitem__(self, index: int) -> _Wrapped:
        return self


@pytest.fixture(scope="module")
def tiny_bert() -> Any:
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    torch.manual_seed(0)
    config = transformers.BertConfig(
        vocab_size=50,
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=128,
        max_position_embeddings=64,
    )
    bert = transformers.BertModel(config).eval()
    with torch.no_grad():  # every projection exactly 4-bit blockwise, as e5's weights are
        for seed, (name, param) in enumerate(bert.named_parameters()):
            if name.startswith("encoder") and param.dim() == 2:
                q4 = _exact_4bit(param.shape[1], param.shape[0], seed=seed)
                param.copy_(torch.from_numpy(q4.T.copy()))
    return bert


def _torch_vectors(bert: Any, embeds: np.ndarray, mask: np.ndarray) -> np.ndarray:
    import torch

    with torch.no_grad():
        hidden = bert(
            inputs_embeds=torch.from_numpy(embeds), attention_mask=torch.from_numpy(mask)
        ).last_hidden_state
        weights = torch.from_numpy(mask).unsqueeze(-1).float()
        return ((hidden * weights).sum(1) / weights.sum(1)).numpy()


def _batch() -> tuple[np.ndarray, np.ndarray]:
    """Three texts of 9, 4 and 1 tokens padded to 9: padding must not move a vector."""
    rng = np.random.default_rng(3)
    embeds = rng.normal(size=(3, 9, 64)).astype(np.float32)
    mask = np.zeros((3, 9), np.int64)
    for row, length in enumerate((9, 4, 1)):
        mask[row, :length] = 1
    return embeds, mask


def _run(path: Path, embeds: np.ndarray, mask: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"inputs_embeds": embeds, "attention_mask": mask})[0]


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


def test_eager_export_fuses_every_layer_and_stays_exact(tiny_bert: Any, tmp_path: Path) -> None:
    from index.onnx_passages import export_passage_encoder

    before = tiny_bert.config._attn_implementation
    source = export_passage_encoder(_Wrapped(tiny_bert), tmp_path / "encoder.onnx")
    assert tiny_bert.config._attn_implementation == before  # the model is left as it was
    stats = fuse_bert(source, tmp_path / "fused.onnx", heads=4, hidden=64)
    assert stats.get("Attention") == 2 and "SkipLayerNormalization" not in stats
    ops = {node.op_type for node in onnx.load(str(tmp_path / "fused.onnx")).graph.node}
    assert "Attention" in ops and "Softmax" not in ops and "LayerNormalization" in ops
    embeds, mask = _batch()
    expected = _torch_vectors(tiny_bert, embeds, mask)
    assert _cosines(_run(source, embeds, mask), expected).min() >= 0.99999
    fused = _run(tmp_path / "fused.onnx", embeds, mask)
    assert _cosines(fused, expected).min() >= 0.99999


def _ops_ort_runs(path: Path, tmp_path: Path, disabled: list[str]) -> set[str]:
    """The op types of ``path`` after ORT's load-time graph passes (its optimized graph)."""
    options = ort.SessionOptions()
    options.optimized_model_filepath = str(tmp_path / "as-run.onnx")
    ort.InferenceSession(
        str(path), options, providers=["CPUExecutionProvider"], disabled_optimizers=disabled
    )
    return {node.op_type for node in onnx.load(str(tmp_path / "as-run.onnx")).graph.node}


def test_sessions_keep_residual_and_layer_norm_apart(tiny_bert: Any, tmp_path: Path) -> None:
    """ORT fuses Add + Add + LayerNormalization into SkipLayerNormalization when it loads a
    int8 graph (its slow kernel: SKIP_LAYER_NORM); the passage sessions' disabled fusions keep
    them apart, and the name must be one ORT knows (it ignores unknown names)."""
    from index.onnx_passages import _session, export_passage_encoder

    source = export_passage_encoder(_Wrapped(tiny_bert), tmp_path / "encoder.onnx")
    fuse_bert(source, tmp_path / "fused.onnx", heads=4, hidden=64)
    int8 = quantise_fused(tmp_path / "fused.onnx", tmp_path / "int8.onnx", keep_fp32=[])
    assert "SkipLayerNormalization" in _ops_ort_runs(int8, tmp_path, [])
    kept = _ops_ort_runs(int8, tmp_path, list(SESSION_DISABLED_FUSIONS))
    assert "SkipLayerNormalization" not in kept and "LayerNormalization" in kept
    embeds, mask = _batch()
    vectors = _session(tmp_path / "fused.onnx").run(
        None, {"inputs_embeds": embeds, "attention_mask": mask}
    )[0]
    assert _cosines(vectors, _torch_vectors(tiny_bert, embeds, mask)).min() >= 0.99999


@pytest.mark.parametrize(
    ("accuracy_level", "floor"),
    [
        pytest.param(0, 0.99999, id="fp32-compute-exact"),
        pytest.param(4, 0.9999, id="int8-activations-per-block"),
    ],
)
def test_4bit_rewrite_keeps_the_vectors(
    tiny_bert: Any, tmp_path: Path, accuracy_level: int, floor: float
) -> None:
    from index.onnx_passages import export_passage_encoder

    source = export_passage_encoder(_Wrapped(tiny_bert), tmp_path / "encoder.onnx")
    fuse_bert(source, tmp_path / "fused.onnx", heads=4, hidden=64)
    rewritten = to_matmul_4bit(tmp_path / "fused.onnx", tmp_path / "q4.onnx", accuracy_level)
    assert rewritten == 2 * 3  # per layer: attention output, FFN in, FFN out (QKV is fused)
    embeds, mask = _batch()
    vectors = _run(tmp_path / "q4.onnx", embeds, mask)
    assert _cosines(vectors, _torch_vectors(tiny_bert, embeds, mask)).min() >= floor
    # int8 activations are quantised per token and block: a text's vector is its own
    alone = _run(tmp_path / "q4.onnx", embeds[1:2, :4], mask[1:2, :4])
    assert _cosines(alone, vectors[1:2]).min() >= 0.99999


@pytest.fixture(scope="module")
def fused_tiny(tiny_bert: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from index.onnx_passages import export_passage_encoder

    folder = tmp_path_factory.mktemp("fused")
    source = export_passage_encoder(_Wrapped(tiny_bert), folder / "encoder.onnx")
    fuse_bert(source, folder / "fused.onnx", heads=4, hidden=64)
    return folder / "fused.onnx"


def _ffn_in(model: Any) -> list[str]:
    return [n for n in quantisable(model) if "intermediate" in n]


@pytest.mark.parametrize(
    ("keep", "float_matmuls", "float_attention"),
    [
        pytest.param(lambda m: [], 0, 0, id="every-matmul-int8"),
        pytest.param(down_projections, 2, 0, id="down-projections-kept-fp32"),
        pytest.param(_ffn_in, 2, 0, id="ffn-in-kept-fp32"),
        pytest.param(lambda m: [quantisable(m)[4]], 0, 1, id="second-attention-kept-fp32"),
    ],
)
def test_int8_fused_graph_runs_integer_kernels_and_keeps_the_vectors(
    tiny_bert: Any,
    fused_tiny: Path,
    tmp_path: Path,
    keep: Any,
    float_matmuls: int,
    float_attention: int,
) -> None:
    from index.onnx_passages import export_passage_encoder

    kept = keep(onnx.load(str(fused_tiny)))
    target = quantise_fused(fused_tiny, tmp_path / "int8.onnx", keep_fp32=kept)
    nodes = onnx.load(str(target)).graph.node
    ops = [node.op_type for node in nodes]
    # per layer: QKV + attention in one QAttention; attention output, FFN in, FFN out
    assert ops.count("QAttention") == 2 - float_attention
    assert ops.count("Attention") == float_attention
    assert ops.count("MatMul") == float_matmuls
    assert ops.count("MatMulInteger") == 2 * 3 - float_matmuls
    assert {n.name for n in nodes if n.op_type in ("MatMul", "Attention")} == set(kept)
    assert not list(tmp_path.glob("*.tmp"))  # written atomically
    embeds, mask = _batch()
    vectors = _run(target, embeds, mask)
    source = export_passage_encoder(_Wrapped(tiny_bert), tmp_path / "encoder.onnx")
    assert _cosines(vectors, _run(source, embeds, mask)).min() >= 0.99
    assert _cosines(vectors, _torch_vectors(tiny_bert, embeds, mask)).min() >= 0.99


def test_4bit_rewrite_refuses_fp32_weights(tmp_path: Path) -> None:
    from onnx import TensorProto, helper, numpy_helper

    weight = np.random.default_rng(4).normal(size=(64, 8)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8])],
        [numpy_helper.from_array(weight, "w")],
    )
    onnx.save(helper.make_model(graph), str(tmp_path / "fp32.onnx"))
    with pytest.raises(ValueError, match=r"fp32\.onnx: w is not exactly 4-bit"):
        to_matmul_4bit(tmp_path / "fp32.onnx", tmp_path / "q4.onnx")
    assert not (tmp_path / "q4.onnx").exists()


def _unpadded_feeds() -> list[dict[str, np.ndarray]]:
    embeds, mask = _batch()
    return [
        {"inputs_embeds": embeds[row : row + 1, :n], "attention_mask": mask[row : row + 1, :n]}
        for row, n in enumerate(mask.sum(axis=1))
    ]


@pytest.mark.parametrize(
    ("act_max", "weight", "expected"),
    [
        pytest.param([1.0, 1.0], [[1.0, -1.0], [1.0, 0.5]], [1.0, 1.0], id="balanced-unchanged"),
        # an outlier channel 100x the others is divided by 100**0.7 / 1**0.3
        pytest.param([100.0, 1.0], [[1.0], [1.0]], [100.0**0.7, 1.0], id="outlier-channel"),
        pytest.param([0.0, 2.0], [[1.0], [1.0]], [1.0, 2.0**0.7], id="dead-channel-unscaled"),
        pytest.param([3.0, 2.0], [[0.0], [1.0]], [1.0, 2.0**0.7], id="zero-weight-row-unscaled"),
    ],
)
def test_smoothing_scales(
    act_max: list[float], weight: list[list[float]], expected: list[float]
) -> None:
    from index.int8_smooth import smoothing_scales

    scales = smoothing_scales(np.array(act_max, np.float32), np.array(weight, np.float32), 0.7)
    np.testing.assert_allclose(scales, expected, rtol=1e-6)
    assert np.isfinite(scales).all()


def test_smoothing_alone_keeps_the_fp32_vectors(fused_tiny: Path, tmp_path: Path) -> None:
    """x / s through W * s is the same product: only the int8 steps may differ after it."""
    from index.int8_smooth import activation_maxima, smooth_inputs

    model = onnx.load(str(fused_tiny))
    nodes = [n for n in quantisable(model) if n not in down_projections(model)]
    maxima = activation_maxima(fused_tiny, nodes, _unpadded_feeds())
    assert all(value.shape == (64,) and value.max() > 0 for value in maxima.values())
    smooth_inputs(model, maxima, nodes)
    onnx.save(model, str(tmp_path / "smoothed.onnx"))
    embeds, mask = _batch()
    smoothed = _run(tmp_path / "smoothed.onnx", embeds, mask)
    assert _cosines(smoothed, _run(fused_tiny, embeds, mask)).min() >= 0.99999


@pytest.mark.parametrize(
    ("block", "rewritten"),
    [
        pytest.param(128, 2, id="down-projections-K128-as-8bit-blocks"),
        pytest.param(256, 0, id="K-not-a-multiple-of-the-block-left-fp32"),
    ],
)
def test_8bit_rewrite_keeps_the_vectors(
    fused_tiny: Path, tmp_path: Path, block: int, rewritten: int
) -> None:
    from index.int8_smooth import to_matmul_8bit

    model = onnx.load(str(fused_tiny))
    assert to_matmul_8bit(model, down_projections(model), block) == rewritten
    onnx.save(model, str(tmp_path / "q8.onnx"))
    assert [n.op_type for n in model.graph.node].count("MatMulNBits") == rewritten
    embeds, mask = _batch()
    vectors = _run(tmp_path / "q8.onnx", embeds, mask)
    assert _cosines(vectors, _run(fused_tiny, embeds, mask)).min() >= 0.9999
    # int8 activations per token and block: a text's vector does not depend on its batch
    alone = _run(tmp_path / "q8.onnx", embeds[1:2, :4], mask[1:2, :4])
    assert _cosines(alone, vectors[1:2]).min() >= 0.99999


def test_smooth_int8_build(tiny_bert: Any, fused_tiny: Path, tmp_path: Path) -> None:
    from index.int8_smooth import build_smooth_int8

    target = build_smooth_int8(fused_tiny, tmp_path / "smooth.onnx", _unpadded_feeds())
    nodes = onnx.load(str(target)).graph.node
    ops = [node.op_type for node in nodes]
    # per layer: QAttention, attention output and FFN in int8 after a smoothing Mul each,
    # the FFN down-projection as 8-bit blocks; nothing fp32 among the matrix products
    assert ops.count("QAttention") == 2 and "Attention" not in ops
    assert ops.count("MatMulInteger") == 2 * 2 and ops.count("MatMulNBits") == 2
    assert "MatMul" not in ops
    assert sum(n.op_type == "Mul" and n.name.endswith("_smooth") for n in nodes) == 2 * 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["smooth.onnx"]  # nothing left behind
    embeds, mask = _batch()
    vectors = _run(target, embeds, mask)
    assert _cosines(vectors, _torch_vectors(tiny_bert, embeds, mask)).min() >= 0.99


def _failing_quantiser(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("quantiser failed")


@pytest.mark.parametrize(
    ("feeds", "patch"),
    [
        pytest.param(
            lambda: [{"wrong_input": np.zeros((1, 2, 64), np.float32)}],
            None,
            id="bad-calibration-feed",
        ),
        pytest.param(_unpadded_feeds, _failing_quantiser, id="quantiser-fails-after-smoothing"),
    ],
)
def test_smooth_int8_build_that_fails_leaves_nothing(
    fused_tiny: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    feeds: Any,
    patch: Any,
) -> None:
    """The caller (``OnnxPassages.load``) then keeps its other path; no half-written encoder
    may be found by the next load."""
    from index import int8_smooth

    if patch is not None:
        monkeypatch.setattr(int8_smooth, "quantise_fused", patch)
    with pytest.raises(Exception):  # noqa: B017 - ORT's and the patch's own error types
        int8_smooth.build_smooth_int8(fused_tiny, tmp_path / "smooth.onnx", feeds())
    assert list(tmp_path.iterdir()) == []


def test_the_quantisers_root_logger_warnings_stay_off_stderr(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """ORT's quantiser warns through ``logging.warning``, which prints to stderr when the root
    logger has no handler (a user's first ``add`` from the CLI); inside the builds' quiet
    section it prints nothing and leaves no handler behind."""
    import logging

    from index.onnx_graphs import _quiet_root_logger

    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])  # as in the CLI: no handler configured
    with _quiet_root_logger():
        logging.warning("Please consider to run pre-processing before quantization.")
    assert capsys.readouterr().err == ""
    assert root.handlers == []
