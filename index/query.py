"""What a question asks for, read before retrieval: its language, its keyword terms (English
words with their Chinese/Japanese translations), the provision it cites and the version it
names.

The keyword retriever gets a weighted term list: the question's own tokens at weight 1, and for
each English phrase (``index.bilingual``) the tokens of its CJK candidates that the corpus
contains, the phrase's weight shared among them.  ``concepts`` groups the terms that stand for
one idea (a word, or a phrase and its translations): the keyword list's confidence is the share
of the question's concepts its best hit contains (``KeywordIndex.concept_coverage``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from index.bilingual import stem, translate
from index.citation import Citation, parse_citation
from index.keyword_tokens import tokenize
from index.version_cue import VersionCue, parse_version_cue

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_LATIN = re.compile(r"[A-Za-z]")
# "No. 58" and "Article 12" as the CJK ordinals the keyword tokens write (第58号, 第12条).
_EN_ORDINAL = re.compile(r"\b(?:(?P<no>No)\.?|(?P<art>Article|Art)\.?)\s*(?P<n>\d+)\b", re.I)
# A translated phrase's weight, shared among its candidates: below a word the question itself
# writes, since a dictionary sense may not be the one meant.
TRANSLATION_WEIGHT = 1.0


def query_language(text: str) -> str:
    """``ja`` (any kana), ``zh`` (Han characters), ``en`` (Latin letters outnumber Han), ``und``."""
    han = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    if latin > 2 * han:
        return "en"
    if _KANA.search(text):
        return "ja"
    if han:
        return "zh"
    return "en" if latin else "und"


@dataclass
class QueryPlan:
    text: str
    lang: str
    own_tokens: list[str]  # the question's own tokens (what snippets mark)
    tokens: list[str]
    weights: dict[str, float]
    concepts: list[frozenset[str]]
    # ``concepts`` plus the English words neither the corpus nor a translation has: what a
    # hit's share of the question is measured on for ``Hit.relevance`` (a question about the
    # capital of France is not half answered because 法国 translates "France").
    all_concepts: list[frozenset[str]]
    translations: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    citation: Citation | None = None
    version: VersionCue | None = None  # the year / side of an amendment / change it asks about


def plan_query(text: str, has_term: Callable[[str], bool] | None = None) -> QueryPlan:
    """The plan for ``text``; ``has_term(token)``: whether the corpus has that keyword token
    (translations the corpus lacks are dropped; None keeps them all)."""
    lang = query_language(text)
    tokens = tokenize(text)
    weights: dict[str, float] = dict(Counter(tokens))
    concepts: list[frozenset[str]] = []
    if lang == "en":
        # English words absent from the corpus are the language gap, not missing evidence:
        # only present ones count as concepts, next to the translated phrases.
        concepts.extend(
            frozenset([t]) for t in dict.fromkeys(tokens) if has_term is None or has_term(t)
        )
    else:
        concepts.extend(frozenset([t]) for t in dict.fromkeys(tokens))
    for match in _EN_ORDINAL.finditer(text):
        term = f"第{int(match.group('n'))}{'号' if match.group('no') else '条'}"
        weights[term] = weights.get(term, 0.0) + 1.0
        concepts.append(frozenset([term]))
    translations: list[tuple[str, tuple[str, ...]]] = []

    def present(candidate: str) -> bool:
        terms = tokenize(candidate)
        return bool(terms) and (has_term is None or all(has_term(t) for t in terms if len(t) == 2))

    for concept in translate(text, present):
        translations.append((concept.phrase, concept.terms))
        group: set[str] = set()
        share = TRANSLATION_WEIGHT / len(concept.terms)
        for candidate in concept.terms:
            for term in dict.fromkeys(tokenize(candidate)):
                weights[term] = weights.get(term, 0.0) + share
                group.add(term)
        if group:
            concepts.append(frozenset(group))
    all_concepts = list(concepts)
    if lang == "en":
        translated = {w for phrase, _ in translations for w in phrase.split()}
        all_concepts.extend(
            frozenset([t])
            for t in dict.fromkeys(tokens)
            if frozenset([t]) not in concepts and t.isalpha() and stem(t) not in translated
        )
    return QueryPlan(
        text=text,
        lang=lang,
        own_tokens=tokens,
        tokens=list(weights),
        weights=weights,
        concepts=concepts,
        all_concepts=all_concepts,
        translations=translations,
        citation=parse_citation(text),
        version=parse_version_cue(text),
    )
