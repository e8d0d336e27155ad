"""An Atom (RFC 4287) feed of alerts, for feed readers and intranet portals."""

from __future__ import annotations

import os
import re
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from corpus.store import utc_now
from models.corpus import Alert

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MAX_ENTRIES = 200

# Characters XML 1.0 forbids even escaped (form feeds and other controls PDFs leave behind).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _XML_INVALID.sub("", text)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        element.text = _clean(text)
    return element


def _rfc3339(iso: str) -> str:
    # Stored timestamps are ISO 8601 with an offset already; drop microseconds for readers.
    return re.sub(r"\.\d+", "", iso)


def alert_uri(alert: Alert) -> str:
    return f"urn:regwatch:alert:{quote(alert.id, safe='@:')}"


def file_link(alert: Alert) -> str | None:
    """The saved diff page of a new version, as a ``file:`` URI (a feed written to disk
    beside the corpus, read on the same machine)."""
    link = alert.payload.diff_link
    if not link:
        return None
    return link if "://" in link else Path(link).resolve().as_uri()


def atom_xml(
    alerts: list[Alert],
    *,
    title: str = "regwatch alerts",
    feed_id: str = "",
    link: Callable[[Alert], str | None] = file_link,
    summary: Callable[[Alert], list[str]] | None = None,
    self_href: str | None = None,
    language: str | None = None,
) -> bytes:
    """The feed as UTF-8 bytes: newest alerts first, at most ``MAX_ENTRIES``.

    ``link`` gives each entry's page (``rel="alternate"``); ``summary`` its lines (default
    ``Alert.summary``); ``self_href`` the feed's own address (``rel="self"``); ``language``
    goes to ``xml:lang``.  A server passes relative links: a reader resolves them against
    the feed's own URL, so they work behind a proxy too."""
    ET.register_namespace("", ATOM_NS)
    entries = sorted(alerts, key=lambda a: (a.created, a.id), reverse=True)[:MAX_ENTRIES]
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    if language:
        feed.set(XML_LANG, language)
    _sub(feed, "id", feed_id or f"urn:regwatch:feed:{quote(title)}")
    _sub(feed, "title", title)
    if self_href:
        _sub(feed, "link", rel="self", href=self_href, type="application/atom+xml")
    _sub(feed, "updated", _rfc3339(entries[0].created if entries else utc_now()))
    author = _sub(feed, "author")
    _sub(author, "name", "regwatch")
    _sub(feed, "generator", "regwatch")
    for alert in entries:
        entry = _sub(feed, "entry")
        _sub(entry, "id", alert_uri(alert))
        _sub(entry, "title", alert.title)
        _sub(entry, "updated", _rfc3339(alert.created))
        _sub(entry, "published", _rfc3339(alert.created))
        _sub(entry, "category", term=alert.event)
        href = link(alert)
        if href:
            _sub(entry, "link", rel="alternate", href=href, type="text/html")
        lines = summary(alert) if summary else alert.summary
        # Plain text content: RFC 4287 wants non-text media types base64-encoded, which
        # no feed reader shows; machine readers take the JSON lines target instead.
        _sub(entry, "content", "\n".join(lines), type="text")
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def write_atom(
    alerts: list[Alert], path: Path | str, *, title: str = "regwatch alerts", feed_id: str = ""
) -> Path:
    """Write the feed atomically (a reader never sees half a file); returns the path."""
    target = Path(path).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    data = atom_xml(alerts, title=title, feed_id=feed_id)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
