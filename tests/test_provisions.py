"""Provision lists: the outline of labelled lines a statute or notice is built from.

Rows are (lines, expected lists) where each line stands for one block and each expected list
is (family, heading, parent labels, item texts).  The lines are modelled on real texts of
other laws than the dev set (外為法, 輸出貿易管理令, 出口管制法, 数据安全法, MOFCOM notices).
"""

from __future__ import annotations

import pytest

from ingest.extract.provisions import Unit, find_provision_lists, parse_label

S = "\u3000"


def units(*lines: str) -> list[Unit]:
    out, at = [], 0
    for line in lines:
        out.append(Unit(line, at))
        at += len(line) + 1
    return out


def lists(*lines: str) -> list[tuple[str, str, list[str], list[str]]]:
    return [
        (p.family, p.heading, p.parent_labels, [i.text for i in p.items])
        for p in find_provision_lists(units(*lines))
    ]


ROWS = [
    pytest.param(
        [
            f"第六条{S}この法律において次の各号に掲げる用語の意義は、当該各号に定めるところによる。",
            f"一{S}本邦又は外国{S}本邦又は外国をいう。",
            f"二{S}居住者{S}本邦内に住所又は居所を有する自然人をいう。",
        ],
        [
            (
                "kanji_item",
                f"第六条{S}この法律において次の各号に掲げる用語の意義は、当該各号に定めるところによる。",
                [],
                [
                    f"本邦又は外国{S}本邦又は外国をいう",
                    f"居住者{S}本邦内に住所又は居所を有する自然人をいう",
                ],
            )
        ],
        id="ja-go-definitions-keep-u3000",
    ),
    pytest.param(
        [
            f"２{S}前項の許可は、次に掲げる場合に限り、することができる。",
            f"一{S}貨物を輸出する場合であつて、次のいずれかに該当するとき",
            f"イ{S}特定の地域を仕向地とするもの",
            f"ロ{S}特定の種類の貨物",
            f"二{S}技術を提供する場合",
            f"３{S}経済産業大臣は、前項の規定により許可をしたときは、公表する。",
        ],
        [
            (
                "kanji_item",
                f"２{S}前項の許可は、次に掲げる場合に限り、することができる。",
                [],
                ["貨物を輸出する場合であつて、次のいずれかに該当するとき", "技術を提供する場合"],
            ),
            (
                "kana",
                f"一{S}貨物を輸出する場合であつて、次のいずれかに該当するとき",
                ["一"],
                ["特定の地域を仕向地とするもの", "特定の種類の貨物"],
            ),
        ],
        id="ja-iroha-nested-under-go",
    ),
    pytest.param(
        [
            "別表第一（第三条関係）",
            f"一{S}金属表面処理施設",
            f"一の二{S}空気圧縮機の冷却施設",
            f"二{S}ガス供給業の用に供する施設",
        ],
        [
            (
                "kanji_item",
                "別表第一（第三条関係）",
                [],
                ["金属表面処理施設", "空気圧縮機の冷却施設", "ガス供給業の用に供する施設"],
            ),
        ],
        id="ja-branch-go-in-appendix",
    ),
    pytest.param(
        [
            f"一{S}原子炉",
            f"二{S}核燃料物質",
            f"第二章{S}管理",
            f"二{S}核原料物質",
            f"三{S}放射線",
        ],
        [("kanji_item", "", [], ["原子炉", "核燃料物質"])],
        id="chapter-heading-closes-the-run",
    ),
    pytest.param(
        [
            "第三十四条　出口经营者有下列行为之一的，责令停止违法行为：",
            "（一）未经许可擅自出口管制物项；",
            "（二）超出出口许可证件规定的许可范围出口管制物项；",
            "（三）出口禁止出口的管制物项。",
            "前款规定的行为情节严重的，吊销出口经营资格。",
        ],
        [
            (
                "cn_paren_fw",
                "第三十四条　出口经营者有下列行为之一的，责令停止违法行为：",
                [],
                [
                    "未经许可擅自出口管制物项",
                    "超出出口许可证件规定的许可范围出口管制物项",
                    "出口禁止出口的管制物项",
                ],
            ),
        ],
        id="zh-law-xiang-items-sentences-kept",
    ),
    pytest.param(
        [
            "一、锂电池相关物项",
            "(一)3A001 重量能量密度大于等于300 Wh/kg的锂离子电池(参考税则号列:85076000)。",
            "(二)3B901.a.用于制造锂离子电池的设备:",
            "1.卷绕机(参考税则号列:84798999);",
            "2.叠片机;",
            "二、正极材料相关物项",
            "三、石墨负极材料相关物项",
        ],
        [
            ("cn_dun", "", [], ["锂电池相关物项", "正极材料相关物项", "石墨负极材料相关物项"]),
            (
                "cn_paren_hw",
                "一、锂电池相关物项",
                ["一、"],
                [
                    "3A001 重量能量密度大于等于300 Wh/kg的锂离子电池",
                    "3B901.a.用于制造锂离子电池的设备",
                ],
            ),
            (
                "arabic_dot",
                "(二)3B901.a.用于制造锂离子电池的设备:",
                ["一、", "(二)"],
                ["卷绕机", "叠片机"],
            ),
        ],
        id="mofcom-control-list-tree",
    ),
    pytest.param(
        [
            "一、出口经营者应当提交下列文件：",
            "审查期间，商务部可以要求补充材料。",
            "二、本公告自发布之日起实施。",
        ],
        [("cn_dun", "", [], ["出口经营者应当提交下列文件", "本公告自发布之日起实施"])],
        id="notice-clause-runs-over-a-paragraph",
    ),
    # A wrapped item the layout split into two blocks is one item: a bracket left open, or a
    # line starting with a mark no paragraph starts with.
    pytest.param(
        [
            "別表第一（第三条関係）",
            f"一{S}別表第一第五十号に掲げる施設（トリクロロエチレン又は一・四",
            "―ジオキサンの試薬の製造の用に供するものに限る。）",
            f"二{S}別表第一第五十一号に掲げる施設",
        ],
        [
            (
                "kanji_item",
                "別表第一（第三条関係）",
                [],
                [
                    "別表第一第五十号に掲げる施設（トリクロロエチレン又は一・四"
                    "―ジオキサンの試薬の製造の用に供するものに限る。）",
                    "別表第一第五十一号に掲げる施設",
                ],
            )
        ],
        id="ja-wrapped-go-split-by-layout-is-one-item",
    ),
    pytest.param(
        [
            "第二条 下列物项实施出口管制：",
            "（一）具有以下特性的石墨（纯度大于",
            "99.99%）；",
            "（二）球化石墨。",
        ],
        [
            (
                "cn_paren_fw",
                "第二条 下列物项实施出口管制：",
                [],
                ["具有以下特性的石墨（纯度大于99.99%）", "球化石墨"],
            )
        ],
        id="zh-item-with-open-bracket-continues",
    ),
    # The next heading's label glued after an item's full stop, and notes left blank.
    pytest.param(
        [
            "一、3A001 锂电池相关物项",
            "(一)3A001.a 锂离子电池，质量能量密度大于等于300Wh/kg的电芯。",
            "(二)3A001.b 正极材料，压实密度大于2.5 g/cm3的磷酸铁锂。二",
            "二、3C901 石墨负极材料相关物项",
            "(一)3C901.a 人造石墨负极材料。(参考税则号列:3801100010)",
            "(二)3C901.b 球化石墨。(参考税则号列: )五",
        ],
        [
            ("cn_dun", "", [], ["3A001 锂电池相关物项", "3C901 石墨负极材料相关物项"]),
            (
                "cn_paren_hw",
                "一、3A001 锂电池相关物项",
                ["一、"],
                [
                    "3A001.a 锂离子电池，质量能量密度大于等于300Wh/kg的电芯",
                    "3A001.b 正极材料，压实密度大于2.5 g/cm3的磷酸铁锂",
                ],
            ),
            (
                "cn_paren_hw",
                "二、3C901 石墨负极材料相关物项",
                ["二、"],
                ["3C901.a 人造石墨负极材料", "3C901.b 球化石墨"],
            ),
        ],
        id="mofcom-next-label-never-leaks-and-blank-tariff-note",
    ),
    pytest.param(
        [
            "一、满足以下特性的物项，未经许可，不得出口：",
            "(一)高纯度(纯度>99.9%)石墨材料(参考税则号列:2504101000)。",
            "(二)球化石墨(参考税则号列:)。",
            "(三)人造石墨负极材料(参考海关商品编号：)。",
        ],
        [
            (
                "cn_paren_hw",
                "一、满足以下特性的物项，未经许可，不得出口：",
                ["一、"],
                ["高纯度(纯度>99.9%)石墨材料", "球化石墨", "人造石墨负极材料"],
            )
        ],
        id="gacc-blank-code-notes",
    ),
    pytest.param(
        [
            "第一章 总则",
            "第一节 一般规定",
            "第一条 为了规范出口管制，制定本法。",
            "第二节 管制清单",
            "第二条 国家实行管制清单制度。",
            "第二章 管制措施",
        ],
        [],
        id="sections-and-chapters-are-no-list",
    ),
    pytest.param(
        ["（一）数据处理者", "（三）数据安全审查"],
        [],
        id="out-of-sequence-is-no-list",
    ),
    pytest.param(
        ["1.第一项", "3.5倍以上的"],
        [],
        id="single-item-is-no-list",
    ),
    # A ministry circular's outline (unseen2: 役務通達, 包括許可取扱要領): 1　/ (1) / ア　,
    # each heading with its prose before the next; ア イ ウ エ, not the イロハ order.
    pytest.param(
        [
            f"1{S}役務取引許可の対象",
            f"(1){S}特定技術の範囲",
            "特定技術とは、外為令別表の中欄に掲げる技術をいう。",
            f"(2){S}用語の解釈",
            "用語の解釈は、別紙1に掲げるもののほか、次のとおりとする。",
            f"ア{S}技術とは、貨物の設計、製造又は使用に必要な特定の情報をいう。",
            f"イ{S}プログラムとは、特定の処理を実行する一連の命令をいう。",
            f"ウ{S}設計とは、一連の製造過程の前段階をいう。",
        ],
        [
            ("arabic_paren", f"1{S}役務取引許可の対象", ["1"], ["特定技術の範囲", "用語の解釈"]),
            (
                "kana_aiueo",
                "用語の解釈は、別紙1に掲げるもののほか、次のとおりとする。",
                [],
                [
                    "技術とは、貨物の設計、製造又は使用に必要な特定の情報をいう",
                    "プログラムとは、特定の処理を実行する一連の命令をいう",
                    "設計とは、一連の製造過程の前段階をいう",
                ],
            ),
        ],
        id="ja-circular-outline",
    ),
    pytest.param(
        [
            "Ⅰ一般包括許可",
            f"1{S}一般包括許可の種類",
            "一般包括許可の種類は一般包括輸出許可及び一般包括役務取引許可とする。",
            f"2{S}一般包括許可の申請者",
        ],
        [("arabic_space", "Ⅰ一般包括許可", ["Ⅰ"], ["一般包括許可の種類", "一般包括許可の申請者"])],
        id="ja-circular-numbers-under-roman",
    ),
    pytest.param(
        [
            f"２{S}前項の許可は、次に掲げる場合に限り、することができる。",
            f"イ{S}特定の地域を仕向地とするもの",
            f"ロ{S}特定の種類の貨物",
        ],
        [
            (
                "kana",
                f"２{S}前項の許可は、次に掲げる場合に限り、することができる。",
                [],
                ["特定の地域を仕向地とするもの", "特定の種類の貨物"],
            )
        ],
        id="ja-iroha-still-iroha",
    ),
    # A 別表's rows (unseen3: 外国為替令別表 as a blog prints it)
    pytest.param(
        [
            f"1の項{S}輸出貿易管理令別表第一の一の項の中欄に掲げる貨物の技術",
            f"2の項{S}数値制御装置の使用に係る技術",
            f"3の項{S}化学製剤の製造に係る技術",
            f"3の2の項{S}軍用の細菌製剤の技術",
            f"4の項{S}ロケットの技術",
        ],
        [
            (
                "kou",
                "",
                [],
                [
                    "輸出貿易管理令別表第一の一の項の中欄に掲げる貨物の技術",
                    "数値制御装置の使用に係る技術",
                    "化学製剤の製造に係る技術",
                    "軍用の細菌製剤の技術",
                    "ロケットの技術",
                ],
            )
        ],
        id="ja-beppyo-rows",
    ),
    # A page or excerpt that starts mid-list (unseen3: a 关注名单 repost's page 3 opens at 16.)
    pytest.param(
        [
            "16.日本电气航空宇宙系统株式会社(NEC Aerospace Systems, Ltd.)",
            "17.日本海洋联合株式会社(Japan Marine United Corporation)",
            "商务部:将20家日本实体列入关注名单",
            "根据有关规定,决定将斯巴鲁株式会社等实体列入关注名单。",
            "3.无关的编号",
            "4.也不成列表",
        ],
        [
            (
                "arabic_dot",
                "",
                [],
                [
                    "日本电气航空宇宙系统株式会社(NEC Aerospace Systems, Ltd.)",
                    "日本海洋联合株式会社(Japan Marine United Corporation)",
                ],
            )
        ],
        id="zh-first-label-mid-list",
    ),
    # 附則's paragraphs are numbered from １: paragraphs, not a list (unseen: 改正通達)
    pytest.param(
        [
            f"附{S}則",
            f"1{S}この通達は、平成24年4月1日から施行する。",
            f"2{S}従前の例により取り扱うものとされる場合は、なお従前の例による。",
        ],
        [],
        id="ja-supplementary-paragraphs",
    ),
]


@pytest.mark.parametrize(("lines", "expected"), ROWS)
def test_provision_lists(lines: list[str], expected: list[tuple[str, str, list[str], list[str]]]):
    assert lists(*lines) == expected


def test_codes_go_to_the_item_fields() -> None:
    found = find_provision_lists(
        units(
            "(一)3A001 锂离子电池(参考税则号列:85076000)。",
            "(二)3E901.a.用于生产3A001项所管制物项的技术(参考海关商品编号:841111101 0)。",
        )
    )
    items = found[0].items
    assert (items[0].control_codes, items[0].hs_codes) == (["3A001"], ["85076000"])
    assert (items[1].control_codes, items[1].hs_codes) == (["3E901.a", "3A001"], ["8411111010"])


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param(f"一{S}法令", ("kanji_item", "一", 1), id="go"),
        pytest.param(f"二十一{S}施設", ("kanji_item", "二十一", 21), id="go-21"),
        pytest.param(f"ハ{S}助言", ("kana", "ハ", 3), id="kana"),
        pytest.param("（四）进口商", ("cn_paren_fw", "（四）", 4), id="paren-fw"),
        pytest.param("b.镍钴铝", ("latin_dot", "b.", 2), id="latin"),
        pytest.param(f"ウ{S}設計", ("kana", "ウ", 24), id="u-first-read-as-iroha"),
        pytest.param(f"1{S}対象", ("arabic_space", "1", 1), id="circular-number"),
        pytest.param("②輸出者", ("circled", "②", 2), id="circled"),
        pytest.param(f"3の2の項{S}技術", ("kou", "3の2の項", -3), id="beppyo-branch-row"),
        pytest.param("一法令", None, id="kanji-without-u3000-is-text"),
        pytest.param("2.5 g/cm3以上", None, id="decimal-is-no-label"),
    ],
)
def test_parse_label(line: str, expected: tuple[str, str, int] | None) -> None:
    got = parse_label(line)
    assert (got[:3] if got else None) == expected
