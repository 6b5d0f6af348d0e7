"""The only network code: fetch one URL into a ``Page``, within hard limits.

    Fetcher(config.fetch).get(url, validators, accept="html") -> Page

One shared ``httpx.AsyncClient`` per ``Fetcher`` builds the requests (headers,
timeouts) and owns the transport; requests are sent straight through the
transport, because the client's own redirect, cookie and auth handling is
what we replace here. Everything that can go
wrong ends as a ``scraper.errors.FetchError`` subclass with a short reason a
user can read ("connection refused", "timed out after 30s", "body over
10 MiB", "blocked: 10.0.0.1 is not a public address").

Limits, all from ``[fetch]`` in the config:

- ``timeout``: one total deadline around the whole fetch (DNS, connects,
  every redirect hop, headers and body), so a server trickling one byte a
  second or never sending headers ends as ``FetchTimeout``.
- ``max_bytes``: a Content-Length above it is refused before reading; the
  body is streamed and counted both as received and after decompression.
  We ask only for ``gzip, deflate`` and decompress ourselves in bounded
  pieces (``zlib`` with ``max_length``), so a bomb never allocates past the
  cap; codings we did not ask for (``br``, ``zstd``...) are refused, and at
  most three stacked codings are undone.
- ``max_redirects``: redirects are followed here, hop by hop; each hop's
  scheme and address are checked (``netguard``), its body is never read,
  and credentials (URL userinfo) and cookies never cross to another origin.

The default transport connects through a network backend that resolves with
``netguard.Resolver`` and connects only to the addresses it checked, so with
``allow_private_addresses = false`` DNS rebinding cannot slip past the check
made before each hop.

Connections are not kept alive between fetches: a server whose Content-Length
is shorter than its body leaves bytes that h11 would parse as the *next*
response, failing an innocent fetch. Politeness spaces requests to one host
by a second or more anyway, so reuse would save little.
"""

from __future__ import annotations

import asyncio
import base64
import http.cookiejar
import ssl
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import httpcore
import httpx

from .config import FetchConfig
from .errors import (BlockedURL, FetchError, FetchTimeout, HTTPStatusError, NetworkError, NotHTML,
                     TooLarge, TooManyRedirects)
from .models import Page, Validators
from .netguard import Resolver, check_scheme

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
NOT_XML_MAJORS = frozenset({"image", "audio", "video", "font"})
ACCEPT = {
    "html": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
    "xml": "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5",
    "any": "*/*",
}
ACCEPT_ENCODING = "gzip, deflate"
MAX_CODINGS = 3
PIECE = 64 * 1024  # largest piece one decompression step may produce


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def human_size(n: int) -> str:
    """10485760 -> "10 MiB", 512000 -> "500 KiB", 1000 -> "1000 bytes"."""
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size and n % (size // 16 or 1) == 0:
            return f"{n / size:g} {unit}"
    return f"{n} bytes"


def human_seconds(seconds: float) -> str:
    return f"{seconds:g}s"


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())


class Fetcher:
    """Fetches URLs with one shared HTTP client; use as ``async with Fetcher(cfg) as f``."""

    def __init__(self, config: FetchConfig, *, clock: Callable[[], float] = time.monotonic,
                 now: Callable[[], datetime] = utcnow,
                 transport: httpx.AsyncBaseTransport | None = None,
                 resolver: Resolver | None = None) -> None:
        self.config = config
        self.clock = clock
        self.now = now
        self.resolver = resolver or Resolver(allow_private=config.allow_private_addresses)
        if transport is None:
            transport = guarded_transport(self.resolver)
        self._transport = transport
        self._client = httpx.AsyncClient(
            transport=transport, follow_redirects=False, trust_env=False,
            timeout=httpx.Timeout(config.timeout, connect=config.connect_timeout),
            headers={"User-Agent": config.user_agent_header, "Accept-Encoding": ACCEPT_ENCODING},
            cookies=_no_cookies())

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get(self, url: str, validators: Validators | None = None, *, accept: str = "html",
                  max_redirects: int | None = None, truncate_at: int | None = None) -> Page:
        """Fetch ``url`` (following redirects); raises ``FetchError`` subclasses only.

        ``accept="html"`` refuses non-HTML content types; ``"xml"`` (feeds,
        sitemaps; a gzip file body is gunzipped within the cap) and ``"any"``
        (robots.txt) do not. A 304 answer to the conditional GET built from
        ``validators`` is returned as a Page with status 304 and no content.
        ``max_redirects`` lowers the configured cap for this call (robots.txt:
        5); ``truncate_at`` keeps the first that many bytes of a longer body
        instead of refusing it (robots.txt: 500 KiB).
        """
        if accept not in ACCEPT:
            raise ValueError(f"accept must be one of {sorted(ACCEPT)}, not {accept!r}")
        cap = self.config.max_redirects if max_redirects is None else min(max_redirects, self.config.max_redirects)
        call = _Call(url, validators, accept, self.clock(), cap, truncate_at)
        try:
            async with asyncio.timeout(self.config.timeout):
                return await self._follow(call)
        except FetchError:
            raise
        except TimeoutError as exc:
            raise FetchTimeout(f"timed out after {human_seconds(self.config.timeout)}", url=url) from exc
        except Exception as exc:  # the boundary: every third-party error is translated here
            raise translate(exc, url, self.config) from exc

    async def _follow(self, call: _Call) -> Page:
        check_scheme(call.url)
        target, credentials = strip_credentials(call.url)
        home = origin(target)
        jars: dict[str, httpx.Cookies] = {}
        chain = [target]
        while True:
            await self.resolver.check_url(target)
            here = origin(target)
            headers = self._headers(call, credentials if here == home else None)
            request = self._client.build_request("GET", target, headers=headers)
            if here in jars:
                jars[here].set_cookie_header(request)
            response = await self._send(request)
            try:
                location = response.headers.get("location")
                if response.status_code not in REDIRECT_STATUSES or not location:
                    return await self._page(response, call, len(chain) - 1)
                jars.setdefault(here, httpx.Cookies()).extract_cookies(response)
                target = self._next_hop(target, location, chain, call)
            except (NotHTML, TooLarge, TooManyRedirects) as exc:
                # The server answered; the page (not the host) is at fault: say with what status.
                exc.status = exc.status or response.status_code
                raise
            finally:
                await response.aclose()

    async def _send(self, request: httpx.Request) -> httpx.Response:
        """One exchange through the transport: the client's own redirect, cookie
        and auth handling (which parses Location before we can check it) is skipped."""
        response = await self._transport.handle_async_request(request)
        response.request = request
        return response

    def _next_hop(self, current: str, location: str, chain: list[str], call: _Call) -> str:
        """The next hop's URL (without userinfo), checked against the redirect cap."""
        if len(chain) > call.max_redirects:
            loop = " (a loop)" if len(set(chain)) < len(chain) else ""
            raise TooManyRedirects(f"more than {call.max_redirects} redirects{loop}", url=call.url)
        joined = urljoin(current, location.strip())
        check_scheme(joined)
        target, _ = strip_credentials(joined)
        chain.append(target)
        return target

    def _headers(self, call: _Call, credentials: tuple[str, str] | None) -> dict[str, str]:
        headers = {"Accept": ACCEPT[call.accept]}
        if call.validators and call.validators.etag:
            headers["If-None-Match"] = call.validators.etag
        if call.validators and call.validators.last_modified:
            headers["If-Modified-Since"] = call.validators.last_modified
        if credentials:
            token = base64.b64encode(":".join(credentials).encode("utf-8")).decode("ascii")
            headers["Authorization"] = f"Basic {token}"
        return headers

    async def _page(self, response: httpx.Response, call: _Call, redirects: int) -> Page:
        status = response.status_code
        headers = {k.lower(): v for k, v in response.headers.items()}
        fetched_at = self.now()
        if status >= 400 or 300 <= status < 400 and status != 304:
            raise HTTPStatusError(status, url=call.url,
                                  retry_after=parse_retry_after(headers.get("retry-after"), fetched_at))
        content = b""
        if status != 304:
            check_type(headers.get("content-type", ""), call.accept, call.url)
            content = await self._read(response, headers, call)
            if call.accept == "xml" and content[:2] == b"\x1f\x8b":
                content = decompress(content, ["gzip"], self.config.max_bytes, call.url)
        return Page(url=str(response.request.url), requested_url=call.url, status=status,
                    content=content, headers=headers, fetched_at=fetched_at,
                    elapsed_ms=int((self.clock() - call.started) * 1000), redirects=redirects)

    async def _read(self, response: httpx.Response, headers: dict[str, str], call: _Call) -> bytes:
        """Stream the body, undoing content codings, never holding more than the cap."""
        cap = min(call.truncate_at or self.config.max_bytes, self.config.max_bytes)
        length = headers.get("content-length", "").strip()
        if call.truncate_at is None and length.isdigit() and int(length) > cap:
            raise TooLarge(f"Content-Length {int(length)} is over the {human_size(cap)} limit", url=call.url)
        codings = content_codings(headers.get("content-encoding", ""), call.url)
        body = BoundedBody(codings, cap, call.url, truncate=call.truncate_at is not None)
        async for chunk in response.aiter_raw():
            if body.feed(chunk):
                break
        return body.finish()


@dataclass(frozen=True)
class _Call:
    """What one ``Fetcher.get`` was asked for."""

    url: str
    validators: Validators | None
    accept: str
    started: float
    max_redirects: int
    truncate_at: int | None


def guarded_transport(resolver: Resolver, *, verify: ssl.SSLContext | bool = True) -> httpx.AsyncHTTPTransport:
    """httpx's transport, connecting only to addresses ``resolver`` checked.

    TLS still verifies the certificate against the URL's host name (SNI), not
    the address connected to; ``verify`` may carry a context with extra CAs."""
    transport = httpx.AsyncHTTPTransport(
        verify=verify, retries=0,
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=0))
    pool = transport._pool  # httpcore.AsyncConnectionPool; httpx offers no public hook
    if not hasattr(pool, "_network_backend"):  # pragma: no cover - a future httpcore
        raise RuntimeError("httpcore changed: cannot install the address guard")
    pool._network_backend = GuardedBackend(resolver)
    return transport


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves through ``Resolver`` (which refuses non-public addresses) and
    connects to exactly the checked addresses: no DNS rebinding window."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Any = None) -> httpcore.AsyncNetworkStream:
        addresses = await self.resolver.addresses(host, port)
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(address, port, timeout=timeout,
                                                    local_address=local_address,
                                                    socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Any = None) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def _no_cookies() -> http.cookiejar.CookieJar:
    """A jar that keeps nothing: fetches share no cookie state."""
    return http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))


def origin(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{port}"


def strip_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """``url`` without userinfo or fragment, and the (user, password) it held."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
    except ValueError as exc:
        raise BlockedURL(f"invalid URL: {exc}", url=url) from None
    credentials = None
    if "@" in netloc:
        userinfo, netloc = netloc.rsplit("@", 1)
        user, _, password = userinfo.partition(":")
        credentials = (unquote(user), unquote(password))
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")), credentials


def check_type(content_type: str, accept: str, url: str) -> None:
    mime = content_type.split(";", 1)[0].strip().lower()
    if not mime or accept == "any":
        return
    if accept == "html" and mime not in HTML_TYPES:
        raise NotHTML(f"not HTML: {mime}", url=url)
    if accept == "xml" and mime.split("/", 1)[0] in NOT_XML_MAJORS:
        raise NotHTML(f"not a feed or sitemap: {mime}", url=url)


def content_codings(header: str, url: str) -> list[str]:
    """The codings of a Content-Encoding header, in the order they were applied."""
    codings = [c.strip().lower() for c in header.split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    for coding in codings:
        if coding not in ("gzip", "x-gzip", "deflate"):
            raise NetworkError(f"content encoding {coding!r} was not asked for", url=url)
    if len(codings) > MAX_CODINGS:
        raise NetworkError(f"{len(codings)} stacked content encodings (at most {MAX_CODINGS})", url=url)
    return codings


class Inflater:
    """Undoes one gzip or deflate layer, in pieces of at most ``PIECE`` bytes."""

    def __init__(self, coding: str, url: str | None = None) -> None:
        self.coding = "gzip" if coding in ("gzip", "x-gzip") else "deflate"
        self.url = url
        self._obj: Any = None
        self._head = b""
        self._done = False

    def _start(self, data: bytes) -> bytes | None:
        if self.coding == "gzip":
            self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
            return data
        self._head += data  # deflate: zlib-wrapped per the RFC, raw from some servers
        if len(self._head) < 2:
            return None
        first, second = self._head[0], self._head[1]
        wrapped = first & 0x0F == 8 and ((first << 8) | second) % 31 == 0
        self._obj = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        data, self._head = self._head, b""
        return data

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._obj is None:
            started = self._start(data)
            if started is None:
                return
            data = started
        while data and not self._done:
            if self._obj.eof:
                data = self._next_member(data)
                continue
            try:
                out = self._obj.decompress(data, PIECE)
            except zlib.error as exc:
                raise NetworkError(f"corrupt {self.coding} body", url=self.url) from exc
            data = self._obj.unused_data if self._obj.eof else self._obj.unconsumed_tail
            if out:
                yield out

    def _next_member(self, data: bytes) -> bytes:
        """After one gzip member, another may follow; anything else is ignored."""
        if self.coding == "gzip" and data[:1] == b"\x1f":
            self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
            return data
        self._done = True
        return b""

    def finish(self) -> Iterator[bytes]:
        if self._obj is None or not (self._done or self._obj.eof):
            raise NetworkError(f"{self.coding} body ends early (truncated)", url=self.url)
        tail = self._obj.flush()
        if tail:
            yield tail


class BoundedBody:
    """Collects a body through its content codings, refusing to grow past ``cap``.

    Both the bytes received and the bytes after decompression are counted,
    so neither a bomb nor an endless stream of empty deflate blocks passes.
    With ``truncate`` the first ``cap`` bytes are kept instead of refusing.
    """

    def __init__(self, codings: list[str], cap: int, url: str | None = None, *,
                 truncate: bool = False) -> None:
        self.layers = [Inflater(c, url) for c in reversed(codings)]
        self.cap = cap
        self.url = url
        self.truncate = truncate
        self.full = False
        self.received = 0
        self.size = 0
        self.parts: list[bytes] = []

    def feed(self, chunk: bytes) -> bool:
        """Take one chunk as received; True once a truncating body is full."""
        self.received += len(chunk)
        if self.received > self.cap and not self.truncate:
            raise TooLarge(f"body over {human_size(self.cap)}", url=self.url)
        for piece in _through(self.layers, chunk):
            self._add(piece)
            if self.full:
                return True
        self.full = self.truncate and self.received >= self.cap
        return self.full

    def finish(self) -> bytes:
        if not self.full:
            for i, layer in enumerate(self.layers):
                for piece in layer.finish():
                    for out in _through(self.layers[i + 1:], piece):
                        self._add(out)
        content, self.parts = b"".join(self.parts), []
        return content

    def _add(self, piece: bytes) -> None:
        room = self.cap - self.size
        if len(piece) > room:
            if not self.truncate:
                self.parts = []
                raise TooLarge(f"body over {human_size(self.cap)} after decompression", url=self.url)
            piece, self.full = piece[:room], True
        self.size += len(piece)
        self.parts.append(piece)


def _through(layers: list[Inflater], data: bytes) -> Iterator[bytes]:
    if not layers:
        if data:
            yield data
        return
    for piece in layers[0].feed(data):
        yield from _through(layers[1:], piece)


def decompress(data: bytes, codings: list[str], cap: int, url: str | None = None) -> bytes:
    """Undo ``codings`` (in the order applied) on ``data``, within ``cap`` bytes."""
    body = BoundedBody(codings, cap, url)
    for start in range(0, len(data), PIECE):
        body.feed(data[start:start + PIECE])
    return body.finish()


def translate(exc: BaseException, url: str, config: FetchConfig) -> FetchError:
    """A third-party or OS error as a ``FetchError`` with a short human reason."""
    chain = list(_causes(exc))
    text = " ".join(str(e) for e in chain).lower()
    if isinstance(exc, httpx.ConnectTimeout):
        return FetchTimeout(f"connect timed out after {human_seconds(config.connect_timeout)}", url=url)
    if isinstance(exc, (httpx.TimeoutException, TimeoutError)):
        return FetchTimeout(f"timed out after {human_seconds(config.timeout)}", url=url)
    if isinstance(exc, (httpx.InvalidURL, httpx.UnsupportedProtocol)):
        return BlockedURL(f"invalid URL: {exc}", url=url)
    tls = _tls_reason(chain)
    if tls:
        return NetworkError(tls, url=url)
    reason = _network_reason(exc, chain, text)
    return NetworkError(reason, url=url)


def _tls_reason(chain: list[BaseException]) -> str | None:
    for error in chain:
        if isinstance(error, ssl.SSLCertVerificationError):
            return f"TLS certificate refused: {str(error.verify_message).rstrip('.')}"
        if isinstance(error, ssl.SSLError):
            return f"TLS error: {error.reason or _short(error)}"
    return None


def _network_reason(exc: BaseException, chain: list[BaseException], text: str) -> str:
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in text:
        return "connection refused"
    if any(isinstance(e, ConnectionResetError) for e in chain) or "reset by peer" in text:
        return "connection reset"
    if "name or service not known" in text or "name resolution" in text or "nodename" in text:
        return "DNS lookup failed"
    if isinstance(exc, httpx.RemoteProtocolError):
        if "without sending complete message body" in text or "incomplete" in text:
            return "connection closed before the body ended"
        if "receive buffer too long" in text or "too long" in text:
            return "response headers too large"
        if "without sending a response" in text:
            return "server closed the connection without answering"
        return f"broken HTTP response: {_short(exc)}"
    if "unreachable" in text:
        return "network unreachable"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect: {_short(exc)}"
    if isinstance(exc, (httpx.ReadError, httpx.WriteError)):
        return f"connection broken: {_short(exc)}"
    if isinstance(exc, OSError):
        return f"network error: {exc.strerror or _short(exc)}"
    return f"{type(exc).__name__}: {_short(exc)}"


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _short(exc: BaseException, limit: int = 120) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[:limit - 1] + "…"
