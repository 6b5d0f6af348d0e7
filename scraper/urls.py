"""Canonical URLs: one spelling per article. Pure functions.

``canonical`` is idempotent: lower-case scheme and host, IDNA host, no default
port, no userinfo, no fragment, dot segments resolved (``%2e%2e`` too),
percent-escapes normalised, tracking parameters (``utm_*``, ``fbclid``,
``gclid``…) dropped and the rest sorted.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

from .errors import BlockedURL

MAX_URL_LENGTH = 2048
SCHEMES = ("http", "https")
_TRACKING = re.compile(
    r"^(utm_\w*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|_ga|_gl|igshid|"
    r"zarsrc|zaloid|ref_src|cmpid|__twitter_impression)$", re.I)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = "/:@!$'()*,;-._~?"


def check(url: str) -> str:
    """Refuse what we never fetch (bad scheme, no host, over-long); return the URL stripped."""
    url = (url or "").strip()
    if len(url) > MAX_URL_LENGTH:
        raise BlockedURL(f"URL longer than {MAX_URL_LENGTH} characters", url=url[:100])
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise BlockedURL(f"malformed URL: {exc}", url=url) from None
    if parts.scheme.lower() not in SCHEMES:
        scheme = parts.scheme or "no scheme"
        raise BlockedURL(f"unsupported scheme {scheme!r} (only http and https)", url=url)
    if not host:
        raise BlockedURL("URL has no host", url=url)
    return url


def _host(parts) -> str:
    host = (parts.hostname or "").rstrip(".").lower()
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        pass
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    if port and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    return host


def _path(path: str) -> str:
    path = quote(unquote(path), safe=_PATH_SAFE.replace("%", "")) if "%" in path else quote(path, safe=_PATH_SAFE)
    if not path:
        return "/"
    trailing = path.endswith("/")
    resolved = posixpath.normpath(path)
    if resolved.startswith("//"):
        resolved = "/" + resolved.lstrip("/")
    if resolved in (".", ""):
        resolved = "/"
    if trailing and not resolved.endswith("/"):
        resolved += "/"
    return resolved


def _query(query: str) -> str:
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not _TRACKING.match(k)]
    return urlencode(sorted(pairs), quote_via=quote, safe=_QUERY_SAFE)


def canonical(url: str, base: str | None = None) -> str:
    """The one spelling of ``url`` (resolved against ``base`` first, if given)."""
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    return urlunsplit((scheme, _host(parts), _path(parts.path), _query(parts.query), ""))


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


_SECOND_LEVEL = {"com", "net", "org", "gov", "edu", "co", "ac", "info", "biz", "int", "health", "name"}


def site_of(url_or_host: str) -> str:
    """The registrable part of a host ("vnexpress.net", "baohagiang.vn", "nld.com.vn")."""
    host = host_of(url_or_host) if "/" in url_or_host else url_or_host.lower()
    labels = host.split(".")
    if re.fullmatch(r"[\d.]+|\[.*\]", host):
        return host
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def same_site(a: str, b: str) -> bool:
    return site_of(a) == site_of(b)


def article_url(final_url: str, declared: str | None) -> str:
    """An article's identity: its ``<link rel=canonical>`` when that points to the
    same site, else the canonical form of the URL it was served from."""
    if declared:
        try:
            check(urljoin(final_url, declared))
            candidate = canonical(declared, base=final_url)
        except (BlockedURL, ValueError):
            candidate = None
        if candidate and same_site(candidate, final_url):
            return candidate
    return canonical(final_url)
