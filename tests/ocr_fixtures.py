"""Small generated notices and their synthetic scans, for the OCR tests.

The texts are real provisions: Articles 2 and 34 of the PRC Export Control Law (2020),
Article 2 of the Taiwan Trade Act (貿易法, traditional script), and Articles 1 and 48 of
Japan's Foreign Exchange and Foreign Trade Act (外国為替及び外国貿易法) with a 附則 date.
They are drawn with reportlab's built-in CID fonts (no font files to ship; pdfium renders
them with a system CJK font), then rendered, turned, speckled and re-wrapped as images by
``ingest.ocr.scans.make_scan``.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

ZH = (
    "第二条　国家对两用物项、军品、核以及其他与维护国家安全和利益、履行防扩散等国际义务"
    "相关的货物、技术、服务等物项的出口管制，适用本法。",
    "第三十四条　出口经营者有下列行为之一的，责令停止违法行为，没收违法所得，违法经营额"
    "五十万元以上的，并处违法经营额五倍以上十倍以下罚款；没有违法经营额或者违法经营额"
    "不足五十万元的，并处五十万元以上五百万元以下罚款。",
)
JA = (
    "第一条　この法律は、外国為替、外国貿易その他の対外取引が自由に行われることを基本とし、"
    "対外取引に対し必要最小限の管理又は調整を行うことにより、対外取引の正常な発展並びに"
    "我が国又は国際社会の平和及び安全の維持を期することを目的とする。",
    "第四十八条　国際的な平和及び安全の維持を妨げることとなると認められるものとして政令で"
    "定める特定の地域を仕向地とする特定の種類の貨物の輸出をしようとする者は、経済産業大臣"
    "の許可を受けなければならない。",
    "附　則　この法律は、令和五年十二月一日から施行する。",
)
ZH_TW = (
    "第二條　本法所稱貿易，係指貨品或附屬於貨品之智慧財產權之輸出入行為及有關事項。",
    "第三條　本法之主管機關為經濟部，其業務由經濟部國際貿易署辦理。",
)
FONTS = {"zh": "STSong-Light", "zh_tw": "MSung-Light", "ja": "HeiseiMin-W3"}
SIZE = 14.0
CHARS_PER_LINE = 30  # 30 x 14 pt within an A4 page's 72 pt margins


def _register() -> None:
    for font in FONTS.values():
        if font not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(font))


def write_notice(path: Path, pages: list[tuple[str, tuple[str, ...]]]) -> Path:
    """A text-layer PDF: one page per ``(script, paragraphs)``; ``("blank", ())`` is empty."""
    _register()
    drawing = canvas.Canvas(str(path), invariant=1)
    for script, paragraphs in pages:
        y = 770.0
        for paragraph in paragraphs:
            for start in range(0, len(paragraph), CHARS_PER_LINE):
                drawing.setFont(FONTS[script], SIZE)
                drawing.drawString(72, y, paragraph[start : start + CHARS_PER_LINE])
                y -= SIZE * 1.8
            y -= SIZE
        drawing.showPage()
    drawing.save()
    return path
