"""Title, language and canonical URL from the metadata cascade and the DOM.

The title is the page's headline without site-name prefixes or suffixes: the
``<h1>`` that agrees with the metadata titles wins; otherwise the best metadata
title is stripped of the part that names the site.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from .precompute import Precomputed, jsonld_text

_SEPARATORS = re.compile(r"\s+(?:[|\-–—·•»«:/]|::|\\\\|//)\s+")
_WORD = re.compile(r"\w+")


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def _fold(text: str) -> str:
    """Site-name comparison key: no diacritics, no spaces, đ -> d."""
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c) and c.isalnum()).casefold()


def _tokens(text: str) -> set[str]:
    return set(_WORD.findall(text.casefold()))


def _overlap(a: str, b: str) -> float:
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


def site_names(pre: Precomputed) -> list[str]:
    names = []
    name = pre.first_meta("og:site_name", "application-name", "apple-mobile-web-app-title", "twitter:site")
    if name:
        names.append(name.lstrip("@"))
    publisher = pre.article.get("publisher") if pre.article else None
    text = jsonld_text(publisher)
    if text:
        names.append(text)
    host = urlsplit(pre.url or "").hostname or ""
    if host:
        parts = [p for p in host.split(".") if p not in ("www", "m", "com", "net", "org", "co", "vn", "uk")]
        names.extend(p for p in parts if len(p) > 3)
    return names


def strip_site(title: str, names: list[str]) -> str:
    """Remove a site-name prefix or suffix from a ``<title>``-like string."""
    parts = _SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    normed = [_fold(n) for n in names if n]

    def is_site(part: str) -> bool:
        key = _fold(part)
        return bool(key) and any(n and (n in key or key in n) for n in normed)

    # split once at the separator nearest an end that names the site
    for sep in reversed(list(_SEPARATORS.finditer(title))):
        tail = title[sep.end():]
        if is_site(tail):
            return title[:sep.start()].strip()
        break
    first = _SEPARATORS.search(title)
    if first and is_site(title[:first.start()]):
        return title[first.end():].strip()
    last = list(_SEPARATORS.finditer(title))[-1]
    tail = title[last.end():]
    if len(tail.split()) <= 4 and len(title[:last.start()].split()) >= 3:
        return title[:last.start()].strip()
    return title


def title(pre: Precomputed) -> str | None:
    meta_titles = [t for t in (
        pre.first_meta("og:title"), jsonld_text(pre.article.get("headline")) if pre.article else None,
        pre.first_meta("twitter:title"), pre.title_tag, pre.first_meta("title", "dc.title", "headline"),
    ) if t]
    h1s = []
    for node in pre.tree.css("h1")[:8]:
        text = node.text(separator=" ", strip=True)
        if text and len(text) < 400:
            h1s.append(" ".join(text.split()))
    for h1 in h1s:
        for meta in meta_titles:
            if _norm(h1) == _norm(meta) or (len(h1) > 15 and _norm(h1) in _norm(meta)):
                return h1
    for h1 in h1s:
        if meta_titles and max(_overlap(h1, m) for m in meta_titles) >= 0.5:
            return h1
    names = site_names(pre)
    if meta_titles:
        return " ".join(strip_site(meta_titles[0], names).split())
    for h1 in h1s:
        if len(h1.split()) >= 2:
            return h1
    for node in pre.tree.css("h2")[:3]:
        text = node.text(separator=" ", strip=True)
        if text:
            return " ".join(text.split())
    return None


def language(pre: Precomputed) -> str | None:
    value = (pre.html_lang or pre.first_meta("content-language", "og:locale", "language", "dc.language")
             or (jsonld_text(pre.article.get("inLanguage")) if pre.article else None))
    if not value:
        return None
    value = value.split(",")[0].strip().replace("_", "-")
    return value if re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", value) else None


def canonical(pre: Precomputed) -> str | None:
    return pre.canonical or pre.absolute(pre.first_meta("og:url"))
