"""Diffs name branch articles (第二条の二, 第10条之1) by their key ("2_2"), not by number.

Before, a branch article was deduplicated as a second copy of its base article and aligned
by number: the 2023 原子力基本法's new 第二条の二〜第二条の四 were never reported as added.
Bodies are real article texts of the dev v2 laws (原子力基本法 2023, 生物安全法 2024).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus.diff import diff_versions
from corpus.render import render_markdown
from models.diff import VersionDiff
from models.provenance import CharSpan, Provenance
from models.records import Article, Threshold

TRUTH = Path(__file__).parent / "data" / "dev" / "v2" / "truth"


def _bodies(stem: str) -> dict[str, str]:
    data = json.loads((TRUTH / f"{stem}.json").read_text(encoding="utf-8"))
    return {str(a["number"]): a["body"] for a in data["articles"]}


JA = _bodies("ja_genshiryoku_kihon_2023")
ZH = _bodies("zh_biosecurity_2024")


def _article(key: str, label: str, body: str, offset: int) -> Article:
    number = int(key.split("_")[0])
    return Article(
        id=f"t:article:{offset}",
        law="法",
        article=number,
        article_label=label,
        text=body,
        provenance=Provenance(
            source_sha256="0" * 64,
            document="main",
            page=1,
            char_span=CharSpan(start=offset, end=offset + len(body)),
        ),
        number=number,
        key=key,
        label=label,
        body=body,
    )


def _law(rows: list[tuple[str, str, str]]) -> list[Article]:
    return [_article(k, label, body, i * 10_000) for i, (k, label, body) in enumerate(rows)]


# (key, label, body) in the Japanese style (第二条の二) and the Chinese one (第10条之1).
JA_BASE = [("1", "第一条", JA["1"]), ("2", "第二条", JA["2"]), ("3", "第三条", JA["3"])]
JA_BRANCH = ("2_2", "第二条の二", JA["2_2"])
ZH_BASE = [("10", "第10条", ZH["10"]), ("11", "第11条", ZH["11"]), ("12", "第12条", ZH["12"])]
ZH_BRANCH = ("10_1", "第10条之1", ZH["13"])


def _rows(diff: VersionDiff) -> list[list[object]]:
    return [[r.old, r.new, r.status] for r in diff.alignment]


CASES = [
    # An amendment inserts a branch article: added under its key, its neighbours unchanged.
    pytest.param(
        JA_BASE,
        [*JA_BASE[:2], JA_BRANCH, JA_BASE[2]],
        [[1, 1, "unchanged"], [2, 2, "unchanged"], [None, "2_2", "added"], [3, 3, "unchanged"]],
        id="ja-branch-added",
    ),
    pytest.param(
        ZH_BASE,
        [ZH_BASE[0], ZH_BRANCH, *ZH_BASE[1:]],
        [
            [10, 10, "unchanged"],
            [None, "10_1", "added"],
            [11, 11, "unchanged"],
            [12, 12, "unchanged"],
        ],
        id="zh-branch-added",
    ),
    # A branch article deleted: removed under its key, not folded into its base article.
    pytest.param(
        [*JA_BASE[:2], JA_BRANCH, JA_BASE[2]],
        JA_BASE,
        [[1, 1, "unchanged"], [2, 2, "unchanged"], ["2_2", None, "removed"], [3, 3, "unchanged"]],
        id="ja-branch-removed",
    ),
    pytest.param(
        [ZH_BASE[0], ZH_BRANCH, *ZH_BASE[1:]],
        ZH_BASE,
        [
            [10, 10, "unchanged"],
            ["10_1", None, "removed"],
            [11, 11, "unchanged"],
            [12, 12, "unchanged"],
        ],
        id="zh-branch-removed",
    ),
    # A consolidation renumbers the branch article into the sequence (2_2 → 3, 3 → 4).
    pytest.param(
        [*JA_BASE[:2], JA_BRANCH, JA_BASE[2]],
        [*JA_BASE[:2], ("3", "第三条", JA["2_2"]), ("4", "第四条", JA["3"])],
        [[1, 1, "unchanged"], [2, 2, "unchanged"], ["2_2", 3, "renumbered"], [3, 4, "renumbered"]],
        id="ja-branch-renumbered",
    ),
    pytest.param(
        [ZH_BASE[0], ZH_BRANCH, ZH_BASE[1]],
        [ZH_BASE[0], ("11", "第11条", ZH["13"]), ("12", "第12条", ZH["11"])],
        [[10, 10, "unchanged"], ["10_1", 11, "renumbered"], [11, 12, "renumbered"]],
        id="zh-branch-renumbered",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), CASES)
def test_branch_articles_align_by_key(
    old: list[tuple[str, str, str]], new: list[tuple[str, str, str]], expected: list[list[object]]
) -> None:
    diff = diff_versions(_law(old), _law(new), "a", "b", tokenizer="fast")
    assert _rows(diff) == expected


def test_added_branch_article_is_a_field_change_and_a_table_row() -> None:
    old, new = _law(JA_BASE), _law([*JA_BASE[:2], JA_BRANCH, JA_BASE[2]])
    diff = diff_versions(old, new, "a", "b", tokenizer="fast")
    added = [c for c in diff.field_changes if c.kind == "article" and c.change == "added"]
    assert [(c.new_article, c.summary) for c in added] == [("2_2", "article added: 第二条の二")]
    assert "（新設） → 第二条の二 (added)" in render_markdown(diff)
    # The key survives the stored JSON: a branch article is still "2_2" when read back.
    again = VersionDiff.model_validate_json(diff.model_dump_json())
    assert again.alignment[2].new == "2_2" and again.field_changes == diff.field_changes


def test_threshold_in_branch_article_is_reported_there() -> None:
    """Records name their article by number (2) and label: the label picks 第二条の二."""
    body = "国は、毎年一回以上、その実施状況を公表しなければならない。"
    changed = body.replace("一回", "二回")
    old = _law([*JA_BASE[:2], ("2_2", "第二条の二", body)])
    new = _law([*JA_BASE[:2], ("2_2", "第二条の二", changed)])

    def mention(text: str, value: float, article: Article) -> Threshold:
        start = article.provenance.char_span.start + article.body.index(text)
        return Threshold(
            id=f"t:threshold:{start}",
            law="法",
            article=2,
            article_label="第二条の二",
            text=text,
            provenance=article.provenance.model_copy(
                update={"char_span": CharSpan(start=start, end=start + len(text))}
            ),
            value=value,
            unit="回",
            comparator=">=",
        )

    diff = diff_versions(
        [*old, mention("毎年一回以上", 1, old[2])],
        [*new, mention("毎年二回以上", 2, new[2])],
        "a",
        "b",
        tokenizer="fast",
    )
    thresholds = [c for c in diff.field_changes if c.kind == "threshold"]
    assert [(c.old_article, c.new_article, c.change) for c in thresholds] == [
        ("2_2", "2_2", "changed")
    ]
