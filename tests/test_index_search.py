"""SearchIndex with a tiny deterministic embedder: incremental adds, versions, filters,
fusion, snippets, config mismatch, and a real Chroma server (HttpClient)."""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.keyword import tokenize
from index.search import SearchIndex, snippet
from index.snippet import candidate_sentences, lexical_pick, sentence_spans
from models.errors import IndexError_
from models.search import Chunk


class HashEmbedder:
    """Bag of hashed tokens: similar wording -> similar vector; no model needed."""

    def __init__(self, dim: int = 64, name: str = "hash") -> None:
        self.dim = dim
        self.name = name
        self.passages_embedded = 0

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, np.float32)
        for token in tokenize(text):
            v[int(hashlib.md5(token.encode()).hexdigest(), 16) % self.dim] += 1.0
        return v / max(float(np.linalg.norm(v)), 1e-9)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._vec(t) for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.passages_embedded += len(texts)
        return np.stack([self._vec(t) for t in texts])

    def config(self) -> dict[str, Any]:
        return {"backend": "test", "model": self.name, "dim": self.dim, "source": {}}


def chunk(cid: str, text: str, **fields: Any) -> Chunk:
    fields.setdefault("document", "d61")
    fields.setdefault("language", "ja")
    return Chunk(id=cid, text=text, **fields)


NOTICE_61 = [
    chunk(
        "d61:v1:a0:0",
        "商务部公告2025年第61号\n一、 第二部分に掲げる品目の価値に占める割合が0.1%以上に達するもの",
        law="商务部公告2025年第61号",
        article=1,
        article_label="一、",
        issuer="商務部",
        doc_kind="announcement",
        effective="2025-12-01",
    ),
    chunk(
        "d61:v1:a1:0",
        "商务部公告2025年第61号\n二、 国外の軍事ユーザー向けの輸出申請は、原則として許可しない。",
        law="商务部公告2025年第61号",
        article=2,
        article_label="二、",
        issuer="商務部",
        doc_kind="announcement",
    ),
]
ANTI_MONOPOLY = chunk(
    "aml:v1:a0:0",
    "中华人民共和国反垄断法\n第五十六条 行业协会组织本"
    "行业的经营者达成垄断协议的，可以处三百万元以下的罚款。",
    document="aml",
    language="zh",
    law="中华人民共和国反垄断法",
    article=56,
    doc_kind="law",
)


@pytest.fixture()
def index(tmp_path: Path) -> Iterator[SearchIndex]:
    idx = SearchIndex(tmp_path, embedder=HashEmbedder())
    idx.add([*NOTICE_61, ANTI_MONOPOLY])
    yield idx
    idx.close()


@pytest.mark.parametrize(
    ("query", "article"),
    [("価値比率0.1%以上", 1), ("軍事ユーザー向けの輸出申請", 2), ("行业协会 垄断协议 罚款", 56)],
    ids=["threshold", "military-users", "zh-fine"],
)
def test_hybrid_finds_article(index: SearchIndex, query: str, article: int) -> None:
    hits = index.search(query, k=3)
    assert hits[0].chunk.article == article
    assert hits[0].dense_rank is not None and hits[0].keyword_rank is not None
    assert "【" in hits[0].snippet


def test_unchanged_chunks_are_not_reembedded(index: SearchIndex) -> None:
    embedder = index.embedder
    assert isinstance(embedder, HashEmbedder)
    before = embedder.passages_embedded
    stats = index.add([*NOTICE_61, ANTI_MONOPOLY])
    assert (stats.unchanged, stats.embedded, embedder.passages_embedded) == (3, 0, before)
    relabelled = NOTICE_61[1].model_copy(update={"page": 16})
    stats = index.add([NOTICE_61[0], relabelled])
    assert (stats.metadata_updated, stats.embedded) == (1, 0)
    assert index.keywords.get(relabelled.id) == relabelled


def test_new_version_retires_old_and_removes_vanished_chunks(index: SearchIndex) -> None:
    v2 = NOTICE_61[0].model_copy(
        update={
            "id": "d61:v2:a0:0",
            "version": 2,
            "text": NOTICE_61[0].text.replace("0.1%", "0.05%"),
        }
    )
    stats = index.add([v2])
    assert stats.marked_not_latest == 2
    latest = index.search("価値に占める割合", k=5)
    assert {h.chunk.id for h in latest} & {c.id for c in NOTICE_61} == set()
    every = index.search("価値に占める割合", k=5, all_versions=True)
    assert {h.chunk.version for h in every} == {1, 2}
    # Re-adding version 2 without its article removes it (stale in that version).
    shorter = v2.model_copy(update={"id": "d61:v2:a9:0", "article": 9})
    assert index.add([shorter]).removed == 1


@pytest.mark.parametrize(
    ("filters", "documents"),
    [
        ({"lang": "zh"}, {"aml"}),
        ({"issuer": "商務部"}, {"d61"}),
        ({"kind": "law"}, {"aml"}),
        ({"effective_after": "2025-06-01"}, {"d61"}),
    ],
    ids=["lang", "issuer", "kind", "effective-after"],
)
def test_filters_apply_to_both_retrievers(
    index: SearchIndex, filters: dict[str, str], documents: set[str]
) -> None:
    for mode in ("dense", "keyword", "hybrid"):
        hits = index.search("公告 罚款 輸出 価値", k=10, mode=mode, **filters)
        assert {h.chunk.document for h in hits} <= documents


def test_identical_copies_collapse(index: SearchIndex) -> None:
    copy = NOTICE_61[0].model_copy(update={"id": "commentary:v1:a5:0", "document": "commentary"})
    index.add([copy])
    hits = index.search("価値比率0.1%以上", k=5)
    texts = ["".join(h.chunk.text.split()) for h in hits]
    assert len(texts) == len(set(texts))


def test_other_embedder_is_refused(index: SearchIndex, tmp_path: Path) -> None:
    index.close()
    other = SearchIndex(tmp_path, embedder=HashEmbedder(dim=32, name="other"))
    with pytest.raises(IndexError_, match="another embedder"):
        other.search("価値比率", k=3)
    other.rebuild([*NOTICE_61])
    assert other.search("価値比率0.1%", k=1)[0].chunk.article == 1


@pytest.mark.parametrize(
    ("text", "tokens", "expected"),
    [
        ("割合が0.1%以上に達するもの", ["0.1%", "以上"], "割合が【0.1%以上】に達するもの"),
        ("割合が０．１％以上", ["0.1%"], "割合が【０．１％】以上"),
        ("no shared words", ["価値"], "no shared words"),
        ("【留意点】価値比率", ["价值"], "〖留意点〗【価値】比率"),
        ("【留意点】のみ", ["価値"], "〖留意点〗のみ"),
        (
            "データセキュリティの保護",
            ["トレーサビリティ", "リテ", "ティ", "保护"],
            "データセキュリティの【保護】",
        ),
    ],
    ids=[
        "marks-adjacent-tokens",
        "fullwidth-source",
        "no-match-unmarked",
        "own-brackets-are-not-marks",
        "own-brackets-unmatched",
        "katakana-pairs-unmarked",
    ],
)
def test_snippet(text: str, tokens: list[str], expected: str) -> None:
    assert snippet(text, tokens) == expected


_NOTICE = (
    "一、出口管制对象。二、境外相关物项价值比例达到0.1%及以上的，应当申请许可。"
    "三、本公告自公布之日起施行。四、其他事项另行通知。"
)


@pytest.mark.parametrize(
    ("query", "limit", "expected"),
    [
        (
            "価値比率が0.1%以上の外国製品",
            1,
            ["二、境外相关物项价值比例达到0.1%及以上的，应当申请许可。"],
        ),
        (
            "公布の日から施行されますか",
            1,
            ["三、本公告自公布之日起施行。"],
        ),
        (
            "no shared characters",
            2,
            ["一、出口管制对象。", "二、境外相关物项价值比例达到0.1%及以上的，应当申请许可。"],
        ),
        ("anything", 9, None),
    ],
    ids=["folded-kanji-pick", "most-shared-characters", "no-overlap-first-ones", "under-limit-all"],
)
def test_candidate_sentences_for_marking(
    query: str, limit: int, expected: list[str] | None
) -> None:
    spans = sentence_spans(_NOTICE)
    kept = candidate_sentences(_NOTICE, spans, query, limit)
    if expected is None:
        assert kept == spans
    else:
        assert [_NOTICE[a:b] for a, b in kept] == expected


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def chroma_server(tmp_path: Path) -> Iterator[str]:
    binary = shutil.which("chroma") or str(Path(__import__("sys").executable).parent / "chroma")
    if not Path(binary).exists():
        pytest.skip("the chroma binary (shipped with chromadb) is absent")
    port = _free_port()
    proc = subprocess.Popen(
        [
            binary,
            "run",
            "--path",
            str(tmp_path / "server"),
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        else:
            pytest.fail("chroma server did not start within 30 s")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_chroma_server_via_http_client(chroma_server: str, tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "data", embedder=HashEmbedder(), chroma_url=chroma_server)
    idx.add([*NOTICE_61, ANTI_MONOPOLY])
    assert idx.vectors.count() == 3
    assert not (tmp_path / "data" / "index" / "chroma").exists()
    hits = idx.search("価値比率0.1%以上", k=2, mode="dense")
    assert hits[0].chunk.article == 1
    assert (
        idx.search("行业协会 罚款", k=1, issuer="商務部", mode="dense")[0].chunk.document == "d61"
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "境外の関連品目の価値比率が0.1%以上",
            "二、境外相关物项价值比例达到0.1%及以上的，应当申请许可。",
        ),
        ("本公告はいつから施行されるか", "三、本公告自公布之日起施行。"),
        ("管制対象の価値比例", None),  # 管制对象 vs 价值比例: a tie, for the embedder
        ("When does it take effect?", None),
        ("許可の管制", None),
    ],
    ids=[
        "clear-han-winner",
        "kanji-meets-hanzi",
        "tie-left-to-embedder",
        "english-no-han",
        "too-few-shared",
    ],
)
def test_lexical_pick(query: str, expected: str | None) -> None:
    spans = sentence_spans(_NOTICE)
    pick = lexical_pick(_NOTICE, spans, query)
    assert (None if pick is None else _NOTICE[pick[0] : pick[1]]) == expected
