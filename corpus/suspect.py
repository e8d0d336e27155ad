"""Warnings for a file that parses but does not read like a document: corrupt bytes that
pdfplumber still opens come out as mojibake (¡¢, ̨ˇ, U+FFFD, control and private-use
characters) and short.  Such a file matched to a stored document would silently replace its
text as the new version; it is still stored (the corpus keeps every file), but the add
reports why it looks wrong, so nobody reads a garbled version as an amendment.

Measured on the dev, dev v2, held-out and sample PDFs: unreadable share 0.00% in every file;
copies of two samples with bytes overwritten from 30%, 50% or 60% of the file on: 2.6% to
6.8% (and 5% to 7% of the original text).
"""

from __future__ import annotations

import unicodedata

from corpus.store import Store
from models.corpus import AddOutcome
from models.document import Document

#: Codes of the warnings (an add goes on; ``models.errors`` codes are for failures).
NOISY_TEXT, SHRUNK_TEXT = "W101", "W102"
#: Share of non-space characters that no document of ours contains (mojibake).
MAX_NOISE = 0.01
#: Latin-1 and Latin Extended letters, spacing modifiers (ˇ) and combining marks (̨): mojibake
#: in a Japanese or Chinese text, words in a French or German one.
_LATIN_EXTRA = range(0x80, 0x370)
#: A new version holding less than this share of the previous version's text.
MIN_TEXT_SHARE = 0.25


def noise_share(text: str, language: str = "und") -> float:
    """Share of non-space characters that are replacement, control, private-use or
    unassigned, or (in a ja/zh/undetermined text) Latin-1/Extended letters and marks."""
    latin_is_noise = language in ("ja", "zh", "und")
    seen = noisy = 0
    for ch in text:
        if ch.isspace():
            continue
        seen += 1
        unreadable = ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs")
        if unreadable or (latin_is_noise and ord(ch) in _LATIN_EXTRA):
            noisy += 1
    return noisy / seen if seen else 0.0


def warnings_for(store: Store, document: Document, outcome: AddOutcome) -> list[dict[str, str]]:
    """Why a stored file looks corrupt, if it does (empty list: it reads like a document)."""
    if outcome.status == "unchanged":
        return []
    where = f"{outcome.doc_id}@{outcome.version}"
    found: list[dict[str, str]] = []
    share = noise_share(document.text, document.language)
    if share > MAX_NOISE:
        found.append(
            {
                "code": NOISY_TEXT,
                "message": f"{share:.1%} of the text is unreadable characters: the file looks "
                f"corrupt (stored as {where})",
                "path": outcome.path,
            }
        )
    if outcome.status == "new_version" and outcome.previous_version is not None:
        previous = store.get_version(outcome.doc_id, outcome.previous_version).document
        before = len(previous.text) if previous else 0
        if before and len(document.text) < MIN_TEXT_SHARE * before:
            found.append(
                {
                    "code": SHRUNK_TEXT,
                    "message": f"matched as version {outcome.version} ({outcome.matched_by}) "
                    f"but holds {len(document.text)} characters against {before} in version "
                    f"{outcome.previous_version}: check it is not a damaged copy "
                    f"(regwatch unlink {where} if it is not a version)",
                    "path": outcome.path,
                }
            )
    return found
