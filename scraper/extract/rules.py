"""Site rules: per-field CSS selectors, removals, a default offset, date
windows and an optional Python hook, applied over the generic engine.

``SiteRule`` (scraper.config) is the one schema: the built-in rules in
``sites.toml`` are read with ``scraper.config.loads`` exactly like the
``[[sites]]`` tables of a user's config.toml. Caller rules are tried before
the built-ins; the first rule whose domain matches and whose
``valid_from``/``valid_until`` window contains the article's date wins.
"""

from __future__ import annotations

import importlib
import re
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any, Callable, Sequence
from urllib.parse import urlsplit

from ..config import SiteRule, loads
from ..errors import ConfigError, ExtractError


@lru_cache(maxsize=1)
def builtin_rules() -> tuple[SiteRule, ...]:
    """The rules shipped as package data (``scraper/extract/sites.toml``)."""
    text = resources.files(__package__).joinpath("sites.toml").read_text(encoding="utf-8")
    return tuple(loads(text, "scraper/extract/sites.toml").sites)


def _host(url: str | None) -> str:
    try:
        return (urlsplit(url or "").hostname or "").lower()
    except ValueError:
        return ""


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def applies(rule: SiteRule, host: str, when: date | None) -> bool:
    if not any(host == d.lower() or host.endswith("." + d.lower()) for d in rule.domains):
        return False
    if when is None:
        return _day(rule.valid_until) is None or _day(rule.valid_until) >= date.today()
    start, end = _day(rule.valid_from), _day(rule.valid_until)
    return (start is None or start <= when) and (end is None or when <= end)


def candidates(url: str | None, rules: Sequence[SiteRule] | None, builtin: bool = True) -> list[SiteRule]:
    """Rules whose domains match the URL's host: the caller's first."""
    if not rules and not builtin:
        return []
    host = _host(url)
    if not host:
        return []
    pool = list(rules or ()) + (list(builtin_rules()) if builtin else [])
    return [r for r in pool if any(host == d.lower() or host.endswith("." + d.lower()) for d in r.domains)]


def choose(matching: list[SiteRule], url: str | None, when: date | None) -> SiteRule | None:
    host = _host(url)
    for rule in matching:
        if applies(rule, host, when):
            return rule
    return None


def lead_marker(rule: SiteRule | None, body: str) -> str | None:
    if rule is None or not rule.lead_marker or not body:
        return None
    try:
        match = re.search(rule.lead_marker, body[:200])
    except re.error:
        return None
    if not match:
        return None
    return (match.group(1) if match.groups() else match.group(0)).strip() or None


def load_hook(spec: str) -> Callable[..., Any]:
    """``"package.module:function"`` -> the function."""
    module_name, _, name = spec.partition(":")
    if not module_name or not name:
        raise ConfigError(f"hook {spec!r} is not \"module:function\"", key="sites.hook")
    try:
        return getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError) as exc:
        raise ExtractError(f"site hook {spec!r} cannot be loaded: {exc}") from exc
