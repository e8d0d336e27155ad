"""Over HTTP one slow upload does not hold the others back (issue 15 item 4): reading and
extraction run beside each other, only the store commit, alert and index work take the
uploads' one writer lock."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

import corpus.pipeline
from tests.web_fixtures import DRAFT, FINAL
from web import create_app

#: How long the slow file's extraction waits to be let go: the test fails, not hangs, when
#: the fast upload cannot finish meanwhile.
HOLD_S = 20.0


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, threading.Event]]:
    """Extraction of a file named ``slow*`` signals ``started`` and waits for ``release``."""
    started, release = threading.Event(), threading.Event()
    extract = corpus.pipeline.extract_records

    def slow_extract(document, **kw):  # type: ignore[no-untyped-def]
        if Path(document.source.path).name.split("-", 1)[-1].startswith("slow"):
            started.set()
            release.wait(HOLD_S)
        return extract(document, **kw)

    monkeypatch.setattr(corpus.pipeline, "extract_records", slow_extract)
    yield started, release
    release.set()


def _post(client: TestClient, pdf: Path, name: str) -> tuple[int, dict]:
    files = {"file": (name, io.BytesIO(pdf.read_bytes()), "application/pdf")}
    response = client.post("/documents?index=false", files=files)
    return response.status_code, response.json()


def test_a_slow_upload_does_not_block_another(
    tmp_path: Path, held: tuple[threading.Event, threading.Event]
) -> None:
    started, release = held
    slow: dict[str, object] = {}
    with TestClient(create_app(tmp_path, api_token="", index_uploads=False)) as client:

        def upload_slow() -> None:
            slow["status"], slow["body"] = _post(client, DRAFT, "slow.pdf")

        worker = threading.Thread(target=upload_slow)
        worker.start()
        assert started.wait(120), "the slow upload never reached extraction"
        status, body = _post(client, FINAL, "fast.pdf")
        # The fast file is stored while the slow one is still being extracted ...
        slow_still_running = worker.is_alive() and not release.is_set()
        release.set()
        worker.join(120)
    assert status == 201 and body["status"] == "new_document", body
    assert slow_still_running
    # ... and the slow one is stored after it, as the next version of the same measures.
    assert slow["status"] == 201, slow
    slow_body = slow["body"]
    assert isinstance(slow_body, dict)
    assert (slow_body["status"], slow_body["doc_id"]) == ("new_version", body["doc_id"])
