"""Ruled tables (別表 grids): read as rows of cells, kept as TableRecords, thresholds in cells.

The e-Gov Cabinet Order of dev v2 prints 別表第二 and 別表第三 as three-column ruled tables,
each broken over pages; read line by line their columns interleaved
(``…排出水量が一万立方メー験に合格した者…``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.extract import extract_records
from ingest.pipeline import ingest_pdf
from ingest.tables import cell_text
from models.records import TableRecord, Threshold

PDF = Path(__file__).parent / "data" / "dev" / "v2" / "pdf" / "ja_kogai_soshiki_rei_2023.pdf"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        pytest.param(
            "第七条第一項第一号に掲げるばい煙\n発生施設で排出ガス量が四万立方\nメートル以上の工場",
            "第七条第一項第一号に掲げるばい煙発生施設で排出ガス量が四万立方メートル以上の工場",
            id="ja-wrapped-cell",
        ),
        pytest.param("Lithium-ion\ncells", "Lithium-ion cells", id="latin-words-keep-a-space"),
        pytest.param(None, "", id="empty-cell"),
    ],
)
def test_cell_text_joins_lines_like_a_paragraph(written: str | None, expected: str) -> None:
    assert cell_text(written) == expected


@pytest.fixture(scope="module")
def kogai() -> tuple[object, list[object]]:
    document = ingest_pdf(PDF)
    return document, extract_records(document).records


def test_ruled_tables_are_rows_of_cells_across_pages(kogai: tuple[object, list[object]]) -> None:
    document, records = kogai
    tables = [r for r in records if isinstance(r, TableRecord)]
    assert [(t.caption, len(t.rows), {len(row) for row in t.rows}) for t in tables] == [
        ("別表第二（第八条、第十一条関係）", 12, {3}),
        ("別表第三（第十条、第十一条の二、第十三条関係）", 12, {3}),
    ]
    first = tables[0].rows[0]
    assert first[0] == "一"
    assert first[1] == (
        "第七条第一項第一号に掲げるばい煙発生施設で排出ガス量が四万立方メートル以上の工場に"
        "設置されているもの"
    )
    assert "一万立方メー験" not in document.text  # columns no longer interleave


def test_thresholds_in_cells_carry_their_cell(kogai: tuple[object, list[object]]) -> None:
    _, records = kogai
    in_cells = [
        (r.text, r.comparator, r.table_cell)
        for r in records
        if isinstance(r, Threshold) and r.table_cell is not None
    ]
    assert in_cells[:3] == [
        ("四万立方メートル以上", ">=", [0, 1]),
        ("四万立方メートル未満", "<", [1, 1]),
        ("四万立方メートル以上", ">=", [2, 1]),
    ]
    assert ("一年以上", ">=", [1, 2]) in in_cells


def test_table_rows_are_not_item_lists_but_appendix_rows_are(
    kogai: tuple[object, list[object]],
) -> None:
    _, records = kogai
    lists = [r for r in records if r.kind == "item_list"]
    assert not any("ばい煙発生施設で排出ガス量が四万立方" in i.text for r in lists for i in r.items)
    appendix = [r for r in lists if r.heading.startswith("別表第一")]
    assert appendix and len(appendix[0].items) == 35
    assert appendix[0].items[0].label == "一"
