"""The ONNX query engine declines cleanly (None: the caller keeps its slower path) and never
leaves a half-written encoder file; the real model's numbers are in test_index_embed.py."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.onnx_queries import (
    ONNX_FILE,
    VARIANTS,
    OnnxQueries,
    _mean_pooling_only,
    export_encoder,
)

torch = pytest.importorskip("torch")


class Transformer(torch.nn.Module):  # named as sentence-transformers' module is
    def __init__(self, fail: bool = False) -> None:
        super().__init__()
        self.auto_model = _Encoder(fail)


class _Encoder(torch.nn.Module):
    def __init__(self, fail: bool) -> None:
        super().__init__()
        self.words = torch.nn.Embedding(10, 8)
        self.fail = fail

    def get_input_embeddings(self) -> torch.nn.Embedding:
        return self.words

    def forward(self, inputs_embeds: Any) -> Any:
        if self.fail:
            raise RuntimeError("export blew up half way")
        return type("Out", (), {"last_hidden_state": inputs_embeds * 2})()


class Pooling(torch.nn.Module):
    def __init__(self, mode: str) -> None:
        super().__init__()
        self.pooling_mode = mode


class Normalize(torch.nn.Module):
    pass


def _model(mode: str = "mean", fail: bool = False) -> list[Any]:
    return [Transformer(fail), Pooling(mode), Normalize()]


class _FakeSentenceTransformer(list):  # type: ignore[type-arg]
    """Embeddings x 2, mean-pooled: what the exported graph must reproduce."""

    def __init__(self) -> None:
        super().__init__(_model())
        self.words = self[0].auto_model.words.weight.detach().numpy()

    @staticmethod
    def tokenizer(text: str, **_: Any) -> dict[str, np.ndarray]:
        return {"input_ids": np.array([[ord(c) % 10 for c in text]])}

    def encode(self, texts: list[str], normalize_embeddings: bool = True) -> np.ndarray:
        rows = np.stack([self.words[self.tokenizer(t)["input_ids"][0]].mean(0) * 2 for t in texts])
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.mark.parametrize(
    ("modules", "expected"),
    [
        (_model("mean"), True),
        (_model("cls"), False),
        (_model("mean")[:2], True),
        (_model("mean")[:1], False),
        ([Pooling("mean"), Transformer()], False),
    ],
    ids=["mean-normalize", "cls-pooling", "mean-no-normalize", "no-pooling", "wrong-order"],
)
def test_only_mean_pooled_models_are_exported(modules: list[Any], expected: bool) -> None:
    assert _mean_pooling_only(modules) is expected


def test_engine_choice_outside_onnx_declines(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for choice in ("native", "torch"):
        monkeypatch.setenv("REGWATCH_E5_ENGINE", choice)
        assert OnnxQueries.load(tmp_path, "query: ", _model) is None
    assert not list(tmp_path.iterdir())


def test_missing_onnxruntime_declines(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("REGWATCH_E5_ENGINE", raising=False)
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import raises ImportError
    assert OnnxQueries.load(tmp_path, "query: ", _model) is None


def test_failed_export_leaves_no_file(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="half way"):
        export_encoder(_model(fail=True), tmp_path / ONNX_FILE)
    assert not list(tmp_path.iterdir())


def test_failed_export_means_the_slower_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pytest.importorskip("onnxruntime")
    monkeypatch.delenv("REGWATCH_E5_ENGINE", raising=False)
    assert OnnxQueries.load(tmp_path, "query: ", lambda: _model(fail=True)) is None
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("variant", ["onnx", "onnx-fp32"])
def test_engine_reproduces_the_model_and_replaces_a_damaged_file(
    variant: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pytest.importorskip("onnxruntime")
    monkeypatch.setenv("REGWATCH_E5_ENGINE", variant)
    model = _FakeSentenceTransformer()
    (tmp_path / ONNX_FILE).write_bytes(b"not an onnx file")  # a damaged cache
    (tmp_path / VARIANTS[variant][0]).write_bytes(b"not an onnx file")
    engine = OnnxQueries.load(tmp_path, "query: ", lambda: model)
    assert engine is not None
    vectors = engine.embed(["輸出許可", "0.1%以上"])
    expected = model.encode(["query: 輸出許可", "query: 0.1%以上"])
    assert np.allclose(vectors, expected, atol=1e-5)
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith((".tmp", ".pre"))]
