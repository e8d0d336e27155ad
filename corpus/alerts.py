"""Alerts: what an analyst is told when a document or a new version enters the corpus.

``raise_alerts`` turns an ``AddOutcome`` (and, for a new version, the ``VersionDiff`` against
the previous one) into ``Alert`` records queued in the store; ``deliver_pending`` (in
``corpus.delivery``) sends queued alerts to the subscriptions that want them.
"""

from __future__ import annotations

from collections import Counter

from corpus.atom import write_atom
from corpus.delivery import deliver_pending
from corpus.queue import save_alert
from corpus.store import Store, utc_now
from corpus.subscriptions import Subscription, load_subscriptions
from models.corpus import (
    AddOutcome,
    Alert,
    AlertPayload,
    KeyItemList,
    KeyThreshold,
    StoredVersion,
)
from models.diff import VersionDiff
from models.document import DocumentIdentity
from models.records import DateMention, ItemList, Threshold

__all__ = [
    "Subscription",
    "deliver_pending",
    "load_subscriptions",
    "make_alert",
    "raise_alerts",
    "write_atom",
]

MAX_SUMMARY_CHANGES = 12
MAX_SUMMARY_RECORDS = 5

# Record kinds present in a new document, named as FieldChange kinds so one ``changed``
# subscription filter reads both events alike.
_RECORD_KIND_AS_CHANGE = {
    "threshold": "threshold",
    "date": "date",
    "item_list": "item",
    "definition": "definition",
    "article": "article",
}


def raise_alerts(
    store: Store,
    outcome: AddOutcome,
    diff: VersionDiff | None = None,
    *,
    diff_link: str | None = None,
) -> list[Alert]:
    """Queue the alert for a stored file and return it; an unchanged file raises none.

    ``diff`` is the structural diff from ``outcome.previous_version`` to ``outcome.version``
    (new versions only); ``diff_link`` is where its full text can be read (path or URL).
    Raising twice for one outcome returns the alert queued the first time.
    """
    if outcome.status == "unchanged":
        return []
    stored = store.get_version(outcome.doc_id, outcome.version, with_document=False)
    alert = make_alert(stored, outcome, diff, diff_link=diff_link)
    return [save_alert(store, alert)]


def make_alert(
    stored: StoredVersion,
    outcome: AddOutcome,
    diff: VersionDiff | None = None,
    *,
    diff_link: str | None = None,
    created: str | None = None,
) -> Alert:
    """Build (without queueing) the alert for a stored version."""
    identity = stored.identity
    records = stored.records
    thresholds = [r for r in records if isinstance(r, Threshold)]
    item_lists = [r for r in records if isinstance(r, ItemList)]
    codes = _unique(i.code for lst in item_lists for i in lst.items if i.code)
    payload = AlertPayload(
        identity=identity,
        language=identity.language
        if identity.language != "und"
        else stored.extraction.identity.language,
        previous_version=outcome.previous_version,
        effective_dates=_effective_dates(identity, records),
        thresholds=[
            KeyThreshold(text=t.text, article=t.article, subject=t.subject) for t in thresholds
        ],
        item_lists=[
            KeyItemList(
                heading=lst.heading,
                article=lst.article,
                items=len(lst.items),
                codes=_unique(i.code for i in lst.items if i.code),
            )
            for lst in item_lists
        ],
        item_codes=codes,
        diff_link=diff_link,
    )
    title = identity.title or identity.number or outcome.path
    if outcome.status == "new_document":
        event = "new_document"
        kinds = {_RECORD_KIND_AS_CHANGE.get(r.kind, r.kind) for r in records}
        if codes:
            kinds.add("code")
        payload.changed_kinds = sorted(kinds)
        summary = [f"New document: {title}", *_identity_lines(identity), *_record_lines(payload)]
    else:
        event = "new_version"
        summary = [f"New version {outcome.version} of {title} (after {outcome.previous_version})"]
        if outcome.out_of_order:
            summary.append(
                f"Dated before version {outcome.previous_version}: an earlier text added late"
            )
        if diff is not None:
            counts = Counter(a.status for a in diff.alignment)
            payload.article_counts = dict(sorted(counts.items()))
            payload.field_changes = list(diff.field_changes)
            kinds = {fc.kind for fc in diff.field_changes}
            if any(s in counts for s in ("added", "removed", "modified")):
                kinds.add("article")
            payload.changed_kinds = sorted(kinds)
            summary += _diff_lines(diff, counts)
        else:
            summary.append("(no diff computed)")
        if payload.effective_dates:
            summary.append("Effective: " + ", ".join(payload.effective_dates))
    if diff_link:
        summary.append(f"Full diff: {diff_link}")
    return Alert(
        id=f"{event}:{outcome.doc_id}@{outcome.version}",
        event=event,
        doc_id=outcome.doc_id,
        version=outcome.version,
        created=created or utc_now(),
        title=title,
        summary=summary,
        payload=payload,
    )


def _unique(values: object) -> list[str]:
    return list(dict.fromkeys(values))  # type: ignore[arg-type]


def _effective_dates(identity: DocumentIdentity, records: list) -> list[str]:
    dates = {d.iso for d in identity.dates if d.role == "effective" and d.iso}
    dates.update(
        r.iso for r in records if isinstance(r, DateMention) and r.role == "effective" and r.iso
    )
    return sorted(dates)


def _identity_lines(identity: DocumentIdentity) -> list[str]:
    parts = [identity.kind if identity.kind != "other" else None]
    if identity.issuers:
        parts.append("、".join(identity.issuers))
    parts.append(identity.number)
    line = " · ".join(p for p in parts if p)
    lines = [line] if line else []
    promulgated = identity.date("promulgated") or identity.date("published")
    if promulgated:
        lines.append(f"Promulgated: {promulgated}")
    return lines


def _record_lines(payload: AlertPayload) -> list[str]:
    lines: list[str] = []
    if payload.effective_dates:
        lines.append("Effective: " + ", ".join(payload.effective_dates))
    for t in payload.thresholds[:MAX_SUMMARY_RECORDS]:
        where = f"art. {t.article}: " if t.article is not None else ""
        lines.append(f"Threshold: {where}{t.text}")
    if len(payload.thresholds) > MAX_SUMMARY_RECORDS:
        lines.append(f"… and {len(payload.thresholds) - MAX_SUMMARY_RECORDS} more thresholds")
    for lst in payload.item_lists[:MAX_SUMMARY_RECORDS]:
        shown = ", ".join(lst.codes[:6]) + (" …" if len(lst.codes) > 6 else "")
        codes = f" ({shown})" if shown else ""
        lines.append(f"Item list: {lst.heading} — {lst.items} items{codes}")
    if len(payload.item_lists) > MAX_SUMMARY_RECORDS:
        lines.append(f"… and {len(payload.item_lists) - MAX_SUMMARY_RECORDS} more item lists")
    return lines


def _diff_lines(diff: VersionDiff, counts: Counter[str]) -> list[str]:
    shown = [s for s in ("added", "removed", "modified", "renumbered", "moved") if counts.get(s)]
    lines = []
    if shown:
        lines.append("Articles: " + ", ".join(f"{counts[s]} {s}" for s in shown))
    # Field changes an analyst acts on come first: thresholds, dates, items, codes.
    order = {"threshold": 0, "date": 1, "item": 2, "code": 3, "definition": 4, "article": 5}
    changes = sorted(diff.field_changes, key=lambda fc: order.get(fc.kind, 9))
    lines += [fc.summary for fc in changes[:MAX_SUMMARY_CHANGES]]
    if len(changes) > MAX_SUMMARY_CHANGES:
        lines.append(f"… and {len(changes) - MAX_SUMMARY_CHANGES} more changes")
    if not shown and not changes:
        lines.append("No structural change (the file changed, the text did not)")
    return lines
