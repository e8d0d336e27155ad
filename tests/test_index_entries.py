"""Control-list notices chunked per coded entry (index/chunk.py)."""

from __future__ import annotations

import pytest

from index.chunk import chunks_from
from ingest.extract import extract_records
from models.document import DocumentIdentity
from tests.factories import make_document

# The list of MOFCOM/GACC Announcement 2025 No. 58 as the search corpus's repost writes it
# (tests/data/dev/v2: zh_mofcom_2025_58_lithium), shortened.
LITHIUM = "\n".join(
    [
        "商务部 海关总署公告2025年第58号",
        "关于对锂电池和人造石墨负极材料相关物项实施出口管制的决定",
        "一、锂电池相关物项",
        "(一)3A001重量能量密度大于等于300 Wh/kg的可充放电锂离子电池(包含电芯和电池组)"
        "(参考税则号列:85076000)。",
        "(二)3B901.a.用于制造可充放电锂离子电池的设备:",
        "1.卷绕机(参考税则号列:84798999);",
        "2.叠片机(参考税则号列:84798999);",
        "3.热压机。",
        "(三)3E901.a.用于生产3A001项所管制物项的技术。",
        "二、正极材料相关物项",
        "(一)3C901.a.1.压实密度大于等于2.5 g/cm3且克容量大于等于156 mAh/g的磷酸铁锂正极材料"
        "(参考税则号列:28429040)。",
        "(二)3C901.a.2.三元正极材料的前驱体相关物项:",
        "a.镍钴锰氢氧化物(参考税则号列:28539030);",
        "b.镍钴铝氢氧化物(参考税则号列:28539050)。",
    ]
)


@pytest.fixture(scope="module")
def entries() -> list[str]:
    identity = DocumentIdentity(
        title="关于对锂电池和人造石墨负极材料相关物项实施出口管制的决定",
        number="商务部海关总署公告2025年第58号",
        kind="announcement",
        language="zh",
    )
    document = make_document(LITHIUM, language="zh", identity=identity)
    chunks = chunks_from(extract_records(document), document, 1, True, doc_id="d58")
    return [c.text for c in chunks if ":e" in c.id]


@pytest.mark.parametrize(
    ("needle", "absent"),
    [
        pytest.param(
            "(一)3A001重量能量密度大于等于300 Wh/kg的可充放电锂离子电池(包含电芯和电池组)"
            "(参考税则号列:85076000)。",
            "3B901",
            id="battery-entry-with-its-tariff-line",
        ),
        pytest.param(
            "(一)3C901.a.1.压实密度大于等于2.5 g/cm3且克容量大于等于156 mAh/g的磷酸铁锂正极材料"
            "(参考税则号列:28429040)。",
            "三元",
            id="cathode-entry",
        ),
        pytest.param(
            "b.镍钴铝氢氧化物(参考税则号列:28539050)。", "镍钴锰", id="sub-entry-last-in-list"
        ),
    ],
)
def test_each_coded_entry_is_a_chunk_of_its_own(
    entries: list[str], needle: str, absent: str
) -> None:
    own = [text for text in entries if needle in text and absent not in text]
    assert own, f"no entry chunk holds {needle!r} alone"
    # The notice's number in front: "No. 58" questions meet the entry.
    assert all(text.startswith("商务部海关总署公告2025年第58号") for text in own)


def test_entry_keeps_its_sub_items(entries: list[str]) -> None:
    machine = [t for t in entries if "(二)3B901.a.用于制造" in t and "1.卷绕机" in t]
    assert machine and "3.热压机。" in machine[0] and "(三)3E901" not in machine[0]
