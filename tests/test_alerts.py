"""Alerts: raising, subscription filters, delivery (stdout, JSON lines, Atom, webhooks)."""

from __future__ import annotations

import io
import json
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from corpus import delivery
from corpus.alerts import deliver_pending, load_subscriptions, raise_alerts, write_atom
from corpus.atom import ATOM_NS
from corpus.queue import load_alerts
from corpus.store import Store
from corpus.subscriptions import Subscription, Target
from models.corpus import Alert, AlertPayload
from models.diff import ArticleAlignment, FieldChange, VersionDiff
from models.document import DocumentIdentity
from models.errors import ConfigError
from tests.store_helpers import RARE_DRAFT_TEXT, RARE_FINAL_TEXT, build, rare_identity

A = f"{{{ATOM_NS}}}"

# The planted changes of tests/data/dev/versions/rare_earth_measures_draft__final.json.
RARE_DIFF = VersionDiff(
    old="DOC@1",
    new="DOC@2",
    alignment=[
        ArticleAlignment(old=8, new=8, status="modified"),
        ArticleAlignment(old=None, new=9, status="added"),
        ArticleAlignment(old=9, new=10, status="renumbered"),
        ArticleAlignment(old=None, new=11, status="added"),
        ArticleAlignment(old=12, new=14, status="modified"),
    ],
    splits=[{"old": [8], "new": [8, 9]}],
    field_changes=[
        FieldChange(kind="article", change="split", old_article=8, new_article=9,
                    summary="article split: 第八条 → 第八条, 第九条"),
        FieldChange(kind="threshold", change="changed", old_article=9, new_article=10,
                    old="毎月15日まで", new="毎月10日まで",
                    summary="threshold 毎月15日まで → 毎月10日まで"),
        FieldChange(kind="date", change="changed", old_article=15, new_article=17,
                    old="2025-05-01", new="2025-07-28",
                    summary="effective 2025-05-01 → 2025-07-28 (公布の日)"),
    ],
)  # fmt: skip


@pytest.fixture
def store(tmp_path: Path, backend: str) -> Iterator[Store]:
    with Store(tmp_path / "corpus") as s:
        yield s


@pytest.fixture
def rare_alerts(store: Store, tmp_path: Path) -> list[Alert]:
    """The draft arrives (new document), then the final (new version, with its diff)."""
    draft = store.add_version(*build(RARE_DRAFT_TEXT, rare_identity(final=False)))
    alerts = raise_alerts(store, draft)
    final = build(RARE_FINAL_TEXT, rare_identity(final=True), item_codes=["1E902.a", "1C908"])
    outcome = store.add_version(*final)
    link = str(tmp_path / "diffs" / f"{outcome.doc_id}@1..2.html")
    alerts += raise_alerts(store, outcome, RARE_DIFF, diff_link=link)
    return alerts


def test_new_document_alert_names_key_records(store: Store) -> None:
    final = build(RARE_FINAL_TEXT, rare_identity(final=True), item_codes=["1E902.a", "1C908"])
    outcome = store.add_version(*final)
    [alert] = raise_alerts(store, outcome)
    assert alert.id == f"new_document:{outcome.doc_id}@1"
    assert alert.title == "レアアース採掘・レアアース製錬分離総量規制管理暫定弁法"
    assert alert.summary[0] == f"New document: {alert.title}"
    assert "Effective: 2025-07-28" in alert.summary
    assert "Threshold: 毎月10日まで" in alert.summary
    assert any(
        line.startswith("Item list: 品目リスト — 2 items (1E902.a, 1C908)")
        for line in alert.summary
    )
    assert alert.payload.item_codes == ["1E902.a", "1C908"]
    assert alert.payload.effective_dates == ["2025-07-28"]
    assert set(alert.payload.changed_kinds) >= {"threshold", "item", "code", "date", "article"}


def test_raising_twice_and_unchanged_files(store: Store) -> None:
    doc = build(RARE_DRAFT_TEXT, rare_identity(final=False))
    outcome = store.add_version(*doc)
    first = raise_alerts(store, outcome)
    assert raise_alerts(store, outcome) == first  # the queued alert, not a second one
    assert raise_alerts(store, store.add_version(*doc)) == []  # unchanged file: no event
    assert [a.id for a in load_alerts(store)] == [first[0].id]


def test_new_version_alert_summarises_the_diff(rare_alerts: list[Alert]) -> None:
    alert = rare_alerts[1]
    assert (alert.event, alert.version, alert.payload.previous_version) == ("new_version", 2, 1)
    assert alert.summary[0].startswith("New version 2 of レアアース採掘")
    assert alert.summary[1] == "Articles: 2 added, 2 modified, 1 renumbered"
    # Threshold and date changes come before wording/article changes.
    assert alert.summary[2:5] == [
        "threshold 毎月15日まで → 毎月10日まで",
        "effective 2025-05-01 → 2025-07-28 (公布の日)",
        "article split: 第八条 → 第八条, 第九条",
    ]
    assert alert.summary[-1].startswith("Full diff: ") and alert.payload.diff_link
    assert alert.payload.changed_kinds == ["article", "date", "threshold"]
    assert alert.payload.article_counts == {"added": 2, "modified": 2, "renumbered": 1}


def _sub(**filters: object) -> Subscription:
    return Subscription.model_validate({"name": "s", "targets": ["stdout"], **filters})


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, [True, True]),
        ({"events": ["new_version"]}, [False, True]),
        ({"issuers": ["工业和信息化部", "工業情報化部"]}, [True, True]),
        ({"issuers": ["自然资源部"]}, [False, True]),  # simplified form of the final's 自然資源部
        ({"issuers": ["商务部"]}, [False, False]),
        ({"kinds": ["measures"]}, [True, True]),
        ({"kinds": ["announcement"]}, [False, False]),
        ({"languages": ["zh"]}, [False, False]),
        ({"languages": ["ja", "zh"]}, [True, True]),
        ({"changed": ["threshold"]}, [True, True]),
        ({"changed": ["threshold"], "events": ["new_version"]}, [False, True]),
        ({"changed": ["item_list"], "events": ["new_version"]}, [False, False]),
        ({"item_code_prefixes": ["1E9"]}, [False, True]),
        ({"item_code_prefixes": ["1e902a"]}, [False, True]),
        ({"item_code_prefixes": ["2B"]}, [False, False]),
        ({"title_contains": ["レアアース"]}, [True, True]),
        ({"effective_within_days": 30, "today": "2025-08-15"}, [False, True]),
        ({"effective_within_days": 30, "today": "2025-12-01"}, [False, False]),
    ],
    ids=["no-filter", "versions-only", "issuer-any", "issuer-simplified", "issuer-other",
         "kind", "kind-other", "language-other", "languages", "threshold-present-or-changed",
         "threshold-changed", "item-list-unchanged", "code-prefix-1E9", "code-prefix-folded",
         "code-prefix-other", "title", "effective-soon", "effective-long-ago"],
)  # fmt: skip
def test_subscription_filters(
    rare_alerts: list[Alert], filters: dict[str, object], expected: list[bool]
) -> None:
    filters = dict(filters)  # the row's dict serves each backend: pop from a copy
    today = date.fromisoformat(str(filters.pop("today", "2025-08-01")))
    sub = _sub(**filters)
    assert [sub.matches(a, today) for a in rare_alerts] == expected


SUBSCRIPTIONS_TOML = """
[[subscription]]
name = "rare-earth"
issuers = ["工業情報化部"]
changed = ["threshold", "item_list"]
targets = ["jsonl:out/alerts.jsonl", "atom:out/feed.xml"]

[[subscription]]
name = "everything"
targets = "stdout"
webhook_retries = 1
"""


def test_load_subscriptions(tmp_path: Path) -> None:
    path = tmp_path / "subs.toml"
    path.write_text(SUBSCRIPTIONS_TOML, encoding="utf-8")
    rare, everything = load_subscriptions(path)
    assert rare.name == "rare-earth" and rare.changed == ["threshold", "item_list"]
    assert rare.targets == [
        Target("jsonl", str(tmp_path / "out" / "alerts.jsonl")),
        Target("atom", str(tmp_path / "out" / "feed.xml")),
    ]
    assert everything.targets == [Target("stdout")] and everything.webhook_retries == 1
    assert everything.events == ["new_document", "new_version"]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[[subscription]]\nname = 'x'\ntargets = ['ftp:somewhere']", "unknown target kind"),
        ("[[subscription]]\nname = 'x'\ntargets = []", "at least 1"),
        ("[[subscription]]\nname = 'x'\ntargets = ['stdout']\nchanged = ['colour']", "colour"),
        ("[[subscription]]\nname = 'x'\ntargets = ['stdout']\nbogus = 1", "bogus"),
        ("[[subscription]]\nname = 'x'\ntargets = ['webhook:notaurl']", "http"),
        ("[[subscription]]\nname='x'\ntargets=['stdout']\n" * 2, "duplicate"),
        ("[[subscription]\n", "not valid TOML"),
    ],
    ids=["unknown-target", "no-target", "unknown-change", "unknown-key", "bad-webhook",
         "duplicate-names", "bad-toml"],
)  # fmt: skip
def test_bad_subscription_files_raise_config_error(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "subs.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as err:
        load_subscriptions(path)
    assert err.value.exit_code == 2 and err.value.path == str(path)


def test_missing_subscription_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_subscriptions(tmp_path / "absent.toml")


def test_file_targets_deliver_at_most_once_across_restarts(
    store: Store, rare_alerts: list[Alert], tmp_path: Path
) -> None:
    path = tmp_path / "subs.toml"
    path.write_text(SUBSCRIPTIONS_TOML, encoding="utf-8")
    subs = load_subscriptions(path)
    out = io.StringIO()
    report = deliver_pending(store, subs, stdout=out)
    # rare-earth wants both (the draft has a threshold, the final changed one); everything too.
    assert [(t.subscription, t.target.split(":")[0], t.delivered) for t in report.targets] == [
        ("rare-earth", "jsonl", 2),
        ("rare-earth", "atom", 2),
        ("everything", "stdout", 2),
    ]
    assert [json.loads(line)["id"] for line in out.getvalue().splitlines()] == [
        a.id for a in rare_alerts
    ]
    jsonl = tmp_path / "out" / "alerts.jsonl"
    assert [Alert.model_validate_json(x) for x in jsonl.read_text().splitlines()] == rare_alerts

    again = deliver_pending(store, subs, stdout=out)
    assert again.delivered == 0
    store.close()
    with Store(store.data_dir) as reopened:
        assert deliver_pending(reopened, subs, stdout=out).delivered == 0
        # A third version later: only it is delivered, and the feed keeps all three.
        extra = build(RARE_FINAL_TEXT + "\n第十八条 附則。", rare_identity(final=True))
        raise_alerts(reopened, reopened.add_version(*extra), RARE_DIFF)
        third = deliver_pending(reopened, subs, stdout=out)
    assert [t.delivered for t in third.targets] == [1, 1, 1]
    assert len(jsonl.read_text().splitlines()) == 3
    assert len(out.getvalue().splitlines()) == 3
    feed = ET.parse(tmp_path / "out" / "feed.xml").getroot()
    assert len(feed.findall(f"{A}entry")) == 3


def test_atom_feed_is_valid_and_escaped(tmp_path: Path) -> None:
    identity = DocumentIdentity(title="<script>alert('x')</script> & 「改正」\x0c", language="ja")
    alert = Alert(
        id="new_document:abc@1",
        event="new_document",
        doc_id="abc",
        version=1,
        created="2025-07-28T09:00:00.123456+00:00",
        title=identity.title or "",
        summary=["New document: a < b & c", "Effective: 2025-07-28"],
        payload=AlertPayload(identity=identity, diff_link=str(tmp_path / "d.html")),
    )
    path = write_atom([alert], tmp_path / "feed.xml", title="regwatch & co")
    raw = path.read_text(encoding="utf-8")
    assert "<script>" not in raw and "&lt;script&gt;" in raw and "\x0c" not in raw
    feed = ET.fromstring(raw.encode())
    assert feed.tag == f"{A}feed"
    assert feed.findtext(f"{A}title") == "regwatch & co"
    assert feed.findtext(f"{A}updated") == "2025-07-28T09:00:00+00:00"
    assert feed.find(f"{A}author/{A}name") is not None
    entry = feed.find(f"{A}entry")
    assert entry is not None
    assert entry.findtext(f"{A}id") == "urn:regwatch:alert:new_document:abc@1"
    assert entry.findtext(f"{A}title") == "<script>alert('x')</script> & 「改正」"
    assert entry.findtext(f"{A}content").splitlines()[0] == "New document: a < b & c"  # type: ignore[union-attr]
    link = entry.find(f"{A}link")
    assert link is not None and link.get("href", "").startswith("file://")


# ---------------------------------------------------------------- webhooks


class _Receiver(BaseHTTPRequestHandler):
    """/flaky fails its first POST with 500, /down fails while ``down`` is set."""

    calls: list[tuple[str, int, str, str]]
    down = True
    flaky_failed = False

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        cls = type(self)
        status = 200
        if self.path == "/flaky" and not cls.flaky_failed:
            cls.flaky_failed, status = True, 500
        elif self.path == "/down" and cls.down:
            status = 500
        cls.calls.append(
            (self.path, status, json.loads(body)["id"], self.headers["Idempotency-Key"])
        )
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[_Receiver]]]:
    handler = type("Receiver", (_Receiver,), {"calls": [], "down": True, "flaky_failed": False})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def test_webhook_retry_backoff_and_at_most_once(
    store: Store,
    rare_alerts: list[Alert],
    receiver: tuple[str, type[_Receiver]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base, handler = receiver
    sleeps: list[float] = []
    monkeypatch.setattr(delivery, "sleep", sleeps.append)
    subs = [
        Subscription(name="flaky", targets=[Target("webhook", f"{base}/flaky")],
                     webhook_retries=2, webhook_backoff_s=0.25),
        Subscription(name="down", targets=[Target("webhook", f"{base}/down"), Target("stdout")],
                     webhook_retries=2, webhook_backoff_s=0.25),
    ]  # fmt: skip
    out = io.StringIO()
    first = deliver_pending(store, subs, stdout=out)
    flaky, down, down_stdout = first.targets
    assert (flaky.delivered, flaky.failed, flaky.pending) == (2, 0, 0)
    # The failing endpoint is tried once per run with all its retries, then left queued,
    # and does not hold back the subscription's other target.
    assert (down.delivered, down.failed, down.pending) == (0, 1, 2)
    assert "HTTP 500" in down.errors[0] and "3 attempt(s)" in down.errors[0]
    assert down_stdout.delivered == 2
    assert sleeps == [0.25, 0.25, 0.5]  # flaky: one retry; down: two, doubling

    handler.down = False
    second = deliver_pending(store, subs, stdout=out)
    assert [t.delivered for t in second.targets] == [0, 2, 0]
    assert deliver_pending(store, subs, stdout=out).delivered == 0

    ok = [(path, alert) for path, status, alert, _ in handler.calls if status == 200]
    ids = [a.id for a in rare_alerts]
    assert sorted(ok) == sorted([("/flaky", i) for i in ids] + [("/down", i) for i in ids])
    keys = {key for path, status, alert, key in handler.calls if path == "/flaky"}
    assert keys == {f"flaky:{i}" for i in ids}
    assert len(out.getvalue().splitlines()) == 2


def test_unreachable_webhook_keeps_alerts_queued(store: Store, rare_alerts: list[Alert]) -> None:
    # Port 9 on localhost: nothing listens, the connection is refused at once.
    sub = Subscription(name="nowhere", targets=["http://127.0.0.1:9/hook"], webhook_retries=0)
    report = deliver_pending(store, [sub])
    [target] = report.targets
    assert (target.delivered, target.failed, target.pending) == (0, 1, 2)
    assert "127.0.0.1:9" in target.errors[0]
    assert deliver_pending(store, [sub]).pending == 2  # still queued on the next run


def test_two_delivery_runs_at_once_send_each_alert_once(
    store: Store, rare_alerts: list[Alert], tmp_path: Path
) -> None:
    jsonl = tmp_path / "shared.jsonl"
    subs = [Subscription(name="shared", targets=[Target("jsonl", str(jsonl))])]
    reports = []

    def run() -> None:
        with Store(store.data_dir) as own:  # one connection per thread, as in two processes
            for _ in range(5):
                reports.append(deliver_pending(own, subs))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sum(r.delivered for r in reports) == len(rare_alerts)
    lines = [json.loads(x)["id"] for x in jsonl.read_text().splitlines()]
    assert sorted(lines) == sorted(a.id for a in rare_alerts)
