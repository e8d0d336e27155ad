"""Articles: labels at line start, extents, paragraphs/items, laws of quoted copies, dev truth."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from ingest.extract.article_core import find_articles
from ingest.extract.article_laws import defined_abbreviations, quoted_law
from ingest.extract.articles import extract_articles
from models.document import DocumentIdentity, SubDocument
from models.provenance import CharSpan
from tests.factories import make_document

DATA = Path(__file__).parent / "data" / "dev"
VERSIONS = [
    "anti_monopoly_law_2007",
    "anti_monopoly_law_2022",
    "rare_earth_measures_draft",
    "rare_earth_measures_final",
]


def squash(text: str) -> str:
    return re.sub(r"[ \u3000\t]", "", text)


LABELS = [
    ("第一条 为了预防和制止垄断行为，保护市场公平竞争，制定本法。", "第一条", 1),
    ("第十七条 本弁法は公布の日より施行する。", "第十七条", 17),
    ("第 10 条 国は総量規制を実行する。", "第10条", 10),
    ("　第五十七条　本法自2008年8月1日起施行。", "第五十七条", 57),
    ("13 第十八条 輸出者は輸出許可証に明記された範囲に基づいて輸出する。", "第十八条", 18),
    (
        "一、以下の品目は許可を得ずに輸出してはならない：\n二、本公告に言う輸出者とは、中国の公民を含む。",
        "一、",
        1,
    ),
    ("第十条之一 国家对两用物项实施出口管制。", "第十条之一", 10),
    ("第十条の二　経済産業大臣は、報告を求めることができる。", "第十条の二", 10),
    ("第25条の2 経済産業大臣は、許可を取り消すことができる。", "第25条の2", 25),
    ("第10条之1　国家对两用物项实施出口管制。", "第10条之1", 10),
    ("12条　輸出者は、輸出の前に経済産業大臣に届け出なければならない。", "12条", 12),
    ("1条 本办法自公布之日起施行。", "1条", 1),
    ("第一條　為了擴大對外開放，發展對外貿易，制定本法。", "第一條", 1),
]


@pytest.mark.parametrize(
    ("text", "label", "number"), LABELS, ids=[t[1] + str(i) for i, t in enumerate(LABELS)]
)
def test_label_at_line_start_opens_an_article(text: str, label: str, number: int) -> None:
    found = find_articles(text)
    assert found, text
    assert (found[0].label, found[0].number) == (label, number)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        pytest.param("第十条　国は総量規制を実行する。", "10", id="plain"),
        pytest.param("第二条の二　この法律は、公布の日から施行する。", "2_2", id="ja-branch"),
        pytest.param("第十条之一　国家对两用物项实施出口管制。", "10_1", id="zh-branch"),
        pytest.param("第二十五条の十二　経済産業大臣は、許可を取り消す。", "25_12", id="branch-12"),
        pytest.param("第10条之1　国家对两用物项实施出口管制。", "10_1", id="zh-branch-arabic"),
        pytest.param("第5条の3　経済産業大臣は、公表する。", "5_3", id="ja-branch-arabic"),
    ],
)
def test_article_key_keeps_the_branch(text: str, key: str) -> None:
    (article,) = extract_articles(make_document(text)).records
    assert (article.key, article.number) == (key, int(key.split("_")[0]))


MENTIONS = [
    "同条例第10条に基づく、採掘に対する総量管理規制",
    "第13条～第16条に罰則を定めている。",
    "第 5 条及び第 7条では、国家は統一的に計画する。",
    "第 2、3 条を参照。",
    "第十二条の規定に従って処罰する。",
    "一、輸出者",  # a filling-in guide's section heading, not a provision run
    "一、モーター用ローター（回転子）、ステーター（固定子）コンポーネント",  # FAQ heading
    "第十条の一部を次のように改正する。",  # an amendment sentence, not article 10-1
    "第十条の二第一項の規定にかかわらず、",
    "第十条之一规定的物项，适用本条例。",
    "第2条～第5条　略",  # a note eliding articles
    "第二条から第五条まで　削除",
    "12条に基づき、輸出者は届け出る。",  # a wrapped line starting with a bare label
    "第十條規定的物項，適用本條例。",  # Traditional script, a mention
]


@pytest.mark.parametrize("text", MENTIONS, ids=[f"mention-{i}" for i in range(len(MENTIONS))])
def test_mention_inside_a_sentence_is_not_an_article(text: str) -> None:
    assert find_articles(text) == []


def test_paragraphs_and_items_of_a_wrapped_article() -> None:
    text = (
        "第二十条 本条例の規定に違反し、以下の行為のいずれかがあった場合、自然資源主管部門\n"
        "は法に基づいて処罰する：\n"
        " （一）レアアース（希土類）採掘企業が採鉱権、採鉱許可証を取得せずにレアアース（希\n"
        "土類）を採掘する；\n"
        " （二）レアアース（希土類）採掘企業以外の組織や個人がレアアース（希土類）の採掘に\n"
        "従事する。\n"
        "第二十一条 違法所得の 5 倍以上 10 倍以下の罰金を併科する。"
    )
    first, second = find_articles(text)
    assert first.number == 20 and second.number == 21
    assert [p.text for p in first.paragraphs] == [
        "本条例の規定に違反し、以下の行為のいずれかがあった場合、自然資源主管部門は法に基づいて処罰する："
    ]
    assert [i.label for i in first.paragraphs[0].items] == ["（一）", "（二）"]
    assert (
        first.body.split("\n")[2]
        == "（二）レアアース（希土類）採掘企業以外の組織や個人がレアアース（希土類）の採掘に従事する。"  # noqa: E501
    )


def test_commentary_bullet_ends_a_quoted_article_and_excerpt_mark_is_kept() -> None:
    text = (
        "第七条 国務院の工業情報化主管部門は全国のレアアース（希土類）産業の管理業務の責任\n"
        "を負い、管理政策措置を研究・策定しかつ計画・実施する。\n"
        " ～（略）～。\n"
        "■採掘企業及び製錬・分離企業の選定等（第 7 条等）\n"
        "・レアアース生産企業は、総量制御指標の範囲内で採掘を行うことが求められている。"
    )
    (article,) = find_articles(text, quoted=lambda _offset: True)
    assert article.excerpt
    assert article.body.endswith("～（略）～。")
    assert "■" not in article.body


def test_open_lead_in_takes_its_definitions_after_interrupting_commentary() -> None:
    # 001 p.10: 第三十条's first line, commentary bullets, then the four definitions.
    text = "\n".join(
        [
            " 第三十条 本条例における以下の用語の意味：",
            " ・「磁性材料製造」技術とは、サマリウムコバルト、ネオジム鉄ホウ素の製造技術を指す。",
            "【留意点】",
            "・用語の定義は上記（1）と同様。",
            "レアアース（希土類）とはランタン、セリウム等の元素の総称を指す。",
            "製錬・分離とは、レアアース（希土類）鉱物を加工して化合物を生成する生産プロセスを指す。",
            "金属製錬とは、化合物を原料としレアアース金属または合金を生産するプロセスを指す。",
            "（参考）中国国家規格《希土類用語》（GB/T1576-2015）における希土類の定義。",
        ]
    )
    (article,) = find_articles(text, quoted=lambda _offset: True, lines_are_paragraphs=True)
    assert len(article.paragraphs) == 4
    assert article.paragraphs[1].text.startswith("レアアース（希土類）とは")
    assert len(article.pieces) == 2
    assert "磁性材料" not in article.body


QUOTED_LAWS = [
    (
        "・同条例第 10 条では、国家は総量規制を実施し（同条前段）、",
        10,
        "レアアース管理条例",
        "今回の措置は、レアアース管理条例の下位規則として、同条例第 10 条に基づく。\n",
    ),
    (
        "■目的（第 1 条）\n・本規則を制定するとしている。レアアース管理条例第 10 条を根拠とする規定である。",  # noqa: E501
        1,
        "SUBJECT",
        "",
    ),
    (
        "・レアアース管理条例第 5 条及び第 7条では、国家は統一的に計画するとされ、",
        7,
        "レアアース管理条例",
        "",
    ),
    (
        "■罰則等（第 13 条～第 16 条）\n・レアアース生産企業の規則違反に関し、罰則を定めている。",
        14,
        "SUBJECT",
        "",
    ),
    (
        "・レアアース管理条例では、上記の違反に関し、具体的な罰則内容が規定されている。",
        20,
        "レアアース管理条例",
        "",
    ),
    ("定義及び範囲はレアアース管理条例の関連規定に従う。", 30, "レアアース管理条例", ""),
]


@pytest.mark.parametrize(
    ("context", "number", "law", "earlier"),
    QUOTED_LAWS,
    ids=[f"quoted-law-{i}" for i in range(len(QUOTED_LAWS))],
)
def test_law_of_a_quotation_comes_from_the_commentary_before_it(
    context: str, number: int, law: str, earlier: str
) -> None:
    assert quoted_law(earlier + context, number, "SUBJECT") == law


# (text, [(label, chapter, paragraph lines)]): where each article ends and what it holds.
STRUCTURE = [
    pytest.param(
        "第一编 总则\n第一章 基本规定\n第一条 为了保护民事主体的合法权益，制定本法。\n"
        "第二节 自然人\n第十条 处理民事纠纷，应当依照法律。\n"
        "第十条之一 国家对两用物项实施出口管制。\n 出口经营者应当建立内部合规制度。\n"
        "第十一条 其他法律对民事关系有特别规定的，依照其规定。",
        [
            ("第一条", "第一章 基本规定", [["为了保护民事主体的合法权益，制定本法。"]]),
            ("第十条", "第一章 基本规定", [["处理民事纠纷，应当依照法律。"]]),
            (
                "第十条之一",
                "第一章 基本规定",
                [["国家对两用物项实施出口管制。"], ["出口经营者应当建立内部合规制度。"]],
            ),
            ("第十一条", "第一章 基本规定", [["其他法律对民事关系有特别规定的，依照其规定。"]]),
        ],
        id="编章节-之一-indented-款",
    ),
    pytest.param(
        "（目的）\n第一条　この法律は、外国為替の管理を目的とする。\n（定義）\n"
        "第十条　この法律において「居住者」とは、本邦内に住所を有する自然人をいう。\n"
        "２　前項の規定にかかわらず、次に掲げる者は非居住者とする。\n一　外国人\n二　外国法人\n"
        "第十条の二　経済産業大臣は、報告を求めることができる。",
        [
            ("第一条", None, [["この法律は、外国為替の管理を目的とする。"]]),
            (
                "第十条",
                None,
                [
                    ["この法律において「居住者」とは、本邦内に住所を有する自然人をいう。"],
                    [
                        "２　前項の規定にかかわらず、次に掲げる者は非居住者とする。",
                        "一外国人",
                        "二外国法人",
                    ],
                ],
            ),
            ("第十条の二", None, [["経済産業大臣は、報告を求めることができる。"]]),
        ],
        id="ja-caption-項-号-の二",
    ),
    pytest.param(
        "第十一条　第十条の二の規定は、適用しない。\n附　則\n"
        "第一条　この法律は、公布の日から施行する。",
        [
            ("第十一条", None, [["第十条の二の規定は、適用しない。"]]),
            ("第一条", "附則", [["この法律は、公布の日から施行する。"]]),
        ],
        id="ja-附則",
    ),
    pytest.param(
        "第五十条 本条例自2024年12月1日起施行。\n附则\n第一条 本办法自公布之日起施行。",
        [
            ("第五十条", None, [["本条例自2024年12月1日起施行。"]]),
            ("第一条", "附则", [["本办法自公布之日起施行。"]]),
        ],
        id="zh-附则",
    ),
    pytest.param(
        "2．主な内容\n商務部は、45業務日以内に許可又は不許可の決定を行う。\n"
        "第二条国家の両用品目の輸出管理には、本条例を適用する。\n"
        "3．ガリウム・ゲルマニウム関連品目\n"
        "2023年8月1日に施行された輸出規制の対象品目は、引き続き規制される。",
        [("第二条", None, [["国家の両用品目の輸出管理には、本条例を適用する。"]])],
        id="commentary-section-3-ends-quotation",
    ),
    pytest.param(
        "第二条 国家对下列物项实施出口管制：\n1.核材料\n2.核设备\n"
        "第三条 下列物项：\n1.相关技术\n2.服务\n3.其他",
        [
            ("第二条", None, [["国家对下列物项实施出口管制：", "1.核材料", "2.核设备"]]),
            ("第三条", None, [["下列物项：", "1.相关技术", "2.服务", "3.其他"]]),
        ],
        id="zh-numbered-items-are-not-headings",
    ),
    pytest.param(
        "第二十五条　機構は、登記しなければならない。\n"
        "（一般社団法人及び一般財団法人に関する法律の準用）\n"
        "第二十六条　一般社団法人及び一般財団法人に関する法律第四条の規定は、"
        "機構について準用する。",
        [
            ("第二十五条", None, [["機構は、登記しなければならない。"]]),
            (
                "第二十六条",
                None,
                [
                    [
                        "一般社団法人及び一般財団法人に関する法律第四条の規定は、機構について準用する。"
                    ]
                ],
            ),
        ],
        id="ja-long-caption-with-numerals-is-the-next-article's",
    ),
    pytest.param(
        "第十五条　この政令において主務省令は、環境大臣の発する命令とする。\n"
        "別表第一（第三条関係）\n一　別表第一第十九号に掲げる施設\n"
        "二　別表第一第二十二号に掲げる施設",
        [("第十五条", None, [["この政令において主務省令は、環境大臣の発する命令とする。"]])],
        id="ja-appended-table-ends-the-last-article",
    ),
    pytest.param(
        "第一章の二　原子力規制委員会\n第三条の二　原子力規制委員会を置く。",
        [("第三条の二", "第一章の二 原子力規制委員会", [["原子力規制委員会を置く。"]])],
        id="ja-branch-chapter-heading",
    ),
]


@pytest.mark.parametrize(("text", "expected"), STRUCTURE)
def test_article_extents_and_structure(
    text: str, expected: list[tuple[str, str | None, list[list[str]]]]
) -> None:
    found = [(m.label, m.chapter, [p.lines() for p in m.paragraphs]) for m in find_articles(text)]
    assert found == expected


ABBREVIATIONS = [
    (
        "中国国務院は、2024年9月30日、「中華人民共和国両用品目輸出管理条例」"
        "（国務院令第792号。以下「条例」という。）を公布した。",
        {"条例": "中華人民共和国両用品目輸出管理条例"},
    ),
    (
        "根据《中华人民共和国出口管制法》（以下简称出口管制法）等法律，制定本条例。",
        {"出口管制法": "中华人民共和国出口管制法"},
    ),
    (
        "依照《中华人民共和国行政许可法》（以下简称“行政许可法”）的规定",
        {"行政许可法": "中华人民共和国行政许可法"},
    ),
    ("由商务部颁发两用物项和技术出口许可证件（以下简称出口许可证件）。", {}),
    ("物项（以下统称管制物项）的出口管制，适用本法。", {}),
]


@pytest.mark.parametrize(
    ("text", "expected"), ABBREVIATIONS, ids=[f"abbrev-{i}" for i in range(len(ABBREVIATIONS))]
)
def test_defined_short_names_of_laws(text: str, expected: dict[str, str]) -> None:
    assert defined_abbreviations(text) == expected


def test_quotation_introduced_by_a_defined_short_name_belongs_to_the_full_law() -> None:
    """h04: ``【参考】条例第二条（仮訳）`` after ``…条例」（…以下「条例」という。）``."""
    intro = (
        "中国国務院は、「中華人民共和国両用品目輸出管理条例」（国務院令第792号。以下「条例」"
        "という。）を公布した。\n【参考】条例第二条（仮訳）\n"
    )
    law = quoted_law(intro, 2, "SUBJECT", 0, defined_abbreviations(intro))
    assert law == "中華人民共和国両用品目輸出管理条例"


def _wrap(paragraph: str, width: int = 40) -> list[str]:
    lines, line, used = [], "", 0
    for char in paragraph:
        step = 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if used + step > 2 * width:
            lines.append(line)
            line, used = "", 0
        line += char
        used += step
    return [*lines, line] if line else lines


def _render(truth: dict) -> str:
    """The versions' articles printed like their PDFs: wrapped lines, indented paragraphs."""
    out = [truth["documents"][0]["title"], ""]
    for article in truth["articles"]:
        for index, paragraph in enumerate(article["text"].split("\n")):
            text = f"{article['label']} {paragraph}" if index == 0 else f" {paragraph}"
            out.extend(_wrap(text))
    return "\n".join(out)


@pytest.mark.parametrize("stem", VERSIONS)
def test_versions_articles_come_out_exactly(stem: str) -> None:
    truth = json.loads((DATA / "versions" / f"{stem}.articles.json").read_text())
    document = make_document(_render(truth), language=truth["language"])
    result = extract_articles(document)
    assert [(a.number, a.label) for a in result.records] == [
        (a["number"], a["label"]) for a in truth["articles"]
    ]
    for got, want in zip(result.records, truth["articles"], strict=True):
        assert squash(got.body) == squash(want["text"]), got.label
    assert not result.warnings


def _commentary_with_annex() -> tuple[str, int]:
    commentary = "\n".join(
        [
            "今回の措置は、レアアース管理条例の下位規則として、同条例第 10 条に基づく。",
            "■目的（第 1 条）",
            "・本規則を制定するとしている。レアアース管理条例第 10 条を根拠とする規定である。",
            "第一条 レアアースの採掘の総量規制・管理を強化するため、本弁法を制定する。",
            "・同条例第 10 条では、国家は総量規制を実施し（同条前段）、",
            "第十条 国はレアアース（希土類）資源の埋蔵量に基づいて総量規制を実行する。",
            "■フロー記録制度（第 10 条）",
            "第十条 レアアース生産企業は毎月 10 日までにフロー情報を入力しなければならない。",
        ]
    )
    annex = "\n".join(
        [
            "レアアース採掘・レアアース製錬分離総量規制管理暫定弁法",
            "第一条 レアアースの採掘の総量規制・管理を強化するため、本弁法を制定する。",
            "第十条 レアアース生産企業は毎月 10 日までにフロー情報を入力しなければならない。",
        ]
    )
    return commentary + "\n" + annex, len(commentary) + 1


def test_quoted_copies_are_located_in_their_own_law_and_listed_once() -> None:
    text, annex_start = _commentary_with_annex()
    document = make_document(text, identity=DocumentIdentity(kind="commentary", language="ja"))
    measures = DocumentIdentity(
        kind="measures", title_original="稀土开采和稀土冶炼分离总量调控管理暂行办法"
    )
    document = document.model_copy(
        update={
            "subdocuments": [
                SubDocument(
                    key="main",
                    identity=document.identity,
                    pages=(1, 1),
                    char_span=CharSpan(start=0, end=len(text)),
                ),
                SubDocument(
                    key="annex1",
                    identity=measures,
                    pages=(1, 1),
                    char_span=CharSpan(start=annex_start, end=len(text)),
                ),
            ]
        }
    )
    result = extract_articles(document)
    listed = sorted((a.law, a.number, a.quoted) for a in result.records)
    assert listed == [
        ("レアアース管理条例", 10, True),
        ("稀土开采和稀土冶炼分离总量调控管理暂行办法", 1, False),
        ("稀土开采和稀土冶炼分离总量调控管理暂行办法", 10, False),
    ]
    assert len(result.spans) == 5
    own_ten = next(a for a in result.records if a.number == 10 and not a.quoted)
    quoted_own_ten = [
        s
        for s in result.spans
        if s.number == 10 and s.start < annex_start and s.law != "レアアース管理条例"
    ]
    assert [s.record_id for s in quoted_own_ten] == [own_ten.id]


BROKEN = [
    ("", 0),
    ("本文書には条文がない。第三条に言及するだけである。", 0),
    ("第五条 甲。\n第三条 乙。\n第三条 丙。", 3),
    ("第\u200b一条 \ufffd\x00 壊れた文字。\n第二条 乙。", 1),
    ("第一千零一条 桁外れの番号でも落ちない。", 1),
]


@pytest.mark.parametrize(
    ("text", "count"),
    BROKEN,
    ids=["empty", "no-articles", "broken-numbering", "odd-unicode", "huge"],
)
def test_broken_input_never_crashes(text: str, count: int) -> None:
    result = extract_articles(make_document(text or " "))
    assert len(result.records) == count
    if count == 3:
        assert any("follows" in w for w in result.warnings)
        assert any("duplicate" in w for w in result.warnings)


# A line that names an article and holds at most a caption is no article: a table of
# contents (unseen2 輸出貿易管理規則) or a heading announcing an excerpt (unseen 輸出令第四条).
HEADING_ONLY = [
    pytest.param(
        "第1条　[許可の手続等]\n第1条の2　[電子情報処理組織を使用した許可の手続等]\n第2条\n"
        "【許可の手続等】\n第1条　次の各号に掲げる者は、申請書を提出しなければならない。",
        ["第1条"],
        id="ja-table-of-contents",
    ),
    pytest.param(
        "第四条（特例）抜粋\n（特例）\n"
        "第四条　法第四十八条第一項の規定は、次に掲げる場合には、適用しない。",
        ["第四条"],
        id="ja-excerpt-heading",
    ),
    pytest.param(
        "第二条　削除\n第三条　乙とする。", ["第二条", "第三条"], id="ja-deleted-is-an-article"
    ),
]


@pytest.mark.parametrize(("text", "labels"), HEADING_ONLY)
def test_heading_only_lines_are_no_articles(text: str, labels: list[str]) -> None:
    found = find_articles(text)
    assert [m.label for m in found] == labels
    assert all(m.body for m in found)


# A notice's 一、 provisions are articles (dev v1: 商务部公告2025年第61号 一、…八、); a control
# list's 一、 entry that names customs or control codes is an item (unseen2: 2023 No. 28).
ENUM_RUNS = [
    pytest.param(
        "有关事项公告如下：\n一、性能指标未达到现有管制指标，但已达到下述指标的无人驾驶航空飞行器"
        "（参考海关商品编号：8806100010、8806221011）。\n（一）机载无线电设备功率超过限制值；\n"
        "（二）携带具有抛投功能的载荷。",
        [],
        id="zh-control-list-entry",
    ),
    pytest.param(
        "现将有关事项公告如下：\n一、自2007年6月18日起，对铟及铟制品实行出口配额许可证管理。\n"
        "二、商务部、海关总署负责对本公告的解释。",
        ["一、", "二、"],
        id="zh-notice-provisions",
    ),
    pytest.param(
        "欢迎通过以下途径提出意见：\n一、电子邮件：fg_agj@mofcom.gov.cn\n二、传真：010-65198437\n"
        "三、信函：北京市东长安街2号商务部产业安全与进出口管制局，邮编100731",
        [],
        id="zh-contact-fields-are-no-provisions",
    ),
]


@pytest.mark.parametrize(("text", "labels"), ENUM_RUNS)
def test_enum_provisions_and_list_entries(text: str, labels: list[str]) -> None:
    found = find_articles(text, enum_allowed=lambda _offset: True)
    assert [m.label for m in found] == labels
