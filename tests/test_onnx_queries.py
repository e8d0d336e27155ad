"""The ONNX query engine declines cleanly (None: the caller keeps its slower path) and never
leaves a half-written encoder file; the real model's numbers are in test_index_embed.py."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from index.onnx_queries import ONNX_FILE, OnnxQueries, _mean_pooling_only, export_encoder

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
        assert OnnxQueries.load(_model(), tmp_path, "query: ") is None
    assert not list(tmp_path.iterdir())


def test_missing_onnxruntime_declines(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("REGWATCH_E5_ENGINE", raising=False)
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import raises ImportError
    assert OnnxQueries.load(_model(), tmp_path, "query: ") is None


def test_failed_export_leaves_no_file(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="half way"):
        export_encoder(_model(fail=True), tmp_path / ONNX_FILE)
    assert not list(tmp_path.iterdir())


def test_failed_export_means_the_slower_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pytest.importorskip("onnxruntime")
    monkeypatch.delenv("REGWATCH_E5_ENGINE", raising=False)
    assert OnnxQueries.load(_model(fail=True), tmp_path, "query: ") is None
    assert not list(tmp_path.iterdir())
