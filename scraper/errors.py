"""The one exception tree of scraper.

Every error the package raises on purpose is a ``ScraperError``; third-party
errors are translated at the boundary with ``raise ... from exc``.

    ScraperError
    ├── ConfigError            a config file is unreadable or holds a bad key/value
    ├── FetchError             a URL could not be fetched (recorded in ``fetches``)
    │   ├── BlockedURL         refused before connecting: scheme, address, robots.txt
    │   ├── HTTPStatusError    the server answered with an error status
    │   ├── NotHTML            the response is not an HTML page
    │   ├── TooLarge           the body (or its decompressed form) is over the cap
    │   ├── TooManyRedirects   the redirect chain is longer than allowed
    │   ├── FetchTimeout       the total deadline or a connect/read timeout passed
    │   └── NetworkError       DNS, connection refused/reset, broken protocol
    ├── ExtractError           a page could not be turned into an Article
    │   └── NoArticle          the page holds no article (no title and no body)
    └── StoreError             the archive could not be read or written
"""

from __future__ import annotations


class ScraperError(Exception):
    """Base class of every error scraper raises on purpose."""


class ConfigError(ScraperError):
    """A config file is unreadable, malformed, or holds a wrong key or type.

    The message names the file, the line where known, the key, and what was
    expected, so the user can fix it without reading code.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        key: str | None = None,
        line: int | None = None,
    ) -> None:
        self.path = path
        self.key = key
        self.line = line
        where = ""
        if path:
            where = f"{path}:{line}: " if line else f"{path}: "
        keypart = f"[{key}] " if key else ""
        super().__init__(f"{where}{keypart}{message}")


class FetchError(ScraperError):
    """A URL could not be fetched. ``reason`` is the short text users see."""

    status: int | None = None

    def __init__(self, reason: str, *, url: str | None = None) -> None:
        self.reason = reason
        self.url = url
        super().__init__(reason)


class BlockedURL(FetchError):
    """Refused before any connection: bad scheme, non-public address, robots.txt."""


class HTTPStatusError(FetchError):
    """The server answered with a status that carries no article."""

    def __init__(self, status: int, *, url: str | None = None, retry_after: float | None = None) -> None:
        super().__init__(f"HTTP {status}", url=url)
        self.status = status
        self.retry_after = retry_after


class NotHTML(FetchError):
    """The response's content type is not HTML."""


class TooLarge(FetchError):
    """The body is larger than ``[fetch] max_bytes`` (after decompression too)."""


class TooManyRedirects(FetchError):
    """More redirects than ``[fetch] max_redirects``."""


class FetchTimeout(FetchError):
    """The total deadline per fetch (``[fetch] timeout``) or a socket timeout passed."""


class NetworkError(FetchError):
    """DNS failure, refused or reset connection, or a broken HTTP exchange."""


class ExtractError(ScraperError):
    """A page could not be turned into an Article."""


class NoArticle(ExtractError):
    """The page holds no article: neither a title nor any body text."""


class StoreError(ScraperError):
    """The archive could not be opened, migrated, read or written."""
