"""Discovery: turn feeds, sitemaps and listing pages into candidate article URLs.

Pure functions over bytes: no network, no database. Feeds go through
feedparser, which resolves no external entities. Sitemaps go through
defusedxml with DTDs forbidden, which refuses entity expansion (billion laughs) and external
references, so hostile XML expands nothing and reads no file. Gzipped sitemaps
are decompressed with a cap.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from datetime import datetime
from email.utils import parsedate_to_datetime

import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from selectolax.lexbor import LexborHTMLParser
from xml.etree.ElementTree import ParseError

from . import urls
from .errors import BlockedURL, ExtractError, TooLarge
from .models import Candidate, SitemapPage

MAX_SITEMAP_BYTES = 50 * 2**20  # the sitemaps.org limit for one uncompressed file
MAX_URLS_PER_DOCUMENT = 50_000


def _date(text: str | None) -> datetime | None:
    """An aware datetime from an ISO 8601 or RFC 822 date, else None."""
    if not text:
        return None
    text = text.strip()
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            value = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    return value if value.tzinfo else None


def _candidate(link: str | None, base: str, via: str, **hints) -> Candidate | None:
    if not link:
        return None
    try:
        absolute = urls.canonical(link.strip(), base=base)
        urls.check(absolute)
    except (BlockedURL, ValueError):
        return None
    return Candidate(url=absolute, via=via, **hints)


_INTERNAL_SUBSET = re.compile(rb"(<!DOCTYPE[^\[>]*)\[.*?\]\s*>", re.S | re.I)


def without_entity_declarations(data: bytes) -> bytes:
    """Drop a DOCTYPE's internal subset (its ``<!ENTITY>`` declarations). Feeds
    have no use for them, and expat expands a billion-laughs bomb for about
    0.6 s and 67 MiB before its amplification guard stops it."""
    head = data[:65536]
    if b"<!ENTITY" not in head and b"<!entity" not in head:
        return data
    return _INTERNAL_SUBSET.sub(rb"\1>", data, count=1)


def parse_feed(data: bytes, base_url: str) -> list[Candidate]:
    """Entries of an RSS or Atom feed, with their title, date and language."""
    parsed = feedparser.parse(without_entity_declarations(data[:MAX_SITEMAP_BYTES]),
                              response_headers={"content-location": base_url})
    language = parsed.feed.get("language")
    found = []
    for entry in parsed.entries[:MAX_URLS_PER_DOCUMENT]:
        candidate = _candidate(entry.get("link"), base_url, "feed", title=entry.get("title") or None,
                               published_at=_date(entry.get("published") or entry.get("updated")),
                               language=language)
        if candidate:
            found.append(candidate)
    return found


def gunzip(data: bytes, limit: int = MAX_SITEMAP_BYTES) -> bytes:
    """Decompress a gzipped document, refusing to inflate past ``limit`` bytes."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise ExtractError(f"corrupt gzipped sitemap: {exc}") from exc
    if len(out) > limit or inflater.unconsumed_tail:
        raise TooLarge(f"gzipped sitemap inflates past {limit} bytes")
    return out


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(element, name: str) -> str | None:
    for child in element.iter():
        if _local(child.tag) == name and child.text:
            return child.text.strip()
    return None


def parse_sitemap(data: bytes, base_url: str) -> SitemapPage:
    """A sitemap, sitemap index or Google News sitemap (gzipped or not)."""
    try:
        root = fromstring(gunzip(data), forbid_dtd=True)
    except (ParseError, DefusedXmlException) as exc:
        raise ExtractError(f"not a usable sitemap: {exc}") from exc
    children = list(root)[:MAX_URLS_PER_DOCUMENT]
    if _local(root.tag) == "sitemapindex":
        nested = [c.url for c in (_candidate(_child_text(s, "loc"), base_url, "sitemap") for s in children) if c]
        return SitemapPage(candidates=[], sitemaps=nested)
    found = []
    for node in children:
        candidate = _candidate(
            _child_text(node, "loc"), base_url, "sitemap", title=_child_text(node, "title"),
            published_at=_date(_child_text(node, "publication_date") or _child_text(node, "lastmod")),
            language=_child_text(node, "language"))
        if candidate:
            found.append(candidate)
    return SitemapPage(candidates=found, sitemaps=[])


def parse_listing(html: str, base_url: str, *, links: str | None = None,
                  pattern: str | None = None) -> list[Candidate]:
    """Article links of a section or home page, picked by a CSS selector or a URL regex."""
    tree = LexborHTMLParser(html)
    anchors = tree.css(links) if links else tree.css("a[href]")
    regex = re.compile(pattern) if pattern else None
    found, seen = [], set()
    for anchor in anchors:
        node = anchor if anchor.tag == "a" else anchor.css_first("a[href]")
        candidate = node and _candidate(node.attributes.get("href"), base_url, "listing",
                                        title=(node.text(strip=True) or None))
        if not candidate or candidate.url in seen or (regex and not regex.search(candidate.url)):
            continue
        seen.add(candidate.url)
        found.append(candidate)
    return found


def admit(candidates: Iterable[Candidate], allow: list[str], deny: list[str]) -> list[Candidate]:
    """Keep candidates that match an allow pattern (when any are set) and no deny pattern."""
    allowed = [re.compile(p) for p in allow]
    denied = [re.compile(p) for p in deny]
    kept, seen = [], set()
    for candidate in candidates:
        if candidate.url in seen:
            continue
        if allowed and not any(p.search(candidate.url) for p in allowed):
            continue
        if any(p.search(candidate.url) for p in denied):
            continue
        seen.add(candidate.url)
        kept.append(candidate)
    return kept
