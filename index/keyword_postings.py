"""The keyword index's in-memory side: per row a chunk's term counts, its filter attributes
and its key (document, version), CSR postings built from them, and BM25 over the postings.

No chunk text or JSON is held here (a few hundred bytes a row instead of ~5 KB): callers that
need whole chunks (hits, ``get``) read them from the tables (``index.keyword``).  The key of
each row lets the add path find a document's rows (``rows_of``) and every indexed
(document, version) (``version_keys``) without reading any chunk.
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from index.keyword_tokens import tokenize

K1, B = 1.2, 0.75
_MAX_TF = np.iinfo(np.uint16).max

# language, doc_kind, latest, effective (a number), issuers
Attrs = tuple[str, str, bool, int, frozenset[str]]


class KeywordRows:
    """Rows by position (a forgotten row leaves a hole until the copy is reloaded), the
    vocabulary, and what is derived from them lazily (postings, filter masks, articles)."""

    def __init__(self) -> None:
        self._vocab: dict[str, int] = {}
        self._row_of: dict[str, int] = {}
        self._ids: list[str | None] = []
        self._terms: list[tuple[np.ndarray, np.ndarray]] = []  # term ids, counts (uint16)
        self._lengths: list[int] = []
        self._attrs: list[Attrs] = []
        self._articles: list[str | None] = []  # each row's article key ('5', '2_2')
        # (document, version, old_version) of each row: old_version of diff passages only.
        self._keys: list[tuple[str, int, int | None]] = []
        self._by_doc: dict[str, dict[str, int]] = {}  # document -> {chunk id: row}
        self._key_rows: Counter[tuple[str, int]] = Counter()  # rows per (document, version)
        self._dates: dict[tuple[str, int], str | None] = {}  # each version's legal date
        self._by_article: dict[str, list[int]] | None = None  # key -> rows, built on demand
        self._issuer_sets: dict[str, frozenset[str]] = {}  # "a|b" -> its one frozenset
        self.diff_ids: set[str] = set()  # the diff passages (Chunk.passage == "diff")
        self._postings: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        # Filter masks by their arguments; cleared with the postings and on set_latest.
        self._masks: dict[tuple[object, ...], np.ndarray] = {}

    # ------------------------------------------------------------------ rows

    def _load_row(self, chunk_id: str, chunk: Mapping[str, Any], counts: dict[str, int]) -> None:
        """Insert or replace the row of ``chunk_id`` (``chunk``: its parsed JSON)."""
        term_ids = np.fromiter(
            (self._vocab.setdefault(t, len(self._vocab)) for t in counts), np.int32, len(counts)
        )
        # Counts as uint16 (half of float32; a term 65,535 times in one chunk is clipped).
        tfs = np.fromiter(counts.values(), np.int64, len(counts))
        tfs = np.minimum(tfs, _MAX_TF, out=tfs).astype(np.uint16)
        # Values many rows repeat are shared, one object each (interned strings, one
        # frozenset per issuer combination): a row holds references, not copies.
        issuers = chunk.get("issuer", "")
        attrs = (
            sys.intern(chunk.get("language", "und")),
            sys.intern(chunk.get("doc_kind", "other")),
            bool(chunk.get("latest", True)),
            effective_number(chunk.get("effective")),
            self._issuer_sets.setdefault(issuers, frozenset(filter(None, issuers.split("|")))),
        )
        article = chunk.get("article_key") or (
            str(chunk["article"]) if chunk.get("article") is not None else None
        )
        if article is not None:
            article = sys.intern(article)
        key = (
            sys.intern(chunk["document"]),
            int(chunk.get("version", 1)),
            chunk.get("old_version"),
        )
        row = self._row_of.get(chunk_id)
        if row is None:
            row = len(self._ids)
            self._row_of[chunk_id] = row
            self._ids.append(chunk_id)
            self._terms.append((term_ids, tfs))
            self._lengths.append(int(tfs.sum()))
            self._attrs.append(attrs)
            self._articles.append(article)
            self._keys.append(key)
        else:
            self._unkey(chunk_id, row)
            self._terms[row] = (term_ids, tfs)
            self._lengths[row] = int(tfs.sum())
            self._attrs[row] = attrs
            self._articles[row] = article
            self._keys[row] = key
        self._by_doc.setdefault(key[0], {})[chunk_id] = row
        self._key_rows[key[:2]] += 1
        self._dates[key[:2]] = chunk.get("version_date")
        self._postings = None
        if chunk.get("passage") == "diff":
            self.diff_ids.add(chunk_id)
        else:
            self.diff_ids.discard(chunk_id)

    def _unkey(self, chunk_id: str, row: int) -> None:
        """Take the row of ``chunk_id`` out of the maps by document and version."""
        document, version, _ = self._keys[row]
        rows = self._by_doc.get(document, {})
        rows.pop(chunk_id, None)
        if not rows:
            self._by_doc.pop(document, None)
        self._key_rows[(document, version)] -= 1
        if self._key_rows[(document, version)] <= 0:
            del self._key_rows[(document, version)]
            self._dates.pop((document, version), None)

    def _forget(self, chunk_id: str) -> None:
        row = self._row_of.pop(chunk_id, None)
        if row is None:
            return
        self._unkey(chunk_id, row)
        self._ids[row] = None
        self._articles[row] = None
        self._terms[row] = (np.zeros(0, np.int32), np.zeros(0, np.uint16))
        self._lengths[row] = 0
        self._postings = None
        self.diff_ids.discard(chunk_id)

    def _flag(self, row: int, latest: bool) -> None:
        a = self._attrs[row]
        self._attrs[row] = (a[0], a[1], latest, a[3], a[4])
        self._masks.clear()

    def __len__(self) -> int:
        return len(self._row_of)

    def ids(self) -> set[str]:
        return set(self._row_of)

    def latest(self, chunk_id: str) -> bool | None:
        """The ``latest`` flag of ``chunk_id``; None when it is not indexed."""
        row = self._row_of.get(chunk_id)
        return None if row is None else self._attrs[row][2]

    def locate(self, chunk_id: str) -> tuple[str, int, int | None] | None:
        """(document, version, old_version) of ``chunk_id`` (old_version: of a diff passage)."""
        row = self._row_of.get(chunk_id)
        return None if row is None else self._keys[row]

    def rows_of(self, document: str) -> list[tuple[str, int, bool]]:
        """(chunk id, version, latest) of every indexed chunk of ``document``."""
        rows = self._by_doc.get(document, {})
        return [(cid, self._keys[row][1], self._attrs[row][2]) for cid, row in rows.items()]

    def version_keys(self) -> set[tuple[str, int]]:
        """Every indexed (document, version)."""
        return set(self._key_rows)

    def versions(self, document: str) -> list[tuple[int, str | None]]:
        """The indexed versions of ``document``, oldest first, each with its legal date."""
        rows = self._by_doc.get(document, {})
        versions = {self._keys[row][1] for row in rows.values()}
        return sorted((v, self._dates.get((document, v))) for v in versions)

    # -------------------------------------------------------------- scoring

    def _build_postings(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR postings: per term, its rows and BM25 term weights ``tf (k1 + 1) / (tf + norm)``
        (all but the idf and the query's count, so a query only scales and adds them)."""
        if self._postings is None:
            self._masks.clear()
            self._by_article = None
            sizes = np.fromiter((len(t) for t, _ in self._terms), np.int64, len(self._terms))
            if sizes.sum() == 0:
                empty = np.zeros(0, np.int32)
                self._postings = (
                    np.zeros(len(self._vocab) + 1, np.int64),
                    empty,
                    empty.astype(np.float32),
                )
                return self._postings
            term_ids = np.concatenate([t for t, _ in self._terms])
            # float32 as before the uint16 counts: the same weights, to the last bit.
            tfs = np.concatenate([f for _, f in self._terms]).astype(np.float32)
            rows = np.repeat(np.arange(len(self._terms), dtype=np.int32), sizes)
            lengths = np.asarray(self._lengths, np.float32)
            avg_len = float(lengths.sum()) / max(len(self._row_of), 1) or 1.0
            norm = K1 * (1 - B + B * lengths / avg_len)
            weights = tfs * (K1 + 1) / (tfs + norm[rows])
            order = np.argsort(term_ids, kind="stable")
            indptr = np.zeros(len(self._vocab) + 1, np.int64)
            np.cumsum(np.bincount(term_ids, minlength=len(self._vocab)), out=indptr[1:])
            self._postings = (indptr, rows[order], weights[order].astype(np.float32))
        return self._postings

    def mask(
        self,
        *,
        lang: str | None = None,
        issuer: str | None = None,
        kind: str | None = None,
        effective_after: str | None = None,
        latest_only: bool = True,
    ) -> np.ndarray:
        """Rows passing the filters (the same rules as ``index.vector.where``); cached until
        the next write, since building one walks every row in Python."""
        self._build_postings()  # clears stale masks after writes
        key = (lang, issuer, kind, effective_after, latest_only)
        cached = self._masks.get(key)
        if cached is not None:
            return cached
        keep = np.fromiter((i is not None for i in self._ids), bool, len(self._ids))
        checks: list[Callable[[tuple[str, str, bool, int, frozenset[str]]], bool]] = []
        if lang:
            checks.append(lambda a: a[0] == lang)
        if kind:
            checks.append(lambda a: a[1] == kind)
        if latest_only:
            checks.append(lambda a: a[2])
        if effective_after:
            bound = effective_number(effective_after)
            checks.append(lambda a: a[3] >= bound)
        if issuer:
            checks.append(lambda a: issuer in a[4])
        if checks:
            keep &= np.fromiter(
                (all(c(a) for c in checks) for a in self._attrs), bool, len(self._attrs)
            )
        self._masks[key] = keep
        return keep

    def search(
        self,
        query: str | list[str],
        k: int = 10,
        mask: np.ndarray | None = None,
        weights: dict[str, float] | None = None,
    ) -> list[tuple[str, float]]:
        """Top ``k`` (chunk id, BM25 score) for ``query``; rows outside ``mask`` never rank.
        ``weights``: each term's query weight in place of its count (translations weigh less
        than the question's own words)."""
        tokens = tokenize(query) if isinstance(query, str) else query
        n_docs = len(self._row_of)
        if not tokens or n_docs == 0:
            return []
        indptr, post_rows, post_weights = self._build_postings()
        rows_parts: list[np.ndarray] = []
        weight_parts: list[np.ndarray] = []
        for term, qtf in (weights or Counter(tokens)).items():
            term_id = self._vocab.get(term)
            if term_id is None:
                continue
            start, end = indptr[term_id], indptr[term_id + 1]
            if start == end:
                continue
            df = int(end - start)
            idf = math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
            rows_parts.append(post_rows[start:end])
            weight_parts.append(post_weights[start:end] * np.float32(qtf * idf))
        if not rows_parts:
            return []
        # One pass over every touched posting: a scatter per term costs several times more.
        scores = np.bincount(
            np.concatenate(rows_parts),
            weights=np.concatenate(weight_parts),
            minlength=len(self._ids),
        ).astype(np.float32)
        if mask is not None:
            scores[~mask] = 0.0
        hits = np.flatnonzero(scores > 0)
        if len(hits) > k:  # the k best, and every hit tied with the k-th
            kth = np.partition(scores[hits], len(hits) - k)[len(hits) - k]
            hits = hits[scores[hits] >= kth]
        # Ties in chunk-id order, not row order: every process's copy of a shared index
        # loads the rows in its own order, and all must rank alike.
        ranked = sorted(hits.tolist(), key=lambda r: (-scores[r], self._ids[r] or ""))[:k]
        return [(self._ids[r] or "", float(scores[r])) for r in ranked]

    def coverage(self, query: str | list[str], chunk_id: str) -> float:
        """The IDF-weighted share of the query's distinct terms that ``chunk_id`` contains: how
        much of the question its best keyword hit actually says.  A term no chunk has weighs
        the most (an idf of df = 0): a Japanese question over a Chinese article matches few of
        its words, and its keyword list should pull accordingly little."""
        tokens = tokenize(query) if isinstance(query, str) else query
        return self.concept_coverage([frozenset([t]) for t in dict.fromkeys(tokens)], chunk_id)

    def document_frequency(self, term: str) -> int:
        """How many chunks contain ``term`` (a token as ``tokenize`` writes it)."""
        term_id = self._vocab.get(term)
        if term_id is None:
            return 0
        indptr = self._build_postings()[0]
        return int(indptr[term_id + 1] - indptr[term_id])

    def has_term(self, term: str) -> bool:
        return self.document_frequency(term) > 0

    def concept_coverage(self, concepts: Sequence[frozenset[str]], chunk_id: str) -> float:
        """The IDF-weighted share of ``concepts`` (sets of alternative terms: a word, or a
        phrase's translations) that ``chunk_id`` contains one term of; a concept weighs its
        rarest term's idf (a concept no chunk has weighs the most, as in ``coverage``)."""
        row = self._row_of.get(chunk_id)
        n_docs = len(self._row_of)
        if not concepts or row is None or n_docs == 0:
            return 0.0
        indptr, post_rows, _ = self._build_postings()
        total = found = 0.0
        for concept in concepts:
            weight, hit = 0.0, False
            for term in concept:
                term_id = self._vocab.get(term)
                start, end = (
                    (indptr[term_id], indptr[term_id + 1]) if term_id is not None else (0, 0)
                )
                df = int(end - start)
                weight = max(weight, math.log(1 + (n_docs - df + 0.5) / (df + 0.5)))
                if df and not hit:
                    at = int(np.searchsorted(post_rows[start:end], row))
                    hit = at < df and post_rows[start + at] == row
            total += weight
            found += weight if hit else 0.0
        return found / total if total else 0.0

    def article_ids(self, key: str, mask: np.ndarray | None = None) -> list[str]:
        """Chunks of the article with ``key`` ('5', '2_2') in any document, within ``mask``."""
        self._build_postings()  # clears the article map after writes, with the masks
        if self._by_article is None:
            self._by_article = {}
            for row, (chunk_id, article) in enumerate(zip(self._ids, self._articles, strict=True)):
                if chunk_id is not None and article is not None:
                    self._by_article.setdefault(article, []).append(row)
        rows = self._by_article.get(key, [])
        return [self._ids[r] or "" for r in rows if mask is None or mask[r]]


def effective_number(iso: str | None) -> int:
    """``2025-12-01`` -> 20251201 (chroma compares numbers only); 0 when unknown."""
    if not iso:
        return 0
    digits = re.sub(r"\D", "", iso)[:8].ljust(8, "0")
    return int(digits) if digits.isdigit() else 0
