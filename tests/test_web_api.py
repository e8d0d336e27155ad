"""The HTTP API over the sample corpus: documents, records, diff, alerts, uploads, errors."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from corpus.store import Store
from ingest.extract import extract_records
from models.document import DocumentIdentity
from tests.factories import make_document
from tests.web_fixtures import DRAFT, indexed_corpus
from web import create_app
from web.i18n import STRINGS

ATOM = "{http://www.w3.org/2005/Atom}"


def _upload(client: TestClient, data: bytes, name: str = "notice.pdf", **kw: object):
    files = {"file": (name, io.BytesIO(data), "application/pdf")}
    return client.post("/documents?index=false", files=files, **kw)


# ---------------------------------------------------------------- reading


def test_documents_are_listed_with_pagination(client: TestClient, doc_id: str) -> None:
    page = client.get("/documents").json()
    assert page["total"] == 1
    (doc,) = page["documents"]
    assert doc["doc_id"] == doc_id and doc["versions"] == 2
    assert "レアアース" in doc["title"]
    assert client.get("/documents?offset=1&limit=1").json()["documents"] == []


def test_document_detail_lists_versions_and_identity(client: TestClient, doc_id: str) -> None:
    body = client.get(f"/documents/{doc_id[:6]}").json()  # a unique prefix resolves
    assert body["doc_id"] == doc_id
    assert [v["version"] for v in body["versions"]] == [1, 2]
    assert body["latest_version"] == 2
    assert body["identity"]["kind"] == "measures"
    assert "工業情報化部" in body["identity"]["issuers"]


@pytest.mark.parametrize(
    ("version", "article", "expected"),
    [
        ("1", 9, "毎月15日までに"),  # draft: the reporting day before the final moved it
        ("2", 10, "毎月10日までに"),
        ("latest", 10, "毎月10日までに"),
    ],
    ids=["draft-art9-15th", "final-art10-10th", "latest-art10"],
)
def test_records_filtered_by_kind_and_article(
    client: TestClient, doc_id: str, version: str, article: int, expected: str
) -> None:
    url = f"/documents/{doc_id}/versions/{version}/records?kind=threshold&article={article}"
    result = client.get(url).json()
    assert result["schema_version"]
    texts = [r["text"] for r in result["records"]]
    assert texts == [expected]
    assert all(r["kind"] == "threshold" and r["article"] == article for r in result["records"])
    assert result["records"][0]["provenance"]["page"] >= 1


def test_version_endpoint_returns_extraction(client: TestClient, doc_id: str) -> None:
    body = client.get(f"/documents/{doc_id}/versions/2").json()
    assert body["version"]["version"] == 2
    kinds = {r["kind"] for r in body["extraction"]["records"]}
    assert {"article", "threshold", "date"} <= kinds


@pytest.mark.parametrize(
    "url",
    [
        "/documents/nosuchdoc",
        "/documents/{doc}/versions/9/records",
        "/documents/{doc}/versions/abc",
        "/diff?old=nosuchdoc@1&new={doc}@2",
        # A ref is never read as a server path (Workspace.diff accepts PDF paths).
        "/diff?old=/etc/passwd&new={doc}@2",
    ],
    ids=["unknown-doc", "unknown-version", "bad-version", "diff-unknown", "diff-path"],
)
def test_unknown_refs_are_404_with_coded_error(client: TestClient, doc_id: str, url: str) -> None:
    response = client.get(url.format(doc=doc_id))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "E200"
    assert response.json()["error"]["message"]


def test_bad_query_parameter_is_422(client: TestClient) -> None:
    response = client.get("/documents?limit=0")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "E100"


def test_diff_json_has_the_threshold_change(client: TestClient, doc_id: str) -> None:
    diff = client.get(f"/diff?old={doc_id}@1&new={doc_id}@2").json()
    assert diff["old"] == f"{doc_id}@1" and diff["new"] == f"{doc_id}@2"
    thresholds = [c for c in diff["field_changes"] if c["kind"] == "threshold"]
    assert any("15日" in c["old"] and "10日" in c["new"] for c in thresholds)
    assert {a["status"] for a in diff["alignment"]} >= {"modified", "added"}


def test_diff_html_is_the_shin_kyu_table(client: TestClient, doc_id: str) -> None:
    response = client.get(f"/diff?old={doc_id}@1&new={doc_id}@2", headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("text/html")
    assert "新旧対照表" in response.text
    assert "<ins>" in response.text and "<del>" in response.text


def test_alerts_newest_first_and_filtered(client: TestClient, doc_id: str) -> None:
    alerts = client.get("/alerts").json()["alerts"]
    assert [a["event"] for a in alerts] == ["new_version", "new_document"]
    only = client.get("/alerts?event=new_version&kind=threshold").json()["alerts"]
    assert [a["version"] for a in only] == [2]
    assert client.get("/alerts?q=no-such-words-anywhere").json()["alerts"] == []


def test_atom_feed_is_valid_xml_with_one_entry_per_alert(client: TestClient) -> None:
    response = client.get("/alerts.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert len(feed.findall(f"{ATOM}entry")) == 2


def test_page_image_is_png(client: TestClient, doc_id: str) -> None:
    plain = client.get(f"/documents/{doc_id}/versions/2/pages/1.png")
    assert plain.status_code == 200 and plain.content.startswith(b"\x89PNG")
    boxed = client.get(f"/documents/{doc_id}/versions/2/pages/1.png?bbox=72,130,523,175")
    assert boxed.content.startswith(b"\x89PNG") and boxed.content != plain.content
    assert client.get(f"/documents/{doc_id}/versions/2/pages/99.png").status_code == 404


def test_openapi_document_lists_the_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/documents", "/documents/{doc_id}", "/search", "/diff", "/alerts.atom"):
        assert path in paths
    assert "post" in paths["/documents"]


def test_docs_page_serves_swagger_ui_from_this_server(client: TestClient) -> None:
    html = client.get("/docs").text
    assert "/openapi.json" in html
    scripts = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert scripts and all(url.startswith("/") for url in scripts), scripts  # no CDN
    for url in scripts:
        assert client.get(url).status_code == 200, url


def test_server_timing_header(client: TestClient) -> None:
    assert client.get("/documents").headers["server-timing"].startswith("app;dur=")


# ---------------------------------------------------------------- uploads and errors


def test_upload_stores_a_new_document_then_reports_it_unchanged(tmp_path: Path) -> None:
    with TestClient(create_app(tmp_path, api_token="")) as client:
        first = _upload(client, DRAFT.read_bytes(), "../../etc/draft measures.pdf")
        assert first.status_code == 201, first.text
        body = first.json()
        assert body["status"] == "new_document" and body["alerts"]
        stored = Path(body["path"])
        assert stored.parent == tmp_path / "uploads" and stored.is_file()
        assert client.get("/documents").json()["total"] == 1
        again = _upload(client, DRAFT.read_bytes())
        assert again.status_code == 200 and again.json()["status"] == "unchanged"


def test_one_pdf_uploaded_under_several_names_is_one_stored_file(tmp_path: Path) -> None:
    with TestClient(create_app(tmp_path, api_token="")) as client:
        answers = [
            _upload(client, DRAFT.read_bytes(), name).json()
            for name in ("draft.pdf", "意見募集稿.pdf", "copy (2).pdf")
        ]
    assert [a["status"] for a in answers] == ["new_document", "unchanged", "unchanged"]
    kept = [p for p in (tmp_path / "uploads").iterdir() if p.is_file()]
    assert [p.name for p in kept] == [Path(answers[0]["path"]).name]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"%!PS-Adobe-3.0 this is PostScript, not a PDF\n", "E101"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage without xref", "E102"),
        (b"", "E105"),
    ],
    ids=["not-a-pdf", "corrupt-pdf", "empty"],
)
def test_bad_upload_is_422_with_its_input_code(tmp_path: Path, data: bytes, code: str) -> None:
    with TestClient(create_app(tmp_path, api_token="")) as client:
        response = _upload(client, data, "bad.pdf")
        assert response.status_code == 422
        assert response.json()["error"]["code"] == code
        assert client.get("/documents").json()["total"] == 0
    assert not [p for p in (tmp_path / "uploads").iterdir() if p.is_file()]


def test_over_size_upload_is_413(tmp_path: Path) -> None:
    with TestClient(create_app(tmp_path, api_token="", max_upload_bytes=10_000)) as client:
        response = _upload(client, DRAFT.read_bytes())  # 136 kB > 10 kB + form overhead
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "E106"


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "E601"),
        ({"Authorization": "Bearer wrong"}, 401, "E601"),
        ({"Authorization": "Bearer s3cret", "Origin": "http://evil.example"}, 403, "E602"),
        ({"Authorization": "Bearer s3cret"}, 422, "E101"),  # authorised; then the bad file
    ],
    ids=["missing-token", "wrong-token", "cross-site", "right-token"],
)
def test_token_guards_uploads(
    tmp_path: Path, headers: dict[str, str], status: int, code: str
) -> None:
    with TestClient(create_app(tmp_path, api_token="s3cret")) as client:
        response = _upload(client, b"not a pdf", headers=headers)
        assert response.status_code == status
        assert response.json()["error"]["code"] == code
        assert client.get("/documents").status_code == 200  # reads need no token


# ---------------------------------------------------------------- pages


def test_pages_render_in_japanese_and_english(client: TestClient, doc_id: str) -> None:
    assert STRINGS["documents"]["ja"] in client.get("/ui").text
    assert STRINGS["documents"]["en"] in client.get("/ui?lang=en").text
    english = client.get("/ui/alerts", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert STRINGS["alerts"]["en"] in english.text
    page = client.get(f"/ui/documents/{doc_id}?v=2")
    assert page.status_code == 200
    assert '<mark class="k-threshold"' in page.text and "毎月10日までに" in page.text
    missing = client.get("/ui/documents/nosuchdoc")
    assert missing.status_code == 404 and "E200" in missing.text


def test_document_text_is_escaped(tmp_path: Path) -> None:
    hostile = (
        "<script>alert('x')</script>管理弁法\n"
        "第一条 企業は毎月10日までに<img src=x onerror=alert(1)>報告しなければならない。"
    )
    document = make_document(
        hostile, identity=DocumentIdentity(title="<b>弁法</b>", kind="measures")
    )
    with Store(tmp_path) as store:
        outcome = store.add_version(document, extract_records(document))
    with TestClient(create_app(tmp_path, api_token="")) as client:
        html = client.get(f"/ui/documents/{outcome.doc_id}").text
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;弁法&lt;/b&gt;" in html


@pytest.mark.slow
def test_search_answers_a_japanese_question_with_the_right_article() -> None:
    data_dir = indexed_corpus()
    question = (  # tests/data/dev/questions.json q01
        "レアアース生産企業は、前月のレアアース製品フロー情報を毎月何日までに"
        "トレーサビリティ情報システムに入力しなければならないか。"
    )
    with TestClient(create_app(data_dir, api_token="")) as client:
        hits = client.get("/search", params={"q": question, "k": 3}).json()["hits"]
        assert hits[0]["chunk"]["article"] == 10
        assert hits[0]["chunk"]["version"] == 2  # the latest version only
        assert "毎月10日" in hits[0]["chunk"]["text"]
        page = client.get("/ui/search", params={"q": question})
        assert "/ui/documents/" in page.text and "#focus" in page.text


@pytest.fixture(scope="module")
def indexed_client() -> Iterator[TestClient]:
    with TestClient(create_app(indexed_corpus(), api_token="")) as client:
        yield client


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "answered"),
    [
        pytest.param("xyzzyqwv", False, id="nonsense"),
        pytest.param("How do I bake sourdough bread at home?", False, id="off-topic-en"),
        pytest.param("明天北京会下雨吗？", False, id="off-topic-zh"),
        pytest.param(  # tests/data/dev/questions.json q01
            "レアアース生産企業は、前月のレアアース製品フロー情報を毎月何日までに"
            "トレーサビリティ情報システムに入力しなければならないか。",
            True,
            id="dev-question",
        ),
    ],
)
def test_search_says_when_nothing_is_close(
    indexed_client: TestClient, question: str, answered: bool
) -> None:
    body = indexed_client.get("/search", params={"q": question}).json()
    assert body["no_close_match"] is not answered
    assert bool(body["hits"]) is answered
    assert all(0.45 <= hit["relevance"] <= 1 for hit in body["hits"])
    everything = indexed_client.get("/search", params={"q": question, "min_relevance": 0})
    assert everything.json()["hits"] and not everything.json()["no_close_match"]


@pytest.mark.slow
def test_search_hits_export_as_a_table() -> None:
    with TestClient(create_app(indexed_corpus(), api_token="")) as client:
        params = {"q": "毎月何日までに入力するか", "k": 5}
        hits = client.get("/search", params=params).json()["hits"]
        response = client.get("/search", params={**params, "format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["chunk_id"] for r in rows] == [h["chunk"]["id"] for h in hits]
    assert [r["rank"] for r in rows] == [str(n) for n in range(1, len(hits) + 1)]
    assert all(r["doc_id"] and r["version"] and r["page"] for r in rows)
