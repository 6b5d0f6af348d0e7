"""Plain, frozen dataclasses passed between the pipeline's stages.

    fetch ──Page──> extract ──Article──> dedup/store ──StoreResult──> pipeline ──UrlResult──> cli
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

# Outcomes of one URL through the pipeline, as printed by ``scraper fetch``.
NEW = "new"
CHANGED = "changed"
UNCHANGED = "unchanged"
NOT_MODIFIED = "not_modified"
SKIPPED = "skipped"  # not fetched on purpose, e.g. disallowed by robots.txt
FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Image:
    """One image of an article, in reading order."""

    url: str
    caption: str | None = None
    credit: str | None = None


@dataclass(frozen=True)
class Article:
    """What the extractor finds in one page. ``body`` holds paragraphs
    separated by blank lines; ``published_at`` is aware or None."""

    title: str | None = None
    published_at: datetime | None = None
    authors: list[str] = field(default_factory=list)
    body: str = ""
    images: list[Image] = field(default_factory=list)
    modified_at: datetime | None = None
    language: str | None = None
    canonical_url: str | None = None
    lead_marker: str | None = None  # outlet marker of a lead prefix, e.g. "BHG"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: datetimes become ISO 8601 strings."""
        data = asdict(self)
        for key in ("published_at", "modified_at"):
            value = getattr(self, key)
            data[key] = value.isoformat() if value else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        """The inverse of ``to_dict``."""
        values = dict(data)
        for key in ("published_at", "modified_at"):
            if values.get(key):
                values[key] = datetime.fromisoformat(values[key])
        values["images"] = [Image(**img) for img in values.get("images") or []]
        values["authors"] = list(values.get("authors") or [])
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in values.items() if k in known})


@dataclass(frozen=True)
class Validators:
    """HTTP cache validators kept for conditional GETs."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Page:
    """One fetched HTTP response (after redirects). ``status`` 304 means the
    stored copy is current and ``content`` is empty."""

    url: str
    requested_url: str
    status: int
    content: bytes
    headers: dict[str, str]
    fetched_at: datetime
    elapsed_ms: int
    redirects: int = 0

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def validators(self) -> Validators:
        return Validators(self.headers.get("etag"), self.headers.get("last-modified"))


@dataclass(frozen=True)
class StoreResult:
    """What storing one extracted article did."""

    outcome: str  # NEW, CHANGED or UNCHANGED
    article_id: int
    url: str
    version: int
    changed_fields: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class UrlResult:
    """The end of one URL's trip through the pipeline."""

    url: str
    outcome: str  # NEW, CHANGED, UNCHANGED, NOT_MODIFIED, SKIPPED or FAILED
    article_url: str | None = None
    article_id: int | None = None
    version: int | None = None
    changed_fields: list[str] = field(default_factory=list)
    status: int | None = None
    error: str | None = None
    title: str | None = None
    validators: Validators | None = None
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.outcome != FAILED

    def describe(self) -> str:
        """The one-line summary ``scraper fetch`` prints."""
        if self.outcome == CHANGED:
            return f"changed → v{self.version} ({', '.join(self.changed_fields)})"
        if self.outcome == FAILED:
            return f"failed: {self.error}"
        if self.outcome == NOT_MODIFIED:
            return "unchanged"
        if self.outcome == SKIPPED:
            return f"skipped: {self.error}"
        return self.outcome

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Candidate:
    """A URL found by discovery, with what the feed or sitemap said of it."""

    url: str
    via: str  # "feed", "sitemap" or "listing"
    title: str | None = None
    published_at: datetime | None = None
    language: str | None = None


@dataclass(frozen=True)
class SitemapPage:
    """One parsed sitemap document: article candidates, or nested sitemaps of an index."""

    candidates: list[Candidate]
    sitemaps: list[str]
