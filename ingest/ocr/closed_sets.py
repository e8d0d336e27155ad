"""Closed sets of characters a second reading may bring where the first was unsure
(``unsure_chars.py``): the Chinese names of the chemical elements, and the Han numerals.

Export-control item lists name materials by element (镓 锗 钐 钆 铽 锑 …), and these are the
characters a general OCR model saw least in training: Tesseract's chi_sim reads 钐 as 多,
钆 as 包, 铽 as 鳞, often with high confidence.  Because the names form a closed set, a
second reading that writes one of them where the first reading was unsure is far more
likely right than one that writes an arbitrary rare character (``unsure_chars.py``).

Sources (written out from these tables, not downloaded):
- simplified: GB 3102.8-1993 《物理化学和分子物理学的量和单位》, 附录 "化学元素的名称和
  符号" (elements 1-109), and the names 全国科学技术名词审定委员会 published for 113,
  115, 117 and 118 (2017); only 镆 (115) of those is in the Basic Multilingual Plane;
- traditional: 國家教育研究院《化學元素中文名稱》 (Taiwan), and the character-by-character
  traditional forms of the simplified names (鑥 beside Taiwan's 鎦, 鎇 beside 鋂, 錇 beside
  鉳), since a traditional notice from Hong Kong or Macao may use either.
Names of two characters or more do not occur; elements 104-118 other than 镆 use
characters outside the BMP that no notice of ours writes and are left out.
"""

from __future__ import annotations

# elements 1-103 and 115, in atomic-number order (GB 3102.8-1993)
SIMPLIFIED = (
    "氢氦锂铍硼碳氮氧氟氖钠镁铝硅磷硫氯氩钾钙钪钛钒铬锰铁钴镍铜锌镓锗砷硒溴氪铷锶钇锆"
    "铌钼锝钌铑钯银镉铟锡锑碲碘氙铯钡镧铈镨钕钷钐铕钆铽镝钬铒铥镱镥铪钽钨铼锇铱铂金汞"
    "铊铅铋钋砹氡钫镭锕钍镤铀镎钚镅锔锫锎锿镄钔锘铹镆"
)
# the same, in Taiwan's names (國家教育研究院), then the other traditional forms in use
TRADITIONAL = (
    "氫氦鋰鈹硼碳氮氧氟氖鈉鎂鋁矽磷硫氯氬鉀鈣鈧鈦釩鉻錳鐵鈷鎳銅鋅鎵鍺砷硒溴氪銣鍶釔鋯"
    "鈮鉬鎝釕銠鈀銀鎘銦錫銻碲碘氙銫鋇鑭鈰鐠釹鉕釤銪釓鋱鏑鈥鉺銩鐿鎦鉿鉭鎢錸鋨銥鉑金汞"
    "鉈鉛鉍釙砈氡鍅鐳錒釷鏷鈾錼鈽鋂鋦鉳鉲鑀鐨鍆鍩鐒鏌"
    "鍀鑥鎇錇鐦鎄矽鈁鈈鎿硅"
)
ELEMENTS: frozenset[str] = frozenset(SIMPLIFIED + TRADITIONAL)


def is_element(ch: str) -> bool:
    """Whether ``ch`` is the Chinese name of a chemical element (simplified or traditional)."""
    return ch in ELEMENTS


# the Han numerals of article and item numbers (第百五十八条, 令和五年); 〇 and 零 for years
# and dates.  Tesseract's jpn model reads a blurred 五 as 石 or 所, 三 as 王
NUMERALS: frozenset[str] = frozenset("〇零一二三四五六七八九十百千")
NUMBER_SIGNS: frozenset[str] = NUMERALS | frozenset("第")  # what stands beside a numeral


def is_numeral(ch: str) -> bool:
    """Whether ``ch`` is a Han numeral (``NUMERALS``)."""
    return ch in NUMERALS
