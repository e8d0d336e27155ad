"""Language of a block or document (placeholder: kana → ja, else zh; being replaced)."""

from __future__ import annotations

import re

from models.document import Language

_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def detect_language(text: str, default: Language = "und") -> Language:
    if _KANA.search(text):
        return "ja"
    if _HAN.search(text):
        return default if default in ("ja", "zh") else "zh"
    return default
