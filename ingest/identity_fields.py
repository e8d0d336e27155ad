"""Pieces of a document's identity read from single lines: numbers, issuers, dates, kinds.

Everything here works on plain strings; ``ingest.identity`` decides which lines to read.
Patterns are written for the shapes of Chinese official documents (公告2025年第61号,
工业和信息化部令第71号, 国发〔2024〕12号) in their Chinese and Japanese spellings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.numbers import kanji_to_int, to_halfwidth_digits
from models.document import DateRole, DocumentKind, IdentityDate

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_ORG_SUFFIXES = (
    "人民代表大会常务委员会|人民代表大会常務委員会|人民代表大會常務委員會|人民代表大会|人民代表大會"
    "|常务委员会|常務委員会|常務委員會|委員会|委员会|委員會"
    "|総署|总署|總署|国務院|国务院|國務院|办公厅|弁公庁|辦公廳|銀行|银行|法院|检察院|検察院"
    "|部|署|庁|厅|廳|局"
)
# An issuer name, followed by what may follow it in a front-matter line (…第二十九次会议通过).
ORG_NAME = re.compile(
    rf"[{HAN}]{{0,18}}?(?:{_ORG_SUFFIXES})(?=第|会议|會議|会議|公表|公布|発表|发布|令|公告|$)"
)
ISSUER_SEPARATORS = re.compile(r"\s*(?:[、・,，/／]|及び|および|及)\s*")
# Words that end the run of text before an issuer name (公布暂停实施商务部 → 商务部).
_NOT_IN_NAMES = re.compile(
    r".*(?:公布|实施|實施|暂停|関する|关于|關於|根据|根據|发布|印发|的|对|對|由|经|經)"
)
# 中国 is part of a few official names (中国人民银行): only the full state name is a prefix there.
_COUNTRY_PREFIX = re.compile(r"^(?:中華人民共和国|中华人民共和国|中国(?!人民))(?=.{2,})")

_NUM = r"[0-9０-９一二三四五六七八九十百千〇零]+"
_YEAR = r"[0-9０-９]{4}"
# 公告2025年第61号, 公告 2025 第 61 号, 令第71号, 2025年第61号公告
NUMBER_PATTERNS = [
    re.compile(
        rf"(?P<kw>公告|令|通告|公報|公报)\s*(?:(?P<year>{_YEAR})\s*年?\s*)?第\s*(?P<n>{_NUM})\s*号"
    ),
    re.compile(
        rf"(?P<code>[{HAN}]{{1,8}})\s*[〔［\[【(（]\s*(?P<year>{_YEAR})\s*[〕］\]】)）]\s*(?P<n>{_NUM})\s*号"
    ),
]
# Japanese circulars (通達): ``20240315貿局第2号``, ``基発0401第12号``, ``○○発第12号``; the
# National Tax Agency's ``課法2-1``.  The code before 第 names the issuing bureau.
_JA_NOTICE_NUMBER = re.compile(
    rf"(?<![{HAN}])(?P<code>[0-9]{{0,8}}[{HAN}○〇]{{1,6}}?[発局])\s*(?:[0-9]{{4}})?\s*第\s*(?P<n>{_NUM})\s*号"
    rf"|(?<![{HAN}])(?P<tax>課[{HAN}]{{1,2}})\s*(?P<tn>[0-9]{{1,3}})\s*[-－‐]\s*(?P<ts>[0-9]{{1,4}})(?![0-9])"
)
# Japanese statutes: ``昭和三十年法律第百八十六号``, ``昭和四十六年政令第二百六十四号``,
# ``平成十年経済産業省令第十二号``; the kind of instrument names who made it.
_JA_LAW_NUMBER = re.compile(
    rf"(?P<era>令和|平成|昭和|大正|明治)\s*(?:元|{_NUM})\s*年\s*"
    rf"(?P<kw>法律|政令|(?P<ministry>[{HAN}]{{1,10}}?[省府])令|規則)\s*第\s*(?P<n>{_NUM})\s*号"
)
_JA_LAW_MAKERS = {"法律": ("国会",), "政令": ("内閣",)}
_BARE_NUMBER = re.compile(rf"(?P<year>{_YEAR})\s*年\s*第\s*(?P<n>{_NUM})\s*号\s*(?P<kw>公告|令)")

# Official-name characters whose Japanese form differs from the simplified one: enough for
# ministries, commissions and administrations, to give a Japanese number its Chinese alias.
_JA_TO_ZH = str.maketrans(
    "務関総業報発員資産鉱農輸貿術運環護場銀証険網電気軍衛庁監財税済経対団体議衆",
    "务关总业报发员资产矿农输贸术运环护场银证险网电气军卫厅监财税济经对团体议众",
)
_JA_ONLY_ORG_WORDS = {"工業情報化部": "工业和信息化部", "国家発展改革委員会": "国家发展改革委员会"}


@dataclass(frozen=True)
class DocNumber:
    """A document number found in text: its literal form, issuers and serial."""

    text: str  # as written, white space removed
    issuers: tuple[str, ...]
    keyword: str  # 公告, 令, or the bracket code (国发)
    year: int | None
    serial: int
    start: int
    end: int

    @property
    def key(self) -> tuple[str, int | None, int]:
        """What identifies the document whatever the spelling: 公告/2025/61."""
        return (self.keyword, self.year, self.serial)

    def canonical(self) -> str:
        """The official form: issuers, keyword, ``YYYY年第N号``."""
        orgs = "・".join(self.issuers) if _looks_japanese(self.issuers) else "、".join(self.issuers)
        if self.keyword in ("公告", "通告", "公報", "公报"):
            return f"{orgs}{self.keyword}{self.year}年第{self.serial}号" if self.year else self.text
        return self.text


def _looks_japanese(issuers: tuple[str, ...]) -> bool:
    return any(ch in "".join(issuers) for ch in "務関総業報発員資")


def squeeze(text: str) -> str:
    """White space removed except between two ASCII letters or digits."""
    text = re.sub(r"(?<=[A-Za-z0-9])\s+(?=[A-Za-z0-9])", "\u0000", text)
    return re.sub(r"\s+", "", text).replace("\u0000", " ")


def issuers_before(text: str, end: int) -> tuple[str, ...]:
    """The issuer names written just before ``end`` (商務部・海関総署|公告)."""
    window = text[max(0, end - 60) : end]
    match = re.search(rf"[{HAN}、・,，/／\s]*$", window)
    run = match.group(0) if match else ""
    run = _NOT_IN_NAMES.sub("", run)
    run = re.sub(r"^[日年月号、・\s]+", "", run)
    return split_issuers(run)


def split_issuers(run: str) -> tuple[str, ...]:
    """Issuer names in a run such as ``工業情報化部、国家発展改革委員会、自然資源部``."""
    run = re.sub(r"^.*?第[0-9一二三四五六七八九十百]+[届屆]", "", squeeze(run))
    names: list[str] = []
    for piece in ISSUER_SEPARATORS.split(run):
        piece = _COUNTRY_PREFIX.sub("", piece.strip())
        m = ORG_NAME.match(piece)
        if m and len(m.group(0)) >= 2:
            names.extend(split_joint(m.group(0)))
            if m.end() < len(piece):
                break
        elif names:
            break
    return tuple(names)


# Words an organ's name ends with, where a joint heading written without a separator
# (商务部海关总署, 商务部 海关总署公告) may be cut.
_ORGAN_END = re.compile(
    r"总署|総署|總署|委员会|委員会|委員會|办公厅|弁公庁|辦公廳|銀行|银行|部|局|院|署|庁|厅|廳"
)
# A name that starts like this is a unit of the name before it (国务院办公厅, 全国人民代表大会
# 常务委员会), and the State Council prefixes the commissions under it (国务院国有资产…委员会).
_SUB_UNIT = re.compile(r"^(?:常务|常務|办公|弁公|辦公)")
_PARENT_ONLY = ("国务院", "国務院", "國務院")


def _organ_name(text: str) -> bool:
    """A whole organ name: two or more characters before the word that ends it."""
    if text in _PARENT_ONLY:
        return True
    m = _ORGAN_END.search(text, 2)
    return m is not None and m.end() == len(text) and not _SUB_UNIT.match(text)


def split_joint(name: str) -> list[str]:
    """``商务部海关总署`` → 商务部, 海关总署; a single name comes back whole."""
    for m in _ORGAN_END.finditer(name, 2):
        head, tail = name[: m.end()], name[m.end() :]
        if not tail or head in _PARENT_ONLY or not _organ_name(head):
            continue
        rest = split_joint(tail)
        if all(_organ_name(piece) for piece in rest):
            return [head, *rest]
    return [name]


def find_numbers(text: str) -> list[DocNumber]:
    """Every document number in ``text``, in order."""
    found: list[DocNumber] = []
    for pattern in NUMBER_PATTERNS:
        for m in pattern.finditer(text):
            keyword = m.groupdict().get("kw") or m.group("code")
            issuers = issuers_before(text, m.start()) if m.groupdict().get("kw") else ()
            if keyword == "令" and not issuers:
                continue  # 第N号令 without an issuer is too weak to be a number
            start = _extend_left(text, m.start(), issuers)
            found.append(
                DocNumber(
                    text=squeeze(text[start : m.end()]),
                    issuers=issuers,
                    keyword=keyword,
                    year=int(to_halfwidth_digits(m.group("year"))) if m.group("year") else None,
                    serial=kanji_to_int(m.group("n")),
                    start=start,
                    end=m.end(),
                )
            )
    for m in _BARE_NUMBER.finditer(text):
        found.append(
            DocNumber(
                text=squeeze(m.group(0)),
                issuers=(),
                keyword=m.group("kw"),
                year=int(to_halfwidth_digits(m.group("year"))),
                serial=kanji_to_int(m.group("n")),
                start=m.start(),
                end=m.end(),
            )
        )
    for m in _JA_LAW_NUMBER.finditer(text):
        kind = m.group("kw")
        makers = (m.group("ministry"),) if m.group("ministry") else _JA_LAW_MAKERS.get(kind, ())
        found.append(
            DocNumber(
                text=squeeze(m.group(0)),
                issuers=makers,
                keyword=kind,
                year=None,
                serial=kanji_to_int(m.group("n")),
                start=m.start(),
                end=m.end(),
            )
        )
    for m in _JA_NOTICE_NUMBER.finditer(text):
        keyword = m.group("code") or m.group("tax")
        serial = m.group("n") or m.group("ts")
        found.append(
            DocNumber(
                text=squeeze(m.group(0)),
                issuers=(),
                keyword=re.sub(r"^[0-9]+", "", keyword),
                year=None,
                serial=kanji_to_int(serial),
                start=m.start(),
                end=m.end(),
            )
        )
    return sorted(found, key=lambda d: d.start)


def _extend_left(text: str, keyword_start: int, issuers: tuple[str, ...]) -> int:
    """Start of the issuer run before the keyword, so the number reads 商務部・海関総署公告…."""
    if not issuers:
        return keyword_start
    position = text.rfind(issuers[0], max(0, keyword_start - 80), keyword_start)
    return position if position >= 0 else keyword_start


def chinese_form(text: str) -> str:
    """A Japanese-spelt official name or number in simplified Chinese.

    ``商務部・海関総署公告`` → ``商务部、海关总署公告``.
    """
    for ja, zh in _JA_ONLY_ORG_WORDS.items():
        text = text.replace(ja, zh)
    return text.translate(_JA_TO_ZH).replace("・", "、")


# ---------------------------------------------------------------- dates

_DATE_KANJI = r"[〇零一二三四五六七八九十○]"
DATE_PATTERN = re.compile(
    rf"(?P<y>[0-9０-９]{{4}}|{_DATE_KANJI}{{4}})\s*年\s*(?P<m>[0-9０-９]{{1,2}}|{_DATE_KANJI}{{1,2}})\s*月"
    rf"\s*(?P<d>[0-9０-９]{{1,2}}|{_DATE_KANJI}{{1,3}})\s*日"
)
DOTTED_DATE = re.compile(r"(?<![\d.])(?P<y>20\d\d|19\d\d)\.(?P<m>\d{1,2})\.(?P<d>\d{1,2})(?![\d])")
# 2025.10.9／改訂 5 版同 11.10 ; 2025.4.7/改訂版同 4.24
REVISION_STAMP = re.compile(
    r"(?P<y>20\d\d|19\d\d)\.(?P<m>\d{1,2})\.(?P<d>\d{1,2})\s*[／/]\s*改[訂定]\s*(?P<rev>\d+)?\s*版"
    r"\s*(?:同\s*)?(?:(?P<ry>20\d\d)\.)?(?P<rm>\d{1,2})\.(?P<rd>\d{1,2})"
)
_ROLE_WORDS: list[tuple[re.Pattern[str], DateRole]] = [
    (re.compile(r"修正|修订|修訂|修改|改正|改訂"), "revised"),
    (re.compile(r"公布|発布|发布|發布|通过|通過|採択|签发|署名"), "promulgated"),
    (re.compile(r"公表|発表|发表|掲載"), "published"),
    (re.compile(r"施行|实施|實施|生效"), "effective"),
    (re.compile(r"废止|廃止|廢止"), "repealed"),
]
_EFFECTIVE_ON_PROMULGATION = re.compile(
    r"公布の日(?:から|より)施行|自公布之日起施行|公布之日起实施"
)


def _num(text: str) -> int:
    return kanji_to_int(text.replace("○", "〇"))


def iso_date(y: str, m: str, d: str) -> str | None:
    try:
        year, month, day = _num(y), _num(m), _num(d)
    except ValueError:
        return None
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def dates_in_clause(clause: str) -> list[IdentityDate]:
    """Dates of a front-matter clause, each with the role the words after it give.

    ``（2007年8月30日第十届…会议通过 2022年6月24日…修正）`` → promulgated, revised;
    ``2025 年 7 月 28 日…令第 71 号公布、公布の日より施行`` → promulgated and effective.
    """
    found: list[IdentityDate] = []
    matches = list(DATE_PATTERN.finditer(clause))
    for index, m in enumerate(matches):
        iso = iso_date(m.group("y"), m.group("m"), m.group("d"))
        if iso is None:
            continue
        tail_end = matches[index + 1].start() if index + 1 < len(matches) else len(clause)
        tail = clause[m.end() : tail_end]
        before = clause[max(0, m.start() - 8) : m.start()]
        role = _role(tail) or _role(before)
        if role is None:
            continue
        found.append(IdentityDate(role=role, iso=iso, raw=squeeze(m.group(0))))
        if role == "promulgated" and _EFFECTIVE_ON_PROMULGATION.search(tail):
            found.append(IdentityDate(role="effective", iso=iso, raw=squeeze(m.group(0))))
    return found


def _role(words: str) -> DateRole | None:
    """The first role word in ``words`` (the verb right after a date decides its role)."""
    best: tuple[int, DateRole] | None = None
    for pattern, role in _ROLE_WORDS:
        m = pattern.search(words)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), role)
    return best[1] if best else None


def revision_stamp(text: str) -> list[IdentityDate]:
    """A commentary's ``2025.10.9／改訂 5 版同 11.10`` stamp: published, then revised."""
    m = REVISION_STAMP.search(text)
    if m is None:
        plain = DOTTED_DATE.search(text)
        if plain is None:
            return []
        iso = iso_date(plain.group("y"), plain.group("m"), plain.group("d"))
        return [IdentityDate(role="published", iso=iso, raw=plain.group(0))] if iso else []
    published = iso_date(m.group("y"), m.group("m"), m.group("d"))
    revised = iso_date(m.group("ry") or m.group("y"), m.group("rm"), m.group("rd"))
    dates = []
    if published:
        raw = text[m.start() : m.end("d")]
        dates.append(IdentityDate(role="published", iso=published, raw=raw))
    if revised:
        revision = int(m.group("rev")) if m.group("rev") else None
        raw = squeeze(m.group(0)[m.group(0).find("改") :])
        dates.append(IdentityDate(role="revised", iso=revised, raw=raw, revision=revision))
    return dates


# ---------------------------------------------------------------- kinds

_KIND_SUFFIXES: list[tuple[DocumentKind, tuple[str, ...]]] = [
    ("explanation", ("解説", "解读", "解讀", "解释", "解釈", "政策解读")),
    ("qa", ("問答", "问答", "答记者问", "答記者問", "Q&A", "一問一答", "问题解答", "よくある質問")),
    ("guide", ("ガイド", "ガイドライン", "指南", "指引", "手引き", "手引", "填写说明", "記入要領")),
    ("list", ("リスト", "清单", "清單", "名单", "名單", "目録", "目录", "目錄", "一覧", "名录")),
    # Japanese Cabinet and ministerial orders (政令, 省令): 輸出貿易管理令, …法施行令, …施行規則
    ("order", ("施行令", "施行規則", "政令", "省令", "府令", "令")),
    ("measures", ("弁法", "办法", "辦法", "規則", "规则", "細則", "细则", "規定", "规定")),
    ("regulation", ("条例", "條例")),
    ("announcement", ("公告", "公布", "決定", "决定", "決議", "决议")),
    # 要領 / 要綱: a ministry's rules for handling a procedure (包括許可取扱要領); a form's
    # 記入要領 is a guide, matched above
    ("notice", ("通知", "通告", "通達", "お知らせ", "要領", "要綱")),
    (
        "news",
        ("新闻稿", "新聞稿", "プレスリリース", "ニュースリリース", "报道", "報道発表", "快讯"),
    ),
    ("law", ("法", "法律")),
]
# Titles ending like an order that are not one.
_NOT_ORDERS = ("法令", "命令", "訓令", "指令")
# Words that mark an excerpt, after a title or an article's label (外国為替及び外国貿易法抜粋,
# 第四条（特例）抜粋, …（抄）); longer words first.
EXCERPT_WORDS = "抜粋|抄録|節録|節錄|节录|节选|節選|摘录|摘錄|抄"
_TRAILING_QUALIFIERS = re.compile(rf"(?:[（(][^（）()]{{1,12}}[）)]|[》」』\s]|{EXCERPT_WORDS})+$")


def kind_from_title(title: str) -> DocumentKind | None:
    """Kind named by the last word of a title, ignoring （暂行）（征求意见稿） qualifiers."""
    core = _TRAILING_QUALIFIERS.sub("", title)
    core = re.sub(r"(?:暫定|暂行|試行|试行)$", "", core)
    for kind, words in _KIND_SUFFIXES:
        for word in words:
            if not core.endswith(word) or (word == "法" and core.endswith("方法")):
                continue
            if kind == "order" and core.endswith(_NOT_ORDERS):
                continue
            return kind
    return None


def kind_from_number(number: DocNumber | None) -> DocumentKind | None:
    if number is None:
        return None
    if number.keyword in ("公告", "公報", "公报"):
        return "announcement"
    if number.keyword == "通告":
        return "notice"
    if number.keyword == "法律":
        return "law"
    if number.keyword == "政令" or number.keyword.endswith(("省令", "府令")):
        return "order"
    if number.keyword == "令":
        return "regulation" if any("院" in org for org in number.issuers) else "measures"
    return "notice"


# ---------------------------------------------------------------- Japanese circulars

ERA_DATE = re.compile(
    r"(?:令和|平成|昭和)\s*(?:元|[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})\s*年"
    r"\s*(?:[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})\s*月"
    r"\s*(?:[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})\s*日"
)
# The issuing office signing a circular: 経済産業省貿易経済協力局長, 国税庁長官, 経済産業大臣.
_OFFICIAL = re.compile(
    rf"^(?P<org>[{HAN}]{{1,12}}?(?:省|庁|委員会|府))[{HAN}]{{0,16}}?(?:長官|大臣|局長|部長|課長|所長|長)$"
)


_ERA_BASE = {"令和": 2018, "平成": 1988, "昭和": 1925}


def era_iso(text: str) -> str | None:
    """``令和6年3月15日`` → 2024-03-15."""
    m = re.search(r"(令和|平成|昭和)\s*(元|[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})\s*年", text)
    rest = re.search(
        r"年\s*([0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*([0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})\s*日",
        text,
    )
    if m is None or rest is None:
        return None
    year = 1 if m.group(2) == "元" else _num(m.group(2))
    return iso_date(str(_ERA_BASE[m.group(1)] + year), rest.group(1), rest.group(2))


def official_issuer(text: str) -> str | None:
    """The ministry or agency of an official's signing line (``国税庁長官`` → 国税庁); an
    addressee (``各地方経済産業局長 殿``) is not one."""
    line = squeeze(text)
    if line.endswith(("殿", "様", "各位")) or line.startswith("各"):
        return None
    m = _OFFICIAL.match(line)
    return m.group("org") if m else None
