"""Title, language and canonical URL from the metadata cascade and the DOM.

The title is the page's headline without site-name prefixes or suffixes: the
``<h1>`` that agrees with the metadata titles wins; otherwise the best metadata
title is stripped of the part that names the site.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache
from urllib.parse import urlsplit

from .precompute import Precomputed, jsonld_text

_SEPARATORS = re.compile(r"\s+(?:[|\-–—·•»«›‹:/ǀ│~*]|::|\\\\|//)\s+|\s*ㅣ\s*")
_CJK_SECTION = re.compile(r"(?<=\S)-[\uac00-\ud7a3\u4e00-\u9fff]{1,6}$")  # Korean "headline-정치ㅣ site"
_WORD = re.compile(r"\w+")
_NOT_ALNUM = re.compile(r"[\W_]+")
_VARIANT = 0.6


@lru_cache(maxsize=4096)
def _norm(text: str) -> str:
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


@lru_cache(maxsize=4096)
def _fold(text: str) -> str:
    """Site-name comparison key: no diacritics, no spaces, đ -> d."""
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return _NOT_ALNUM.sub("", decomposed).casefold()


def _tokens(text: str) -> set[str]:
    return set(_WORD.findall(text.casefold()))


def site_names(pre: Precomputed) -> list[str]:
    """The site's names: og:site_name and the like, the JSON-LD publisher,
    and the host's distinctive labels (memoised on the page; a copy)."""
    if pre.site_names is None:
        pre.site_names = _site_names(pre)
    return list(pre.site_names)


def _site_names(pre: Precomputed) -> list[str]:
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


def _strip_sections(title: str, mark: str) -> str:
    """"Headline | Section | Forum" (the site already gone) -> "Headline":
    trailing one- or two-word parts, set off by the separator that set off
    the site name, after a headline of three words or more."""
    for _ in range(3):
        seps = [m for m in _SEPARATORS.finditer(title) if m.group().strip() == mark]
        if not seps:
            break
        last = seps[-1]
        if len(title[last.end():].split()) > 2 or len(title[:last.start()].split()) < 3:
            break
        title = title[:last.start()].strip()
    return title


_BREADCRUMB = re.compile(r"\s+[»›>]\s+")


def strip_site(title: str, names: list[str]) -> str:
    """Remove a site-name prefix or suffix from a ``<title>``-like string."""
    return _strip_site(title, tuple(names))


@lru_cache(maxsize=4096)
def _strip_site(title: str, names: tuple[str, ...]) -> str:
    normed = [_fold(n) for n in names if n]

    def is_site(part: str) -> bool:
        key = _fold(part)  # a long part that mentions the site ("Site's Lie of the Year") is not its name
        short = len(part.split()) <= 5
        return bool(key) and any(n and (key == n or key in n or (short and n in key)) for n in normed)

    head, colon, rest = title.partition(": ")
    head_key = _fold(head)
    if colon and rest and len(head) < 40 and len(head_key) > 2 and any(
            head_key == n or (len(head_key) > 3 and n.startswith(head_key)) for n in normed):
        # "BDZV: Headline"
        title = rest.strip()
    crumbs = _BREADCRUMB.split(title)
    if len(crumbs) >= 3 and not is_site(crumbs[-1]) and len(crumbs[-1].split()) >= 2:
        return crumbs[-1].strip()  # "Site » Blog Archive » Headline": the leaf
    parts = _SEPARATORS.split(title)
    if len(parts) < 2:
        return title

    # a site name with separators of its own: "Headline | AOC media - Analyse Opinion Critique",
    # or followed by more: "Headline * The Gateway Pundit * by Paul Serran"
    seps = list(_SEPARATORS.finditer(title))
    for i, sep in enumerate(seps):
        tail = title[sep.end():]
        following = title[sep.end():seps[i + 1].start()] if i + 1 < len(seps) else tail
        if len(_SEPARATORS.split(tail)) > 1 and (_fold(tail) in normed or _fold(following) in normed):
            if len(title[:sep.start()].split()) >= 2:
                head = _strip_sections(title[:sep.start()].strip(), sep.group().strip())
                return _CJK_SECTION.sub("", head)
    # split once at the separator nearest an end that names the site
    for sep in reversed(list(_SEPARATORS.finditer(title))):
        tail = title[sep.end():]
        if is_site(tail):
            return _CJK_SECTION.sub("", _strip_sections(title[:sep.start()].strip(), sep.group().strip()))
        break
    first = _SEPARATORS.search(title)
    if first and is_site(title[:first.start()]):
        rest = title[first.end():].strip()
        parts = _SEPARATORS.split(rest)
        if len(parts) >= 2 and len(parts[-1].split()) >= 3 and all(len(p.split()) <= 4 for p in parts[:-1]):
            return parts[-1].strip()  # "Site - Section - Headline"
        return rest
    last = list(_SEPARATORS.finditer(title))[-1]
    tail = title[last.end():]
    if len(tail.split()) <= 4 and len(title[:last.start()].split()) >= 3:
        return title[:last.start()].strip()
    return title


_HEADLINE_CLASS = re.compile(r"(?:entry|post|article|story|page)[-_]title|title[-_]post|article[-_]header|headline",
                             re.I)
_ARTICLE_HEADER = re.compile(r"(?:entry|post|article)[-_]header|entry[-_]hero", re.I)
_HIDDEN_LABEL = re.compile(r"aural|assistive|sr-only|visually-hidden|screen-reader|navskip|hidden", re.I)
_SOURCE_WEIGHT = {"og": 1.0, "ld": 1.0, "tt": 1.0, "tw": 0.7, "dc": 1.0, "meta": 0.5}
_SITEISH = re.compile(r"logo|site-?title|site-?name|brand|widget|masthead|blog-?title|header-title", re.I)
_TITLE_CLASS = ("h2[class*=title i], h2[class*=headline i], h2[itemprop=headline], "
                "[itemprop=headline]:not(meta):not(h1), .entry-title:not(h1), .post-title:not(h1)")


def _clean(text: str | None) -> str:
    """One-spaced, without soft hyphens or a heading's permalink mark ("Title ¶")."""
    return " ".join((text or "").replace("\xad", "").split()).rstrip(" ¶§🔗")


def _values(pre: Precomputed) -> dict[str, str | None]:
    """The metadata titles by source. A meta value cut short at a quote
    inside it (``content="... de "incapacitado""``) is completed from the
    ``<title>`` that goes on past it."""
    values = {
        "og": pre.first_meta("og:title"),
        "ld": jsonld_text(pre.article.get("headline")) if pre.article else None,
        "tw": pre.first_meta("twitter:title"),
        "tt": pre.title_tag,
        "dc": pre.first_meta("dc.title", "dcterms.title", "dcterm:title", "dc:title"),
        "meta": pre.first_meta("title", "headline", "sailthru.title", "parsely-title"),
    }
    page_title = _clean(pre.title_tag)
    for source in ("og", "tw", "meta"):
        value = _clean(values[source])
        if value and page_title.startswith(value) and page_title[len(value):len(value) + 2] == ' "':
            end = page_title.find('"', len(value) + 2)
            if end > 0:
                values[source] = page_title[:end + 1]
    return values


def _meta_forms(values: dict[str, str | None], names: list[str]) -> dict[str, dict[str, float]]:
    """source -> {normalised form: weight}: the full value, its site-stripped
    form and its separator-split parts."""
    forms: dict[str, dict[str, float]] = {}
    for source, value in values.items():
        value = _clean(value)
        if not value:
            continue
        found = forms.setdefault(source, {})
        for part in _SEPARATORS.split(value):
            if len(part) > 2:
                if " " in part.strip():  # a one-word part is a section or a site, not a headline
                    found.setdefault(_norm(part), 0.6)
        found[_norm(value)] = 0.85
        found[_norm(strip_site(value, names))] = 1.0
    return forms


def _h1_variants(node) -> list[str]:
    """The heading's text, and the texts of its parts (kicker spans, the
    text beside a <small> or <br>), any of which may be the real headline."""
    full = _clean(node.text(separator=" ", strip=True))
    variants = [full] if full else []
    own: list[str] = []
    for child in node.iter(include_text=True):
        if child.tag == "-text":
            own.append(child.text_content or "")
        elif child.tag not in ("br", "-comment"):
            text = _clean(child.text(separator=" ", strip=True))
            if text and text != full and len(text) > 3:
                variants.append(text)
    direct = _clean(" ".join(own))
    if direct and direct != full and len(direct) > 3:
        variants.append(direct)
    return variants


def _is_sitey(node, site_keys: list[str]) -> bool:
    attrs = node.attributes
    label = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
    if _SITEISH.search(label) and not _HEADLINE_CLASS.search(label):
        return True
    link = node.css_first("a[rel=home], a[href='/']")
    if link is not None:
        return True
    key = _fold(node.text(strip=True))
    if not key:
        return False
    if len(node.text(strip=True).split()) <= 3:  # "Disfunctions.de": the site's name, maybe with its TLD
        return any(key == site or (len(site) > 5 and site in key) for site in site_keys)
    return key in site_keys


def _title_site_part(pre: Precomputed, text: str, sites: list[str]) -> bool:
    """Whether ``text`` is the site-name part of the ``<title>``: its last
    part ("Headline | Blog Name"), or the first part of a breadcrumb title
    ("Blog Name » Archive » Headline")."""
    title = _clean(pre.title_tag)
    key = _norm(text)
    if not title or not key:
        return False
    parts = [p for p in _SEPARATORS.split(title) if p.strip()]
    if len(parts) < 2 or _norm(parts[0]) == _norm(parts[-1]) or len(text.split()) > 8:
        return False
    if _norm(parts[-1]) == key:  # unless the site leads: "BKA - Section - Headline"
        first = _fold(parts[0])
        return len(parts[0].split()) >= 2 and not any(n and (n in first or first in n) for n in sites)
    return _norm(parts[0]) == key and len(_BREADCRUMB.findall(title)) >= 2


def title(pre: Precomputed) -> str | None:
    """The headline: the candidate (h1 text or one of its parts, a titled h2,
    a metadata title) on which most metadata sources agree."""
    names = site_names(pre)
    site_keys = [_fold(n) for n in names if n]
    headings = []
    for node in pre.h1s[:6]:
        variants = _h1_variants(node)
        site_part = bool(variants) and _title_site_part(pre, variants[0], site_keys)
        if site_part:
            names.append(variants[0])  # a blog's name as its heading: a site name
        sitey = site_part or _is_sitey(node, site_keys)
        marked = bool(_HEADLINE_CLASS.search(node.attributes.get("class") or ""))
        headings.append((sitey, variants, marked, node))
    site_keys = [_fold(n) for n in names if n]
    values = _values(pre)
    forms = _meta_forms(values, names)
    candidates: list[tuple[str, float, int]] = []  # (text, prior, order)
    order = 0
    first_h1 = True
    for sitey, variants, marked, _ in headings:
        for i, text in enumerate(variants):
            if len(text) > 400:
                continue
            prior = (1.2 if first_h1 else 0.6) if i == 0 else 0.5
            if i == 0 and marked and not sitey:
                prior += 0.3  # the theme says this is the post's title: it needs no metadata to agree
            candidates.append((text, prior - (3.0 if sitey else 0.0), order))
            order += 1
        if not sitey:
            first_h1 = False
    for source, found in forms.items():
        for key, weight in found.items():
            if weight >= 0.85:
                candidates.append((_display(values, source, key, names), 0.0, order))
                order += 1
    best, score, confirmed = _best(candidates, forms, site_keys)
    if not confirmed:  # no heading agrees with the metadata: try titled h2s too
        for node in pre.tree.css(_TITLE_CLASS)[:3]:
            text = _clean(node.text(separator=" ", strip=True))
            if text and len(text) < 400:
                candidates.append((text, 0.4, order))
                order += 1
        best, score, confirmed = _best(candidates, forms, site_keys)
    shown, placed = _shown(headings)
    visible = shown[0] if shown else None
    best = _displayed(best, shown, placed)
    return _without_kicker(best, visible, [pre.first_meta("og:title"), pre.first_meta("twitter:title")])


def _shown(headings: list) -> tuple[list[str], bool]:
    """The heading readers see as the article's, with whether the page
    places it so: the first one that is not the site's name, nor a one-word
    label such as the section's ("Bangkok") before the headline."""
    shown = [(variants, marked, node) for sitey, variants, marked, node in headings if variants and not sitey]
    default = shown[0] if shown else ([], False, None)
    variants, marked, node = next((h for h in shown if " " in h[0][0].strip()), default)
    return variants, bool(variants) and (marked or _in_article(node))


def _displayed(best: str | None, shown: list[str], placed: bool) -> str | None:
    """The page's own heading when the chosen metadata title is another
    wording of it (an SEO title that adds or drops a few words), or when the
    heading is ``placed`` as the article's (its class or an <article> says
    so): readers saw the heading. Not when the choice is a part of the
    heading (the heading adds a kicker or the site's name)."""
    if not best or not shown or len(shown[0]) > 300:
        return best
    key, heading = _norm(best), _norm(shown[0])
    if not key or not heading or any(_norm(v) == key for v in shown):
        return best
    parts = _SEPARATORS.split(shown[0])
    if len(parts) == 2 and _norm(parts[0]) == key and len(parts[1].split()) >= 4:
        return shown[0]  # the heading adds a subtitle: "Headline - with their final show weeks away"
    if any(_norm(part) == key for part in parts):
        return best  # the heading adds a kicker or the site's name
    if any(_norm(part) == heading for part in _SEPARATORS.split(best)):
        return shown[0]  # "Heading – an SEO tagline"
    if placed and len(shown[0].split()) >= 3:
        return shown[0]
    if SequenceMatcher(None, key, heading, autojunk=False).ratio() >= _VARIANT:
        return shown[0]
    return best


def _in_article(node) -> bool:
    """Whether a heading sits in the article's header: inside <article> or
    an entry/post header, not in a <nav>, and not a screen-reader label."""
    if _HIDDEN_LABEL.search(node.attributes.get("class") or ""):
        return False
    current = node.parent
    for _ in range(8):
        if current is None or current.tag in ("nav", "body"):
            return False
        if current.tag == "article" or _ARTICLE_HEADER.search(current.attributes.get("class") or ""):
            return True
        current = current.parent
    return False


def _without_kicker(best: str | None, heading: str | None, social: list[str | None]) -> str | None:
    """"Kicker: Headline" -> "Headline" when the page's headline or its
    social title states the headline alone (the kicker is a topic label
    that the SEO title or the other one adds)."""
    if not best or ": " not in best:
        return best
    head, _, tail = best.partition(": ")
    if len(head.split()) > 6 or len(tail.split()) < 2:
        return best
    key = _norm(tail)
    for text in (heading, *social):
        text = _clean(text)
        if text and _norm(text) == key:
            return text
    return best


def _best(candidates: list[tuple[str, float, int]], forms: dict[str, dict[str, float]],
          site_keys: list[str]) -> tuple[str | None, float, bool]:
    best, best_score, best_votes = None, float("-inf"), 0.0
    for text, prior, position in candidates:
        key = _norm(text)
        if not key:
            continue
        votes = sum(found.get(key, 0.0) * _SOURCE_WEIGHT[source] for source, found in forms.items())
        if prior > 0.4 and votes == 0 and forms:
            prior -= 0.4  # a heading no metadata title confirms
        if _fold(text) in site_keys:
            votes -= 2.0
        score = prior + votes - position * 0.001
        if score > best_score:
            best, best_score, best_votes = text, score, votes
    return best, best_score, best_votes > 0 and best_score > 1.0


def _display(values: dict[str, str | None], source: str, key: str, names: list[str]) -> str:
    """The original spelling of a normalised metadata form."""
    value = values[source]
    value = _clean(value)
    if _norm(value) == key:
        return value
    return _clean(strip_site(value, names))


def language(pre: Precomputed) -> str | None:
    value = (pre.html_lang or pre.first_meta("content-language", "og:locale", "language", "dc.language")
             or (jsonld_text(pre.article.get("inLanguage")) if pre.article else None))
    if not value:
        return None
    value = value.split(",")[0].strip().replace("_", "-")
    return value if re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", value) else None


def canonical(pre: Precomputed) -> str | None:
    return pre.canonical or pre.absolute(pre.first_meta("og:url"))
