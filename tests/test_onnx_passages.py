"""Passages through ONNX Runtime (index.onnx_passages): length batches, and the vectors the
fp32 torch model gives (slow: the real e5 model)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index.embed import Embedder, get_embedder
from index.heap import _malloc_trim, release_freed_heap
from index.onnx_passages import (
    MAX_BATCH,
    VARIANTS,
    OnnxPassages,
    _drop_mapped_pages,
    length_batches,
)

DEV = Path(__file__).parent / "data" / "dev"


@pytest.mark.parametrize(
    ("lengths", "budget"),
    [
        pytest.param([5, 300, 7, 512, 6, 40], 1024, id="mixed"),
        pytest.param([600, 600], 512, id="longer-than-budget-goes-alone"),
        pytest.param([3] * 200, 4096, id="many-short-capped-at-max-batch"),
        pytest.param([], 4096, id="empty"),
    ],
)
def test_length_batches_cover_every_text_once_within_budget(
    lengths: list[int], budget: int
) -> None:
    batches = length_batches(lengths, budget)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for batch in batches:
        widest = max(lengths[i] for i in batch)
        assert len(batch) == 1 or len(batch) * widest <= budget
        assert len(batch) <= MAX_BATCH
    # shortest first: padding stays small
    flat = [lengths[i] for b in batches for i in b]
    assert flat == sorted(flat)


def _passages() -> list[str]:
    """Article texts of the dev truth (ja/zh, short to long, some over 512 tokens)."""
    texts: list[str] = []
    for path in sorted((DEV / "truth").glob("*.json")):
        truth = json.loads(path.read_text(encoding="utf-8"))
        for article in truth.get("articles", []):
            text = article.get("text") or ""
            if text:
                texts.append(text)
    texts.append("閾値" * 700)  # truncated at 512 tokens, as sentence-transformers does
    return texts


@pytest.fixture(scope="module")
def e5() -> Embedder:
    return get_embedder("e5")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("variant", "floor", "alone_floor"),
    # int8 quantises activations with one scale per batch: a passage's vector moves a little
    # with its batch company (measured: cosine 0.9987 alone vs batched); fp32 does not, nor
    # q4 (its int8 activations have a scale per token and 32-block).
    [
        ("onnx-fp32", 0.9999, 0.99999),
        ("onnx-fused", 0.9999, 0.99999),
        ("onnx-q4", 0.9999, 0.99999),
        ("onnx", 0.995, 0.995),
        ("onnx-fused-int8", 0.99, 0.99),
        ("onnx-fused-int8-mixed", 0.995, 0.995),
        ("onnx-fused-int8-smooth", 0.999, 0.999),
    ],
)
def test_onnx_passages_match_torch_fp32(
    e5: Embedder, variant: str, floor: float, alone_floor: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("onnxruntime")
    monkeypatch.setenv("REGWATCH_E5_PASSAGES", variant)
    folder = Path(e5.name_or_path)  # type: ignore[attr-defined]
    engine = OnnxPassages.load(folder, e5.passage_prompt, lambda: e5._model)  # type: ignore[attr-defined]
    assert engine is not None, f"the {variant} passage engine did not load"
    texts = _passages()
    assert len(texts) > 20
    fp32 = e5._encode(texts, e5.passage_prompt)  # type: ignore[attr-defined]
    fast = engine.embed(texts)
    assert fast.shape == fp32.shape
    assert (fast * fp32).sum(axis=1).min() >= floor
    # Padding is masked out: a passage's vector barely depends on the batch it was put in.
    alone = np.stack([engine.embed([t])[0] for t in texts[:5]])
    assert (alone * fast[:5]).sum(axis=1).min() >= alone_floor
    assert (folder / VARIANTS[variant][0]).exists()


@pytest.mark.slow
def test_default_e5_embeds_passages_through_onnx_runtime(e5: Embedder) -> None:
    pytest.importorskip("onnxruntime")
    e5.embed_passages(["第一条 目的"])
    # the smoothed int8 graph (bench/README: same R@5, ~1.85x less e5 CPU); bf16 is opt-in
    # because torch in the writer costs ~400 MB of the 2 GB an add of 1,000 PDFs may take
    assert e5.config()["passage_engine"] == "onnxruntime-fused-int8-smooth-batched"


def test_repeated_passages_are_embedded_once() -> None:
    from index.embed import once_each

    seen: list[list[str]] = []

    def embed(texts: list[str]) -> np.ndarray:
        seen.append(list(texts))
        return np.array([[len(t), ord(t[0])] for t in texts], dtype=np.float32)

    texts = ["第一条 目的", "第二条 定義", "第一条 目的", "附則"]
    vectors = once_each(texts, embed)
    assert seen == [["第一条 目的", "第二条 定義", "附則"]]
    assert vectors.tolist() == embed(texts).tolist()


def _resident_kb(path: Path) -> int:
    """Resident KiB of this process's mappings of ``path`` (/proc/self/smaps)."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        if "-" in line.split(" ", 1)[0]:  # a mapping's header line
            inside = line.rstrip().endswith(str(path))
        elif inside and line.startswith("Rss:"):
            total += int(line.split()[1])
    return total


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="needs Linux /proc")
def test_looked_up_rows_leave_the_resident_set(tmp_path: Path) -> None:
    """The memory-mapped word table must not stay resident row by row over a long add."""
    table = tmp_path / "words.f32"
    np.arange(8 * 1024 * 1024, dtype=np.float32).tofile(table)  # 32 MiB
    words = np.memmap(table, np.float32, "r", shape=(8 * 1024 * 1024 // 384, 384))
    rows = words[np.arange(0, words.shape[0], 3)]  # a lookup touching every page
    assert _resident_kb(table) > 16 * 1024
    _drop_mapped_pages(words)
    assert _resident_kb(table) < 1024
    np.testing.assert_array_equal(words[np.arange(0, words.shape[0], 3)], rows)


def _heap_rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1])
    return 0


@pytest.mark.skipif(
    not Path("/proc/self/status").exists() or _malloc_trim() is None,
    reason="needs Linux /proc and glibc",
)
def test_freed_heap_holes_leave_the_resident_set() -> None:
    """Blocks freed between live ones (ORT's per-batch tensors) stay resident as holes in the
    heap until ``release_freed_heap``: an add would carry its largest batch's leftovers."""
    blocks = [bytearray(64 * 1024) for _ in range(2400)]  # ~150 MiB, under the mmap threshold
    for block in blocks:
        block[::4096] = b"\x01" * len(block[::4096])  # touched: resident
    kept = blocks[1::2]
    del blocks  # every other block freed: holes between the kept ones
    before = _heap_rss_kb()
    release_freed_heap()
    assert before - _heap_rss_kb() > 40 * 1024
    assert all(block[0] == 1 for block in kept)


@pytest.mark.slow
def test_building_one_variant_keeps_the_others(
    e5: Embedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Variants share the export (and q4 the fused graph): building one must not delete a
    file another was built from (the int8 build used to remove the fp32 engine's file)."""
    pytest.importorskip("onnxruntime")
    source = Path(e5.name_or_path)  # type: ignore[attr-defined]
    folder = tmp_path / source.name
    folder.mkdir()
    for path in source.iterdir():  # the model without any passage encoder built yet
        if path.is_file() and not path.name.startswith("passage-encoder"):
            (folder / path.name).symlink_to(path)
    for variant in VARIANTS:
        monkeypatch.setenv("REGWATCH_E5_PASSAGES", variant)
        assert OnnxPassages.load(folder, e5.passage_prompt, lambda: e5._model) is not None  # type: ignore[attr-defined]
    for variant, (name, _) in VARIANTS.items():
        monkeypatch.setenv("REGWATCH_E5_PASSAGES", variant)
        assert OnnxPassages._from_files(folder, e5.passage_prompt, variant) is not None, name


def test_an_int8_engine_that_cannot_be_built_falls_back_to_fused_fp32(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The default int8 engine failing to build (an onnxruntime without 8-bit MatMulNBits)
    gives the fused fp32 ONNX graph, not the torch path."""
    from index import onnx_passages
    from index.onnx_passages import DEFAULT_VARIANT, FALLBACK_VARIANT, OnnxPassages

    asked: list[str] = []
    fp32 = object()

    def cached_or_built(_folder: Path, _prompt: str, _model: object, variant: str) -> object:
        asked.append(variant)
        return fp32 if variant == FALLBACK_VARIANT else None

    monkeypatch.delenv(onnx_passages.ENGINE_ENV, raising=False)
    monkeypatch.setattr(OnnxPassages, "_cached_or_built", staticmethod(cached_or_built))
    assert OnnxPassages.load(tmp_path, "passage: ", lambda: None) is fp32
    assert asked == [DEFAULT_VARIANT, FALLBACK_VARIANT]


@pytest.mark.parametrize(
    ("recorded", "rebuilt"),
    [
        pytest.param({}, True, id="before-revisions-were-recorded"),
        pytest.param({"graph": 1}, True, id="revision-1-skip-layer-norm-fused"),
        pytest.param({"graph": 2}, False, id="current-revision"),
    ],
)
def test_built_files_of_another_graph_revision_are_rebuilt(
    tmp_path: Path, recorded: dict[str, int], rebuilt: bool
) -> None:
    """A passage encoder built by an older regwatch (SkipLayerNormalization fused, ~13 %
    slower) is not loaded from its files: ``_from_files`` gives None, so it is rebuilt."""
    from index.onnx_passages import GRAPH_REVISION, VARIANTS, OnnxPassages, _probe_path

    assert GRAPH_REVISION == 2
    variant = "onnx-fused-int8-smooth"
    encoder = tmp_path / VARIANTS[variant][0]
    encoder.write_bytes(b"not a graph")
    (tmp_path / "tokenizer.json").write_text("{}")
    probe = {"prompt": "passage: ", "text": "t", "expected": [1.0], **recorded}
    _probe_path(encoder).write_text(json.dumps(probe))
    if rebuilt:
        assert OnnxPassages._from_files(tmp_path, "passage: ", variant) is None
    else:  # the current revision goes on to load the files (these are not real ones)
        with pytest.raises(Exception):  # noqa: B017 - any load error: rebuilt too
            OnnxPassages._from_files(tmp_path, "passage: ", variant)
