"""The process's chroma client of one store: shared by every collection of the store, and,
for an embedded store, replaced once it holds too much of what was dropped.

chromadb 1.5.9's embedded client (its Rust bindings) keeps a dropped collection's memory
until the client's ``System`` stops: 12 rounds of create, add 3,000 vectors of 512 floats,
``delete_collection`` took RSS 140 -> 262 MB with the client kept, 122 -> 176 MB when it was
closed and made again after each round (with ``malloc_trim``), flat at 111-115 MB with that
and two malloc arenas (one run each, /tmp probe, 6 Dec 2026).  ``index.generations`` drops a
generation at every rebuild, so an ``add`` of 1,000 PDFs kept every dropped generation
(peak 2.35 GB, bench/README.md).  So a ``ChromaClient`` counts the vectors of the
generations dropped through it and, past ``RECYCLE_VECTORS``, closes its client and makes a
new one (``recycle``).  A Chroma server keeps its memory in its own process: its client is
never recycled.

Everything that holds a chroma object must see the new client:
- the ``ChromaClient`` itself is what callers keep (``make_client`` returns it); attribute
  access goes to the current client, so ``client.list_collections()`` always works;
- collection handles belong to the client that made them: ``epoch`` counts recycles, and a
  ``Generation`` whose handle is of an older epoch resolves it again before use;
- a search in another thread (the web server) must not meet a closed client mid-call: reads
  run in ``reading()``, and ``recycle`` waits for those in progress and holds new ones back
  until the new client is made.  Writers are one at a time already (``index_lock``), and the
  writer is the thread that recycles.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from index.heap import release_freed_heap
from models.errors import ConfigError

#: Vectors in dropped generations a client may hold before it is recycled.  About 3.4 KB a
#: 512-float vector stays behind (the probe above), so ~70 MB; a recycle costs re-opening the
#: collections (their HNSW files are read again on first use).
RECYCLE_VECTORS = 20_000


def _settings() -> Any:
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    from chromadb.config import Settings

    return Settings(anonymized_telemetry=False)


def new_chroma_client(path: Path | None = None, url: str | None = None) -> Any:
    """A chromadb ``HttpClient`` for ``url`` (http://host:port), else a ``PersistentClient``
    at ``path``."""
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


class _Gate:
    """Many readers, or one recycle: a shared/exclusive lock whose shared side may be taken
    again by a thread that holds it (a read inside a read must not wait for a recycle that
    waits for the outer read)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._closing = False
        self._local = threading.local()

    def depth(self) -> int:
        return int(getattr(self._local, "depth", 0))

    @contextlib.contextmanager
    def shared(self) -> Iterator[None]:
        depth = self.depth()
        if depth == 0:
            with self._cond:
                while self._closing:
                    self._cond.wait()
                self._readers += 1
        self._local.depth = depth + 1
        try:
            yield
        finally:
            self._local.depth = depth
            if depth == 0:
                with self._cond:
                    self._readers -= 1
                    if self._readers == 0:
                        self._cond.notify_all()

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._cond:
            while self._closing:  # another recycle first
                self._cond.wait()
            self._closing = True
            while self._readers:
                self._cond.wait()
        try:
            yield
        finally:
            with self._cond:
                self._closing = False
                self._cond.notify_all()


class ChromaClient:
    """One store's chroma client in this process; see the module docstring."""

    def __init__(self, path: Path | None = None, url: str | None = None) -> None:
        self.path = path
        self.url = url
        self.epoch = 0
        #: Vectors held by the generations dropped since the current client was made.
        self.dropped = 0
        self._gate = _Gate()
        self._client = new_chroma_client(path, url)

    @property
    def embedded(self) -> bool:
        return not self.url

    @property
    def current(self) -> Any:
        """The chromadb client itself (valid until the next recycle)."""
        return self._client

    def __getattr__(self, name: str) -> Any:
        # Only for names this class lacks: chromadb's own API (list_collections, ...).
        if name.startswith("__") or name == "_client":
            raise AttributeError(name)
        return getattr(self._client, name)

    def reading(self) -> contextlib.AbstractContextManager[None]:
        """A section in which the client is not replaced (a search, a listing)."""
        return self._gate.shared()

    def note_dropped(self, vectors: int) -> bool:
        """Count ``vectors`` held by a generation just dropped; recycle once past
        ``RECYCLE_VECTORS``.  Whether it recycled."""
        self.dropped += max(0, int(vectors))
        if self.dropped < RECYCLE_VECTORS:
            return False
        return self.recycle()

    def recycle(self) -> bool:
        """Close the embedded client and make a new one (a server's: nothing to do).  Not
        from inside a ``reading()`` section of this thread (it would wait for itself):
        then nothing happens, and the count stays due for the next drop."""
        if not self.embedded or self._gate.depth():
            return False
        with self._gate.exclusive():
            with contextlib.suppress(Exception):  # a client that fails to close is dropped
                self._client.close()
            self._client = new_chroma_client(self.path, self.url)
            self.epoch += 1
            self.dropped = 0
        # What the closed client freed, back to the system (the probe above: closing alone
        # ended at 234 MB, closing and trimming at 176).
        release_freed_heap()
        return True
