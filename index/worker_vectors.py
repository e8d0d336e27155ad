"""Passage vectors made where a file is read: an ``add`` worker (a local process or a Ray
task) that has just extracted a file also embeds its passage texts and hands the vectors
back; the writer puts them in the passage-vector cache (``index.vector_cache``) and indexes
as before, finding them there instead of embedding.

* What is embedded: the distinct texts of the file's article and commentary chunks
  (``index.chunk.chunks_from``; a chunk's text depends on the file alone, not on the
  document id or version the store gives it).  Diff passages need the previous version,
  which only the store has: the writer embeds those, as any text the worker did not.
* The cache is a cache: the writer embeds whatever it does not find there, so a worker that
  ran out of time, had no cache to read or cut a text differently costs time, never a
  wrong vector.
* Vectors are keyed as the cache keys them (``passage_key`` of the embedder, sha256 of the
  text): the same embedder through the same engine makes them, in the worker on one
  thread.
* The worker reads the cache (read-only) where it can open the file, and embeds only what
  it lacks; on a Ray node without the data folder it embeds every text.

Imports nothing heavy: the index's embedder names come from its ``embedder.json`` without
opening chroma (``embedder_names``), and the models load in the worker at its first file.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.embed import DEFAULT_MODEL, get_embedder, passage_key, retriever_name, split_spec
from index.vector_cache import CACHE_FILE, PassageVectorCache, text_key
from models.errors import LimitExceededError

if TYPE_CHECKING:
    from ingest.deadline import Deadline
    from models.document import Document
    from models.records import ExtractionResult

#: Texts embedded per call between two checks of the file's time budget (as the writer's
#: ``index.search.EMBED_SLICE``).
SLICE = 256


def read_configs(path: Path) -> list[dict[str, Any]]:
    """The embedder configs an index's ``embedder.json`` stores, in order."""
    stored = json.loads(path.read_text(encoding="utf-8"))
    # Indexes of one embedder stored its config alone.
    return list(stored["embedders"]) if "embedders" in stored else [stored]


def spec_name(config: dict[str, Any]) -> str:
    """The ``--model`` name that loads the embedder ``config`` describes."""
    name = retriever_name(config)
    if name in ("e5", "use"):
        return DEFAULT_MODEL if name == "e5" else "use"
    return str(config.get("path") or config.get("model"))


def embedder_names(index_dir: Path, model: str | None) -> list[str]:
    """The embedders an index in ``index_dir`` uses: ``model``'s, else those that built it
    (``embedder.json``), else the default spec: what ``SearchIndex`` loads."""
    config = Path(index_dir) / "embedder.json"
    if model is None and config.exists():
        return [spec_name(c) for c in read_configs(config)]
    return split_spec(model)


@dataclass(frozen=True)
class EmbedRequest:
    """Asks a worker to embed the passages of the file it read: with these embedders
    (``--model`` names), consulting the passage-vector cache at ``cache`` first."""

    names: tuple[str, ...]
    cache: str | None = None

    @classmethod
    def for_index(cls, data_dir: Path, model: str | None) -> EmbedRequest:
        index_dir = Path(data_dir) / "index"
        return cls(tuple(embedder_names(index_dir, model)), str(index_dir / CACHE_FILE))


@dataclass
class PassageVectors:
    """One embedder's vectors of texts it embedded: ``model`` is its ``passage_key``,
    ``keys`` the sha256 of each text (``vector_cache.text_key``), ``vectors`` float32 rows."""

    model: str
    keys: list[bytes]
    vectors: np.ndarray


def _reader(path: str | None) -> PassageVectorCache | None:
    """The cache at ``path`` opened read-only, None where there is none to read."""
    if path is None or not Path(path).exists():
        return None
    try:
        return PassageVectorCache.read_only(Path(path))
    except sqlite3.Error:  # a cache is never needed: embed instead
        return None


def embed_file(
    request: EmbedRequest,
    extraction: ExtractionResult,
    document: Document,
    deadline: Deadline | None = None,
) -> list[PassageVectors]:
    """The vectors of the file's passage texts that the cache lacks, per embedder; stops
    (keeping what it made) when ``deadline`` runs out: the writer finishes within what is
    left of the budget, or reports the file's E106."""
    from index.chunk import chunks_from

    texts = list(dict.fromkeys(c.text for c in chunks_from(extraction, document, 1, True)))
    if not texts:
        return []
    keys = [text_key(t) for t in texts]
    cache = _reader(request.cache)
    made: list[PassageVectors] = []
    try:
        for name in request.names:
            embedder = get_embedder(name)
            model, dim = passage_key(embedder), int(embedder.config()["dim"])
            held = cache.get(model, keys, dim) if cache is not None else {}
            todo = [(k, t) for k, t in zip(keys, texts, strict=True) if k not in held]
            for start in range(0, len(todo), SLICE):
                if deadline is not None:
                    deadline.check("indexing")
                part = todo[start : start + SLICE]
                vectors = embedder.embed_passages([t for _, t in part])
                made.append(PassageVectors(model, [k for k, _ in part], vectors))
    except LimitExceededError:
        pass
    finally:
        if cache is not None:
            cache.close()
    return made


def keep(cache: PassageVectorCache, parts: Sequence[PassageVectors]) -> int:
    """Put a worker's vectors in the writer's cache; returns how many rows were offered."""
    for part in parts:
        cache.put(part.model, part.keys, np.asarray(part.vectors, dtype=np.float32))
    return sum(len(part.keys) for part in parts)
