"""Questions about versions: cues read as classes of words (en/zh/ja), the version a year picks,
diff passages, and search kept to the chosen version."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from index.diff_chunks import diff_chunks
from index.search import SearchIndex
from index.version_cue import VersionCue, parse_version_cue, select_version
from models.diff import ArticleAlignment, FieldChange, InlineOp, VersionDiff
from models.document import DocumentIdentity, IdentityDate
from models.search import Chunk
from tests.test_index_search import HashEmbedder

# (question, years, relation, change, asks about a change)
CUES = [
    pytest.param(
        "Under the Biosecurity Law as it stood in the 2020 text, who approved the export?",
        (2020,), "in", None, False, id="en-in-year-text",
    ),
    pytest.param(
        "Before the 2023 amendment, what did Article 2 of the Atomic Energy Basic Act say?",
        (2023,), "before", None, True, id="en-before-amendment",
    ),
    pytest.param(
        "Which provisions were deleted from the export control law in the 2024 revision?",
        (2024,), "after", "removed", True, id="en-deleted-revision",
    ),
    pytest.param(
        "What was changed between the 2015 version and the 2023 version of the act?",
        (2015, 2023), "in", "changed", True, id="en-changed-between",
    ),
    pytest.param(
        "Which articles were newly added by the amendment?",
        (), "after", "added", True, id="en-added-no-year",
    ),
    pytest.param(
        "生物安全法2020年文本中，人类遗传资源由哪个部门批准？",
        (2020,), "in", None, False, id="zh-year-text",
    ),
    pytest.param(
        "生物安全法修正前第五十六条规定由哪个部门批准？",
        (), "before", None, True, id="zh-before-amendment",
    ),
    pytest.param(
        "2024年修正后的生物安全法删除了哪些规定？",
        (2024,), "after", "removed", True, id="zh-deleted-after",
    ),
    pytest.param(
        "出口管制法2020年版与现行版相比新增了哪些条款？",
        (2020,), "in", "added", True, id="zh-added-vs-current",
    ),
    pytest.param(
        "原子力基本法の令和五年改正で新たに追加された条文はどれか。",
        (2023,), "after", "added", True, id="ja-era-year-added",
    ),
    pytest.param(
        "平成二十七年時点の原子力基本法第二条は何を定めていたか。",
        (2015,), "in", None, False, id="ja-era-year-in-force",
    ),
    pytest.param(
        "改正前の第三条の四から削除された文言は何か。",
        (), "before", "removed", True, id="ja-before-deleted",
    ),
    pytest.param(
        "旧法と新法で変更された罰則はどれか。",
        (), "before", "changed", True, id="ja-old-new-changed",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("question", "years", "relation", "change", "asks"), CUES)
def test_version_cues(
    question: str, years: tuple[int, ...], relation: str, change: str | None, asks: bool
) -> None:
    cue = parse_version_cue(question)
    assert cue is not None
    assert (cue.years, cue.relation, cue.change, cue.asks_change) == (
        years,
        relation,
        change,
        asks,
    )


@pytest.mark.parametrize(
    "question",
    [
        "What must an exporter report before the goods leave the country?",  # time, not version
        "商务部公告2025年第58号管制哪些锂电池物项？",  # the year numbers a notice
        "Which items does MOFCOM Announcement No. 58 of 2025 control?",
        "輸出許可の申請は何日以内に処理されるか。",
    ],
    ids=["en-before-in-time", "zh-notice-number-year", "en-notice-number-year", "ja-no-cue"],
)
def test_questions_without_version_cue(question: str) -> None:
    assert parse_version_cue(question) is None


DATED = [(1, 2020), (2, 2024)]


@pytest.mark.parametrize(
    ("cue", "chosen"),
    [
        (VersionCue((2020,), "in"), {1}),
        (VersionCue((2022,), "in"), {1}),  # the text in force in 2022
        (VersionCue((2024,), "after", amendment=True), {2}),
        (VersionCue((2024,), "before", amendment=True), {1}),
        (VersionCue((2020, 2024), "in", "changed", between=True), {1, 2}),
        (VersionCue((), "before", amendment=True), {1}),
        (VersionCue((), None, "added"), {2}),
        (VersionCue((2010,), "in"), {2}),  # no version yet in 2010: the latest
    ],
    ids=["in-2020", "in-2022", "after-2024", "before-2024", "between", "before", "latest", "none"],
)
def test_select_version(cue: VersionCue, chosen: set[int]) -> None:
    assert select_version(cue, DATED) == chosen


def _identity(*dates: tuple[str, str]) -> DocumentIdentity:
    return DocumentIdentity(
        title="中华人民共和国生物安全法",
        kind="law",
        dates=[IdentityDate(role=role, iso=iso, raw=iso) for role, iso in dates],  # type: ignore[arg-type]
        language="zh",
    )


OLD_56 = "采集重要遗传家系的人类遗传资源，应当经国务院科学技术主管部门批准。"
NEW_56 = "采集重要遗传家系的人类遗传资源，应当经国务院卫生健康主管部门批准。"
DIFF = VersionDiff(
    old="bio@1",
    new="bio@2",
    alignment=[
        ArticleAlignment(
            old=56,
            new=56,
            old_label="第五十六条",
            new_label="第五十六条",
            status="modified",
            inline=[
                InlineOp(op="equal", text="采集重要遗传家系的人类遗传资源，应当经国务院"),
                InlineOp(op="delete", text="科学技术"),
                InlineOp(op="insert", text="卫生健康"),
                InlineOp(op="equal", text="主管部门批准。"),
            ],
        ),
        ArticleAlignment(old=None, new="56_1", new_label="第五十六条之一", status="added"),
    ],
    field_changes=[
        FieldChange(
            kind="wording",
            change="changed",
            old_article=56,
            new_article=56,
            old=OLD_56,
            new=NEW_56,
            summary="wording",
        ),
        FieldChange(
            kind="article",
            change="added",
            new_article="56_1",
            new="境外组织不得在我国境内采集人类遗传资源。",
            summary="article added: 第五十六条之一",
        ),
    ],
)


def _diff_passages() -> list[Chunk]:
    return diff_chunks(
        DIFF,
        doc_id="bio",
        old_version=1,
        new_version=2,
        old_identity=_identity(("promulgated", "2020-10-17")),
        new_identity=_identity(("promulgated", "2020-10-17"), ("revised", "2024-04-26")),
        language="zh",
        latest=True,
    )


def test_diff_passages_carry_both_versions() -> None:
    wording, added = _diff_passages()
    assert (wording.passage, wording.version, wording.old_version) == ("diff", 2, 1)
    assert (wording.article_key, wording.old_article_key) == ("56", "56")
    assert wording.text.splitlines()[:4] == [
        "中华人民共和国生物安全法（2020-10-17 → 2024-04-26）",
        "第五十六条 → 第五十六条 修改 变更 / changed amended",
        "旧: 科学技术",
        "新: 卫生健康",
    ]
    assert (added.article_key, added.old_article_key, added.article) == ("56_1", None, 56)
    assert "第五十六条之一 新增 / added" in added.text


def _text(cid: str, version: int, date: str, text: str, latest: bool) -> Chunk:
    return Chunk(
        id=cid,
        text=text,
        document="bio",
        version=version,
        language="zh",
        law="中华人民共和国生物安全法",
        article=56,
        article_key="56",
        version_date=date,
        latest=latest,
    )


@pytest.fixture()
def versioned(tmp_path: Path) -> Iterator[SearchIndex]:
    index = SearchIndex(tmp_path, embedder=HashEmbedder())
    index.add(
        [
            _text("bio:v1:a0:0", 1, "2020-10-17", f"第五十六条 {OLD_56}", latest=False),
            _text("bio:v2:a0:0", 2, "2024-04-26", f"第五十六条 {NEW_56}", latest=True),
            *_diff_passages(),
        ]
    )
    yield index
    index.close()


def _top(index: SearchIndex, question: str) -> Chunk:
    return index.search(question, k=3, floor=None)[0].chunk


def test_year_picks_the_version_in_force(versioned: SearchIndex) -> None:
    assert _top(versioned, "2020年文本 采集人类遗传资源 哪个部门批准").version == 1
    assert _top(versioned, "2024年修正后 采集人类遗传资源 哪个部门批准").version == 2
    assert _top(versioned, "修正前 采集人类遗传资源 哪个部门批准").version == 1


def test_plain_question_sees_latest_text_not_diff_passages(versioned: SearchIndex) -> None:
    hits = versioned.search("采集人类遗传资源 哪个部门批准", k=5, floor=None)
    assert [h.chunk.id for h in hits] == ["bio:v2:a0:0"]


def test_change_question_finds_diff_passage(versioned: SearchIndex) -> None:
    top = _top(versioned, "生物安全法修改后新增了哪些条款？境外组织 采集")
    assert (top.passage, top.article_key) == ("diff", "56_1")


@pytest.mark.parametrize(
    ("question", "key"),
    [
        ("2024年修正新增了哪些条款？采集人类遗传资源 卫生健康主管部门批准", "56_1"),
        ("Which articles were added in 2024? collect human genetic resources approval", "56_1"),
        ("2024年修正修改了哪些规定？采集人类遗传资源 境外组织", "56"),
    ],
    ids=["zh-added", "en-added", "zh-changed"],
)
def test_question_about_a_change_gets_that_change_first(
    versioned: SearchIndex, question: str, key: str
) -> None:
    top = _top(versioned, question)
    assert (top.passage, top.article_key) == ("diff", key)
