"""What the web app holds between requests: settings, one Workspace per worker thread, caches.

A ``Store`` (and the keyword index) wrap SQLite connections that must stay on the thread
that opened them, and FastAPI runs sync endpoints on a thread pool; so each worker thread
opens its own ``Workspace`` on first use and keeps it.  The heavy parts (the embedding
model) are cached per process by ``index.embed``, so a second Workspace costs only its
connections.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from corpus.store import default_data_dir
from corpus.workspace import Workspace
from models.search import Hit

TOKEN_ENV = "REGWATCH_API_TOKEN"
MAX_UPLOAD_ENV = "REGWATCH_MAX_UPLOAD_MB"
DEFAULT_MAX_UPLOAD_MB = 50

K = TypeVar("K")
V = TypeVar("V")


class LRU(Generic[K, V]):
    """A small thread-safe LRU map for immutable values (keyed by file hashes)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()  # outside the lock: two threads may build it once each, harmlessly
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


@dataclass
class Settings:
    data_dir: Path
    api_token: str | None = None
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_MB * 1024 * 1024
    index_uploads: bool = True

    @classmethod
    def from_env(
        cls,
        data_dir: Path | str | None = None,
        *,
        api_token: str | None = None,
        max_upload_bytes: int | None = None,
        index_uploads: bool = True,
    ) -> Settings:
        token = api_token if api_token is not None else os.environ.get(TOKEN_ENV) or None
        if max_upload_bytes is None:
            mb = float(os.environ.get(MAX_UPLOAD_ENV) or DEFAULT_MAX_UPLOAD_MB)
            max_upload_bytes = int(mb * 1024 * 1024)
        return cls(
            data_dir=default_data_dir(data_dir),
            api_token=token,
            max_upload_bytes=max_upload_bytes,
            index_uploads=index_uploads,
        )


@dataclass
class AppState:
    settings: Settings
    _local: threading.local = field(default_factory=threading.local)
    _opened: list[Workspace] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    views: LRU[tuple[str, ...], object] = field(default_factory=lambda: LRU(32))
    diffs: LRU[tuple[str, ...], object] = field(default_factory=lambda: LRU(32))
    _searcher: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="regwatch-search")
    )
    #: The uploads' one writer: store commit, alert and index work, one upload at a time
    #: (their reading and extraction run beside each other, ``service.ingest_upload``).
    upload_lock: threading.Lock = field(default_factory=threading.Lock)

    def search(self, query: str, **filters: object) -> list[Hit]:
        """``Workspace.search`` on one dedicated thread: its index (chroma client, keyword
        store) is opened once, not once per pool thread, and queries do not compete for
        the cores they would all need anyway."""
        return self._searcher.submit(lambda: self.workspace().search(query, **filters)).result()

    def warm_up(self) -> Future[None]:
        """On the search thread, before any search queued after it: run the work earlier
        runs left queued (``corpus.outbox``), open the index and load the embedders.  A
        search sent meanwhile waits for it instead of meeting a half-opened index."""
        return self._searcher.submit(self._warm_up)

    def _warm_up(self) -> None:
        ws = self.workspace()
        ws.recover(index=self.settings.index_uploads)
        if len(ws.index):
            for embedder in ws.index.embedders:
                embedder.embed_queries(["warm-up"])

    def workspace(self) -> Workspace:
        ws: Workspace | None = getattr(self._local, "workspace", None)
        if ws is None:
            ws = Workspace(self.settings.data_dir)
            self._local.workspace = ws
            with self._lock:
                self._opened.append(ws)
        return ws

    def close(self) -> None:
        self._searcher.shutdown(wait=True)
        with self._lock:
            opened, self._opened = self._opened, []
        for ws in opened:
            # Connections belong to their threads; at shutdown a refusal is harmless.
            with contextlib.suppress(Exception):
                ws.close()
