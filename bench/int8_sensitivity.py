"""Which of e5's fused-graph nodes hurt the passage vectors most when made int8.

```
python -m bench.int8_sensitivity                     # every 20th passage text of the 17 files
python -m bench.int8_sensitivity --step 10 --keep 0,2,4,6,8,12 --options
python -m bench.int8_sensitivity --skip-scan --keep-nodes NAME,NAME   # one chosen set only
```

Starts from the fused fp32 graph (``onnx-fused``, built first if missing) and the passage
texts of a real ``add`` (``bench.passage_engines.passage_texts``).  Three measurements, each
against the fused fp32 vectors of the same texts (one thread, this process):

- scan: every quantisable node (each layer's ``Attention`` and its three MatMuls) made int8
  *alone*, the rest fp32: mean cosine deficit (1 - cosine) and minimum cosine.  The nodes
  are then ranked by mean deficit.
- keep: every node int8 except the ``k`` worst of the scan, for each ``--keep`` k: minimum
  and mean cosine and CPU seconds of the embedding, next to fp32's CPU seconds.
- options (``--options``): every node int8 under each of the quantiser's ``extra_options``
  that change the arithmetic (symmetric activations, reduced range, ...).
- smooth (``--alphas``): the ``onnx-fused-int8-smooth`` build (``index.int8_smooth``: the
  down-projections as 8-bit blocks, every other node smoothed with each ALPHA, calibrated on
  its built-in texts).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import numpy as np

#: ``extra_options`` of ``onnxruntime.quantization.quantize_dynamic`` worth a look.
OPTIONS: dict[str, dict[str, Any]] = {
    "activation-symmetric": {"ActivationSymmetric": True},
    "weight-asymmetric": {"WeightSymmetric": False},
    "matmul-const-b-only": {"MatMulConstBOnly": True},
}


def engine_for(path: Path, folder: Path, prompt: str) -> Any:
    """A passage engine over the ONNX file ``path`` (the tokenizer and word table of
    ``folder``), without the probe check: this bench measures what the probe would."""
    from index.onnx_passages import OnnxPassages, _session
    from index.onnx_queries import _safetensors_array, load_tokenizer

    tokenizer = load_tokenizer(str(folder / "tokenizer.json"))

    def token_ids(texts: list[str]) -> list[list[int]]:
        return [e.ids for e in tokenizer.encode_batch(texts)]

    words = _safetensors_array(folder / "model.safetensors", "word_embeddings.weight")
    return OnnxPassages(_session(path), token_ids, words, prompt, path.stem)


def measure(
    path: Path, folder: Path, prompt: str, texts: list[str], reference: np.ndarray
) -> dict[str, float]:
    """Minimum and mean cosine of ``path``'s vectors to ``reference``, and CPU seconds."""
    engine = engine_for(path, folder, prompt)
    cpu = time.process_time()
    vectors = engine.embed(texts)
    cpu = time.process_time() - cpu
    cosine = (vectors * reference).sum(axis=1)
    return {
        "min": float(cosine.min()),
        "mean": float(cosine.mean()),
        "deficit": float((1 - cosine).mean()),
        "cpu_s": round(cpu, 2),
    }


def quantised(
    fused: Path,
    tmp: Path,
    keep_fp32: Collection[str],
    options: Mapping[str, Any] | None = None,
) -> Path:
    from index.onnx_graphs import quantise_fused

    return quantise_fused(fused, tmp / "int8.onnx", keep_fp32=keep_fp32, options=options)


def smooth_rows(
    fused: Path,
    tmp: Path,
    folder: Path,
    prompt: str,
    texts: list[str],
    reference: np.ndarray,
    alphas: str,
) -> dict[str, dict[str, float]]:
    """The smoothed int8 build at each ALPHA of ``alphas`` (comma-separated), measured."""
    from index.int8_smooth import build_smooth_int8, calibration_feeds

    engine = engine_for(fused, folder, prompt)
    feeds = calibration_feeds(engine._token_ids, engine._words, prompt)
    rows = {}
    for alpha in map(float, alphas.split(",")):
        path = build_smooth_int8(fused, tmp / "smooth.onnx", feeds, alpha)
        row = measure(path, folder, prompt, texts, reference)
        row["fp32_cpu_s"] = measure(fused, folder, prompt, texts, reference)["cpu_s"]
        rows[str(alpha)] = row
        print(
            f"smooth alpha {alpha:<4} min {row['min']:.6f} mean {row['mean']:.6f} cpu s "
            f"{row['cpu_s']} (fp32 {row['fp32_cpu_s']})",
            flush=True,
        )
    return rows


def texts_of(step: int, cache: Path | None) -> list[str]:
    """Every ``step``-th passage text of ``bench.throughput``'s files (``cache``: a JSON file
    that keeps them for the next run; the in-process add that lists them takes a minute)."""
    if cache is not None and cache.exists():
        return json.loads(cache.read_text(encoding="utf-8"))[::step]
    from bench.passage_engines import passage_texts
    from bench.throughput import default_files

    texts = passage_texts(default_files())
    if cache is not None:
        cache.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    return texts[::step]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--step", type=int, default=20, help="every STEP-th text")
    parser.add_argument("--keep", default="0,2,4,6,8,12", help="k worst nodes kept fp32")
    parser.add_argument("--keep-nodes", default="", help="measure only this fp32 set")
    parser.add_argument("--skip-scan", action="store_true", help="no single-node scan")
    parser.add_argument("--options", action="store_true", help="also the quantiser options")
    parser.add_argument("--alphas", default="", help="smoothed builds, e.g. 0.5,0.7,0.9")
    parser.add_argument("--texts-cache", type=Path, default=None, help="JSON file of texts")
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    args = parser.parse_args()
    os.environ.setdefault("REGWATCH_ONNX_THREADS", "1")
    import onnx

    from index.embed import default_embedder
    from index.onnx_graphs import quantisable
    from index.onnx_passages import ENGINE_ENV, FUSED_FILE, OnnxPassages

    texts = texts_of(args.step, args.texts_cache)
    e5 = default_embedder()
    folder = Path(e5.name_or_path)
    os.environ[ENGINE_ENV] = "onnx-fused"  # builds the fused graph where it is missing
    if OnnxPassages.load(folder, e5.passage_prompt, lambda: e5._model) is None:
        raise SystemExit("the fused fp32 engine did not load")
    fused = folder / FUSED_FILE
    nodes = quantisable(onnx.load(str(fused), load_external_data=False))
    reference = engine_for(fused, folder, e5.passage_prompt).embed(texts)
    fp32 = measure(fused, folder, e5.passage_prompt, texts, reference)
    print(f"{len(texts)} texts, {len(nodes)} quantisable nodes, fp32 {fp32['cpu_s']} CPU s")
    result: dict[str, Any] = {"texts": len(texts), "fp32_cpu_s": fp32["cpu_s"]}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if not args.skip_scan:
            scan = {}
            for node in nodes:
                path = quantised(fused, tmp, [n for n in nodes if n != node])
                scan[node] = measure(path, folder, e5.passage_prompt, texts, reference)
                print(
                    f"alone int8 {node:55s} deficit {scan[node]['deficit']:.2e} "
                    f"min {scan[node]['min']:.6f}",
                    flush=True,
                )
            result["scan"] = scan
            ranked = sorted(nodes, key=lambda n: -scan[n]["deficit"])
            result["ranked"] = ranked
            sets = {f"worst {k} fp32": ranked[:k] for k in map(int, args.keep.split(","))}
        else:
            sets = {}
        if args.keep_nodes:
            sets["chosen fp32"] = args.keep_nodes.split(",")
        result["keep"] = {}
        for label, keep in sets.items():
            row = measure(quantised(fused, tmp, keep), folder, e5.passage_prompt, texts, reference)
            row["fp32_cpu_s"] = measure(fused, folder, e5.passage_prompt, texts, reference)["cpu_s"]
            result["keep"][label] = {**row, "nodes": keep}
            print(
                f"{label:20s} min {row['min']:.6f} mean {row['mean']:.6f} cpu s "
                f"{row['cpu_s']} (fp32 {row['fp32_cpu_s']}) {keep}",
                flush=True,
            )
        if args.options:
            result["options"] = {}
            for label, options in OPTIONS.items():
                path = quantised(fused, tmp, [], options)
                row = measure(path, folder, e5.passage_prompt, texts, reference)
                result["options"][label] = row
                print(
                    f"all int8 {label:22s} min {row['min']:.6f} mean {row['mean']:.6f} "
                    f"cpu s {row['cpu_s']}",
                    flush=True,
                )
        if args.alphas:
            result["smooth"] = smooth_rows(
                fused, tmp, folder, e5.passage_prompt, texts, reference, args.alphas
            )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
