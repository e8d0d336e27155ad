"""e5's XLM-R tokenizer through SentencePiece (``index.xlmr_tokenizer``) gives the ids the
``tokenizers`` library gives for ``tokenizer.json``: on a table of edge cases, and on every
string of the test data (dev truth, questions, held-out and unseen sets: ~21k strings)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("sentencepiece")
tokenizers = pytest.importorskip("tokenizers")
e5_model = pytest.importorskip("index.e5_model")

from index.xlmr_tokenizer import SentencePieceXlmr, convertible  # noqa: E402

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, SentencePieceXlmr]:
    source = e5_model.tokenizer_json_path()
    folder = tmp_path_factory.mktemp("e5")
    shutil.copyfile(source, folder / "tokenizer.json")
    reference = tokenizers.Tokenizer.from_file(str(source))
    reference.no_padding()
    reference.enable_truncation(512)
    lean = SentencePieceXlmr.from_tokenizer_json(folder / "tokenizer.json")
    assert lean is not None
    assert (folder / "tokenizer.spm").exists()
    return reference, lean


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("passage: 第一条　为了维护国家安全和利益", id="zh-article-ideographic-space"),
        pytest.param("query: What is the threshold for gallium?", id="en-query"),
        pytest.param("輸出貿易管理令別表第一の二の項（一）", id="ja-fullwidth-brackets"),
        pytest.param("ＨＳ編碼　８１１２．９２", id="fullwidth-digits-nfkc"),
        pytest.param("3A001.a.1　≥ 2.5 g/cm³", id="control-code-superscript"),
        pytest.param("  two leading spaces", id="leading-spaces"),
        pytest.param("trailing space ", id="trailing-space"),
        pytest.param("a  b\t\tc\n\nd", id="runs-of-white"),
        pytest.param(" ", id="lone-space"),
        pytest.param("\u200b", id="zero-width-space"),
        pytest.param("\u00ad", id="soft-hyphen"),
        pytest.param("", id="empty"),
        pytest.param("①②㈱ﬁ", id="compatibility-characters"),
        pytest.param("😀 emoji", id="unknown-piece"),
        pytest.param("漢" * 700, id="truncated-at-512"),
    ],
)
def test_same_ids_as_tokenizers(pair: tuple[object, SentencePieceXlmr], text: str) -> None:
    reference, lean = pair
    assert lean.encode(text).ids == reference.encode(text).ids


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_same_ids_on_every_string_of_the_test_data(pair: tuple[object, SentencePieceXlmr]) -> None:
    reference, lean = pair
    texts = [
        s
        for path in sorted(DATA.rglob("*.json"))
        for s in _strings(json.loads(path.read_text(encoding="utf-8")))
    ]
    assert len(texts) > 10_000
    wrong = [
        t
        for t, a, b in zip(
            texts, reference.encode_batch(texts), lean.encode_batch(texts), strict=True
        )
        if a.ids != b.ids
    ]
    assert wrong == []


def test_another_pipeline_is_not_converted() -> None:
    spec = json.loads(e5_model.tokenizer_json_path().read_text(encoding="utf-8"))
    assert convertible(spec)
    spec["normalizer"]["normalizers"] = spec["normalizer"]["normalizers"][:1]
    assert not convertible(spec)
    spec = {"model": {"type": "BPE"}}
    assert not convertible(spec)


def test_a_replaced_tokenizer_json_is_converted_again(tmp_path: Path) -> None:
    source = e5_model.tokenizer_json_path()
    shutil.copyfile(source, tmp_path / "tokenizer.json")
    assert SentencePieceXlmr.from_tokenizer_json(tmp_path / "tokenizer.json") is not None
    stale = tmp_path / "tokenizer.spm"
    stale.write_bytes(b"not a model")
    os.utime(stale, (0, 0))  # older than the json: made from a tokenizer.json since replaced
    lean = SentencePieceXlmr.from_tokenizer_json(tmp_path / "tokenizer.json")
    assert lean is not None and lean.encode("第一条").ids[0] == 0
    assert stale.read_bytes() != b"not a model"
