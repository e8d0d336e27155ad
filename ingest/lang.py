"""Language of a block or a document: Japanese, Chinese, Korean, English.

langdetect alone reads kanji-heavy Japanese (a title line, an article without okurigana) as
Chinese, so CJK text is decided by script evidence first:

1. kana → Japanese; hangul → Korean;
2. otherwise Han characters whose *form* exists in only one of the languages.  The sets are
   derived from the national character sets rather than hand lists, so they cover every
   character those standards know:

   - Chinese: in GB2312 but not in Shift_JIS/CP932 (simplified forms 务 关 总 这 们 办 开 实) or
     in Big5 only (traditional forms Japan never adopted);
   - Japanese: in CP932 but in neither GB2312 nor Big5 (shinjitai and kokuji: 弁 is shared,
     but 図 経 済 関 総 対 込 働 are not).

3. a tie (a line of characters shared by both, 第一条) goes to ``default``, the language of the
   surrounding document;
4. non-CJK text goes to langdetect, seeded so results are reproducible.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from typing import Literal

from models.document import Language
from models.han_variants import encodable, replaced_in_japan

# Kana proper: the middle dot ・ and the prolonged mark ー also turn up in Chinese PDFs.
_HIRAGANA_KATAKANA = re.compile(
    r"[\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fd-\u30ff\u31f0-\u31ff]"
)
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_URL = re.compile(r"(?:https?://|www\.)\S+")

# A stray katakana name in a long Chinese paragraph should not make it Japanese.
_MIN_KANA = 3
_MIN_KANA_SHARE = 0.05
# Latin text shorter than this is a code, an abbreviation or a name (CISTEC, 1E902.a), not prose.
_MIN_LATIN_LETTERS = 20
# One CJK character carries about as much as a short Latin word.
_LATIN_LETTERS_PER_CJK = 4

_LANGDETECT_CODES: dict[str, Language] = {
    "ja": "ja",
    "zh-cn": "zh",
    "zh-tw": "zh",
    "ko": "ko",
    "en": "en",
}

HanForm = Literal["ja", "zh"]


@cache
def han_form(char: str) -> HanForm | None:
    """Which language a Han character's form belongs to only, or None when shared or unknown.

    Besides the forms only one national set encodes, a Traditional form that Japan replaced
    (對 for 対, 條 for 条, 國 for 国) is Chinese: CP932 encodes such old forms, but only outside
    the everyday kanji of JIS level 1 (為, 別, 輸 are level 1 and stay shared).  A
    Traditional-script text is full of them; a Japanese one has kana.
    """
    in_gb = encodable(char, "gb2312")
    in_jis = encodable(char, "cp932")
    in_big5 = encodable(char, "big5")
    if in_gb and not in_jis:
        return "zh"
    if in_big5 and not in_jis and not in_gb:
        return "zh"
    if in_jis and not in_gb and not in_big5:
        return "ja"
    if replaced_in_japan(char):
        return "zh"
    return None


def _script_language(text: str) -> Language | None:
    """The language the script evidence proves, None when it proves nothing."""
    kana = len(_HIRAGANA_KATAKANA.findall(text))
    hangul = len(_HANGUL.findall(text))
    han = _HAN.findall(text)
    cjk = kana + hangul + len(han)
    if kana and (kana >= _MIN_KANA or kana / cjk >= _MIN_KANA_SHARE) and kana >= hangul:
        return "ja"
    if hangul and hangul >= len(han):
        return "ko"
    forms = Counter(form for form in map(han_form, han) if form is not None)
    if forms["ja"] > forms["zh"]:
        return "ja"
    if forms["zh"] > forms["ja"]:
        return "zh"
    return None


def _cjk_dominates(text: str) -> bool:
    cjk = len(_HAN.findall(text)) + len(_HIRAGANA_KATAKANA.findall(text))
    cjk += len(_HANGUL.findall(text))
    latin = len(_LATIN_LETTER.findall(text))
    return cjk > 0 and cjk * _LATIN_LETTERS_PER_CJK >= latin


@cache
def _langdetect_ready() -> bool:
    from langdetect import DetectorFactory

    DetectorFactory.seed = 0
    return True


def preload() -> None:
    """Load langdetect's 55 language profiles now (0.37 CPU s), not at the first English
    block: the fork server of the ingest workers calls it (``ingest.warm``), so the
    workers it forks share one loaded copy instead of each loading its own."""
    _langdetect_ready()
    from langdetect import detector_factory

    detector_factory.init_factory()


def _langdetect(text: str) -> Language | None:
    _langdetect_ready()
    from langdetect import detect
    from langdetect.lang_detect_exception import LangDetectException

    try:
        code = detect(text)
    except LangDetectException:
        return None
    return _LANGDETECT_CODES.get(code, "und")


def _detect(text: str) -> Language | None:
    """The language of ``text``, None when nothing in it decides (the caller's default wins)."""
    text = _URL.sub(" ", text)
    if _cjk_dominates(text):
        return _script_language(text)
    if len(_LATIN_LETTER.findall(text)) < _MIN_LATIN_LETTERS:
        return None
    return _langdetect(text)


def detect_language(text: str, default: Language = "und") -> Language:
    """Language of one block; ``default`` (the document's language) settles ties.

    Han-only text with no telling character and no CJK default is taken as Chinese: Japanese
    prose almost never goes a whole block without kana.
    """
    found = _detect(text)
    if found is not None:
        return found
    if default in ("ja", "zh") or not _HAN.search(text):
        return default
    return "zh"


def document_language(blocks_texts: list[str]) -> Language:
    """Majority language of a document, weighted by characters; undecided blocks abstain."""
    weights: Counter[Language] = Counter()
    han_only_weight = 0
    for text in blocks_texts:
        size = len("".join(text.split()))
        found = _detect(text)
        if found is not None and found != "und":
            weights[found] += size
        elif _HAN.search(text):
            han_only_weight += size
    if weights:
        return weights.most_common(1)[0][0]
    return "zh" if han_only_weight else "und"
