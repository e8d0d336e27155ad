"""Judging and cleaning candidate list items and headings (shared by the item-list finders).

List-ness is decided from the shape of the text, not from its words: an item is a short noun
phrase (no predicate, at most a particle or two), a heading is a short phrase that does not end
a sentence.  Japanese predicates end in kana and carry particles (を, に, が); Chinese
sentences carry a clause comma (，) or a modal/verb of obligation.
"""

from __future__ import annotations

import re
import unicodedata

HIRAGANA = re.compile(r"[ぁ-ゖ]")
_HIRAGANA_RUN = re.compile(r"[ぁ-ゖ]+")
_CJK = r"\u3001-\u303f\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff01-\uff60"
_SPACE_IN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t\u3000\n]+|[ \t\u3000\n]+(?=[{_CJK}])")
_FINAL_PUNCT = "、。；;，,：:．.　 \t\n"
_CHINESE_CLAUSE = re.compile(
    r"[，。]|应当|不得|可以|必须|进行|按照|依照|根据|是指|属于|用于|对于|以及其他|之一"
)
_JA_PREDICATE_END = re.compile(r"(?:[るたいすずうくぬむぶつ]|ない|ます|です|こと)$")
# Items that only say "and the rest": not an item of their own.
CATCH_ALL = re.compile(r"^(?:その他|其他|其它|other|others|等|など)", re.IGNORECASE)
# Statements that a list is of things outside control: FAQ lists of downstream products.
NEGATED_CONTROL = re.compile(
    r"該当しない|該当せず|含まれない|対象外|対象とならない|規制されない|管理されない|"
    r"不属于|不在.{0,12}(?:范围|範囲)|不受.{0,8}管制|不纳入|not\s+(?:subject|controlled|covered)",
    re.IGNORECASE,
)
ATTACHMENT_HEADING = re.compile(
    r"^(?:付属文書|附属文書|附件|別添|別紙|添付(?:文書|資料)?|attachments?|annex(?:es)?)\s*[：:]?$",
    re.IGNORECASE,
)
FILE_NAME = re.compile(r"\.(?:wps|docx?|pdf|xlsx?|et|ofd|zip|rar)$", re.IGNORECASE)
MAX_ITEM_CHARS = 40
MAX_HEADING_CHARS = 40


def squeeze(text: str) -> str:
    """Drop line breaks and the stray spaces a PDF puts between CJK characters."""
    text = _SPACE_IN_CJK.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


def strip_punct(text: str) -> str:
    return text.strip(_FINAL_PUNCT)


_BULLET = re.compile(r"^[・■□●○◆◇▶▷※＊*\uf06c\uf0d8\x00\s]+")


def clean_item(text: str) -> str:
    return strip_punct(_BULLET.sub("", squeeze(text)))


def is_japanese(text: str) -> bool:
    return bool(re.search(r"[ぁ-ゖァ-ヺ]", text))


def has_particles(item: str) -> bool:
    """Japanese: any hiragana; Chinese: a clause mark or a word of obligation."""
    bare = re.sub(r"[（(][^）)]*[）)]", "", item)
    if is_japanese(bare) or HIRAGANA.search(bare):
        return bool(HIRAGANA.search(bare))
    return bool(_CHINESE_CLAUSE.search(bare))


def is_sentence(text: str) -> bool:
    """A clause with a predicate rather than a noun phrase."""
    bare = strip_punct(re.sub(r"[（(][^）)]*[）)]$", "", strip_punct(text)))
    if not bare:
        return False
    if "。" in strip_punct(text) or "；" in bare:
        return True
    if is_japanese(bare):
        return bool(_JA_PREDICATE_END.search(bare))
    return bool(re.search(r"[，]|应当|不得|可以|必须", bare))


# A bare number or code (``8112923010``, ``3818009000）``): the code note of an item, not one.
_CODE_ONLY = re.compile(
    r"^[^（(\u3040-\u30ff\u3400-\u9fff]*?[0-9０-９][0-9０-９A-Za-z.．\-/ ）)]*$"
)


def is_code_only(text: str) -> bool:
    return bool(_CODE_ONLY.match(clean_item(text)))


def item_like(text: str, max_chars: int = MAX_ITEM_CHARS) -> bool:
    bare = clean_item(text)
    return (
        0 < len(bare) <= max_chars
        and not is_sentence(bare)
        and not FILE_NAME.search(bare)
        and not is_code_only(bare)
    )


def heading_like(text: str) -> bool:
    bare = clean_item(text)
    if not bare or len(bare) > MAX_HEADING_CHARS or ATTACHMENT_HEADING.match(bare):
        return False
    return not is_sentence(bare)


def particle_share(items: list[str]) -> float:
    return sum(has_particles(i) for i in items) / len(items) if items else 1.0


def nfkc_key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def head_of_tail(segment: str) -> str:
    """The item at the start of the enumeration's last segment.

    ``セリウム磁石の製造技術を指す`` gives ``セリウム磁石``, ``イットリウム等の元素`` gives
    ``イットリウム``, ``39 のイットリウム（Y）の合計`` gives ``イットリウム（Y）`` (a bare number
    before a particle is a modifier)."""
    segment = re.split(r"等|など|ほか|及其|等等", segment, maxsplit=1)[0]
    for piece in _HIRAGANA_RUN.split(segment):
        piece = strip_punct(squeeze(piece))
        if piece and not re.fullmatch(r"[0-9０-９.．\s]+", piece):
            return piece
    return strip_punct(squeeze(segment))


def tail_of_head(segment: str) -> str:
    """The item at the end of a segment with leading modifiers: ``原子番号 21 のスカンジウム（Sc）``
    gives ``スカンジウム（Sc）``."""
    pieces = [strip_punct(squeeze(p)) for p in _HIRAGANA_RUN.split(segment)]
    pieces = [p for p in pieces if p]
    return pieces[-1] if pieces else strip_punct(squeeze(segment))
