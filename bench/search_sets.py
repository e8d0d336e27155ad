"""The search bench's question sets: their chunks and what counts as finding an answer.

* ``v1`` (tests/data/dev): 32 questions; chunks of the sample PDFs through ingest + extract
  (or the truth articles with ``--from-truth``), each file its own document named by its stem;
  an answer is (doc stem, law, article number), and an identical copy of the answer article in
  another file counts too.
* ``v2`` (tests/data/dev/v2): 55 questions; the 11 PDFs added to a corpus as the product adds
  them (``Workspace.add``: ingest, extract, store, version recognition), chunks as
  ``Workspace.all_chunks`` makes them.  An answer names a file stem and article keys (``2_2``)
  or only an ``evidence`` string (notices without articles): a hit is that file's document
  and version with one of the articles, or with the evidence in its text (NFKC, no white
  space).
* ``unseen2``, ``unseen3`` (tests/data/unseen2, unseen3: zh, ja): 20 questions each about 12
  documents not developed on, matched as v2's, asked of a corpus that also holds the v2 PDFs.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.chunk import chunks_from, chunks_from_truth
from models.search import Chunk, Hit

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "tests" / "data" / "dev"
DEV2 = DEV / "v2"
UNSEEN = {f"unseen{n}": ROOT / "tests" / "data" / f"unseen{n}" for n in range(2, 7)}
SETS = ("v1", "v2", *UNSEEN)


@dataclass
class Question:
    id: str
    lang: str
    text: str
    cross_lingual: bool
    found: Callable[[Hit], bool]
    type: str = ""  # the question's type in its set (v2: article_lookup, diff, ...)


@dataclass
class QuestionSet:
    name: str
    source: str
    chunks: list[Chunk]
    questions: list[Question]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


# ----------------------------------------------------------------------------- v1


def truth_chunks() -> list[Chunk]:
    paths = sorted((DEV / "truth").glob("*.json")) + sorted(
        (DEV / "versions").glob("*.articles.json")
    )
    return [c for p in paths for c in chunks_from_truth(p)]


def pipeline_chunks() -> list[Chunk]:
    """Chunks of every sample PDF through ingest + extract; raises ImportError until they exist."""
    from ingest.extract import extract_records
    from ingest.pipeline import ingest_pdf

    pdfs = sorted((ROOT / "samples").glob("*.pdf")) + sorted(
        (ROOT / "samples" / "versions").glob("*.pdf")
    )
    chunks: list[Chunk] = []
    for pdf in pdfs:
        document = ingest_pdf(pdf)
        # Questions name documents by file stem, so the bench uses it as the lineage id.
        chunks.extend(chunks_from(extract_records(document), document, 1, True, doc_id=pdf.stem))
    return chunks


def _v1_key(chunk: Chunk) -> tuple[str | None, int | None, str]:
    return (chunk.law, chunk.article, "".join(chunk.text.split()))


def v1_set(from_truth: bool) -> QuestionSet:
    source = "truth"
    if from_truth:
        chunks = truth_chunks()
    else:
        try:
            chunks, source = pipeline_chunks(), "pipeline"
        except ImportError as exc:
            print(f"pipeline not importable ({exc}); using truth chunks", file=sys.stderr)
            chunks = truth_chunks()
    questions = []
    for q in json.loads((DEV / "questions.json").read_text(encoding="utf-8")):
        # The answer articles' (law, number, text): an identical copy in another file
        # (rare_earth_measures_final reprints 000's 別紙1) is the same answer.
        keys = {
            _v1_key(c)
            for c in chunks
            for a in q["answers"]
            if c.document == a["doc"] and c.law == a["law"] and c.article == a["article"]
        }
        questions.append(
            Question(
                q["id"],
                q["lang"],
                q["question"],
                q["cross_lingual"],
                lambda hit, keys=keys: _v1_key(hit.chunk) in keys,
            )
        )
    return QuestionSet("v1", source, chunks, questions)


# ----------------------------------------------------------------------------- v2


def v2_corpus(
    data_dir: Path, folders: tuple[Path, ...] = (DEV2,)
) -> tuple[list[Chunk], dict[str, tuple[str, int]]]:
    """Add the PDFs of ``folders`` (each ``pdf/*.pdf``; default the v2 set) to the corpus in
    ``data_dir`` (kept: a second run re-adds nothing) and return every version's chunks and
    each file stem's (document id, version)."""
    from corpus.workspace import Workspace

    where: dict[str, tuple[str, int]] = {}
    pdfs = [p for folder in folders for p in sorted((folder / "pdf").glob("*.pdf"))]
    with Workspace(data_dir) as workspace:
        for report in workspace.add(pdfs, index=False):
            if report.outcome is None:
                raise RuntimeError(f"{report.path}: {report.errors}")
            where[Path(report.path).stem] = (report.outcome.doc_id, report.outcome.version)
        chunks = workspace.all_chunks()
    return chunks, where


def _v2_matcher(answers: list[dict[str, Any]], where: dict[str, tuple[str, int]]) -> Callable:
    wanted = []
    for a in answers:
        doc, version = where[a["doc"]]
        wanted.append((doc, version, {str(n) for n in a["articles"]}, _squash(a["evidence"])))

    def found(hit: Hit) -> bool:
        c = hit.chunk
        for doc, version, articles, evidence in wanted:
            if c.document != doc or c.version != version:
                continue
            if articles and (c.article_key or str(c.article)) in articles:
                return True
            if not articles and evidence in _squash(c.text):
                return True
        return False

    return found


def _questions(path: Path, where: dict[str, tuple[str, int]]) -> list[Question]:
    return [
        Question(
            q["id"],
            q["language"],
            q["question"],
            q["cross_lingual"],
            _v2_matcher(q["answers"], where),
            q.get("type", ""),
        )
        for q in json.loads(path.read_text(encoding="utf-8"))
    ]


def v2_set(data_dir: Path) -> QuestionSet:
    chunks, where = v2_corpus(data_dir)
    return QuestionSet(
        "v2", "pipeline (corpus)", chunks, _questions(DEV2 / "questions.json", where)
    )


# ----------------------------------------------------------------------------- unseen2, 3


def unseen_set(name: str, data_dir: Path) -> QuestionSet:
    """The 20 questions of tests/data/``name`` (zh, ja), asked of a corpus of its 12 PDFs and
    the 11 of dev v2 (so the answer competes with documents of the same kinds)."""
    folders = (DEV2, UNSEEN[name] / "zh", UNSEEN[name] / "ja")
    chunks, where = v2_corpus(data_dir, folders)
    questions = [q for f in folders[1:] for q in _questions(f / "questions.json", where)]
    return QuestionSet(name, "pipeline (corpus, with v2)", chunks, questions)
