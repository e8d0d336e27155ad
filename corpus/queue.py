"""The alert queue in the corpus store: alerts raised, and who has been told.

``deliveries`` holds one row per (subscription, alert, target) with UNIQUE on the three.  A
delivery is *claimed* (``sending``) in its own committed transaction before the target is
contacted, so two runs at once never send the same alert together.  Delivery is
at-least-once: a run killed mid-send, or a webhook that timed out after its receiver took the
alert, sends it again later (webhooks carry an ``Idempotency-Key`` so receivers can drop the
repeat).  A claim names its owner (host, pid, process start time): one whose owner is gone
is retried at once; one whose owner cannot be checked (another host) expires after
``CLAIM_LEASE_S``.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta
from pathlib import Path

from corpus.store import Store, utc_now
from models.corpus import Alert

CLAIM_LEASE_S = 300.0


def save_alert(store: Store, alert: Alert) -> Alert:
    """Queue ``alert``; raising the same event twice keeps the first one (ids are stable)."""
    with store.transaction() as conn:
        # ``sha256``: the file the alert is about, however link/unlink renumber it later.
        conn.execute(
            "INSERT INTO alerts(id, event, doc_id, version, created, json, sha256)"
            " VALUES (?, ?, ?, ?, ?, ?,"
            " (SELECT sha256 FROM versions WHERE doc_id = ? AND version = ?))"
            " ON CONFLICT DO NOTHING",
            (
                alert.id,
                alert.event,
                alert.doc_id,
                alert.version,
                alert.created,
                alert.model_dump_json(),
                alert.doc_id,
                alert.version,
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
            "SELECT alert_id, status, owner FROM deliveries WHERE subscription = ?"
            " AND target = ? AND (status = 'delivered' OR (status = 'sending' AND updated > ?))",
            (subscription, target, expiry),
        ).fetchall()
    return {a for a, status, owner in rows if status == "delivered" or owner_alive(owner)}


def carry_over(
    store: Store, subscription: str, target: str, kind: str, configured: set[str]
) -> None:
    """A target with no history, beside a target of its kind the subscription no longer
    names, is that target at a new URL or path: the old one's history becomes its own, so
    this run and every later one skip what the old one had (a history borrowed per run
    was lost once the new target had a delivery of its own).  A target added beside the
    others (no retired one left to take over) gets what the subscription matches."""
    with store.transaction() as conn:
        if conn.execute(
            "SELECT 1 FROM deliveries WHERE subscription = ? AND target = ? LIMIT 1",
            (subscription, target),
        ).fetchone():
            return
        rows = conn.execute(
            "SELECT target FROM deliveries WHERE subscription = ? AND (target = ? OR"
            " target LIKE ?) GROUP BY target ORDER BY MAX(updated) DESC",
            (subscription, kind, f"{kind}:%"),
        ).fetchall()
        retired = [old for (old,) in rows if old not in configured]
        if retired:  # the most recently used one, when several were replaced at once
            conn.execute(
                "UPDATE deliveries SET target = ? WHERE subscription = ? AND target = ?",
                (target, subscription, retired[0]),
            )


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
    now, me = utc_now(), owner_token()
    with store.transaction() as conn:
        row = conn.execute(
            "SELECT status, updated, owner FROM deliveries"
            " WHERE subscription = ? AND alert_id = ? AND target = ?",
            (subscription, alert_id, target),
        ).fetchone()
        if row is None:
            conn.execute(
                "INSERT INTO deliveries(subscription, alert_id, target, status, updated, owner)"
                " VALUES (?, ?, ?, 'sending', ?, ?)",
                (subscription, alert_id, target, now, me),
            )
            return True
        status, updated, owner = row
        live_claim = status == "sending" and updated > _lease_expiry() and owner_alive(owner)
        if status == "delivered" or live_claim:
            return False
        conn.execute(
            "UPDATE deliveries SET status = 'sending', updated = ?, owner = ?"
            " WHERE subscription = ? AND alert_id = ? AND target = ?",
            (now, me, subscription, alert_id, target),
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


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (``/proc``; empty elsewhere): a
    pid reused by a new process has another."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return ""
    # Field 22, counted after the command name (in parentheses, may hold spaces).
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else ""


def owner_token() -> str:
    """Who holds a claim: ``host:pid:start``."""
    return f"{socket.gethostname()}:{os.getpid()}:{_start_time(os.getpid())}"


def owner_alive(owner: str | None) -> bool:
    """False only when the claim's owner is known to be gone (same host, no such process,
    or its pid now another process); otherwise the lease decides."""
    if not owner or owner.count(":") < 2:
        return True
    host, pid_text, start = owner.rsplit(":", 2)
    if host != socket.gethostname() or not pid_text.isdigit():
        return True
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    return not start or _start_time(pid) in ("", start)
