"""Align the articles of two versions of one regulation.

An amendment inserts, deletes, splits and merges articles, and every later article is
renumbered: aligning by number alone would mark the whole tail of the law as changed.  So
articles are aligned by content, keeping their order:

1. an order-preserving dynamic programme (Needleman-Wunsch without gap costs) maximises the
   total similarity of matched pairs; pairs below ``MIN_SIMILARITY`` never match.  Similarity
   is difflib's ratio on text with white space removed and cross-referenced article numbers
   masked (``第二十三条`` → ``第#条``), since a renumbering changes the references too;
2. inside each gap the DP left, an article that is (almost) wholly contained in one on the
   other side is matched to it: a one-paragraph article that gains three paragraphs has a low
   ratio but is plainly the same article;
3. an unmatched new article contained in an old one is a split (an unmatched old article
   contained in a new one, a merge); the old article stays aligned with the part that keeps
   its beginning;
4. what is left unmatched on both sides and still very similar has moved (out of order).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from ingest.numbers import NUMERAL_PATTERN
from models.diff import AlignmentStatus, ArticleRef

MIN_SIMILARITY = 0.45
#: Share of an article that must reappear inside another for a split/merge/containment match.
MIN_CONTAINMENT = 0.9
#: Similarity an out-of-order pair needs: without position to support it, ask for more.
MIN_MOVED_SIMILARITY = 0.7
#: Matching runs shorter than this are coincidences (、の的), not shared text.
MIN_BLOCK = 4
#: Bigram-overlap below which difflib is not even asked (cheap pre-filter for long laws).
_PREFILTER_DICE = 0.25

_WHITESPACE = re.compile(r"\s+")
# 第二十三条, and the branch articles 第十条之一 / 第二条の二 an amendment inserts.
_CROSS_REFERENCE = re.compile(rf"第(?:{NUMERAL_PATTERN})条(?:[之の](?:{NUMERAL_PATTERN}))?")


def normalise(text: str) -> str:
    """NFKC, all white space removed: how two versions' texts are compared."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


def mask_cross_references(text: str) -> str:
    return _CROSS_REFERENCE.sub("第#条", text)


@dataclass(frozen=True)
class AlignedText:
    """One article as the aligner sees it."""

    ref: ArticleRef  # 10, or the branch key "2_2": what "same number" means
    label: str
    text: str
    key: str = field(default="")
    masked: str = field(default="")
    bigrams: frozenset[str] = field(default=frozenset())

    @staticmethod
    def of(ref: ArticleRef, label: str, text: str) -> AlignedText:
        key = normalise(text)
        masked = mask_cross_references(key)
        return AlignedText(ref, label, text, key, masked, frozenset(_bigrams(masked)))


@dataclass
class Pair:
    old: int | None
    new: int | None
    similarity: float | None = None
    moved: bool = False


@dataclass
class Alignment:
    """Index pairs into the old/new article lists, plus split and merge groups (by index)."""

    pairs: list[Pair]
    splits: list[tuple[int, list[int]]] = field(default_factory=list)
    merges: list[tuple[list[int], int]] = field(default_factory=list)


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < MIN_SIMILARITY or matcher.quick_ratio() < MIN_SIMILARITY:
        return 0.0
    return matcher.ratio()


def containment(part: str, whole: str) -> tuple[float, int]:
    """Share of ``part`` found in ``whole`` in runs of ``MIN_BLOCK``+ chars, and where it starts."""
    if not part or not whole:
        return 0.0, 0
    if part in whole:
        return 1.0, whole.index(part)
    blocks = [
        b
        for b in SequenceMatcher(None, part, whole, autojunk=False).get_matching_blocks()
        if b.size >= MIN_BLOCK
    ]
    if not blocks:
        return 0.0, 0
    return sum(b.size for b in blocks) / len(part), blocks[0].b


class _Scorer:
    """Similarity of every plausible pair, computed once."""

    def __init__(self, old: list[AlignedText], new: list[AlignedText]) -> None:
        self.old = old
        self.new = new
        self._cache: dict[tuple[int, int], float] = {}

    def __call__(self, i: int, j: int) -> float:
        if (i, j) not in self._cache:
            self._cache[(i, j)] = self._compute(i, j)
        return self._cache[(i, j)]

    def _compute(self, i: int, j: int) -> float:
        a, b = self.old[i].masked, self.new[j].masked
        if a == b:
            return 1.0
        x, y = self.old[i].bigrams, self.new[j].bigrams
        if 2 * len(x & y) / (len(x) + len(y)) < _PREFILTER_DICE:
            return 0.0
        return similarity(a, b)


def _dynamic_programme(scorer: _Scorer, n_old: int, n_new: int) -> list[tuple[int, int]]:
    """Order-preserving matching that maximises total similarity (ties: same number)."""
    gain = [[0.0] * (n_new + 1) for _ in range(n_old + 1)]
    for i in range(n_old - 1, -1, -1):
        row, below = gain[i], gain[i + 1]
        for j in range(n_new - 1, -1, -1):
            best = max(below[j], row[j + 1])
            score = scorer(i, j)
            if score >= MIN_SIMILARITY:
                # A hair's preference for equal numbers decides between identical articles.
                bonus = 1e-3 if scorer.old[i].ref == scorer.new[j].ref else 0.0
                best = max(best, score + bonus + below[j + 1])
            row[j] = best
    matches: list[tuple[int, int]] = []
    i = j = 0
    while i < n_old and j < n_new:
        score = scorer(i, j)
        bonus = 1e-3 if scorer.old[i].ref == scorer.new[j].ref else 0.0
        if (
            score >= MIN_SIMILARITY
            and abs(gain[i][j] - (score + bonus + gain[i + 1][j + 1])) < 1e-9
        ):
            matches.append((i, j))
            i += 1
            j += 1
        elif gain[i][j] == gain[i + 1][j]:
            i += 1
        else:
            j += 1
    return matches


def _gaps(matches: list[tuple[int, int]], n_old: int, n_new: int) -> list[tuple[range, range]]:
    bounds = [(-1, -1), *matches, (n_old, n_new)]
    return [
        (range(i0 + 1, i1), range(j0 + 1, j1))
        for (i0, j0), (i1, j1) in itertools.pairwise(bounds)
        if i1 - i0 > 1 and j1 - j0 > 1
    ]


def _contained_matches(
    old: list[AlignedText], new: list[AlignedText], matches: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Inside each gap, pair articles where one holds nearly all of the other, in order."""
    extra: list[tuple[int, int]] = []
    for old_range, new_range in _gaps(matches, len(old), len(new)):
        last_j = new_range.start - 1
        for i in old_range:
            best: tuple[int, int] | None = None  # (start in the longer text, j)
            for j in new_range:
                if j <= last_j:
                    continue
                part, whole = sorted((old[i], new[j]), key=lambda t: len(t.masked))
                if not _may_contain(part, whole):
                    continue
                share, start = containment(part.masked, whole.masked)
                if share >= MIN_CONTAINMENT and (best is None or start < best[0]):
                    best = (start, j)
            if best is not None:
                extra.append((i, best[1]))
                last_j = best[1]
    return extra


def align(old: list[AlignedText], new: list[AlignedText]) -> Alignment:
    scorer = _Scorer(old, new)
    matches = _dynamic_programme(scorer, len(old), len(new))
    matches = sorted(matches + _contained_matches(old, new, matches))
    old_to_new = dict(matches)
    new_to_old = {j: i for i, j in matches}

    moved = _moved(scorer, old_to_new, new_to_old)
    moved_new = {j for j, _ in moved.values()}
    splits: dict[int, list[int]] = {}
    for j, article in enumerate(new):
        if j in new_to_old or j in moved_new:
            continue
        host = _container(article, list(enumerate(old)))
        if host is not None:
            splits.setdefault(host, []).append(j)
    merges: dict[int, list[int]] = {}
    for i, article in enumerate(old):
        if i in old_to_new or i in moved:
            continue
        host = _container(article, list(enumerate(new)))
        if host is not None:
            merges.setdefault(host, []).append(i)
    matches = _keep_beginnings(old, new, matches, splits, merges)
    old_to_new = dict(matches)
    new_to_old = {j: i for i, j in matches}

    pairs = _ordered_pairs(old, new, matches, moved, scorer)
    return Alignment(
        pairs=pairs,
        splits=[
            (i, sorted([*([old_to_new[i]] if i in old_to_new else []), *js]))
            for i, js in sorted(splits.items())
        ],
        merges=[
            (sorted([*([new_to_old[j]] if j in new_to_old else []), *is_]), j)
            for j, is_ in sorted(merges.items())
        ],
    )


def _moved(
    scorer: _Scorer, old_to_new: dict[int, int], new_to_old: dict[int, int]
) -> dict[int, tuple[int, float]]:
    """Unmatched pairs similar enough without positional support: articles moved elsewhere."""
    moved: dict[int, tuple[int, float]] = {}
    free_new = [j for j in range(len(scorer.new)) if j not in new_to_old]
    for i in range(len(scorer.old)):
        if i in old_to_new or not free_new:
            continue
        score, j = max((scorer(i, j), j) for j in free_new)
        if score >= MIN_MOVED_SIMILARITY:
            moved[i] = (j, score)
            free_new.remove(j)
    return moved


def _keep_beginnings(
    old: list[AlignedText],
    new: list[AlignedText],
    matches: list[tuple[int, int]],
    splits: dict[int, list[int]],
    merges: dict[int, list[int]],
) -> list[tuple[int, int]]:
    """A split article stays aligned with the part holding its beginning (merges alike).

    The DP matches the largest part; the convention of a 新旧対照表 is the first one.  The
    match moves only where that keeps the alignment in order.  ``splits``/``merges`` are
    updated in place to list the parts that are not aligned.
    """
    result = dict(matches)  # old -> new

    def first_part(whole: str, parts: list[tuple[int, str]]) -> int:
        return min(parts, key=lambda p: containment(p[1], whole)[1])[0]

    def free_between(taken: set[int], a: int, b: int) -> bool:
        return not any(k in taken for k in range(min(a, b) + 1, max(a, b)))

    for i, parts in splits.items():
        if i not in result:
            continue
        current = result[i]
        best = first_part(old[i].masked, [(j, new[j].masked) for j in [current, *parts]])
        if best != current and free_between(set(result.values()), current, best):
            result[i] = best
            parts[parts.index(best)] = current
    for j, parts in merges.items():
        inverse = {n: o for o, n in result.items()}
        if j not in inverse:
            continue
        current = inverse[j]
        best = first_part(new[j].masked, [(i, old[i].masked) for i in [current, *parts]])
        if best != current and free_between(set(result), current, best):
            del result[current]
            result[best] = j
            parts[parts.index(best)] = current
    return sorted(result.items())


def _may_contain(part: AlignedText, whole: AlignedText) -> bool:
    """Cheap necessary condition for containment: most of the part's bigrams are in the whole."""
    return len(part.bigrams & whole.bigrams) >= MIN_CONTAINMENT * 0.9 * len(part.bigrams)


def _container(part: AlignedText, candidates: list[tuple[int, AlignedText]]) -> int | None:
    """The candidate holding at least ``MIN_CONTAINMENT`` of ``part`` (the best one)."""
    if len(part.masked) < MIN_BLOCK * 2:
        return None  # a few characters are contained everywhere
    best: tuple[float, int] | None = None
    for index, whole in candidates:
        if len(whole.masked) < len(part.masked) or not _may_contain(part, whole):
            continue
        share, _ = containment(part.masked, whole.masked)
        if share >= MIN_CONTAINMENT and (best is None or share > best[0]):
            best = (share, index)
    return None if best is None else best[1]


def _ordered_pairs(
    old: list[AlignedText],
    new: list[AlignedText],
    matches: list[tuple[int, int]],
    moved: dict[int, tuple[int, float]],
    scorer: _Scorer,
) -> list[Pair]:
    """Rows in new-text order; a removed article comes right after its old predecessor."""
    new_to_old = {j: i for i, j in matches}
    moved_new = {j: (i, score) for i, (j, score) in moved.items()}
    pending_old = [i for i in range(len(old)) if i not in dict(matches) and i not in moved]
    pairs: list[Pair] = []
    for j in range(len(new)):
        if j in new_to_old:
            i = new_to_old[j]
            while pending_old and pending_old[0] < i:
                pairs.append(Pair(old=pending_old.pop(0), new=None))
            pairs.append(Pair(old=i, new=j, similarity=scorer(i, j) or _ratio(old[i], new[j])))
        elif j in moved_new:
            i, score = moved_new[j]
            pairs.append(Pair(old=i, new=j, similarity=score, moved=True))
        else:
            pairs.append(Pair(old=None, new=j))
    pairs.extend(Pair(old=i, new=None) for i in pending_old)
    return pairs


def _ratio(a: AlignedText, b: AlignedText) -> float:
    return SequenceMatcher(None, a.masked, b.masked, autojunk=False).ratio()


def status_of(pair: Pair, old: list[AlignedText], new: list[AlignedText]) -> AlignmentStatus:
    if pair.old is None:
        return "added"
    if pair.new is None:
        return "removed"
    if pair.moved:
        return "moved"
    a, b = old[pair.old], new[pair.new]
    if a.key != b.key:
        return "modified"
    return "unchanged" if a.ref == b.ref else "renumbered"
