"""e5's XLM-R tokenizer through SentencePiece: the ids of ``tokenizer.json``, in a third of
the memory.

The ``tokenizers`` library holds XLM-R's 250k-piece Unigram model in ~265 MB (its trie and
piece table), in every process that embeds: the writer of an ``add``, the web server.  The
same model as a SentencePiece ``ModelProto`` takes ~75 MB, and SentencePiece is the library
XLM-R's vocabulary was trained with.  ``tokenizer.json`` is converted once into
``tokenizer.spm`` beside it (the pieces and scores in the same order, so the ids are the same)
and the steps of the json's pipeline are done as it does them:

1. normalise with the precompiled character map (SentencePiece's nmt_nfkc rules: full-width
   forms, compatibility characters, white space of any kind to a space);
2. runs of two or more spaces to one (the json's ``Replace`` normaliser);
3. Metaspace: spaces become ``▁`` and one ``▁`` opens the text unless a space already does;
4. Unigram Viterbi within each ``▁``-word, then ``<s> … </s>``, truncated to 512 ids.

Only a ``tokenizer.json`` of exactly that shape is converted (``convertible``); any other gets
the ``tokenizers`` library as before.  ``tests/test_xlmr_tokenizer.py`` compares the two on
every string of the test data.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_LENGTH = 512  # e5's positions, specials included
_MULTI_SPACE = re.compile(" {2,}")
_SPECIAL_TYPES = {"<s>": "CONTROL", "<pad>": "CONTROL", "</s>": "CONTROL", "<mask>": "CONTROL"}


@dataclass(frozen=True)
class Encoded:
    """One text's ids (the ``tokenizers`` ``Encoding`` field the engines read)."""

    ids: list[int]


def convertible(spec: dict[str, Any]) -> bool:
    """``spec`` (a parsed tokenizer.json) is the XLM-R pipeline this module reproduces."""
    model, normalizer = spec.get("model") or {}, spec.get("normalizer") or {}
    steps = normalizer.get("normalizers") or []
    pre, post = spec.get("pre_tokenizer") or {}, spec.get("post_processor") or {}
    single = [next(iter(step.values())).get("id") for step in post.get("single") or []]
    vocab = model.get("vocab") or []
    return (
        model.get("type") == "Unigram"
        and not model.get("byte_fallback")
        and [v[0] for v in vocab[:4]] == ["<s>", "<pad>", "</s>", "<unk>"]
        and model.get("unk_id") == 3
        and normalizer.get("type") == "Sequence"
        and [s.get("type") for s in steps] == ["Precompiled", "Replace"]
        and steps[1].get("pattern") == {"Regex": " {2,}"}
        and steps[1].get("content") == " "
        and pre.get("type") == "Metaspace"
        and pre.get("replacement") == "▁"
        and pre.get("add_prefix_space", pre.get("prepend_scheme") == "always") is True
        and post.get("type") == "TemplateProcessing"
        and single == ["<s>", "A", "</s>"]
    )


def _model(pieces: Sequence[Sequence[Any]], charsmap: bytes) -> bytes:
    """A serialised SentencePiece Unigram model: ``pieces`` in order (id = position), its
    normaliser the precompiled ``charsmap`` (none: identity)."""
    from sentencepiece import sentencepiece_model_pb2 as pb

    kinds = pb.ModelProto.SentencePiece
    proto = pb.ModelProto()
    for piece, score in pieces:
        item = proto.pieces.add()
        item.piece, item.score = piece, score
        special = "UNKNOWN" if piece == "<unk>" else _SPECIAL_TYPES.get(piece, "NORMAL")
        item.type = getattr(kinds, special)
    trainer = proto.trainer_spec
    trainer.model_type = pb.TrainerSpec.UNIGRAM
    trainer.vocab_size = len(pieces)
    trainer.bos_id, trainer.pad_id, trainer.eos_id, trainer.unk_id = 0, 1, 2, 3
    norm = proto.normalizer_spec
    norm.name = "user_defined" if charsmap else "identity"
    norm.precompiled_charsmap = charsmap
    # steps 1-3 are done apart (module doc): the encoder only escapes spaces and opens with ▁
    norm.add_dummy_prefix = norm.escape_whitespaces = not charsmap
    norm.remove_extra_whitespaces = False
    return proto.SerializeToString()


class SentencePieceXlmr:
    """``encode(text)`` / ``encode_batch(texts)`` -> ``Encoded`` ids, as ``tokenizer.json``'s
    ``tokenizers`` pipeline gives them with truncation to 512 (module doc).  Thread-safe."""

    def __init__(self, normalizer: Any, encoder: Any) -> None:
        self._normalizer, self._encoder = normalizer, encoder

    @classmethod
    def from_tokenizer_json(cls, path: Path) -> SentencePieceXlmr | None:
        """From ``tokenizer.spm`` beside ``path`` (made from it on first use); None when the
        json is not convertible or SentencePiece is not installed."""
        try:
            import sentencepiece as spm
        except ImportError:
            return None
        files = path.with_name("tokenizer.norm.spm"), path.with_name("tokenizer.spm")
        # converted from this tokenizer.json, not from one it has since been replaced by
        made = path.stat().st_mtime
        if all(f.exists() and f.stat().st_mtime >= made for f in files):
            protos = [f.read_bytes() for f in files]
        else:
            spec = json.loads(path.read_text(encoding="utf-8"))
            if not convertible(spec):
                return None
            pieces = spec["model"]["vocab"]
            charsmap = base64.b64decode(
                spec["normalizer"]["normalizers"][0]["precompiled_charsmap"]
            )
            # the normaliser's pieces are never used: the specials and one more (SentencePiece
            # loads no model without a normal piece) keep it small
            protos = [_model(pieces[:5], charsmap), _model(pieces, b"")]
            for file, proto in zip(files, protos, strict=True):
                _write(file, proto)
        normalizer, encoder = (spm.SentencePieceProcessor(model_proto=p) for p in protos)
        return cls(normalizer, encoder)

    def _words(self, text: str) -> tuple[str, bool]:
        """The text as the encoder takes it, and whether it is one space alone."""
        normal = _MULTI_SPACE.sub(" ", self._normalizer.normalize(text))
        # Metaspace opens the text with ▁ unless a space does: that space is the ▁
        if normal.startswith(" "):
            return normal[1:], normal == " "
        return normal, False

    def encode_batch(self, texts: Sequence[str]) -> list[Encoded]:
        words = [self._words(t) for t in texts]
        pieces = self._encoder.encode([w for w, _ in words]) if words else []
        space = self._encoder.piece_to_id("▁")
        return [
            # a lone space is ▁ alone, which the encoder would drop as an empty text
            Encoded([0, *([space] if lone else p)[: MAX_LENGTH - 2], 2])
            for (_, lone), p in zip(words, pieces, strict=True)
        ]

    def encode(self, text: str) -> Encoded:
        return self.encode_batch([text])[0]


def _write(path: Path, data: bytes) -> None:
    """Written whole or not at all (two processes may convert at once); a folder that cannot
    be written only means converting again next time."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
