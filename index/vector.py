"""Dense retrieval: a chromadb collection holding our own embeddings (cosine space).

Old versions live in a second collection (see ``VectorStore``).  Embedded
(``PersistentClient`` under the index folder) by default, or a Chroma server
(``HttpClient``) when a URL is given; the calls are the same.  Chroma's default embedding
function is never used (it downloads a model): every add and query passes vectors.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from index.chroma_client import ChromaClient
from index.generations import Generation, _not_found, has_generation
from index.keyword import effective_number
from models.search import Chunk

COLLECTION = "regwatch-chunks"
T = TypeVar("T")


#: HNSW's search breadth in the collections this index makes (chroma's default is 100).  A
#: query asks chroma for 50 candidates or more; with 100, the search missed some of the true
#: 50 nearest, and missed others after every rebuild (hnswlib's graph differs from build to
#: build): bench.search's v2 R@1 went 0.655 / 0.691 / 0.673 over fresh builds of one corpus
#: and one engine; with 400, three builds gave every question the same rank.  Candidate
#: recall and latency per value: bench/README.md "search_latency.py".  Set at creation:
#: collections made before keep theirs until ``regwatch reindex`` or a generation rebuild.
EF_SEARCH = 400


#: chroma's errors when its in-process copy of a collection is behind the files another
#: process wrote since (``VectorStore._retry``): an id it does not find, or an index segment
#: that was not on disk when this process loaded the collection.
STALE_MESSAGES = ("Error finding id", "Nothing found on disk")


def is_ours(name: str) -> bool:
    """Whether a collection (any embedder's, either side, any generation or build) is ours."""
    return name == COLLECTION or name.startswith((f"{COLLECTION}-", f"{COLLECTION}."))


# One client per store and process: ``chromadb.PersistentClient`` is not safe to create from
# two threads at once (a server's warm-up and its first search met there: a 500).
_CLIENTS: dict[str, ChromaClient] = {}
_CLIENTS_LOCK = threading.Lock()


def make_client(path: Path | None = None, url: str | None = None) -> ChromaClient:
    """The process's client of a Chroma server at ``url`` (http://host:port), else of the
    embedded store at ``path``; one per process for each, created under a lock."""
    key = f"url:{url}" if url else f"path:{path.resolve() if path else None}"
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(key)
        if client is None:
            client = _CLIENTS[key] = ChromaClient(path, url)
        return client


def metadata_of(chunk: Chunk) -> dict[str, Any]:
    """Flat chroma metadata; ``effective_num`` because chroma compares numbers only."""
    meta: dict[str, Any] = {
        "document": chunk.document,
        "version": chunk.version,
        "subdocument": chunk.subdocument,
        "language": chunk.language,
        "issuer": chunk.issuer,
        "doc_kind": chunk.doc_kind,
        "page": chunk.page,
        "latest": chunk.latest,
        "effective_num": effective_number(chunk.effective),
    }
    issuers = [i for i in chunk.issuer.split("|") if i]
    if issuers:
        meta["issuers"] = issuers
    for key in ("title", "law", "article", "article_label", "effective"):
        value = getattr(chunk, key)
        if value is not None:
            meta[key] = value
    return meta


def where(
    *,
    lang: str | None = None,
    issuer: str | None = None,
    kind: str | None = None,
    effective_after: str | None = None,
    latest_only: bool = True,
) -> dict[str, Any] | None:
    """The chroma ``where`` clause for the search filters (see ``KeywordIndex.mask``)."""
    clauses: list[dict[str, Any]] = []
    if lang:
        clauses.append({"language": lang})
    if kind:
        clauses.append({"doc_kind": kind})
    if latest_only:
        clauses.append({"latest": True})
    if effective_after:
        clauses.append({"effective_num": {"$gte": effective_number(effective_after)}})
    if issuer:
        clauses.append({"issuers": {"$contains": issuer}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _delete_present(collection: Any, ids: list[str]) -> int:
    """Delete those of ``ids`` the collection holds.  A delete by id is a write even for an
    absent id (a log record the HNSW segment applies and counts towards its next save of the
    whole index), while a get by ids reads a primary-key index: asking first is cheaper."""
    if not ids:
        return 0
    present = collection.get(ids=ids, include=[])["ids"]
    if present:
        collection.delete(ids=present)
    return len(present)


def collection_name(position: int) -> str:
    """The collection of the index's ``position``-th embedder: the first keeps the historic
    name, so an index built by one embedder stays readable."""
    return COLLECTION if position == 0 else f"{COLLECTION}-{position + 1}"


@dataclass(frozen=True)
class Filters:
    """The search filters, for chroma (``where``) and for checking returned metadata."""

    lang: str | None = None
    issuer: str | None = None
    kind: str | None = None
    effective_after: str | None = None
    latest_only: bool = True

    @property
    def narrows(self) -> bool:
        """Whether a filter besides ``latest_only`` applies."""
        return any((self.lang, self.issuer, self.kind, self.effective_after))

    def where(self) -> dict[str, Any] | None:
        return where(
            lang=self.lang,
            issuer=self.issuer,
            kind=self.kind,
            effective_after=self.effective_after,
            latest_only=self.latest_only,
        )

    def accepts(self, meta: dict[str, Any]) -> bool:
        """The ``where`` clause, ``latest`` left out, evaluated on one chunk's metadata."""
        return not (
            (self.lang and meta.get("language") != self.lang)
            or (self.kind and meta.get("doc_kind") != self.kind)
            or (
                self.effective_after
                and int(meta.get("effective_num", 0)) < effective_number(self.effective_after)
            )
            or (self.issuer and self.issuer not in (meta.get("issuers") or []))
        )


class VectorStore:
    """One embedder's vectors in two collections: latest versions in ``name``, older ones in
    ``name-old``.

    Chroma evaluates a ``where`` clause before the vector search, over every matching row:
    at 100k chunks ``{"latest": true}`` alone costs 0.5 s a query against 4 ms without it.
    Keeping old versions apart makes the default (latest-only) query need no filter; the other
    filters are checked on a few times ``k`` nearest candidates, and only when too few pass
    does chroma filter (a selective filter: exact, slower).  An index written before the split
    has its old versions moved out when first opened.

    Each of the two is a ``Generation`` (``index.generations``): rebuilt into a fresh
    collection when its tombstones outnumber its live vectors.  No write re-inserts an id a
    collection holds (``_put``: an unchanged vector gets its metadata updated, a changed one
    is deleted and added): chroma's upsert of a held id takes hnswlib's update path
    (``updatePoint``/``repairConnectionsForUpdate``), where chroma-core/chroma#6895 reports
    a SIGSEGV.
    """

    OVERFETCH = 4

    def __init__(
        self,
        path: Path | None = None,
        url: str | None = None,
        name: str = COLLECTION,
        client: Any = None,
    ):
        self.client = client if client is not None else make_client(path, url)
        self.name = name
        config = self.configuration()
        # Asked before either is opened (opening creates them).  No other call is made on
        # a collection here: a process that reads an embedded collection before another
        # process's first writes to it reads "Nothing found on disk" after them.
        unsplit = has_generation(self.client, name) and not has_generation(
            self.client, f"{name}-old"
        )
        counts = path / "generation-counts.json" if path is not None and not url else None
        self._latest = Generation(self.client, name, config, counts)
        self._old = Generation(self.client, f"{name}-old", config, counts)
        if unsplit:
            self._move_old_versions_out()

    def configuration(self) -> dict[str, Any]:
        """Every collection's chroma configuration (a rebuilt generation gets the same);
        ``EF_SEARCH`` is why there is more than the metric."""
        return {"hnsw": {"space": "cosine", "ef_search": EF_SEARCH}}

    # The current generation's collection of each side (tests wrap them).
    @property
    def collection(self) -> Any:
        return self._latest.handle

    @collection.setter
    def collection(self, value: Any) -> None:
        self._latest.handle = value

    @property
    def old(self) -> Any:
        return self._old.handle

    @old.setter
    def old(self, value: Any) -> None:
        self._old.handle = value

    def _move_old_versions_out(self) -> None:
        """Indexes written before the split kept old versions among the latest: move them."""
        found = self.collection.get(where={"latest": False}, include=["embeddings", "metadatas"])
        if found["ids"]:
            self._put(
                self._old,
                found["ids"],
                np.asarray(found["embeddings"], np.float32),
                found["metadatas"],
            )
            self._remove(self._latest, found["ids"])

    def _sides(self) -> tuple[Generation, Generation]:
        return self._latest, self._old

    def _retry(self, action: Callable[[], T]) -> T:
        """``action``; once more after resolving both sides again if a collection held was
        dropped by another process's rebuild, or after reopening the embedded client if
        this process's copy of a collection went stale (every write here is idempotent).

        Stale: two processes writing one embedded store take turns (``index_lock``), but
        each keeps the collections it loaded; after the other's writes a ``get`` here can
        fail (``STALE_MESSAGES``: tests/test_concurrent_latest.py failed so in 5 of 35 runs).
        A new client loads them from disk again."""
        try:
            return action()
        except _not_found():
            for side in self._sides():
                side.resolve()
            return action()
        except Exception as exc:
            recycle = getattr(self.client, "recycle", None)
            stale = any(message in str(exc) for message in STALE_MESSAGES)
            if not stale or recycle is None or not recycle():
                raise
            for side in self._sides():
                side.resolve()
            return action()

    def _reading(self) -> contextlib.AbstractContextManager[Any]:
        """A read the client is not recycled under (``index.chroma_client``): a search in
        one thread while another thread's write rebuilds a generation."""
        reading = getattr(self.client, "reading", None)
        return reading() if reading is not None else contextlib.nullcontext()

    def count(self) -> int:
        with self._reading():
            return self._retry(lambda: sum(int(s.handle.count()) for s in self._sides()))

    def _batches(self, n: int) -> range:
        return range(0, n, max(1, int(self.client.get_max_batch_size())))

    def _put(
        self, side: Generation, ids: list[str], vectors: np.ndarray, metas: list[dict[str, Any]]
    ) -> None:
        """Insert ``ids`` into ``side`` without ever upserting a held id (see the class
        docstring): a held id with the same vector gets its metadata only, one with another
        vector is deleted first.  No documents: the keyword store holds the text, and chroma
        would index it for full-text search (a third of the insert time)."""
        collection = side.handle
        held = set(collection.get(ids=ids, include=[])["ids"])
        fresh = list(range(len(ids)))
        if held:
            stored = collection.get(ids=sorted(held), include=["embeddings"])
            old = dict(zip(stored["ids"], stored["embeddings"], strict=True))
            same = [i for i in fresh if ids[i] in old and np.allclose(old[ids[i]], vectors[i])]
            if same:
                collection.update(ids=[ids[i] for i in same], metadatas=[metas[i] for i in same])
            changed = [ids[i] for i in fresh if ids[i] in old and i not in set(same)]
            if changed:
                collection.delete(ids=changed)
            fresh = [i for i in fresh if i not in set(same)]
        if fresh:
            collection.add(
                ids=[ids[i] for i in fresh],
                embeddings=vectors[fresh],
                metadatas=[metas[i] for i in fresh],
            )
        side.note_inserted(len(fresh))

    def _remove(self, side: Generation, ids: list[str]) -> None:
        """Delete those of ``ids`` the side holds; a rebuild if its tombstones are due."""
        if _delete_present(side.handle, ids):
            side.compact_if_due()

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        vectors = np.asarray(vectors, np.float32)

        def write() -> None:
            for latest, target, other in ((True, *self._sides()), (False, *self._sides()[::-1])):
                rows = [i for i, c in enumerate(chunks) if c.latest == latest]
                step = self._batches(len(rows)).step
                for start in self._batches(len(rows)):
                    part = [chunks[i] for i in rows[start : start + step]]
                    ids = [c.id for c in part]
                    metas = [metadata_of(c) for c in part]
                    self._put(target, ids, vectors[rows[start : start + step]], metas)
                    self._remove(other, ids)  # a chunk changing side must not linger there

        self._retry(write)

    def update_metadata(self, chunks: Sequence[Chunk]) -> None:
        """New metadata; a chunk whose ``latest`` changed moves to the other collection."""

        def write() -> None:
            for latest, target, source in ((True, *self._sides()), (False, *self._sides()[::-1])):
                group = [c for c in chunks if c.latest == latest]
                step = self._batches(len(group)).step
                for start in self._batches(len(group)):
                    part = {c.id: c for c in group[start : start + step]}
                    found = source.handle.get(ids=list(part), include=["embeddings"])
                    if found["ids"]:
                        vectors = np.asarray(found["embeddings"], np.float32)
                        metas = [metadata_of(part[i]) for i in found["ids"]]
                        self._put(target, found["ids"], vectors, metas)
                        self._remove(source, found["ids"])
                    moved = set(found["ids"])
                    rest = [c for i, c in part.items() if i not in moved]
                    if rest:
                        target.handle.update(
                            ids=[c.id for c in rest], metadatas=[metadata_of(c) for c in rest]
                        )

        self._retry(write)

    def delete(self, ids: Sequence[str]) -> None:
        def write() -> None:
            step = self._batches(len(ids)).step
            for start in self._batches(len(ids)):
                for side in self._sides():
                    self._remove(side, list(ids[start : start + step]))

        self._retry(write)

    def ids(self) -> set[str]:
        latest, old = self.ids_by_side()
        return latest | old

    def ids_by_side(self) -> tuple[set[str], set[str]]:
        """Ids in the latest collection, and in the old-versions one."""

        def read() -> tuple[set[str], set[str]]:
            latest, old = (set(s.handle.get(include=[])["ids"]) for s in self._sides())
            return latest, old

        with self._reading():
            return self._retry(read)

    def compact(self) -> list[str]:
        """Rebuild every side whose tombstones are due (``index.generations``); the
        logical names of those rebuilt.  Writes do this as they go; ``check`` may call it."""
        return self._retry(lambda: [s.logical for s in self._sides() if s.compact_if_due()])

    def _nearest(
        self, collection: Any, vector: np.ndarray, k: int, filters: Filters, use_where: bool
    ) -> list[tuple[str, float, dict[str, Any]]]:
        # Each collection holds one side of ``latest`` only: never filter on it.
        clause = replace(filters, latest_only=False).where() if use_where else None
        include = ["distances", "metadatas"] if filters.narrows else ["distances"]
        result = collection.query(
            query_embeddings=vector.reshape(1, -1), n_results=k, where=clause, include=include
        )
        metadatas = result.get("metadatas") or [[{}] * len(result["ids"][0])]
        return [
            (chunk_id, 1.0 - float(distance), meta or {})
            for chunk_id, distance, meta in zip(
                result["ids"][0], result["distances"][0], metadatas[0], strict=True
            )
        ]

    def _query_one(
        self, collection: Any, vector: np.ndarray, k: int, filters: Filters
    ) -> list[tuple[str, float]]:
        if not filters.narrows:
            return [(i, s) for i, s, _ in self._nearest(collection, vector, k, filters, False)]
        fetch = k * self.OVERFETCH
        nearest = self._nearest(collection, vector, fetch, filters, False)
        kept = [(i, s) for i, s, m in nearest if filters.accepts(m)]
        if len(kept) >= k or len(nearest) < fetch:  # enough, or the whole collection seen
            return kept[:k]
        # A selective filter: let chroma filter; exact, and slower on a large collection.
        return [(i, s) for i, s, _ in self._nearest(collection, vector, k, filters, True)]

    def query(
        self, vector: np.ndarray, k: int, filters: Filters | None = None
    ) -> list[tuple[str, float]]:
        """Top ``k`` (chunk id, cosine similarity) passing ``filters`` (default: latest only)."""
        if k <= 0:
            return []
        filters = filters or Filters()
        vector = np.asarray(vector, np.float32)
        with self._reading():
            hits = self._latest.call(lambda c: self._query_one(c, vector, k, filters))
            if not filters.latest_only:
                hits += self._old.call(lambda c: self._query_one(c, vector, k, filters))
        hits.sort(key=lambda hit: -hit[1])
        return hits[:k]

    def reset(self) -> None:
        """Drop and recreate both collections, every generation of them (``rebuild``)."""
        for side in self._sides():
            side.drop()
            side.resolve()
