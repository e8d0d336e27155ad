"""An Atom (RFC 4287) feed of alerts, for feed readers and intranet portals."""

from __future__ import annotations

import os
import re
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

from corpus.store import utc_now
from models.corpus import Alert

ATOM_NS = "http://www.w3.org/2005/Atom"
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


def atom_xml(alerts: list[Alert], *, title: str = "regwatch alerts", feed_id: str = "") -> bytes:
    """The feed as UTF-8 bytes: newest alerts first, at most ``MAX_ENTRIES``."""
    ET.register_namespace("", ATOM_NS)
    entries = sorted(alerts, key=lambda a: (a.created, a.id), reverse=True)[:MAX_ENTRIES]
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _sub(feed, "id", feed_id or f"urn:regwatch:feed:{quote(title)}")
    _sub(feed, "title", title)
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
        if alert.payload.diff_link:
            link = alert.payload.diff_link
            if "://" not in link:
                link = Path(link).resolve().as_uri()
            _sub(entry, "link", rel="related", href=link)
        # Plain text content: RFC 4287 wants non-text media types base64-encoded, which
        # no feed reader shows; machine readers take the JSON lines target instead.
        _sub(entry, "content", "\n".join(alert.summary), type="text")
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
