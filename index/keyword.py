"""Keyword retrieval: BM25 over CJK-aware tokens, persisted in SQLite beside the vectors (or
in the corpus's PostgreSQL database, shared by every machine: ``index.keyword_store``).

Tokens, from one text:
* numbers and codes as single tokens, normalised (NFKC, kanji numerals in ordinals):
  ``0.1%`` (and ``0.1``), ``1e902`` / ``1e902.a`` (a sub-code also as its parents: ``3c901.a.1``
  gives ``3c901``, ``3c901.a``, ``3c901.a.1``), ``第61号``, ``第10条`` for 第十条;
* words: Sudachi (normalised forms, particles and symbols dropped) for text with kana,
  jieba (search mode) for Han-only text, lower-cased words for Latin script;
* character bigrams of every CJK run, so words a segmenter splits differently (and
  kanji shared by Japanese and Chinese, 稀土, 公告) still meet;
* every token folded to simplified characters (``index.han_fold``: 経→经, 輸→输, 價→价), so a
  Japanese question's 輸出許可 meets a Chinese article's 输出许可 and the other way round.

The store keeps every chunk (JSON) and its term counts; postings are a CSR array rebuilt
lazily after writes, so a query costs a few numpy slices.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.han_fold import fold_han
from index.keyword_store import (
    KeywordDB,
    LocalKeywordFile,
    check_tokenizer,
    mirror,
    read_setting,
    set_generation,
    stored_generation,
    terms_json,
    write_setting,
)
from models.search import Chunk

TOKENIZER_VERSION = "3"
K1, B = 1.2, 0.75

_KANJI_DIGITS = "〇零一二三四五六七八九十百千两兩"
_SPECIAL = re.compile(
    r"(?P<code>(?<![0-9A-Za-z])\d[A-Z]\d{3}(?:\.[a-z0-9]{1,3})*(?![0-9A-Za-z]))"
    rf"|(?P<ordinal>第\s*[0-9{_KANJI_DIGITS}]+\s*[号號条條款项項章节節编編部])"
    r"|(?P<number>\d+(?:[.,]\d+)*\s*%?)"
)
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_KANA = re.compile(r"[\u3040-\u30ff]")
# Bigram runs leave out hiragana: particles and okurigana only add noise pairs (の品, 率が).
_BIGRAM_RUN = re.compile(r"[\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_WORD = re.compile(r"[a-z][a-z\-]*[a-z]|[a-z]")
_SKIP_POS = frozenset({"助詞", "助動詞", "補助記号", "空白", "記号"})
# Function words only: BM25's idf already discounts common content words.
_ZH_STOP = frozenset(
    """的 了 和 与 及 或 或者 在 是 对 将 由 为 以 等 其 之 而 并 并且 应当 可以
    哪些 什么 如何 吗""".split()  # noqa: SIM905
)
_EN_STOP = frozenset(
    """a an the of to in on for by and or is are be been was were what which who whom when
    how does do did that this these those with as at from it its than then any can must
    under into their there""".split()  # noqa: SIM905
)


def _ordinal_value(raw: str) -> str:
    digits = re.sub(r"[^0-9" + _KANJI_DIGITS + "]", "", raw)
    if digits.isdigit():
        return str(int(digits))
    try:
        from ingest.numbers import kanji_to_int

        return str(kanji_to_int(digits))
    except (ImportError, ValueError):
        return digits


@functools.lru_cache(maxsize=1)
def _sudachi() -> Any:
    from sudachipy import Dictionary

    return Dictionary(dict="core").create()


@functools.lru_cache(maxsize=1)
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def _japanese_words(text: str) -> list[str]:
    from sudachipy import SplitMode

    words: list[str] = []
    for morpheme in _sudachi().tokenize(text, SplitMode.C):
        if morpheme.part_of_speech()[0] in _SKIP_POS:
            continue
        form = morpheme.normalized_form()
        if form.strip():
            words.append(form)
    return words


def _chinese_words(text: str) -> list[str]:
    # jieba's dictionary is simplified: traditional text segments better folded first.
    return [
        w
        for w in _jieba().lcut_for_search(fold_han(text))
        if w.strip() and w not in _ZH_STOP and _CJK_RUN.match(w)
    ]


def _special_tokens(match: re.Match[str]) -> list[str]:
    raw = match.group(0)
    if match.group("code"):
        # 3C901.a.1 also as 3c901 and 3c901.a: a question naming the entry meets its sub-items.
        parts = raw.lower().split(".")
        return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
    if match.group("ordinal"):
        unit = raw.strip()[-1]
        return [f"第{_ordinal_value(raw)}{unit}"]
    number = raw.replace(" ", "").replace(",", "")
    if number.endswith("%"):
        return [number, number[:-1]]
    return [number]


def tokenize(text: str) -> list[str]:
    """Search tokens of ``text`` (see the module docstring); the same for queries and chunks."""
    text = unicodedata.normalize("NFKC", text)
    tokens: list[str] = []
    rest: list[str] = []
    last = 0
    for match in _SPECIAL.finditer(text):
        rest.append(text[last : match.start()])
        tokens.extend(_special_tokens(match))
        last = match.end()
    rest.append(text[last:])
    plain = " ".join(rest)
    japanese = bool(_KANA.search(plain))
    for run in _CJK_RUN.findall(plain):
        tokens.extend(_japanese_words(run) if japanese else _chinese_words(run))
    for run in _BIGRAM_RUN.findall(plain):
        tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    tokens.extend(w for w in _LATIN_WORD.findall(plain.lower()) if w not in _EN_STOP)
    return [fold_han(t) for t in tokens]


class KeywordIndex:
    """BM25 over chunks, stored in ``path`` (SQLite) or, given ``db``, in the tables of a
    shared database (``index.keyword_store``); upserts and deletes are incremental.

    Each reader keeps an in-memory copy (postings, attributes) and several processes,
    threads or machines may write the same tables: every write bumps the ``generation`` and
    stamps the rows it writes (``keyword_chunks.gen``; deletions leave a ``keyword_removed``
    row), so ``refresh`` (run by ``SearchIndex`` before each query) loads only what other
    connections committed since.
    """

    def __init__(self, path: Path, db: KeywordDB | None = None) -> None:
        self.path = path
        #: Rows in a database the caller shares (the corpus's PostgreSQL), not in ``path``.
        self.shared = db is not None
        self._db: KeywordDB = db if db is not None else LocalKeywordFile(path)
        check_tokenizer(self._db, TOKENIZER_VERSION, lambda text: Counter(tokenize(text)))
        self._vocab: dict[str, int] = {}
        self._row_of: dict[str, int] = {}
        self._ids: list[str | None] = []
        self._json: list[str] = []
        self._terms: list[tuple[np.ndarray, np.ndarray]] = []
        self._lengths: list[int] = []
        self._attrs: list[tuple[str, str, bool, int, frozenset[str]]] = []
        self._articles: list[str | None] = []  # each row's article key ('5', '2_2')
        self._by_article: dict[str, list[int]] | None = None  # key -> rows, built on demand
        # document -> {version: its legal date}, built on demand (questions about versions)
        self._versions: dict[str, dict[int, str | None]] | None = None
        self.diff_ids: set[str] = set()  # the diff passages (Chunk.passage == "diff")
        self._postings: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        # Filter masks by their arguments; cleared with the postings and on set_latest.
        self._masks: dict[tuple[object, ...], np.ndarray] = {}
        self._gen = -1  # the generation the copy reflects; -1: nothing loaded yet
        self._seen: int | None = None  # ``_marker()`` when the copy last caught up
        self.refresh()

    # ------------------------------------------------------------ generations

    def _marker(self) -> int:
        """A number that changes when another connection commits a write, read without a
        transaction: SQLite's ``data_version`` for the local file (no table read), the
        generation row itself in a shared database (one indexed row, one round trip)."""
        if self._db.dialect == "sqlite":
            return int(self._db.execute("PRAGMA data_version").fetchone()[0])
        return stored_generation(self._db)

    def refresh(self) -> bool:
        """Catch up with writes other connections committed; True when something changed.

        Costs one ``_marker`` read when nothing did.  Call it between queries, never
        within one (masks and score arrays must stay the same length)."""
        marker: int | None
        try:
            marker = self._marker()
        except self._db.errors:  # a lost database connection: ``begin_read`` replaces it
            marker = None
        if marker is not None and marker == self._seen:
            return False
        in_txn = self._db.in_transaction
        if not in_txn:
            self._db.begin_read()  # one snapshot for the generation and the rows
        try:
            if marker is None:
                marker = self._marker()
            changed = self._catch_up()
        finally:
            if not in_txn:
                self._db.commit()
        self._seen = marker
        return changed

    def _catch_up(self) -> bool:
        stored = stored_generation(self._db)
        if stored == self._gen:
            return False
        since = self._gen
        removed = "SELECT id FROM keyword_removed WHERE gen > ?"
        for (chunk_id,) in self._db.execute(removed, (since,)).fetchall():
            self._forget(chunk_id)
        changed = "SELECT id, chunk, terms FROM keyword_chunks WHERE gen > ?"
        for chunk_id, chunk_json, terms in self._db.execute(changed, (since,)):
            self._load_row(chunk_id, chunk_json, json.loads(terms))
        self._gen = stored
        self._postings = None
        self._masks.clear()
        return True

    @contextlib.contextmanager
    def _write(self) -> Iterator[int]:
        """A write transaction under the index's write lock: the copy catches up first, then
        the writes are stamped with the next generation (yielded)."""
        self._db.begin_write()
        try:
            # Nobody else commits while this holds the lock (and a connection's own commits
            # leave its data_version as it is): read here, it stays right after the commit.
            marker = self._marker()
            self._catch_up()
            gen = stored_generation(self._db) + 1
            set_generation(self._db, gen)
            yield gen
        except BaseException:
            self._db.rollback()
            raise
        self._db.commit()
        self._gen = gen
        # In a shared database the marker is the generation: this write's, once committed.
        self._seen = marker if self._db.dialect == "sqlite" else gen

    def _load_row(self, chunk_id: str, chunk_json: str, counts: dict[str, int]) -> None:
        term_ids = np.fromiter(
            (self._vocab.setdefault(t, len(self._vocab)) for t in counts), np.int32, len(counts)
        )
        tfs = np.fromiter(counts.values(), np.float32, len(counts))
        chunk = json.loads(chunk_json)
        attrs = (
            chunk.get("language", "und"),
            chunk.get("doc_kind", "other"),
            bool(chunk.get("latest", True)),
            effective_number(chunk.get("effective")),
            frozenset(filter(None, chunk.get("issuer", "").split("|"))),
        )
        article = chunk.get("article_key") or (
            str(chunk["article"]) if chunk.get("article") is not None else None
        )
        row = self._row_of.get(chunk_id)
        if row is None:
            row = len(self._ids)
            self._row_of[chunk_id] = row
            self._ids.append(chunk_id)
            self._json.append(chunk_json)
            self._terms.append((term_ids, tfs))
            self._lengths.append(int(tfs.sum()))
            self._attrs.append(attrs)
            self._articles.append(article)
        else:
            self._json[row] = chunk_json
            self._terms[row] = (term_ids, tfs)
            self._lengths[row] = int(tfs.sum())
            self._attrs[row] = attrs
            self._articles[row] = article
        self._postings = None
        self._versions = None
        if chunk.get("passage") == "diff":
            self.diff_ids.add(chunk_id)
        else:
            self.diff_ids.discard(chunk_id)

    def __len__(self) -> int:
        return len(self._row_of)

    def ids(self) -> set[str]:
        return set(self._row_of)

    def get(self, chunk_id: str) -> Chunk | None:
        row = self._row_of.get(chunk_id)
        return None if row is None else Chunk.model_validate_json(self._json[row])

    def chunks(self) -> Iterable[Chunk]:
        for row in self._row_of.values():
            yield Chunk.model_validate_json(self._json[row])

    def versions(self, document: str) -> list[tuple[int, str | None]]:
        """The indexed versions of ``document``, oldest first, each with its legal date."""
        if self._versions is None:
            table: dict[str, dict[int, str | None]] = {}
            for row in self._row_of.values():
                data = json.loads(self._json[row])
                dates = table.setdefault(data["document"], {})
                dates.setdefault(data.get("version", 1), data.get("version_date"))
            self._versions = table
        return sorted(self._versions.get(document, {}).items())

    def add(self, chunks: Sequence[Chunk], tokens: Sequence[list[str]] | None = None) -> None:
        """Insert or replace ``chunks`` (``tokens`` when the caller has them already)."""
        rows = []
        for i, chunk in enumerate(chunks):
            counts = Counter(tokens[i] if tokens is not None else tokenize(chunk.text))
            rows.append((chunk.id, chunk.model_dump_json(), dict(counts)))
        with self._write() as gen:
            self._db.executemany(
                "INSERT INTO keyword_chunks(id, chunk, terms, gen) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET chunk = excluded.chunk,"
                " terms = excluded.terms, gen = excluded.gen",
                [(cid, cj, terms_json(counts), gen) for cid, cj, counts in rows],
            )
            self._db.executemany(
                "DELETE FROM keyword_removed WHERE id = ?", [(r[0],) for r in rows]
            )
        for chunk_id, chunk_json, counts in rows:
            self._load_row(chunk_id, chunk_json, counts)

    def remove(self, ids: Iterable[str]) -> None:
        wanted = list(ids)
        with self._write() as gen:
            doomed = [i for i in wanted if i in self._row_of]
            self._db.executemany("DELETE FROM keyword_chunks WHERE id = ?", [(i,) for i in doomed])
            self._db.executemany(
                "INSERT INTO keyword_removed(id, gen) VALUES (?, ?)"
                " ON CONFLICT(id) DO UPDATE SET gen = excluded.gen",
                [(i, gen) for i in doomed],
            )
        for chunk_id in doomed:
            self._forget(chunk_id)

    def _forget(self, chunk_id: str) -> None:
        row = self._row_of.pop(chunk_id, None)
        if row is None:
            return
        self._ids[row] = None
        self._articles[row] = None
        self._terms[row] = (np.zeros(0, np.int32), np.zeros(0, np.float32))
        self._lengths[row] = 0
        self._postings = None
        self._versions = None
        self.diff_ids.discard(chunk_id)

    def clear(self) -> None:
        self.remove(list(self._row_of))

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
            tfs = np.concatenate([f for _, f in self._terms])
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

    def set_latest(self, ids: Iterable[str], latest: bool) -> None:
        self.set_flags(dict.fromkeys(ids, latest))

    def set_flags(self, flags: Mapping[str, bool]) -> None:
        """Set ``latest`` of several chunks in one write: a reader sees all or none of it (a
        new version latest and its predecessor not, never both)."""
        with self._write() as gen:
            changed: list[tuple[int, str, str, bool]] = []
            for chunk_id, latest in flags.items():
                row = self._row_of.get(chunk_id)
                if row is None:
                    continue
                chunk = json.loads(self._json[row])
                if chunk.get("latest") == latest:
                    continue
                chunk["latest"] = latest
                changed.append((row, chunk_id, json.dumps(chunk, ensure_ascii=False), latest))
            self._db.executemany(
                "UPDATE keyword_chunks SET chunk = ?, gen = ? WHERE id = ?",
                [(chunk_json, gen, chunk_id) for _, chunk_id, chunk_json, _ in changed],
            )
        for row, _, chunk_json, latest in changed:
            self._json[row] = chunk_json
            a = self._attrs[row]
            self._attrs[row] = (a[0], a[1], latest, a[3], a[4])
        self._masks.clear()

    def setting(self, key: str) -> str | None:
        """A value kept with the rows (``keyword_meta``), the same for every reader."""
        return read_setting(self._db, f"setting:{key}")

    def set_setting(self, key: str, value: str | None) -> None:
        write_setting(self._db, f"setting:{key}", value)

    def mirror_setting(self, key: str, path: Path) -> None:
        """Of a shared index: make ``path`` hold the setting ``key`` (no file: no setting)."""
        if self.shared:
            mirror(self.setting(key), path)

    def close(self) -> None:
        self._db.close()


def effective_number(iso: str | None) -> int:
    """``2025-12-01`` -> 20251201 (chroma compares numbers only); 0 when unknown."""
    if not iso:
        return 0
    digits = re.sub(r"\D", "", iso)[:8].ljust(8, "0")
    return int(digits) if digits.isdigit() else 0
