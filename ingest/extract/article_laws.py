"""Which law an article belongs to: names of laws in running text, and the law a quotation quotes.

A commentary quotes articles of several laws side by side (CISTEC quotes the 稀土管理条例's
第十条 next to the measures' own 第十条).  The quoted law is named by the commentary just
before the quotation, usually by citing the very article (``同条例第10条では``), else by
naming the law (``レアアース管理条例では、…``).  Shared with the references extractor.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from ingest.extract.spans import Intervals
from ingest.numbers import kanji_to_int
from models.document import Document, DocumentIdentity

_NUM = "〇零一二三四五六七八九十百千0-9０-９"
_S = " \u3000\t"

LAW_SUFFIX = r"(?:条例|弁法|办法|辦法|規定|规定|規則|规则|細則|细则|決定|决定|措置|通知|公告|法)"
# A bare name: kanji/katakana run ending in a law suffix (``レアアース管理条例``,
# ``稀土开采和稀土冶炼分离总量调控管理暂行办法``), optionally with (暫定)-style notes.
_BARE_NAME = (
    rf"[\u4e00-\u9fff\u30a0-\u30ffー・々]{{1,50}}?{LAW_SUFFIX}"
    rf"(?![律人令規规的案务務廷院定典則则])(?:[（(](?:暫定|暂行|试行|試行)[）)])?"
)
LAW_NAME = re.compile(
    rf"《(?P<quoted>[^《》\n]{{2,60}})》|「(?P<bracket>[^「」\n]{{2,60}}{LAW_SUFFIX})」|(?P<bare>{_BARE_NAME})"
)
#: ``同条例``, ``本法``, ``该办法``: the law named last, or the document's own law.
PRONOUN = re.compile(rf"(?P<det>同|本|该|該|上記|前記|当該)(?P<kind>{LAW_SUFFIX})")
_NOT_NAMES = {
    "違法", "合法", "方法", "手法", "不法", "用法", "立法", "司法", "執法", "执法", "依法", "非法",
    "憲法", "宪法", "办法", "弁法", "法", "措置", "通知", "公告", "規定", "规定", "決定", "决定",
    "同法", "本法", "说明", "無法", "无法", "寸法", "文法", "税法", "商法", "刑法", "民法",
}  # fmt: skip
# Generic phrases that end like a name: 関連規定, 相关规定, 国の関連規定 …
_GENERIC_NAME = re.compile(
    r"^(?:.*の)?(?:関連|関係|相关|有关|有關|該当|当該|その他|其他|上記|下記|以下|前記|各種|本|同|该|該)"
)
_CHINESE_WORDS = re.compile(
    r".*(?:违反|違反|依照|根据|根據|按照|依据|適用|适用|规定|執行|执行|或者|以及|及|和|与|對|对|由|在|的|将|經|经)"
)
_COUNTRY_PREFIX = re.compile(r"^(?:中華人民共和国|中华人民共和国)")

#: ``第10条``, ``第 2、3 条``, ``第 5 条及び第 7 条``, ``第13条～第16条``.
ARTICLE_MENTION = re.compile(
    rf"第[{_S}]*(?P<first>[{_NUM}]+)[{_S}]*(?:[、，,][{_S}]*(?P<more>[{_NUM}、，,{_S}]+?)[{_S}]*)?条"
    rf"(?:[{_S}]*[～〜~\-－至][{_S}]*第?[{_S}]*(?P<last>[{_NUM}]+)[{_S}]*条)?"
)


def to_int(numeral: str) -> int | None:
    try:
        return kanji_to_int(re.sub(f"[{_S}]", "", numeral))
    except ValueError:
        return None


def clean_name(name: str) -> str:
    """A law name as written, without brackets, spaces and leading bullets."""
    return re.sub(f"[{_S}《》「」]", "", name).lstrip("・")


def law_key(name: str) -> str:
    """The name to compare laws by: also without the 中華人民共和国 prefix."""
    cleaned = clean_name(name)
    return _COUNTRY_PREFIX.sub("", cleaned) or cleaned


def mention_numbers(match: re.Match[str]) -> list[int]:
    """Article numbers an ``ARTICLE_MENTION`` covers (ranges expanded, at most 200)."""
    first = to_int(match.group("first"))
    numbers = [first] if first is not None else []
    if match.group("more"):
        numbers += [
            n
            for part in re.split(f"[、，,{_S}]+", match.group("more"))
            if (n := to_int(part)) is not None
        ]
    if match.group("last") and first is not None:
        last = to_int(match.group("last"))
        if last is not None and 0 < last - first <= 200:
            numbers += list(range(first + 1, last + 1))
    return numbers


@dataclass(frozen=True)
class NameMention:
    name: str | None  # None for a pronoun that could not be resolved
    start: int
    end: int
    pronoun: str | None = None  # 同条例, 本法 …


# ``「…条例」（国務院令第792号。以下「条例」という。）``, ``《…法》（以下简称出口管制法）``
_ABBREVIATION = re.compile(
    rf"以下[{_S}、，,]*(?:[「『《“\"](?P<ja>[^」』》”\"\n]{{1,30}})[」』》”\"][{_S}]*"
    r"(?:という|と(?:略|称)|と呼)"
    rf"|(?:简称|簡稱|简称为|称|稱|统称|統稱)[{_S}]*[“\"「『《]?(?P<zh>[^”\"」』》）)，,。；;\n]{{1,30}}?)"
    r"[”\"」』》]?[{_S}]*[）)，,；;。])"
)


def _open_bracket(text: str, position: int) -> int | None:
    """Where the bracket enclosing ``position`` opens, if one does."""
    depth = 0
    for index in range(position - 1, max(-1, position - 120), -1):
        char = text[index]
        if char in "）)":
            depth += 1
        elif char in "（(":
            if depth == 0:
                return index
            depth -= 1
    return None


def defined_abbreviations(text: str) -> dict[str, str]:
    """Short names a text defines for laws: ``以下「条例」という`` → the name before the bracket.

    Only a law's name (a quoted or bare name ending in a law word) right before the bracket
    counts; ``（以下简称出口许可证件）`` after a permit's name defines no law.
    """
    found: dict[str, str] = {}
    for m in _ABBREVIATION.finditer(text):
        short = clean_name(m.group("ja") or m.group("zh") or "")
        opening = _open_bracket(text, m.start())
        if len(short) < 2 or PRONOUN.fullmatch(short) or opening is None:
            continue
        before = text[max(0, opening - 100) : opening].rstrip(_S)
        names = [n for n in law_names(before, {}) if n.name and n.end == len(before)]
        if names and names[-1].name != short:
            found.setdefault(short, names[-1].name or "")
    return found


def law_names(text: str, abbreviations: Mapping[str, str] | None = None) -> list[NameMention]:
    """Law names and pronouns (``同条例``) in ``text``, in order.

    A short name the text defines (``以下「条例」という``) stands for the full name;
    ``abbreviations`` gives them when ``text`` is an excerpt (None: read them from ``text``).
    """
    if abbreviations is None:
        abbreviations = defined_abbreviations(text)
    found: list[NameMention] = []
    for m in LAW_NAME.finditer(text):
        raw = m.group("quoted") or m.group("bracket") or m.group("bare")
        start = m.start()
        if m.group("bare"):
            # Chinese has no kana between words: 经营者违反本法 is a verb phrase + 本法.
            cut = _CHINESE_WORDS.search(raw)
            if cut:
                start += cut.end()
                raw = raw[cut.end() :]
            pronoun = PRONOUN.search(raw)
            if pronoun and pronoun.end() == len(raw):
                continue  # the pronoun pass below takes it
        if m.group("quoted") and not re.search(f"{LAW_SUFFIX}(?:[（(][^）)]*[）)])?$", raw):
            continue
        name = clean_name(raw)
        if (
            PRONOUN.fullmatch(name)
            or name in _NOT_NAMES
            or len(name) < 3
            or _GENERIC_NAME.match(name)
        ):
            continue
        found.append(NameMention(name, start, m.end()))
    taken = Intervals()
    taken.add_all((n.start, n.end) for n in found)
    for m in PRONOUN.finditer(text):
        if taken.overlaps(m.start(), m.start() + 1):
            continue
        found.append(NameMention(None, m.start(), m.end(), pronoun=m.group(0)))
    if abbreviations:
        found = _expand_abbreviations(text, found, abbreviations)
    found.sort(key=lambda n: n.start)
    return found


def _expand_abbreviations(
    text: str, found: list[NameMention], abbreviations: Mapping[str, str]
) -> list[NameMention]:
    """Names that are defined short names become the full name; bare short names are added."""
    out = [
        NameMention(abbreviations[n.name], n.start, n.end) if n.name in abbreviations else n
        for n in found
    ]
    taken = [(n.start, n.end) for n in out]
    for short, full in abbreviations.items():
        for m in re.finditer(re.escape(short), text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            out.append(NameMention(full, m.start(), m.end()))
            taken.append((m.start(), m.end()))
    return out


def resolve_pronoun(names: list[NameMention], index: int, own_law: str | None) -> str | None:
    """``同条例`` → the last law named before it with the same kind; ``本条例`` → ``own_law``."""
    mention = names[index]
    if mention.pronoun is None:
        return mention.name
    if mention.pronoun.startswith("本"):
        return own_law
    kind = PRONOUN.fullmatch(mention.pronoun)
    suffix = kind.group("kind") if kind else ""
    for earlier in reversed(names[:index]):
        if earlier.name and earlier.name.endswith(suffix):
            return earlier.name
    for earlier in reversed(names[:index]):
        if earlier.name:
            return earlier.name
    return own_law


def law_before(
    text: str,
    position: int,
    own_law: str | None,
    abbreviations: Mapping[str, str] | None = None,
) -> str | None:
    """The law named by the words directly before ``position`` (``…管理条例第`` → that law)."""
    all_names = law_names(text[:position], abbreviations)
    if not any(n.end >= position - 2 for n in all_names):
        return None
    return resolve_pronoun(all_names, len(all_names) - 1, own_law)


_CONJUNCTION = re.compile(rf"(?:及び|および|及|並びに|ならびに|又は|または|和|与|、|，|,)[{_S}]*$")


def chain_start(text: str, mentions: list[re.Match[str]], index: int) -> int:
    """Start of a list of mentions: ``…条例第 5 条及び第 7条`` → where ``第 5 条`` starts,
    so that 第7条 takes the law named before 第5条."""
    start = mentions[index].start()
    while index > 0:
        gap = text[mentions[index - 1].end() : start]
        if not _CONJUNCTION.fullmatch(gap.strip(_S) + "") and not _CONJUNCTION.search(gap):
            break
        if len(gap) > 6:
            break
        index -= 1
        start = mentions[index].start()
    return start


def quoted_law(
    context: str,
    number: int | None,
    subject_law: str | None,
    window_from: int = 0,
    abbreviations: Mapping[str, str] | None = None,
) -> str | None:
    """The law of an article quoted right after ``context`` (commentary text before it).

    1. the closest citation of the same article number: its law (explicit, ``同条例``, or
       bare ``（第 1 条）`` = the commentary's ``subject_law``);
    2. else the closest law named in the context.

    Only mentions after ``window_from`` count (the text since the previous article); the
    earlier text serves to resolve ``同条例``.
    """
    if number is not None:
        mentions = [m for m in ARTICLE_MENTION.finditer(context) if m.start() >= window_from]
        # A citation naming its law beats a bare one: in ``条例第5条では、…（第5条）`` the
        # bracketed 第5条 repeats the named one.
        bare = False
        for index in range(len(mentions) - 1, -1, -1):
            if number in mention_numbers(mentions[index]):
                head = chain_start(context, mentions, index)
                named = law_before(context, head, subject_law, abbreviations)
                if named:
                    return named
                bare = True
        if bare:
            return subject_law
    names = law_names(context, abbreviations)
    for index in range(len(names) - 1, -1, -1):
        if names[index].start < window_from:
            break
        law = resolve_pronoun(names, index, subject_law)
        if law:
            return law
    return None


def footnote_aliases(document: Document) -> dict[str, str]:
    """Japanese law name → original name given by a footnote: ``レアアース管理条例 2`` with
    footnote 2 ``「稀土管理条例」（…サイト）`` maps レアアース管理条例 → 稀土管理条例."""
    aliases: dict[str, str] = {}
    text = document.text
    for note in document.footnotes:
        if note.marker_offset is None:
            continue
        m = re.match(
            rf"^[{_S}]*(?:[0-9]{{1,3}}[{_S}]*)?[「《“](?P<name>[^」》”]{{2,80}})[」》”]", note.text
        )
        if m is None or not re.search(f"{LAW_SUFFIX}(?:[（(][^）)]*[）)])?$", m.group("name")):
            continue
        before = text[max(0, note.marker_offset - 40) : note.marker_offset]
        names = [n for n in law_names(before) if n.name and n.end >= len(before) - 12]
        if names:
            aliases.setdefault(names[-1].name or "", clean_name(m.group("name")))
    aliases.pop("", None)
    return aliases


def identity_law(identity: DocumentIdentity) -> str | None:
    """The law a (sub-)document *is*: announcements go by number, other acts by name.

    The original-language form wins (the Chinese name of a translated measure, the Chinese
    form of a 公告 number when an alias gives it).
    """
    if identity.kind in ("announcement", "notice"):
        numbers = [n for n in [identity.number, *identity.number_aliases] if n]
        chinese = [n for n in numbers if _looks_chinese(n)]
        if chinese:
            # The Chinese form of the official number (same issuers), not a joint-heading alias.
            primary = numbers[0]
            return clean_name(
                max(
                    [n for n in chinese if n != primary] or chinese,
                    key=lambda n: (
                        difflib.SequenceMatcher(None, n, primary).ratio(),
                        "年" in n,
                    ),
                )
            )
        if numbers:
            return clean_name(numbers[0])
    name = identity.title_original or identity.title or identity.number
    return clean_name(name) if name else None


def _looks_chinese(text: str) -> bool:
    from ingest.lang import detect_language

    return detect_language(text, default="und") == "zh"


def title_law(text: str) -> str | None:
    """A law's name from the first lines of its text, when no identity names it."""
    for line in text.split("\n")[:6]:
        line = line.strip(_S)
        if not line or len(line) > 70 or "。" in line:
            continue
        m = re.match(
            rf"^《?(?P<name>[^《》。]{{2,60}}?{LAW_SUFFIX})》?(?:[（(][^）)]{{1,12}}[）)])*$", line
        )
        if m:
            return clean_name(m.group("name"))
    return None
