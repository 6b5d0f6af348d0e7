"""The standfirst: the lead paragraph many pages set between the headline
and the body container ("teaser-text", "article__abstract", "p.lead",
"sommario"), outside the container the body was read from.

The search walks back from the container over the elements before it, the
nearest first, climbing a few ancestors, and stops at the block holding the
headline: a lead sits between the headline and the text, and what comes
before the headline is the page's header. Of the elements with a
lead-like class ("teaser", "intro", "abstract"; never a dek, the one-line
subheadline), the one the page's description starts wins, else the nearest.
Only the container's path is walked, so nothing runs over the whole page.

This runs after ``body.with_lead`` (which finds a described lead anywhere in
the headline's block) and adds what that one cannot see: leads the
description does not quote, and headlines too far from the body for it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from selectolax.lexbor import LexborNode

from .body import Block, STRONG, junk_label, node_label
from .labels import Words

if TYPE_CHECKING:
    from .precompute import Precomputed

_LEAD_WORDS = Words(("lead(?!ing)", "intro", "teaser", "summary", "sapo", "excerpt", "subtitle", "sub-title",
                     "abstract", "sommario", "bajada", "chapo", "chapeau", "vorspann"))
# A dek (a one-line subheadline under the headline) is no part of the text.
_DEK_WORDS = Words(("dek", "sub-?head", "strapline", "standfirst", "tagline", "caption", "credit", "author", "byline",
                    "bio"))
_CANDIDATES = "p[class], div[class], h2[class], h1"  # a lead is known by its class
_NOT_HERE = frozenset(("nav", "aside", "footer", "form", "ul", "ol", "figure", "script", "style"))
_TAGS = re.compile(r"<[^>]+>")
LEVELS = 9  # ancestors of the container climbed
SIBLINGS = 30  # elements looked at, all levels together
SHORTEST, LONGEST = 50, 1500


def with_lead(pre: Precomputed, blocks: list[Block], containers: list[LexborNode]) -> list[Block]:
    """The blocks with the standfirst put first, when one sits before the
    container and the body does not already hold it."""
    if not containers:
        return blocks
    lead = find(containers[0], _probe(pre))
    if lead is None:
        return blocks
    text = " ".join(lead.text(separator=" ", strip=True, skip_empty=True).split())
    if any(text[:60] in b.text for b in blocks[:5]):
        return blocks
    return [Block(text, "p", 0, 0, lead)] + blocks


def _probe(pre: Precomputed) -> str:
    """The start of the page's description (some hold markup)."""
    description = pre.first_meta("og:description", "description", "twitter:description") or ""
    if "<" in description:
        description = _TAGS.sub(" ", description)
    description = " ".join(description.split())
    return description[:50] if len(description) >= 40 else ""


def find(container: LexborNode, probe: str) -> LexborNode | None:
    """The lead before ``container``, or None."""
    seen = 0
    node = container
    for _ in range(LEVELS):
        sibling = node.prev
        while sibling is not None and seen < SIBLINGS:
            if sibling.tag and sibling.tag[0] != "-":
                seen += 1
                found, headline = _lead_in(sibling, probe)
                if found is not None:
                    return found
                if headline:
                    return None
            sibling = sibling.prev
        node = node.parent
        if node is None or node.tag in ("body", "html", None) or seen >= SIBLINGS:
            return None
    return None


def _lead_in(box: LexborNode, probe: str) -> tuple[LexborNode | None, bool]:
    """The lead inside ``box`` (a page's description it starts, else the last
    lead-like element), and whether ``box`` holds the headline."""
    if box.tag in _NOT_HERE or junk_label(node_label(box)) == STRONG:
        return None, False
    by_class = None
    headline: str | None = None  # the headline's text, once met
    for node in box.css(_CANDIDATES)[:40]:
        if node.tag == "h1":
            headline = node.text(strip=True, skip_empty=True)
            if by_class is not None and headline and headline in by_class.text(strip=True, skip_empty=True):
                by_class = None  # a wrapper of the headline, not a lead
            continue
        if not _lead_like(node):
            continue
        text = node.text(strip=True, skip_empty=True)
        if not SHORTEST <= len(text) <= LONGEST or (headline and headline in text) or not _plain(node, len(text)):
            continue
        if probe and " ".join(node.text(separator=" ", strip=True, skip_empty=True).split()).startswith(probe):
            return node, headline is not None
        by_class = node
    return by_class, headline is not None


def _lead_like(node: LexborNode) -> bool:
    return _lead_label(node_label(node))


@lru_cache(maxsize=8192)
def _lead_label(label: str) -> bool:
    return bool(len(label) > 3 and _LEAD_WORDS.search(label) and not _DEK_WORDS.search(label)
                and junk_label(label) != STRONG)


def _plain(node: LexborNode, size: int) -> bool:
    """Text with few links and no picture (a hero image's caption box is no lead)."""
    if node.css_first("figure, figcaption, img, picture, blockquote, iframe, video") is not None:
        return False
    return sum(len(a.text(strip=True, skip_empty=True)) for a in node.css("a")) < 0.3 * size
