"""The fetcher's ordinary behaviour against a real server on 127.0.0.1:
pages, conditional GETs, statuses, content types, codings, one shared client.
The hostile cases are in test_fetch_hostile.py."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from scraper.config import FetchConfig
from scraper.errors import FetchTimeout, HTTPStatusError, NetworkError, NotHTML
from scraper.fetch import Fetcher, decompress, human_size, parse_retry_after
from scraper.models import Validators
from tests.hostile_server import (MiB, deflate_bytes, echo, encoded, gzip_bytes, head, # noqa: F401
                                  ok, status)

PAGE = "<html><head><title>Tin mới</title></head><body><p>Hà Giang</p></body></html>".encode()


def config(**overrides) -> FetchConfig:
    values = {"allow_private_addresses": True, "timeout": 5.0, "connect_timeout": 2.0}
    return FetchConfig(**{**values, **overrides})


def fetch(url: str, cfg: FetchConfig | None = None, **kwargs):
    async def go():
        async with Fetcher(cfg or config()) as fetcher:
            return await fetcher.get(url, **kwargs)
    return asyncio.run(go())


def conditional(client, request, server):
    """ETag "v1": answer 304 to a matching If-None-Match, else the page."""
    if request.headers.get("if-none-match") == '"v1"':
        client.sendall(head(304, {"ETag": '"v1"'}))
        return True
    client.sendall(head(200, {"ETag": '"v1"', "Last-Modified": "Tue, 01 Sep 2026 08:00:00 GMT"},
                        length=len(PAGE)) + PAGE)
    return True


def test_page_has_content_lowercased_headers_and_timing(hostile):
    server = hostile().route("/a", ok(PAGE, {"X-Custom-Header": "yes", "ETag": '"e1"'}))
    page = fetch(server.url("/a"))
    assert page.status == 200
    assert page.content == PAGE
    assert page.url == page.requested_url == server.url("/a")
    assert page.headers["x-custom-header"] == "yes"
    assert all(key == key.lower() for key in page.headers)
    assert page.validators == Validators(etag='"e1"')
    assert page.redirects == 0
    assert page.elapsed_ms >= 0
    assert page.fetched_at.tzinfo is not None


def test_user_agent_and_accept_encoding_are_ours(hostile):
    server = hostile().route("/a", echo)
    cfg = config(contact="https://example.org/contact")
    fetch(server.url("/a"), cfg, accept="any")
    sent = server.requests_to("/a")[0].headers
    assert sent["user-agent"] == cfg.user_agent_header
    assert "https://example.org/contact" in sent["user-agent"]
    assert sent["accept-encoding"] == "gzip, deflate"
    assert sent["accept"] == "*/*"
    assert "authorization" not in sent and "cookie" not in sent


def test_conditional_get_returns_304_page_without_content(hostile):
    server = hostile().route("/a", conditional)
    first = fetch(server.url("/a"))
    assert first.status == 200 and first.validators.etag == '"v1"'
    again = fetch(server.url("/a"), validators=first.validators)
    assert again.status == 304
    assert again.content == b""
    sent = server.requests_to("/a")[1].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Tue, 01 Sep 2026 08:00:00 GMT"


@pytest.mark.parametrize("code", [403, 404, 410, 500, 502])
def test_error_status_raises_http_status_error(hostile, code):
    server = hostile().route("/a", status(code))
    with pytest.raises(HTTPStatusError) as caught:
        fetch(server.url("/a"))
    assert caught.value.status == code
    assert caught.value.reason == f"HTTP {code}"
    assert caught.value.retry_after is None


def test_retry_after_seconds_and_date_are_parsed(hostile):
    now = datetime(2026, 9, 1, 8, 0, tzinfo=timezone.utc)
    later = format_datetime(now + timedelta(minutes=2), usegmt=True)
    server = hostile().route("/s", status(429, {"Retry-After": "120"}))
    server.route("/d", status(503, {"Retry-After": later}))

    async def go():
        async with Fetcher(config(), now=lambda: now) as fetcher:
            errors = []
            for path in ("/s", "/d"):
                with pytest.raises(HTTPStatusError) as caught:
                    await fetcher.get(server.url(path))
                errors.append(caught.value)
            return errors
    seconds, dated = asyncio.run(go())
    assert (seconds.status, seconds.retry_after) == (429, 120.0)
    assert (dated.status, dated.retry_after) == (503, 120.0)


def test_parse_retry_after_rejects_garbage():
    now = datetime(2026, 9, 1, tzinfo=timezone.utc)
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("-5", now) is None
    assert parse_retry_after(None, now) is None
    assert parse_retry_after("Mon, 31 Aug 2026 00:00:00 GMT", now) == 0.0


def test_non_html_is_refused_for_pages_but_not_for_feeds(hostile):
    server = hostile().route("/img", ok(b"\x89PNG....", {"Content-Type": "image/png"}))
    server.route("/feed", ok(b"<rss/>", {"Content-Type": "application/rss+xml"}))
    server.route("/robots.txt", ok(b"User-agent: *", {"Content-Type": "text/plain"}))
    with pytest.raises(NotHTML, match="not HTML: application/rss"):
        fetch(server.url("/feed"))
    with pytest.raises(NotHTML, match="image/png"):
        fetch(server.url("/img"), accept="xml")
    assert fetch(server.url("/feed"), accept="xml").content == b"<rss/>"
    assert fetch(server.url("/robots.txt"), accept="any").content == b"User-agent: *"


@pytest.mark.parametrize("coding,encode", [
    ("gzip", gzip_bytes),
    ("x-gzip", gzip_bytes),
    ("deflate", deflate_bytes),
    ("deflate", lambda data: deflate_bytes(data)[2:-4]),  # raw deflate, as some servers send
    ("gzip", lambda data: gzip_bytes(data[:10]) + gzip_bytes(data[10:])),  # two gzip members
    ("gzip, deflate", lambda data: deflate_bytes(gzip_bytes(data))),
    ("identity", lambda data: data),
])
def test_content_codings_are_undone(hostile, coding, encode):
    server = hostile().route("/a", encoded(encode(PAGE), coding))
    assert fetch(server.url("/a")).content == PAGE


def test_gzipped_sitemap_file_is_gunzipped_for_xml(hostile):
    sitemap = b"<?xml version='1.0'?><urlset></urlset>"
    server = hostile().route("/sitemap.xml.gz", ok(gzip_bytes(sitemap), {"Content-Type": "application/x-gzip"}))
    assert fetch(server.url("/sitemap.xml.gz"), accept="xml").content == sitemap


def test_connections_are_not_kept_between_fetches(hostile):
    """A fresh connection per fetch: leftovers of a lying server never leak into the next one."""
    server = hostile().route("/a", ok(PAGE)).route("/b", ok(PAGE))

    async def go():
        async with Fetcher(config()) as fetcher:
            for path in ("/a", "/b", "/a"):
                await fetcher.get(server.url(path))
    asyncio.run(go())
    assert sum(server.hits.values()) == 3
    assert server.connections == 3


def test_concurrent_fetches_share_one_fetcher(hostile):
    server = hostile().route("/a", ok(PAGE))

    async def go():
        async with Fetcher(config()) as fetcher:
            return await asyncio.gather(*(fetcher.get(server.url("/a")) for _ in range(8)))
    pages = asyncio.run(go())
    assert [p.content for p in pages] == [PAGE] * 8


def test_connection_refused_is_a_network_error(hostile):
    server = hostile()
    url = server.url("/a")
    server.close()
    with pytest.raises(NetworkError) as caught:
        fetch(url)
    assert caught.value.reason == "connection refused"


def test_unknown_host_is_a_dns_failure():
    with pytest.raises((NetworkError, FetchTimeout)) as caught:
        fetch("http://no-such-host.invalid/", config(allow_private_addresses=False, timeout=5.0))
    if isinstance(caught.value, NetworkError):
        assert "DNS lookup failed" in caught.value.reason


def test_decompress_helper_and_sizes():
    assert decompress(gzip_bytes(b"x" * 1000), ["gzip"], 1000) == b"x" * 1000
    assert human_size(10 * MiB) == "10 MiB"
    assert human_size(500 * 1024) == "500 KiB"
    assert human_size(1000) == "1000 bytes"


def test_refusals_after_an_answer_carry_its_status(hostile):
    """A PDF, an oversized page or a redirect loop is the page's fault, not the host's:
    the error says which status the server answered, so politeness does not back off."""
    from scraper.errors import TooLarge, TooManyRedirects
    from tests.hostile_server import redirect

    server = hostile().route("/pdf", ok(b"%PDF-1.4", {"Content-Type": "application/pdf"}))
    server.route("/big", ok(b"x" * 2048)).route("/loop", redirect("/loop", 301))
    with pytest.raises(NotHTML) as not_html:
        fetch(server.url("/pdf"))
    with pytest.raises(TooLarge) as too_large:
        fetch(server.url("/big"), config(max_bytes=1024))
    with pytest.raises(TooManyRedirects) as loop:
        fetch(server.url("/loop"), config(max_redirects=2))
    assert (not_html.value.status, too_large.value.status, loop.value.status) == (200, 200, 301)
