"""Dense retrieval: a chromadb collection holding our own embeddings (cosine space).

Embedded (``PersistentClient`` under the index folder) by default, or a Chroma server
(``HttpClient``) when a URL is given; the calls are the same.  Chroma's default embedding
function is never used (it downloads a model): every add and query passes vectors.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from index.keyword import effective_number
from models.errors import ConfigError
from models.search import Chunk

COLLECTION = "regwatch-chunks"


def _settings() -> Any:
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    from chromadb.config import Settings

    return Settings(anonymized_telemetry=False)


def make_client(path: Path | None = None, url: str | None = None) -> Any:
    """``HttpClient`` for ``url`` (http://host:port), else ``PersistentClient`` at ``path``."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb

    if url:
        parsed = urlparse(url if "://" in url else f"http://{url}")
        if not parsed.hostname:
            raise ConfigError(f"bad Chroma server URL {url!r} (expected http://host:port)")
        return chromadb.HttpClient(
            host=parsed.hostname,
            port=parsed.port or (443 if parsed.scheme == "https" else 8000),
            ssl=parsed.scheme == "https",
            settings=_settings(),
        )
    if path is None:
        raise ConfigError("a vector store needs a data folder or a Chroma server URL")
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=_settings())


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


def collection_name(position: int) -> str:
    """The collection of the index's ``position``-th embedder: the first keeps the historic
    name, so an index built by one embedder stays readable."""
    return COLLECTION if position == 0 else f"{COLLECTION}-{position + 1}"


class VectorStore:
    def __init__(
        self,
        path: Path | None = None,
        url: str | None = None,
        name: str = COLLECTION,
        client: Any = None,
    ):
        self.client = client if client is not None else make_client(path, url)
        self.name = name
        self.collection = self._open()

    def _open(self) -> Any:
        return self.client.get_or_create_collection(
            self.name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )

    def count(self) -> int:
        return int(self.collection.count())

    def _batches(self, n: int) -> range:
        return range(0, n, max(1, int(self.client.get_max_batch_size())))

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        step = self._batches(len(chunks)).step
        for start in self._batches(len(chunks)):
            part = chunks[start : start + step]
            self.collection.upsert(
                ids=[c.id for c in part],
                embeddings=np.asarray(vectors[start : start + step], np.float32),
                metadatas=[metadata_of(c) for c in part],
                documents=[c.text for c in part],
            )

    def update_metadata(self, chunks: Sequence[Chunk]) -> None:
        step = self._batches(len(chunks)).step
        for start in self._batches(len(chunks)):
            part = chunks[start : start + step]
            self.collection.update(
                ids=[c.id for c in part], metadatas=[metadata_of(c) for c in part]
            )

    def delete(self, ids: Sequence[str]) -> None:
        step = self._batches(len(ids)).step
        for start in self._batches(len(ids)):
            self.collection.delete(ids=list(ids[start : start + step]))

    def ids(self) -> set[str]:
        return set(self.collection.get(include=[])["ids"])

    def query(
        self, vector: np.ndarray, k: int, where_clause: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """Top ``k`` (chunk id, cosine similarity)."""
        if k <= 0:
            return []
        result = self.collection.query(
            query_embeddings=np.asarray(vector, np.float32).reshape(1, -1),
            n_results=k,
            where=where_clause,
            include=["distances"],
        )
        return [
            (chunk_id, 1.0 - float(distance))
            for chunk_id, distance in zip(result["ids"][0], result["distances"][0], strict=True)
        ]

    def reset(self) -> None:
        """Drop and recreate the collection (``rebuild``)."""
        # chroma raises various exception types for an absent collection
        with contextlib.suppress(Exception):
            self.client.delete_collection(self.name)
        self.collection = self._open()
