"""Which URLs the fetcher may connect to: the scheme and address checks.

Pure checks plus DNS resolution, used by ``fetch`` on every hop of a redirect
chain, before any connection is opened:

- only ``http`` and ``https`` are fetched (``file:``, ``data:``, ``ftp:``,
  ``javascript:`` ... are refused);
- unless ``[fetch] allow_private_addresses`` is set, every address a host
  name resolves to must be public: loopback, private ranges, link-local
  (169.254.169.254, the cloud metadata address), shared 100.64/10, 0.0.0.0,
  multicast, and IPv4-mapped/embedded IPv6 forms such as ``::ffff:127.0.0.1``
  are refused. Host names written as decimal, octal or hex numbers
  (``2130706433``, ``0177.0.0.1``, ``0x7f.1``) are read the way the C
  resolver reads them, so they cannot sneak past.

``Resolver`` keeps the checked addresses for a short while; the fetcher's
network backend connects to exactly those addresses, so a DNS answer that
changes between the check and the connection (DNS rebinding) cannot point
the connection somewhere that was not checked.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import time
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from .errors import BlockedURL, NetworkError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

SCHEMES = frozenset({"http", "https"})
_NUMERIC_HOST = re.compile(r"^[0-9a-fA-FxX.]+$")


def check_scheme(url: str) -> str:
    """The URL's lower-cased scheme; ``BlockedURL`` unless it is http or https."""
    scheme = url.split(":", 1)[0].strip().lower() if ":" in url else ""
    if scheme not in SCHEMES:
        shown = f"{scheme}:" if scheme else "a URL without a scheme"
        raise BlockedURL(f"blocked: {shown} is not http or https", url=url)
    return scheme


def host_of(url: str) -> str:
    """The host of an http(s) URL, without brackets; ``BlockedURL`` if it has none."""
    try:
        host = urlsplit(url).hostname
    except ValueError as exc:
        raise BlockedURL(f"invalid URL: {exc}", url=url) from None
    if not host:
        raise BlockedURL("invalid URL: no host", url=url)
    return host


def literal_ip(host: str) -> IPAddress | None:
    """The address a host written as an IP literal stands for, else None.

    Accepts every form the C resolver accepts for IPv4 (``127.1``,
    ``2130706433``, ``0177.0.0.1``, ``0x7f000001``) as well as IPv6.
    """
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if _NUMERIC_HOST.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def is_public(ip: IPAddress) -> bool:
    """True when ``ip`` is a globally routable unicast address."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and not is_public(embedded):
            return False
        if ip.ipv4_mapped is not None:
            return True
    return ip.is_global and not ip.is_multicast and not ip.is_unspecified


def check_ip(ip: IPAddress, host: str, url: str | None = None) -> None:
    """``BlockedURL`` unless ``ip`` is public; the reason names the host too."""
    if is_public(ip):
        return
    if literal_ip(host) is None:
        shown = f"{host} resolves to {ip}, which"
    elif host.strip("[]").lower() != str(ip):
        shown = f"{host.strip('[]')} ({ip})"
    else:
        shown = str(ip)
    raise BlockedURL(f"blocked: {shown} is not a public address", url=url)


class Resolver:
    """Resolves host names and checks that every address is public.

    Results are cached for ``ttl`` seconds so the connection is made to the
    very addresses that were checked. With ``allow_private`` every address is
    accepted (tests on 127.0.0.1, intranet archives); ``permit`` lists single
    addresses accepted although they are not public (an intranet mirror).
    """

    def __init__(self, *, allow_private: bool = False, permit: Iterable[str] = (), ttl: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.allow_private = allow_private
        self.permit = frozenset(str(ipaddress.ip_address(a)) for a in permit)
        self.ttl = ttl
        self.clock = clock
        self._cache: dict[tuple[str, int], tuple[float, list[str]]] = {}

    async def check_url(self, url: str) -> None:
        """Scheme and address checks of one hop; raises ``BlockedURL`` or ``NetworkError``."""
        scheme = check_scheme(url)
        host = host_of(url)
        if self.allow_private:
            return
        try:
            port = urlsplit(url).port or (443 if scheme == "https" else 80)
        except ValueError as exc:
            raise BlockedURL(f"invalid URL: {exc}", url=url) from None
        await self.addresses(host, port, url=url)

    async def addresses(self, host: str, port: int, *, url: str | None = None) -> list[str]:
        """The checked addresses of ``host`` (all of them public unless allowed)."""
        host = host.strip("[]").lower().rstrip(".")
        literal = literal_ip(host)
        if literal is not None:
            self._check(literal, host, url)
            return [str(literal)]
        key = (host, port)
        cached = self._cache.get(key)
        if cached and cached[0] > self.clock():
            return cached[1]
        found = await _resolve(host, port, url)
        for ip in found:
            self._check(ip, host, url)
        result = list(dict.fromkeys(str(ip) for ip in found))
        self._cache[key] = (self.clock() + self.ttl, result)
        return result

    def _check(self, ip: IPAddress, host: str, url: str | None) -> None:
        if not self.allow_private and str(ip) not in self.permit:
            check_ip(ip, host, url)


async def _resolve(host: str, port: int, url: str | None) -> list[IPAddress]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise NetworkError(f"DNS lookup failed for {host}", url=url) from exc
    found = []
    for _family, _type, _proto, _name, sockaddr in infos:
        try:
            found.append(ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0]))
        except ValueError:
            continue
    if not found:
        raise NetworkError(f"DNS lookup failed for {host}: no address", url=url)
    return found
