"""The article's own images, in order: the lead (``og:image``) first, then the
images inside the body container, each with its caption and photo credit.

The real URL of a lazy-loaded image sits in ``data-src``/``data-original``/
``data-srcset`` or ``srcset`` rather than ``src``; logos, icons, avatars,
tracking pixels and ads are left out.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote

from selectolax.lexbor import LexborNode

from ..models import Image
from .labels import Words
from .precompute import Precomputed, jsonld_text

_LAZY_ATTRS = ("data-src", "data-original", "data-lazy-src", "data-lazy", "data-url", "data-full-src",
               "data-original-src", "data-hi-res-src", "data-image", "data-img-src", "data-echo")
_SRCSET_ATTRS = ("data-srcset", "data-lazy-srcset", "srcset")
_SKIP_WORDS = ("logo", "icon", "avatar", "sprite", "emoji", "badge", "pixel", "tracking", "spinner", "loading",
               "placeholder", "blank.", "spacer", "1x1", "transparent", "gravatar", "/ad/", "/ads/",
               "doubleclick", "banner", "feeds.", "facebook.com/tr", ".svg")


class _Skip:
    """URLs of logos, icons, avatars, trackers and ads (plain substring tests:
    a regex with this many alternatives is slow on long URLs)."""

    @staticmethod
    def search(url: str) -> bool:
        return any(map(url.lower().__contains__, _SKIP_WORDS))  # no generator frame: called for every image URL


_SKIP = _Skip()
_JUNK_BOX = Words(("related", "outbrain", "taboola", "recommend", "comment(?!ary)", "advert", "sponsor", "newsletter"))
_SKIP_CLASS = Words(("logo", "icon", "avatar", "author", "emoji", "sprite", "profile", "ad-", "advert", "banner"))
_CREDIT = re.compile(
    r"(?:^|[\s(\[\-–—|.,])\(?\s*(?:Ảnh|Anh|Photo|Photos|Foto|Fotos|Photograph|Image|Picture|Bild|Credit|Credits|"
    r"Nguồn ảnh|Quelle|Source|Crédit|Crédito)\s*(?:by)?\s*:\s*([^()\[\]]{1,120}?)\s*[)\]]?\s*\.?$",
    re.I)
_COPYRIGHT = re.compile(r"\s*[©℗]\s*([^©]{1,100})$")
_SIZE_TOKEN = re.compile(r"\d{2,4}x\d{1,4}|(?<![a-z])[wh]_?\d{2,4}(?![0-9])|\d{2,4}w(?![a-z])|"
                         r"(?:thumb|resize|crop|scale|desktop|mobile|large|medium|small|wide|square)\w*", re.I)
_SAFE_STEM = re.compile(r"[\w.@,-]+")
_SRCSET_ITEM = re.compile(r"\s*(\S+?)(?:\s+(\d+(?:\.\d+)?)([wx]))?\s*(?:,|$)")


def split_credit(text: str | None) -> tuple[str | None, str | None]:
    """``"Lãnh đạo … Ảnh: C.T.V"`` -> (caption, credit)."""
    if not text:
        return None, None
    text = " ".join(text.split())
    match = _CREDIT.search(text) or _COPYRIGHT.search(text)
    if not match:
        return text or None, None
    credit = match.group(1).strip(" .;,") or None
    caption = text[:match.start()].rstrip(" -–—|(.,;") or None
    stop = text[match.start():match.start() + 2].strip(" (") == "."
    if caption and not caption.endswith((".", "!", "?", ")")) and stop:
        caption += "."
    return caption, credit


def parse_srcset(value: str) -> list[tuple[str, float]]:
    """``srcset`` candidates as (url, width-ish size), per the HTML rules: a URL
    runs to whitespace (commas inside it are kept), a trailing comma ends it."""
    out: list[tuple[str, float]] = []
    tokens = value.split()
    i = 0
    while i < len(tokens) and len(out) < 50:
        url = tokens[i]
        i += 1
        ended = url.endswith(",")
        url = url.rstrip(",")
        size = 1.0
        if not ended and i < len(tokens):
            descriptor = tokens[i]
            if descriptor[:1].isdigit() or descriptor[:1] == ".":
                i += 1
                head, comma, rest = descriptor.partition(",")
                if comma and rest:  # "1x,b.jpg": no space after the comma
                    descriptor = head
                    tokens.insert(i, rest)
                number = descriptor.rstrip(",")
                try:
                    if number.endswith("w"):
                        size = float(number[:-1])
                    elif number.endswith("x"):
                        size = float(number[:-1]) * 1000
                except ValueError:
                    pass
        if url and not url.startswith("data:"):
            out.append((url, size))
    return out


def best_from_srcset(value: str | None) -> str | None:
    """The widest candidate of a ``srcset``."""
    if not value:
        return None
    candidates = parse_srcset(value)
    if not candidates:
        return None
    return max(candidates, key=lambda item: item[1])[0]


def image_url(node: LexborNode, attrs: dict[str, str | None] | None = None) -> str | None:
    """The image's real URL (``attrs``: its attributes, when read already)."""
    if attrs is None:
        attrs = node.attributes
    for key in _SRCSET_ATTRS:
        value = best_from_srcset(attrs.get(key))
        if value and not _SKIP.search(value):
            return value
    for key in _LAZY_ATTRS:
        value = attrs.get(key)
        if value and not value.startswith("data:") and not _SKIP.search(value):
            return value.strip()
    src = attrs.get("src")
    if src and not src.startswith("data:"):
        return src.strip()
    parent = node.parent
    if parent is not None and parent.tag == "picture":
        for source in parent.css("source"):
            value = best_from_srcset(source.attributes.get("srcset") or source.attributes.get("data-srcset"))
            if value:
                return value
    return None


def _too_small(attrs: dict[str, str | None]) -> bool:
    for key in ("width", "height"):
        value = (attrs.get(key) or "").strip().rstrip("px")
        if value.isdigit() and int(value) < 60:
            return True
    return False


def _next_element(node: LexborNode) -> LexborNode | None:
    sibling = node.next
    while sibling is not None and sibling.tag in ("-text", "-comment"):
        sibling = sibling.next
    return sibling


def _caption(img: LexborNode, rule_selector: str | None = None) -> str | None:
    after = _next_element(img)
    if after is not None and "caption" in (after.attributes.get("class") or "").lower():
        return after.text(separator=" ", strip=True)
    current = img.parent
    for depth in range(6):
        if rule_selector and current is not None and depth < 4:
            try:
                cap = current.css_first(rule_selector)
            except Exception:  # noqa: BLE001 - malformed user selector
                cap = None
            if cap is not None:
                return cap.text(separator=" ", strip=True)
        if current is None:
            return None
        tag = current.tag
        if tag == "figure":
            cap = current.css_first("figcaption")
            return cap.text(separator=" ", strip=True) if cap is not None else None
        if tag == "table":
            cap = current.css_first("td.image_desc, .image_desc, td.ck_legend, caption, .caption")
            return cap.text(separator=" ", strip=True) if cap is not None else None
        if tag in ("div", "span", "p", "a", "picture"):
            sibling = _next_element(current)
            if sibling is not None and "caption" in (sibling.attributes.get("class") or "").lower():
                return sibling.text(separator=" ", strip=True)
        current = current.parent
    return None


def lead_image(pre: Precomputed) -> str | None:
    value = pre.first_meta("og:image", "og:image:url", "og:image:secure_url", "twitter:image",
                           "twitter:image:src")
    if not value and pre.article:
        value = jsonld_text(pre.article.get("image")) if not isinstance(pre.article.get("image"), dict) else (
            pre.article["image"].get("url"))
    return pre.absolute(value) if value else None


@lru_cache(maxsize=4096)
def image_key(url: str) -> str:
    """An identity for one image across its renditions: the file name without
    size tokens, or its folder when the file name is only a size
    ("…/alternates/WEBP_900/157526023" ~ "…/SOCIAL/157526023")."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    host, _, path = rest.partition("/")
    host = host.rpartition("@")[2].partition(":")[0].lower()
    path = path.partition("#")[0].partition("?")[0]
    segments = [seg for seg in (unquote(path) if "%" in path else path).split("/") if seg]
    if not segments:
        return url
    stem = _SIZE_TOKEN.sub("", segments[-1].rsplit(".", 1)[0]).strip("_-.@")
    if len(stem) >= 6:
        return f"{host}|{stem}"
    return f"{host}|{'/'.join(segments[:-1])}|{stem}"


def scope(pre: Precomputed, containers: list[LexborNode]) -> list[LexborNode]:
    """Where the article's images are: the body container, widened to the
    element that also holds the headline (hero images sit above the text)."""
    if not containers:
        return containers
    h1 = pre.h1s[0] if pre.h1s else None
    first = containers[0]
    if h1 is None:
        return containers
    ancestors: dict[int, LexborNode] = {}
    node: LexborNode | None = first
    for _ in range(12):
        if node is None:
            break
        ancestors[node.mem_id] = node
        node = node.parent
    common: LexborNode | None = h1
    for _ in range(12):
        if common is None or common.mem_id in ancestors:
            break
        common = common.parent
    if common is None or common.mem_id not in ancestors or common.tag in ("body", "html"):
        return containers
    depth = 0
    node = first
    while node is not None and node.mem_id != common.mem_id and depth < 12:
        node = node.parent
        depth += 1
    if depth > 4:  # the headline is far from the text: do not sweep a whole page in
        return containers
    return [common] + [c for c in containers[1:] if not _inside(c, common)]


@lru_cache(maxsize=8192)
def _junk_box_label(label: str) -> bool:
    return len(label) > 3 and _JUNK_BOX.search(label)


def _in_junk_box(img: LexborNode, root: int, verdicts: dict[int, bool]) -> bool:
    """Inside a related-links, ad, comment or newsletter box (below ``root``);
    verdicts are shared by the images of one container."""
    seen: list[int] = []
    current = img.parent
    found = False
    for _ in range(12):
        if current is None:
            break
        key = current.mem_id
        if key == root:
            break
        known = verdicts.get(key)
        if known is not None:
            found = known
            break
        seen.append(key)
        if current.tag in ("aside", "footer", "nav"):
            found = True
            break
        attrs = current.attributes
        if attrs and _junk_box_label(f"{attrs.get('class') or ''} {attrs.get('id') or ''}"):
            found = True
            break
        current = current.parent
    for key in seen:
        verdicts[key] = found
    return found


def _inside(node: LexborNode, ancestor: LexborNode) -> bool:
    target = ancestor.mem_id
    current = node
    for _ in range(40):
        if current is None:
            return False
        if current.mem_id == target:
            return True
        current = current.parent
    return False


def collect(pre: Precomputed, containers: list[LexborNode], caption_selector: str | None = None,
            where: list[LexborNode] | None = None) -> list[Image]:
    """The lead image, then the article's images in order, without repeats
    (renditions of the lead image are the lead image). ``where`` is the
    precomputed ``scope`` of the containers."""
    seen: set[str] = set()
    found: list[Image] = []
    keys: list[str] = []  # image_key of each found image
    for container in (where if where is not None else scope(pre, containers)):
        imgs = container.css("img")
        root = container.mem_id
        verdicts: dict[int, bool] = {}
        for img in imgs:
            if len(imgs) > 1 and _in_junk_box(img, root, verdicts):
                continue
            attrs = img.attributes
            label = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
            if _too_small(attrs) or (label.strip() and _SKIP_CLASS.search(label)):
                continue
            url = pre.absolute(image_url(img, attrs))  # one attribute read per image: each costs a dict
            if not url or _SKIP.search(url):
                continue
            key = image_key(url)
            if key in seen:
                continue
            seen.add(key)
            caption, credit = split_credit(_caption(img, caption_selector))
            found.append(Image(url, caption, credit))
            keys.append(key)
            if len(found) >= 100:
                break
    lead = lead_image(pre)
    if not lead or _SKIP.search(lead):
        return found
    lead_key = image_key(lead)
    if lead_key in seen:
        i = keys.index(lead_key)
        return [found[i]] + found[:i] + found[i + 1:]
    return [_lead_on_page(pre, lead, lead_key, caption_selector)] + found


def _lead_on_page(pre: Precomputed, lead: str, key: str, caption_selector: str | None) -> Image:
    """The lead image as the page itself shows it (its rendition and caption),
    when a copy of the og:image sits outside the article container."""
    stem = key.rsplit("|", 1)[-1]
    if len(stem) < 8 or not _SAFE_STEM.fullmatch(stem):
        return Image(lead)
    selector = ", ".join(f'{tag}[{attr}*="{stem}"]' for tag, attr in (
        ("img", "src"), ("img", "srcset"), ("img", "data-src"), ("source", "srcset"), ("img", "data-srcset")))
    for node in pre.tree.css(selector)[:3]:
        if node.tag == "source":
            url = pre.absolute(best_from_srcset(node.attributes.get("srcset")))
            target = node.parent.css_first("img") if node.parent is not None else None
        else:
            url = pre.absolute(image_url(node))
            target = node
        if url and image_key(url) == key:
            caption, credit = split_credit(_caption(target, caption_selector)) if target is not None else (None, None)
            return Image(url, caption, credit)
    return Image(lead)
