"""The analyst workspace as a first-time user meets it (issue 18), over HTTP without a browser:
search filters and relevance display, facts shown as the law reads, the document view, the
diff view, alerts and the feed, exports, the API's own manners."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from corpus.store import Store
from ingest.extract import extract_records
from ingest.extract.thresholds import find_thresholds
from models.corpus import Alert, AlertPayload
from models.document import DocumentIdentity, IdentityDate, SubDocument
from models.provenance import CharSpan, Provenance
from models.records import Threshold
from tests.factories import make_document
from tests.web_fixtures import DRAFT, FINAL
from web import create_app
from web.display import threshold_text
from web.service import filter_alerts

ATOM = "{http://www.w3.org/2005/Atom}"


def _store_text(data_dir: Path, text: str, identity: DocumentIdentity, **kw: object) -> str:
    document = make_document(text, language=identity.language, identity=identity)
    if kw:
        document = document.model_copy(update=kw)
    with Store(data_dir) as store:
        return store.add_version(document, extract_records(document)).doc_id


# ---------------------------------------------------------------- 2. search page


def test_the_search_page_has_one_search_box_and_the_cli_filters(client: TestClient) -> None:
    html = client.get("/ui/search", params={"q": "輸出"}).text
    assert len(re.findall(r'<input[^>]*name="q"', html)) == 1
    for field in ('name="issuer"', 'name="kind"', 'name="effective_after"', 'name="all_versions"'):
        assert field in html, field
    assert "工業情報化部" in html  # the corpus's issuers are offered


def test_no_hits_say_no_close_match(client: TestClient) -> None:
    """The two-version corpus is not indexed: nothing can match."""
    html = client.get("/ui/search", params={"q": "輸出許可", "issuer": "nobody"}).text
    assert 'id="no-match"' in html


def test_a_malformed_effective_after_is_a_422_not_a_crash(client: TestClient) -> None:
    assert client.get("/ui/search", params={"q": "x", "effective_after": "soon"}).status_code == 422


# ---------------------------------------------------------------- 3. facts as the law reads


def _threshold(text: str, lang: str) -> Threshold:
    (match,) = find_thresholds(text, lang)
    span = CharSpan(start=match.start, end=match.end)
    return Threshold(
        id="t",
        text=text[match.start : match.end],
        value=match.value,
        unit=match.unit,
        comparator=match.comparator,
        min=match.min,
        max=match.max,
        provenance=Provenance(source_sha256="0" * 64, document="main", page=1, char_span=span),
    )


@pytest.mark.parametrize(
    ("sentence", "lang", "expected"),
    [
        pytest.param(
            "处未超过五十万元的罚款", "zh", "≤ ¥500,000 (未超过五十万元)", id="zh-not-exceeding"
        ),
        pytest.param(
            "三千万円以下の罰金に処する", "ja", "≤ 3,000万円 (三千万円以下)", id="ja-man-yen"
        ),
        pytest.param(
            "处五百万元以上一千万元以下的罚款",
            "zh",
            "¥5,000,000 – ¥10,000,000 (五百万元以上一千万元以下)",
            id="zh-range-no-exponent",
        ),
        pytest.param(
            "一億五千万円以下の罰金", "ja", "≤ 1億5,000万円 (一億五千万円以下)", id="ja-oku-yen"
        ),
        pytest.param("価値比率が0.1%以上の製品", "ja", "≥ 0.1% (0.1%以上)", id="ja-percent"),
    ],
)
def test_thresholds_read_as_the_law_reads(sentence: str, lang: str, expected: str) -> None:
    assert threshold_text(_threshold(sentence, lang)) == expected


def test_the_records_panel_never_shows_an_exponent(tmp_path: Path) -> None:
    text = "管理办法\n第一条 违反本办法的，处五百万元以上一千万元以下的罚款。"
    doc = _store_text(tmp_path, text, DocumentIdentity(title="管理办法", language="zh"))
    with TestClient(create_app(tmp_path, api_token="")) as client:
        html = client.get(f"/ui/documents/{doc}").text
    assert "e+06" not in html and "e+07" not in html
    assert "¥5,000,000 – ¥10,000,000" in html


def test_an_item_list_marks_its_items_not_the_text_around_them(client: TestClient, doc_id: str):
    html = client.get(f"/ui/documents/{doc_id}?v=2").text
    assert _item_marks(html) == ["バストネサイト", "イオン吸着型レアアース", "混合レアアース"]


def _item_marks(html: str) -> list[str]:
    return re.findall(r'<mark class="[^"]*k-item_list[^"]*" data-ids[^>]*>([^<]*)</mark>', html)


def test_a_numbered_list_marks_item_texts_not_labels_or_headings(tmp_path: Path) -> None:
    text = (
        "中华人民共和国生物安全法\n第一章 总则\n第二条 从事下列活动，适用本法：\n"
        "（一）防控重大新发突发传染病、动植物疫情；\n（二）生物技术研究、开发与应用；\n"
        "（三）病原微生物实验室生物安全管理。\n第二章 生物安全风险防控体制\n"
        "第三条 生物安全是国家安全的重要组成部分。"
    )
    identity = DocumentIdentity(title="中华人民共和国生物安全法", language="zh", kind="law")
    doc = _store_text(tmp_path, text, identity)
    with TestClient(create_app(tmp_path, api_token="")) as client:
        html = client.get(f"/ui/documents/{doc}").text
    assert _item_marks(html) == [
        "防控重大新发突发传染病、动植物疫情",
        "生物技术研究、开发与应用",
        "病原微生物实验室生物安全管理",
    ]


# ---------------------------------------------------------------- 4. document view


def test_the_document_view_translates_enums_and_tags_languages(
    client: TestClient, doc_id: str
) -> None:
    ja = client.get(f"/ui/documents/{doc_id}?v=2&lang=ja").text
    assert "公布 2025-07-28" in ja and "promulgated" not in ja
    assert "弁法" in ja.split("<dt>種別</dt>")[1][:40]
    assert '<div class="seg-text" lang="ja">' in ja
    en = client.get(f"/ui/documents/{doc_id}?v=2&lang=en").text
    assert "Promulgated 2025-07-28" in en and "Measures" in en


def test_the_document_view_has_contents_neighbours_and_citations(
    client: TestClient, doc_id: str
) -> None:
    html = client.get(f"/ui/documents/{doc_id}?v=2").text
    toc = html.split('id="toc"')[1].split("</details>")[0]
    assert toc.count("<li>") == 17  # one entry per article
    assert 'class="next-article"' in html and 'class="prev-article"' in html
    cites = re.findall(r'data-cite="([^"]+)"', html)
    assert any(
        "総量規制管理暫定弁法" in c and "第十条" in c and "2025-07-28" in c and "p." in c
        for c in cites
    ), cites[:3]


def test_an_old_version_is_marked_superseded(client: TestClient, doc_id: str) -> None:
    assert "superseded-mark" in client.get(f"/ui/documents/{doc_id}?v=1").text
    assert "superseded-mark" not in client.get(f"/ui/documents/{doc_id}?v=2").text


def test_a_search_hit_link_opens_with_its_box_drawn(client: TestClient, doc_id: str) -> None:
    html = client.get(f"/ui/documents/{doc_id}?v=2&article=10#focus").text
    assert 'id="focus"' in html
    bbox = re.search(r'<div id="bbox" class="bbox"([^>]*)>', html)
    assert bbox and "hidden" not in bbox.group(1) and "left:" in bbox.group(1)


def test_sub_documents_are_labelled(tmp_path: Path) -> None:
    text = (
        "解説\n本解説は二つの公告を訳す。\n商務部公告2025年第61号\n一、稀土の輸出を管理する。\n"
        "商務部公告2025年第62号\n一、技術の輸出を管理する。"
    )
    first, second = text.index("商務部公告2025年第61号"), text.index("商務部公告2025年第62号")
    subs = [
        SubDocument(
            key=f"annex{n}",
            identity=DocumentIdentity(title=title, label=f"別紙{n}", language="ja"),
            pages=(1, 1),
            char_span=CharSpan(start=start, end=end),
        )
        for n, title, start, end in (
            (1, "商務部公告2025年第61号", first, second),
            (2, "商務部公告2025年第62号", second, len(text)),
        )
    ]
    doc = _store_text(
        tmp_path, text, DocumentIdentity(title="解説", language="ja"), subdocuments=subs
    )
    with TestClient(create_app(tmp_path, api_token="")) as client:
        html = client.get(f"/ui/documents/{doc}").text
    labels = re.findall(r'<div class="part-label"[^>]*>.*?</span> ([^<]+)</div>', html)
    assert labels == ["別紙1 · 商務部公告2025年第61号", "別紙2 · 商務部公告2025年第62号"]


# ---------------------------------------------------------------- 5. diff view


def test_diff_pickers_show_legal_dates_not_ingest_dates(client: TestClient, doc_id: str) -> None:
    html = client.get(f"/ui/diff?doc={doc_id}&lang=ja").text
    options = re.findall(r"<option [^>]*>([^<]+)</option>", html)
    assert options == ["v1 · 公表 2025-02-19", "v2 · 公布 2025-07-28 · 施行 2025-07-28"] * 2


def test_each_field_change_links_to_its_article_row(client: TestClient, doc_id: str) -> None:
    html = client.get(f"/ui/diff?doc={doc_id}").text
    assert html.count('id="field-changes"') == 1 and "<iframe" not in html  # one list
    links = re.findall(r'<a href="#(art-o\d*-n\d*)" data-row', html)
    assert links
    for anchor in links:
        assert f'id="{anchor}"' in html
    threshold = re.search(r'<li class="fc fc-threshold[^"]*"><a [^>]*>([^<]+)</a>', html)
    assert threshold and threshold.group(1) == "第十条"


def test_the_diff_list_is_in_the_ui_language(client: TestClient, doc_id: str) -> None:
    ja = client.get(f"/ui/diff?doc={doc_id}&lang=ja").text
    en = client.get(f"/ui/diff?doc={doc_id}&lang=en").text
    assert "閾値 変更" in ja and "Threshold changed" in en
    assert "Field changes" not in ja


def test_a_one_version_document_says_so(tmp_path: Path) -> None:
    identity = DocumentIdentity(title="弁法", language="ja")
    doc = _store_text(tmp_path, "弁法\n第一条 目的。", identity)
    with TestClient(create_app(tmp_path, api_token="")) as client:
        html = client.get(f"/ui/diff?doc={doc}").text
    assert 'id="one-version"' in html and 'id="field-changes"' not in html


@pytest.mark.parametrize(
    ("fmt", "media", "marker", "extension"),
    [
        ("markdown", "text/markdown", "| 旧 (", "md"),
        ("html", "text/html", "<table", "html"),
    ],
    ids=["markdown", "html"],
)
def test_the_shin_kyu_table_downloads(
    client: TestClient, doc_id: str, fmt: str, media: str, marker: str, extension: str
) -> None:
    response = client.get(f"/diff?old={doc_id}@1&new={doc_id}@2&format={fmt}&download=true")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert marker in response.text and "毎月" in response.text
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment") and disposition.endswith(f'.{extension}"')


# ---------------------------------------------------------------- 6. alerts and feed


def test_atom_links_to_the_workspace_over_http(client: TestClient, doc_id: str) -> None:
    feed = ET.fromstring(client.get("/alerts.atom").content)
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "/alerts.atom"
    hrefs = [e.find(f"{ATOM}link").get("href") for e in feed.findall(f"{ATOM}entry")]
    assert hrefs == [f"/ui/diff?doc={doc_id}&old=1&new=2", f"/ui/documents/{doc_id}?v=1"]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("ja", "第十条: 閾値 変更"), ("en", "第十条: Threshold changed")],
    ids=["ja", "en"],
)
def test_feed_summaries_are_in_the_ui_language_with_their_article(
    client: TestClient, lang: str, expected: str
) -> None:
    feed = ET.fromstring(client.get(f"/alerts.atom?lang={lang}").content)
    content = feed.find(f"{ATOM}entry/{ATOM}content").text or ""
    assert expected in content, content


@pytest.mark.parametrize(
    "keyword",
    ["総量規制", "总量规制", "總量規制"],
    ids=["ja-shinjitai", "zh-simplified", "traditional"],
)
def test_the_keyword_filter_folds_han_forms(client: TestClient, keyword: str) -> None:
    alerts = client.get("/alerts", params={"q": keyword}).json()["alerts"]
    assert len(alerts) == 2
    page = client.get("/ui/alerts", params={"q": keyword}).text
    assert page.count('class="ev-') == 2


def _alert(title: str, summary: str) -> Alert:
    return Alert(
        id=f"new_document:{title}@1",
        event="new_document",
        doc_id="d",
        version=1,
        created="2025-10-09T00:00:00+00:00",
        title=title,
        summary=[summary],
        payload=AlertPayload(identity=DocumentIdentity(title=title)),
    )


@pytest.mark.parametrize(
    ("title", "summary", "keyword"),
    [
        pytest.param(
            "商务部 海关总署公告2025年第58号",
            "关于对锂电池和人造石墨负极材料相关物项实施出口管制的决定",
            "リチウム電池",
            id="lithium-battery",
        ),
        pytest.param(
            "商务部 海关总署公告2025年第58号",
            "关于对锂电池和人造石墨负极材料相关物项实施出口管制的决定",
            "人造黒鉛",
            id="graphite-kanji",
        ),
        pytest.param(
            "商务部 海关总署公告2023年第23号",
            "关于对镓、锗相关物项实施出口管制的公告",
            "ゲルマニウム",
            id="germanium",
        ),
        pytest.param(
            "中国によるレアアース関連貨物及び技術の輸出管理規制の強化について",
            "ジスプロシウム、テルビウム等の中重レアアース",
            "镝",
            id="zh-keyword-ja-alert",
        ),
        pytest.param("中华人民共和国出口管制法", "国家经济安全", "経済安全", id="han-forms"),
    ],
)
def test_the_keyword_filter_matches_across_languages(
    title: str, summary: str, keyword: str
) -> None:
    alerts = [_alert(title, summary), _alert("无关的通知", "与本关键词无关")]
    assert [a.title for a in filter_alerts(alerts, text=keyword)] == [title]


def test_a_bad_since_is_a_400_with_a_message(client: TestClient) -> None:
    response = client.get("/alerts", params={"since": "garbage"})
    assert response.status_code == 400
    assert "garbage" in response.json()["error"]["message"]
    page = client.get("/ui/alerts", params={"since": "garbage"})
    assert page.status_code == 400 and 'id="alerts-error"' in page.text
    assert client.get("/alerts", params={"since": "2020-01-01"}).json()["total"] == 2


# ---------------------------------------------------------------- 7. exports


def test_records_export_as_csv_with_provenance(client: TestClient, doc_id: str) -> None:
    response = client.get(f"/documents/{doc_id}/versions/2/records?format=csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    records = client.get(f"/documents/{doc_id}/versions/2/records").json()["records"]
    assert len(rows) == len(records)
    by_id = {r["record_id"]: r for r in rows}
    for record in records:
        row = by_id[record["id"]]
        assert row["page"] == str(record["provenance"]["page"])
        assert row["char_start"] == str(record["provenance"]["char_span"]["start"])
        assert row["source_sha256"] == record["provenance"]["source_sha256"]
    (threshold,) = [r for r in rows if r["kind"] == "threshold" and r["article"] == "10"]
    assert threshold["reading"].endswith("(毎月10日までに)") and threshold["bbox"]


def test_records_export_as_xlsx(client: TestClient, doc_id: str) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    response = client.get(f"/documents/{doc_id}/versions/2/records?format=xlsx&kind=threshold")
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert {"page", "bbox", "char_start", "source_sha256", "sub_document"} <= set(header)
    assert len(body) == 2 and all(r[header.index("kind")] == "threshold" for r in body)


def test_csv_cells_never_run_as_formulas(tmp_path: Path) -> None:
    text = '弁法\n第一条 =HYPERLINK("http://evil") 毎月10日までに報告する。'
    doc = _store_text(tmp_path, text, DocumentIdentity(title="=cmd|' /C calc'!A0", language="ja"))
    with TestClient(create_app(tmp_path, api_token="")) as client:
        body = client.get(f"/documents/{doc}/versions/1/records?format=csv").text
    cells = [c for row in csv.reader(io.StringIO(body.lstrip("\ufeff"))) for c in row]
    assert not [c for c in cells if c.startswith(("=", "+", "@"))]
    assert any(c.startswith("'=") for c in cells)  # the title, kept, but inert


# ---------------------------------------------------------------- 8. API manners


def test_openapi_declares_the_bearer_scheme(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert any(s["type"] == "http" and s["scheme"] == "bearer" for s in schemes.values())
    assert spec["paths"]["/documents"]["post"]["security"]


@pytest.mark.parametrize("url", ["/ui", "/ui/search?q=x", "/ui/alerts", "/ui/upload"])
def test_pages_link_relatively(client: TestClient, url: str) -> None:
    html = client.get(url).text
    assert "http://testserver" not in html and "http://127.0.0.1" not in html


def test_upload_names_the_title_and_what_happened(tmp_path: Path) -> None:
    with TestClient(create_app(tmp_path, api_token="")) as client:

        def upload(path: Path):
            files = {"file": (path.name, io.BytesIO(path.read_bytes()), "application/pdf")}
            return client.post("/documents?index=false", files=files).json()

        first, second, again = upload(DRAFT), upload(FINAL), upload(FINAL)
        assert first["message"].startswith("new document: ") and "レアアース" in first["title"]
        assert second["message"].startswith("new version 2 of ") and second["title"]
        doc = second["doc_id"]
        assert second["diff_url"] == f"/ui/diff?doc={doc}&old=1&new=2"
        assert client.get(second["diff_url"]).status_code == 200
        assert again["status"] == "unchanged" and again["message"].startswith("unchanged")
        assert again["document_url"] == f"/ui/documents/{doc}?v=2"


def test_size_errors_are_in_megabytes(tmp_path: Path) -> None:
    app = create_app(tmp_path, api_token="", max_upload_bytes=10_000)
    with TestClient(app) as client:
        files = {"file": ("d.pdf", io.BytesIO(DRAFT.read_bytes()), "application/pdf")}
        api = client.post("/documents", files=files)
        assert api.status_code == 413 and " MB" in api.json()["error"]["message"]
        assert "bytes" not in api.json()["error"]["message"]
        files = {"file": ("d.pdf", io.BytesIO(DRAFT.read_bytes()), "application/pdf")}
        page = client.post("/ui/upload", files=files, headers={"Accept-Language": "ja"})
        assert page.status_code == 413
        assert 'id="upload-form"' in page.text and "ファイルが大きすぎます" in page.text
        assert "MB" in page.text


def test_a_wrong_token_keeps_the_form(tmp_path: Path) -> None:
    with TestClient(create_app(tmp_path, api_token="s3cret")) as client:
        files = {"file": ("d.pdf", io.BytesIO(b"%PDF-1.4"), "application/pdf")}
        page = client.post(
            "/ui/upload?lang=en", files=files, data={"token": "nope"}, follow_redirects=False
        )
    assert page.status_code == 401
    assert 'id="upload-form"' in page.text and "Wrong API token" in page.text


# ---------------------------------------------------------------- helpers' identity dates


def test_legal_dates_name_the_latest_revision() -> None:
    from web.display import legal_dates

    identity = DocumentIdentity(
        dates=[
            IdentityDate(role="promulgated", iso="2007-08-30", raw="2007年8月30日"),
            IdentityDate(role="revised", iso="2017-01-01", raw="", revision=1),
            IdentityDate(role="revised", iso="2022-06-24", raw="", revision=2),
            IdentityDate(role="effective", iso="2022-08-01", raw=""),
        ]
    )
    assert legal_dates(identity) == [
        ("promulgated", "2007-08-30"),
        ("revised", "2022-06-24"),
        ("effective", "2022-08-01"),
    ]
