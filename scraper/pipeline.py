"""The one orchestrator: fetch -> extract -> dedup -> store, for one URL at a time.

Every URL ends as a ``UrlResult``; every HTTP attempt ends as a ``fetches``
row, failures included. No error escapes ``process`` except cancellation, so
one bad page never stops a crawl.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from . import urls
from .config import Config
from .errors import ExtractError, FetchError, ScraperError
from .fetch import Fetcher
from .workers import Extracted, Extractor, decode_and_extract
from .polite import Politeness
from .models import FAILED, NOT_MODIFIED, Article, Candidate, Page, UrlResult, Validators
from .store import Archive, iso, utcnow


@dataclass
class Pipeline:
    config: Config
    archive: Archive
    fetcher: Fetcher
    now: Callable[[], datetime] = utcnow
    offsets: dict[str, str] = field(default_factory=dict)  # source name -> default UTC offset
    extractor: Extractor = field(default_factory=Extractor)  # in process unless given worker processes

    async def process(self, url: str, *, source: str | None = None, validators: Validators | None = None,
                      hint: Candidate | None = None) -> UrlResult:
        """Fetch, extract and store one URL; never raises a ScraperError."""
        started = self.now()
        row: dict[str, Any] = {"url": url, "requested_at": iso(started), "source": source}
        try:
            urls.check(url)
            page = await self.fetcher.get(url, validators)
            row.update(status=page.status, elapsed_ms=page.elapsed_ms, bytes=len(page.content),
                       final_url=page.url)
            if page.status == 304:
                return self._not_modified(url, row)
            if (same := self._same_page(url, page, row)) is not None:
                return same
            extracted = await self._extract(page, source)
            article = with_hints(extracted.article, hint)
            stored = self._store(url, page, article, source, row, extracted.packed)
            return replace(stored, validators=page.validators)
        except ScraperError as exc:
            return self._failed(url, row, exc)

    async def _extract(self, page: Page, source: str | None) -> Extracted:
        return await self.extractor.extract(page.content, page.content_type, page.url,
                                            self.config.sites, self.offsets.get(source or ""))

    def _store(self, url: str, page: Page, article: Article, source: str | None,
               row: dict[str, Any], packed: bytes | None = None) -> UrlResult:
        identity = urls.article_url(page.url, article.canonical_url)
        aliases = tuple({urls.canonical(url), urls.canonical(page.url)} - {identity})
        stored = self.archive.save(url=identity, article=article, raw=page.content, source=source,
                                   fetch=row, aliases=aliases, captured_at=self.now(),
                                   content_type=page.content_type, packed=packed)
        return UrlResult(url=url, outcome=stored.outcome, article_url=stored.url,
                         article_id=stored.article_id, version=stored.version,
                         changed_fields=stored.changed_fields, status=page.status, title=article.title)

    def _same_page(self, url: str, page: Page, row: dict[str, Any]) -> UrlResult | None:
        """A re-check answered with the bytes already archived: unchanged, nothing parsed."""
        stored = self.archive.recheck_same_page(urls.canonical(url), page.content, row, self.now())
        if stored is None:
            return None
        return UrlResult(url=url, outcome=stored.outcome, article_url=stored.url, article_id=stored.article_id,
                         version=stored.version, status=page.status, validators=page.validators)

    def _not_modified(self, url: str, row: dict[str, Any]) -> UrlResult:
        article_id = self.archive.touch(urls.canonical(url), {**row, "outcome": NOT_MODIFIED}, self.now())
        return UrlResult(url=url, outcome=NOT_MODIFIED, article_id=article_id, status=304)

    def _failed(self, url: str, row: dict[str, Any], exc: ScraperError) -> UrlResult:
        reason = describe_error(exc)
        status = row.get("status") if isinstance(exc, ExtractError) else getattr(exc, "status", None)
        try:
            self.archive.record_fetch({**row, "status": status, "outcome": FAILED, "error": reason})
        except ScraperError as store_exc:
            reason = f"{reason}; and the fetch could not be recorded: {store_exc}"
        return UrlResult(url=url, outcome=FAILED, status=status, error=reason,
                         retry_after=getattr(exc, "retry_after", None))


def with_hints(article: Article, hint: Candidate | None) -> Article:
    """Fill what the page did not state from what its feed or sitemap said
    (publication time, title, language); the page's own values win."""
    if hint is None:
        return article
    return replace(article, title=article.title or hint.title,
                   published_at=article.published_at or hint.published_at,
                   language=article.language or hint.language)


def describe_error(exc: ScraperError) -> str:
    if isinstance(exc, ExtractError):
        return f"no article found: {exc}"
    if isinstance(exc, FetchError):
        return exc.reason
    return str(exc)


async def fetch_all(pipeline: Pipeline, targets: list[str], politeness: Politeness, *,
                    source: str | None = None,
                    on_result: Callable[[UrlResult], None] | None = None) -> list[UrlResult]:
    """Process URLs one after another (the one-shot ``scraper fetch``), reporting each.
    The user named these URLs, so robots.txt is not asked; the host spacing still holds."""
    results = []
    for url in targets:
        async with politeness.slot(url):
            result = await pipeline.process(url, source=source)
        results.append(result)
        if on_result:
            on_result(result)
    return results


async def run_fetch(config: Config, db: Any, targets: list[str], *, source: str | None = None,
                    on_result: Callable[[UrlResult], None] | None = None) -> list[UrlResult]:
    """One-shot: open the archive and one HTTP client, process ``targets``, close both."""
    offsets = {s.name: s.offset for s in config.sources if s.offset}
    with Archive(db) as archive:
        async with Fetcher(config.fetch) as fetcher:
            pipeline = Pipeline(config, archive, fetcher, offsets=offsets)
            return await fetch_all(pipeline, targets, Politeness(config.fetch, fetcher),
                                   source=source, on_result=on_result)


def reparse(config: Config, archive: Archive, *, source: str | None = None, since: str | None = None,
            now: Callable[[], datetime] = utcnow) -> Iterator[UrlResult]:
    """Re-extract each article's stored page with today's rules. A different result
    becomes a new version of kind "reextract", so readers can tell it from an edit."""
    offsets = {s.name: s.offset for s in config.sources if s.offset}
    for row in archive.latest_pages(source, since):
        try:
            article = decode_and_extract(row["html"], row["content_type"], row["url"], config.sites,
                                         offsets.get(row["source"] or ""))
            stored = archive.save(url=row["url"], article=article, raw=row["html"], source=row["source"],
                                  captured_at=now(), kind="reextract", content_type=row["content_type"])
        except ScraperError as exc:
            yield UrlResult(url=row["url"], outcome=FAILED, error=describe_error(exc))
            continue
        yield UrlResult(url=row["url"], outcome=stored.outcome, article_id=stored.article_id,
                        version=stored.version, changed_fields=stored.changed_fields, title=article.title)
