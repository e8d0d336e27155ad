"""Hybrid search: dense (chroma) + keyword (BM25) fused by reciprocal rank fusion.

Dense vectors carry meaning across languages (a Japanese question finds a Chinese
article); keywords carry what embeddings blur (0.1%, 1E902, 第61号).  RRF needs no score
calibration between the two: each list contributes ``1 / (RRF_K + rank)``.

Layout under ``DATA_DIR/index``: ``chroma/`` (unless a Chroma server is used),
``keyword.sqlite`` (every chunk + its terms; the source of hits), ``embedder.json``.
"""

from __future__ import annotations

import json
import shutil
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.embed import Embedder, check_config, get_embedder
from index.keyword import KeywordIndex, tokenize
from index.vector import VectorStore, where
from models.search import Chunk, Hit

RRF_K = 60
CANDIDATES = 50
SNIPPET_CHARS = 160
# Keyword hits scoring under this fraction of the best one are mostly shared bigrams and
# function words; fused, they outvote a confident dense hit (dev bench: R@10 0.81 -> 0.88).
KEYWORD_GATE = 0.5


@dataclass
class AddStats:
    embedded: int = 0
    metadata_updated: int = 0
    unchanged: int = 0
    removed: int = 0
    marked_not_latest: int = 0


class SearchIndex:
    def __init__(
        self,
        data_dir: Path,
        embedder: Embedder | None = None,
        chroma_url: str | None = None,
        model: str | None = None,
    ) -> None:
        self.dir = Path(data_dir) / "index"
        self.dir.mkdir(parents=True, exist_ok=True)
        self._embedder = embedder
        self._model = model
        self._checked = False
        self.chroma_url = chroma_url
        self.vectors = VectorStore(None if chroma_url else self.dir / "chroma", url=chroma_url)
        self.keywords = KeywordIndex(self.dir / "keyword.sqlite")

    @property
    def config_path(self) -> Path:
        return self.dir / "embedder.json"

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = get_embedder(self._model)
        if not self._checked:
            if self.config_path.exists() and len(self.keywords):
                stored = json.loads(self.config_path.read_text(encoding="utf-8"))
                check_config(stored, self._embedder.config(), str(self.config_path))
            self._checked = True
        return self._embedder

    def _save_config(self) -> None:
        self.config_path.write_text(
            json.dumps(self.embedder.config(), ensure_ascii=False, indent=2), encoding="utf-8"
        )

    def __len__(self) -> int:
        return len(self.keywords)

    def add(self, chunks: Sequence[Chunk]) -> AddStats:
        """Index ``chunks`` incrementally.

        Pass all chunks of a document version together: chunks of that version no longer
        present are removed.  Unchanged chunks are skipped; chunks whose text is unchanged
        get their metadata updated without re-embedding.  Older versions of a document
        whose new version is latest are marked not-latest.
        """
        stats = AddStats()
        embed: list[Chunk] = []
        relabel: list[Chunk] = []
        for chunk in chunks:
            old = self.keywords.get(chunk.id)
            if old == chunk:
                stats.unchanged += 1
            elif old is not None and old.text == chunk.text:
                relabel.append(chunk)
            else:
                embed.append(chunk)
        stale = self._stale_ids(chunks)
        if stale:
            self.vectors.delete(stale)
            self.keywords.remove(stale)
            stats.removed = len(stale)
        if embed:
            vectors = self.embedder.embed_passages([c.text for c in embed])
            self.vectors.upsert(embed, vectors)
            self.keywords.add(embed)
            stats.embedded = len(embed)
        if relabel:
            self.vectors.update_metadata(relabel)
            self.keywords.add(relabel)
            stats.metadata_updated = len(relabel)
        stats.marked_not_latest = self._retire_old_versions(chunks)
        if (embed or relabel) and not self.config_path.exists():
            self._save_config()
        return stats

    def _stale_ids(self, chunks: Sequence[Chunk]) -> list[str]:
        versions = {(c.document, c.version) for c in chunks}
        fresh = {c.id for c in chunks}
        return [
            c.id
            for c in self.keywords.chunks()
            if (c.document, c.version) in versions and c.id not in fresh
        ]

    def _retire_old_versions(self, chunks: Sequence[Chunk]) -> int:
        newest: dict[str, int] = {}
        for c in chunks:
            if c.latest:
                newest[c.document] = max(newest.get(c.document, 0), c.version)
        if not newest:
            return 0
        retired = [
            c.model_copy(update={"latest": False})
            for c in self.keywords.chunks()
            if c.latest and c.document in newest and c.version < newest[c.document]
        ]
        if retired:
            self.vectors.update_metadata(retired)
            self.keywords.set_latest([c.id for c in retired], False)
        return len(retired)

    def rebuild(self, chunks: Sequence[Chunk]) -> AddStats:
        """Drop everything (vectors, keywords, stored embedder) and index ``chunks`` afresh."""
        self.vectors.reset()
        self.keywords.close()
        (self.dir / "keyword.sqlite").unlink(missing_ok=True)
        self.keywords = KeywordIndex(self.dir / "keyword.sqlite")
        self.config_path.unlink(missing_ok=True)
        self._checked = True  # a rebuild adopts the current embedder
        return self.add(chunks)

    def search(
        self,
        query: str,
        k: int = 10,
        lang: str | None = None,
        issuer: str | None = None,
        kind: str | None = None,
        effective_after: str | None = None,
        all_versions: bool = False,
        mode: str = "hybrid",
    ) -> list[Hit]:
        """Top ``k`` hits; ``mode`` is ``hybrid``, ``dense`` or ``keyword`` (for benches)."""
        if not len(self.keywords) or not query.strip():
            return []
        filters = {
            "lang": lang,
            "issuer": issuer,
            "kind": kind,
            "effective_after": effective_after,
            "latest_only": not all_versions,
        }
        depth = max(CANDIDATES, 3 * k)
        tokens = tokenize(query)
        dense: list[tuple[str, float]] = []
        keyword: list[tuple[str, float]] = []
        if mode in ("hybrid", "dense"):
            vector = self.embedder.embed_queries([query])[0]
            dense = self.vectors.query(vector, min(depth, len(self.keywords)), where(**filters))
        if mode in ("hybrid", "keyword"):
            keyword = self.keywords.search(tokens, depth, self.keywords.mask(**filters))
            if mode == "hybrid" and keyword:
                keyword = [(cid, sc) for cid, sc in keyword if sc >= KEYWORD_GATE * keyword[0][1]]
        return self._fuse(dense, keyword, tokens, k)

    def _fuse(
        self,
        dense: list[tuple[str, float]],
        keyword: list[tuple[str, float]],
        tokens: list[str],
        k: int,
    ) -> list[Hit]:
        scores: dict[str, float] = {}
        dense_rank = {cid: r for r, (cid, _) in enumerate(dense, 1)}
        keyword_rank = {cid: r for r, (cid, _) in enumerate(keyword, 1)}
        for ranks in (dense_rank, keyword_rank):
            for cid, rank in ranks.items():
                scores[cid] = scores.get(cid, 0.0) + 1.0 / (RRF_K + rank)
        order = sorted(scores, key=lambda c: (-scores[c], dense_rank.get(c, 10**9)))
        hits: list[Hit] = []
        seen: set[str] = set()
        for cid in order:
            chunk = self.keywords.get(cid)
            if chunk is None:  # in chroma but not in the keyword store: a half-written add
                continue
            # The same article in two files (a notice and the commentary reprinting it)
            # is one answer: show its best-ranked copy only.
            text_key = "".join(chunk.text.split())
            if text_key in seen:
                continue
            seen.add(text_key)
            hits.append(
                Hit(
                    chunk=chunk,
                    score=scores[cid],
                    dense_rank=dense_rank.get(cid),
                    keyword_rank=keyword_rank.get(cid),
                    snippet=snippet(chunk.text, tokens),
                )
            )
            if len(hits) == k:
                break
        return hits

    def close(self) -> None:
        self.keywords.close()

    def destroy(self) -> None:
        """Remove the whole index folder (tests, ``--rebuild`` from scratch)."""
        self.close()
        self.vectors.reset()
        shutil.rmtree(self.dir, ignore_errors=True)


def _normalised_with_offsets(text: str) -> tuple[str, list[int]]:
    """NFKC of ``text`` lower-cased, and for each output character its source offset."""
    out: list[str] = []
    offsets: list[int] = []
    for i, char in enumerate(text):
        norm = unicodedata.normalize("NFKC", char).lower()
        out.append(norm)
        offsets.extend([i] * len(norm))
    return "".join(out), offsets


def snippet(text: str, tokens: Sequence[str], width: int = SNIPPET_CHARS) -> str:
    """The window of ``text`` with the most query-token characters, matches in 【】.

    Dense-only (cross-lingual) hits share no tokens with the query: their snippet is the
    chunk's beginning, unmarked.
    """
    norm, offsets = _normalised_with_offsets(text)
    marks = np.zeros(len(text) + 1, np.int8)
    for token in {t for t in tokens if len(t) >= 2}:
        start = norm.find(token)
        while start != -1:
            end = start + len(token)
            marks[offsets[start] : offsets[end - 1] + 1] = 1
            start = norm.find(token, end)
    flat = " ".join(text.split())
    if not marks.any():
        return flat[:width] + ("…" if len(flat) > width else "")
    density = np.convolve(marks[: len(text)], np.ones(min(width, len(text)), np.int32), "valid")
    begin = int(np.argmax(density))
    end = min(len(text), begin + width)
    parts: list[str] = ["…" if begin else ""]
    inside = False
    for i in range(begin, end):
        if marks[i] and not inside:
            parts.append("【")
            inside = True
        elif not marks[i] and inside:
            parts.append("】")
            inside = False
        parts.append(" " if text[i] in "\n\r\t" else text[i])
    if inside:
        parts.append("】")
    parts.append("…" if end < len(text) else "")
    return "".join(parts)
