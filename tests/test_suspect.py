"""A file that parses but reads as mojibake, or a "new version" holding a sliver of the
previous text, is stored with a coded warning, never silently (issue 15 item 8)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from corpus.store import Store
from corpus.suspect import MAX_NOISE, NOISY_TEXT, SHRUNK_TEXT, noise_share, warnings_for
from corpus.workspace import Workspace
from tests.store_helpers import RARE_FINAL_TEXT, build, rare_identity
from tests.web_fixtures import FINAL


@pytest.mark.parametrize(
    ("text", "noisy"),
    [
        ("第十条 レアアース生産企業は毎月10日までに報告しなければならない。", False),
        ("第三条 本办法所称稀土，是指镧、铈、镨、钕等十七种元素。（一）", False),
        ("Article 3. Export of items listed in Annex I (0.1% or more) is prohibited.", False),
        ("にをいた合、法にて|分を¡¢る。ÃÂ©Ã¨Ã¶", True),  # a garbled text layer
        ("第十二条对反垄断Z法v%法实施的和，̨ˇ提有关、D2，或者Qx、y、z¥M，或者有4t ̨ˇ、行为", True),
        ("第十条 \ufffd\ufffd\ufffd\ufffd\ufffd 報告", True),  # replacement characters
        ("第十条 \ue000\ue001\ue002\ue003 報告", True),  # private-use glyphs
    ],
    ids=[
        "ja-statute",
        "zh-measures",
        "english",
        "mojibake",
        "zh-garbled-marks",
        "replacement",
        "private-use",
    ],
)
def test_noise_share(text: str, noisy: bool) -> None:
    assert (noise_share(text, "ja") > MAX_NOISE) is noisy


def test_accented_letters_are_words_in_a_latin_text() -> None:
    text = "Règlement (UE) 2021/821 relatif au contrôle des exportations de biens à double usage"
    assert noise_share(text, "en") == 0.0 < MAX_NOISE < noise_share(text, "ja")


def test_a_matched_version_with_a_sliver_of_the_text_is_flagged(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        articles = "\n".join(
            f"第{n}条 レアアース生産企業は毎月{n}日までに前月の生産状況を報告しなければならない。"
            for n in "一二三四五六七八九"
        )
        store.add_version(*build(f"{RARE_FINAL_TEXT}\n{articles}", rare_identity(final=True)))
        head = RARE_FINAL_TEXT.split("\n")[0] + "\n第一条"
        document, extraction = build(head, rare_identity(final=True))
        outcome = store.add_version(document, extraction)
        assert outcome.status == "new_version"  # matched by its number
        codes = [w["code"] for w in warnings_for(store, document, outcome)]
    assert codes == [SHRUNK_TEXT]


@pytest.mark.slow
def test_a_corrupt_pdf_that_still_parses_is_added_with_a_warning(tmp_path: Path) -> None:
    data = bytearray(FINAL.read_bytes())
    rng = random.Random(1)
    for i in range(len(data) // 2, len(data) - 2000, 7):  # the second half overwritten
        data[i] = rng.randrange(256)
    corrupt = tmp_path / FINAL.name
    corrupt.write_bytes(bytes(data))
    with Workspace(tmp_path / "corpus") as ws:
        (clean,) = ws.add([FINAL], index=False)
        (damaged,) = ws.add([corrupt], index=False)
    assert clean.warnings == []
    assert damaged.outcome is not None
    assert NOISY_TEXT in [w["code"] for w in damaged.warnings]
    assert damaged.as_json()["warnings"] == damaged.warnings
