"""Shared fixtures: the corpus store's two backends.

A test that takes ``backend`` runs twice: on the embedded SQLite file (``data_dir``) and on a
fresh database of a PostgreSQL cluster started once per test session (``tests.postgres``),
selected through ``$REGWATCH_DATABASE_URL`` so that child processes use it too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from corpus.db import DATABASE_URL_ENV
from tests import postgres

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
