"""The alert queue in the corpus store: alerts raised, and who has been told.

``deliveries`` holds one row per (subscription, alert, target) with UNIQUE on the three, so an
alert reaches a subscription's target at most once across restarts.  A delivery is *claimed*
(``sending``) in its own committed transaction before the target is contacted, so two runs at
once never send the same alert twice; a claim left by a process that died mid-send expires
after ``CLAIM_LEASE_S`` and is retried (webhooks carry an ``Idempotency-Key`` for that case).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from corpus.store import Store, utc_now
from models.corpus import Alert

CLAIM_LEASE_S = 300.0


def save_alert(store: Store, alert: Alert) -> Alert:
    """Queue ``alert``; raising the same event twice keeps the first one (ids are stable)."""
    with store.transaction() as conn:
        conn.execute(
            "INSERT OR IGNORE INTO alerts(id, event, doc_id, version, created, json)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                alert.id,
                alert.event,
                alert.doc_id,
                alert.version,
                alert.created,
                alert.model_dump_json(),
            ),
        )
        stored = conn.execute("SELECT json FROM alerts WHERE id = ?", (alert.id,)).fetchone()
    return Alert.model_validate_json(stored[0])


def load_alerts(store: Store, since: str | None = None) -> list[Alert]:
    """Every queued alert (created at or after ``since`` when given), oldest first."""
    with store.read() as conn:
        rows = conn.execute(
            "SELECT json FROM alerts WHERE created >= ? ORDER BY created, id", (since or "",)
        ).fetchall()
    return [Alert.model_validate_json(r[0]) for r in rows]


def settled_ids(store: Store, subscription: str, target: str) -> set[str]:
    """Alerts already delivered to this target, or being delivered by a live claim."""
    expiry = _lease_expiry()
    with store.read() as conn:
        rows = conn.execute(
            "SELECT alert_id FROM deliveries WHERE subscription = ? AND target = ?"
            " AND (status = 'delivered' OR (status = 'sending' AND updated > ?))",
            (subscription, target, expiry),
        ).fetchall()
    return {r[0] for r in rows}


def delivered_alerts(store: Store, subscription: str, target: str) -> list[Alert]:
    with store.read() as conn:
        rows = conn.execute(
            "SELECT a.json FROM deliveries d JOIN alerts a ON a.id = d.alert_id"
            " WHERE d.subscription = ? AND d.target = ? AND d.status = 'delivered'"
            " ORDER BY a.created, a.id",
            (subscription, target),
        ).fetchall()
    return [Alert.model_validate_json(r[0]) for r in rows]


def claim(store: Store, subscription: str, alert_id: str, target: str) -> bool:
    """Take the right to deliver; False when delivered already or claimed by a live run."""
    now = utc_now()
    with store.transaction() as conn:
        row = conn.execute(
            "SELECT status, updated FROM deliveries"
            " WHERE subscription = ? AND alert_id = ? AND target = ?",
            (subscription, alert_id, target),
        ).fetchone()
        if row is None:
            conn.execute(
                "INSERT INTO deliveries(subscription, alert_id, target, status, updated)"
                " VALUES (?, ?, ?, 'sending', ?)",
                (subscription, alert_id, target, now),
            )
            return True
        status, updated = row
        if status == "delivered" or (status == "sending" and updated > _lease_expiry()):
            return False
        conn.execute(
            "UPDATE deliveries SET status = 'sending', updated = ?"
            " WHERE subscription = ? AND alert_id = ? AND target = ?",
            (now, subscription, alert_id, target),
        )
        return True


def finish(
    store: Store,
    subscription: str,
    alert_ids: list[str],
    target: str,
    *,
    ok: bool,
    error: str | None = None,
) -> None:
    """Record the outcome of claimed deliveries: delivered, or failed (retried next run)."""
    with store.transaction() as conn:
        conn.executemany(
            "UPDATE deliveries SET status = ?, attempts = attempts + 1, last_error = ?,"
            " updated = ? WHERE subscription = ? AND alert_id = ? AND target = ?",
            [
                ("delivered" if ok else "failed", error, utc_now(), subscription, a, target)
                for a in alert_ids
            ],
        )


def _lease_expiry() -> str:
    return (datetime.fromisoformat(utc_now()) - timedelta(seconds=CLAIM_LEASE_S)).isoformat(
        timespec="microseconds"
    )
