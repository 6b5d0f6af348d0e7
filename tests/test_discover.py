"""Discovery parses feeds, sitemaps and listings into candidate URLs, safely."""

from __future__ import annotations

import gzip

import pytest

from scraper.discover import admit, parse_feed, parse_listing, parse_sitemap
from scraper.errors import ExtractError, TooLarge

BASE = "https://baohagiang.vn/"

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Báo Hà Giang</title><language>vi</language>
<item><title>Công đoàn Viên chức tỉnh</title><link>https://baohagiang.vn/xa-hoi/cong-doan.html?utm_source=rss</link>
<pubDate>Wed, 06 Dec 2017 08:05:00 +0700</pubDate></item>
<item><title>Tương đối</title><link>/kinh-te/tuong-doi.html</link></item>
<item><title>Lạ</title><link>javascript:alert(1)</link></item>
</channel></rss>""".encode()

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://baohagiang.vn/a.html</loc><news:news><news:publication><news:name>BHG</news:name>
<news:language>vi</news:language></news:publication>
<news:publication_date>2025-05-09T11:02:00+07:00</news:publication_date><news:title>Tin A</news:title></news:news></url>
<url><loc>https://baohagiang.vn/b.html</loc><lastmod>2025-05-08</lastmod></url>
</urlset>"""

INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://baohagiang.vn/sitemap-1.xml.gz</loc></sitemap></sitemapindex>"""


def test_feed_entries_carry_title_date_and_language_and_are_canonical():
    found = parse_feed(RSS, BASE + "rss/home.rss")
    assert [c.url for c in found] == ["https://baohagiang.vn/xa-hoi/cong-doan.html",
                                      "https://baohagiang.vn/kinh-te/tuong-doi.html"]
    assert found[0].title == "Công đoàn Viên chức tỉnh" and found[0].language == "vi"
    assert found[0].published_at.isoformat() == "2017-12-06T08:05:00+07:00"


def test_google_news_sitemap_gives_title_date_language():
    page = parse_sitemap(NEWS_SITEMAP, BASE)
    first = page.candidates[0]
    assert (first.url, first.title, first.language) == ("https://baohagiang.vn/a.html", "Tin A", "vi")
    assert first.published_at.isoformat() == "2025-05-09T11:02:00+07:00"
    assert len(page.candidates) == 2 and page.sitemaps == []


def test_sitemap_index_and_gzipped_sitemaps():
    assert parse_sitemap(INDEX, BASE).sitemaps == ["https://baohagiang.vn/sitemap-1.xml.gz"]
    assert len(parse_sitemap(gzip.compress(NEWS_SITEMAP), BASE).candidates) == 2


def test_gzipped_sitemap_bomb_is_capped():
    bomb = gzip.compress(b"<urlset>" + b" " * (60 * 2**20) + b"</urlset>")
    with pytest.raises(TooLarge):
        parse_sitemap(bomb, BASE)


@pytest.mark.parametrize("payload", [
    b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><urlset><url><loc>&b;</loc></url></urlset>',
    b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY x SYSTEM "file:///etc/passwd">]><urlset><url><loc>&x;</loc></url></urlset>',
    b'<?xml version="1.0"?><!DOCTYPE l SYSTEM "http://127.0.0.1:1/evil.dtd"><urlset/>',
])
def test_hostile_xml_expands_nothing(payload):
    with pytest.raises(ExtractError):
        parse_sitemap(payload, BASE)


def test_feed_with_external_entity_reads_no_file():
    evil = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>' \
           b'<rss><channel><item><title>&x;</title><link>https://baohagiang.vn/x.html</link></item></channel></rss>'
    for candidate in parse_feed(evil, BASE):
        assert "root:" not in (candidate.title or "")


def test_listing_by_selector_and_by_pattern():
    html = """<nav><a href="/lien-he.html">Liên hệ</a></nav>
      <h3 class="title"><a href="/xa-hoi/a-1.html">A</a></h3><h3 class="title"><a href="/xa-hoi/b-2.html">B</a></h3>
      <a href="/xa-hoi/a-1.html#comments">A again</a>"""
    by_css = parse_listing(html, BASE, links="h3.title a")
    assert [c.url for c in by_css] == [BASE + "xa-hoi/a-1.html", BASE + "xa-hoi/b-2.html"]
    by_regex = parse_listing(html, BASE, pattern=r"-\d+\.html$")
    assert [c.url for c in by_regex] == [BASE + "xa-hoi/a-1.html", BASE + "xa-hoi/b-2.html"]


def test_allow_and_deny_patterns():
    found = parse_feed(RSS, BASE)
    assert [c.url for c in admit(found, allow=[r"/xa-hoi/"], deny=[])] == [BASE + "xa-hoi/cong-doan.html"]
    assert [c.url for c in admit(found, allow=[], deny=[r"/xa-hoi/"])] == [BASE + "kinh-te/tuong-doi.html"]
