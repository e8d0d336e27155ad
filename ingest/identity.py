"""Document identity and the documents embedded in a file.

A CISTEC commentary carries full translations of the notices it discusses (``別紙 1``,
``別添 2``, a ``【CISTEC 仮訳】`` quoted in the body) and those notices carry attachments
(``付属文書1``, ``附件2``).  ``identify`` finds where each starts and ends (block by block,
so pages and character spans come from the blocks), reads each one's front matter and
returns the file's identity plus one ``SubDocument`` per document, ``main`` first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.identity_fields import (
    DocNumber,
    chinese_form,
    find_numbers,
    kind_from_number,
    kind_from_title,
    split_issuers,
    squeeze,
)
from ingest.identity_head import (
    TRANSLATION_MARKER,
    Head,
    is_date_only,
    read_head,
    strip_marker,
)
from ingest.identity_order import apply_order, read_order
from ingest.identity_title import body_size, title_block
from ingest.lang import document_language
from ingest.numbers import parse_number
from models.document import Block, Document, DocumentIdentity, DocumentKind, SubDocument
from models.provenance import CharSpan

_ANNEX_WORDS = "別紙|別添|別冊|参考資料|Annex|ANNEX|Appendix"
_ATTACHMENT_WORDS = "付属文書|附属文書|添付文書|添付資料|附件|附錄|附录|附表|Attachment|Enclosure"
_LABEL = re.compile(
    rf"^\s*(?P<word>{_ANNEX_WORDS}|{_ATTACHMENT_WORDS})\s*"
    r"(?P<num>[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})?\s*(?P<rest>.*)$"
)
_ATTACHMENT = re.compile(rf"^(?:{_ATTACHMENT_WORDS})$")
# What follows a label in a sentence that merely cites it (付属文書 1 の第一部分, 別紙 1：…).
_CITATION_TAIL = re.compile(r"^[のに中第を、）)】：:はがでと]")
_MAX_LABEL_BLOCK = 40
# Heading, number, clause, signer, date: an order fits in its first few blocks.
_ORDER_BLOCKS = 8
_ISSUER_SPEAKER = re.compile(
    r"([\u4e00-\u9fff]{2,30}?(?:部|総署|总署|委員会|委员会|国務院|国务院))[\u4e00-\u9fff]*?の?"
    r"(?:責任者|负责人|報道官|发言人|新闻发言人)"
)
_SITE_OWNER = re.compile(
    r"(?:中華人民共和国|中华人民共和国)?([\u4e00-\u9fff]{2,20}?(?:部|総署|总署|委員会|委员会|国務院|国务院))"
    r"(?:サイト|ウェブサイト|网站|網站)"
)
_QUOTED_TITLE = re.compile(r"[「《](?P<q>[^」]{4,200})[」》]")


@dataclass
class _Start:
    position: int  # index into the body block list
    key: str
    parent: str
    label: str | None
    attachment: bool
    end: int = 0


def _body_blocks(document: Document) -> list[Block]:
    return [
        b
        for b in document.blocks
        if b.char_span is not None
        and not b.kind.is_furniture
        and b.kind != "footnote"
        and b.char_span.start < max(document.body_end, 1)
    ]


def _label(block: Block) -> tuple[str, int, bool] | None:
    """(label as written, number, is an attachment) when ``block`` opens an annex."""
    text = block.text.strip()
    if len(text) > _MAX_LABEL_BLOCK:
        return None
    m = _LABEL.match(text)
    if m is None:
        return None
    rest = m.group("rest").strip()
    if rest and (_CITATION_TAIL.match(rest) or not TRANSLATION_MARKER.match(rest)):
        return None
    number = parse_number(m.group("num")) if m.group("num") else 1
    if not isinstance(number, int):
        return None
    label = squeeze(f"{m.group('word')}{m.group('num') or ''}")
    return label, number, bool(_ATTACHMENT.match(m.group("word")))


def _find_starts(blocks: list[Block]) -> list[_Start]:
    """Annex, attachment and quoted-notice openings, with consistent numbering."""
    starts: list[_Start] = []
    annex_count = 0
    attachment_count = 0
    current_annex: str | None = None
    for position, block in enumerate(blocks):
        found = _label(block)
        if found is not None:
            label, number, attachment = found
            if attachment and current_annex is not None:
                if number != attachment_count + 1:
                    continue
                attachment_count = number
                label = _same_word_as_sibling(starts, current_annex, label)
                key = f"{current_annex}_att{number}"
                starts.append(_Start(position, key, current_annex, label, True))
                continue
            if number != annex_count + 1:
                continue
            annex_count = number
            attachment_count = 0
            key = f"annex{number}"
            current_annex = key
            starts.append(_Start(position, key, "main", label, attachment))
            continue
        quoted = _quoted_notice(blocks, position, starts)
        if quoted is not None:
            starts.append(quoted)
    return starts


def _same_word_as_sibling(starts: list[_Start], parent: str, label: str) -> str:
    """A numbered series uses one word: 添付文書2 after 付属文書1 is a typo for 付属文書2."""
    siblings = [s.label for s in starts if s.parent == parent and s.label]
    if not siblings:
        return label
    word = _LABEL.match(siblings[-1])
    mine = _LABEL.match(label)
    if word is None or mine is None or word.group("word") == mine.group("word"):
        return label
    return f"{word.group('word')}{mine.group('num') or ''}"


def _quoted_notice(blocks: list[Block], position: int, starts: list[_Start]) -> _Start | None:
    """A translation marker right above a numbered notice heading, outside any annex label."""
    if not TRANSLATION_MARKER.match(blocks[position].text):
        return None
    if starts and 0 <= position - starts[-1].position <= 2:
        return None  # the marker of the annex just labelled
    for ahead in blocks[position + 1 : position + 4]:
        numbers = find_numbers(ahead.text)
        if numbers and numbers[0].start <= 2:
            return _Start(position, f"notice{numbers[0].serial}", "main", None, False)
    return None


def _assign_ends(starts: list[_Start], blocks: list[Block]) -> None:
    """Each document runs to the next one at its level; attachments stay in their parent."""
    for i, start in enumerate(starts):
        end = len(blocks)
        for later in starts[i + 1 :]:
            if later.parent == "main" or later.parent == start.parent:
                end = later.position
                break
        if start.key.startswith("notice"):
            end = min(end, _signature_end(blocks, start.position, end))
        start.end = end


def _head_units(blocks: list[Block], limit: int = 14) -> tuple[list[str], list[int]]:
    """Texts of the front matter, and the block each comes from.

    Layout may stack a right-aligned date and author line onto the first section heading
    (``2024年10月15日 / 一般財団法人…調査研究部 / 1．概要``): such a block is read line by line.
    """
    texts: list[str] = []
    owners: list[int] = []
    for index, block in enumerate(blocks):
        parts = _stacked_lines(block) if index < limit else [block.text]
        texts.extend(parts)
        owners.extend([index] * len(parts))
    return texts, owners


def _stacked_lines(block: Block) -> list[str]:
    """A block's lines when one of them sits right of its centre (a signature, a date)."""
    lines = [line for line in block.lines if line.raw.strip()]
    if len(lines) < 2:
        return [block.text]
    centre = (block.bbox.x0 + block.bbox.x1) / 2
    if not any(line.bbox.x0 > centre for line in lines):
        return [block.text]
    return [line.raw for line in lines]


def _signature_end(blocks: list[Block], begin: int, end: int) -> int:
    """One past the date line of the first signature (issuer line + date line) after ``begin``."""
    for i in range(begin + 2, end):
        if is_date_only(blocks[i].text) and _signer(blocks[i - 1].text):
            return i + 1
    return end


def _signer(text: str) -> tuple[str, ...]:
    """Issuers signing above a date: the whole line, or the tail layout glued to a paragraph."""
    names = _issuers_only(text)
    if names:
        return names
    tail = re.split(r"[。．]", text)[-1]
    return _issuers_only(tail) if tail and len(tail) < len(text) else ()


def _issuers_only(text: str) -> tuple[str, ...]:
    names = split_issuers(text)
    joined = squeeze(text)
    return names if names and sum(len(n) for n in names) >= len(joined) - len(names) else ()


def _signature_issuers(blocks: list[Block]) -> tuple[str, ...]:
    """Issuers of the last signature in ``blocks``."""
    for i in range(len(blocks) - 1, 0, -1):
        if is_date_only(blocks[i].text):
            names = _signer(blocks[i - 1].text)
            if names:
                return names
    return ()


def _footnote_text(document: Document, block: Block | None, heading: str) -> str | None:
    """The footnote a heading points to: by the pipeline's marker, else by a trailing number."""
    if block is None:
        return None
    numbers = list(block.footnote_refs)
    _, trailing = strip_marker(heading)
    if trailing is not None:
        numbers.append(trailing)
    for number in numbers:
        for note in document.footnotes:
            if note.number == number:
                return note.text
    return None


def _original_title(note: str | None, language: str) -> tuple[str | None, list[DocNumber]]:
    """The source-language title a translator's footnote quotes, and the numbers it gives."""
    if not note:
        return None, []
    m = _QUOTED_TITLE.search(note)
    if m is None:
        return None, []
    quoted = m.group("q")
    numbers = find_numbers(quoted)
    title = quoted[numbers[0].end :] if numbers and numbers[0].start <= 2 else quoted
    title = squeeze(title).strip("「」")
    if not title or document_language([title]) == language:
        return None, numbers
    return title, numbers


def _same_orgs(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return {chinese_form(x) for x in a} == {chinese_form(x) for x in b}


def _choose_number(head: Head, issuers: tuple[str, ...]) -> DocNumber | None:
    """The issuing-line form when it names the signing issuers, else the heading's."""
    ordered = head.issuing_numbers + head.clause_numbers + head.heading_numbers
    own = [n for n in ordered if n.issuers or n.keyword not in ("公告", "令")]
    for number in own:
        if issuers and _same_orgs(number.issuers, issuers):
            return number
    return own[0] if own else None


def _identity_of(
    document: Document,
    blocks: list[Block],
    start: _Start | None,
    parent: DocumentIdentity | None,
    has_translations: bool,
    behind_order: bool = False,
    size: float | None = None,
) -> tuple[DocumentIdentity, Head]:
    texts = [b.text for b in blocks]
    skip = 1 if start is not None and start.label else 0
    if not behind_order:
        order = read_order(texts[skip : skip + _ORDER_BLOCKS])
        if order is not None and skip + order.end < len(blocks):
            act = blocks[:skip] + blocks[skip + order.end :]
            identity, head = _identity_of(
                document, act, start, parent, has_translations, behind_order=True, size=size
            )
            apply_order(identity, order)
            return identity, head
    units, owners = _head_units(blocks[skip:])
    head = read_head(units)
    if head.title_block is not None:
        head.title_block = owners[head.title_block]
    head.end = owners[head.end] if head.end < len(owners) else len(blocks) - skip
    if start is None:
        _use_title_block(document, head, blocks[skip:], size)
    language = document_language(texts) if texts else document.language
    title_block = blocks[head.title_block + skip] if head.title_block is not None else None
    heading_text = title_block.text if title_block is not None else ""
    note = _footnote_text(document, title_block, heading_text)
    if note is None and head.heading_numbers:
        first = next((b for b in blocks[skip:] if find_numbers(b.text)), None)
        note = _footnote_text(document, first, first.text if first else "")
    original, note_numbers = _original_title(note, language)
    signature = _signature_issuers(blocks)
    issuers = _issuers(head, signature, blocks, note, parent)
    number = _choose_number(head, issuers) if not (start and start.attachment) else None
    if number is not None and not issuers:
        issuers = number.issuers
    series = start is None and _series_of_commentaries(document)
    kind = _kind(head.title, number, head, start, has_translations, series)
    dates = list(head.dates)
    if signature and not any(d.role == "promulgated" for d in dates):
        last_date = next((b.text for b in reversed(blocks) if is_date_only(b.text)), None)
        from ingest.identity_fields import dates_in_clause

        if last_date:
            dates.extend(dates_in_clause(f"{last_date}公布"))
    revision = next((d.revision for d in dates if d.revision is not None), None)
    identity = DocumentIdentity(
        title=head.title,
        title_original=head.title_original or original,
        kind=kind,
        issuers=list(dict.fromkeys(issuers)),
        number=number.text if number else None,
        number_aliases=_aliases(number, head, note_numbers),
        dates=dates,
        revision=revision,
        language=language,  # type: ignore[arg-type]
        label=start.label if start else None,
    )
    return identity, head


def _read_by_ocr(document: Document, blocks: list[Block]) -> bool:
    """The page of the first block was read by OCR (its font sizes are estimates)."""
    if not blocks:
        return False
    page = next((p for p in document.pages if p.number == blocks[0].page), None)
    return page is not None and page.source == "ocr"


def _use_title_block(
    document: Document, head: Head, blocks: list[Block], size: float | None
) -> None:
    """The first page's title block, when its print sets it apart, overrides the line reader
    (which cannot tell a small header or a dateline above the title from the title)."""
    found = title_block(blocks, size, ocr=_read_by_ocr(document, blocks))
    if found is None:
        return
    head.title = found.text
    head.title_block = found.block
    if not head.heading_numbers:
        numbers = find_numbers(found.numbers_line or found.text)
        if numbers and numbers[0].start <= 2:
            head.heading_numbers.append(numbers[0])


def _issuers(
    head: Head,
    signature: tuple[str, ...],
    blocks: list[Block],
    note: str | None,
    parent: DocumentIdentity | None,
) -> tuple[str, ...]:
    if signature:
        return signature
    for number in head.issuing_numbers + head.clause_numbers + head.heading_numbers:
        if number.issuers:
            return number.issuers
    if head.clause_issuers:
        return tuple(head.clause_issuers)
    if head.office_issuers:
        return tuple(dict.fromkeys(head.office_issuers))
    if head.author:
        return (head.author,)
    opening = "".join(b.text for b in blocks[: head.end + 6])
    speaker = _ISSUER_SPEAKER.search(opening)
    if speaker:
        return (speaker.group(1),)
    if parent is not None and parent.issuers:
        return tuple(parent.issuers)
    site = _SITE_OWNER.search(note or "")
    if site:
        return (site.group(1),)
    return tuple(head.field_issuers)


def _kind(
    title: str | None,
    number: DocNumber | None,
    head: Head,
    start: _Start | None,
    has_translations: bool,
    series: bool = False,
) -> DocumentKind:
    by_title = kind_from_title(title or "")
    if by_title is not None:
        return by_title
    if start is None and (head.author or has_translations or series):
        return "commentary"
    by_number = kind_from_number(number)
    if by_number is not None:
        return by_number
    return "translation" if head.marker_blocks else "other"


_COMMENTARY_SERIES = re.compile(r"解説|解說|解读|解讀|コメンタリー|[Cc]ommentary")


def _series_of_commentaries(document: Document) -> bool:
    """A running header naming a series of commentaries (…海外法令解説シリーズNo.24-07)."""
    return any(
        b.kind.is_furniture and _COMMENTARY_SERIES.search(b.text) for b in document.blocks[:40]
    )


def _aliases(number: DocNumber | None, head: Head, extra: list[DocNumber]) -> list[str]:
    if number is None:
        return []
    found = [
        n
        for n in head.issuing_numbers + head.clause_numbers + head.heading_numbers + extra
        if n.key == number.key
    ]
    aliases = [n.text for n in found] + [chinese_form(n.canonical()) for n in [number, *found]]
    return [a for a in dict.fromkeys(aliases) if a != number.text]


def _add_text_aliases(document: Document, subs: list[SubDocument]) -> None:
    """Other spellings of each number anywhere in the file (footnotes, the other annexes)."""
    mentions = find_numbers(document.text)
    for sub in subs:
        identity = sub.identity
        if identity.number is None:
            continue
        own = find_numbers(identity.number)
        if not own:
            continue
        for mention in mentions:
            if mention.key != own[0].key or not mention.issuers:
                continue
            mine = {chinese_form(x) for x in own[0].issuers}
            theirs = {chinese_form(x) for x in mention.issuers}
            if not (mine <= theirs or theirs <= mine):
                continue
            for alias in (mention.text, chinese_form(mention.canonical())):
                if alias != identity.number and alias not in identity.number_aliases:
                    identity.number_aliases.append(alias)


def _span(blocks: list[Block]) -> tuple[tuple[int, int], CharSpan]:
    first, last = blocks[0], blocks[-1]
    assert first.char_span is not None and last.char_span is not None
    return (first.page, last.page), CharSpan(start=first.char_span.start, end=last.char_span.end)


def identify(document: Document) -> tuple[DocumentIdentity, list[SubDocument]]:
    """The file's identity and its documents: ``main`` (the whole file) then the embedded ones."""
    blocks = _body_blocks(document)
    starts = _find_starts(blocks)
    _assign_ends(starts, blocks)
    main_end = starts[0].position if starts and starts[0].position > 0 else len(blocks)
    main_identity, _ = _identity_of(
        document, blocks[:main_end], None, None, bool(starts), size=body_size(blocks)
    )
    subs = [
        SubDocument(
            key="main",
            identity=main_identity,
            pages=(1, max(len(document.pages), 1)),
            char_span=CharSpan(start=0, end=len(document.text)),
        )
    ]
    identities: dict[str, DocumentIdentity] = {"main": main_identity}
    for start in starts:
        own = blocks[start.position : start.end]
        if not own:
            continue
        children = [s.position for s in starts if s.parent == start.key]
        head_blocks = own[: children[0] - start.position] if children else own
        identity, _ = _identity_of(
            document, head_blocks, start, identities.get(start.parent), has_translations=False
        )
        identities[start.key] = identity
        pages, span = _span(own)
        subs.append(
            SubDocument(
                key=start.key,
                parent=start.parent,
                identity=identity,
                pages=pages,
                char_span=span,
            )
        )
    if main_identity.kind == "commentary" and not main_identity.issuers:
        main_identity.issuers.extend(_translators(blocks))
    _add_text_aliases(document, subs)
    return main_identity, subs


def _translators(blocks: list[Block]) -> list[str]:
    """Who signs the translations a commentary embeds (※CISTEC 仮訳): its author."""
    names: list[str] = []
    for block in blocks:
        rest = _LABEL.sub(lambda m: m.group("rest"), block.text.strip())
        m = TRANSLATION_MARKER.match(rest)
        if m and m.group("translator") and m.group("translator").strip() not in names:
            names.append(m.group("translator").strip())
    return names
