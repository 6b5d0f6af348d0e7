"""The article's own images, in order: the lead (``og:image``) first, then the
images inside the body container, each with its caption and photo credit.

The real URL of a lazy-loaded image sits in ``data-src``/``data-original``/
``data-srcset`` or ``srcset`` rather than ``src``; logos, icons, avatars,
tracking pixels and ads are left out.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from ..models import Image
from .precompute import Precomputed, jsonld_text

_LAZY_ATTRS = ("data-src", "data-original", "data-lazy-src", "data-lazy", "data-url", "data-full-src",
               "data-original-src", "data-hi-res-src", "data-image", "data-img-src", "data-echo")
_SRCSET_ATTRS = ("data-srcset", "data-lazy-srcset", "srcset")
_SKIP = re.compile(r"logo|icon|avatar|sprite|emoji|badge|pixel|tracking|spinner|loading|placeholder|"
                   r"blank\.|spacer|1x1|transparent|gravatar|/ads?/|doubleclick|banner|feeds\.|"
                   r"facebook\.com/tr|\.svg(?:$|\?)", re.I)
_SKIP_CLASS = re.compile(r"logo|icon|avatar|author|emoji|sprite|profile|ad-|advert|banner", re.I)
_CREDIT = re.compile(
    r"(?:^|[\s(\[\-–—|.,])\(?\s*(?:Ảnh|Anh|Photo|Photos|Foto|Fotos|Photograph|Image|Picture|Bild|Credit|Credits|"
    r"Nguồn ảnh|Quelle|Source|Crédit|Crédito)\s*(?:by)?\s*:\s*([^()\[\]]{1,120}?)\s*[)\]]?\s*\.?$",
    re.I)
_COPYRIGHT = re.compile(r"\s*[©℗]\s*([^©]{1,100})$")
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
    if caption and not caption.endswith((".", "!", "?", ")")) and text[match.start():match.start() + 2].strip(" (") == ".":
        caption += "."
    return caption, credit


def best_from_srcset(value: str | None) -> str | None:
    """The widest candidate of a ``srcset``."""
    if not value:
        return None
    best, best_size = None, -1.0
    for match in _SRCSET_ITEM.finditer(value):
        url = match.group(1)
        if not url or url.startswith("data:"):
            continue
        size = float(match.group(2)) if match.group(2) else 1.0
        if match.group(3) == "x":
            size *= 1000
        if size > best_size:
            best, best_size = url.rstrip(","), size
    return best


def image_url(node: LexborNode) -> str | None:
    attrs = node.attributes
    for key in _LAZY_ATTRS:
        value = attrs.get(key)
        if value and not value.startswith("data:") and not _SKIP.search(value):
            return value.strip()
    for key in _SRCSET_ATTRS:
        value = best_from_srcset(attrs.get(key))
        if value:
            return value
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


def _too_small(node: LexborNode) -> bool:
    for key in ("width", "height"):
        value = (node.attributes.get(key) or "").strip().rstrip("px")
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


def collect(pre: Precomputed, containers: list[LexborNode], caption_selector: str | None = None) -> list[Image]:
    images: list[Image] = []
    seen: set[str] = set()
    lead = lead_image(pre)
    body_images: list[Image] = []
    for container in containers:
        for img in container.css("img"):
            attrs = img.attributes
            label = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
            if _too_small(img) or (label.strip() and _SKIP_CLASS.search(label)):
                continue
            url = pre.absolute(image_url(img))
            if not url or _SKIP.search(url) or url in seen:
                continue
            seen.add(url)
            caption, credit = split_credit(_caption(img, caption_selector))
            body_images.append(Image(url, caption, credit))
            if len(body_images) >= 100:
                break
    if lead and lead not in seen and not _SKIP.search(lead):
        images.append(Image(lead))
    images.extend(body_images)
    return images
