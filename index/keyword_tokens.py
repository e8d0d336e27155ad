"""Search tokens of a text, the same for queries and chunks (``index.keyword`` indexes them):

* numbers and codes as single tokens, normalised (NFKC, kanji numerals in ordinals):
  ``0.1%`` (and ``0.1``), ``1e902`` / ``1e902.a`` (a sub-code also as its parents: ``3c901.a.1``
  gives ``3c901``, ``3c901.a``, ``3c901.a.1``), ``第61号``, ``第10条`` for 第十条;
* words: Sudachi (normalised forms, particles and symbols dropped) for text with kana,
  jieba (search mode) for Han-only text, lower-cased words for Latin script;
* character bigrams of every CJK run, so words a segmenter splits differently (and
  kanji shared by Japanese and Chinese, 稀土, 公告) still meet;
* every token folded to simplified characters (``index.han_fold``: 経→经, 輸→输, 價→价), so a
  Japanese question's 輸出許可 meets a Chinese article's 输出许可 and the other way round.

``TOKENIZER_VERSION`` changes with any rule here: stored term counts of another version are
re-counted (``index.keyword_store.check_tokenizer``).
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from typing import Any

from index.han_fold import fold_han

TOKENIZER_VERSION = "3"

_KANJI_DIGITS = "〇零一二三四五六七八九十百千两兩"
_SPECIAL = re.compile(
    r"(?P<code>(?<![0-9A-Za-z])\d[A-Z]\d{3}(?:\.[a-z0-9]{1,3})*(?![0-9A-Za-z]))"
    rf"|(?P<ordinal>第\s*[0-9{_KANJI_DIGITS}]+\s*[号號条條款项項章节節编編部])"
    r"|(?P<number>\d+(?:[.,]\d+)*\s*%?)"
)
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_KANA = re.compile(r"[\u3040-\u30ff]")
# Bigram runs leave out hiragana: particles and okurigana only add noise pairs (の品, 率が).
_BIGRAM_RUN = re.compile(r"[\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_WORD = re.compile(r"[a-z][a-z\-]*[a-z]|[a-z]")
_SKIP_POS = frozenset({"助詞", "助動詞", "補助記号", "空白", "記号"})
# Function words only: BM25's idf already discounts common content words.
_ZH_STOP = frozenset(
    """的 了 和 与 及 或 或者 在 是 对 将 由 为 以 等 其 之 而 并 并且 应当 可以
    哪些 什么 如何 吗""".split()  # noqa: SIM905
)
_EN_STOP = frozenset(
    """a an the of to in on for by and or is are be been was were what which who whom when
    how does do did that this these those with as at from it its than then any can must
    under into their there""".split()  # noqa: SIM905
)


def _ordinal_value(raw: str) -> str:
    digits = re.sub(r"[^0-9" + _KANJI_DIGITS + "]", "", raw)
    if digits.isdigit():
        return str(int(digits))
    try:
        from ingest.numbers import kanji_to_int

        return str(kanji_to_int(digits))
    except (ImportError, ValueError):
        return digits


@functools.lru_cache(maxsize=1)
def _sudachi() -> Any:
    from sudachipy import Dictionary

    return Dictionary(dict="core").create()


@functools.lru_cache(maxsize=1)
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def _japanese_words(text: str) -> list[str]:
    from sudachipy import SplitMode

    words: list[str] = []
    for morpheme in _sudachi().tokenize(text, SplitMode.C):
        if morpheme.part_of_speech()[0] in _SKIP_POS:
            continue
        form = morpheme.normalized_form()
        if form.strip():
            words.append(form)
    return words


def _chinese_words(text: str) -> list[str]:
    # jieba's dictionary is simplified: traditional text segments better folded first.
    return [
        w
        for w in _jieba().lcut_for_search(fold_han(text))
        if w.strip() and w not in _ZH_STOP and _CJK_RUN.match(w)
    ]


def _special_tokens(match: re.Match[str]) -> list[str]:
    raw = match.group(0)
    if match.group("code"):
        # 3C901.a.1 also as 3c901 and 3c901.a: a question naming the entry meets its sub-items.
        parts = raw.lower().split(".")
        return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
    if match.group("ordinal"):
        unit = raw.strip()[-1]
        return [f"第{_ordinal_value(raw)}{unit}"]
    number = raw.replace(" ", "").replace(",", "")
    if number.endswith("%"):
        return [number, number[:-1]]
    return [number]


def tokenize(text: str) -> list[str]:
    """Search tokens of ``text`` (see the module docstring); the same for queries and chunks."""
    text = unicodedata.normalize("NFKC", text)
    tokens: list[str] = []
    rest: list[str] = []
    last = 0
    for match in _SPECIAL.finditer(text):
        rest.append(text[last : match.start()])
        tokens.extend(_special_tokens(match))
        last = match.end()
    rest.append(text[last:])
    plain = " ".join(rest)
    japanese = bool(_KANA.search(plain))
    for run in _CJK_RUN.findall(plain):
        tokens.extend(_japanese_words(run) if japanese else _chinese_words(run))
    for run in _BIGRAM_RUN.findall(plain):
        tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    tokens.extend(w for w in _LATIN_WORD.findall(plain.lower()) if w not in _EN_STOP)
    return [fold_han(t) for t in tokens]
