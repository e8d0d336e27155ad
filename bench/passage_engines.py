"""e5 passage engines side by side on the passage texts of a real ``add``.

```
python -m bench.passage_engines                    # every 5th distinct text of the 17 files
python -m bench.passage_engines --step 1 --rounds 2 --variants onnx-fused,bf16
python -m bench.passage_engines --step 1 --variants onnx-fused-int8-smooth --graph-revision-1
```

The texts are those ``bench.throughput``'s files give (an in-process ``add`` whose embedders
only record what they are asked: no model runs).  Each variant's engine is built or loaded
as ``REGWATCH_E5_PASSAGES`` would (``index.onnx_passages``; ``bf16`` through torch,
``index.bf16_passages``, where the CPU has native bf16), then every round embeds the
subset with each engine in turn (one thread, interleaved: a shared machine's load hits all
alike).  Prints CPU and wall seconds per round and the cosine of each vector to
sentence-transformers' fp32 vector.  ``--graph-revision-1`` also builds each ONNX variant as
graph revision 1 made it (``index.onnx_passages.GRAPH_REVISION``: residual + LayerNorm fused
into ``SkipLayerNormalization``) in a scratch copy of the model folder, and times it beside.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
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


@contextlib.contextmanager
def graph_revision_1(folder: Path) -> Iterator[Path]:
    """A scratch model folder (links to ``folder``'s files, no built encoders) in which
    engines load as graph revision 1 built and ran them: SkipLayerNormalization fused by
    ``fuse_bert`` and by ORT at load."""
    from index import onnx_graphs, onnx_passages

    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / folder.name
        scratch.mkdir()
        for path in folder.iterdir():
            if path.is_file() and not path.name.startswith("passage-encoder"):
                (scratch / path.name).symlink_to(path)
        with (
            mock.patch.object(onnx_graphs, "SKIP_LAYER_NORM", True),
            mock.patch.object(onnx_passages, "SESSION_DISABLED_FUSIONS", ()),
        ):
            yield scratch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--step", type=int, default=5, help="every STEP-th text")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--variants",
        default="onnx-fp32,onnx-fused,onnx-q4,onnx,onnx-fused-int8,onnx-fused-int8-mixed,"
        "onnx-fused-int8-smooth,bf16",
    )
    parser.add_argument(
        "--graph-revision-1",
        action="store_true",
        help="also each ONNX variant as graph revision 1 built it (SkipLayerNormalization)",
    )
    args = parser.parse_args()
    os.environ.setdefault("REGWATCH_ONNX_THREADS", "1")
    from index.embed import default_embedder
    from index.onnx_passages import ENGINE_ENV, VARIANTS, OnnxPassages

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
        if args.graph_revision_1 and variant in VARIANTS:
            with graph_revision_1(folder) as scratch:
                old = OnnxPassages.load(scratch, e5.passage_prompt, lambda: e5._model)
            if old is None:
                raise SystemExit(f"{variant} at graph revision 1: the engine did not load")
            engines[f"{variant} ({old.name}, graph revision 1)"] = old
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
