"""The web workspace in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright):
search → article, diff with the changed threshold marked, upload → listed and found,
permalinks, citations, downloads, a 390 px wide screen.

Screenshots go to test-artifacts/.  Skipped, with the reason, only where Chromium or
Playwright is absent.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

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
        app = create_app(data_dir, api_token="")
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
    table = page.locator("#redline")
    inserted = table.locator("ins", has_text="10")
    deleted = table.locator("del", has_text="15")
    inserted.first.wait_for()
    assert deleted.count() >= 1
    table.scroll_into_view_if_needed()
    _shot(page, "diff")


def test_upload_a_pdf_see_it_listed_and_find_it(server: LiveServer, page) -> None:
    page.goto(server.url + "/ui/upload?lang=en")
    page.set_input_files("input[type=file]", str(VERSIONS / "anti_monopoly_law_2007.pdf"))
    # Ingest and index on two shared cores: minutes at worst.
    page.set_default_timeout(300_000)
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#flash", timeout=300_000)
    assert "Stored as a new document" in page.locator("#flash").inner_text()
    assert "反垄断法" in page.locator("#flash").inner_text()  # the title, not the id
    rows = page.locator("#documents tbody tr")
    assert rows.count() == 2
    added = page.locator("#documents tr.added")
    assert "垄断" in added.inner_text()
    _shot(page, "upload")
    # The same running server finds the new text at once (issue 18 item 1).
    page.fill("header input[name=q]", "经营者集中申报")
    page.press("header input[name=q]", "Enter")
    page.wait_for_selector("#hits .hit")
    assert "反垄断法" in page.locator("#hits").inner_text()


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


# ---------------------------------------------------------------- issue 18: search (item 2)


QUESTION = "トレーサビリティ情報システムへの製品フロー情報の入力期限は毎月何日か"


def test_search_page_one_box_filters_dates_and_pages(server: LiveServer, page) -> None:
    page.goto(server.url + "/ui")
    page.fill("header input[name=q]", QUESTION)
    page.press("header input[name=q]", "Enter")
    page.wait_for_selector("#hits .hit")
    assert page.locator("input[name=q]").count() == 1  # the page's own box replaces the header's
    meta = page.locator("#hits .hit .meta").first.inner_text()
    assert "公布 2025-07-28" in meta and "施行 2025-07-28" in meta
    assert not re.search(r"\d\.\d{3}", page.locator("#hits").inner_text())  # no raw scores
    # Old versions on request, marked as replaced; more than one page of them.
    page.check("input[name=all_versions]")
    page.click("#search-form button[type=submit]")
    page.wait_for_selector("#hits .hit.superseded")
    assert "v2" in page.locator(".superseded-mark").first.inner_text()
    # More than one page: every hit, the relevance floor off (the pager's links keep it off).
    page.goto(page.url + "&min_relevance=0")
    page.click("#pager a[rel=next]")
    page.wait_for_selector("#hits")
    assert page.locator("#hits").get_attribute("start") == "11"
    assert "page=2" in page.url and "all_versions=true" in page.url
    assert "min_relevance=0" in page.url


def test_search_with_nothing_close_says_so(server: LiveServer, page) -> None:
    page.goto(server.url + "/ui/search?q=" + QUESTION)
    page.fill("input[name=effective_after]", "2099-01-01")
    page.click("#search-form button[type=submit]")
    page.wait_for_selector("#no-match")
    assert page.locator("#hits").count() == 0


# ---------------------------------------------------------------- issue 18: document (item 4)


def test_a_hit_opens_with_its_box_and_a_record_is_a_permalink(server: LiveServer, page) -> None:
    page.goto(server.url + "/ui/search?q=" + QUESTION)
    page.locator("#hits .hit-title").first.click()
    page.wait_for_selector("section.seg.focus")
    assert page.locator("#bbox").is_visible()  # the hit's passage outlined, before any click
    page.locator("tr.rec.k-threshold").first.click()
    record_id = page.locator("tr.rec.on").get_attribute("data-id")
    assert f"record={record_id}" in page.url and page.url.endswith(f"#m-{record_id}")
    page.reload()
    page.wait_for_selector("tr.rec.on")
    assert page.locator("tr.rec.on").get_attribute("data-id") == record_id
    assert page.locator(f"#m-{record_id}.flash-mark").count() == 1
    assert page.locator("#bbox").is_visible()


def test_contents_neighbours_and_copy_citation(server: LiveServer, page) -> None:
    doc_id = doc_id_of(indexed_corpus())
    page.goto(f"{server.url}/ui/documents/{doc_id}?lang=ja")
    page.click("#toc summary")
    page.locator("#toc a", has_text="第十条").click()
    # the focus moves on the page's hashchange handler: wait for it, not for the click (the
    # suite on a loaded machine read the old focus once, CI of 3fdef6d)
    tenth = page.wait_for_selector('section.seg.focus[data-article="10"]')
    assert tenth is not None
    page.locator('section.seg.focus[data-article="10"] a.next-article').click()
    page.wait_for_selector('section.seg.focus[data-article="11"]')
    assert page.locator("section.seg.focus").get_attribute("data-article") == "11"
    page.locator("section.seg.focus button.cite").click()
    cited = page.locator("#cite-status").inner_text()
    assert "第十一条" in cited and "2025-07-28" in cited and "総量規制管理暫定弁法" in cited


# ---------------------------------------------------------------- issue 18: diff (item 5)


def test_diff_links_changes_to_rows_and_downloads(server: LiveServer, page) -> None:
    doc_id = doc_id_of(indexed_corpus())
    page.goto(f"{server.url}/ui/diff?doc={doc_id}&lang=ja")
    assert "公表 2025-02-19" in page.locator("select[name=old]").inner_text()
    link = page.locator("#field-changes li.fc-threshold a").first
    assert link.inner_text() == "第十条"
    link.click()
    target = page.evaluate("document.querySelector(':target').id")
    assert target == link.get_attribute("data-row")
    assert "第十条" in page.locator(f"#{target}").inner_text()
    with page.expect_download() as download:
        page.click("text=Markdown")
    saved = download.value.path()
    assert download.value.suggested_filename.endswith(".md")
    assert "新旧対照表" in Path(saved).read_text(encoding="utf-8")


# ---------------------------------------------------------------- issue 18: 390 px (item 9)


@pytest.mark.parametrize(
    "path",
    ["/ui", "/ui/search?q=" + QUESTION, "/ui/documents/{doc}", "/ui/diff?doc={doc}", "/ui/alerts"],
    ids=["home", "search", "document", "diff", "alerts"],
)
def test_a_390_px_screen_never_scrolls_sideways(server: LiveServer, browser, path: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP")
    page = context.new_page()
    page.goto(server.url + path.format(doc=doc_id_of(indexed_corpus())))
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_on_a_phone_the_page_image_sits_below_its_record(server: LiveServer, browser) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP")
    page = context.new_page()
    page.goto(f"{server.url}/ui/documents/{doc_id_of(indexed_corpus())}")
    row = page.locator("tr.rec.k-threshold").first
    row.click()
    following = page.locator("tr.rec.on + tr.prov-row")
    assert following.locator("#page-img").is_visible()
    assert page.locator("#bbox").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_swagger_authorize_sends_the_bearer_token(server: LiveServer, page) -> None:
    """OpenAPI declares the bearer scheme, so Swagger's Authorize button sets the header."""
    sent: list[str] = []
    page.on(
        "request",
        lambda r: (
            sent.append(r.headers.get("authorization", ""))
            if r.method == "POST" and urlsplit(r.url).path == "/documents"
            else None
        ),
    )
    page.goto(server.url + "/docs")
    page.click("button.authorize")
    page.fill(".auth-container input", "s3cret")
    page.click(".auth-btn-wrapper button.authorize")
    page.click("button.btn-done")
    page.click("#operations-documents-upload_document_documents_post .opblock-summary")
    page.click("button.try-out__btn")
    page.set_input_files(
        "#operations-documents-upload_document_documents_post input[type=file]",
        str(VERSIONS / "rare_earth_measures_final.pdf"),
    )
    page.click("button.execute")
    page.wait_for_selector(".live-responses-table .response-col_status", timeout=120_000)
    assert sent == ["Bearer s3cret"]
