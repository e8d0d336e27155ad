"""A promulgation order printed in front of the act it promulgates.

Chinese gazettes publish a law behind the order that promulgates it::

    中华人民共和国主席令
    第五十八号
    《中华人民共和国出口管制法》已由……于2020年10月17日通过，现予公布，自2020年12月1日起施行。
    中华人民共和国主席 习近平
    2020年10月17日
    中华人民共和国出口管制法
    （2020年10月17日第十三届全国人民代表大会常务委员会第二十二次会议通过）
    第一章 总则 …

The same shape serves 国务院令 (regulations) and 部令 (商务部令2024年第3号, measures).  The
file *is* the act: its title is the one the order quotes, the order gives the number, the
promulgation date (the signature) and the date it takes effect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.identity_fields import (
    DATE_PATTERN,
    HAN,
    dates_in_clause,
    iso_date,
    kind_from_title,
    split_issuers,
    squeeze,
)
from models.document import DocumentIdentity, DocumentKind, IdentityDate

_COUNTRY = r"(?:中华人民共和国|中華人民共和国)"
# Who issues orders: the head of state, the State Council, a ministry or commission.
_ORDER_ISSUER = (
    rf"[{HAN}]{{0,16}}?(?:主席|国务院|国務院|总理|総理|部|总署|総署|委员会|委員会|局|署|院"
    r"|办公厅|弁公庁)"
)
_ORDER_HEADING = re.compile(rf"^(?P<country>{_COUNTRY})?(?P<issuer>{_ORDER_ISSUER})令(?P<rest>.*)$")
_NUM = r"[0-9０-９一二三四五六七八九十百千〇零]+"
_ORDER_SERIAL = re.compile(
    rf"^(?:(?P<year>[0-9０-９]{{4}}|[〇零一二三四五六七八九○]{{4}})\s*年\s*)?第\s*(?P<n>{_NUM})\s*号$"
)
# 《X》已由…通过，现予公布 / 现公布《X》 / 「X」は…採択され、ここに公布する
_PROMULGATED_TITLE = re.compile(
    r"[《「『](?P<title>[^》」』\n]{2,80})[》」』][^。]{0,120}?"
    r"(?:通过|通過|审议|審議|批准|公布|発布|採択|施行|实施)"
    r"|(?:现|現)(?:予)?公布[《「](?P<title2>[^》」\n]{2,80})[》」]"
)
_ON_PROMULGATION = re.compile(r"自公布之日起(?:施行|实施|實施)|公布の日(?:から|より)施行")
_MAX_SIGNATURE_GAP = 4
_MAX_SIGNATURE_LINE = 40


@dataclass
class PromulgationOrder:
    """What the order in front of an act says about that act."""

    title: str
    number: str
    number_aliases: list[str] = field(default_factory=list)
    issuer: str = ""
    adopted_by: tuple[str, ...] = ()
    dates: list[IdentityDate] = field(default_factory=list)
    end: int = 0  # index of the first text after the order (the act's own head)


def _order_number(heading: re.Match[str], serial_text: str | None) -> tuple[str, list[str]]:
    """The citation form and its other spelling.

    The head of state's order keeps the country (中华人民共和国主席令第五十八号: 主席令 alone
    names no state); an organ's order is cited by the organ (国务院令第792号).
    """
    issuer = heading.group("issuer")
    country = heading.group("country") or ""
    serial = squeeze(serial_text or heading.group("rest"))
    short = f"{issuer}令{serial}"
    full = f"{country or '中华人民共和国'}{short}"
    if issuer in ("主席", "总理", "総理"):
        return full, [short]
    return short, [full] if country else []


def _serial(text: str) -> str | None:
    squeezed = squeeze(text)
    return squeezed if _ORDER_SERIAL.match(squeezed) else None


def _ends_with_date(text: str) -> re.Match[str] | None:
    squeezed = squeeze(text)
    if len(squeezed) > _MAX_SIGNATURE_LINE:
        return None
    last = None
    for m in DATE_PATTERN.finditer(squeezed):
        last = m
    return last if last is not None and last.end() == len(squeezed) else None


def read_order(texts: list[str]) -> PromulgationOrder | None:
    """The promulgation order opening ``texts`` (a document's first blocks), if any."""
    index = next((i for i, t in enumerate(texts[:3]) if t.strip()), None)
    if index is None:
        return None
    heading = _ORDER_HEADING.match(squeeze(texts[index]))
    if heading is None or len(squeeze(texts[index])) > 30:
        return None
    rest = heading.group("rest")
    serial: str | None = None
    if rest:
        serial = _serial(rest)
        if serial is None:
            return None
    elif index + 1 < len(texts):
        serial = _serial(texts[index + 1])
        if serial is not None:
            index += 1
    if serial is None:
        return None
    clause_at = index + 1
    if clause_at >= len(texts):
        return None
    clause = squeeze(texts[clause_at])
    promulgated = _PROMULGATED_TITLE.search(clause)
    if promulgated is None:
        return None
    title = promulgated.group("title") or promulgated.group("title2")
    number, aliases = _order_number(heading, serial)
    order = PromulgationOrder(
        title=title, number=number, number_aliases=aliases, issuer=heading.group("issuer")
    )
    order.adopted_by = _adopted_by(
        clause[promulgated.end("title") if promulgated.group("title") else 0 :]
    )
    clause_dates = dates_in_clause(clause)
    end = clause_at + 1
    signature: IdentityDate | None = None
    for offset, text in enumerate(texts[clause_at + 1 : clause_at + 1 + _MAX_SIGNATURE_GAP]):
        m = _ends_with_date(text)
        if m is None:
            continue
        iso = iso_date(m.group("y"), m.group("m"), m.group("d"))
        if iso:
            signature = IdentityDate(role="promulgated", iso=iso, raw=m.group(0))
        end = clause_at + 2 + offset
        break
    if signature is not None:
        # The clause's 通过 date is the adoption; the signature date is the promulgation.
        clause_dates = [d for d in clause_dates if d.role != "promulgated"]
        order.dates.append(signature)
        if _ON_PROMULGATION.search(clause) and not any(d.role == "effective" for d in clause_dates):
            order.dates.append(signature.model_copy(update={"role": "effective"}))
    order.dates.extend(clause_dates)
    order.end = end
    return order


_ADOPTION_LEAD = re.compile(r"^[》」』]?(?:已由|已经|已經|业经|業經|经|經|由|は|が)")
# Heads of state and government sign orders; the organ behind them is the one that adopts.
_PERSONAL_OFFICES = ("主席", "总理", "総理")
_KIND_BY_ISSUER: list[tuple[tuple[str, ...], DocumentKind]] = [
    (("主席",), "law"),
    (("国务院", "国務院", "总理", "総理"), "regulation"),
]


def _adopted_by(after_title: str) -> tuple[str, ...]:
    """The organ that adopted the act: named before or after the adoption date."""
    lead = _ADOPTION_LEAD.sub("", after_title)
    names = split_issuers(lead)
    if names:
        return names
    date = DATE_PATTERN.search(lead)
    return split_issuers(lead[date.end() :]) if date else ()


def _kind(order: PromulgationOrder) -> DocumentKind:
    by_title = kind_from_title(order.title)
    if by_title is not None:
        return by_title
    for issuers, kind in _KIND_BY_ISSUER:
        if order.issuer in issuers:
            return kind
    return "measures"


def apply_order(identity: DocumentIdentity, order: PromulgationOrder) -> None:
    """Complete the act's identity (read from its own head) with what its order says."""
    identity.title = order.title
    identity.kind = _kind(order)
    identity.number = order.number
    identity.number_aliases = [a for a in order.number_aliases if a != order.number]
    if not identity.issuers:
        organ = () if order.issuer in _PERSONAL_OFFICES else (order.issuer,)
        identity.issuers = list(order.adopted_by or organ)
    roles = {d.role for d in order.dates}
    identity.dates = order.dates + [d for d in identity.dates if d.role not in roles]
