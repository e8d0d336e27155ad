"""Passage scope (index/dense_scope.py): the costly embedder (e5) keeps no vectors of diff
passages; a diff passage is still found through the other lists and the keywords, every
version's text keeps its vectors, and ``check`` expects none outside a store's scope."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.check import check
from corpus.workspace import Workspace
from index.dense_scope import SCOPE_ENV, e5_scope, in_scope
from index.search import SearchIndex
from models.errors import ConfigError
from models.search import Chunk
from tests.store_helpers import RARE_DRAFT_TEXT, RARE_FINAL_TEXT, build, rare_identity
from tests.test_index_search import HashEmbedder

LAW = "中华人民共和国生物安全法"
V2_TEXT = f"{LAW}\n第五十六条 采集重要遗传家系应当经国务院卫生健康主管部门批准。"
V1_TEXT = f"{LAW}\n第五十六条 采集重要遗传家系应当经国务院科学技术主管部门批准。"
DIFF_TEXT = f"{LAW}（2020 → 2024）\n第五十六条 修改 变更 / changed amended\n科学技术 → 卫生健康"


def _chunk(cid: str, text: str, version: int, **fields: object) -> Chunk:
    return Chunk(
        id=cid,
        text=text,
        document="bio",
        version=version,
        law=LAW,
        article=56,
        article_key="56",
        language="zh",
        **fields,  # type: ignore[arg-type]
    )


LATEST = _chunk("bio:v2:a0:0", V2_TEXT, 2, version_date="2024-04-26")
OLDER = _chunk("bio:v1:a0:0", V1_TEXT, 1, latest=False, version_date="2020-10-17")
DIFF = _chunk("bio:v2:d1:0", DIFF_TEXT, 2, passage="diff", old_version=1, old_article_key="56")


class ScopedEmbedder(HashEmbedder):
    passage_scope = "text"


@pytest.mark.parametrize(
    ("scope", "chunk", "kept"),
    [
        pytest.param("text", LATEST, True, id="latest-article"),
        pytest.param("text", OLDER, True, id="older-version-article"),
        pytest.param("text", DIFF, False, id="diff-passage"),
        pytest.param("all", OLDER, True, id="all-keeps-older-version"),
        pytest.param("all", DIFF, True, id="all-keeps-diff-passage"),
    ],
)
def test_in_scope(scope: str, chunk: Chunk, kept: bool) -> None:
    assert in_scope(scope, chunk) is kept


def test_e5_scope_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SCOPE_ENV, raising=False)
    assert e5_scope() == "text"
    monkeypatch.setenv(SCOPE_ENV, "all")
    assert e5_scope() == "all"
    monkeypatch.setenv(SCOPE_ENV, "older")
    with pytest.raises(ConfigError, match=SCOPE_ENV):
        e5_scope()


@pytest.fixture
def scoped(tmp_path: Path) -> SearchIndex:
    costly, cheap = ScopedEmbedder(name="costly"), HashEmbedder(name="cheap")
    index = SearchIndex(tmp_path, embedders=[costly, cheap])
    index.add([LATEST, DIFF])
    index.add([OLDER])  # an older version arriving after the latest one
    return index


def test_costly_embedder_embeds_no_diff_passage(scoped: SearchIndex) -> None:
    costly, cheap = scoped.embedders
    assert (costly.passages_embedded, cheap.passages_embedded) == (2, 3)
    assert scoped.stores[0].ids() == {LATEST.id, OLDER.id}
    assert scoped.stores[1].ids() == {LATEST.id, OLDER.id, DIFF.id}


def test_diff_passage_found_by_a_change_question(scoped: SearchIndex) -> None:
    query = "生物安全法 第五十六条 修改 变更 科学技术 卫生健康"
    hits = {h.chunk.id: h for h in scoped.search(query, k=3, all_versions=True)}
    assert DIFF.id in hits
    # Met by the keywords and the cheap list (the dense rank is the best of the dense lists).
    assert hits[DIFF.id].keyword_rank is not None and hits[DIFF.id].dense_rank is not None
    assert DIFF.id not in {
        h.chunk.id for h in scoped.search(query, mode="costly", all_versions=True)
    }


def test_older_version_keeps_its_vectors(scoped: SearchIndex) -> None:
    hits = scoped.search("科学技术主管部门批准", k=3, mode="costly", all_versions=True)
    assert hits[0].chunk.id == OLDER.id


def test_check_expects_no_vectors_outside_scope(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rare-earth measures' final text, then its draft as version 2: the diff passages
    have no vectors of the scoped embedder, and ``check`` finds nothing; a lost vector of a
    text chunk is still found."""
    embedders = {"costly": ScopedEmbedder(name="costly"), "cheap": HashEmbedder(name="cheap")}
    monkeypatch.setenv("REGWATCH_MODEL", "costly+cheap")
    monkeypatch.setattr("index.search.get_embedder", lambda name: embedders[name])
    with Workspace(tmp_path) as ws:
        ws.store.add_version(*build(RARE_FINAL_TEXT, rare_identity(final=True)))
        draft = ws.store.add_version(*build(RARE_DRAFT_TEXT, rare_identity(final=False)))
        assert draft.version == 2
        ws.recover()
        report = check(ws)
        assert report.ok, report.as_json()
        index = ws.index
        index.keywords.refresh()
        chunks = list(index.keywords.chunks())
        kept = {c.id for c in chunks if c.passage == "text"}
        assert any(c.passage == "diff" for c in chunks)
        assert index.stores[0].ids() == kept
        assert index.stores[1].ids() == {c.id for c in chunks}
        index.stores[0].delete(sorted(kept)[:1])
        assert check(ws).missing_vectors
