"""The web workspace in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright):
search → article, diff with the changed threshold marked, upload → listed.

Screenshots go to test-artifacts/.  Skipped, with the reason, only where Chromium or
Playwright is absent.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web_fixtures import VERSIONS, doc_id_of, indexed_corpus
from web import create_app

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = pytest.mark.slow


class LiveServer:
    """uvicorn in a thread on a free localhost port."""

    def __init__(self, data_dir: Path) -> None:
        import uvicorn

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        app = create_app(data_dir, api_token="", index_uploads=False)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    import shutil

    # A copy: the upload test adds a document, the others must not see it.
    data_dir = tmp_path_factory.mktemp("browser-corpus")
    shutil.copytree(indexed_corpus(), data_dir, dirs_exist_ok=True)
    with LiveServer(data_dir) as live:
        yield live


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 1400, "height": 1000}, locale="ja-JP"
    )
    yield context.new_page()
    context.close()


def _shot(page: object, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"web_{name}.png"
    page.screenshot(path=str(path))  # type: ignore[attr-defined]
    return path


def test_search_a_japanese_question_and_open_the_article(server: LiveServer, page) -> None:
    page.goto(server.url + "/ui")
    page.fill(
        "header input[name=q]",
        "トレーサビリティ情報システムへの製品フロー情報の入力期限は毎月何日か",
    )
    page.press("header input[name=q]", "Enter")
    page.wait_for_selector("#hits .hit")
    _shot(page, "search")
    first = page.locator("#hits .hit-title").first
    assert "第十条" in first.inner_text()
    first.click()
    focus = page.locator("section.seg.focus")
    focus.wait_for()
    assert focus.get_attribute("data-article") == "10"
    assert "毎月10日までに" in focus.locator("mark.k-threshold").first.inner_text()
    # Clicking the threshold in the records panel outlines it on the rendered PDF page.
    page.locator("tr.rec.k-threshold").first.click()
    page.wait_for_selector("#bbox:not([hidden])")
    page.wait_for_function("document.getElementById('page-img').naturalWidth > 0")
    _shot(page, "document")


def test_diff_marks_the_changed_threshold(server: LiveServer, page) -> None:
    doc_id = doc_id_of(indexed_corpus())
    page.goto(f"{server.url}/ui/diff?doc={doc_id}")
    changes = page.locator("#field-changes li.fc-threshold")
    assert "毎月10日までに" in changes.first.inner_text()
    frame = page.frame_locator("#redline")
    inserted = frame.locator("ins", has_text="10")
    deleted = frame.locator("del", has_text="15")
    inserted.first.wait_for()
    assert deleted.count() >= 1
    page.locator("#redline").scroll_into_view_if_needed()
    _shot(page, "diff")


def test_upload_a_pdf_and_see_it_listed(server: LiveServer, page) -> None:
    page.goto(server.url + "/ui/upload?lang=en")
    page.set_input_files("input[type=file]", str(VERSIONS / "anti_monopoly_law_2007.pdf"))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#flash", timeout=120_000)
    rows = page.locator("#documents tbody tr")
    assert rows.count() == 2
    added = page.locator("#documents tr.added")
    assert "垄断" in added.inner_text()
    _shot(page, "upload")


def test_upload_of_a_bad_file_shows_its_error_code(
    server: LiveServer, page, tmp_path: Path
) -> None:
    bad = tmp_path / "notes.pdf"
    bad.write_text("not a pdf", encoding="utf-8")
    page.goto(server.url + "/ui/upload")
    page.set_input_files("input[type=file]", str(bad))
    page.click("#upload-form button[type=submit]")
    assert "E101" in page.locator("#upload-error").inner_text()


def test_api_docs_render_offline(server: LiveServer, page) -> None:
    outside: list[str] = []
    page.on(
        "request",
        lambda request: None if request.url.startswith(server.url) else outside.append(request.url),
    )
    page.goto(server.url + "/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=30_000)
    assert "/documents" in page.locator(".opblock-summary-path").all_inner_texts()
    assert outside == []
    _shot(page, "docs")
