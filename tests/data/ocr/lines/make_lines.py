"""Regenerate the line images of ``tests/test_ocr_reread.py``: real lines of public notices
drawn as a 200-dpi scan draws 10.5 pt text (29 px), then blurred and speckled as
``bench/ocr.py`` degrades its scans (``ingest.ocr.scans.degrade``).

    python tests/data/ocr/lines/make_lines.py      # needs a Noto CJK font (fonts-noto-cjk)

The texts: MOFCOM/GACC notice 2025 No. 10 (tungsten, tellurium, bismuth, molybdenum, indium),
MOFCOM notice 2024 No. 46 (gallium, germanium, antimony to the United States), and Japan's
Atomic Energy Basic Act, art. 3 (dev v2 ``ja_genshiryoku_kihon``), MOFCOM/GACC notice 2025
No. 18 (samarium, gadolinium, terbium; ``tests/data/unseen``).
"""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ingest.ocr.scans import degrade

HERE = Path(__file__).parent
FONTS = {
    "zh": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),  # SC
    "ja": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 0),  # JP
}
LINES = {
    "zh_tungsten_title": ("zh", "关于对钨、碲、铋、钼、铟相关物项实施出口管制的决定"),
    "zh_ammonium_paratungstate": ("zh", "1.仲钨酸铵（参考海关商品编号：2841801000）。"),
    "zh_zinc_telluride": ("zh", "3.碲化锌（参考海关商品编号：2842909025）。"),
    "zh_bismuth_alloys": ("zh", "（三）铋相关物项：铋的合金及其制品。"),
    "zh_us_gallium_germanium": ("zh", "原则上不予许可镓、锗、锑、超硬材料相关两用物项对美国出口。"),
    "zh_plain_article": ("zh", "第二条　出口经营者应当建立健全出口管制内部合规制度。"),
    "ja_nuclear_fuel": ("ja", "二　「核燃料物質」とは、ウラン、トリウム等原子核分裂の過程において"),
    "zh_samarium_iron_alloy": ("zh", "b.钐铁合金；"),
    "zh_terbium_heading": ("zh", "三、铽相关物项"),
    "zh_gadolinium_oxide": ("zh", "（二）1C903.b氧化钆及其混合物（参考海关商品编号：、、）。"),
}
SIZE = 29  # px: 10.5 pt at 200 dpi


def draw(text: str, language: str) -> Image.Image:
    path, index = FONTS[language]
    font = ImageFont.truetype(path, SIZE, index=index)
    width = round(font.getlength(text)) + 40
    image = Image.new("L", (width, SIZE + 30), 255)
    ImageDraw.Draw(image).text((20, 12), text, font=font, fill=0)
    return degrade(image, 0.0, 0.002, 0.6, seed=len(text))


def main() -> None:
    expected = {}
    for name, (language, text) in LINES.items():
        draw(text, language).save(HERE / f"{name}.png")
        expected[name] = {"language": language, "text": text}
    (HERE / "lines.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
