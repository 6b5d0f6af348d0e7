"""Discovery and revisits against the live fixture site, with an injected clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from scraper import config as config_mod
from scraper.crawl import Crawler, politeness_for
from scraper.fetch import Fetcher
from scraper.store import Archive
from tests.conftest import SITE
from tests.sites import Route

EDITED = "tin/dong-van-don-khach-du-lich-dip-cuoi-nam.html"


class Clock:
    """Wall-clock time the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


def site_config(site, **revisit) -> config_mod.Config:
    text = f"""
[fetch]
allow_private_addresses = true
host_delay = "0s"
timeout = "10s"
[revisit]
ladder = ["1h", "6h", "1d"]
backoff = "{revisit.get('backoff', '1m')}"
backoff_cap = "1h"
[[sources]]
name = "bhg"
offset = "+07:00"
feeds = ["{site.url('rss.xml')}"]
sitemaps = ["{site.url('sitemap.xml')}"]
listings = [{{ url = "{site.url('chuyen-muc/xa-hoi.html')}", links = ".list-news h3 a" }}]
"""
    return config_mod.loads(text)


async def session(config, db, clock, steps):
    """A crawler whose wall clock and politeness clock are the test's: waiting moves time."""
    start = clock.now

    async def sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)
        await asyncio.sleep(0)

    with Archive(db) as archive:
        async with Fetcher(config.fetch) as fetcher:
            politeness = politeness_for(config, fetcher, clock=lambda: (clock.now - start).total_seconds(),
                                        sleep=sleep)
            crawler = Crawler(config, archive, fetcher, politeness, now=clock)
            return await steps(crawler, archive)


def test_discovery_finds_every_article_once_and_obeys_robots(site, tmp_path):
    config, clock = site_config(site), Clock()

    async def steps(crawler, archive):
        results = await crawler.crawl_once(config.sources)
        return results, [r["url"] for r in archive.db.query("SELECT url FROM articles ORDER BY url")]

    results, stored = asyncio.run(session(config, tmp_path / "a.db", clock, steps))
    assert sorted(stored) == sorted([
        site.url("pages/baohagiang/2017-12-06_cong-doan-vien-chuc-cai-cach-hanh-chinh.html"),
        site.url("pages/vnexpress/2025-10-22_mua-lon-mien-trung.html"),
        site.url("tin/dong-van-don-khach-du-lich-dip-cuoi-nam.html"),
        site.url("tin/le-cong-bo-xa-phu-linh-dat-chuan-nong-thon-moi.html")])
    assert site.hits["/private/noi-bo.html"] == 0
    assert [r.outcome for r in results].count("skipped") == 1
    assert site.hits["/sitemap-2017.xml.gz"] == 1 and site.hits["/sitemap-news.xml"] == 1


def test_revisits_use_conditional_get_and_catch_an_edit(site, tmp_path):
    config, clock = site_config(site), Clock()

    async def steps(crawler, archive):
        await crawler.crawl_once(config.sources)
        clock.advance(hours=1)
        first = await crawler.run_due()
        site.put(EDITED, (SITE / EDITED).read_text(encoding="utf-8").replace(
            "http://SITE", site.url("").rstrip("/")).replace("tăng 15%", "tăng 18%"))
        clock.advance(hours=5)
        second = await crawler.run_due()
        versions = archive.db.execute("SELECT count(*) FROM versions").fetchone()[0]
        return first, second, versions

    first, second, versions = asyncio.run(session(config, tmp_path / "a.db", clock, steps))
    assert sorted(r.outcome for r in first) == ["not_modified"] * 4
    assert sorted(r.outcome for r in second) == ["changed"] + ["not_modified"] * 3
    changed = next(r for r in second if r.outcome == "changed")
    assert changed.url.endswith(EDITED) and changed.changed_fields == ["body"] and changed.version == 2
    assert versions == 5
    conditional = [h for path, h in site.requests if path.endswith(EDITED)][1:]
    assert all("If-Modified-Since" in h for h in conditional)


def test_retry_after_is_obeyed(site, tmp_path):
    config, clock = site_config(site), Clock()
    path = "/tin/le-cong-bo-xa-phu-linh-dat-chuan-nong-thon-moi.html"
    site.routes[path] = Route(503, b"busy", {"Retry-After": "600"})

    async def steps(crawler, archive):
        await crawler.crawl_once(config.sources)  # the 503 pauses the whole host for 600 s
        del site.routes[path]
        clock.advance(minutes=11)
        await crawler.run_due()
        return list(archive.db.query("SELECT url, status, requested_at FROM fetches ORDER BY id"))

    rows = asyncio.run(session(config, tmp_path / "a.db", clock, steps))
    mine = [r for r in rows if r["url"].endswith(path)]
    assert [r["status"] for r in mine][-1] == 200 and set(r["status"] for r in mine[:-1]) == {503}
    assert site.hits[path] == len(mine) <= 3  # no retry storm
    for pause in (r for r in mine if r["status"] == 503):
        paused_at = datetime.fromisoformat(pause["requested_at"])
        later = [datetime.fromisoformat(r["requested_at"]) for r in rows[rows.index(pause) + 1:]]
        assert later and all(t >= paused_at + timedelta(seconds=600) for t in later)


def test_sitemap_date_and_title_fill_what_a_page_does_not_state(site, tmp_path):
    config, clock = site_config(site), Clock()
    undated = "tin/le-cong-bo-xa-phu-linh-dat-chuan-nong-thon-moi.html"
    html = (SITE / undated).read_text(encoding="utf-8").replace("http://SITE", site.url("").rstrip("/"))
    site.put(undated, html.replace('<div class="date-detail">Thứ Năm, 28/12/2017, 21:30 (GMT+7)</div>', ""))

    async def steps(crawler, archive):
        await crawler.crawl_once(config.sources)
        return archive.article(site.url(undated))

    row = asyncio.run(session(config, tmp_path / "a.db", clock, steps))
    assert row["published_at"] == "2017-12-28T21:30:00+07:00"  # from the Google News sitemap
    assert row["language"] == "vi"
