"""Politeness per host: one request at a time, spacing, robots.txt, Retry-After, backoff.

Used by the pipeline's callers (``crawl``, the daemon) around every fetch:

    if await politeness.allowed(url):          # robots.txt, fetched once per origin
        async with politeness.slot(url):       # waits for the host's turn
            ... fetcher.get(url) ...
        politeness.record(url, status=..., retry_after=..., error=...)

Rules:

- **One request at a time per host**, and at least ``[fetch] host_delay``
  between the end of one request and the start of the next, raised by the
  host's robots.txt ``Crawl-delay`` (or ``Request-rate``), up to 5 minutes.
- **robots.txt** (RFC 9309, parsed by protego) is cached per origin for a
  day. A 4xx answer (or more than 5 redirects) means no rules: allow all. A
  5xx, a 429, a timeout or an unreachable host means disallow all for a while
  (15 minutes, then it is fetched again). Only the first 500 KiB are parsed.
  Its own fetch takes the host's slot like any other request.
- **Retry-After** on 429 and 503 pauses the whole host that long (capped,
  6 hours by default).
- **Errors back off exponentially**: a host error (network failure, timeout,
  5xx, 429) pauses the host for ``backoff_base * 2**(n-1)`` seconds after the
  n-th error in a row, capped at ``backoff_cap``; a success resets it. A 404
  or an unparseable page is not the host's fault and does not count.

State lives in memory only; time comes from an injected ``clock`` (seconds,
monotonic) and ``sleep`` so tests drive it without waiting.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from protego import Protego

from .config import FetchConfig
from .errors import BlockedURL, FetchError, HTTPStatusError, TooManyRedirects
from .fetch import Fetcher

ROBOTS_MAX_BYTES = 500 * 1024
ROBOTS_MAX_REDIRECTS = 5
ROBOTS_TTL = 24 * 3600.0          # a parsed (or missing) robots.txt is trusted this long
ROBOTS_RETRY = 15 * 60.0          # an unreachable robots.txt disallows this long, then is retried
MAX_CRAWL_DELAY = 300.0           # a larger Crawl-delay is lowered to this
MAX_HOSTS = 10_000                # idle host states beyond this are forgotten


@dataclass
class Robots:
    """What one origin's robots.txt says, and until when we believe it."""

    parser: Protego | None        # None with allow_all/disallow_all
    expires: float
    allow_all: bool = False
    reason: str = ""

    def allows(self, url: str, agent: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return self.parser.can_fetch(url, agent)

    def delay(self, agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(agent)
        rate = self.parser.request_rate(agent)
        if rate is not None and rate.requests:
            delay = max(delay or 0.0, rate.seconds / rate.requests)
        return float(delay) if delay is not None else None


@dataclass
class Host:
    """The in-memory state of one host."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = 0.0       # no request starts before this (clock seconds)
    crawl_delay: float | None = None
    failures: int = 0
    requests: int = 0


class Politeness:
    """Per-host politeness for one process; see the module docstring."""

    def __init__(self, config: FetchConfig, fetcher: Fetcher, *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 backoff_base: float = 30.0, backoff_cap: float = 3600.0,
                 retry_after_cap: float = 6 * 3600.0) -> None:
        self.config = config
        self.fetcher = fetcher
        self.clock = clock
        self.sleep = sleep
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.retry_after_cap = retry_after_cap
        self.agent = robots_agent(config.user_agent_header)
        self._hosts: OrderedDict[str, Host] = OrderedDict()
        self._robots: OrderedDict[str, Robots] = OrderedDict()
        self._robots_pending: dict[str, asyncio.Future[Robots]] = {}

    # ---- robots.txt -------------------------------------------------------

    async def allowed(self, url: str) -> bool:
        """Whether robots.txt lets us fetch ``url`` (fetching robots.txt if needed)."""
        if not self.config.obey_robots:
            return True
        robots = await self.robots(url)
        return robots.allows(url, self.agent)

    async def refusal(self, url: str) -> tuple[str, bool] | None:
        """Why robots.txt keeps us from ``url`` and whether that is its rule (True)
        or only its unavailability (False, retried later); None when allowed."""
        if not self.config.obey_robots:
            return None
        robots = await self.robots(url)
        if robots.allows(url, self.agent):
            return None
        if robots.parser is not None:
            return "disallowed by robots.txt", True
        return f"not fetched for now: {robots.reason}", False

    async def robots(self, url: str) -> Robots:
        """The (cached) robots.txt of ``url``'s origin; one fetch per origin at a time."""
        key = robots_url(url)
        while (pending := self._robots_pending.get(key)) is not None:
            await asyncio.wait([pending])  # another task is fetching it; never cancels that fetch
            if not pending.cancelled():
                return pending.result()
        cached = self._robots.get(key)
        if cached is not None and cached.expires > self.clock():
            return cached
        future: asyncio.Future[Robots] = asyncio.get_running_loop().create_future()
        self._robots_pending[key] = future
        try:
            robots = await self._fetch_robots(key, url)
        except BaseException:
            future.cancel()  # the fetching task was cancelled: a waiter fetches it itself
            raise
        finally:
            del self._robots_pending[key]
        future.set_result(robots)
        self._remember_robots(key, robots, url)
        return robots

    async def _fetch_robots(self, robots_address: str, url: str) -> Robots:
        async with self.slot(url):
            try:
                page = await self.fetcher.get(robots_address, accept="any", max_redirects=ROBOTS_MAX_REDIRECTS,
                                              truncate_at=ROBOTS_MAX_BYTES)
            except HTTPStatusError as exc:
                self.record(url, status=exc.status, retry_after=exc.retry_after, error=True)
                if exc.status == 429 or exc.status >= 500:
                    return self._disallow(f"robots.txt answered HTTP {exc.status}")
                return self._allow(f"robots.txt answered HTTP {exc.status}")
            except TooManyRedirects:
                return self._allow(f"robots.txt redirects more than {ROBOTS_MAX_REDIRECTS} times")
            except FetchError as exc:
                self.record(url, error=not isinstance(exc, BlockedURL))
                return self._disallow(f"robots.txt unreachable: {exc.reason}")
        self.record(url, status=page.status)
        text = page.content[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")
        return Robots(Protego.parse(text), self.clock() + ROBOTS_TTL, reason="parsed")

    def _allow(self, reason: str) -> Robots:
        return Robots(None, self.clock() + ROBOTS_TTL, allow_all=True, reason=reason)

    def _disallow(self, reason: str) -> Robots:
        return Robots(None, self.clock() + ROBOTS_RETRY, allow_all=False, reason=reason)

    def _remember_robots(self, key: str, robots: Robots, url: str) -> None:
        self._robots[key] = robots
        self._robots.move_to_end(key)
        while len(self._robots) > MAX_HOSTS:
            self._robots.popitem(last=False)
        delay = robots.delay(self.agent)
        self._host(url).crawl_delay = min(delay, MAX_CRAWL_DELAY) if delay is not None else None

    # ---- spacing, Retry-After, backoff -----------------------------------

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        """Wait for ``url``'s host to be free and due, and hold it while inside."""
        host = self._host(url)
        async with host.lock:
            while (wait := host.next_start - self.clock()) > 0:
                await self.sleep(wait)
            host.requests += 1
            try:
                yield
            finally:
                host.next_start = max(host.next_start, self.clock() + self.delay(url))

    def record(self, url: str, *, status: int | None = None, retry_after: float | None = None,
               error: bool = False) -> None:
        """Tell how a request to ``url`` ended; errors and Retry-After pause its host."""
        host = self._host(url)
        now = self.clock()
        if status in (429, 503) and retry_after is not None:
            host.next_start = max(host.next_start, now + min(max(retry_after, 0.0), self.retry_after_cap))
        if not is_host_error(status, error):
            host.failures = 0
            return
        host.failures += 1
        host.next_start = max(host.next_start, now + self.backoff(host.failures))

    def backoff(self, failures: int) -> float:
        """The pause after the ``failures``-th host error in a row."""
        if failures <= 0:
            return 0.0
        return min(self.backoff_cap, self.backoff_base * 2 ** min(failures - 1, 60))

    def delay(self, url: str) -> float:
        """The spacing between two requests to ``url``'s host."""
        host = self._host(url)
        return max(self.config.host_delay, host.crawl_delay or 0.0)

    def ready_in(self, url: str) -> float:
        """Seconds until ``url``'s host may be contacted (0: now, if its slot is free)."""
        return max(0.0, self._host(url).next_start - self.clock())

    def failures(self, url: str) -> int:
        return self._host(url).failures

    def _host(self, url: str) -> Host:
        key = host_key(url)
        host = self._hosts.get(key)
        if host is None:
            host = self._hosts[key] = Host()
            self._forget_idle()
        return host

    def _forget_idle(self) -> None:
        if len(self._hosts) <= MAX_HOSTS:
            return
        now = self.clock()
        for key in list(self._hosts)[: len(self._hosts) - MAX_HOSTS]:
            host = self._hosts[key]
            if not host.lock.locked() and host.next_start <= now:
                del self._hosts[key]


def is_host_error(status: int | None, error: bool) -> bool:
    """Whether a request's end counts against its host (5xx, 429, no answer at all)."""
    if status is not None and (status >= 500 or status == 429):
        return True
    return error and status is None


def host_key(url: str) -> str:
    """The politeness key: the host name, with the port when it is not the default."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None or port == {"http": 80, "https": 443}.get(parts.scheme):
        return host
    return f"{host}:{port}"


def robots_url(url: str) -> str:
    """The robots.txt URL of ``url``'s origin."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return f"{parts.scheme}://{netloc}/robots.txt"


def robots_agent(user_agent: str) -> str:
    """The product token robots.txt groups are matched against ("scraper/0.1 (...)" -> "scraper")."""
    return user_agent.split("/", 1)[0].split()[0] if user_agent.strip() else "*"
