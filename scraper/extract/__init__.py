"""Turn one HTML page into an ``Article``: the generic engine plus site rules.

    extract(html, url, *, rules=None, offset=None) -> Article

The page is parsed once (``precompute.build``); the field modules read that
shared object in a fixed order, and the body extractor, which prunes the
tree, runs last:

    precompute ─> metadata (title, language, canonical)
               ─> dates (published, modified)
               ─> authors (JSON-LD, meta, byline elements)
               ─> body (container, images, paragraphs) ─> signature, lead marker

Only ``ExtractError`` (or its subclass ``NoArticle``) ever leaves this
function, whatever the input.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime

from selectolax.lexbor import LexborHTMLParser

from ..config import SiteRule
from ..errors import ExtractError, NoArticle, ScraperError
from ..models import Article, Image
from . import authors as authors_mod
from . import body as body_mod
from . import images as images_mod
from . import embedded, metadata, rules as rules_mod
from . import lead as lead_mod
from .dates import DateFinder
from .precompute import Precomputed, build, jsonld_text

__all__ = ["extract", "decode", "Precomputed", "builtin_rules"]

builtin_rules = rules_mod.builtin_rules


def decode(data: bytes | str) -> str:
    """Page bytes to text (browser order: BOM, meta, detection)."""
    if isinstance(data, str):
        return data
    from ..charset import decode_html

    return decode_html(data)


_INVISIBLE = str.maketrans("", "", "\u00ad\u200b\u2060\ufeff")  # soft hyphen, zero-width space, word joiner, BOM


def _nfc(text: str | None) -> str | None:
    """NFC, without invisible characters that split words for search and hashing."""
    if not text or text.isascii():  # ASCII holds neither invisible characters nor anything to compose
        return text
    if "\u00ad" in text or "\u200b" in text or "\u2060" in text or "\ufeff" in text:
        text = text.translate(_INVISIBLE)  # slow on long non-ASCII text: only when needed
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def extract(html: bytes | str, url: str | None = None, *, rules: Sequence[SiteRule] | None = None,
            offset: str | None = None, builtin: bool = True, now: datetime | None = None) -> Article:
    """Extract the article in ``html`` (bytes are decoded like a browser would).

    ``rules`` are tried before the built-in site rules (``builtin=False`` turns
    those off, as the evaluation does); ``offset`` (e.g. ``"+07:00"``) is the
    UTC offset assumed for dates that state none; ``now`` (default: the
    clock) bounds plausible publication dates, e.g. the crawl time of an
    archived page.
    """
    try:
        return _extract(decode(html), url, rules, offset, builtin, now)
    except ScraperError:
        raise
    except (Exception, RecursionError) as exc:  # noqa: BLE001 - the promise is: only our own errors
        raise ExtractError(f"extraction failed: {type(exc).__name__}: {exc}") from exc


def _select_text(pre: Precomputed, selector: str | None) -> str | None:
    if not selector:
        return None
    try:
        node = pre.tree.css_first(selector)
    except Exception:  # noqa: BLE001 - malformed user selector
        return None
    if node is None:
        return None
    return " ".join(node.text(separator=" ", strip=True).split()) or None


def _extract(text: str, url: str | None, rules: Sequence[SiteRule] | None, offset: str | None,
             builtin: bool, now: datetime | None) -> Article:
    matching = rules_mod.candidates(url, rules, builtin)
    first_offset = offset or next((r.offset for r in matching if r.offset), None)
    pre = build(text, url, first_offset)
    finder = DateFinder(pre, first_offset, now)
    published = finder.published()
    rule = rules_mod.choose(matching, url, published.date() if published else None)
    if rule is not None and rule.published:
        published = finder.published(rule.published) or published
    modified = finder.modified()
    if rule is not None and rule.modified:
        modified = finder.from_selector(rule.modified) or modified
    title = _select_text(pre, rule.title if rule else None) or metadata.title(pre)
    language = metadata.language(pre)
    sites = metadata.site_names(pre)
    found = authors_mod.find(pre, sites, rule.authors if rule else None)
    people = found.people

    body_mod.prune_page(pre.tree, pre.never_text)
    containers = body_mod.select(pre.tree, rule.body if rule else None, found=pre.paragraphs)
    article_scope = images_mod.scope(pre, containers)  # the body widened to the headline's block
    images = images_mod.collect(pre, containers, rule.captions if rule else None, article_scope)
    removals = (list(rule.remove) + ([rule.captions] if rule.captions else [])) if rule else None
    blocks = body_mod.render(containers, removals)
    if _chars(blocks) < 150 and pre.tree.body is not None and not (rule and rule.body):
        whole = body_mod.render([pre.tree.body], removals)  # the chosen box held nothing: read the page
        if _chars(whole) > 400:
            blocks = whole
    blocks = _or_jsonld(pre, blocks)
    blocks = _or_structured(pre.html, blocks, removals)  # the app's data as paragraph objects
    if _chars(blocks) < 150:  # or as markup in the app's data script
        blocks = _from_script(pre.html, removals) or blocks
    if not (rule and rule.body):  # or in boxes named like boilerplate
        blocks = _without_labels(pre, blocks, removals)
    blocks = body_mod.without_trailing_labels(_drop_title(blocks, title))
    if not (rule and rule.body):
        if article_scope is not containers:  # the headline and the body share a near ancestor
            blocks = body_mod.with_lead(pre, blocks, article_scope)
        blocks = lead_mod.with_lead(pre, blocks, containers)

    names, at = authors_mod.body_byline(blocks)
    # the "By" line read under the headline may be the body's first block: it leaves the body too
    if names and (not people or (found.under_headline and {n.casefold() for n in names}
                                 <= {p.casefold() for p in people})):
        people = people or names
        blocks = blocks[:at] + blocks[at + 1:]
    use_signature = rule.signature if rule is not None else True
    names, used = authors_mod.signature(blocks, language, forced=bool(rule and rule.signature))
    if use_signature and names:
        known = {p.casefold() for p in people}
        if not people:
            people = names
            blocks = [b for i, b in enumerate(blocks) if i not in used]
        elif all(n.casefold() in known for n in names):
            blocks = [b for i, b in enumerate(blocks) if i not in used]
    if not people:
        people = found.owner or found.organisations

    body = "\n\n".join(b.text for b in blocks)
    article = Article(
        title=_nfc(title),
        published_at=published,
        authors=[_nfc(p) for p in authors_mod.tidy(people, sites)],  # type: ignore[misc]
        body=_nfc(body) or "",
        images=[Image(_nfc(i.url) or i.url, _nfc(i.caption), _nfc(i.credit)) for i in images],
        modified_at=modified,
        language=language,
        canonical_url=metadata.canonical(pre),
        lead_marker=rules_mod.lead_marker(rule, body),
    )
    if rule is not None and rule.hook:
        hooked = rules_mod.load_hook(rule.hook)(pre, article)
        if isinstance(hooked, Article):
            article = hooked
    if not article.title and not article.body:
        raise NoArticle("the page holds no article: no title and no body text")
    return article


def _chars(blocks: list[body_mod.Block]) -> int:
    return sum(len(b.text) for b in blocks)


def _or_jsonld(pre: Precomputed, blocks: list[body_mod.Block]) -> list[body_mod.Block]:
    """The JSON-LD articleBody instead of the blocks when the page holds
    little text (an app shell) or a mere stub of the article (a teaser box
    won; the text is rendered by script): articleBody holds the article."""
    found = _chars(blocks)
    text = jsonld_text(pre.article.get("articleBody")) if pre.article else None
    if not text or (found >= 150 and len(text) < JSONLD_FACTOR * found):
        return blocks
    return body_mod.from_text(text) or blocks


JSONLD_FACTOR = 4  # how much longer than the body found articleBody must be to replace it


def _without_labels(pre: Precomputed, blocks: list[body_mod.Block],
                    removals: list[str] | None) -> list[body_mod.Block]:
    """The body read again with class names ignored, when the body found is
    (almost) empty, or scraps without a paragraph (a scoreboard, labels) and
    tiny beside the page's text: a forum thread or a live ticker keeps its
    text in boxes named "comment". The new read must then be many times
    longer. A short article keeps its own text rather than the comments
    under it: it has a paragraph."""
    found = _chars(blocks)
    if found >= 50 and (found >= TINY_MAX or pre.tree.body is None
                        or any(len(b.text) >= PROSE_MIN for b in blocks)
                        or found * TINY_SHARE > len(pre.tree.body.text(strip=True))):
        return blocks
    blind = body_mod.render(body_mod.select(pre.tree, labels=False), removals, labels=False)
    return blind if _chars(blind) >= (150 if found < 50 else BLIND_FACTOR * found) else blocks


TINY_MAX = 500  # a body this short may be a box of the page, not the article
PROSE_MIN = 100  # a block this long is a paragraph of the article, not a scrap
TINY_SHARE = 20  # "tiny beside the page": under 1/20 of the page's visible text
BLIND_FACTOR = 10  # how much longer the read without class names must then be


def _or_structured(html: str, blocks: list[body_mod.Block], removals: list[str] | None) -> list[body_mod.Block]:
    """The paragraphs of the app's data script instead of the blocks when the
    page holds little text, or only a preview of what the script holds (the
    rest is rendered by script, or after a paywall check)."""
    found = _chars(blocks)
    if found >= STUB_MAX or embedded.structured_count(html) < max(embedded.MIN_PARAGRAPHS, 2 * len(blocks)):
        return blocks  # reading the JSON costs: only where it may hold several times the text
    markup = embedded.structured_html(html)
    script = _rendered(markup, removals) if markup else []
    if found < 150 or (_chars(script) >= STRUCTURED_FACTOR * found and _is_preview(blocks, script)):
        return script or blocks
    return blocks


STUB_MAX = 1500  # a preview shown before a paywall or a script rendering is shorter than this
STRUCTURED_FACTOR = 2  # how much longer than the preview the script's text must be


def _is_preview(blocks: list[body_mod.Block], script: list[body_mod.Block]) -> bool:
    """The script's text holds the page's longest paragraph: the page shows
    a part of the same article."""
    longest = max((b.text for b in blocks), key=len, default="")
    key = " ".join(longest.split())[:120]
    return len(key) >= 40 and key in " ".join(" ".join(b.text.split()) for b in script)


def _from_script(html: str, removals: list[str] | None) -> list[body_mod.Block]:
    markup = embedded.article_html(html)
    return _rendered(embedded.without_placeholders(markup), removals) if markup else []


def _rendered(markup: str, removals: list[str] | None) -> list[body_mod.Block]:
    """The blocks of a script's article markup, captions left out."""
    fragment = LexborHTMLParser(markup)
    if fragment.body is None:
        return []
    for node in fragment.css("figure, figcaption, [class*=caption]"):  # captions are not body text
        node.decompose()
    blocks = body_mod.render([fragment.body], removals)
    return blocks if _chars(blocks) >= 150 else []


def _drop_title(blocks: list[body_mod.Block], title: str | None) -> list[body_mod.Block]:
    if not title or not blocks:
        return blocks
    key = " ".join(title.split()).casefold()
    return [b for i, b in enumerate(blocks) if not (i < 3 and b.text.casefold() == key)]
