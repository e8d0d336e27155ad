"""Hostile parameters on every route of the app: never a 500, always a coded error, never a
server path in the answer (issue 15 item 6).

The routes are enumerated from ``app.routes`` (a route added later is covered without a new
row); every path, query and form parameter of each gets every hostile value in turn, the
others valid.
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount

from tests.web_fixtures import ROOT, doc_id_of, two_version_corpus
from web import create_app

HOSTILE = {
    "huge": "99999999999999999999",
    "huger": "99999999999999999999999",
    "negative": "-1",
    "huge-negative": "-99999999999999999999",
    "float-overflow": "1e309",
    "superscript-digit": "²",
    "arabic-digits": "١٢",
    "cjk": "漢字",
    "nul": "\x00",
    "nul-inside": "a\x00b",
    "traversal": "../../../../etc/passwd",
    "encoded-traversal": "..%2F..%2F..%2Fetc%2Fpasswd",
    "absolute": "/etc/passwd",
    "long": "x" * 5000,
    "at-huge": "e@99999999999999999999",
    "at-negative": "e@-1",
    "at-superscript": "e@²",
    "bare-at": "@",
}
# Where a value must not leak: the data folder, the checkout, a traceback.
LEAKS = re.compile(r"Traceback|File \"|/tmp/|/home/|/root/|/work/|site-packages")


def walk(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every route with its full path, included routers unfolded."""
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:
            yield from walk(original.routes, prefix + route.include_context.prefix)
        else:
            yield prefix + route.path, route


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    shutil.copytree(two_version_corpus(), folder, dirs_exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def app_options() -> dict[str, Any]:
    # Uploads not indexed: the corpus has no index, and building one (models) is not the point.
    # A 500 must come back as a response here, to be asserted on.
    return {"index_uploads": False, "raise_server_exceptions": False}


@pytest.fixture(scope="module")
def valid(doc_id: str) -> dict[str, str]:
    doc = doc_id
    return {
        "doc_id": doc,
        "version": "1",
        "page": "1",
        "q": "規制",
        "old": f"{doc}@1",
        "new": f"{doc}@2",
    }


def _params(route: APIRoute) -> list[tuple[str, str]]:
    dependant = route.dependant
    return (
        [("path", p.name) for p in dependant.path_params]
        + [("query", p.name) for p in dependant.query_params]
        + [("body", p.name) for p in dependant.body_params]
    )


def _cases() -> list[Any]:
    app = create_app(two_version_corpus(), api_token="")
    cases = []
    for path, route in walk(app.routes):
        if isinstance(route, Mount):
            cases.append(pytest.param("GET", path + "/{rest}", "path", "rest", id=f"{path}/*"))
            continue
        methods = sorted(getattr(route, "methods", None) or ["GET"])
        method = "POST" if "POST" in methods else "GET"
        params = _params(route) if isinstance(route, APIRoute) else []
        for where, name in params or [("none", "")]:
            cases.append(
                pytest.param(method, path, where, name, id=f"{method} {path} {where}:{name}")
            )
    return cases


def _request(
    client: TestClient, method: str, path: str, where: str, name: str, value: str, valid: dict
) -> Any:
    path_values = {k: quote(v, safe="") for k, v in valid.items()}
    path_values["rest"] = "app.js"
    query: dict[str, str] = {k: valid[k] for k in ("q", "old", "new")}
    files = {"file": ("notice.pdf", io.BytesIO(b"%PDF-1.4 not a real pdf"), "application/pdf")}
    form: dict[str, str] = {}
    if where == "path":
        path_values[name] = quote(value, safe="")
    elif where == "query":
        query[name] = value
    elif where == "body" and name == "file":
        files = {"file": (value, io.BytesIO(value.encode("utf-8", "replace")), "application/pdf")}
    elif where == "body":
        form[name] = value
    url = re.sub(r"\{(\w+)\}", lambda m: path_values[m.group(1)], path)
    if method == "POST":
        return client.post(url, params=query, files=files, data=form)
    return client.get(url, params=query)


@pytest.mark.parametrize(("method", "path", "where", "name"), _cases())
def test_hostile_values_get_a_coded_answer(
    client: TestClient, valid: dict[str, str], method: str, path: str, where: str, name: str
) -> None:
    for label, value in HOSTILE.items():
        response = _request(client, method, path, where, name, value, valid)
        what = f"{method} {path} {where}:{name}={label} -> {response.status_code}"
        assert response.status_code < 500, f"{what}: {response.text[:300]}"
        if response.status_code < 400:
            continue  # data (a version's source path is data), not an error
        assert not LEAKS.search(response.text), f"{what} leaks: {response.text[:300]}"
        if "json" in response.headers.get("content-type", ""):
            assert re.fullmatch(r"E\d{3}", response.json()["error"]["code"]), what


@pytest.mark.parametrize(
    "url",
    [
        "/documents/e@99999999999999999999",
        "/documents/e/versions/99999999999999999999999/records",
        "/documents/{doc}@99999999999999999999",
        "/documents/{doc}/versions/99999999999999999999999/records",
        "/documents/{doc}/versions/²/records",
        "/documents/{doc}/versions/1/pages/99999999999999999999.png",
    ],
)
def test_the_reported_urls_are_not_found(client: TestClient, valid: dict, url: str) -> None:
    response = client.get(url.format(doc=valid["doc_id"]))
    assert response.status_code == 404, response.text
    assert response.json()["error"]["code"] == "E200"


def test_error_bodies_name_no_server_path(client: TestClient, corpus: Path) -> None:
    """A version whose PDF is gone: the message names the file, not where it was."""
    response = client.get(f"/documents/{doc_id_of(corpus)}/versions/1/pages/1.png")
    assert response.status_code in (200, 404)
    for text in (str(corpus), str(ROOT)):
        assert text not in response.text
