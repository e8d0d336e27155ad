"""Dates: real sentences from the seeds (tests/data/*.txt) and the dev truth contexts."""

from __future__ import annotations

import pytest

from ingest.extract.base import Locator
from ingest.extract.dates import DateContext, _dominant_year, extract_dates, find_dates
from models.document import DocumentIdentity, IdentityDate
from tests.factories import make_document

Y2025 = DateContext(year=2025)

# (text, context, expected [(mention without spaces, iso, role)])
CASES = [
    pytest.param(
        "自然資源部は 8月 22日、レアアースの採掘及びレアアースの製錬分離の総量規制管理弁法（暫定）"
        "を公表 1した（7月 28日公布、施行）。昨年 10 月に公布・施行されたレアアース管理条例",
        Y2025,
        [
            ("8月22日", "2025-08-22", "published"),
            ("7月28日", "2025-07-28", "promulgated"),
            ("7月28日", "2025-07-28", "effective"),
            ("昨年10月", "2024-10", "promulgated"),
            ("昨年10月", "2024-10", "effective"),
        ],
        id="ja-commentary-two-roles-and-last-year",
    ),
    pytest.param(
        "本措置は、本年 2月に、レアアース採掘・レアアース製錬分離総量規制管理弁法（暫定）の"
        "意見公募 3が行われていた",
        Y2025,
        [("本年2月", "2025-02", "other")],
        id="ja-consultation-is-other",
    ),
    pytest.param(
        "本年 4月には、中・重レアアースの輸出規制を導入 5し、",
        Y2025,
        [("本年4月", "2025-04", "effective")],
        id="ja-introduced-is-effective",
    ),
    pytest.param(
        "「稀土开采和稀土冶炼分离总量调控管理暂行办法」"
        "（中華人民共和国工業情報化部サイト 2025.8.22）\n"
        "https://www.miit.gov.cn/zwgk/zcwj/wjfb/tg/art/2025/art_2025-07-18.html",
        Y2025,
        [("2025.8.22", "2025-08-22", "published")],
        id="ja-footnote-site-date-url-ignored",
    ),
    pytest.param(
        "中国による 7種のレアアース関連品目の輸出規制を発動（CISTEC 解説 2025.4.7/改訂版同 4.24）",
        Y2025,
        [("2025.4.7", "2025-04-07", "published"), ("同4.24", "2025-04-24", "revised")],
        id="ja-dotted-and-ditto-revision",
    ),
    pytest.param(
        "ネットワークデータ安全管理条例が公布 8されている（本年 1 月 1日施行）。",
        Y2025,
        [("本年1月1日", "2025-01-01", "effective")],
        id="ja-this-year-effective",
    ),
    pytest.param(
        "輸出が減少していたが、7 月に中国の米国からのレアアース鉱石の輸入が急増した点に",
        Y2025,
        [("7月", "2025-07", "other")],
        id="ja-bare-month-event",
    ),
    pytest.param(
        "（2025 年 7 月 28 日工業情報化部、国家発展改革委員会、自然資源部令第 71 号公布、"
        "公布の日より施行。）",
        DateContext(year=2025, promulgated="2025-07-28"),
        [
            ("2025年7月28日", "2025-07-28", "promulgated"),
            ("公布の日", "2025-07-28", "effective"),
        ],
        id="ja-issuing-line-relative-effective",
    ),
    pytest.param(
        "第十七条 本弁法は公布の日より施行する。工業情報化部が 2012 年 6月 13 日に公布した"
        "《レアアース指令性生産計画管理暫定弁法発布に関する通知》（工信部原〔2012〕285 号）"
        "は同時に廃止する。",
        DateContext(year=2025, promulgated="2025-07-28"),
        [
            ("公布の日", "2025-07-28", "effective"),
            ("2012年6月13日", "2012-06-13", "promulgated"),
            ("同時に", "2025-07-28", "repealed"),
        ],
        id="ja-repealed-simultaneously",
    ),
    pytest.param(
        "《中華人民共和国治安管理処罰法》（2025 年 6 月 27 日第 16 次修訂）によれば",
        Y2025,
        [("2025年6月27日", "2025-06-27", "revised")],
        id="ja-nth-revision",
    ),
    pytest.param(
        "2024 年 6 月 22 日に国務院は《レアアース管理条例》を公布し、2024 年 10 月 1 日より"
        "施行しました。",
        Y2025,
        [
            ("2024年6月22日", "2024-06-22", "promulgated"),
            ("2024年10月1日", "2024-10-01", "effective"),
        ],
        id="ja-promulgated-then-effective",
    ),
    pytest.param(
        "2025 年 4 月 14 日、工業情報化部部会で《弁法（草案）》を審議・可決しました。",
        Y2025,
        [("2025年4月14日", "2025-04-14", "other")],
        id="ja-draft-adopted-is-other",
    ),
    pytest.param(
        "2025.10.9／改訂 5 版同 11.10 \n\nCISTEC 事務局",
        Y2025,
        [("2025.10.9", "2025-10-09", "published"), ("同11.10", "2025-11-10", "revised")],
        id="ja-commentary-editions",
    ),
    pytest.param(
        "※10 月 30 日に米中首脳会談が行われ、同日に中国商務部報道官が「中国は 10 月 9 日に\n"
        "発表された関連輸出規制措置の実施を 1 年間停止し、かつ具体的な方策の精査・細部を調\n"
        "整する」と発表 1していた。その後、11 月 7 日、10 月 9 日に発表された措置（次頁①及び\n"
        "②の措置）に関し、以下のとおり、2026 年 11 月 10 日までの間、一時停止する旨の公告\n"
        "が発表された",
        Y2025,
        [
            ("10月30日", "2025-10-30", "other"),
            ("同日", "2025-10-30", "published"),
            ("10月9日", "2025-10-09", "published"),
            ("11月7日", "2025-11-07", "published"),
            ("10月9日", "2025-10-09", "published"),
            ("2026年11月10日", "2026-11-10", "suspended_until"),
        ],
        id="ja-summit-paragraph",
    ),
    pytest.param(
        "【発布期日】2025 年 11 月 7 日 \n \n 承認を得て、本日から 2026 年 11 月 10 日まで、"
        "商務部・海関総署公告 2025 年第 55 号の実施を一時停止する。 \n\n商務部・海関総署 \n"
        "2025 年 11 月 7 日 \n",
        DateContext(year=2025, document_date="2025-11-07", promulgated="2025-11-07"),
        [
            ("2025年11月7日", "2025-11-07", "promulgated"),
            ("本日", "2025-11-07", "suspended_from"),
            ("2026年11月10日", "2026-11-10", "suspended_until"),
            ("2025年11月7日", "2025-11-07", "promulgated"),
        ],
        id="ja-suspension-notice-label-today-signature",
    ),
    pytest.param(
        "レアアース関連製品及び技術の輸出規制措置を発表 3した"
        "（10\n月 9 日及び 12 月 1 日に施行。）。",
        Y2025,
        [("10月9日", "2025-10-09", "effective"), ("12月1日", "2025-12-01", "effective")],
        id="ja-shared-predicate",
    ),
    pytest.param(
        "9 本年 4 月 4 日の 7 種のレアアース輸出規制措置を指す。",
        Y2025,
        [("本年4月4日", "2025-04-04", "promulgated")],
        id="ja-instrument-of-date",
    ),
    pytest.param(
        "八、本公告は公布の日より実施する。",
        DateContext(year=2025, promulgated="2025-10-09"),
        [("公布の日", "2025-10-09", "effective")],
        id="ja-announcement-relative",
    ),
    pytest.param(
        "本公告発効の日より、許可を得ずに不特定対象に向けて",
        DateContext(year=2025, promulgated="2025-10-09"),
        [("本公告発効の日", "2025-10-09", "effective")],
        id="ja-entry-into-force-day",
    ),
    pytest.param(
        "本法自二〇〇八年八月一日起施行。",
        DateContext(lang="zh"),
        [("二〇〇八年八月一日", "2008-08-01", "effective")],
        id="zh-kanji-date-effective",
    ),
    # Zeros of a Chinese-numeral year typed as whatever looks round (unseen2: the missile
    # export regulations' signature date, a 2007 MOFCOM/GACC notice's).
    pytest.param(
        "总理　朱镕基\n二00二年八月二十二日",
        DateContext(lang="zh"),
        [("二00二年八月二十二日", "2002-08-22", "promulgated")],
        id="zh-kanji-year-ascii-zeros",
    ),
    pytest.param(
        "商务部　海关总署\n二○○七年六月十一日",
        DateContext(lang="zh"),
        [("二○○七年六月十一日", "2007-06-11", "promulgated")],
        id="zh-kanji-year-circle-zeros",
    ),
    pytest.param(
        "本规定自二ＯＯ三年一月一日起施行。",
        DateContext(lang="zh"),
        [("二ＯＯ三年一月一日", "2003-01-01", "effective")],
        id="zh-kanji-year-letter-o-zeros",
    ),
    pytest.param(
        "中華民國105年11月11日經授貿字第10520112345號令",
        DateContext(lang="zh"),
        [("民國105年11月11日", "2016-11-11", "other")],
        id="zh-roc-era",
    ),
    pytest.param(
        "中华人民共和国反垄断法\n2007年8月30日第十届全国人民代表大会常务委员会第二十九次会议通过"
        "2022年6月24日第十三届全国人民代表大会常务委员会第三十五次会议"
        "《关于修改〈中华人民共和国反垄断法〉的决定》修正）",
        DateContext(lang="zh"),
        [
            ("2007年8月30日", "2007-08-30", "promulgated"),
            ("2022年6月24日", "2022-06-24", "revised"),
        ],
        id="zh-law-header-adopted-and-amended",
    ),
    pytest.param(
        "令和7年10月9日に公布された",
        DateContext(),
        [("令和7年10月9日", "2025-10-09", "promulgated")],
        id="ja-era-date",
    ),
    pytest.param(
        "申請書は 2025 年 12 月 31 日までに提出しなければならない。",
        Y2025,
        [("2025年12月31日", "2025-12-31", "deadline")],
        id="ja-deadline",
    ),
    # Chinese notices put the suspension or the obligation before the date.
    pytest.param(
        "对美国的出口管制措施暂停实施至2026年11月10日。",
        Y2025,
        [("2026年11月10日", "2026-11-10", "suspended_until")],
        id="zh-suspended-until-word-first",
    ),
    pytest.param(
        "申请人应当于2025年12月31日前提交申请材料。",
        Y2025,
        [("2025年12月31日", "2025-12-31", "deadline")],
        id="zh-deadline-before",
    ),
    pytest.param(
        "2025年12月31日前签订的合同，按原规定执行。",
        Y2025,
        [("2025年12月31日", "2025-12-31", "other")],
        id="zh-before-without-obligation-is-no-deadline",
    ),
    pytest.param(
        "本通知自印发之日起实施。",
        Y2025,
        [("印发之日", None, "effective")],
        id="zh-effective-from-issuance",
    ),
    # The compact form is a date only after a date label (MOFCOM repost meta lines).
    pytest.param(
        "【发文日期】20251009",
        Y2025,
        [("20251009", "2025-10-09", "promulgated")],
        id="zh-compact-after-label",
    ),
    pytest.param(
        "成文日期：20240731",
        Y2025,
        [("20240731", "2024-07-31", "promulgated")],
        id="zh-compact-after-colon-label",
    ),
    # Era dates in kanji and in digits, and spaced Gregorian dates.
    pytest.param(
        "平成二十三年三月十一日に発生した東北地方太平洋沖地震",
        Y2025,
        [("平成二十三年三月十一日", "2011-03-11", "other")],
        id="ja-era-kanji",
    ),
    pytest.param(
        "令和５年６月７日施行の改正",
        Y2025,
        [("令和５年６月７日", "2023-06-07", "effective")],
        id="ja-era-digits",
    ),
    pytest.param(
        "2024年4月26日 第十四届全国人民代表大会常务委员会第九次会议通过",
        Y2025,
        [("2024年4月26日", "2024-04-26", "promulgated")],
        id="zh-adoption-line",
    ),
]

NOT_DATES = [
    pytest.param("https://www.miit.gov.cn/art/2025/art_2025-07-18.html", id="url"),
    pytest.param("https://www.bloomberg.co.jp/news/articles/20250805", id="url-compact"),
    pytest.param("2021 年に発出された通知", id="year-only"),
    pytest.param("商務部公告 2025 年第 61 号", id="document-number"),
    pytest.param("毎年 12 月末までに報告する", id="recurring-threshold"),
    pytest.param("3か月以内に", id="duration"),
    pytest.param("【发布文号】20251009", id="compact-without-date-label"),
    pytest.param("参考税则号列：85076000", id="tariff-line"),
    pytest.param("令和十年度までに", id="fiscal-year"),
    pytest.param("平成五年法律第四十七号", id="law-number"),
]


def _shape(text: str, m: object) -> tuple[str, str | None, str]:
    mention = "".join(text[m.start : m.end].split())  # type: ignore[attr-defined]
    return (mention, m.iso, m.role)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("text", "context", "expected"), CASES)
def test_find_dates(text: str, context: DateContext, expected: list[tuple[str, str, str]]) -> None:
    assert [_shape(text, m) for m in find_dates(text, context)] == expected


@pytest.mark.parametrize("text", NOT_DATES)
def test_not_dates(text: str) -> None:
    assert find_dates(text, Y2025) == []


def test_month_only_precision() -> None:
    text = "また、2024 年 9 月、サイバーセキュリティ法に基づき条例が公布された"
    (match,) = find_dates(text, Y2025)
    assert (match.iso, match.precision, match.relative) == ("2024-09", "month", False)


def test_relative_dates_are_flagged() -> None:
    context = DateContext(document_date="2025-11-07")
    matches = find_dates("本日から 2026 年 11 月 10 日まで一時停止する。", context)
    assert [(m.relative, m.iso) for m in matches] == [(True, "2025-11-07"), (False, "2026-11-10")]


def test_recurring_and_relative_deadline_rules_on_request() -> None:
    text = "毎月 10 日までに入力し、輸出後 10 営業日以内に報告する。"
    assert find_dates(text, Y2025) == []
    rules = find_dates(text, DateContext(year=2025, include_rules=True))
    assert [(m.role, m.iso, m.rule) for m in rules] == [
        ("deadline", None, "毎月10日まで"),
        ("deadline", None, "輸出後10営業日以内"),
    ]


def test_extract_dates_takes_year_from_identity_and_keeps_two_roles_apart() -> None:
    identity = DocumentIdentity(
        language="ja", dates=[IdentityDate(role="published", iso="2025-08-22", raw="2025.8.22")]
    )
    document = make_document("弁法を公表した（7月 28日公布、施行）。", identity=identity)
    records = extract_dates(document, Locator(document))
    assert [(r.iso, r.role, r.text) for r in records] == [
        ("2025-07-28", "promulgated", "7月 28日"),
        ("2025-07-28", "effective", "7月 28日"),
    ]
    assert records[0].id != records[1].id
    assert records[0].provenance.char_span == records[1].provenance.char_span


# A news dateline (place, month-day, 电/電/讯) dates the report: it takes the document's own
# year or stays partial (no record), never the year of the adoption line printed under it.
_ANTIMONOPOLY_REPOST = (
    "新华社北京6月24日电\n中华人民共和国反垄断法\n"
    "（2007年8月30日第十届全国人民代表大会常务委员会第二十九次会议通过　根据2022年6月24日"
    "第十三届全国人民代表大会常务委员会第三十五次会议《关于修改〈中华人民共和国反垄断法〉的决定》"
    "修正）"
)
_ADOPTION = [
    ("2007年8月30日", "2007-08-30", "promulgated"),
    ("2022年6月24日", "2022-06-24", "revised"),
]
DATELINES = [
    pytest.param(
        _ANTIMONOPOLY_REPOST,
        DateContext(year=2007, lang="zh"),
        _ADOPTION,
        id="dateline-does-not-borrow-the-adoption-year",
    ),
    pytest.param(
        _ANTIMONOPOLY_REPOST,
        DateContext(year=2022, own_year=2022, lang="zh"),
        [("6月24日", "2022-06-24", "other"), *_ADOPTION],
        id="dateline-takes-the-documents-own-year",
    ),
    pytest.param(
        "本报北京12月27日讯　十四届全国人大常委会第十九次会议12月27日表决通过新修订的对外贸易法。",
        DateContext(lang="zh"),
        [],
        id="newspaper-dateline-without-a-year-stays-partial",
    ),
]


@pytest.mark.parametrize(("text", "context", "expected"), DATELINES)
def test_news_datelines(
    text: str, context: DateContext, expected: list[tuple[str, str, str]]
) -> None:
    assert [_shape(text, m) for m in find_dates(text, context)] == expected


def test_dominant_year_needs_a_majority() -> None:
    # one date per revision, each year once: no year is the document's
    assert _dominant_year(_ANTIMONOPOLY_REPOST) is None
    assert _dominant_year("2024年1月1日公布，2024年3月1日施行，2023年5月通过") == 2024
