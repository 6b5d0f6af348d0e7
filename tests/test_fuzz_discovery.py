"""Issue 6 item 10: Hypothesis fuzzes feed, sitemap and listing parsing and URL
canonicalisation. Whatever the bytes, they raise nothing but our own errors
(``ScraperError``), and canonical URLs are stable.

(``extract`` is fuzzed in tests/test_extract_properties.py.)
"""

from __future__ import annotations

import gzip
from urllib.parse import urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper import urls
from scraper.discover import parse_feed, parse_listing, parse_sitemap
from scraper.errors import BlockedURL, ScraperError

BASE = "https://baohagiang.vn/tin/"
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_URLISH = st.one_of(
    st.text(max_size=60),
    st.builds(lambda scheme, user, host, port, path, query, frag: f"{scheme}{user}{host}{port}{path}{query}{frag}",
              st.sampled_from(["http://", "https://", "HTTP://", "//", "", "javascript:", "file:///", "ftp://",
                               "http:\\\\", "data:,", "http:/"]),
              st.sampled_from(["", "user:pass@", "a@b@", "@", "%40:x@"]),
              st.sampled_from(["baohagiang.vn", "BÁO.vn", "xn--bo-lia.vn", "127.0.0.1", "[::1]", "[::1",
                               "0x7f.1", "a..b", "", " ", "host.", "xn--", "ex ample.com", "\u3002.vn"]),
              st.sampled_from(["", ":80", ":443", ":0", ":99999", ":-1", ":abc", ":"]),
              st.text(alphabet="/.%2eE?#abc\u1ea1 &=;\\\t\n\x00", max_size=30),
              st.sampled_from(["", "?utm_source=x&b=1&a=2", "?a=%zz", "?%", "?&&=", "?a=1;b=2"]),
              st.sampled_from(["", "#top", "#"])),
)


def _our_errors_only(call) -> None:
    try:
        call()
    except ScraperError:
        pass


@FAST
@given(st.binary(max_size=3000))
def test_feed_parsing_of_any_bytes_raises_nothing(data):
    for candidate in parse_feed(data, BASE):
        assert urlsplit(candidate.url).scheme in ("http", "https")


@st.composite
def feed_text(draw) -> bytes:
    entries = "".join(
        f"<item><title>{draw(st.text(max_size=20))}</title><link>{draw(_URLISH)}</link>"
        f"<pubDate>{draw(st.text(max_size=30))}</pubDate></item>"
        for _ in range(draw(st.integers(0, 5))))
    head = draw(st.sampled_from(['<?xml version="1.0"?>', '<?xml version="1.0" encoding="windows-1258"?>', "",
                                "<!DOCTYPE rss [<!ENTITY a 'b'>]>"]))
    return (head + f"<rss version='2.0'><channel><language>{draw(st.text(max_size=5))}</language>"
            f"{entries}</channel></rss>").encode("utf-8", "surrogatepass")


@FAST
@given(feed_text())
def test_feed_parsing_of_feed_shaped_text_keeps_only_canonical_http_links(data):
    for candidate in parse_feed(data, BASE):
        assert urlsplit(candidate.url).scheme in ("http", "https")
        assert urls.canonical(candidate.url) == candidate.url


@FAST
@given(st.binary(max_size=3000))
def test_sitemap_parsing_of_any_bytes_raises_only_our_errors(data):
    _our_errors_only(lambda: parse_sitemap(data, BASE))


@FAST
@given(st.binary(max_size=2000), st.integers(0, 40))
def test_gzipped_and_corrupt_gzip_sitemaps_raise_only_our_errors(data, cut):
    packed = gzip.compress(data)
    for blob in (packed, packed[:cut], packed[:10] + data, b"\x1f\x8b" + data):
        _our_errors_only(lambda b=blob: parse_sitemap(b, BASE))


@st.composite
def sitemap_text(draw) -> bytes:
    kind = draw(st.sampled_from(["urlset", "sitemapindex"]))
    inner = "sitemap" if kind == "sitemapindex" else "url"
    body = "".join(f"<{inner}><loc>{draw(_URLISH)}</loc><lastmod>{draw(st.text(max_size=25))}</lastmod></{inner}>"
                   for _ in range(draw(st.integers(0, 5))))
    return (f'<?xml version="1.0"?><{kind} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</{kind}>'
            .encode("utf-8", "surrogatepass"))


@FAST
@given(sitemap_text())
def test_sitemap_shaped_text_yields_only_canonical_http_links(data):
    try:
        page = parse_sitemap(data, BASE)
    except ScraperError:
        return
    for url in [c.url for c in page.candidates] + page.sitemaps:
        assert urlsplit(url).scheme in ("http", "https")
        assert urls.canonical(url) == url


@FAST
@given(st.text(max_size=2000), st.sampled_from([None, "a", "h3.title a", "div > a[href]", "a:not([rel])"]),
       st.sampled_from([None, r"\.html$", r"/tin/"]))
def test_listing_parsing_of_any_text_raises_nothing(html, links, pattern):
    for candidate in parse_listing(html, BASE, links=links, pattern=pattern):
        assert urlsplit(candidate.url).scheme in ("http", "https")


@FAST
@given(_URLISH, st.sampled_from([None, BASE, "http://127.0.0.1:8000/a/b?c=d"]))
def test_url_check_raises_only_blocked_url(url, base):
    _our_errors_only(lambda: urls.check(url))


@FAST
@given(_URLISH, st.sampled_from([None, BASE]))
def test_canonical_urls_are_stable_and_clean(url, base):
    """A URL that passes ``check`` canonicalises without error, to a URL that passes
    ``check`` again, has no userinfo, fragment or dot segment, and is a fixed point."""
    try:
        absolute = urls.check(url if base is None else urls.urljoin(base, url))
    except (BlockedURL, ValueError):  # ValueError: urljoin refuses it ("Invalid IPv6 URL")
        return
    try:
        once = urls.canonical(absolute)
        urls.check(once)
    except ScraperError:
        return
    parts = urlsplit(once)
    assert "@" not in parts.netloc and not parts.fragment
    assert "/../" not in parts.path and "/./" not in parts.path
    assert urls.canonical(once) == once
