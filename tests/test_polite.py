"""Politeness against real local servers, with virtual time.

``FakeClock`` is a clock object the test advances: ``Politeness`` sleeps on
it, and ``FakeClock.run`` jumps virtual time to the next sleeper whenever the
tasks are all waiting. Requests are real HTTP requests to servers on
127.0.0.x; spacing is read from the virtual clock, counts from the servers.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math

import pytest

from scraper.config import FetchConfig
from scraper.errors import FetchError, HTTPStatusError
from scraper.fetch import Fetcher
from scraper.polite import (MAX_CRAWL_DELAY, ROBOTS_RETRY, Politeness, host_key, is_host_error,
                            robots_agent, robots_url)
from tests.hostile_server import KiB, MiB, delay, head, ok, redirect, silent, status  # noqa: F401

PAGE = b"<html><body><p>tin</p></body></html>"


class FakeClock:
    """Virtual monotonic seconds; ``sleep`` waits until the test moves time past it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.busy = 0
        self._sleepers: list[tuple[float, int, asyncio.Future]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(seconds, 0.0), next(self._order), future))
        await future

    def advance(self, seconds: float) -> None:
        """Move time forward (no sleeper may be due in between)."""
        self.now += seconds

    async def run(self, main, until: float = math.inf, settle: float = 0.01):
        """Run ``main``; whenever nothing else can happen, wake the next sleeper.
        Time stands still while a request is in flight (``busy``). At ``until``
        (virtual) the remaining work is cancelled."""
        task = asyncio.ensure_future(main)
        while not task.done():
            await asyncio.sleep(settle)  # real time: local I/O proceeds
            for _ in range(50):  # woken tasks run on to their next wait
                await asyncio.sleep(0)
            if task.done() or self.busy:
                continue
            if self._sleepers and self._sleepers[0][0] <= until:
                wake, _, future = heapq.heappop(self._sleepers)
                self.now = max(self.now, wake)
                if not future.cancelled():
                    future.set_result(None)
            elif until < math.inf:
                self.now = until
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                return None
        return task.result()


class ClockedFetcher(Fetcher):
    """The real Fetcher; virtual time stands still while it talks to a server."""

    def __init__(self, config: FetchConfig, clock: FakeClock) -> None:
        super().__init__(config)
        self.virtual = clock

    async def get(self, *args, **kwargs):
        self.virtual.busy += 1
        try:
            return await super().get(*args, **kwargs)
        finally:
            self.virtual.busy -= 1


def config(**overrides) -> FetchConfig:
    values = {"allow_private_addresses": True, "timeout": 5.0, "host_delay": 1.0}
    return FetchConfig(**{**values, **overrides})


def robots(text: str):
    return ok(text.encode(), {"Content-Type": "text/plain"})


async def visit(polite: Politeness, fetcher: Fetcher, url: str, stamps: list | None = None):
    """What a crawler does for one URL: robots, the host's slot, the fetch, the record."""
    if not await polite.allowed(url):
        return "disallowed"
    async with polite.slot(url):
        if stamps is not None:
            stamps.append((host_key(url), polite.clock()))
        try:
            page = await fetcher.get(url)
        except HTTPStatusError as exc:
            polite.record(url, status=exc.status, retry_after=exc.retry_after, error=True)
            return exc.status
        except FetchError:
            polite.record(url, error=True)
            return "error"
    polite.record(url, status=page.status)
    return page.status


def run(test, cfg: FetchConfig | None = None, until: float = math.inf, **kwargs):
    """Run ``test(polite, fetcher, clock)`` in virtual time with a real Fetcher."""
    clock = FakeClock()

    async def main():
        async with ClockedFetcher(cfg or config(), clock) as fetcher:
            polite = Politeness(cfg or config(), fetcher, clock=clock, sleep=clock.sleep, **kwargs)
            return await clock.run(test(polite, fetcher, clock), until=until)
    return asyncio.run(main()), clock


# --- robots.txt -------------------------------------------------------------------

def test_robots_disallow_is_obeyed_and_robots_is_fetched_once(hostile):
    server = hostile().route("/robots.txt", robots("User-agent: *\nDisallow: /private/\n"))
    server.route("/news/1", ok(PAGE)).route("/private/1", ok(PAGE))

    async def test(polite, fetcher, clock):
        return [await visit(polite, fetcher, server.url(p)) for p in ("/news/1", "/private/1", "/news/1")]
    results, _ = run(test)
    assert results == [200, "disallowed", 200]
    assert server.hits["/private/1"] == 0
    assert server.hits["/robots.txt"] == 1


def test_robots_group_naming_our_agent_applies(hostile):
    server = hostile().route("/robots.txt", robots(
        "User-agent: scraper\nDisallow: /\n\nUser-agent: *\nAllow: /\n"))

    async def test(polite, fetcher, clock):
        return await polite.allowed(server.url("/a")), polite.agent
    (allowed, agent), _ = run(test)
    assert agent == "scraper"
    assert allowed is False


@pytest.mark.parametrize("code", [401, 403, 404, 410])
def test_robots_4xx_allows_all(hostile, code):
    server = hostile().route("/robots.txt", status(code))

    async def test(polite, fetcher, clock):
        return await polite.allowed(server.url("/a")), (await polite.robots(server.url("/a"))).reason
    (allowed, reason), _ = run(test)
    assert allowed is True
    assert reason == f"robots.txt answered HTTP {code}"


@pytest.mark.parametrize("code", [500, 503, 429])
def test_robots_5xx_disallows_for_a_while_then_is_fetched_again(hostile, code):
    server = hostile().route("/robots.txt", status(code))

    async def test(polite, fetcher, clock):
        url = server.url("/a")
        first = await polite.allowed(url)
        still = await polite.allowed(url)
        hits_while_cached = server.hits["/robots.txt"]
        server.route("/robots.txt", robots("User-agent: *\nDisallow:\n"))
        clock.advance(ROBOTS_RETRY + 1)
        return first, still, hits_while_cached, await polite.allowed(url)
    (first, still, cached_hits, later), _ = run(test)
    assert (first, still) == (False, False)
    assert cached_hits == 1
    assert later is True
    assert server.hits["/robots.txt"] == 2


def test_robots_that_times_out_disallows(hostile):
    server = hostile().route("/robots.txt", silent)

    async def test(polite, fetcher, clock):
        return await polite.allowed(server.url("/a")), (await polite.robots(server.url("/a"))).reason
    (allowed, reason), _ = run(test, config(timeout=1.0))
    assert allowed is False
    assert reason == "robots.txt unreachable: timed out after 1s"


def test_unreachable_robots_disallows(hostile):
    server = hostile()
    url = server.url("/a")
    server.close()

    async def test(polite, fetcher, clock):
        return await polite.allowed(url), (await polite.robots(url)).reason
    (allowed, reason), _ = run(test)
    assert allowed is False
    assert reason == "robots.txt unreachable: connection refused"


@pytest.mark.parametrize("max_bytes", [10 * MiB, 1 * MiB])
def test_robots_over_500_kib_has_its_first_500_kib_parsed(hostile, max_bytes):
    filler = "# " + "x" * 97 + "\n"
    text = ("User-agent: *\nDisallow: /early\n" + filler * (6 * 1024)  # ~600 KiB of comments
            + "Disallow: /late\n" + filler * (30 * 1024 if max_bytes == MiB else 0))
    server = hostile().route("/robots.txt", robots(text))

    async def test(polite, fetcher, clock):
        return await polite.allowed(server.url("/early/1")), await polite.allowed(server.url("/late/1"))
    (early, late), _ = run(test, config(max_bytes=max_bytes))
    assert len(text) > 500 * KiB
    assert early is False   # within the first 500 KiB
    assert late is True     # beyond them: never parsed


def test_robots_redirects_are_followed_up_to_five_hops(hostile):
    server = hostile()
    server.route("/robots.txt", redirect("/r1"))
    for hop in range(1, 5):
        server.route(f"/r{hop}", redirect(f"/r{hop + 1}"))
    server.route("/r5", robots("User-agent: *\nDisallow: /x\n"))

    async def test(polite, fetcher, clock):
        return await polite.allowed(server.url("/x"))
    allowed, _ = run(test)
    assert allowed is False  # five hops: the rules were reached and apply


def test_robots_redirecting_more_than_five_times_is_given_up(hostile):
    server = hostile()
    server.route("/robots.txt", redirect("/r1"))
    for hop in range(1, 20):
        server.route(f"/r{hop}", redirect(f"/r{hop + 1}"))

    async def test(polite, fetcher, clock):
        return await polite.allowed(server.url("/x")), (await polite.robots(server.url("/x"))).reason
    (allowed, reason), _ = run(test)
    assert sum(server.hits.values()) == 6  # robots.txt and five redirects, not twenty
    assert allowed is True  # RFC 9309: unavailable, as if 4xx
    assert reason == "robots.txt redirects more than 5 times"


def test_robots_is_fetched_once_by_concurrent_askers(hostile):
    server = hostile().route("/robots.txt", delay(0.2, robots("User-agent: *\nDisallow: /p\n")))

    async def test(polite, fetcher, clock):
        return await asyncio.gather(*(polite.allowed(server.url(f"/p{i % 2}")) for i in range(20)))
    answers, _ = run(test)
    assert answers == [False] * 20
    assert server.hits["/robots.txt"] == 1


def test_crawl_delay_raises_the_host_spacing(hostile):
    server = hostile().route("/robots.txt", robots("User-agent: *\nCrawl-delay: 7\n"))
    server.route("/a", ok(PAGE))

    async def test(polite, fetcher, clock):
        stamps: list = []
        for _ in range(3):
            await visit(polite, fetcher, server.url("/a"), stamps)
        return [t for _, t in stamps], polite.delay(server.url("/a"))
    (times, spacing), _ = run(test)
    assert spacing == 7.0
    assert [b - a for a, b in zip(times, times[1:], strict=False)] == [7.0, 7.0]


def test_huge_crawl_delay_is_capped(hostile):
    server = hostile().route("/robots.txt", robots("User-agent: *\nCrawl-delay: 86400\n"))

    async def test(polite, fetcher, clock):
        await polite.allowed(server.url("/a"))
        return polite.delay(server.url("/a"))
    spacing, _ = run(test)
    assert spacing == MAX_CRAWL_DELAY


def test_robots_can_be_switched_off(hostile):
    server = hostile().route("/robots.txt", robots("User-agent: *\nDisallow: /\n"))

    async def test(polite, fetcher, clock):
        return await polite.allowed(server.url("/a"))
    allowed, _ = run(test, config(obey_robots=False))
    assert allowed is True
    assert server.hits["/robots.txt"] == 0


# --- spacing ----------------------------------------------------------------------

def test_per_host_spacing_holds_while_other_hosts_proceed(hostile):
    servers = [hostile(f"127.0.0.{i}") for i in (1, 2, 3)]
    for server in servers:
        server.route("/robots.txt", status(404)).route("/a", ok(PAGE))

    async def test(polite, fetcher, clock):
        stamps: list = []
        await asyncio.gather(*(visit(polite, fetcher, s.url("/a"), stamps)
                               for s in servers for _ in range(3)))
        return stamps
    stamps, _ = run(test, config(host_delay=10.0))
    by_host: dict[str, list[float]] = {}
    for host, moment in stamps:
        by_host.setdefault(host, []).append(moment)
    print("\nvirtual start times per host:", by_host)
    assert len(by_host) == 3
    for times in by_host.values():
        assert times == [10.0, 20.0, 30.0]  # robots.txt at 0, then one request every 10 s
    assert all(server.hits["/a"] == 3 for server in servers)


def test_one_request_at_a_time_per_host(hostile):
    a, b = hostile("127.0.0.1"), hostile("127.0.0.2")
    for server in (a, b):
        server.route("/robots.txt", status(404)).route("/slow", delay(0.1, ok(PAGE)))
    inside: dict[str, int] = {}
    most: dict[str, int] = {}
    overall = [0, 0]

    async def one(polite, fetcher, url):
        async with polite.slot(url):
            key = host_key(url)
            inside[key] = inside.get(key, 0) + 1
            overall[0] += 1
            most[key] = max(most.get(key, 0), inside[key])
            overall[1] = max(overall[1], overall[0])
            await fetcher.get(url)
            inside[key] -= 1
            overall[0] -= 1

    async def test(polite, fetcher, clock):
        await asyncio.gather(*(one(polite, fetcher, s.url("/slow")) for s in (a, b) for _ in range(4)))
    run(test, config(host_delay=0.0))
    assert most == {host_key(a.url()): 1, host_key(b.url()): 1}
    assert overall[1] == 2  # the two hosts were fetched at the same time


# --- Retry-After and backoff ------------------------------------------------------

def answers(*responses):
    """A handler giving each response in turn, then repeating the last."""
    seq = list(responses)

    def handler(client, request, server):
        current = seq.pop(0) if len(seq) > 1 else seq[0]
        return current(client, request, server)
    return handler


def test_retry_after_is_obeyed(hostile):
    server = hostile().route("/robots.txt", status(404))
    server.route("/a", answers(status(429, {"Retry-After": "120"}), ok(PAGE)))

    async def test(polite, fetcher, clock):
        stamps: list = []
        results = [await visit(polite, fetcher, server.url("/a"), stamps) for _ in range(2)]
        return results, [t for _, t in stamps]
    (results, times), _ = run(test)
    assert results == [429, 200]
    assert times[1] - times[0] >= 120
    assert server.hits["/a"] == 2


def test_retry_after_is_capped():
    async def test():
        async with Fetcher(config()) as fetcher:
            clock = FakeClock()
            polite = Politeness(config(), fetcher, clock=clock, sleep=clock.sleep, retry_after_cap=3600)
            polite.record("http://example.com/a", status=503, retry_after=10**9, error=True)
            return polite.ready_in("http://example.com/b")
    assert asyncio.run(test()) == 3600


def test_backoff_grows_and_is_capped_and_success_resets_it():
    async def test():
        async with Fetcher(config()) as fetcher:
            clock = FakeClock()
            polite = Politeness(config(), fetcher, clock=clock, sleep=clock.sleep,
                                backoff_base=30, backoff_cap=600)
            url = "http://example.com/a"
            pauses = []
            for _ in range(8):
                polite.record(url, status=None, error=True)  # a timeout or a reset connection
                pauses.append(polite.ready_in(url))
                clock.advance(polite.ready_in(url))
            polite.record(url, status=200)
            return pauses, polite.failures(url)
    pauses, failures = asyncio.run(test())
    assert pauses == [30, 60, 120, 240, 480, 600, 600, 600]
    assert failures == 0


def test_not_found_and_unparseable_pages_do_not_pause_the_host():
    assert not is_host_error(404, True)
    assert not is_host_error(410, True)
    assert not is_host_error(200, True)  # fetched fine, no article in it
    assert is_host_error(500, True) and is_host_error(429, True) and is_host_error(None, True)

    async def test():
        async with Fetcher(config()) as fetcher:
            polite = Politeness(config(), fetcher, clock=FakeClock())
            polite.record("http://example.com/gone", status=404, error=True)
            return polite.ready_in("http://example.com/next")
    assert asyncio.run(test()) == 0


def test_no_retry_storm_against_a_failing_host(hostile):
    server = hostile().route("/robots.txt", status(404)).route("/a", status(503))

    stamps: list = []

    async def test(polite, fetcher, clock):
        await asyncio.gather(*(visit(polite, fetcher, server.url("/a"), stamps) for _ in range(20)))
    run(test, until=600.0, backoff_base=30, backoff_cap=3600)
    times = [t for _, t in stamps]
    print(f"\n20 workers, 600 virtual seconds of HTTP 503: {server.hits['/a']} requests at {times}")
    assert times == [1.0, 31.0, 91.0, 211.0, 451.0]  # 1 s delay, then 30, 60, 120, 240 s of backoff
    assert server.hits["/a"] == 5


def test_no_retry_storm_with_retry_after(hostile):
    server = hostile().route("/robots.txt", status(404))
    server.route("/a", status(503, {"Retry-After": "100"}))

    stamps: list = []

    async def test(polite, fetcher, clock):
        await asyncio.gather(*(visit(polite, fetcher, server.url("/a"), stamps) for _ in range(20)))
    run(test, until=1000.0, backoff_base=30, backoff_cap=3600)
    times = [t for _, t in stamps]
    print(f"\n20 workers, 1000 virtual seconds of 503 Retry-After 100: {server.hits['/a']} requests at {times}")
    assert all(b - a >= 100 for a, b in zip(times, times[1:], strict=False))
    assert server.hits["/a"] == len(times) <= 1 + 1000 // 100


# --- helpers ----------------------------------------------------------------------

def test_keys_and_agent():
    assert host_key("https://Baohagiang.vn/a") == "baohagiang.vn"
    assert host_key("http://baohagiang.vn:80/a") == "baohagiang.vn"
    assert host_key("http://127.0.0.1:8080/a") == "127.0.0.1:8080"
    assert robots_url("https://user:pw@baohagiang.vn/tin/1.html?x=1") == "https://baohagiang.vn/robots.txt"
    assert robots_agent("scraper/0.1.0 (news archiver; +https://x)") == "scraper"
