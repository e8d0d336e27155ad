"""Fixtures the web test modules share (``test_web_api``, ``test_web_workspace``,
``test_hostile_params``): the sample corpus (the rare-earth measures, draft then final), a
``TestClient`` over it, and its document id, each built once per module.

A module that needs another app overrides ``app_options`` (``create_app`` keywords, plus
``raise_server_exceptions`` for the client) or ``corpus`` (a private copy for a module
whose uploads others must not see).  FastAPI is imported only when a web test asks.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.web_fixtures import doc_id_of, two_version_corpus

if TYPE_CHECKING:
    from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def corpus() -> Path:
    return two_version_corpus()


@pytest.fixture(scope="module")
def app_options() -> dict[str, Any]:
    return {}


@pytest.fixture(scope="module")
def client(corpus: Path, app_options: dict[str, Any]) -> Iterator[TestClient]:
    from fastapi.testclient import TestClient

    from web import create_app

    options = dict(app_options)
    raise_errors = options.pop("raise_server_exceptions", True)
    app = create_app(corpus, api_token="", **options)
    with TestClient(app, raise_server_exceptions=raise_errors) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def doc_id(corpus: Path) -> str:
    return doc_id_of(corpus)
