"""Atom feeds from query rows, so a reader can subscribe to edits.

Rows follow the column names datasette-atom uses (``atom_id``, ``atom_title``,
``atom_updated``, optional ``atom_content`` and ``atom_link``), so the same
canned query works with either. We write the XML ourselves with ElementTree,
which escapes every value: content is always ``type="text"``, links are kept
only when they resolve to http(s), and an empty result is a valid empty feed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin
from xml.etree import ElementTree as ET

from .history import safe_url

ATOM = "http://www.w3.org/2005/Atom"
REQUIRED = {"atom_id", "atom_title", "atom_updated"}


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _stamp(value: Any) -> str:
    """An RFC 3339 timestamp; naive values are taken as UTC."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="seconds")


def atom(rows: Iterable[Mapping[str, Any]], *, title: str, self_url: str,
         now: datetime | None = None) -> bytes:
    """An Atom document with one entry per row; relative links resolve against ``self_url``."""
    rows = list(rows)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "id", self_url)
    _sub(feed, "title", title)
    stamps = [_stamp(r["atom_updated"]) for r in rows if r["atom_updated"]]
    _sub(feed, "updated", max(stamps) if stamps else _stamp((now or datetime.now(UTC)).isoformat()))
    _sub(feed, "link", rel="self", href=self_url)
    _sub(feed, "generator", "scraper")
    for row in rows:
        entry = _sub(feed, "entry")
        _sub(entry, "id", str(row["atom_id"]))
        _sub(entry, "title", str(row["atom_title"] or ""))
        _sub(entry, "updated", _stamp(row["atom_updated"]))
        link = safe_url(urljoin(self_url, str(row["atom_link"]))) if row.get("atom_link") else None
        if link:
            _sub(entry, "link", href=link)
        if row.get("atom_author_name"):
            _sub(_sub(entry, "author"), "name", str(row["atom_author_name"]))
        if row.get("atom_content") is not None:
            _sub(entry, "content", str(row["atom_content"]), type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
