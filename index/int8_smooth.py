"""An int8 passage encoder whose activation outliers do not set its int8 steps
(``REGWATCH_E5_PASSAGES=onnx-fused-int8-smooth``).

ORT's dynamic quantiser (``index.onnx_graphs.quantise_fused``) gives each activation tensor
one int8 step for the whole batch, sized by its largest value.  BERT's activations have a
few channels far larger than the rest, so every other channel gets a handful of levels:
``bench/int8_sensitivity.py`` finds three FFN down-projections (input: the GELU output) give
half the all-int8 graph's cosine deficit, and every other node a little.  Two remedies, one
per kind of input, both without a per-model list of nodes:

- the FFN down-projections become ``MatMulNBits`` with 8-bit weights (symmetric, blocks of
  ``BLOCK8`` along the input) and ``accuracy_level`` 4: ORT quantises their activations per
  token and block, so an outlier channel only coarsens its own block of its own token;
- every other int8 node (``QAttention``'s QKV projection, the attention output, the FFN
  up-projection) is *smoothed* first (SmoothQuant): input channel j is divided by
  ``s_j = max|x_j| ** ALPHA / max|W_j| ** (1 - ALPHA)`` (a ``Mul`` before the node) and weight
  row j multiplied by it, the same product in exact arithmetic, with the outliers' range
  moved into the weights, which are quantised per output channel.  ``max|x_j|`` is measured
  at build time on ``CALIBRATION_TEXTS`` (one fp32 run of the fused graph, a text at a time).

e5-small, 92 dev passages not used to choose any of this, against fused fp32 (cosine min /
mean): all int8 0.9947 / 0.9970; this 0.99967 / 0.99978 at about the all-int8 CPU
(bench/README.md "int8_sensitivity.py").  ALPHA 0.7 was the best of 0.3-1.0 there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.onnx_graphs import (
    _tmp_beside,
    down_projections,
    nbits_node,
    quantisable,
    quantise_fused,
    replace_nodes,
    save_atomically,
)

ALPHA = 0.7  # share of an input channel's range moved into the weights
BLOCK8 = 128  # inputs per 8-bit weight block (and per int8 activation block) of MatMulNBits
BLOCK_INT8 = 4  # MatMulNBits accuracy_level: int8 activations per token and block
#: Short texts of the kinds regwatch embeds (ja, zh, en; articles, list items, notices,
#: supplementary provisions, table rows).  BERT's outlier channels are the model's, not the
#: text's: a dozen of these give the same vectors as 23 dev passages (bench/README.md).
CALIBRATION_TEXTS = (
    "第五条 出口経営者は、輸出管理の対象となる貨物の価値比率が0.1%以上の場合、"
    "許可を申請しなければならない。",
    "第十二条 国务院商务主管部门会同有关部门制定出口管制清单，并及时予以调整、公布。",
    "Article 3 An exporter shall apply for a licence before exporting any item on the control "
    "list to an end user in a third country.",
    "附則 この政令は、令和五年七月二十三日から施行する。",
    "（一）可用于设计、开发、生产或者使用大规模杀伤性武器及其运载工具；",
    "商务部 海关总署公告2023年第23号 关于对镓、锗相关物项实施出口管制的公告",
    "3A001 Electronic items: integrated circuits with a total ionizing dose of 5 × 10^5 Rads "
    "(Si) or higher.",
    "経済産業大臣は、前項の規定による届出があったときは、遅滞なく、その旨を公示するものとする。",
    "违反本法规定，出口经营者未取得许可擅自出口管制物项的，给予警告，责令停止违法行为，"
    "没收违法所得。",
    "Table 1: export value (USD million) 2019 12.4 2020 15.8 2021 19.2",
    "第二条　この省令において「技術」とは、貨物の設計、製造又は使用に必要な特定の情報をいう。",
    "本办法自发布之日起施行。",
)

_log = logging.getLogger(__name__)
Feeds = dict[str, np.ndarray]


def build_smooth_int8(
    fused: Path, target: Path, feeds: Sequence[Feeds], alpha: float = ALPHA
) -> Path:
    """Write the fused fp32 graph ``fused`` as the smoothed int8 encoder to ``target``
    (atomically); ``feeds`` are the calibration inputs (one unpadded text each)."""
    import onnx

    model = onnx.load(str(fused))
    downs = down_projections(model)
    smoothed = [name for name in quantisable(model) if name not in downs]
    smooth_inputs(model, activation_maxima(fused, smoothed, feeds), smoothed, alpha)
    stage = _tmp_beside(target).with_suffix(".smoothed")
    try:
        onnx.save(model, str(stage))
        quantise_fused(stage, stage, keep_fp32=downs)
        quantised = onnx.load(str(stage))
        rewritten = to_matmul_8bit(quantised, downs)
        _log.info("int8 smooth: %d nodes smoothed, %d as 8-bit blocks", len(smoothed), rewritten)
        save_atomically(quantised, target)
    finally:
        stage.unlink(missing_ok=True)
    return target


def activation_maxima(
    fused: Path, nodes: Collection[str], feeds: Sequence[Feeds]
) -> dict[str, np.ndarray]:
    """Largest magnitude of each input channel of each node in ``nodes`` over ``feeds``,
    keyed by the input tensor's name (the fused graph run once a feed, its inputs exposed)."""
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper

    model = onnx.load(str(fused))
    wanted = list(dict.fromkeys(n.input[0] for n in model.graph.node if n.name in nodes))
    model.graph.output.extend(
        helper.make_tensor_value_info(name, TensorProto.FLOAT, None) for name in wanted
    )
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [out.name for out in session.get_outputs()]
    maxima = {name: np.zeros(0, np.float32) for name in wanted}
    for feed in feeds:
        for name, value in zip(names, session.run(None, feed), strict=True):
            if name in maxima:
                peak = np.abs(value).reshape(-1, value.shape[-1]).max(axis=0)
                maxima[name] = peak if not maxima[name].size else np.maximum(maxima[name], peak)
    return maxima


def smoothing_scales(act_max: np.ndarray, weight: np.ndarray, alpha: float = ALPHA) -> np.ndarray:
    """SmoothQuant's per-input-channel divisor of [K] activations for a [K, N] ``weight``; 1
    where a channel never fired or its weights are all zero (nothing to balance)."""
    w_max = np.abs(weight).max(axis=1)
    live = (act_max > 0) & (w_max > 0)
    scales = np.ones_like(w_max, dtype=np.float32)
    scales[live] = act_max[live] ** alpha / w_max[live] ** (1 - alpha)
    return scales


def smooth_inputs(
    model: Any, maxima: dict[str, np.ndarray], nodes: Collection[str], alpha: float = ALPHA
) -> None:
    """Rewrite ``model`` in place: each node in ``nodes`` reads its input divided per channel
    by ``smoothing_scales`` (a new ``Mul``) through weights multiplied by them (the same
    product; a weight shared by several nodes is copied, not changed under the others)."""
    from onnx import helper, numpy_helper

    graph = model.graph
    weights = {init.name: init for init in graph.initializer}
    rebuilt = []
    for node in graph.node:
        if node.name in nodes:
            weight = numpy_helper.to_array(weights[node.input[1]])
            scales = smoothing_scales(maxima[node.input[0]], weight, alpha)
            names = (f"{node.name}_smooth_w", f"{node.name}_smooth_inv", f"{node.name}_smooth")
            smoothed = (weight * scales[:, None]).astype(np.float32)
            inverse = (1 / scales).astype(np.float32)
            graph.initializer.extend(
                [
                    numpy_helper.from_array(smoothed, names[0]),
                    numpy_helper.from_array(inverse, names[1]),
                ]
            )
            rebuilt.append(helper.make_node("Mul", [node.input[0], names[1]], [names[2]], names[2]))
            node.input[0], node.input[1] = names[2], names[0]
        rebuilt.append(node)
    replace_nodes(model, rebuilt)


def to_matmul_8bit(model: Any, nodes: Collection[str], block: int = BLOCK8) -> int:
    """Rewrite ``model`` in place: each MatMul in ``nodes`` whose constant [K, N] weight has K
    a multiple of ``block`` becomes ``MatMulNBits`` (8-bit symmetric weights per block, int8
    activations per token and block); returns how many did."""
    from onnx import numpy_helper

    graph = model.graph
    weights = {init.name: init for init in graph.initializer}
    rebuilt, rewritten = [], 0
    for node in graph.node:
        weight = weights.get(node.input[1]) if node.name in nodes else None
        if node.op_type != "MatMul" or weight is None or weight.dims[0] % block:
            rebuilt.append(node)
            continue
        k, n = (int(d) for d in weight.dims)
        quants, scales = _pack_8bit(numpy_helper.to_array(weight), block)
        names = (f"{node.name}_q8", f"{node.name}_q8_scales")
        graph.initializer.extend(
            [numpy_helper.from_array(quants, names[0]), numpy_helper.from_array(scales, names[1])]
        )
        rebuilt.append(nbits_node(node, names, (k, n), 8, block, BLOCK_INT8))
        rewritten += 1
    replace_nodes(model, rebuilt)
    return rewritten


def _pack_8bit(weight: np.ndarray, block: int) -> tuple[np.ndarray, np.ndarray]:
    """[K, N] fp32 -> (uint8 [N, K/block, block], fp32 scales [N * K/block]): symmetric,
    the block's largest magnitude at +-127, stored offset by MatMulNBits' default zero 128."""
    k, n = weight.shape
    blocks = np.ascontiguousarray(weight.T, dtype=np.float32).reshape(n, k // block, block)
    scales = np.abs(blocks).max(axis=2) / 127.0
    divisor = np.where(scales == 0, np.float32(1), scales)[..., None]
    quants = (np.clip(np.rint(blocks / divisor), -127, 127) + 128).astype(np.uint8)
    return quants, scales.astype(np.float32).reshape(-1)


def calibration_feeds(
    token_ids: Callable[[list[str]], list[list[int]]], words: np.ndarray, prompt: str
) -> list[Feeds]:
    """One unpadded feed a ``CALIBRATION_TEXTS`` text (padding would add values no text has)."""
    feeds = []
    for ids in token_ids([prompt + text for text in CALIBRATION_TEXTS]):
        feeds.append(
            {
                "inputs_embeds": np.asarray(words[np.asarray([ids])], dtype=np.float32),
                "attention_mask": np.ones((1, len(ids)), np.int64),
            }
        )
    return feeds
