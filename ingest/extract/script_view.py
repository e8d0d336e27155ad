"""Traditional-script documents: extract over a Simplified view, keep the text as written.

The extractors' patterns are written in Simplified (第一条, 所称, 参考海关商品编号, 条/项/款).
Rather than doubling every pattern with its Traditional spelling, extraction reads a *view* of
the document in which each Chinese block is folded character for character to Simplified
(``models.han_variants.simplified_view``: 條→条, 稱→称, 關→关).  Japanese blocks get the
shinjitai view instead (``shinjitai_view``: 第四條→第四条, 第三號→第三号), as the Japanese
patterns are written in shinjitai (項, 号) that the Simplified fold would rewrite (項→项).  The
fold never changes a length, so every offset, char span, page and box found on the view is
right for the original.

Records found on the view carry folded strings; ``ScriptView.restore`` puts back the text as
written: a string that occurs in the folded text is replaced by the original at the same
offset (searched from the record's own span first), anything else (a body joined from
paragraphs, an item without its label) character by character, each folded character taking
the original form it stands for in this document.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from pydantic import BaseModel

from models.document import Block, Document, Footnote
from models.han_variants import shinjitai_view, simplified_view

# Kana: a block that has any is Japanese whatever its Han characters are.
_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa]")

M = TypeVar("M", bound=BaseModel)


def _view_of(text: str, block_lang: str, document_lang: str) -> Callable[[str], str]:
    """How a block is read: through the Simplified view, or the shinjitai one.

    Every kana-free block of a Chinese document is Chinese: a Traditional paragraph with one
    form that only Japanese encodes (知識産權: 産) is labelled Japanese by script evidence, yet
    it is Chinese.  A block with kana, or any block of a Japanese document, is Japanese (a
    kanji-only line there is Japanese too).  Elsewhere the block's own label decides."""
    if _KANA.search(text):
        return shinjitai_view
    if document_lang == "zh":
        return simplified_view
    if document_lang != "ja" and block_lang == "zh":
        return simplified_view
    return shinjitai_view


def _fold_blocks(document: Document) -> tuple[str, list[Block]]:
    """The folded text and blocks: each block's span folded by its view."""
    chars = list(document.text)
    blocks: list[Block] = []
    for block in document.blocks:
        view = _view_of(block.text, block.lang, document.language)
        folded = view(block.text)
        if block.char_span is not None:
            span = block.char_span
            chars[span.start : span.end] = view(document.text[span.start : span.end])
        blocks.append(block if folded == block.text else block.model_copy(update={"text": folded}))
    return "".join(chars), blocks


@dataclass
class ScriptView:
    """A document as the extractors read it, and the way back to its text as written."""

    original: Document
    document: Document
    # folded character → original characters it stands for in this document, with counts
    _forms: dict[str, Counter[str]] = field(default_factory=dict)

    @property
    def folded(self) -> bool:
        return self.document is not self.original

    def restore(self, model: M) -> M:
        """``model`` (a record) with every folded string put back as written."""
        if not self.folded:
            return model
        start = _span_start(model)
        return self._restore_model(model, start)

    def restore_text(self, text: str, near: int = 0) -> str:
        if not self.folded or not any(c in self._forms for c in text):
            return text
        folded, original = self.document.text, self.original.text
        # the record's own span first: a term that also occurs elsewhere in a simplified form
        at = folded.find(text, max(near - len(text), 0))
        if at < 0:
            at = folded.find(text)
        if at >= 0 and text:
            return original[at : at + len(text)]
        return "".join(self._forms[c].most_common(1)[0][0] if c in self._forms else c for c in text)

    def _restore_model(self, model: M, near: int) -> M:
        update: dict[str, object] = {}
        for name in type(model).model_fields:
            value = getattr(model, name)
            restored = self._restore_value(value, near)
            if restored is not value:
                update[name] = restored
        return model.model_copy(update=update) if update else model

    def _restore_value(self, value: object, near: int) -> object:
        if isinstance(value, str):
            restored = self.restore_text(value, near)
            return value if restored == value else restored
        if isinstance(value, BaseModel):
            return self._restore_model(value, near)
        if isinstance(value, list):
            items = [self._restore_value(v, near) for v in value]
            return value if all(a is b for a, b in zip(items, value, strict=True)) else items
        return value


def _span_start(model: BaseModel) -> int:
    provenance = getattr(model, "provenance", None)
    span = getattr(provenance, "char_span", None)
    return span.start if span is not None else 0


def script_view(document: Document) -> ScriptView:
    """The Simplified view of ``document``; the document itself when nothing folds."""
    text, blocks = _fold_blocks(document)
    if text == document.text and all(a is b for a, b in zip(blocks, document.blocks, strict=True)):
        return ScriptView(document, document)
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for was, now in zip(document.text, text, strict=True):
        if was != now:
            forms[now][was] += 1
    for was, now in zip(document.text, text, strict=True):
        if was == now and now in forms:  # also written as itself: the majority form wins
            forms[now][now] += 1
    notes = [_fold_note(n, document) for n in document.footnotes]
    view = document.model_copy(update={"text": text, "blocks": blocks, "footnotes": notes})
    return ScriptView(document, view, dict(forms))


def _fold_note(note: Footnote, document: Document) -> Footnote:
    block = document.blocks[note.block] if 0 <= note.block < len(document.blocks) else None
    view = _view_of(note.text, block.lang if block else "und", document.language)
    folded = view(note.text)
    return note if folded == note.text else note.model_copy(update={"text": folded})
