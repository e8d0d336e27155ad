"""e5 passage engines side by side on the passage texts of a real ``add``.

```
python -m bench.passage_engines                    # every 5th distinct text of the 17 files
python -m bench.passage_engines --step 1 --rounds 2 --variants onnx-fused,bf16
```

The texts are those ``bench.throughput``'s files give (an in-process ``add`` whose embedders
only record what they are asked: no model runs).  Each variant's engine is built or loaded
as ``REGWATCH_E5_PASSAGES`` would (``index.onnx_passages``; ``bf16`` through torch,
``index.bf16_passages``, where the CPU has native bf16), then every round embeds the
subset with each engine in turn (one thread, interleaved: a shared machine's load hits all
alike).  Prints CPU and wall seconds per round and the cosine of each vector to
sentence-transformers' fp32 vector.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from unittest import mock

import numpy as np

from bench.throughput import default_files


def passage_texts(files: list[Path]) -> list[str]:
    """The distinct e5 passage texts an ``add`` of ``files`` embeds, in first-seen order."""
    from corpus.workspace import Workspace
    from index.embed import SentenceTransformerEmbedder, UseEmbedder

    seen: list[str] = []

    def record(dim: int, keep: bool) -> Callable[[object, Sequence[str]], np.ndarray]:
        def embed(_self: object, texts: Sequence[str]) -> np.ndarray:
            if keep:
                seen.extend(texts)
            return np.eye(len(texts), dim, dtype=np.float32) + 1e-3  # any unit-ish rows

        return embed

    with (
        mock.patch.object(SentenceTransformerEmbedder, "embed_passages", record(384, True)),
        mock.patch.object(UseEmbedder, "embed_passages", record(512, False)),
        tempfile.TemporaryDirectory() as tmp,
        Workspace(Path(tmp) / "data") as ws,
    ):
        for _ in ws.add(files, jobs=1):
            pass
    return list(dict.fromkeys(seen))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--step", type=int, default=5, help="every STEP-th text")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--variants",
        default="onnx-fp32,onnx-fused,onnx-q4,onnx,onnx-fused-int8,onnx-fused-int8-mixed,"
        "onnx-fused-int8-smooth,bf16",
    )
    args = parser.parse_args()
    os.environ.setdefault("REGWATCH_ONNX_THREADS", "1")
    from index.embed import default_embedder
    from index.onnx_passages import ENGINE_ENV, OnnxPassages

    texts = passage_texts(default_files())[:: args.step]
    e5 = default_embedder()
    folder = Path(e5.name_or_path)
    engines = {}
    for variant in args.variants.split(","):
        os.environ[ENGINE_ENV] = variant
        engine = OnnxPassages.load(folder, e5.passage_prompt, lambda: e5._model)
        if engine is None:
            raise SystemExit(f"{variant}: the engine did not load")
        engines[f"{variant} ({engine.name})"] = engine
    reference = e5._encode(texts, e5.passage_prompt)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in engines}
    vectors = {}
    for _ in range(args.rounds):
        for name, engine in engines.items():
            wall, cpu = time.perf_counter(), time.process_time()
            vectors[name] = engine.embed(texts)
            times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    tokens = sum(
        len(ids)
        for ids in next(iter(engines.values()))._token_ids([e5.passage_prompt + t for t in texts])
    )
    print(f"{len(texts)} texts, {tokens} tokens, load average {os.getloadavg()[0]:.1f}")
    for name, runs in times.items():
        cosine = (vectors[name] * reference).sum(axis=1)
        print(
            f"{name:10s} cpu s {[round(c, 2) for _, c in runs]} wall s "
            f"{[round(w, 2) for w, _ in runs]} cosine to torch fp32 min {cosine.min():.6f} "
            f"mean {cosine.mean():.6f}"
        )


if __name__ == "__main__":
    main()
