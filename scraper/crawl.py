"""Crawling: discover each source's articles, then fetch whatever is due, politely.

Used by ``scraper crawl`` (once) and by the daemon's jobs (forever). Discovery
queues URLs in the frontier; dispatch takes due URLs from it and runs them
through the pipeline, many hosts at once (up to ``max_in_flight``) but one
request at a time per host, spaced by the host's delay and robots.txt.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import discover
from .config import Config, SourceConfig
from .errors import BlockedURL, FetchError, ScraperError, StoreError
from .fetch import Fetcher
from .frontier import Due, Frontier
from .log import event
from .models import FAILED, SKIPPED, Candidate, UrlResult
from .pipeline import Pipeline
from .polite import Politeness
from .store import Archive, utcnow
from .urls import host_of
from .workers import Extractor

MAX_SITEMAP_DOCUMENTS = 50
PER_HOST = 2  # URLs of one host queued at once; the host's slot runs them one by one
STORE_BACKOFF = 2.0       # first pause of all dispatch after the archive refused a write
STORE_BACKOFF_CAP = 300.0  # doubling up to this while the disk stays full


@dataclass
class Discovery:
    source: str
    found: int = 0
    new: int = 0
    errors: list[str] = field(default_factory=list)
    over_budget: int = 0  # new URLs refused because their host's queue was full


class Crawler:
    """Discovery and dispatch over one archive, one HTTP client and one politeness state."""

    def __init__(self, config: Config, archive: Archive, fetcher: Fetcher, politeness: Politeness,
                 now: Callable[[], datetime] = utcnow, extractor: Extractor | None = None) -> None:
        self.config = config
        self.fetcher = fetcher
        self.politeness = politeness
        self.now = now
        self.frontier = Frontier(archive, config.revisit)
        offsets = {s.name: s.offset for s in config.sources if s.offset}
        self.pipeline = Pipeline(config, archive, fetcher, now=now, offsets=offsets,
                                 extractor=extractor or Extractor())
        self.slots = asyncio.Semaphore(config.fetch.max_in_flight)
        self.in_flight: set[str] = set()
        self.accepting = True
        self.on_result: Callable[[UrlResult], None] | None = None
        self.archive = archive
        self.store_errors = 0         # writes the archive refused (disk full, I/O error)
        self.store_failures_in_row = 0
        self.held_until = 0.0         # time.monotonic() before which nothing is dispatched

    # ---- discovery ---------------------------------------------------------

    async def discover(self, source: SourceConfig) -> Discovery:
        """Read every entry point of a source and queue the new article URLs."""
        report = Discovery(source.name)
        run_id = self.frontier.start_run(source.name, self.now())
        candidates: list[Candidate] = []
        for kind, url, reader in self._entry_points(source, report.errors):
            try:
                candidates += await reader(url)
            except ScraperError as exc:
                report.errors.append(f"{kind} {url}: {exc}")
                event("failed", level=30, source=source.name, url=url, error=str(exc))
            except Exception as exc:  # a bug: close the run with its error, and let the job fail loudly
                report.errors.append(f"{kind} {url}: unexpected {type(exc).__name__}: {exc}")
                self.frontier.finish_run(run_id, self.now(), found=0, new=0, errors=len(report.errors),
                                         error="; ".join(report.errors)[:2000])
                raise
        admitted = discover.admit(candidates, source.allow, source.deny)
        report.found = len(admitted)
        over: list[str] = []
        report.new = self.frontier.add(source.name, admitted, self.now(), source.max_new_per_run,
                                       per_host=source.max_queued_per_host, over_budget=over)
        report.over_budget = len(over)
        self.frontier.finish_run(run_id, self.now(), found=report.found, new=report.new,
                                 errors=len(report.errors), error="; ".join(report.errors)[:2000] or None)
        event("discovered", source=source.name, found=report.found, new=report.new,
              errors=len(report.errors) or None, over_budget=len(over) or None,
              example=over[0] if over else None)
        return report

    def _entry_points(self, source: SourceConfig, errors: list[str]):
        for url in source.feeds:
            yield "feed", url, self._read_feed
        for url in source.sitemaps:
            yield "sitemap", url, lambda u: self._read_sitemaps(u, errors)
        for listing in source.listings:
            yield "listing", listing.url, lambda u, ls=listing: self._read_listing(u, ls.links, ls.pattern)

    async def _get(self, url: str, accept: str):
        if refusal := await self.politeness.refusal(url):
            raise BlockedURL(refusal[0], url=url)
        async with self.politeness.slot(url):
            try:
                page = await self.fetcher.get(url, accept=accept)
            except FetchError as exc:
                self.politeness.record(url, status=exc.status, retry_after=getattr(exc, "retry_after", None),
                                       error=True)
                raise
        self.politeness.record(url, status=page.status)
        return page

    async def _read_feed(self, url: str) -> list[Candidate]:
        page = await self._get(url, "xml")
        return discover.parse_feed(page.content, page.url)

    async def _read_listing(self, url: str, links: str | None, pattern: str | None) -> list[Candidate]:
        from .charset import decode_html

        page = await self._get(url, "html")
        return discover.parse_listing(decode_html(page.content, page.content_type), page.url,
                                      links=links, pattern=pattern)

    async def _read_sitemaps(self, url: str, errors: list[str]) -> list[Candidate]:
        """A sitemap, following a sitemap index one level (or more) down, within a
        budget of documents. A broken nested sitemap is noted in ``errors`` and
        skipped; only a broken first document fails the entry point."""
        queue, seen, found = [url], set(), []
        while queue and len(seen) < MAX_SITEMAP_DOCUMENTS:
            current = queue.pop(0)
            if current in seen:
                continue
            seen.add(current)
            try:
                page = await self._get(current, "xml")
                parsed = discover.parse_sitemap(page.content, page.url)
            except ScraperError as exc:
                if current == url:
                    raise
                errors.append(f"sitemap {current}: {exc}")
                event("failed", level=30, url=current, error=str(exc))
                continue
            found += parsed.candidates
            queue += parsed.sitemaps
        return found

    # ---- dispatch ----------------------------------------------------------

    def dispatch(self, limit: int | None = None) -> list[asyncio.Task[UrlResult]]:
        """Start fetching URLs due now, at most ``PER_HOST`` queued per host so one big
        host cannot fill the in-flight budget; returns the started tasks."""
        if not self.accepting or time.monotonic() < self.held_until:
            return []
        budget = (limit or self.config.fetch.max_in_flight * 4) - len(self.in_flight)
        tasks = []
        for item in self._pick(self.frontier.due(self.now(), max(budget, 0) * 4), budget):
            self.in_flight.add(item.url)
            tasks.append(asyncio.ensure_future(self.visit(item)))
        return tasks

    def _pick(self, due: list[Due], budget: int) -> list[Due]:
        per_host: dict[str, int] = {}
        for url in self.in_flight:
            per_host[host_of(url)] = per_host.get(host_of(url), 0) + 1
        picked = []
        for item in due:
            host = host_of(item.url)
            if len(picked) >= budget or item.url in self.in_flight or per_host.get(host, 0) >= PER_HOST:
                continue
            if self.politeness.ready_in(item.url) > self.politeness.delay(item.url):
                continue  # the host is paused (Retry-After, backoff): don't park a task on it
            per_host[host] = per_host.get(host, 0) + 1
            picked.append(item)
        return picked

    async def visit(self, due: Due) -> UrlResult:
        """One due URL: robots, a slot for its host, the pipeline, then the frontier.

        If the archive refused a write meanwhile (disk full, I/O error), the
        URL is left due as it was, the failure is logged and counted, and all
        dispatch pauses for a while: it is the disk's fault, not the URL's."""
        self.in_flight.add(due.url)
        refused = self.archive.write_failures
        try:
            result = await self._visit(due, refused)
            if self.archive.write_failures != refused:
                self._store_trouble(due.url, result.error or "archive write failed")
                return result
            self.frontier.record(due, result, self.now(), validators=result.validators,
                                 retry_after=result.retry_after)
            self.store_failures_in_row = 0
            _log_result(result)
            if self.on_result:
                self.on_result(result)
            return result
        except StoreError as exc:
            self._store_trouble(due.url, str(exc))
            return UrlResult(url=due.url, outcome=FAILED, error=str(exc))
        finally:
            self.in_flight.discard(due.url)

    def _store_trouble(self, url: str, error: str) -> None:
        """Count a refused write and hold all dispatch, doubling while it lasts."""
        self.store_errors += 1
        self.store_failures_in_row += 1
        pause = min(STORE_BACKOFF * 2 ** (self.store_failures_in_row - 1), STORE_BACKOFF_CAP)
        self.held_until = max(self.held_until, time.monotonic() + pause)
        event("store_failed", level=40, url=url, error=error, errors=self.store_errors,
              paused=f"{pause:g}s")

    async def _visit(self, due: Due, refused: int) -> UrlResult:
        if refusal := await self.politeness.refusal(due.url):
            reason, permanent = refusal
            return UrlResult(url=due.url, outcome=SKIPPED if permanent else FAILED, error=reason)
        async with self.politeness.slot(due.url), self.slots:
            result = await self.pipeline.process(due.url, source=due.source, validators=due.validators,
                                                 hint=due.hint)
        host_fault = self.archive.write_failures == refused and result.outcome == FAILED \
            and result.status not in (404, 410)
        self.politeness.record(due.url, status=result.status, retry_after=result.retry_after, error=host_fault)
        return result

    async def crawl_once(self, sources: list[SourceConfig]) -> list[UrlResult]:
        """Discover every source once, then fetch until nothing is due right now."""
        for source in sources:
            await self.discover(source)
        return await self.run_due()

    async def run_due(self) -> list[UrlResult]:
        """Fetch everything due now, batch after batch, and wait for it all."""
        results: list[UrlResult] = []
        while tasks := self.dispatch():
            results += await asyncio.gather(*tasks)
        return results


def _log_result(result: UrlResult) -> None:
    if result.outcome == FAILED:
        event("failed", level=30, url=result.url, status=result.status, error=result.error,
              retry_after=result.retry_after)
        return
    fields = ",".join(result.changed_fields) or None
    event(result.outcome, url=result.url, version=result.version, fields=fields, status=result.status)


def politeness_for(config: Config, fetcher: Fetcher, **clocks) -> Politeness:
    """Per-host politeness with the config's backoff and Retry-After cap."""
    return Politeness(config.fetch, fetcher, backoff_base=config.revisit.backoff,
                      backoff_cap=config.revisit.backoff_cap, retry_after_cap=config.revisit.backoff_cap, **clocks)


async def run_crawl(config: Config, db: Path, sources: list[SourceConfig], *,
                    on_result: Callable[[UrlResult], None] | None = None) -> list[UrlResult]:
    """One-shot crawl: discover the sources, fetch what is due, close everything."""
    with Archive(db) as archive, Extractor(config.fetch.extract_processes) as extractor:
        async with Fetcher(config.fetch) as fetcher:
            crawler = Crawler(config, archive, fetcher, politeness_for(config, fetcher), extractor=extractor)
            crawler.on_result = on_result
            return await crawler.crawl_once(sources)
