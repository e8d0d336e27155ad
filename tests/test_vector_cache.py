"""The passage-vector cache: a text is embedded once per embedder, across versions, index
adds and rebuilds, and never answers for another embedder or engine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.embed import passage_key
from index.search import SearchIndex
from index.vector_cache import PassageVectorCache, cached_vectors, model_key
from tests.test_index_search import HashEmbedder, chunk

ARTICLE_5 = "第五条 出口経営者は、価値比率が0.1%以上の場合、許可を申請しなければならない。"
ARTICLE_6 = "第六条 前条の許可は、商務部が審査する。"
ARTICLE_6_NEW = "第六条 前条の許可は、商務部及び海関総署が審査する。"


def version(number: int, texts: list[str]) -> list:
    return [
        chunk(f"d1:v{number}:a{i}:0", text, version=number, article=i + 5)
        for i, text in enumerate(texts)
    ]


def test_second_version_embeds_only_its_changed_article(tmp_path: Path) -> None:
    embedder = HashEmbedder()
    index = SearchIndex(tmp_path, embedder=embedder)
    first = index.add(version(1, [ARTICLE_5, ARTICLE_6]))
    second = index.add(version(2, [ARTICLE_5, ARTICLE_6_NEW]))
    assert (first.embedded, first.vectors_from_cache) == (2, 0)
    assert (second.embedded, second.vectors_from_cache) == (2, 1)  # both chunks are new ids
    assert embedder.passages_embedded == 3
    hits = index.search("商務部及び海関総署", k=5)
    assert {h.chunk.version for h in hits} >= {2}


def test_rebuild_embeds_nothing_it_has_seen(tmp_path: Path) -> None:
    embedder = HashEmbedder()
    index = SearchIndex(tmp_path, embedder=embedder)
    chunks = version(1, [ARTICLE_5, ARTICLE_6]) + version(2, [ARTICLE_5, ARTICLE_6_NEW])
    index.add(chunks)
    index.close()
    reopened = SearchIndex(tmp_path, embedder=embedder)  # a later process: the file persists
    before = embedder.passages_embedded
    stats = reopened.rebuild(chunks)
    assert (stats.embedded, stats.vectors_from_cache) == (4, 4)
    assert embedder.passages_embedded == before
    assert reopened.vectors.ids() == {c.id for c in chunks}


def test_cached_vectors_equal_fresh_ones(tmp_path: Path) -> None:
    embedder = HashEmbedder()
    cache = PassageVectorCache(tmp_path / "c.sqlite")
    key = passage_key(embedder)
    texts = [ARTICLE_5, ARTICLE_6, ARTICLE_5]
    fresh, embedded = cached_vectors(cache, key, embedder.dim, texts, embedder.embed_passages)
    again, embedded_again = cached_vectors(cache, key, embedder.dim, texts, embedder.embed_passages)
    assert (embedded, embedded_again) == (2, 0)  # a text twice in one batch: once
    np.testing.assert_array_equal(fresh, again)
    np.testing.assert_array_equal(fresh, embedder.embed_passages(texts))


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(HashEmbedder(name="other-model"), id="another-model"),
        pytest.param(HashEmbedder(dim=32), id="another-width"),
    ],
)
def test_another_embedder_does_not_share_vectors(tmp_path: Path, other: HashEmbedder) -> None:
    cache = PassageVectorCache(tmp_path / "c.sqlite")
    first = HashEmbedder()
    cached_vectors(cache, passage_key(first), first.dim, [ARTICLE_5], first.embed_passages)
    _, embedded = cached_vectors(
        cache, passage_key(other), other.dim, [ARTICLE_5], other.embed_passages
    )
    assert embedded == 1


def test_passage_engine_is_part_of_the_key() -> None:
    identity = {"model": "multilingual-e5-small", "dim": 384}
    assert model_key(identity, "onnx-fp32") != model_key(identity, "onnx")
    assert model_key(identity, "onnx-fp32") == model_key(dict(identity), "onnx-fp32")
