"""e5 passages with bf16 matrix arithmetic (index.bf16_passages): which CPUs get it, the
fallback elsewhere, and the vectors against torch fp32 (slow: the real e5 model)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import index.bf16_passages as bf16
from index import onnx_passages
from index.embed import Embedder, get_embedder
from index.onnx_passages import OnnxPassages, chosen_variant
from tests.test_onnx_passages import _passages

# /proc/cpuinfo "flags" lines of real CPUs (shortened to the relevant flags and neighbours).
ZEN4 = "fpu vme sse4_2 avx2 fma avx512f avx512dq avx512bw avx512vl avx512_bf16 avx512_vnni"
SAPPHIRE_RAPIDS = "avx2 avx512f avx512_bf16 avx512_fp16 amx_bf16 amx_tile amx_int8"
SKYLAKE_SP = "sse4_2 avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl"
ZEN3 = "sse4_2 avx2 fma bmi2 sha_ni vaes vpclmulqdq"


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        pytest.param(ZEN4, "avx512_bf16", id="amd-zen4-avx512-bf16"),
        pytest.param(SAPPHIRE_RAPIDS, "amx_bf16", id="intel-spr-amx-preferred"),
        pytest.param(SKYLAKE_SP, None, id="intel-skylake-avx512-without-bf16"),
        pytest.param(ZEN3, None, id="amd-zen3-avx2-only"),
        pytest.param("fpu avx512_bf16x avx512_bf", None, id="flag-prefixes-are-not-flags"),
    ],
)
def test_bf16_cpu_flag_from_cpuinfo(flags: str, expected: str | None, tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(
        f"processor\t: 0\nmodel name\t: some cpu\nflags\t\t: {flags}\nbugs\t\t: avx512_bf16\n",
        encoding="utf-8",
    )
    assert bf16.bf16_cpu_flag(cpuinfo) == expected


def test_bf16_cpu_flag_without_cpuinfo(tmp_path: Path) -> None:
    assert bf16.bf16_cpu_flag(tmp_path / "absent") is None


@pytest.fixture
def fresh_detection() -> Iterator[None]:
    onnx_passages._bf16_runs_here.cache_clear()
    yield
    onnx_passages._bf16_runs_here.cache_clear()


@pytest.mark.parametrize(
    ("asked", "flag", "expected"),
    [
        pytest.param("bf16", "avx512_bf16", "bf16", id="bf16-cpu-runs-bf16"),
        pytest.param("bf16", None, "onnx-fused", id="no-bf16-cpu-falls-back-to-fp32"),
        pytest.param("onnx-fused-int8", None, "onnx-fused-int8", id="other-variants-unchanged"),
    ],
)
def test_chosen_variant_follows_the_cpu(
    asked: str,
    flag: str | None,
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
    fresh_detection: None,
) -> None:
    monkeypatch.setenv("REGWATCH_E5_PASSAGES", asked)
    monkeypatch.setattr(bf16, "bf16_cpu_flag", lambda: flag)
    assert chosen_variant() == expected


@pytest.fixture(scope="module")
def e5() -> Embedder:
    return get_embedder("e5")


@pytest.mark.slow
def test_bf16_passages_match_torch_fp32(e5: Embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    if bf16.bf16_cpu_flag() is None:
        pytest.skip("this CPU has no native bf16 (the fallback is tested below)")
    monkeypatch.setenv("REGWATCH_E5_PASSAGES", "bf16")
    folder = Path(e5.name_or_path)  # type: ignore[attr-defined]
    engine = OnnxPassages.load(folder, e5.passage_prompt, lambda: e5._model)  # type: ignore[attr-defined]
    assert engine is not None
    assert engine.name == f"torch-bf16-{bf16.bf16_cpu_flag()}-batched"
    texts = _passages()
    fp32 = e5._encode(texts, e5.passage_prompt)  # type: ignore[attr-defined]
    fast = engine.embed(texts)
    assert fast.shape == fp32.shape
    # Measured on 200 passages of bench.throughput's files: min cosine 0.99999.
    assert (fast * fp32).sum(axis=1).min() >= 0.9999
    # Padding keys are masked: a passage's vector does not depend on its batch company.
    alone = np.stack([engine.embed([t])[0] for t in texts[:5]])
    assert (alone * fast[:5]).sum(axis=1).min() >= 0.9999
    assert (folder / bf16.PROBE_FILE).exists()


@pytest.mark.slow
def test_bf16_falls_back_to_fp32_onnx_without_bf16_cpu(
    e5: Embedder, monkeypatch: pytest.MonkeyPatch, fresh_detection: None
) -> None:
    pytest.importorskip("onnxruntime")
    monkeypatch.setenv("REGWATCH_E5_PASSAGES", "bf16")
    monkeypatch.setattr(bf16, "bf16_cpu_flag", lambda: None)
    folder = Path(e5.name_or_path)  # type: ignore[attr-defined]
    engine = OnnxPassages.load(folder, e5.passage_prompt, lambda: e5._model)  # type: ignore[attr-defined]
    assert engine is not None
    assert engine.name == "onnxruntime-fused-batched"
