"""Passage vectors by content: the same text through the same embedder is embedded once.

Versions of a document and re-issued notices share most of their chunks word for word, but
each version's chunks have their own ids (document, version, offset), so the index alone
embeds them again for every version.  This cache keys a vector by the SHA-256 of the passage
text and by the embedder that made it (``model_key``: its identity fields and the passage
engine, so fp32 and int8 vectors never answer for each other), and lives beside the index
(``index/passage-vectors.sqlite``): ``reindex`` drops the chroma collections but not this
file, so a rebuild embeds only texts it has never seen.

It is a cache, never the truth: a missing or unreadable row is embedded again, and the file
may be deleted at any time.  Rows are never updated in place (a key's vector is a function of
the key), so concurrent writers only ever insert the same bytes (``INSERT OR IGNORE``).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

CACHE_FILE = "passage-vectors.sqlite"
BUSY_TIMEOUT_S = 30.0
#: Keys per ``IN (...)`` look-up (SQLite's variable limit is 32766 on current builds, 999 on
#: old ones).
LOOKUP_BATCH = 900


def model_key(identity: dict[str, Any], passage_engine: str) -> str:
    """A short, stable name for "vectors made by this embedder through this engine"."""
    blob = json.dumps([identity, passage_engine], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


def text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


class PassageVectorCache:
    """``(model_key, sha256(text)) -> float32 vector`` in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors ("
            " model TEXT NOT NULL, key BLOB NOT NULL, vector BLOB NOT NULL,"
            " PRIMARY KEY (model, key)) WITHOUT ROWID"
        )
        self._db.commit()

    @classmethod
    def read_only(cls, path: Path) -> PassageVectorCache:
        """An existing cache opened for reading (an ``add`` worker: the writer alone writes)."""
        cache = cls.__new__(cls)
        cache.path = Path(path)
        uri = f"{cache.path.resolve().as_uri()}?mode=ro"
        cache._db = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
        return cache

    def get(self, model: str, keys: Sequence[bytes], dim: int) -> dict[bytes, np.ndarray]:
        """The vectors held for ``keys`` (those of another width are ignored)."""
        found: dict[bytes, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), LOOKUP_BATCH):
            part = unique[start : start + LOOKUP_BATCH]
            marks = ",".join("?" * len(part))
            rows = self._db.execute(
                f"SELECT key, vector FROM vectors WHERE model = ? AND key IN ({marks})",
                (model, *part),
            ).fetchall()
            for key, blob in rows:
                if len(blob) == dim * 4:
                    found[bytes(key)] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put(self, model: str, keys: Sequence[bytes], vectors: np.ndarray) -> None:
        rows = [
            (model, key, np.ascontiguousarray(vector, dtype=np.float32).tobytes())
            for key, vector in zip(keys, vectors, strict=True)
        ]
        with self._db:
            self._db.executemany("INSERT OR IGNORE INTO vectors VALUES (?, ?, ?)", rows)

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM vectors").fetchone()[0])

    def close(self) -> None:
        self._db.close()


def cached_vectors(
    cache: PassageVectorCache | None,
    model: str,
    dim: int,
    texts: Sequence[str],
    embed: Callable[[Sequence[str]], np.ndarray],
) -> tuple[np.ndarray, int]:
    """``embed(texts)`` with every text the cache holds taken from it, the others embedded
    (each distinct one once) and stored; returns the vectors and how many were embedded."""
    if cache is None or not texts:
        return embed(texts), len(texts)
    keys = [text_key(t) for t in texts]
    held = cache.get(model, keys, dim)
    missing = list(dict.fromkeys(k for k in keys if k not in held))
    if missing:
        text_of = dict(zip(keys, texts, strict=True))  # equal keys: equal texts
        fresh = embed([text_of[k] for k in missing])
        cache.put(model, missing, fresh)
        held.update(zip(missing, np.asarray(fresh, dtype=np.float32), strict=True))
    return np.stack([held[k] for k in keys]).astype(np.float32, copy=False), len(missing)
