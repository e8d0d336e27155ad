"""Shared fixtures.

* The corpus store's two backends: a test that takes ``backend`` runs twice: on the embedded
  SQLite file (``data_dir``) and on a fresh database of a PostgreSQL cluster started once per
  test session (``tests.postgres``), selected through ``$REGWATCH_DATABASE_URL`` so that child
  processes use it too.
* The web test modules (``test_web_api``, ``test_web_workspace``, ``test_hostile_params``):
  the sample corpus (the rare-earth measures, draft then final), a ``TestClient`` over it, and
  its document id, each built once per module.  A module that needs another app overrides
  ``app_options`` (``create_app`` keywords, plus ``raise_server_exceptions`` for the client)
  or ``corpus`` (a private copy for a module whose uploads others must not see).  FastAPI is
  imported only when a web test asks.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from corpus.db import DATABASE_URL_ENV
from tests import postgres
from tests.web_fixtures import doc_id_of, two_version_corpus

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

# A developer's own corpus database must never receive test data: tests choose their backend.
os.environ.pop(DATABASE_URL_ENV, None)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[postgres.Cluster | str]:
    """The session's PostgreSQL cluster, or the reason there is none (a string)."""
    try:
        cluster = postgres.start()
    except postgres.Unavailable as e:
        yield str(e)
        return
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: postgres.Cluster | str) -> str:
    """The URL of a fresh, empty PostgreSQL database (skips, with the reason, without one)."""
    if isinstance(pg_cluster, str):
        pytest.skip(f"PostgreSQL unavailable: {pg_cluster}")
    return pg_cluster.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The store backend this test runs on (every ``Store()`` opened during it, children
    included, gets it)."""
    if request.param == "postgresql":
        monkeypatch.setenv(DATABASE_URL_ENV, request.getfixturevalue("pg_url"))
    return str(request.param)


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
