"""Document identity across versions: is a new file another version of a stored document?

A regulation reaches the corpus several times: as a consultation draft, as the final text, as a
later amendment, as a re-issued PDF.  The text usually says which document it is, so versions are
recognised without the user's help where the identity allows it:

1. the same document number (``商务部公告2025年第61号``) from compatible issuers;
2. the same title once draft and revision markers are dropped (``（征求意见稿）``, ``意見募集稿``,
   ``（2022年修正）``, ``改訂5版``...), compared after NFKC and a Japanese/traditional →
   simplified character folding, without brackets, punctuation or white space;
3. the same title once the provisional markers ``暂行``/``暫定``/``试行`` are also dropped, because
   a draft of ``…管理弁法（暫定）`` becomes ``…管理暫定弁法`` and interim measures are later
   replaced by permanent ones of the same name.

Vetoes apply at every level: both sides name issuers and none overlap; both are in known and
different languages (a translation is a document of its own); kinds of different families
(a commentary on a measure is not that measure); both carry numbers and none agree (MOFCOM
reuses generic titles such as ``关于对部分物项实施出口管制的公告`` for different announcements).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ingest.numbers import parse_number
from models.document import DocumentIdentity

# Japanese shinjitai and traditional forms → simplified, for the characters of issuer names and
# regulation titles.  Only a comparison key: never shown to the user.
_VARIANT_PAIRS = (
    "務务 関关 關关 総总 總总 業业 報报 発发 發发 員员 資资 開开 製制 錬炼 "
    "煉炼 規规 則则 暫暂 弁办 辦办 華华 産产 產产 輸输 貿贸 経经 經经 済济 "
    "濟济 國国 條条 細细 號号 稅税 門门 鉄铁 鐵铁 鋼钢 鉱矿 礦矿 電电 気气 "
    "氣气 術术 軍军 両两 兩两 項项 録录 錄录 單单 単单 類类 證证 証证 許许 "
    "審审 査查 體体 認认 會会 議议 決决 見见 訂订 試试 實实 実实 廢废 廃废 "
    "進进 庁厅 廳厅 財财 衛卫 衞卫 環环 護护 協协 調调 統统 計计 價价 価价 "
    "監监 識识 権权 權权 義义 責责 処处 處处 罰罚 違违 範范 標标 準准 銷销 "
    "購购 買买 賣卖 売卖 貨货 幣币 銀银 軟软 網网 絡络 數数 據据 拠据 際际 "
    "對对 対对 與与 應应 応应 於于 從从 従从 來来 後后 時时 間间 問问 題题 "
    "頒颁 佈布 達达 導导 鎵镓 鍺锗 銻锑 鎢钨 鋰锂 鎳镍 鈷钴 鋁铝 銅铜 鉛铅 "
    "鋅锌 錫锡 鉬钼 釩钒 鈦钛 鎂镁 銦铟 鉍铋 鈮铌 鉭钽 區区 県县 縣县 級级 "
    "聯联 連连 黨党 辺边 邊边 徵征 徴征 収收 讓让 譲让 転转 轉转 換换 擴扩 "
    "拡扩 強强 彊强 説说 說说 讀读 読读 聲声 這这 個个 箇个 們们 為为 爲为 "
    "様样 樣样 寫写 當当 縮缩 種种 効效 劑剂 剤剂 藥药 薬药 醫医 歐欧 亞亚 "
    "亜亚 灣湾 圍围 囲围 內内 営营 營营 塩盐 鹽盐 鑑鉴 鑒鉴"
)
_FOLD = str.maketrans({pair[0]: pair[1] for pair in _VARIANT_PAIRS.split() if pair[0] != pair[1]})


def fold(text: str) -> str:
    """Comparison form: NFKC, lower case, Japanese/traditional → simplified characters."""
    return unicodedata.normalize("NFKC", text).translate(_FOLD).lower()


def _compile(*alternatives: str) -> re.Pattern[str]:
    # Patterns are written as in the documents and folded like the text they are matched on.
    return re.compile("|".join(fold(a) for a in alternatives))


_DRAFT_MARKERS = _compile(
    r"公开征求意见稿",
    r"征求意见稿",
    r"意见征求稿",
    r"征求意见版",
    r"意见稿",
    r"送审稿",
    r"审议稿",
    r"草案",
    r"意見募集稿",
    r"意見募集案",
    r"意見公募案",
    r"パブリックコメント案",
    r"\bpublic consultation draft\b",
    r"\bconsultation draft\b",
    r"\bexposure draft\b",
    r"\bdraft\b",
)
_REVISION_MARKERS = _compile(
    # （2022年修正）, （2022修订）, 2022年版, （2025年2月19日）
    r"[(（]\s*\d{4}\s*年?(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?\s*"
    r"(?:修正|修订|修改|改正|改訂|第?\d+次修正|第?\d+次修订|版|公布|発布|施行)?\s*[)）]",
    r"\d{4}\s*年\s*(?:修正|修订|修改|改正|改訂)?\s*版",
    r"改訂\s*第?\s*\d+\s*版",
    r"第\s*\d+\s*版",
    r"\d+\s*訂版",
    r"第?\s*\d+\s*次\s*(?:修正|修订|改訂|改正)(?:版|本|稿)?",
    r"(?:修订|修正|改訂|改正|最新)(?:版|本|稿)",
    r"\brev(?:ision|\.)?\s*\d+\b",
    r"\brevised\b",
    r"\b(?:amended|as amended)\s+(?:in\s+)?\d{4}\b",
)
_PROVISIONAL_MARKERS = _compile(
    r"暂行", r"暫定", r"试行", r"試行", r"\binterim\b", r"\bprovisional\b"
)
_NON_WORD = re.compile(r"[\W_]+")


def normalise_title(title: str, *, drop_provisional: bool = False) -> str:
    """Title without draft/revision markers, brackets, punctuation or spaces, folded.

    >>> normalise_title("中华人民共和国反垄断法（2022年修正）")
    '中华人民共和国反垄断法'
    """
    text = fold(title)
    text = _DRAFT_MARKERS.sub(" ", text)
    text = _REVISION_MARKERS.sub(" ", text)
    if drop_provisional:
        text = _PROVISIONAL_MARKERS.sub(" ", text)
    return _NON_WORD.sub("", text)


# ---------------------------------------------------------------- document numbers

_NUMERAL = r"[0-9〇一二三四五六七八九十百千零○]+"
_NUMBER_TAIL = re.compile(rf"第?\s*(?P<num>{_NUMERAL})\s*号")
_ERA_YEAR = re.compile(r"(?:令和|平成|昭和)\s*(?:\d+|元)\s*年")
_YEAR = re.compile(r"(?P<year>\d{4}|[〇一二三四五六七八九零○]{4})\s*(?:年|第)")
_NUMBER_TYPES = (
    "公告", "告示", "通告", "公报", "公示", "决定", "通知", "命令", "批复", "函",
    "法律", "政令", "省令", "令", "指令", "公函",
)  # fmt: skip
_NUMBER_TYPE = re.compile("|".join(sorted((fold(t) for t in _NUMBER_TYPES), key=len, reverse=True)))


@dataclass(frozen=True)
class NumberKey:
    """A document number reduced to what identifies it: type word, year, serial number."""

    kind: str
    year: str | None
    serial: int
    issuer_text: str = field(default="", compare=False)

    def agrees(self, other: NumberKey) -> bool:
        if self.kind != other.kind or self.serial != other.serial:
            return False
        return self.year is None or other.year is None or self.year == other.year


def number_key(number: str) -> NumberKey | None:
    """``商務部・海関総署公告2025年第61号`` → (公告, 2025, 61, issuer text 商务部海关总署)."""
    text = _NON_WORD.sub("", fold(number)) if number else ""
    tails = list(_NUMBER_TAIL.finditer(text))
    if not tails:
        return None
    tail = tails[-1]
    serial = parse_number(tail.group("num"))
    if not isinstance(serial, int):
        return None
    head = text[: tail.start()]
    era = _ERA_YEAR.search(head)
    year: str | None = None
    if era:
        year = re.sub(r"\s", "", era.group(0)).rstrip("年")
        head = head[: era.start()] + head[era.end() :]
    else:
        ym = _YEAR.search(head + "第")
        if ym:
            value = parse_number(ym.group("year"))
            year = str(value) if isinstance(value, int) else None
            head = head[: ym.start()]
    types = list(_NUMBER_TYPE.finditer(head))
    kind = types[-1].group(0) if types else ""
    issuer_text = head[: types[-1].start()] if types else head
    return NumberKey(kind=kind, year=year, serial=serial, issuer_text=issuer_text)


def _number_keys(identity: DocumentIdentity) -> list[NumberKey]:
    keys = (number_key(n) for n in [identity.number or "", *identity.number_aliases])
    return [k for k in keys if k is not None]


# ---------------------------------------------------------------- compatibility vetoes

_KIND_FAMILIES: dict[str, str] = {
    "announcement": "normative",
    "measures": "normative",
    "regulation": "normative",
    "law": "normative",
    "order": "normative",
    "notice": "normative",
    "list": "normative",
    "commentary": "commentary",
    "news": "news",
    "explanation": "explanation",
    "qa": "qa",
    "guide": "guide",
    "translation": "translation",
}


def _issuer_texts(identity: DocumentIdentity) -> set[str]:
    texts = {_NON_WORD.sub("", fold(i)) for i in identity.issuers}
    texts.update(k.issuer_text for k in _number_keys(identity))
    return {t for t in texts if t}


def issuers_overlap(a: Iterable[str], b: Iterable[str]) -> bool:
    """Two issuer lists name a common issuer (folded, one name containing the other)."""
    fa = {_NON_WORD.sub("", fold(x)) for x in a} - {""}
    fb = {_NON_WORD.sub("", fold(x)) for x in b} - {""}
    return any(x in y or y in x for x in fa for y in fb)


def _compatible(new: DocumentIdentity, old: DocumentIdentity) -> bool:
    if "und" not in (new.language, old.language) and new.language != old.language:
        return False
    fam_new, fam_old = _KIND_FAMILIES.get(new.kind), _KIND_FAMILIES.get(old.kind)
    if fam_new and fam_old and fam_new != fam_old:
        return False
    issuers_new, issuers_old = _issuer_texts(new), _issuer_texts(old)
    return not issuers_new or not issuers_old or issuers_overlap(issuers_new, issuers_old)


# ---------------------------------------------------------------- matching

NUMBER_MATCH, TITLE_MATCH, PROVISIONAL_TITLE_MATCH = 3, 2, 1


@dataclass(frozen=True)
class Candidate:
    """A stored document: its id and the identities of all its versions, oldest first."""

    doc_id: str
    identities: Sequence[DocumentIdentity]


def match_score(new: DocumentIdentity, old: DocumentIdentity) -> int:
    """How surely ``new`` is a version of the document ``old`` identifies; 0 = not at all."""
    if not _compatible(new, old):
        return 0
    keys_new, keys_old = _number_keys(new), _number_keys(old)
    if keys_new and keys_old:
        if any(
            a.agrees(b)
            and (
                not a.issuer_text
                or not b.issuer_text
                or issuers_overlap([a.issuer_text], [b.issuer_text])
            )
            for a in keys_new
            for b in keys_old
        ):
            return NUMBER_MATCH
        return 0  # both numbered, differently: distinct documents whatever their titles
    if not new.title or not old.title:
        return 0
    title_new, title_old = normalise_title(new.title), normalise_title(old.title)
    if title_new and title_new == title_old:
        return TITLE_MATCH
    loose_new = normalise_title(new.title, drop_provisional=True)
    loose_old = normalise_title(old.title, drop_provisional=True)
    if len(loose_new) >= 4 and loose_new == loose_old:
        return PROVISIONAL_TITLE_MATCH
    return 0


def best_match(
    identity: DocumentIdentity, candidates: Iterable[Candidate]
) -> tuple[str, int] | None:
    """``(doc_id, score)`` of the stored document ``identity`` is a version of, or None.

    The best level wins (number over title over provisional title); among equals the
    candidate listed last (the most recently created document) wins.
    """
    best: tuple[str, int] | None = None
    for candidate in candidates:
        score = max((match_score(identity, old) for old in candidate.identities), default=0)
        if score and (best is None or score >= best[1]):
            best = (candidate.doc_id, score)
    return best


def match_existing(identity: DocumentIdentity, candidates: Iterable[Candidate]) -> str | None:
    """The id of the stored document ``identity`` is a new version of, or None."""
    found = best_match(identity, candidates)
    return found[0] if found else None


MATCH_NAMES = {NUMBER_MATCH: "number", TITLE_MATCH: "title", PROVISIONAL_TITLE_MATCH: "title"}
