"""Delivering queued alerts: stdout, a JSON-lines file, an Atom feed file, webhooks.

Every (subscription, target) pair is worked through on its own: an endpoint that fails all its
retries is left for the next run (its alerts stay queued, ``failed``) and the other targets go
on.  Nothing is marked delivered before the target has it, so delivery is at-least-once: a
run killed mid-send, or a webhook that timed out after its receiver took the alert, sends it
again (its ``Idempotency-Key`` lets the receiver drop the repeat; see ``corpus.queue``).  A
target whose URL or path changes keeps its history (``queue.carry_over``): what the old one
had is not re-sent, on that run or any later one.
"""

from __future__ import annotations

import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TextIO

from corpus import queue
from corpus.atom import write_atom
from corpus.faults import crash_point
from corpus.store import Store
from corpus.subscriptions import Subscription, Target
from models.corpus import Alert, DeliveryReport, TargetReport

USER_AGENT = "regwatch-alerts/1"
#: HTTP statuses worth retrying within a run; other 4xx fail at once (and wait for the next run).
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})

sleep: Callable[[float], None] = time.sleep


class DeliveryFailed(Exception):
    pass


def deliver_pending(
    store: Store,
    subscriptions: list[Subscription],
    *,
    today: date | None = None,
    stdout: TextIO | None = None,
) -> DeliveryReport:
    """Send every queued alert a subscription wants and has not had yet; report what happened."""
    alerts = queue.load_alerts(store)
    report = DeliveryReport()
    for sub in subscriptions:
        wanted = [a for a in alerts if sub.matches(a, today)]
        configured = {t.key for t in sub.targets}
        for target in sub.targets:
            tr = TargetReport(subscription=sub.name, target=target.key)
            report.targets.append(tr)
            queue.carry_over(store, sub.name, target.key, target.kind, configured)
            settled = queue.settled_ids(store, sub.name, target.key)
            todo = [a for a in wanted if a.id not in settled]
            if not todo:
                continue
            if target.kind == "atom":
                _deliver_atom(store, sub, target, todo, tr)
            else:
                _deliver_each(store, sub, target, todo, tr, stdout or sys.stdout)
    return report


def _deliver_each(
    store: Store,
    sub: Subscription,
    target: Target,
    todo: list[Alert],
    tr: TargetReport,
    stdout: TextIO,
) -> None:
    for i, alert in enumerate(todo):
        if not queue.claim(store, sub.name, alert.id, target.key):
            continue  # another run delivered or is delivering it
        crash_point("mid_send")
        try:
            if target.kind == "webhook":
                post_webhook(target.location, alert, sub)
            elif target.kind == "jsonl":
                _append_jsonl(Path(target.location), alert)
            else:
                stdout.write(alert.model_dump_json() + "\n")
                stdout.flush()
        except (DeliveryFailed, OSError) as e:
            queue.finish(store, sub.name, [alert.id], target.key, ok=False, error=str(e))
            tr.failed += 1
            tr.errors.append(f"{alert.id}: {e}")
            # A target that is down now stays down for this run: leave the rest queued
            # rather than spend every alert's retries on it.
            tr.pending += len(todo) - i
            return
        queue.finish(store, sub.name, [alert.id], target.key, ok=True)
        tr.delivered += 1


def _deliver_atom(
    store: Store, sub: Subscription, target: Target, todo: list[Alert], tr: TargetReport
) -> None:
    claimed = [a for a in todo if queue.claim(store, sub.name, a.id, target.key)]
    if not claimed:
        return
    crash_point("mid_send")
    # The feed is rewritten whole (entries keyed by alert id), so writing it again after a
    # crash between the write and the bookkeeping duplicates nothing.
    feed = queue.delivered_alerts(store, sub.name, target.key) + claimed
    ids = [a.id for a in claimed]
    try:
        write_atom(feed, target.location, title=f"regwatch: {sub.name}")
    except OSError as e:
        queue.finish(store, sub.name, ids, target.key, ok=False, error=str(e))
        tr.failed += len(ids)
        tr.pending += len(ids)
        tr.errors.append(f"{target.location}: {e}")
        return
    queue.finish(store, sub.name, ids, target.key, ok=True)
    tr.delivered += len(ids)


def _append_jsonl(path: Path, alert: Alert) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(alert.model_dump_json() + "\n")
        f.flush()
        os.fsync(f.fileno())


def post_webhook(url: str, alert: Alert, sub: Subscription) -> None:
    """POST the alert JSON; retries with exponential backoff; raises DeliveryFailed."""
    body = alert.model_dump_json().encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Regwatch-Event": alert.event,
        # Lets a receiver drop the duplicate a crash mid-request can cause.
        "Idempotency-Key": f"{sub.name}:{alert.id}",
    }
    last_error = ""
    for attempt in range(sub.webhook_retries + 1):
        if attempt:
            sleep(sub.webhook_backoff_s * 2 ** (attempt - 1))
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=sub.webhook_timeout_s) as response:
                response.read()
                return
        except urllib.error.HTTPError as e:
            last_error = f"HTTP {e.code} from {url}"
            if e.code not in RETRYABLE_STATUSES:
                break
        except (urllib.error.URLError, OSError, TimeoutError) as e:
            reason = getattr(e, "reason", e)
            last_error = f"{url}: {reason}"
    raise DeliveryFailed(f"{last_error} after {attempt + 1} attempt(s)")
