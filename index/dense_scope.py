"""Which chunks each dense embedder keeps vectors for.

e5 is the costly embedder of an ``add`` (about three quarters of the index's time) and the
weaker list on the dev questions; USE is cheap and carries both the dense recall and the
relevance floor's evidence (``index.relevance``).  e5's vectors of diff passages answered
no dev question: a question about a change finds its passage through USE and the keywords,
and ``VersionScope.changes_first`` puts it first.  So e5 embeds text chunks only (scope
``text``); USE, and any other embedder, embeds every chunk (scope ``all``).  Figures:
bench/README.md, "index_work.py".  ``REGWATCH_E5_SCOPE=all`` gives e5 every chunk, as before.

A chunk's scope depends on its kind alone, never on ``latest``: a new version is indexed
not-latest first and relabelled after (``corpus.outbox``), so a rule on ``latest`` would move
its embedding out of the add's time budget and into the relabelling.
"""

from __future__ import annotations

import os
from typing import Any

from models.errors import ConfigError
from models.search import Chunk

SCOPE_ENV = "REGWATCH_E5_SCOPE"
SCOPES = ("all", "text")
#: e5's default: text chunks only, no diff passages (see the module's docstring).
E5_DEFAULT = "text"


def e5_scope() -> str:
    """The scope ``$REGWATCH_E5_SCOPE`` asks for e5 (``E5_DEFAULT`` when unset)."""
    scope = os.environ.get(SCOPE_ENV, "").strip() or E5_DEFAULT
    if scope not in SCOPES:
        raise ConfigError(f"{SCOPE_ENV}={scope!r}: expected one of {', '.join(SCOPES)}")
    return scope


def scope_of(embedder: Any) -> str:
    """An embedder's scope: its ``passage_scope`` attribute, ``all`` without one."""
    return str(getattr(embedder, "passage_scope", "all"))


def in_scope(scope: str, chunk: Chunk) -> bool:
    """Whether an embedder of ``scope`` keeps a vector for ``chunk``."""
    return scope == "all" or chunk.passage != "diff"


def within(scope: str, chunks: list[Chunk]) -> list[Chunk]:
    return [c for c in chunks if in_scope(scope, c)]
