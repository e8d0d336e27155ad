"""How facts read on screen: amounts as the law writes them, legal dates, citations, changes.

The API keeps the raw values (``value=500000.0, unit="CNY"``); these helpers only format
them for people: never an exponent (``5e+06``), money with its sign or its 万 unit, the
comparator as a symbol, and the words of the source beside the figure.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from models.corpus import Alert
from models.diff import ArticleRef, FieldChange, default_label
from models.document import DocumentIdentity
from models.records import Threshold

COMPARATORS = {">=": "≥", "<=": "≤", "<": "<", ">": ">", "==": "="}
# Money: ISO code -> (sign, the unit a Japanese text counts large sums in).
CURRENCY_SIGNS = {"CNY": "¥", "USD": "$", "EUR": "€"}
# Counted units read as words (the law's own words follow in brackets); 倍 as a multiplier.
WORD_UNITS = {
    "day": "days",
    "business_day": "business days",
    "week": "weeks",
    "month": "months",
    "year": "years",
    "layer": "layers",
}
# Field changes whose old/new are whole passages: shown in the 新旧対照表, not in a line.
TEXT_KINDS = ("article", "wording")
MAX_ALERT_LINES = 10
MAN = 10_000
OKU = 100_000_000


def plain_number(value: float) -> str:
    """``5000000.0`` -> ``5,000,000``; ``0.1`` -> ``0.1``; no exponent, no trailing zeros."""
    number = Decimal(repr(value)).normalize()
    sign = "-" if number < 0 else ""
    whole, _, fraction = format(abs(number), "f").partition(".")
    return f"{sign}{int(whole):,}" + (f".{fraction}" if fraction else "")


def yen(value: float) -> str:
    """Yen as Japanese law counts them: ``3,000万円``, ``1億5,000万円``, ``500円``."""
    if value < MAN or value != int(value):
        return f"{plain_number(value)}円"
    whole = int(value)
    oku, rest = divmod(whole, OKU)
    man, units = divmod(rest, MAN)
    if units:
        return f"{plain_number(value)}円"
    parts = ([f"{oku:,}億"] if oku else []) + ([f"{man:,}万"] if man else [])
    return "".join(parts) + "円"


def amount(value: float, unit: str) -> str:
    """One figure with its unit: ``¥500,000``, ``3,000万円``, ``0.1%``, ``10 days``, ``5×``."""
    if unit == "JPY":
        return yen(value)
    if unit in CURRENCY_SIGNS:
        return f"{CURRENCY_SIGNS[unit]}{plain_number(value)}"
    if unit in WORD_UNITS:
        return f"{plain_number(value)} {WORD_UNITS[unit]}"
    if unit == "times":
        return f"{plain_number(value)}×"
    if unit in ("%", "‰", "°C"):
        return f"{plain_number(value)}{unit}"
    return f"{plain_number(value)} {unit}".strip()


def threshold_text(record: Threshold) -> str:
    """``≤ ¥500,000 (未超过五十万元)``: the figure read as a limit, then the words of the law."""
    if record.min is not None or record.max is not None:
        low = "" if record.min is None else amount(record.min, record.unit)
        high = "" if record.max is None else amount(record.max, record.unit)
        figure = f"{low} – {high}".strip(" –")
    elif record.value is not None:
        comparator = COMPARATORS.get(record.comparator or "", "")
        figure = f"{comparator} {amount(record.value, record.unit)}".strip()
    else:
        figure = record.unit
    written = " ".join(record.text.split())
    return f"{figure} ({written})" if written and written != figure else figure


def legal_dates(identity: DocumentIdentity) -> list[tuple[str, str]]:
    """The dates that make a version law: promulgated (or published), its latest revision,
    effective.  A revised law keeps its first promulgation date, so the revision is what
    tells its versions apart."""
    first: dict[str, str] = {}
    revised: str | None = None
    for d in identity.dates:
        if not d.iso:
            continue
        if d.role == "revised":
            revised = max(revised or d.iso, d.iso)
        elif d.role in ("promulgated", "published", "effective"):
            first.setdefault(d.role, d.iso)
    if "promulgated" in first:
        first.pop("published", None)
    dates = [(role, first[role]) for role in ("promulgated", "published") if role in first]
    if revised:
        dates.append(("revised", revised))
    if "effective" in first:
        dates.append(("effective", first["effective"]))
    return dates


def article_name(
    number: ArticleRef | None, labels: dict[ArticleRef, str], tf: Callable[..., str]
) -> str:
    """An article as its text writes it (第十条, 一、), by number or branch key ("2_2");
    the whole document if none."""
    if number is None:
        return tf("document_level")
    return labels.get(number) or default_label(number)


def change_line(
    change: FieldChange,
    tv: Callable[[str, str | None], str],
    tf: Callable[..., str],
    old_labels: dict[ArticleRef, str] | None = None,
    new_labels: dict[ArticleRef, str] | None = None,
) -> tuple[str, str]:
    """A field change in the UI language: its article (第十条) and what changed (閾値 変更
    15日 → 10日).  Wording and whole-article changes name no text: it is in the article's
    row of the 新旧対照表."""
    number = change.new_article if change.new_article is not None else change.old_article
    labels = (new_labels if change.new_article is not None else old_labels) or {}
    where = article_name(number, labels, tf)
    head = f"{tv('change_kind', change.kind)} {tv('change', change.change)}"
    if change.role:
        head += f" ({tv('role', change.role)})"
    old, new = (change.old or "").strip(), (change.new or "").strip()
    if change.kind in TEXT_KINDS:
        body = ""
    elif old and new:
        body = f"{old} → {new}"
    else:
        body = old or new
    return where, f"{head} {body}".strip()


def alert_lines(
    alert: Alert,
    tv: Callable[[str, str | None], str],
    tf: Callable[..., str],
    labels: dict[int, str],
    old_labels: dict[int, str],
    limit: int = MAX_ALERT_LINES,
) -> list[str]:
    """An alert's summary in the UI language, each change with its article (第十条: …).
    The stored ``Alert.summary`` stays as raised (English, for mail and webhooks)."""
    payload = alert.payload
    identity = payload.identity
    if alert.event == "new_document":
        lines = []  # the title and the event are the alert's own columns
        kind = tv("doc_kind", identity.kind) if identity.kind != "other" else ""
        facts = [kind, "、".join(identity.issuers), identity.number or ""]
        lines.append(" · ".join(f for f in facts if f))
        lines += [f"{tv('role', role)} {iso}" for role, iso in legal_dates(identity)]
        details = [
            f"{article_name(t.article, labels, tf)}: {tv('change_kind', 'threshold')} {t.text}"
            for t in payload.thresholds
        ] + [
            f"{article_name(i.article, labels, tf)}: "
            + tf("alert_items", heading=i.heading[:40], n=i.items)
            + (f" ({', '.join(i.codes[:6])})" if i.codes else "")
            for i in payload.item_lists
        ]
    else:
        lines = [tf("alert_new_version", version=alert.version, previous=payload.previous_version)]
        counts = [
            f"{tv('status', status)} {n}"
            for status, n in payload.article_counts.items()
            if status != "unchanged" and n
        ]
        if counts:
            lines.append(f"{tf('alert_articles')}: {', '.join(counts)}")
        order = {"threshold": 0, "date": 1, "item": 2, "code": 3, "definition": 4}
        changes = sorted(payload.field_changes, key=lambda c: order.get(c.kind, 9))
        details = [": ".join(change_line(c, tv, tf, old_labels, labels)) for c in changes]
        if not counts and not changes:
            lines.append(tf("alert_no_change"))
        if payload.effective_dates:
            lines.append(f"{tv('role', 'effective')} {', '.join(payload.effective_dates)}")
    room = max(0, limit - len(lines))
    lines += details[:room]
    if len(details) > room:
        lines.append(tf("alert_more", n=len(details) - room))
    return [line for line in lines if line]
