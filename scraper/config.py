"""Reads ``config.toml`` in one place, checks it, and fails fast.

Every setting is declared once, as a dataclass field with a default and a
``help`` text; the same declaration drives validation, the defaults and the
docs test. A bad key or value raises ``ConfigError`` naming the file, the line,
the key and what was expected. Every key has a default, so an empty file (or
one holding only ``[fetch] allow_private_addresses = true``) is valid.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError

__version__ = "0.1.0"

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$")
_DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, None: 1}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB)?\s*$", re.I)
_SIZE_UNITS = {"b": 1, "kb": 1000, "kib": 1024, "mb": 10**6, "mib": 2**20, "gb": 10**9, "gib": 2**30, None: 1}
_OFFSET = re.compile(r"^[+-](?:[01]\d|2[0-3]):[0-5]\d$")


def parse_duration(value: Any) -> float:
    """``"30s"``, ``"15m"``, ``"6h"``, ``"7d"`` (or a number of seconds) -> seconds."""
    if isinstance(value, bool):
        raise ValueError("a duration such as \"30s\", \"15m\", \"6h\" or \"7d\"")
    if isinstance(value, (int, float)):
        return float(value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError("a duration such as \"30s\", \"15m\", \"6h\" or \"7d\"")
    return float(match.group(1)) * _DURATION_UNITS[match.group(2)]


def parse_size(value: Any) -> int:
    """``"10MiB"``, ``"500KiB"`` (or a number of bytes) -> bytes."""
    if isinstance(value, bool):
        raise ValueError("a size such as \"10MiB\" or a number of bytes")
    if isinstance(value, int):
        return value
    match = _SIZE.match(str(value))
    if not match:
        raise ValueError("a size such as \"10MiB\" or a number of bytes")
    unit = match.group(2).lower() if match.group(2) else None
    return int(float(match.group(1)) * _SIZE_UNITS[unit])


def _offset(value: Any) -> str:
    if not isinstance(value, str) or not _OFFSET.match(value):
        raise ValueError("a UTC offset such as \"+07:00\"")
    return value


def setting(default: Any, help: str, parse: Any = None) -> Any:
    """Declare one config key: its default, its help text and an optional parser."""
    meta = {"help": help, "parse": parse}
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class ArchiveConfig:
    db: str = setting("archive.db", "Path of the SQLite archive, relative to the config file.")


@dataclass(frozen=True)
class FetchConfig:
    allow_private_addresses: bool = setting(
        False, "Allow fetching loopback, private, link-local and other non-global addresses.")
    contact: str = setting(
        "https://github.com/scraper-archive/scraper", "Contact URL sent in the User-Agent.")
    user_agent: str = setting(
        "scraper/{version} (news archiver; +{contact})",
        "User-Agent header; {version} and {contact} are filled in.")
    timeout: float = setting(30.0, "Total deadline for one fetch, redirects included.", parse_duration)
    connect_timeout: float = setting(10.0, "Deadline for opening one connection.", parse_duration)
    max_bytes: int = setting(
        10 * 2**20, "Largest body accepted, counted after decompression.", parse_size)
    max_redirects: int = setting(10, "Most redirects followed for one URL.")
    host_delay: float = setting(
        1.0, "Minimum spacing between two requests to one host.", parse_duration)
    max_in_flight: int = setting(16, "Most concurrent fetches across all hosts.")
    obey_robots: bool = setting(True, "Obey robots.txt, including Crawl-delay.")
    extract_processes: int = setting(
        1, "Worker processes that parse pages for run and crawl (0: parse in the main process).")

    @property
    def user_agent_header(self) -> str:
        return self.user_agent.format(version=__version__, contact=self.contact)


@dataclass(frozen=True)
class RevisitConfig:
    ladder: list[float] = setting(
        [3600.0, 21600.0, 86400.0, 259200.0, 604800.0],
        "Re-check ages after an article is first seen; after the last it is retired.",
        lambda v: [parse_duration(x) for x in _as_list(v)])
    restart_on_change: bool = setting(
        True, "Restart the ladder from its first rung when a re-check finds a change.")
    backoff: float = setting(60.0, "First wait after a failed fetch; doubles on each failure.", parse_duration)
    backoff_cap: float = setting(21600.0, "Longest wait after failures or a Retry-After.", parse_duration)
    max_failures: int = setting(8, "Failures in a row after which a URL is given up.")


@dataclass(frozen=True)
class ServeConfig:
    allow_sql: bool = setting(False, "Open Datasette's SQL editor to anonymous readers.")


@dataclass(frozen=True)
class Listing:
    url: str = setting("", "Section or home page URL.")
    links: str | None = setting(None, "CSS selector of the article links on the page.")
    pattern: str | None = setting(None, "Regular expression that article URLs match.")


@dataclass(frozen=True)
class SourceConfig:
    name: str = setting("", "Short name of the source, used in the archive and logs.")
    every: float | None = setting(None, "Interval between discovery runs, e.g. \"15m\".", parse_duration)
    cron: str | None = setting(None, "Cron expression for discovery runs, instead of every.")
    jitter: float = setting(60.0, "Random delay added to each run, up to this long.", parse_duration)
    feeds: list[str] = setting([], "RSS or Atom feed URLs.")
    sitemaps: list[str] = setting([], "Sitemap, sitemap index or Google News sitemap URLs.")
    listings: list[Listing] = setting([], "Listing pages: {url, links} or {url, pattern}.")
    allow: list[str] = setting([], "Regexes; when set, only URLs matching one are archived.")
    deny: list[str] = setting([], "Regexes; URLs matching one are never archived.")
    max_new_per_run: int = setting(200, "Most new articles queued by one discovery run.")
    max_queued_per_host: int = setting(
        5000, "Most URLs of one host queued at once; discovery adds no more until some retire "
        "(bounds spider traps).")
    offset: str | None = setting(None, "UTC offset assumed for dates without one.", _offset)


@dataclass(frozen=True)
class SiteRule:
    """Extraction rules for one site; selectors override the generic engine."""

    name: str = setting("", "Short name of the site rule.")
    domains: list[str] = setting([], "Host names the rule applies to (subdomains included).")
    valid_from: str | None = setting(None, "First day (YYYY-MM-DD) the rule is valid for.")
    valid_until: str | None = setting(None, "Last day (YYYY-MM-DD) the rule is valid for.")
    offset: str | None = setting(None, "UTC offset assumed for dates without one.", _offset)
    title: str | None = setting(None, "CSS selector of the headline.")
    published: str | None = setting(None, "CSS selector of the publication date.")
    modified: str | None = setting(None, "CSS selector of the modification date.")
    authors: str | None = setting(None, "CSS selector of the byline element(s).")
    body: str | None = setting(None, "CSS selector of the article body container.")
    remove: list[str] = setting([], "CSS selectors removed from the body before extraction.")
    captions: str | None = setting(None, "CSS selector of image captions inside the body.")
    lead_marker: str | None = setting(None, "Regex with one group: the outlet marker of the lead.")
    signature: bool = setting(True, "Take a trailing signature paragraph as the author.")
    hook: str | None = setting(None, "Python hook \"module:function\" for what selectors cannot.")


@dataclass(frozen=True)
class Config:
    archive: ArchiveConfig = field(default_factory=ArchiveConfig)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    revisit: RevisitConfig = field(default_factory=RevisitConfig)
    serve: ServeConfig = field(default_factory=ServeConfig)
    sources: list[SourceConfig] = field(default_factory=list)
    sites: list[SiteRule] = field(default_factory=list)
    path: Path | None = None

    @property
    def db_path(self) -> Path:
        base = self.path.parent if self.path else Path.cwd()
        return base / self.archive.db

    def source(self, name: str) -> SourceConfig | None:
        return next((s for s in self.sources if s.name == name), None)


_SECTIONS = {"archive": ArchiveConfig, "fetch": FetchConfig, "revisit": RevisitConfig, "serve": ServeConfig}
_ARRAYS = {"sources": SourceConfig, "sites": SiteRule}


def _as_list(value: Any) -> list:
    if not isinstance(value, list):
        raise ValueError("a list")
    return value


class _Reader:
    """Builds dataclasses from TOML tables, locating errors in the source text."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(message, path=self.path, key=key, line=self.locate(key))

    def locate(self, dotted: str) -> int | None:
        """The line of ``section.key`` (or ``sources[1].key``) in the file, if found."""
        parts = re.split(r"\.", re.sub(r"\[(\d+)\]", r".\1", dotted))
        section, key = parts[0], parts[-1]
        index = int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else 0
        seen, inside = -1, False
        for number, line in enumerate(self.lines, 1):
            header = re.match(r"^\s*\[\[?\s*([\w.]+)\s*\]\]?", line)
            if header:
                name = header.group(1)
                if name == section:
                    seen += 1
                inside = name.split(".")[0] == section and seen == index
                if len(parts) == 1 and inside:
                    return number
                continue
            if inside and re.match(rf"^\s*{re.escape(key)}\s*=", line):
                return number
        return None

    def build(self, cls: type, table: Any, where: str) -> Any:
        if not isinstance(table, dict):
            raise self.fail(where, "expected a table")
        names = {f.name: f for f in fields(cls) if f.name != "path"}
        for key in table:
            if key not in names:
                close = difflib.get_close_matches(key, list(names), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise self.fail(f"{where}.{key}", f"unknown key {key!r}{hint}")
        values = {}
        for name, fld in names.items():
            if name in table:
                values[name] = self.value(fld, table[name], f"{where}.{name}")
            elif fld.default is MISSING and fld.default_factory is MISSING:
                raise self.fail(f"{where}.{name}", "missing required key")
        return cls(**values)

    def value(self, fld: Any, raw: Any, where: str) -> Any:
        parse = fld.metadata.get("parse")
        kind = _resolve(fld.type)
        try:
            if parse and raw is not None:
                return parse(raw)
            if kind is list:
                return [self.item(fld, item, f"{where}[{i}]") for i, item in enumerate(_as_list(raw))]
            return _check(kind, raw)
        except ValueError as exc:
            raise self.fail(where, f"expected {exc}, got {raw!r}") from None

    def item(self, fld: Any, raw: Any, where: str) -> Any:
        if "Listing" in str(fld.type):
            return self.build(Listing, raw, where)
        return _check(str, raw)


def _resolve(annotation: Any) -> type:
    """The base type named by a (string) annotation such as ``'str | None'``."""
    text = annotation if isinstance(annotation, str) else repr(annotation)
    base = text.replace(" ", "").replace("|None", "").split("[")[0]
    return {"bool": bool, "int": int, "float": float, "str": str, "list": list}.get(base, str)


def _check(kind: type, raw: Any) -> Any:
    names = {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}
    if raw is None:
        return None
    if kind is float and isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return float(raw)
    if kind is int and isinstance(raw, bool):
        raise ValueError(names[int])
    if not isinstance(raw, kind):
        raise ValueError(names.get(kind, str(kind)))
    return raw


def _build_config(reader: _Reader, data: dict[str, Any], path: Path | None) -> Config:
    values: dict[str, Any] = {}
    for key, raw in data.items():
        if key in _SECTIONS:
            values[key] = reader.build(_SECTIONS[key], raw, key)
        elif key in _ARRAYS:
            if not isinstance(raw, list):
                raise reader.fail(key, f"expected [[{key}]] tables")
            values[key] = [reader.build(_ARRAYS[key], t, f"{key}[{i}]") for i, t in enumerate(raw)]
        else:
            known = list(_SECTIONS) + list(_ARRAYS)
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise reader.fail(key, f"unknown section {key!r}{hint}")
    config = Config(**values, path=path)
    _check_sources(reader, config)
    _check_sites(reader, config)
    return config


def _check_sources(reader: _Reader, config: Config) -> None:
    names: set[str] = set()
    for i, source in enumerate(config.sources):
        where = f"sources[{i}]"
        if not source.name:
            raise reader.fail(f"{where}.name", "every source needs a name")
        if source.name in names:
            raise reader.fail(f"{where}.name", f"duplicate source name {source.name!r}")
        names.add(source.name)
        if source.every is not None and source.cron is not None:
            raise reader.fail(f"{where}.cron", "give either every or cron, not both")
        for j, listing in enumerate(source.listings):
            if not listing.url or not (listing.links or listing.pattern):
                raise reader.fail(f"{where}.listings", f"listing {j} needs url and links or pattern")
            _check_selector(reader, f"{where}.listings", listing.links)
            _check_pattern(reader, f"{where}.listings", listing.pattern)
        for key in ("allow", "deny"):
            for pattern in getattr(source, key):
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise reader.fail(f"{where}.{key}", f"bad regular expression {pattern!r}: {exc}") from None


_SELECTOR_KEYS = ("title", "published", "modified", "authors", "body", "captions")


def _check_sites(reader: _Reader, config: Config) -> None:
    for i, rule in enumerate(config.sites):
        for key in _SELECTOR_KEYS:
            _check_selector(reader, f"sites[{i}].{key}", getattr(rule, key))
        for selector in rule.remove:
            _check_selector(reader, f"sites[{i}].remove", selector)
        _check_pattern(reader, f"sites[{i}].lead_marker", rule.lead_marker)


def _check_selector(reader: _Reader, where: str, selector: str | None) -> None:
    """A CSS selector lexbor cannot parse fails here, not in the middle of a run."""
    if selector is None:
        return
    from selectolax.lexbor import LexborHTMLParser

    try:
        LexborHTMLParser("<p></p>").css_first(selector)
    except Exception as exc:  # noqa: BLE001 - selectolax raises its own error class
        raise reader.fail(where, f"bad CSS selector {selector!r}: {exc}") from None


def _check_pattern(reader: _Reader, where: str, pattern: str | None) -> None:
    if pattern is None:
        return
    try:
        re.compile(pattern)
    except re.error as exc:
        raise reader.fail(where, f"bad regular expression {pattern!r}: {exc}") from None


def loads(text: str, path: str | Path | None = None) -> Config:
    """Parse config text; ``path`` is used in messages and to resolve ``archive.db``."""
    name = str(path) if path else "<config>"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise ConfigError(f"not valid TOML: {exc}", path=name,
                          line=int(line.group(1)) if line else None) from exc
    return _build_config(_Reader(name, text), data, Path(path).resolve() if path else None)


def load(path: str | Path) -> Config:
    """Read and check a config file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=str(path)) from exc
    return loads(text, path)


def documented_keys() -> dict[str, dict[str, str]]:
    """Every config key with its help text, by section (for docs and tests)."""
    sections = {**_SECTIONS, **_ARRAYS, "sources.listings": Listing}
    return {name: {f.name: f.metadata.get("help", "") for f in fields(cls)}
            for name, cls in sections.items()}

