"""Which chunks a question's version cue lets through, and what goes first after fusion:
diff passages for a question about a change, the cited article for a question naming one
(used by ``index.search``)."""

from __future__ import annotations

import numpy as np

from index.keyword import KeywordIndex
from index.version_cue import VersionCue, select_version
from models.search import Chunk

# A cited article is put first when its document is among this many best-ranked documents.
CITED_DOCUMENTS = 3


class VersionScope:
    """Which chunks a question's version cue lets through (``index.version_cue``).

    Diff passages (``Chunk.passage == "diff"``) answer questions about a change only; text
    chunks are kept in each document's chosen version (``select_version``): the latest
    unless the question names a year or the text before an amendment.  With ``latest_only``
    the retrievers saw latest chunks only and no version needs choosing.
    """

    def __init__(self, keywords: KeywordIndex, cue: VersionCue | None, latest_only: bool) -> None:
        self.keywords = keywords
        self.cue = cue
        self.latest_only = latest_only
        self._chosen: dict[str, set[int]] = {}

    def _versions(self, document: str) -> set[int]:
        if document not in self._chosen:
            assert self.cue is not None
            dated = [
                (version, int(date[:4]) if date else None)
                for version, date in self.keywords.versions(document)
            ]
            self._chosen[document] = select_version(self.cue, dated) if dated else set()
        return self._chosen[document]

    def changes_first(
        self, ranked: list[tuple[str, float]], change: str
    ) -> list[tuple[str, float]]:
        """A question asking what was added (removed, changed) is answered by the additions:
        the diff passages of that change of the best-ranked document among the first
        ``CITED_DOCUMENTS`` go to the top, in their fused order (as a cited article does)."""
        documents: list[str] = []
        for cid, _ in ranked:
            key = self.keywords.locate(cid)
            if key is None or key[0] in documents:
                continue
            documents.append(key[0])
            if len(documents) >= CITED_DOCUMENTS:
                break
        passages = self.keywords.get_many(cid for cid, _ in ranked if cid in self.keywords.diff_ids)
        for document in documents:
            first = [
                cid
                for cid, _ in ranked
                if cid in passages
                and passages[cid].document == document
                and _change_of(passages[cid]) == change
            ]
            if first:
                top = ranked[0][1]
                chosen = set(first)
                rest = [(cid, score) for cid, score in ranked if cid not in chosen]
                return [(cid, top + 1e-6 * (len(first) - n)) for n, cid in enumerate(first)] + rest
        return ranked

    def cited_first(
        self, ranked: list[tuple[str, float]], article: str, mask: np.ndarray
    ) -> list[tuple[str, float]]:
        """The cited article of the best-ranked document that has one, moved to the top when
        that document is among the first ``CITED_DOCUMENTS`` documents of the ranking: the
        question names its law in words the retrievers already weighed, and the article by a
        number they cannot."""
        cited = [cid for cid in self.keywords.article_ids(article, mask) if self.keeps(cid)]
        if not cited or not ranked:
            return ranked
        # Where each chunk is comes from the keyword index's rows (in memory, no chunk read).
        by_document: dict[tuple[str, int], str] = {}
        for cid in cited:  # parts of one article in id order: its first part wins
            key = self.keywords.locate(cid)
            if key is not None:
                by_document.setdefault(key[:2], cid)
        documents: list[tuple[str, int]] = []
        for cid, _ in ranked:
            key = self.keywords.locate(cid)
            if key is None or key[:2] in documents:
                continue
            documents.append(key[:2])
            if len(documents) > CITED_DOCUMENTS:
                break
        target = next((by_document[d] for d in documents if d in by_document), None)
        if target is None:
            return ranked
        top = ranked[0][1] + 1e-6
        return [(target, top)] + [(cid, score) for cid, score in ranked if cid != target]

    def keeps(self, chunk_id: str) -> bool:
        is_diff = chunk_id in self.keywords.diff_ids
        if is_diff and not (self.cue and self.cue.asks_change):
            return False
        if self.latest_only or self.cue is None:
            return True
        key = self.keywords.locate(chunk_id)  # in memory: no chunk read per candidate
        if key is None:
            return True  # dropped later as a half-written add
        document, version, old_version = key
        chosen = self._versions(document)
        if is_diff:
            return version in chosen or old_version in chosen
        return version in chosen


def _change_of(chunk: Chunk | None) -> str | None:
    """What a diff passage records: an article added (no old side), removed (no new side),
    changed (both sides)."""
    if (
        chunk is None
        or chunk.passage != "diff"
        or (chunk.article_key is None and chunk.old_article_key is None)
    ):
        return None
    if chunk.old_article_key is None:
        return "added"
    return "removed" if chunk.article_key is None else "changed"
