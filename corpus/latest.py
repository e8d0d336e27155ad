"""Which version of a document is its latest: by the documents' own dates, not by arrival.

Versions are numbered in the order their files arrived; a draft added after its final text,
or an old edition found late, must not become "latest" for that.  Each version is placed by
its key date (revised, promulgated, published: ``version_date``); a version without one is
taken to be no older than the version that arrived before it (its date carries forward).
Equal dates put a draft (意見募集稿, 征求意见稿, 草案, ...) before a final text, then arrival
order decides.  Every reader (the store, the index, the web pages) asks the store, which
asks this module: "latest" is never a flag a process remembers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from models.document import DocumentIdentity

#: Title words of a text published for comment or not yet adopted, ja and zh.
DRAFT_TITLE = re.compile(
    r"征求意见稿|意见稿|送审稿|草案|意見募集稿|意見募集案|パブリックコメント|[（(]案[）)]"
)


def version_date(identity: DocumentIdentity) -> str | None:
    """The date that places a version in its document's history: revised, promulgated,
    published, in that order of preference (the latest of a role when several)."""
    for role in ("revised", "promulgated", "published"):
        dates = [d.iso for d in identity.dates if d.role == role and d.iso]
        if dates:
            return max(dates)
    return None


def is_draft(identity: DocumentIdentity) -> bool:
    return any(DRAFT_TITLE.search(t or "") for t in (identity.title, identity.title_original))


def history_order(versions: Sequence[tuple[int, DocumentIdentity]]) -> list[int]:
    """Version numbers oldest text first; ``versions`` are ``(number, identity)`` pairs."""
    keys: list[tuple[str, bool, int]] = []
    carried = ""
    for number, identity in sorted(versions, key=lambda v: v[0]):
        carried = version_date(identity) or carried
        keys.append((carried, not is_draft(identity), number))
    return [number for _, _, number in sorted(keys)]


def latest_of(versions: Sequence[tuple[int, DocumentIdentity]]) -> int:
    """The number of the version whose text is the newest (see the module docstring)."""
    if not versions:
        raise ValueError("a document has at least one version")
    return history_order(versions)[-1]
