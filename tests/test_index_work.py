"""bench.index_work: the accounting of what an add's index embeds (chunk kinds, duplicates,
tokens), on hand-made chunks: no model runs, only the e5 tokenizer."""

from __future__ import annotations

import pytest

from bench.index_work import account, chunk_kind
from models.search import Chunk


def _chunk(cid: str, text: str, *, latest: bool = True, passage: str = "text") -> Chunk:
    doc, version = cid.split(":")[:2]
    return Chunk(
        id=cid,
        text=text,
        document=doc,
        version=int(version[1:]),
        latest=latest,
        passage=passage,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("cid", "passage", "kind"),
    [
        pytest.param("d1:v1:a120:0", "text", "article", id="article"),
        pytest.param("d1:v2:a120:3", "text", "article", id="article-part"),
        pytest.param("d1:v1:c0:0", "text", "commentary", id="commentary"),
        pytest.param("d1:v1:e512:0", "text", "entry", id="list-entry"),
        pytest.param("s01:v1:t4:0", "text", "article", id="truth-article"),
        pytest.param("d1:v2:d1:3", "diff", "diff", id="diff-passage"),
    ],
)
def test_chunk_kind(cid: str, passage: str, kind: str) -> None:
    assert chunk_kind(_chunk(cid, "第一条 目的", passage=passage)) == kind


def test_account_counts_duplicates_once_per_kind_and_version() -> None:
    pytest.importorskip("tokenizers")
    try:
        from index.e5_model import e5_folder
        from index.embed import model_cache_dir

        e5_folder(model_cache_dir())
    except Exception as exc:  # no e5 folder: no tokenizer to count with
        pytest.skip(f"e5 folder unavailable: {exc}")
    same = "第一条 この法律は、輸出管理の目的を定める。"
    chunks = [
        _chunk("d1:v1:a0:0", same, latest=False),
        _chunk("d1:v2:a0:0", same),  # the next version's unchanged article
        _chunk("d1:v2:c90:0", "附則"),
        _chunk("d1:v2:d1:0", "第一条 改正 変更 " + same, latest=False, passage="diff"),
    ]
    asked = {"e5": [same, "附則", chunks[3].text]}
    result = account(chunks, asked)
    assert result["chunks_given"] == 4
    assert result["distinct_texts"] == 3
    assert result["texts_under_several_kinds"] == 0
    kinds = result["per_kind"]
    assert kinds["article (older version)"]["distinct"] == 1
    assert kinds["article"]["chunks"] == 1 and kinds["article"].get("distinct", 0) == 0
    assert kinds["commentary"]["short"] == 1
    assert kinds["diff (older version)"]["distinct"] == 1
    total = sum(row.get("distinct_tokens", 0) for row in kinds.values())
    assert result["asked"]["e5"]["e5_tokens"] == total
    cuts = list(result["tokens_cut_by_cap"].values())
    assert cuts == sorted(cuts, reverse=True) and all(c == 0 for c in cuts)  # short texts
