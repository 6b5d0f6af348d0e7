"""Content hashes and change detection between versions. Pure functions.

A version's identity is the SHA-256 of canonical JSON over its cleaned fields,
so whitespace and NFC/NFD differences never make a new version, while any
edit to the title, dates, authors, body or images does.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .models import Article
from .text import clean, clean_line

# The fields that make up a version, in the order ``changed_fields`` lists them.
VERSIONED_FIELDS = ("title", "published_at", "authors", "body", "images")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def content_fields(article: Article) -> dict[str, Any]:
    """The cleaned, JSON-ready fields that define a version."""
    return {
        "title": clean_line(article.title or "") or None,
        "published_at": _iso(article.published_at),
        "authors": [clean_line(a) for a in article.authors if clean_line(a)],
        "body": clean(article.body),
        "images": [
            {"url": img.url.strip(), "caption": clean_line(img.caption or "") or None,
             "credit": clean_line(img.credit or "") or None}
            for img in article.images
        ],
    }


def fields_hash(fields: dict[str, Any]) -> str:
    canonical = json.dumps({k: fields.get(k) for k in VERSIONED_FIELDS},
                           ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def content_hash(article: Article) -> str:
    """Stable under whitespace and Unicode-normalisation changes; changes with any edit."""
    return fields_hash(content_fields(article))


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Names of the versioned fields whose cleaned values differ."""
    return [name for name in VERSIONED_FIELDS if old.get(name) != new.get(name)]
