"""Japanese loanwords for export-controlled materials, folded to the Chinese words.

Han folding (``index.han_fold``) makes 経済 meet 经济, but Japanese writes most chemical
elements in katakana (リチウム) where Chinese has one character (锂): no character table
joins them.  Export-control notices name a closed set of materials, the elements above all
(rare earths, battery metals, gallium, germanium, antimony...), so a closed table does:
every element name Japanese writes in katakana or in a kanji word of its own, plus the few
material words the lists use (レアアース 稀土, 黒鉛 石墨).  Only a matching key, never shown.
"""

from __future__ import annotations

import functools
import re

# Japanese -> simplified Chinese (the form ``fold_han`` leaves Chinese text in).
LOANWORDS: dict[str, str] = {
    # rare earths
    "スカンジウム": "钪",
    "イットリウム": "钇",
    "ランタン": "镧",
    "セリウム": "铈",
    "プラセオジム": "镨",
    "ネオジム": "钕",
    "プロメチウム": "钷",
    "サマリウム": "钐",
    "ユウロピウム": "铕",
    "ガドリニウム": "钆",
    "テルビウム": "铽",
    "ジスプロシウム": "镝",
    "ホルミウム": "钬",
    "エルビウム": "铒",
    "ツリウム": "铥",
    "イッテルビウム": "镱",
    "ルテチウム": "镥",
    "レアアース": "稀土",
    # battery, semiconductor and alloy metals
    "リチウム": "锂",
    "コバルト": "钴",
    "ニッケル": "镍",
    "マンガン": "锰",
    "ガリウム": "镓",
    "ゲルマニウム": "锗",
    "インジウム": "铟",
    "アンチモン": "锑",
    "ビスマス": "铋",
    "テルル": "碲",
    "セレン": "硒",
    "タングステン": "钨",
    "モリブデン": "钼",
    "ニオブ": "铌",
    "タンタル": "钽",
    "チタン": "钛",
    "ジルコニウム": "锆",
    "ハフニウム": "铪",
    "バナジウム": "钒",
    "クロム": "铬",
    "ベリリウム": "铍",
    "マグネシウム": "镁",
    "アルミニウム": "铝",
    "カドミウム": "镉",
    "レニウム": "铼",
    "パラジウム": "钯",
    "プラチナ": "铂",
    "白金": "铂",
    "ロジウム": "铑",
    "イリジウム": "铱",
    "ルテニウム": "钌",
    "オスミウム": "锇",
    "ストロンチウム": "锶",
    "バリウム": "钡",
    "ナトリウム": "钠",
    "カリウム": "钾",
    "カルシウム": "钙",
    "ケイ素": "硅",
    "シリコン": "硅",
    "ホウ素": "硼",
    "ヒ素": "砷",
    "フッ素": "氟",
    "ヘリウム": "氦",
    # nuclear
    "ウラン": "铀",
    "トリウム": "钍",
    "プルトニウム": "钚",
    "ジュウテリウム": "氘",
    "重水素": "氘",
    "トリチウム": "氚",
    "三重水素": "氚",
    # materials named in the lists
    "黒鉛": "石墨",
    "グラファイト": "石墨",
}


@functools.cache
def _pattern() -> re.Pattern[str]:
    # Longest first: ジスプロシウム before any shorter key inside it.
    keys = sorted(LOANWORDS, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, keys)))


def fold_loanwords(text: str) -> str:
    """``text`` with each Japanese material name replaced by its Chinese word."""
    return _pattern().sub(lambda m: LOANWORDS[m.group(0)], text)
