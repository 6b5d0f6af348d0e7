"""Authors: people, not organisations, from JSON-LD, meta tags, byline
elements and an end-of-body signature.

"By", role lines such as "(Chủ tịch CĐVC tỉnh)" and "Theo Reuters" sources are
not names. A trailing signature taken as the author is removed from the body
by the caller (``signature`` returns how many blocks it used).
"""

from __future__ import annotations

import re
from typing import Any

from .body import Block
from .precompute import Precomputed, jsonld_text, types_of

_ORG_TYPES = ("organization", "newsmediaorganization", "organisation", "corporation", "newsorganization",
              "website", "brand", "localbusiness", "educationalorganization", "governmentorganization")
_BY = re.compile(r"^\s*(?:by|von|par|por|di|door|av|af|bởi|written by|words by|text:?|tác giả:?)\s+", re.I)
_SPLIT = re.compile(r"\s*(?:,|;|&|\||/|\band\b|\bund\b|\bet\b|\bvà\b|\by\b|\be\b)\s*", re.I)
_NOT_NAME = re.compile(r"https?://|www\.|@|\d{3,}|staff|editor|redaktion|newsroom|desk|agency|agencies|"
                       r"reuters|associated press|\bafp\b|\bap\b|\bdpa\b|\bsid\b|\bkna\b|\bepd\b|"
                       r"contributor|correspondent|reporter|team|admin|guest|anonymous|unknown|"
                       r"\bnews\b|\bmedia\b|\bonline\b|\.com|\.vn|\.de", re.I)
_SOURCE = re.compile(r"^\s*(?:theo|nguồn|source|quelle|via)\b", re.I)
_ROLE = re.compile(r"^\(.{1,80}\)$")
_UPPER_WORD = re.compile(r"^[^\W\d_][\w.'’\-]*$")
_BYLINE_SELECTORS = (
    "[itemprop=author] [itemprop=name], [itemprop=author], a[rel=author], [rel=author], "
    ".byline .author, .author-name, .author__name, .byline__name, .article-author, .post-author, "
    ".author_name, .authorName, .byline, .author, .detail-author, [data-role=author], "
    ".author-info .name, p.author_mail strong, .td-post-author-name, .entry-author-name, .meta-author"
)


def clean_name(raw: str) -> str:
    name = " ".join(raw.replace("\xa0", " ").split())
    name = _BY.sub("", name)
    name = re.sub(r"^(?:Tác giả|Author|Autor|Auteur)\s*:?\s*", "", name, flags=re.I)
    return name.strip(" .,:;-–—|()[]")


def split_names(raw: str) -> list[str]:
    raw = clean_name(raw)
    if not raw or _SOURCE.match(raw):
        return []
    names = []
    for part in _SPLIT.split(raw):
        part = clean_name(part)
        if part and looks_like_name(part):
            names.append(part)
    return names


def looks_like_name(text: str) -> bool:
    words = text.split()
    if not 1 <= len(words) <= 6 or len(text) > 60:
        return False
    if _NOT_NAME.search(text) or _ROLE.match(text):
        return False
    return any(ch.isalpha() for ch in text)


def _from_jsonld(pre: Precomputed, orgs: set[str]) -> list[str] | None:
    """Person names from the article's JSON-LD; [] when it names only organisations."""
    article = pre.article
    if not article or "author" not in article:
        return None
    value: Any = article.get("author")
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items[:20]:
        if isinstance(item, dict):
            name = jsonld_text(item.get("name"))
            if not name:
                continue
            if any(t in _ORG_TYPES for t in types_of(item)):
                orgs.add(name.casefold())
                continue
            names.extend(split_names(name))
        elif isinstance(item, str):
            names.extend(split_names(item))
    return names


def _from_meta(pre: Precomputed) -> list[str]:
    for key in ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator",
                "dcterms.creator", "byl", "twitter:creator:name", "og:article:author"):
        for value in pre.meta.get(key, ()):
            if value and not value.startswith("http"):
                names = split_names(value)
                if names:
                    return names
    return []


def _from_byline(pre: Precomputed, selector: str | None = None) -> list[str]:
    try:
        nodes = pre.tree.css(selector or _BYLINE_SELECTORS)
    except Exception:  # noqa: BLE001 - a bad selector in a user rule must not crash extraction
        return []
    names: list[str] = []
    for node in nodes[:10]:
        text = node.attributes.get("content") or node.text(separator=" ", strip=True)
        if not text or len(text) > 120:
            continue
        for name in split_names(text):
            if name not in names:
                names.append(name)
        if names and not selector:
            break
    return names


def _drop_orgs(names: list[str], orgs: set[str], site: list[str]) -> list[str]:
    blocked = orgs | {s.casefold() for s in site}
    out = []
    for name in names:
        key = name.casefold()
        if key in blocked or any(key == b or (len(b) > 3 and b in key) for b in blocked):
            continue
        if name not in out:
            out.append(name)
    return out


def find(pre: Precomputed, site: list[str], rule_selector: str | None = None) -> tuple[list[str], bool]:
    """(authors, from_org_only): the page's people, and whether the
    machine-readable sources named only organisations."""
    orgs: set[str] = set()
    if rule_selector:
        names = _from_byline(pre, rule_selector)
        if names:
            return _drop_orgs(names, orgs, site), False
    ld = _from_jsonld(pre, orgs)
    if ld:
        return _drop_orgs(ld, orgs, site), False
    meta = _drop_orgs(_from_meta(pre), orgs, site)
    if meta:
        return meta, False
    byline = _drop_orgs(_from_byline(pre), orgs, site)
    return byline, bool(orgs) or ld == []


def is_signature(text: str) -> bool:
    """A short line of capitalised words: "Nguyễn Thị Hòa", "HOÀNG ANH", "T.Đ"."""
    text = text.strip().rstrip(".")
    if not text or len(text) > 40 or _SOURCE.match(text) or _ROLE.match(text):
        return False
    words = text.replace("-", " ").split()
    if not 1 <= len(words) <= 5:
        return False
    for word in words:
        if not _UPPER_WORD.match(word) or not word[0].isupper():
            return False
    return not _NOT_NAME.search(text)


def signature(blocks: list[Block], lang: str | None, forced: bool = False) -> tuple[list[str], list[int]]:
    """Names signed at the end of the body, and the indices of the blocks
    they use (the signature and its role line; a trailing "Theo X" source
    line is skipped over and kept)."""
    index = len(blocks) - 1
    while index >= 0 and _SOURCE.match(blocks[index].text) and len(blocks[index].text) < 80:
        index -= 1
    used: list[int] = []
    if index > 0 and _ROLE.match(blocks[index].text.strip()):
        used.append(index)
        index -= 1
    if index < 1:
        return [], []
    block = blocks[index]
    vietnamese = (lang or "").lower().startswith("vi")
    styled = block.right or block.emphasised
    if not (forced or vietnamese or styled or used):
        return [], []
    text = block.text.strip()
    if is_signature(text):
        names = [text.rstrip(".")]
    else:  # "Nguyễn Văn A - Trần B", "HÀ AN (thực hiện)"
        text = re.sub(r"\s*\((?:thực hiện|tổng hợp|ghi|lược dịch|dịch)\)\s*$", "", text, flags=re.I)
        names = [p.strip() for p in re.split(r"\s+[-–]\s+|,\s*", text) if p.strip()]
        if not names or not all(is_signature(p) for p in names):
            return [], []
    if len(names) == 1 and len(names[0].split()) == 1 and not (vietnamese or styled or forced):
        return [], []
    return names, [index] + used
