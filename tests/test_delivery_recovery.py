"""Webhook delivery is at-least-once and recovers: a run killed mid-send is retried at once
when its process is gone, a changed URL does not get the history again, a slow receiver gets
the repeat with the same Idempotency-Key (issue 15 item 7)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import pytest

from corpus import delivery, queue
from corpus.alerts import raise_alerts
from corpus.atom import ATOM_NS
from corpus.delivery import deliver_pending
from corpus.faults import CRASH_ENV, CRASH_EXIT
from corpus.store import Store
from corpus.subscriptions import Subscription
from tests.store_helpers import numbered_doc
from tests.web_fixtures import ROOT


class Receiver(BaseHTTPRequestHandler):
    """Records every POST; ``/slow`` answers its first request after ``slow_s``."""

    calls: list[tuple[str, str, str]]
    slow_s = 0.0
    slow_done = False

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        cls = type(self)
        cls.calls.append((self.path, body["id"], self.headers["Idempotency-Key"]))
        if self.path == "/slow" and not cls.slow_done:
            cls.slow_done = True
            time.sleep(cls.slow_s)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[Receiver]]]:
    handler = type("R", (Receiver,), {"calls": [], "slow_s": 0.0, "slow_done": False})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


@pytest.fixture
def store(tmp_path: Path, backend: str) -> Iterator[Store]:
    with Store(tmp_path / "corpus") as s:
        for n in (1, 2):
            raise_alerts(s, s.add_version(*numbered_doc(n)))
        yield s


def _add_alert(store: Store, n: int) -> None:
    raise_alerts(store, store.add_version(*numbered_doc(n)))


# A delivery run in another process: ``scan``'s delivery step, with one target.
CHILD = textwrap.dedent(
    """
    import sys
    from corpus.delivery import deliver_pending
    from corpus.store import Store
    from corpus.subscriptions import Subscription

    with Store(sys.argv[1]) as store:
        sub = Subscription(name="hook", targets=[sys.argv[2]], webhook_retries=0)
        deliver_pending(store, [sub])
    """
)


def _sent(kind: str, target: str, handler: type[Receiver]) -> list[str]:
    """The alert ids the target holds: posted to the receiver, or written in the file."""
    if kind == "webhook":
        return [alert for _, alert, _ in handler.calls]
    path = Path(target.split(":", 1)[1])
    if not path.exists():
        return []
    if kind == "jsonl":
        return [json.loads(line)["id"] for line in path.read_text().splitlines()]
    entries = ET.parse(path).getroot().iter(f"{{{ATOM_NS}}}entry")
    uris = [e.findtext(f"{{{ATOM_NS}}}id") or "" for e in entries]
    return [unquote(uri.removeprefix("urn:regwatch:alert:")) for uri in uris]


@pytest.mark.parametrize("kind", ["webhook", "jsonl", "atom"])
def test_a_send_killed_mid_way_is_retried_at_once(
    store: Store, receiver: tuple[str, type[Receiver]], tmp_path: Path, kind: str
) -> None:
    url, handler = receiver
    target = {
        "webhook": f"{url}/hook",
        "jsonl": f"jsonl:{tmp_path / 'alerts.jsonl'}",
        "atom": f"atom:{tmp_path / 'alerts.atom'}",
    }[kind]
    env = {**os.environ, "PYTHONPATH": str(ROOT), CRASH_ENV: "mid_send"}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(store.data_dir), target], env=env, cwd=ROOT
    )
    assert child.returncode == CRASH_EXIT  # killed holding the claim on the first alert
    assert _sent(kind, target, handler) == []
    started = time.monotonic()
    sub = Subscription(name="hook", targets=[target], webhook_retries=0)
    report = deliver_pending(store, [sub])
    assert report.delivered == 2  # the dead process's claim did not hold the first back
    assert time.monotonic() - started < 30  # not the 300 s lease
    expected = sorted(a.id for a in queue.load_alerts(store))
    assert sorted(_sent(kind, target, handler)) == expected


def test_a_live_or_unknown_claim_is_respected(store: Store) -> None:
    alert = queue.load_alerts(store)[0]
    assert queue.claim(store, "s", alert.id, "stdout")
    assert not queue.claim(store, "s", alert.id, "stdout")  # this process holds it, alive
    with store.transaction() as conn:  # a claim from another host: the lease decides
        conn.execute("UPDATE deliveries SET owner = 'elsewhere.example:1:1'")
    assert not queue.claim(store, "s", alert.id, "stdout")
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    assert queue.owner_alive(queue.owner_token())
    assert not queue.owner_alive(f"{queue.owner_token().split(':')[0]}:{gone.pid}:1")


def test_a_changed_url_does_not_get_the_history_again(
    store: Store, receiver: tuple[str, type[Receiver]]
) -> None:
    url, handler = receiver
    old = Subscription(name="hook", targets=[f"{url}/old"], webhook_retries=0)
    assert deliver_pending(store, [old]).delivered == 2
    new = Subscription(name="hook", targets=[f"{url}/new"], webhook_retries=0)
    assert deliver_pending(store, [new]).delivered == 0
    _add_alert(store, 3)
    assert deliver_pending(store, [new]).delivered == 1
    # Nor on the runs after, once the new URL has a delivery of its own.
    assert deliver_pending(store, [new]).delivered == 0
    assert [p for p, _, _ in handler.calls] == ["/old", "/old", "/new"]
    # A target added beside the others is new: it gets what the subscription matches.
    both = Subscription(name="hook", targets=[f"{url}/new", f"{url}/extra"], webhook_retries=0)
    assert deliver_pending(store, [both]).delivered == 3


def test_a_changed_url_gets_what_the_old_one_never_had(
    store: Store, receiver: tuple[str, type[Receiver]]
) -> None:
    url, handler = receiver
    down = Subscription(name="hook", targets=["http://127.0.0.1:9/gone"], webhook_retries=0)
    assert deliver_pending(store, [down]).pending == 2  # refused: nothing listens on port 9
    moved = Subscription(name="hook", targets=[f"{url}/moved"], webhook_retries=0)
    assert deliver_pending(store, [moved]).delivered == 2
    assert len(handler.calls) == 2


def test_a_slow_receiver_gets_the_repeat_with_the_same_key(
    store: Store, receiver: tuple[str, type[Receiver]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, handler = receiver
    handler.slow_s = 1.5
    monkeypatch.setattr(delivery, "sleep", lambda s: None)
    sub = Subscription(
        name="hook", targets=[f"{url}/slow"], webhook_retries=1, webhook_timeout_s=0.5
    )
    report = deliver_pending(store, [sub])
    assert report.delivered == 2
    first = queue.load_alerts(store)[0].id
    # The first request timed out after the receiver had it: sent again, same key.
    keys = [key for _, alert, key in handler.calls if alert == first]
    assert keys == [f"hook:{first}", f"hook:{first}"]
    assert deliver_pending(store, [sub]).delivered == 0


def test_a_url_changed_back_gets_only_what_it_missed(
    store: Store, receiver: tuple[str, type[Receiver]]
) -> None:
    url, handler = receiver

    def hook(path: str) -> Subscription:
        return Subscription(name="hook", targets=[f"{url}/{path}"], webhook_retries=0)

    assert deliver_pending(store, [hook("a")]).delivered == 2
    _add_alert(store, 3)
    assert deliver_pending(store, [hook("b")]).delivered == 1
    _add_alert(store, 4)
    assert deliver_pending(store, [hook("a")]).delivered == 1  # back: alert 4 only
    assert [p for p, _, _ in handler.calls] == ["/a", "/a", "/b", "/a"]


def test_a_moved_jsonl_file_does_not_get_the_history_again(store: Store, tmp_path: Path) -> None:
    first, moved = tmp_path / "alerts.jsonl", tmp_path / "moved" / "alerts.jsonl"
    assert (
        deliver_pending(store, [Subscription(name="log", targets=[f"jsonl:{first}"])]).delivered
        == 2
    )
    _add_alert(store, 3)
    for _ in range(2):  # the run that moves it, and the one after
        deliver_pending(store, [Subscription(name="log", targets=[f"jsonl:{moved}"])])
    assert len(first.read_text().splitlines()) == 2
    assert len(moved.read_text().splitlines()) == 1
