"""Document identity across versions: titles, numbers and vetoes from the dev data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus.versions import (
    NUMBER_MATCH,
    PROVISIONAL_TITLE_MATCH,
    TITLE_MATCH,
    Candidate,
    best_match,
    match_existing,
    match_score,
    normalise_title,
    number_key,
)
from models.document import DocumentIdentity

DEV = Path(__file__).parent / "data" / "dev"


def _dev_identity(stem: str, key: str = "main", *, language: str | None = None) -> DocumentIdentity:
    """The identity the ground truth gives a (sub-)document of the dev data."""
    folder = "versions" if (DEV / "versions" / f"{stem}.articles.json").exists() else "truth"
    name = f"{stem}.articles.json" if folder == "versions" else f"{stem}.json"
    data = json.loads((DEV / folder / name).read_text(encoding="utf-8"))
    doc = next(d for d in data["documents"] if d["key"] == key)
    return DocumentIdentity(
        title=doc["title"],
        kind=doc["kind"],
        issuers=doc["issuer"],
        number=doc.get("number"),
        number_aliases=doc.get("number_aliases", []),
        language=language or data["language"],
    )


RARE_DRAFT = _dev_identity("rare_earth_measures_draft")
RARE_FINAL = _dev_identity("rare_earth_measures_final")
AML_2007 = _dev_identity("anti_monopoly_law_2007")
AML_2022 = _dev_identity("anti_monopoly_law_2022")
SEED0_COMMENTARY = _dev_identity("000_15acbace682750dc")
SEED0_MEASURES = _dev_identity("000_15acbace682750dc", "annex1")
SEED0_EXPLANATION = _dev_identity("000_15acbace682750dc", "annex2")
SEED1_NOTICE61 = _dev_identity("001_2ccde129c88cd74c", "annex1")
SEED1_NOTICE62 = _dev_identity("001_2ccde129c88cd74c", "annex2")
SEED1_NOTICE70 = _dev_identity("001_2ccde129c88cd74c", "notice70")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("中华人民共和国反垄断法（2022年修正）", "中华人民共和国反垄断法"),
        ("中华人民共和国反垄断法(2022年修订)", "中华人民共和国反垄断法"),
        ("两用物项出口管制条例（征求意见稿）", "两用物项出口管制条例"),
        ("两用物项出口管制条例（公开征求意见稿）", "两用物项出口管制条例"),
        ("中华人民共和国出口管制法（草案）", "中华人民共和国出口管制法"),
        ("輸出管理内部規程の手引き 改訂5版", "输出管理内部规程の手引き"),
        ("《稀土开采和稀土冶炼分离总量调控管理暂行办法》",
         "稀土开采和稀土冶炼分离总量调控管理暂行办法"),
        (
            "レアアース採掘・レアアース製錬分離総量規制管理弁法（暫定）（意見募集稿）",
            "レアアース採掘レアアース制炼分離总量规制管理办法暂定",
        ),
    ],
    ids=["aml-2022-修正", "修订-ascii-brackets", "征求意见稿", "公开征求意见稿", "草案",
         "改訂5版", "book-title-marks", "意見募集稿"],
)  # fmt: skip
def test_normalise_title(title: str, expected: str) -> None:
    assert normalise_title(title) == expected


def test_provisional_markers_dropped_only_on_request() -> None:
    draft = normalise_title(RARE_DRAFT.title or "", drop_provisional=True)
    final = normalise_title(RARE_FINAL.title or "", drop_provisional=True)
    assert draft == final
    assert normalise_title(RARE_DRAFT.title or "") != normalise_title(RARE_FINAL.title or "")


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("商務部・海関総署公告2025年第61号", ("公告", "2025", 61)),
        ("商务部公告2025第61号", ("公告", "2025", 61)),
        ("商务部、海关总署公告2025年第70号", ("公告", "2025", 70)),
        ("工業情報化部、国家発展改革委員会、自然資源部令第71号", ("令", None, 71)),
        ("工業情報化部令第71号", ("令", None, 71)),
        ("国务院令第七百九十二号", ("令", None, 792)),
        ("令和7年法律第12号", ("法律", "令和7", 12)),
        ("商务部 海关总署公告二〇二五年第十八号", ("公告", "2025", 18)),
    ],
    ids=["61-ja", "61-zh-no-年", "70-zh", "order71-joint", "order71-alias", "state-council-kanji",
         "japanese-era", "kanji-year"],
)  # fmt: skip
def test_number_key(number: str, expected: tuple[str, str | None, int]) -> None:
    key = number_key(number)
    assert key is not None
    assert (key.kind, key.year, key.serial) == expected


def test_number_key_of_text_without_number() -> None:
    assert number_key("中华人民共和国反垄断法") is None


def _with(identity: DocumentIdentity, **changes: object) -> DocumentIdentity:
    return identity.model_copy(update=changes)


@pytest.mark.parametrize(
    ("new", "old", "expected"),
    [
        (RARE_FINAL, RARE_DRAFT, PROVISIONAL_TITLE_MATCH),
        (RARE_DRAFT, RARE_FINAL, PROVISIONAL_TITLE_MATCH),
        (AML_2022, AML_2007, TITLE_MATCH),
        (_with(AML_2022, title="中华人民共和国反垄断法（2022年修正）"), AML_2007, TITLE_MATCH),
        # The seed's translation of 第71号 against the standalone final text: number + issuers.
        (SEED0_MEASURES, RARE_FINAL, NUMBER_MATCH),
        # Same announcement numbered in Chinese script, under a reworded title.
        (
            _with(SEED1_NOTICE61, title="国外の関連レアアース品目に対する輸出管理の決定",
                  number="商务部公告2025年第61号", number_aliases=[]),
            SEED1_NOTICE61,
            NUMBER_MATCH,
        ),
        # Different announcements, even under one generic title.
        (_with(SEED1_NOTICE62, title=SEED1_NOTICE61.title), SEED1_NOTICE61, 0),
        (SEED1_NOTICE70, SEED1_NOTICE61, 0),
        # A commentary on the measures, the measures' explanation, and the measures: three.
        (SEED0_COMMENTARY, SEED0_MEASURES, 0),
        (SEED0_EXPLANATION, SEED0_MEASURES, 0),
        # The Chinese original and the Japanese translation are documents of their own.
        (_with(RARE_FINAL, language="zh"), RARE_FINAL, 0),
        # Same number, issuers that share nothing: two ministries' own 公告 series.
        (_with(SEED1_NOTICE61, issuers=["海関総署"], number="海関総署公告2025年第61号",
               number_aliases=[]), _with(SEED1_NOTICE61, number_aliases=[]), 0),
        (AML_2007, RARE_FINAL, 0),
    ],
    ids=["rare-earth-final-vs-draft", "rare-earth-draft-vs-final", "aml-2022-vs-2007",
         "aml-修正-marker", "order71-seed-vs-standalone", "notice61-zh-number",
         "generic-title-61-vs-62", "notice70-vs-61", "commentary-vs-measures",
         "explanation-vs-measures", "translation-vs-original", "other-issuer-same-number",
         "unrelated"],
)  # fmt: skip
def test_match_score(new: DocumentIdentity, old: DocumentIdentity, expected: int) -> None:
    assert match_score(new, old) == expected


def test_match_existing_picks_the_document_not_its_commentary() -> None:
    candidates = [
        Candidate("commentary", [SEED0_COMMENTARY]),
        Candidate("explanation", [SEED0_EXPLANATION]),
        Candidate("measures", [RARE_DRAFT]),
        Candidate("law", [AML_2007]),
    ]
    assert match_existing(RARE_FINAL, candidates) == "measures"
    assert match_existing(AML_2022, candidates) == "law"
    assert match_existing(SEED1_NOTICE61, candidates) is None


def test_number_beats_title_and_any_version_identity_counts() -> None:
    # The measures document holds the draft and the final: the seed's annex matches it by
    # number through the final's identity although the draft carries no number.
    candidates = [
        Candidate("same-title-no-number", [_with(SEED0_MEASURES, number=None, issuers=[])]),
        Candidate("measures", [RARE_DRAFT, RARE_FINAL]),
    ]
    assert best_match(SEED0_MEASURES, candidates) == ("measures", NUMBER_MATCH)


def test_untitled_identities_never_match() -> None:
    empty = DocumentIdentity(language="ja")
    assert match_existing(empty, [Candidate("x", [DocumentIdentity(language="ja")])]) is None
