"""A chroma collection kept close to its live vectors by rebuilding it into a new generation.

Chroma's HNSW never removes a vector: a delete, or a re-insert of an id, leaves a tombstone
in the graph, so a collection whose ids churn (the latest-versions collection: every new
version retires its predecessor's vectors) grows with every vector it ever held, in memory,
in the cost of each insert and of each save, and in graph state that chroma has crashed on
(chroma-core/chroma#6979: a SIGSEGV walking an HNSW with a null neighbour list, which "a
full collection.add() rebuild fixes"; an in-place rebuild keeps it).  So a ``Generation``
counts the vectors inserted since its collection was built (in ``generation-counts.json``
beside an embedded store, in the ``COUNTS`` collection of a Chroma server: every writer
process sees them), and once the tombstones (inserted - live)
outnumber the live vectors it copies the live ones into a fresh collection by
``collection.add``, then switches readers to it:

- the copy is built under ``NAME.bN`` (never read), renamed to ``NAME.gN`` when complete
  (one sysdb write), then the previous generation is dropped.  A build killed midway leaves
  a ``.bN`` that readers never resolve and the next build deletes: the old generation keeps
  serving, no half state.  Killed after the rename: both complete, the highest serves.
- the embedded client keeps a dropped generation's memory until it is closed: the vectors
  dropped are counted to the process's ``ChromaClient``, which replaces its client past a
  bound (``index.chroma_client``); handles then resolve again.
- readers resolve a logical name to its highest ``.gN`` (``NAME`` itself is generation 0, the
  name indexes had before), and resolve again when a call meets "collection not found" (a
  reader in another process, the web server, still holds the dropped one), retrying once.

Writers call ``note_inserted`` and ``compact_if_due`` under ``index_lock`` (every index
write path takes it), so two writers never rebuild at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

#: A collection holding no vectors whose metadata maps each generation's collection name to
#: the vectors inserted into it since its build.  Not the counted collection's own metadata:
#: modifying an embedded collection makes another process reopen it from its last save,
#: losing what was written since ("Error finding id": tests/test_concurrent_latest.py).
COUNTS = "regwatch-chunks.counts"
#: No rebuild for fewer tombstones than this: a small collection's rebuild would cost more
#: than its tombstones do.
MIN_TOMBSTONES = 1000
#: Rows copied per get/add call of a rebuild (chroma's own batch limit may be lower).
COPY_BATCH = 2000

T = TypeVar("T")


def _not_found() -> type[Exception]:
    from chromadb.errors import NotFoundError

    return NotFoundError


def generation_of(logical: str, name: str) -> int | None:
    """The generation ``name`` is of ``logical`` (0 for ``logical`` itself), else None;
    a ``.bN`` build in progress is no generation."""
    if name == logical:
        return 0
    match = re.fullmatch(re.escape(logical) + r"\.g(\d+)", name)
    return int(match.group(1)) if match else None


def is_build_of(logical: str, name: str) -> bool:
    return re.fullmatch(re.escape(logical) + r"\.b\d+", name) is not None


def _names(client: Any) -> list[str]:
    return [str(getattr(c, "name", c)) for c in client.list_collections()]


def has_generation(client: Any, logical: str) -> bool:
    """Whether ``logical`` has a complete generation (without creating one)."""
    return any(generation_of(logical, name) is not None for name in _names(client))


class Generation:
    """One logical collection (e.g. ``regwatch-chunks-old``) and its current generation."""

    def __init__(
        self,
        client: Any,
        logical: str,
        configuration: dict[str, Any],
        counts_file: Path | None = None,
    ) -> None:
        self.client = client
        # An embedded store counts in a file beside it: any change to a collection's record
        # in chroma's sysdb (even another collection's metadata) makes a second writer
        # process's copy of the collections stale ("Error finding id",
        # tests/test_concurrent_latest.py); a Chroma server is one process and counts in COUNTS.
        self.counts_file = counts_file
        self.logical = logical
        self.configuration = configuration
        self._handle: Any = None
        self._epoch = 0
        self.resolve()

    @property
    def handle(self) -> Any:
        """The current generation's collection, resolved again when the process's client
        was recycled since (``index.chroma_client``: a handle belongs to its client)."""
        if self._handle is not None and self._epoch != getattr(self.client, "epoch", 0):
            self.resolve()
        return self._handle

    @handle.setter
    def handle(self, value: Any) -> None:
        self._handle = value
        self._epoch = getattr(self.client, "epoch", 0)

    # -- readers --------------------------------------------------------------------------
    def generations(self) -> dict[int, str]:
        """Every complete generation's number and collection name."""
        found = {}
        for name in _names(self.client):
            number = generation_of(self.logical, name)
            if number is not None:
                found[number] = name
        return found

    def resolve(self) -> Any:
        """The highest complete generation (generation 0 created when there is none)."""
        found = self.generations()
        if found:
            self.handle = self.client.get_collection(found[max(found)])
        else:
            self.handle = self.client.get_or_create_collection(
                self.logical, embedding_function=None, configuration=self.configuration
            )
        return self.handle

    def call(self, action: Callable[[Any], T]) -> T:
        """``action(collection)``; once more on the newest generation if the one held is
        gone (rebuilt by another process)."""
        try:
            return action(self.handle)
        except _not_found():
            return action(self.resolve())

    # -- writers (under index_lock) -------------------------------------------------------
    def _counts(self) -> tuple[Any, dict[str, Any]]:
        """The counts collection (None: the counts file) and the counts, read fresh (another
        writer may have counted since)."""
        if self.counts_file is not None:
            text = self.counts_file.read_text(encoding="utf-8") if self.counts_file.exists() else ""
            return None, dict(json.loads(text or "{}"))
        counts = self.client.get_or_create_collection(COUNTS, embedding_function=None)
        return counts, dict(counts.metadata or {})

    def inserted(self) -> int:
        """Vectors inserted since the build; a collection from before the count counts its
        live vectors (its history unknown)."""
        value = self._counts()[1].get(self.handle.name)
        return int(value) if value is not None else int(self.handle.count())

    def _set_inserted(self, counts: dict[str, int]) -> None:
        """Set these collections' counts; drop those of collections gone."""
        collection, meta = self._counts()
        alive = set(_names(self.client))
        meta = {k: v for k, v in {**meta, **counts}.items() if k in alive}
        if self.counts_file is not None:  # whole or not at all; writers hold index_lock
            tmp = self.counts_file.with_name(self.counts_file.name + ".tmp")
            tmp.write_text(json.dumps(meta), encoding="utf-8")
            os.replace(tmp, self.counts_file)
            return
        # chroma refuses an empty metadata mapping: a placeholder key keeps it valid.
        collection.modify(metadata=meta or {"none": 0})

    def note_inserted(self, count: int) -> None:
        """Count ``count`` more inserts, then rebuild if the tombstones are due."""
        if count <= 0:
            return
        total = self.inserted() + count
        self._set_inserted({self.handle.name: total})
        self.compact_if_due(total)

    def compact_if_due(self, inserted: int | None = None) -> bool:
        live = int(self.handle.count())
        inserted = self.inserted() if inserted is None else inserted
        if inserted - live <= max(live, MIN_TOMBSTONES):
            return False
        self.rebuild()
        return True

    def rebuild(self, interrupt: Callable[[int], None] | None = None) -> None:
        """Copy the live vectors into generation N+1, switch to it, drop the older ones.
        ``interrupt(copied)`` is called after each copied batch (tests kill the process
        there)."""
        names = _names(self.client)
        for name in names:  # a build a killed process left
            if is_build_of(self.logical, name):
                self.client.delete_collection(name)
        current = self.generations()
        dropped = self.inserted()  # what the generation being replaced holds, tombstones too
        number = max(current, default=0) + 1
        source = self.client.get_collection(current[max(current)]) if current else self.handle
        live = int(source.count())
        build = self.client.create_collection(
            f"{self.logical}.b{number}",
            embedding_function=None,
            configuration=self.configuration,
        )
        copied = 0
        while copied < live:
            rows = source.get(include=["embeddings", "metadatas"], limit=COPY_BATCH, offset=copied)
            if not rows["ids"]:
                break
            build.add(
                ids=rows["ids"],
                embeddings=np.asarray(rows["embeddings"], np.float32),
                metadatas=rows["metadatas"],
            )
            copied += len(rows["ids"])
            if interrupt is not None:
                interrupt(copied)
        if int(build.count()) != live:
            self.client.delete_collection(build.name)
            raise RuntimeError(f"rebuild of {self.logical} copied {build.count()} of {live}")
        build.modify(name=f"{self.logical}.g{number}")
        self._set_inserted({f"{self.logical}.g{number}": live})
        for old in current.values():
            with contextlib.suppress(_not_found()):  # another process dropped it already
                self.client.delete_collection(old)
        self.resolve()
        sweep_dropped_segments(self.client)
        self._note_dropped(dropped)

    def _note_dropped(self, vectors: int) -> None:
        """The embedded client keeps a dropped collection's memory: past a bound it is
        replaced (``index.chroma_client``); every handle then resolves again on next use."""
        note_dropped = getattr(self.client, "note_dropped", None)
        if note_dropped is not None:
            note_dropped(vectors)

    def drop(self) -> None:
        """Every generation and build of this logical collection (``reindex``)."""
        dropped = 0
        with contextlib.suppress(_not_found()):  # deleted already (``_drop_collections``)
            dropped = self.inserted() if self._handle is not None else 0
        for name in _names(self.client):
            if generation_of(self.logical, name) is not None or is_build_of(self.logical, name):
                with contextlib.suppress(_not_found()):
                    self.client.delete_collection(name)
        self._handle = None
        sweep_dropped_segments(self.client)
        self._note_dropped(dropped)


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def sweep_dropped_segments(client: Any) -> list[Path]:
    """Remove the HNSW folders of dropped collections from an embedded store's folder.

    Chroma 1.5.9 deletes a collection's rows but leaves its segment folder on disk
    (chroma-core/chroma#5259: the files are for a garbage collector the embedded store does
    not run), so every rebuild would leave its predecessor's files.  A folder named by a
    segment id that ``segments`` no longer holds is such a leftover.  The folders are listed
    before the table is read: chroma writes a segment's row before its folder, so a folder
    made meanwhile has its row in what is read.  A Chroma server's folders are its own.
    """
    settings = client.get_settings()
    if not getattr(settings, "is_persistent", False) or not settings.persist_directory:
        return []
    root = Path(settings.persist_directory)
    folders = [p for p in root.iterdir() if p.is_dir() and _UUID.fullmatch(p.name)]
    if not folders:
        return []
    with contextlib.closing(
        sqlite3.connect(f"file:{root / 'chroma.sqlite3'}?mode=ro", uri=True)
    ) as db:
        known = {row[0] for row in db.execute("SELECT id FROM segments")}
    gone = [p for p in folders if p.name not in known]
    for folder in gone:
        shutil.rmtree(folder, ignore_errors=True)
    return gone
