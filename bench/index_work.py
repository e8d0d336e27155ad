"""What the search index of an ``add`` embeds: texts and e5 tokens per chunk kind.

```
python -m bench.index_work                 # bench.throughput's 17 files
python -m bench.index_work --files DIR --json
```

One in-process ``Workspace.add`` (jobs 1) whose embedders only record what they are asked
(no model runs; any unit rows go to chroma), so the counts are those a real ``add`` embeds
after the passage-vector cache.  Per chunk kind (article, commentary, list entry, diff
passage; latest version or not): the chunks the index is given, the texts each embedder is
asked for, the distinct ones, their e5 tokens (the ``passage: `` prompt included, as the
engine sees them) and how many texts are short (under ``SHORT_TOKENS``).  Also the texts
that occur under several kinds or versions, and the token-length distribution with what a
cap at each length would cut.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.throughput import add_file_options, chosen_files  # noqa: E402
from models.search import Chunk  # noqa: E402

SHORT_TOKENS = 16
CAPS = (128, 192, 256, 320)


def chunk_kind(chunk: Chunk) -> str:
    """article / commentary / entry / diff, from the chunk's passage type and id."""
    if chunk.passage == "diff":
        return "diff"
    tag = chunk.id.rsplit(":", 2)[-2][:1]
    return {"a": "article", "c": "commentary", "e": "entry", "t": "article"}.get(tag, tag)


def record_add(files: list[Path]) -> tuple[list[Chunk], dict[str, list[str]]]:
    """The chunks given to the index and the texts each embedder was asked for."""
    from corpus.workspace import Workspace
    from index.embed import SentenceTransformerEmbedder, UseEmbedder
    from index.search import SearchIndex

    given: list[Chunk] = []
    asked: dict[str, list[str]] = defaultdict(list)
    original_add = SearchIndex.add

    def add(self: SearchIndex, chunks: Sequence[Chunk], *args: Any, **kwargs: Any) -> Any:
        given.extend(chunks)
        return original_add(self, chunks, *args, **kwargs)

    def recorder(name: str, dim: int) -> Callable[[object, Sequence[str]], np.ndarray]:
        def embed(_self: object, texts: Sequence[str]) -> np.ndarray:
            asked[name].extend(texts)
            return np.eye(len(texts), dim, dtype=np.float32) + 1e-3

        return embed

    with (
        mock.patch.object(SearchIndex, "add", add),
        mock.patch.object(SentenceTransformerEmbedder, "embed_passages", recorder("e5", 384)),
        mock.patch.object(UseEmbedder, "embed_passages", recorder("use", 512)),
        tempfile.TemporaryDirectory() as tmp,
        Workspace(Path(tmp) / "data") as ws,
    ):
        for _ in ws.add(files, jobs=1):
            pass
    return given, dict(asked)


def account(chunks: list[Chunk], asked: dict[str, list[str]]) -> dict[str, Any]:
    from index.e5_model import e5_folder
    from index.embed import model_cache_dir
    from index.onnx_queries import load_tokenizer

    folder = e5_folder(model_cache_dir())
    tokenizer = load_tokenizer(str(folder / "tokenizer.json"))
    prompt = "passage: "
    distinct = list(dict.fromkeys(c.text for c in chunks))
    encoded = tokenizer.encode_batch([prompt + t for t in distinct])
    lengths = {text: len(e.ids) for text, e in zip(distinct, encoded, strict=True)}
    kinds: dict[str, dict[str, int]] = defaultdict(Counter)
    first_kind: dict[str, str] = {}
    for c in chunks:
        kind = chunk_kind(c) + ("" if c.latest else " (older version)")
        row = kinds[kind]
        row["chunks"] += 1
        row["tokens"] += lengths[c.text]
        if c.text not in first_kind:
            first_kind[c.text] = kind
            row["distinct"] += 1
            row["distinct_tokens"] += lengths[c.text]
            row["short"] += lengths[c.text] < SHORT_TOKENS
    by_text: dict[str, set[str]] = defaultdict(set)
    for c in chunks:
        by_text[c.text].add(chunk_kind(c))
    e5_texts = asked.get("e5", [])
    e5_tokens = sorted(lengths.get(t, 0) for t in e5_texts)
    caps = {
        cap: round(1 - sum(min(n, cap) for n in e5_tokens) / max(sum(e5_tokens), 1), 3)
        for cap in CAPS
    }
    return {
        "chunks_given": len(chunks),
        "distinct_texts": len(distinct),
        "texts_under_several_kinds": sum(1 for k in by_text.values() if len(k) > 1),
        "per_kind": {k: dict(v) for k, v in sorted(kinds.items())},
        "asked": {
            name: {
                "texts": len(texts),
                "distinct": len(set(texts)),
                "e5_tokens": sum(lengths.get(t, 0) for t in texts),
                "chars": sum(len(t) for t in texts),
            }
            for name, texts in asked.items()
        },
        "e5_tokens": {
            "mean": round(float(np.mean(e5_tokens)), 1) if e5_tokens else 0,
            "p50": int(np.percentile(e5_tokens, 50)) if e5_tokens else 0,
            "p90": int(np.percentile(e5_tokens, 90)) if e5_tokens else 0,
            "max": max(e5_tokens, default=0),
        },
        "tokens_cut_by_cap": caps,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    add_file_options(parser)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    chunks, asked = record_add(chosen_files(args))
    result = account(chunks, asked)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return
    print(
        f"{result['chunks_given']} chunks given to the index, {result['distinct_texts']} "
        f"distinct texts ({result['texts_under_several_kinds']} under several kinds)"
    )
    print(f"  {'kind':30} chunks distinct  tokens  distinct tokens  short (<{SHORT_TOKENS})")
    for kind, row in result["per_kind"].items():
        print(
            f"  {kind:30} {row.get('chunks', 0):6} {row.get('distinct', 0):8} "
            f"{row.get('tokens', 0):7} {row.get('distinct_tokens', 0):16} {row.get('short', 0):6}"
        )
    for name, row in result["asked"].items():
        print(f"  embedded by {name}: {row}")
    print(f"  e5 tokens per embedded text: {result['e5_tokens']}")
    print(f"  share of e5 tokens a cap would cut: {result['tokens_cut_by_cap']}")


if __name__ == "__main__":
    main()
