"""Issue 6, items 1-5: the fetcher against a misbehaving server on 127.0.0.x.

Every case ends in a clear FetchError subclass with a short reason. The bomb
tests measure the peak of Python allocations (tracemalloc) and print it; the
blocked-address tests prove the server saw zero connections.
"""

from __future__ import annotations

import asyncio
import tracemalloc

import pytest

from scraper.config import FetchConfig
from scraper.errors import (BlockedURL, FetchTimeout, NetworkError, TooLarge, TooManyRedirects)
from scraper.fetch import Fetcher
from scraper.netguard import Resolver
from tests.hostile_server import (GiB, KiB, MiB, broken_chunks, deflate_bomb, deflate_bytes, delay,  # noqa: F401
                                  echo, encoded, gzip_bomb, gzip_bytes, huge_headers,
                                  huge_length, lying_length, ok, redirect, redirect_endless_body,
                                  reset_mid_body, silent, trickle)

PAGE = b"<html><body><h1>Tin</h1><p>Noi dung</p></body></html>"
CAP = MiB


def config(**overrides) -> FetchConfig:
    values = {"allow_private_addresses": True, "timeout": 5.0, "connect_timeout": 2.0, "max_bytes": CAP}
    return FetchConfig(**{**values, **overrides})


def fetch(url: str, cfg: FetchConfig | None = None, *, resolver: Resolver | None = None, **kwargs):
    async def go():
        async with Fetcher(cfg or config(), resolver=resolver) as fetcher:
            return await fetcher.get(url, **kwargs)
    return asyncio.run(go())


def fetch_error(url: str, cfg: FetchConfig | None = None, **kwargs):
    """The FetchError a fetch of ``url`` ends with (the test fails if it succeeds)."""
    with pytest.raises(Exception) as caught:
        fetch(url, cfg, **kwargs)
    return caught.value


def peak_while(call) -> tuple[BaseException | None, int]:
    """Run ``call``; return what it raised and the peak of traced allocations."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    raised = None
    try:
        call()
    except Exception as exc:  # noqa: BLE001 - the caller checks the type
        raised = exc
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return raised, peak


def assert_bounded(name: str, raised, peak: int, expands_to: int) -> None:
    print(f"\n{name}: expands to {expands_to / MiB:.0f} MiB; cap {CAP / MiB:.0f} MiB; "
          f"peak traced memory {peak / MiB:.2f} MiB; error: {raised}")
    assert isinstance(raised, TooLarge), raised
    assert raised.reason == f"body over {CAP // MiB} MiB after decompression"
    assert peak < 4 * CAP


# --- 1. Limits ------------------------------------------------------------------

def test_total_deadline_covers_every_redirect_hop(hostile):
    server = hostile()
    for hop in range(4):  # each hop answers in 0.6 s, well under any per-read timeout
        server.route(f"/hop{hop}", delay(0.6, redirect(f"/hop{hop + 1}")))
    server.route("/hop4", ok(PAGE))
    error = fetch_error(server.url("/hop0"), config(timeout=1.5))
    assert isinstance(error, FetchTimeout)
    assert error.reason == "timed out after 1.5s"


def test_content_length_over_cap_is_refused_before_reading(hostile):
    server = hostile().route("/huge", huge_length(2**40))  # then holds the connection open
    error = fetch_error(server.url("/huge"))
    assert isinstance(error, TooLarge)  # reading would have run into the deadline instead
    assert error.reason == f"Content-Length {2**40} is over the 1 MiB limit"


def test_body_without_length_is_capped_while_streaming(hostile):
    body = b"<html>" + b"x" * (3 * MiB)
    server = hostile().route("/long", encoded(body, None, with_length=False))
    raised, peak = peak_while(lambda: fetch(server.url("/long")))
    print(f"\nplain 3 MiB body, cap 1 MiB: peak traced memory {peak / MiB:.2f} MiB")
    assert isinstance(raised, TooLarge)
    assert raised.reason == "body over 1 MiB"
    assert peak < 4 * CAP


def test_max_redirects_is_enforced_and_counted(hostile):
    server = hostile()
    for hop in range(12):
        server.route(f"/r{hop}", redirect(f"/r{hop + 1}"))
    server.route("/r12", ok(PAGE))
    error = fetch_error(server.url("/r0"), config(max_redirects=10))
    assert isinstance(error, TooManyRedirects)
    assert error.reason == "more than 10 redirects"
    assert sum(server.hits.values()) == 11  # the first request and ten redirects, no more
    page = fetch(server.url("/r2"), config(max_redirects=10))  # exactly ten redirects is fine
    assert page.redirects == 10 and page.content == PAGE


# --- 2. Bombs -------------------------------------------------------------------

def test_gzip_bomb_is_stopped_at_the_cap(hostile):
    bomb = gzip_bomb(1024)
    server = hostile().route("/bomb", encoded(bomb, "gzip", with_length=False))
    raised, peak = peak_while(lambda: fetch(server.url("/bomb")))
    assert_bounded(f"gzip bomb ({len(bomb) // KiB} KiB on the wire)", raised, peak, GiB)


def test_deflate_bomb_is_stopped_at_the_cap(hostile):
    bomb = deflate_bomb(1024)
    server = hostile().route("/bomb", encoded(bomb, "deflate", with_length=False))
    raised, peak = peak_while(lambda: fetch(server.url("/bomb")))
    assert_bounded(f"deflate bomb ({len(bomb) // KiB} KiB on the wire)", raised, peak, GiB)


def test_bomb_smaller_than_the_cap_on_the_wire_is_stopped(hostile):
    bomb = gzip_bomb(1024)  # ~1 MiB compressed: below a 2 MiB cap, Content-Length passes
    server = hostile().route("/bomb", encoded(bomb, "gzip"))
    cfg = config(max_bytes=2 * MiB)
    error = fetch_error(server.url("/bomb"), cfg)
    assert isinstance(error, TooLarge)
    assert error.reason == "body over 2 MiB after decompression"


@pytest.mark.parametrize("coding", ["br", "zstd", "compress", "gzip, br"])
def test_encoding_never_asked_for_is_refused(hostile, coding):
    server = hostile().route("/enc", encoded(b"\x1b\xff\xff\x7f" * 400, coding))
    error = fetch_error(server.url("/enc"))
    assert isinstance(error, NetworkError)
    assert error.reason == f"content encoding {coding.split(', ')[-1]!r} was not asked for"
    assert server.requests_to("/enc")[0].headers["accept-encoding"] == "gzip, deflate"


def test_stacked_encodings_bomb_is_stopped_at_the_cap(hostile):
    inner = gzip_bomb(1024)  # gzip(gzip(1 GiB of zeros)): a few KiB on the wire
    outer = gzip_bytes(inner)
    server = hostile().route("/bomb", encoded(outer, "gzip, gzip", with_length=False))
    raised, peak = peak_while(lambda: fetch(server.url("/bomb")))
    assert_bounded(f"stacked gzip bomb ({len(outer) // KiB} KiB on the wire)", raised, peak, GiB)


def test_mixed_stacked_deflate_over_gzip_bomb_is_stopped(hostile):
    outer = deflate_bytes(gzip_bomb(1024))
    server = hostile().route("/bomb", encoded(outer, "gzip, deflate", with_length=False))
    raised, peak = peak_while(lambda: fetch(server.url("/bomb")))
    assert_bounded(f"deflate over gzip bomb ({len(outer) // KiB} KiB on the wire)", raised, peak, GiB)


def test_too_many_stacked_encodings_are_refused(hostile):
    body = gzip_bytes(gzip_bytes(gzip_bytes(gzip_bytes(PAGE))))
    server = hostile().route("/deep", encoded(body, "gzip, gzip, gzip, gzip"))
    error = fetch_error(server.url("/deep"))
    assert isinstance(error, NetworkError)
    assert error.reason == "4 stacked content encodings (at most 3)"


def test_endless_empty_deflate_blocks_are_capped_on_the_wire(hostile):
    # Empty stored blocks expand to nothing: only the count of received bytes stops them.
    empty_block = b"\x00\x00\x00\xff\xff"
    body = empty_block * (300 * KiB)
    server = hostile().route("/empty", encoded(body, "deflate", with_length=False))
    error = fetch_error(server.url("/empty"))
    assert isinstance(error, TooLarge)
    assert error.reason == "body over 1 MiB"


def test_gzipped_sitemap_bomb_is_capped(hostile):
    server = hostile().route("/sitemap.xml.gz", encoded(gzip_bomb(64), None,
                                                        {"Content-Type": "application/x-gzip"}))
    error = fetch_error(server.url("/sitemap.xml.gz"), accept="xml")
    assert isinstance(error, TooLarge)
    assert error.reason == "body over 1 MiB after decompression"


# --- 3. Failures ----------------------------------------------------------------

def test_trickling_body_hits_the_total_deadline(hostile):
    server = hostile().route("/slow", trickle(total=100_000, every=0.05))
    error = fetch_error(server.url("/slow"), config(timeout=1.0))
    assert isinstance(error, FetchTimeout)
    assert error.reason == "timed out after 1s"


def test_headers_that_never_come_hit_the_deadline(hostile):
    server = hostile().route("/silent", silent)
    error = fetch_error(server.url("/silent"), config(timeout=1.0))
    assert isinstance(error, FetchTimeout)
    assert error.reason == "timed out after 1s"


def test_connection_reset_mid_body(hostile):
    server = hostile().route("/reset", reset_mid_body())
    error = fetch_error(server.url("/reset"))
    assert isinstance(error, NetworkError)
    assert error.reason == "connection reset"


def test_lying_content_length_longer_than_the_body(hostile):
    server = hostile().route("/lie", lying_length(50_000, PAGE))
    error = fetch_error(server.url("/lie"))
    assert isinstance(error, NetworkError)
    assert error.reason == "connection closed before the body ended"


def test_lying_content_length_shorter_does_not_poison_the_next_fetch(hostile):
    # The extra bytes stay on the kept-alive connection; the next request must not read them.
    server = hostile().route("/short", lying_length(10, PAGE, keep_alive=True)).route("/ok", ok(PAGE))

    async def go():
        async with Fetcher(config()) as fetcher:
            first = await fetcher.get(server.url("/short"))
            second = await fetcher.get(server.url("/ok"))
            return first, second
    first, second = asyncio.run(go())
    assert first.content == PAGE[:10]  # HTTP cannot tell; the extractor sees a stub
    assert second.content == PAGE
    assert server.connections == 2


def test_broken_chunking(hostile):
    server = hostile().route("/chunks", broken_chunks)
    error = fetch_error(server.url("/chunks"))
    assert isinstance(error, NetworkError)
    assert error.reason.startswith("broken HTTP response")


def test_200_kb_of_headers(hostile):
    server = hostile().route("/headers", huge_headers(200 * KiB))
    error = fetch_error(server.url("/headers"))
    assert isinstance(error, NetworkError)
    assert error.reason == "response headers too large"


def test_truncated_gzip_body(hostile):
    server = hostile().route("/cut", encoded(gzip_bytes(PAGE * 50)[:-30], "gzip"))
    error = fetch_error(server.url("/cut"))
    assert isinstance(error, NetworkError)
    assert error.reason == "gzip body ends early (truncated)"


def test_corrupt_gzip_body(hostile):
    server = hostile().route("/bad", encoded(b"\x1f\x8b\x08\x00" + b"garbage" * 20, "gzip"))
    error = fetch_error(server.url("/bad"))
    assert isinstance(error, NetworkError)
    assert error.reason == "corrupt gzip body"


# --- 4. Redirects ---------------------------------------------------------------

def test_redirects_are_followed_hop_by_hop(hostile):
    server = hostile()
    server.route("/a", redirect("/b", 301)).route("/b", redirect("c", 303))
    server.route("/c", redirect(server.url("/d"), 308)).route("/d", ok(PAGE))
    page = fetch(server.url("/a"))
    assert page.redirects == 3
    assert page.url == server.url("/d")
    assert page.requested_url == server.url("/a")
    assert [r.path for r in server.requests] == ["/a", "/b", "/c", "/d"]


def test_redirect_body_is_never_read(hostile):
    # A redirect with an endless body: reading it would run into the deadline or the cap.
    server = hostile().route("/a", redirect_endless_body("/b")).route("/b", ok(PAGE))
    page = fetch(server.url("/a"), config(timeout=3.0))
    assert page.content == PAGE and page.redirects == 1


@pytest.mark.parametrize("location", [
    "file:///etc/passwd",
    "data:text/html,<h1>hi</h1>",
    "ftp://127.0.0.1/pub/file",
    "javascript:alert(1)",
    "gopher://127.0.0.1:70/",
])
def test_redirect_to_a_non_http_scheme_is_refused(hostile, location):
    server = hostile().route("/a", redirect(location))
    error = fetch_error(server.url("/a"))
    assert isinstance(error, BlockedURL)
    scheme = location.split(":", 1)[0]
    assert error.reason == f"blocked: {scheme}: is not http or https"


def test_redirect_loop_stops_at_the_cap(hostile):
    server = hostile().route("/a", redirect("/b")).route("/b", redirect("/a"))
    error = fetch_error(server.url("/a"), config(max_redirects=5))
    assert isinstance(error, TooManyRedirects)
    assert error.reason == "more than 5 redirects (a loop)"
    assert sum(server.hits.values()) == 6


def test_credentials_and_cookies_are_not_sent_cross_origin(hostile):
    home, other = hostile("127.0.0.1"), hostile("127.0.0.2")
    other.route("/echo", echo)
    home.route("/same", redirect("/echo", headers={"Set-Cookie": "session=s3cret; Path=/"}))
    home.route("/away", redirect(other.url("/echo"), headers={"Set-Cookie": "session=s3cret; Path=/"}))
    home.route("/echo", echo)
    userinfo_url = home.url("/same").replace("http://", "http://reader:pa%40ss@")
    fetch(userinfo_url, accept="any")
    fetch(home.url("/away").replace("http://", "http://reader:pa%40ss@"), accept="any")

    same = home.requests_to("/echo")[0].headers
    assert same["authorization"] == "Basic cmVhZGVyOnBhQHNz"  # reader:pa@ss, same origin
    assert same["cookie"] == "session=s3cret"
    crossed = other.requests_to("/echo")[0].headers
    assert "authorization" not in crossed
    assert "cookie" not in crossed


def test_cookies_do_not_leak_between_fetches(hostile):
    server = hostile().route("/set", redirect("/echo", headers={"Set-Cookie": "id=1; Path=/"}))
    server.route("/echo", echo)

    async def go():
        async with Fetcher(config()) as fetcher:
            await fetcher.get(server.url("/set"), accept="any")
            await fetcher.get(server.url("/echo"), accept="any")
    asyncio.run(go())
    first, second = server.requests_to("/echo")
    assert first.headers.get("cookie") == "id=1"
    assert "cookie" not in second.headers


def test_redirect_to_a_private_address_is_blocked_on_the_hop(hostile):
    # 127.0.0.1 stands in for a public site (permitted by address); 127.0.0.2 is the private target.
    public, private = hostile("127.0.0.1"), hostile("127.0.0.2")
    private.route("/admin", ok(b"<html>secret</html>"))
    public.route("/go", redirect(private.url("/admin")))
    resolver = Resolver(allow_private=False, permit={"127.0.0.1"})
    error = fetch_error(public.url("/go"), config(allow_private_addresses=False), resolver=resolver)
    assert isinstance(error, BlockedURL)
    assert error.reason == "blocked: 127.0.0.2 is not a public address"
    assert public.hits["/go"] == 1
    assert private.connections == 0


@pytest.mark.parametrize("target", [
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
    "http://[::ffff:127.0.0.2]/",
    "http://2130706434/",  # 127.0.0.2 in decimal
    "http://[::1]/",
])
def test_redirect_to_each_private_form_is_blocked(hostile, target):
    public = hostile("127.0.0.1")
    public.route("/go", redirect(target))
    resolver = Resolver(allow_private=False, permit={"127.0.0.1"})
    error = fetch_error(public.url("/go"), config(allow_private_addresses=False), resolver=resolver)
    assert isinstance(error, BlockedURL)
    assert error.reason.endswith("is not a public address")


# --- 5. Non-global targets ------------------------------------------------------

@pytest.mark.parametrize("host", [
    "127.0.0.1", "localhost", "2130706433", "0177.0.0.1", "0x7f.0.0.1", "0x7f000001", "127.1",
    "[::ffff:127.0.0.1]", "[::1]", "0.0.0.0", "0",
])
def test_loopback_forms_are_blocked_with_zero_connections(hostile, host):
    server = hostile().route("/", ok(PAGE))
    error = fetch_error(f"http://{host}:{server.port}/", config(allow_private_addresses=False))
    assert isinstance(error, BlockedURL)
    assert error.reason.startswith("blocked: ") and error.reason.endswith("is not a public address")
    assert server.connections == 0


@pytest.mark.parametrize("address", [
    "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "198.18.0.1",
    "[fe80::1]", "[fc00::1]", "224.0.0.1", "255.255.255.255", "[::]",
])
def test_private_and_reserved_ranges_are_blocked(address):
    error = fetch_error(f"http://{address}/", config(allow_private_addresses=False, timeout=2.0))
    assert isinstance(error, BlockedURL)
    assert error.reason == f"blocked: {address.strip('[]')} is not a public address"


def test_allow_private_addresses_lets_tests_reach_loopback(hostile):
    server = hostile().route("/", ok(PAGE))
    assert fetch(server.url("/"), config(allow_private_addresses=True)).content == PAGE
    assert server.connections == 1
