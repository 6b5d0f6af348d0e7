"""The article body: pick the main content container by scoring paragraphs on
the lexbor tree, then walk it once, skipping boilerplate, and emit paragraphs
in reading order.

1. ``prune_page`` drops scripts and styles; other never-text elements
   (navigation, forms, media, asides) are skipped where they are met;
2. ``select`` scores the parents and grandparents of text paragraphs
   (length, commas, link density, class hints), ignoring paragraphs inside
   small boilerplate boxes (comments, related links, share bars, ads), and
   climbs to the ancestor that holds an article split over several blocks;
3. ``render`` walks the container once; boilerplate subtrees (captions,
   bylines, related boxes, ads) are skipped as they are met, so no selector
   has to run over the whole page for them.

Class names are tested with one regular expression per element met, and only
elements on the paths of paragraphs or inside the container are met.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from typing import TYPE_CHECKING

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .labels import Words
from .precompute import tag_id

if TYPE_CHECKING:
    from .precompute import Precomputed

# Removed before anything reads text: their content is never article text and
# would skew every text length. Neither can hold elements, so removal cannot
# leave dangling handles. Other non-text elements (nav, forms, media) are
# skipped where they are met instead of searched for page-wide.
NEVER_TEXT = "script, style"
PAGE_JUNK = "aside, footer, [role=complementary], [role=contentinfo]"

# Class/id words that mark boilerplate anywhere. Strong words always mark
# it; weak words only mark a box too small to hold the article (a wrapper
# whose class merely mentions "widget" or "share" keeps its text).
_STRONG_WORDS = (
    "comment(?!ary)", "related", "newsletter", "breadcrumb", "cookie", "consent", "popup", "modal", "subscribe",
    "recommend", "c(?<![a-z]c)ommunity(?![a-z])",  # "community" as a word of its own
    "more-stories", "signup", "sign-up", "outbrain", "taboola", "read-?more", "see-?also", "also-?read",
    # "tag", "tags", "post-tags", "article-tags" as a whole class name
    r"t(?<!\St)ags?(?:\s|$)", r"p(?<!\Sp)ost-tags?(?:\s|$)", r"a(?<!\Sa)rticle-tags?(?:\s|$)",
    "tag-?list", "tag-?box", "tags-", "popular", "trending", "most-", "advertis",
    r"a(?<!\Sa)ds?(?![a-z]|[0-9a-f]{4})",  # "ad", "ads" starting a class name (not a hash id: "ad6e7f0c")
    "-ad-", "tinlienquan", "tin-lien-quan", "sharedaddy", "jp-relatedposts", "more[-_]?links?",
    "post[-_]?cards?", "news[-_]?cards?", "article[-_]?cards?", "story[-_]?cards?", "teaser[-_]?cards?",
    "tiktok-embed", "news-letter", "recirculation", "affiliate",
    r"r(?<![a-z]r)espond(?![a-z])")  # WordPress's comment form, not "correspondent"
_JUNK_WORDS = (
    "share", "sharing", "social", "promo(?!ted)", "keywords", "widget", "banner", "sponsor", "toolbar", "follow",
    "rating", "pagination", "p(?<![a-z]p)ager", "sidebar", "skip-link", "login", "teaser", "navigation",
    "navbar", "menu", "masthead", "topbar", "footer", "poll(?!ut)", "survey", "umfrage",
    "kommentar")  # weak: "Kommentar" is also an opinion piece
_BODY_JUNK_WORDS = (
    "caption", "byline", "author", "autor", "m(?<![a-z]m)eta(?![a-z])", "dateline", "timestamp", "image_?-?desc",
    "credit", "read-?time", "licen[cs]e",
    "photo-info", "h(?<![a-z-]h)idden(?![a-z-])", "print-only", "relate", "embed", "d(?<![a-z]d)ate(?![a-z])",
    "i(?<![a-z]i)nfo(?![a-z])", "ck_legend", "legend", "disclaimer", "copyright", "ez-toc", "sociable",
    "appstore", "visually-hidden", "sr-only", "screen-reader", "postmeta")
_STRONG, _JUNK, _BODY_JUNK = Words(_STRONG_WORDS), Words(_JUNK_WORDS), Words(_BODY_JUNK_WORDS)
# One search settles most labels: a label none of the junk patterns matches
# anywhere is no junk, whatever its state classes (removing those only ever
# removes matches).
_ANY_JUNK = (Words(_STRONG_WORDS + _JUNK_WORDS), Words(_STRONG_WORDS + _JUNK_WORDS + _BODY_JUNK_WORDS))
_STATE_MARKERS = ("has-", "-enabled", "-disabled", "without-", "with-", "no-", "-open", "-closed")
_STATE = re.compile(r"\S*(?:has-|-enabled|-disabled|without-|with-|no-|-open|-closed)\S*", re.I)
# The paywalled part of the text, served hidden and shown to subscribers by
# script ("subscribe" alone would call it a sign-up box): the article's own text.
_PAYWALLED_WORD = "subscriber-(?:only|preview)(?![a-z-])"
_PAYWALLED = Words((_PAYWALLED_WORD,))
_KEEP = Words((
    "article-?body", "articlebody", "entry-content", "post-content", "story-?body", "article-?content",
    "main-?content", "content-?body", "text-?body", "body-?text", "post-?body", "fck_detail", "detail-?content",
    "singular-content", "article-?text", "story-?content", "hentry", "type-post", "quote", _PAYWALLED_WORD))
_META_PROPS = frozenset(("author", "datePublished", "dateModified", "dateCreated", "keywords", "mainEntityOfPage",
                         "headline", "publisher", "image", "url", "name", "logo", "thumbnailUrl", "wordCount",
                         "interactionStatistic", "creator", "copyrightHolder", "sourceOrganization"))
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")
SKIP_IN_BODY = frozenset(("aside", "footer", "header", "h1", "time", "figure", "figcaption", "nav", "form"))
GOOD_PARAGRAPH = 80
_HEADINGS = frozenset(("h2", "h3", "h4", "h5", "h6"))

_POSITIVE = Words(("article", "body", "content", "entry", "main", "page", "post", "text", "blog", "story", "detail",
                  "fck", "singular", "chitiet", "noidung", "news-?content", "prose", "rich"))
_NEGATIVE = Words(("comment(?!ary)", "meta", "footer", "footnote", "sidebar", "related", "share", "social", "widget",
                  "promo(?!ted)", "banner", "sponsor", "ad-", "advert", "menu", "nav", "masthead", "hidden", "teaser",
                  "header", "breadcrumb", "tags", "recommend", "popular", "trending", "most", "list", "rail",
                  "card"))

BLOCK_TAGS = frozenset("""p div section article main h1 h2 h3 h4 h5 h6 li ul ol dl dd dt blockquote pre
    table thead tbody tfoot tr td th header footer address center details summary caption hr form
    fieldset figure figcaption aside""".split())
SKIP_TAGS = frozenset("script style noscript template svg iframe figure figcaption button select input "
                      "textarea nav head title meta link object embed canvas video audio picture img".split())


@dataclass(slots=True)  # built once per paragraph: no per-instance dict
class Block:
    """One rendered paragraph, with the hints the byline rules read."""

    text: str
    tag: str
    link_chars: int = 0
    strong_chars: int = 0
    node: LexborNode | None = None

    @property
    def right(self) -> bool:
        """Right-aligned (where Vietnamese papers sign articles)."""
        return self.node is not None and _is_right(self.node)

    @property
    def link_density(self) -> float:
        return self.link_chars / max(1, len(self.text))

    @property
    def emphasised(self) -> bool:
        return self.strong_chars >= 0.8 * len(self.text.replace(" ", ""))


def _safe_css(node: LexborNode | LexborHTMLParser, selector: str) -> list[LexborNode]:
    try:
        return node.css(selector)
    except Exception:  # noqa: BLE001 - user selectors may be malformed
        return []


def decompose_all(nodes: list[LexborNode]) -> None:
    """Remove nodes from the tree, skipping those inside an already removed
    one (their handles would dangle once the ancestor is freed)."""
    removed: set[int] = set()
    doomed: list[LexborNode] = []
    for node in nodes:
        if _under(node, removed):
            continue
        removed.add(node.mem_id)
        doomed.append(node)
    for node in doomed:
        node.decompose()


def _under(node: LexborNode, ids: set[int]) -> bool:
    if not ids:
        return False
    current = node.parent
    for _ in range(MAX_WALK):
        if current is None:
            return False
        if current.mem_id in ids:
            return True
        current = current.parent
    return False


MAX_WALK = 500


def prune_page(tree: LexborHTMLParser, found: list[LexborNode] | None = None) -> None:
    """Drop scripts and styles, everywhere on the page (``found``: all of
    them, as a query on the unchanged page listed them)."""
    for node in tree.css(NEVER_TEXT) if found is None else found:
        node.decompose()


_WEIGHTS: dict[str, float] = {}


def _class_weight(node: LexborNode, attrs: dict[str, str | None] | None = None) -> float:
    """Readability's class/id hint: +25 article-like, -25 boilerplate-like
    (``attrs``: the node's attributes, when the caller read them already)."""
    if attrs is None:
        attrs = node.attributes
    if not attrs:
        return 0.0
    label = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
    weight = _WEIGHTS.get(label)
    if weight is None:
        weight = 0.0
        if len(label) > 2:
            if _NEGATIVE.search(label):
                weight -= 25
            if _POSITIVE.search(label):
                weight += 25
            if "articleBody" in label:
                weight += 50
        if len(_WEIGHTS) > _CACHE_SIZE:
            _WEIGHTS.clear()
        _WEIGHTS[label] = weight
    if attrs.get("itemprop") == "articleBody":
        weight += 50
    return weight


def dense_text(node: LexborNode | LexborHTMLParser, limit: float = 0.0) -> int:
    """Characters of text outside links under a node; links are only counted
    when the text alone exceeds ``limit`` (cheap for the many small nodes)."""
    root = node.body if isinstance(node, LexborHTMLParser) else node
    if root is None:
        return 0
    total = len(root.text(strip=True, skip_empty=True))
    if total <= limit:
        return total
    return total - sum(len(a.text(strip=True, skip_empty=True)) for a in root.css("a"))


def _tag(node: LexborNode) -> str | None:
    """``node.tag``, read by id where the id is a standard tag's (cheaper)."""
    return _NAMES.get(node.tag_id) or node.tag


def node_label(node: LexborNode) -> str:
    """An element's class and id, the text its boilerplate words are looked for in."""
    attrs = node.attributes
    return f"{attrs.get('class') or ''} {attrs.get('id') or ''}"


_LABELS: tuple[dict[str, int], dict[str, int]] = ({}, {})  # page level, inside the body
_CACHE_SIZE = 200_000


WEAK, STRONG = 1, 2


def junk_label(label: str, inside_body: bool = False) -> int:
    """0, WEAK or STRONG: how surely a class/id label marks boilerplate
    (memoised: pages repeat the same few labels many times)."""
    cache = _LABELS[inside_body]
    found = cache.get(label)
    if found is None:
        found = 0
        low = label.lower()
        if len(label) >= 3 and _ANY_JUNK[inside_body].search(low):
            if any(marker in low for marker in _STATE_MARKERS):
                low = _STATE.sub(" ", low)
            if _KEEP.search(low):
                found = 0
            elif _STRONG.search(low):
                found = STRONG
            elif _JUNK.search(low) or (inside_body and _BODY_JUNK.search(low)):
                found = WEAK
        if len(cache) > _CACHE_SIZE:
            cache.clear()
        cache[label] = found
    return found


def select(tree: LexborHTMLParser, body_selector: str | None = None, labels: bool = True,
           found: list[LexborNode] | None = None) -> list[LexborNode]:
    """The article's container(s), in document order (``labels=False``:
    class names mark no box as boilerplate, for pages where the text is in
    boxes named "comment", a forum thread or a live ticker). ``found``: the
    page's p, pre and br elements in page order, when a query on the
    unchanged page listed them already (``Precomputed.paragraphs``)."""
    if body_selector:
        nodes = _safe_css(tree, body_selector)
        if nodes:
            return nodes[:20]
    body = tree.body
    if body is None:
        return []
    # one query for both (each query walks the whole page): paragraphs, then
    # the blocks that <br>s split into lines
    if found is None:
        found = tree.css("p, pre, br")
    paragraphs = _texts([n for n in found if n.tag_id != _BR_ID]
                        + _br_containers([n for n in found if n.tag_id == _BR_ID][:2000]))
    total = sum(len(text) for _, text in paragraphs)
    scoring = _Scoring(max(1500.0, 0.25 * total), labels)
    scoring.add(paragraphs)
    top = scoring.best()
    mass = scoring.mass.get(top.mem_id, 0) if top is not None else 0
    if mass < 2000 and mass < 0.25 * _visible_text(tree, body):
        # Text written straight into <div>s (no <p>): score those too.
        scoring.add(_texts(_text_divs(tree)))
        top = scoring.best() or top
    if top is None:
        return [body]
    return _with_siblings(top, scoring.scores, scoring.nodes, scoring.top_score)


def _visible_text(tree: LexborHTMLParser, body: LexborNode) -> int:
    """Characters of text on the page, scripts and styles left out."""
    hidden = sum(len(node.text(strip=True, skip_empty=True)) for node in tree.css("body noscript, body template"))
    return len(body.text(strip=True, skip_empty=True)) - hidden


def _texts(nodes: list[LexborNode]) -> list[tuple[LexborNode, str]]:
    out = []
    for node in nodes[:3000]:
        text = node.text(strip=True, skip_empty=True)
        if len(text) >= 25:
            out.append((node, text))
    return out


class _Scoring:
    """Paragraph scores accumulated on ancestors (readability's scheme), the
    paragraph text mass under every ancestor, and boilerplate verdicts."""

    def __init__(self, big: float, labels: bool = True) -> None:
        self.big = big
        self.labels = labels
        self.junk: dict[int, bool] = {}
        self.scores: dict[int, float] = {}
        self.mass: dict[int, int] = {}
        self.nodes: dict[int, LexborNode] = {}
        self.seen: set[int] = set()
        self.chains: dict[int, list[tuple[int, LexborNode]]] = {}
        self.top_score = 0.0
        self.densities: dict[int, float] = {}
        self.link_sizes: dict[int, int] = {}  # the boxes measured are nested: they share their links
        self.attrs: dict[int, dict[str, str | None]] = {}  # read for the junk test, kept for the class weight
        self.junk_chains: dict[int, bool] = {}

    def add(self, paragraphs: list[tuple[LexborNode, str]]) -> None:
        """Score paragraphs onto their ancestors. Sibling paragraphs share
        their ancestors, so scores and lengths are summed per parent first
        and each shared chain is walked once."""
        nodes, scores, mass, seen = self.nodes, self.scores, self.mass, self.seen
        groups: dict[int, list] = {}  # parent id -> [chain, length, score], in document order
        for para, text in paragraphs:
            ident = para.mem_id
            if ident in seen:
                continue
            seen.add(ident)
            parent = para.parent
            if parent is None:
                continue
            key = parent.mem_id
            group = groups.get(key)
            if group is None:
                chain = self.chain(parent, key)
                if not chain or self.junk_chain(key, chain):
                    groups[key] = [None, 0, 0]
                    continue
                group = groups[key] = [chain, 0, 0]
            elif group[0] is None:
                continue
            length = len(text)
            dense = text[0] >= "\u2e80" and text[-1] >= "\u2e80"  # CJK: more said per character
            group[1] += length
            commas = text.count(",") + text.count("、") + text.count("，")
            group[2] += 1 + commas + min(length // (35 if dense else 100), 3)
        for chain, length, score in groups.values():
            if chain is None:
                continue
            for level, (key, ancestor) in enumerate(chain):
                if key not in nodes:
                    nodes[key] = ancestor
                    scores[key] = (_class_weight(ancestor, self.attrs.get(key))
                                   + (5 if _tag(ancestor) in _CONTAINER_TAGS else 0))
                    mass[key] = 0
                mass[key] += length
                if level < 4:
                    scores[key] += score / _DIVIDERS[level]

    def junk_chain(self, key: int, chain: list[tuple[int, LexborNode]]) -> bool:
        """Whether any ancestor in a parent's chain is a boilerplate box (memoised by parent)."""
        found = self.junk_chains.get(key)
        if found is None:
            found = self.junk_chains[key] = self._any_junk(chain)
        return found

    def _any_junk(self, chain: list[tuple[int, LexborNode]]) -> bool:
        junk, big, labels = self.junk, self.big, self.labels
        for key, node in chain:  # ancestors are shared: most verdicts are known (read inline, no call)
            verdict = junk.get(key)
            if verdict is None:
                verdict = _is_junk(key, node, junk, big, labels, self.attrs)
            if verdict:
                return True
        return False

    def chain(self, parent: LexborNode, key: int) -> list[tuple[int, LexborNode]]:
        """A paragraph's ancestors (8 levels) from its ``parent`` (whose
        mem_id is ``key``) up, memoised by parent: sibling paragraphs share
        them. (<html> is never stored, so a stored chain needs no tag test.)"""
        found = self.chains.get(key)
        if found is None:
            if parent.tag in ("html", None):
                return []
            if len(self.chains) < 5000:
                grand = parent.parent
                found = [(key, parent)] + (self.chain(grand, grand.mem_id)[:7] if grand is not None else [])
            else:
                found = _ancestors(parent, 8, True)
            self.chains[key] = found
        return found

    def best(self) -> LexborNode | None:
        if not self.scores:
            return None
        ranked = sorted(self.scores, key=self.scores.__getitem__, reverse=True)[:6]
        # a byline or dateline box is never the article, however it scores
        plain = [key for key in ranked if not junk_label(node_label(self.nodes[key]), inside_body=True)]
        ranked = plain[:4] or ranked[:4]
        # score x (1 - link density), in rank order; a box whose raw score
        # cannot beat the best so far needs no link density (the costly part)
        winner, best = ranked[0], float("-inf")
        for key in ranked:
            raw = self.scores[key]
            if raw <= best and raw >= 0:
                break
            final = raw * (1 - self.density(self.nodes[key]))
            if final > best:
                winner, best = key, final
        self.top_score = best
        return _climb(self.nodes[winner], self.mass, self.density)

    def density(self, node: LexborNode) -> float:
        """``_link_density``, memoised: the ranked boxes and the ancestors the
        climb tests are often the same elements."""
        key = node.mem_id
        found = self.densities.get(key)
        if found is None:
            found = self.densities[key] = _link_density(node, self.link_sizes)
        return found


def _text_divs(tree: LexborHTMLParser) -> list[LexborNode]:
    """<div>s whose own text (not their children's) reads like a paragraph."""
    out = []
    for div in tree.css("div")[:3000]:
        own = 0
        for child in div.iter(include_text=True):
            if child.tag_id == _TEXT_ID and not child.is_empty_text_node:
                own += len((child.text_content or "").strip())
        if own >= 60:
            out.append(div)
    return out


CLIMB = 7
_BR_ID = tag_id("br")
# Elements that are never (STRONG) or seldom (WEAK, unless big) the article.
_JUNK_TAGS = {"nav": 2, "noscript": 2, "template": 2, "aside": 1, "footer": 1}
_CONTAINER_TAGS = frozenset(("div", "article", "section", "main"))
_DIVIDERS = (1, 2, 6, 9)


def _ancestors(node: LexborNode, depth: int, inclusive: bool = False) -> list[tuple[int, LexborNode]]:
    chain = []
    current = node if inclusive else node.parent
    while current is not None and len(chain) < depth:
        tag = current.tag
        if tag == "html" or tag is None:
            break
        chain.append((current.mem_id, current))
        current = current.parent
    return chain


def _is_junk(key: int, node: LexborNode, cache: dict[int, bool], big: float, labels: bool = True,
             attrs_by_key: dict[int, dict[str, str | None]] | None = None) -> bool:
    """A boilerplate box by its class/id, unless it is big enough to hold the
    article (a wrapper whose class merely mentions "widget"). The attributes
    read are left in ``attrs_by_key``."""
    found = cache.get(key)
    if found is None:
        tag = _tag(node) or ""
        if tag in ("body", "main"):  # their classes describe the whole page
            cache[key] = False
            return False
        level = _JUNK_TAGS.get(tag, 0)
        if not level and labels:
            attrs = node.attributes
            if attrs_by_key is not None:
                attrs_by_key[key] = attrs
            level = junk_label(f"{attrs.get('class') or ''} {attrs.get('id') or ''}")
        found = level == STRONG or (level == WEAK and _small_box(node, big))
        cache[key] = found
    return found


TWINS = 10  # siblings looked at each way


def _small_box(node: LexborNode, big: float) -> bool:
    """Smaller than the article can be, and no part of a bigger same-class set."""
    size = len(node.text(strip=True, skip_empty=True))
    if size >= big:
        return False
    return size <= GOOD_PARAGRAPH or not big_twin(node, lambda twin: len(twin.text(strip=True, skip_empty=True)) >= big)


def big_twin(node: LexborNode, big) -> bool:
    """Whether a sibling with the same class is ``big``: an article a CMS
    splits into same-class blocks ("article-widget article-widget-text")
    whose class mentions "widget" is one article, however small the
    first block; one big block clears them all."""
    classes = node.attributes.get("class")
    if not classes:
        return False
    for step in ("prev", "next"):
        sibling = getattr(node, step)
        for _ in range(TWINS):
            if sibling is None:
                break
            if sibling.tag_id != _TEXT_ID and sibling.attributes.get("class") == classes and big(sibling):
                return True
            sibling = getattr(sibling, step)
    return False


def _br_containers(brs: list[LexborNode]) -> list[LexborNode]:
    seen: dict[int, LexborNode] = {}
    for br in brs:
        parent = br.parent
        if parent is not None and parent.tag in ("div", "td", "section", "article", "font", "span"):
            seen.setdefault(parent.mem_id, parent)
    return list(seen.values())


def _link_density(node: LexborNode, sizes: dict[int, int] | None = None) -> float:
    """Share of the text in links (``sizes``: link text lengths by element,
    filled and reused across the calls of one page)."""
    text = len(node.text(strip=True, skip_empty=True))
    if not text:
        return 1.0
    if sizes is None:
        links = sum(len(a.text(strip=True, skip_empty=True)) for a in node.css("a"))
    else:
        links = 0
        for a in node.css("a"):
            key = a.mem_id
            size = sizes.get(key)
            if size is None:
                size = sizes[key] = len(a.text(strip=True, skip_empty=True))
            links += size
    return min(1.0, links / text)


def _climb(top: LexborNode, mass: dict[int, int], density=None) -> LexborNode:
    """Move up while an ancestor holds clearly more paragraph text: an article
    split over sibling blocks (each paragraph in its own wrapper, ads or
    images between them) is one article."""
    best = top
    ancestor = top.parent
    for _ in range(CLIMB):
        if ancestor is None or ancestor.tag in ("html", None):
            break
        here, there = mass.get(best.mem_id, 0), mass.get(ancestor.mem_id, 0)
        if there >= 1.25 * here and there - here >= 200 and (density or _link_density)(ancestor) < 0.35:
            best = ancestor
        ancestor = ancestor.parent
    return best


def _with_siblings(top: LexborNode, scores: dict[int, float], nodes: dict[int, LexborNode],
                   top_score: float) -> list[LexborNode]:
    parent = top.parent
    if top.tag == "body" or parent is None or parent.tag in ("html", None):
        return [top]
    threshold = max(10.0, top_score * 0.2)
    chosen: list[LexborNode] = []
    for sibling in parent.iter(include_text=False):
        if sibling.mem_id == top.mem_id:
            chosen.append(sibling)
            continue
        score = scores.get(sibling.mem_id, 0.0)
        if score >= threshold:
            chosen.append(sibling)
        elif sibling.tag == "p":
            text = sibling.text(strip=True, skip_empty=True)
            if len(text) > 80 and _link_density(sibling) < 0.25:
                chosen.append(sibling)
    return chosen or [top]


def render(containers: list[LexborNode], extra_remove: list[str] | None = None, labels: bool = True) -> list[Block]:
    """Walk the containers, skipping boilerplate, and emit their paragraphs
    (``labels=False``: no box is skipped for its class name)."""
    limit = _Limit(containers) if labels else _NoLimit(containers)
    if extra_remove:
        limit.value()  # measured before the removals, as without them
    blocks: list[Block] = []
    for container in containers:
        for selector in extra_remove or ():
            decompose_all(_safe_css(container, selector))
        _walk(container, blocks, limit)
    return [b for b in blocks if _keep(b)]


class _Limit:
    """The size under which a boilerplate-labelled box met in the body is
    skipped: 30% of the body's dense text, at least ``3 * GOOD_PARAGRAPH``.
    Measuring the body costs as much as reading it, and most boxes are
    below the floor anyway: it is measured on first need."""

    __slots__ = ("containers", "_value")
    FLOOR = GOOD_PARAGRAPH * 3.0

    def __init__(self, containers: list[LexborNode]) -> None:
        self.containers = containers
        self._value: float | None = None

    def value(self) -> float:
        if self._value is None:
            self._value = max(self.FLOOR, 0.3 * sum(dense_text(c) for c in self.containers))
        return self._value

    def small(self, node: LexborNode, text: int | None = None) -> bool:
        """Whether the dense text under ``node`` (``text`` characters of
        text, when the caller measured it already) is within the limit."""
        if text is None:
            text = len(node.text(strip=True, skip_empty=True))
        if text <= self.FLOOR:
            return True
        limit = self.value()
        if text <= limit:
            return True
        return text - sum(len(a.text(strip=True, skip_empty=True)) for a in node.css("a")) <= limit


class _NoLimit(_Limit):
    """No labelled box is small enough to skip."""

    __slots__ = ()

    def small(self, node: LexborNode, text: int | None = None) -> bool:
        return False


def _skip(child: LexborNode, tag: str, limit: _Limit) -> bool:
    """Whether a subtree met inside the body is boilerplate."""
    if tag in SKIP_IN_BODY:
        return True
    attrs = child.attributes
    if not attrs:
        return False
    if len(attrs) == 1 and "class" in attrs:  # the common case: a class name alone
        return _skip_label(child, tag, f"{attrs['class'] or ''} ", limit)
    prop = attrs.get("itemprop")
    if (prop and prop in _META_PROPS) or attrs.get("rel") == "author":
        return True
    style = attrs.get("style")
    if style and ("none" in style or "hidden" in style) and _HIDDEN.search(style):
        return not _PAYWALLED.search(attrs.get("class") or "")
    if "elated" in (attrs.get("type") or ""):
        return True
    ident = attrs.get("id") or ""
    if tag in _HEADINGS and ident.count("-") >= 4:
        ident = ""  # an anchor slug of the heading's text ("how-to-make-the-most-of-it"), no component name
    return _skip_label(child, tag, f"{attrs.get('class') or ''} {ident}", limit)


def _skip_label(child: LexborNode, tag: str, label: str, limit: _Limit) -> bool:
    """``_skip`` by the element's class/id label."""
    if tag == "table" and "image" in label:
        return True
    level = _LABELS[True].get(label)  # junk_label's memo, read here: the call costs more than the lookup
    if level is None:
        level = junk_label(label, inside_body=True)
    if not level:
        return False
    if level == STRONG:
        return limit.small(child)
    size = len(child.text(strip=True, skip_empty=True))
    if size <= GOOD_PARAGRAPH:  # no article part is that small
        return limit.small(child, size)
    return limit.small(child, size) and not big_twin(child, lambda twin: not limit.small(twin))


_LABEL_LINES = frozenset(("advertisement", "anzeige", "werbung", "reklam", "reklama", "publicité", "publicidad",
                          "pubblicità", "quảng cáo", "sponsored", "lesezeit", "read more", "read more:",
                          "themen:", "related", "related:", "[pr]", "mehr zum thema", "see also", "share",
                          "share this:", "teilen", "weiterlesen", "continue reading", "tin liên quan"))


_LEAD = ("[class*=lead i], [class*=teaser i], [class*=summary i], [class*=intro i], [class*=standfirst i], "
         "[class*=sapo i], [class*=description i], [class*=excerpt i], [class*=subtitle i], "
         "[itemprop=description], [class*=kicker i], [class*=deck i]")


def with_lead(pre: Precomputed, blocks: list[Block], where: list[LexborNode] | None = None) -> list[Block]:
    """Put the standfirst first when the page shows it outside the body
    container: the text the page's description starts with, in a lead-like
    element, and not already in the body."""
    description = pre.first_meta("og:description", "description", "twitter:description")
    if not description or len(description) < 40:
        return blocks
    probe = " ".join(description.split())[:50]
    body_start = " ".join(" ".join(b.text for b in blocks[:3]).split())
    if probe in body_start:
        return blocks
    roots = where if where else [pre.tree]
    for node in [n for root in roots for n in root.css(_LEAD)][:20]:
        text = " ".join(node.text(separator=" ", strip=True, skip_empty=True).split())
        if text.startswith(probe) and len(text) < 1500:
            if any(text[:60] in b.text for b in blocks):
                return blocks
            return [Block(text, "p", 0, 0, node)] + blocks
    return blocks


def from_text(text: str | None) -> list[Block]:
    """Blocks from plain text (JSON-LD articleBody), one per non-empty line."""
    if not text or len(text) < 200:
        return []
    if "<" in text:  # some publishers put markup in articleBody
        parsed = LexborHTMLParser(text[:500_000])
        for node in parsed.css("script, style"):
            node.decompose()
        text = parsed.body.text(separator="\n") if parsed.body is not None else ""
    return [Block(" ".join(line.split()), "p") for line in text.splitlines() if line.strip()]


# A credit line set as a paragraph of its own: "Foto: dpa", "Crédits photos : X", "Quelle: Landesregierung".
_CREDIT_LINE = re.compile(r"(?:photos?|fotos?|bild|image|crédits?(?: photos?)?|credits?|quelle|source|fuente)"
                          r"\s*[:©]", re.IGNORECASE)
CREDIT_LINE = 80  # longest credit line, in characters


def _keep(block: Block) -> bool:
    text = block.text
    if not text:
        return False
    if len(text) < 25 and text.casefold() in _LABEL_LINES:
        return False
    if len(text) <= CREDIT_LINE and _CREDIT_LINE.match(text):
        return False
    if len(text) <= 60 and _set_apart(block) and _TRAILING_LABEL.match(text):
        return False  # a "Read more:" / "Czytaj też" label set apart, wherever it is
    density = block.link_density
    return not (density > 0.8 or (density > 0.6 and block.tag != "p"))


def _set_apart(block: Block) -> bool:
    """A heading, a bold line or a "…:" line: how a page sets a label apart."""
    return block.tag in _HEADINGS or block.text[-1] == ":" or (block.strong_chars > 0 and block.emphasised)


class _Builder:
    __slots__ = ("parts", "links", "strong", "tag", "node", "out")

    def __init__(self, out: list[Block]) -> None:
        self.out = out
        self.parts: list[str] = []
        self.links = 0
        self.strong = 0
        self.tag = "p"
        self.node: LexborNode | None = None

    def flush(self) -> None:
        parts = self.parts
        if not parts:
            return
        raw = "".join(parts)
        links, strong = self.links, self.strong
        self.parts = []
        self.links = 0
        self.strong = 0
        if "\n" not in raw:  # the common case: one line
            line = " ".join(raw.split())
            if line:
                self.out.append(Block(line, self.tag, links, strong, self.node))
            return
        lines = [" ".join(line.split()) for line in raw.split("\n")]
        lines = [line for line in lines if line]
        total = sum(len(line) for line in lines) or 1
        for line in lines:
            share = len(line) / total
            self.out.append(Block(line, self.tag, round(links * share), round(strong * share), self.node))


def _is_right(node: LexborNode) -> bool:
    attrs = node.attributes
    style = (attrs.get("style") or "").replace(" ", "").lower()
    return ("text-align:right" in style or (attrs.get("align") or "").lower() == "right"
            or "right" in (attrs.get("class") or "").lower())


# lexbor's fixed id of text nodes (tag name "-text").
_TEXT_ID = LexborHTMLParser("<p>x</p>").css_first("p").first_child.tag_id

# Skipped in the body by their name alone (``_skip`` would say so for the latter).
_NOT_IN_BODY = SKIP_TAGS | SKIP_IN_BODY

# Inline formatting never holds boilerplate of its own: no class test needed.
_PLAIN_INLINE = frozenset("sup sub abbr code kbd var wbr".split())


def _tag_names(names: frozenset[str]) -> dict[int, str]:
    """lexbor's fixed ids of standard tag names -> the names (``tag_id``);
    custom elements stay out of the table and are read by name."""
    return {ident: name for name in names if (ident := tag_id(name)) < 1024}


_NAMES = _tag_names(BLOCK_TAGS | SKIP_TAGS | _PLAIN_INLINE | SKIP_IN_BODY | frozenset(
    "a b strong br rt rp ruby span em i u s small big font mark del ins q cite dfn label bdi bdo tt strike nobr "
    "center data output html head body".split()))


def _walk(container: LexborNode, out: list[Block], limit: _Limit) -> None:
    """Iterative walk (no recursion limit on deep trees). Elements holding
    a single text node (most paragraphs, links and emphasis) are taken
    whole instead of descended into."""
    builder = _Builder(out)
    builder.tag = container.tag if container.tag in BLOCK_TAGS else "p"
    stack: list[tuple[object, str, bool, bool]] = []
    iterator = container.iter(include_text=True)
    tag, in_link, in_strong = container.tag or "", False, False
    link_depth = 0
    strong_depth = 0
    open_blocks = [builder.tag, builder.tag]
    parts = builder.parts
    while True:
        for child in iterator:
            tag_id = child.tag_id
            if tag_id == _TEXT_ID:  # the id is cheaper to read than the name
                if child.is_empty_text_node:  # blank between tags, read without making its string:
                    if parts:  # one space says the same (lexbor makes no zero-length text nodes);
                        parts.append(" ")  # leading blanks say nothing (and would cost a flush)
                    continue
                text = child.text_content
                if text:
                    if "\n" in text:
                        text = text.replace("\n", " ")
                    parts.append(text)
                    if link_depth or strong_depth:
                        size = len(text.strip())
                        if link_depth:
                            builder.links += size
                        if strong_depth:
                            builder.strong += size
                continue
            ctag = _NAMES.get(tag_id) or child.tag
            if ctag == "br":
                parts.append("\n")
                continue
            if ctag in _NOT_IN_BODY or ctag is None or ctag.startswith("-"):
                continue
            if ctag not in _PLAIN_INLINE and _skip(child, ctag, limit):
                continue
            is_link = ctag == "a"
            is_strong = ctag == "strong" or ctag == "b"
            only = child.first_child
            if only is None or (only.tag_id == _TEXT_ID and only.next is None):
                text = (only.text_content or "") if only is not None else ""
                if "\n" in text:
                    text = text.replace("\n", " ")
                size = len(text.strip()) if text else 0
                linked = size if (link_depth or is_link) else 0
                strong = size if (strong_depth or is_strong) else 0
                if ctag in BLOCK_TAGS:  # a paragraph of plain text: one block
                    if parts:  # (most blocks follow a flushed one: spare the call)
                        builder.flush()
                        parts = builder.parts
                    builder.node = child
                    line = " ".join(text.split()) if size else ""
                    if line:
                        out.append(Block(line, ctag, linked, strong, child))
                elif text:  # an inline element holding one text node
                    parts.append(text)
                    builder.links += linked
                    builder.strong += strong
                continue
            if ctag in BLOCK_TAGS:
                if parts:
                    builder.flush()
                    parts = builder.parts
                builder.tag = ctag
                builder.node = child
                open_blocks.append(ctag)
            link_depth += is_link
            strong_depth += is_strong
            stack.append((iterator, tag, in_link, in_strong))
            iterator, tag, in_link, in_strong = child.iter(include_text=True), ctag, is_link, is_strong
            break
        else:  # this element is done
            if in_link:
                link_depth -= 1
            if in_strong:
                strong_depth -= 1
            if tag in BLOCK_TAGS:
                if parts:
                    builder.flush()
                    parts = builder.parts
                open_blocks.pop()
                builder.tag = open_blocks[-1]
            if not stack:
                break
            iterator, tag, in_link, in_strong = stack.pop()
    builder.flush()


# A label that introduces links to other articles or a share bar ("【関連記事】",
# "Tin liên quan", "Read more:", "Share this article"): at the very end of the
# body, with nothing after it, it is a leftover of the page around the article.
_TRAILING_LABEL = re.compile(
    r"^\W*(?:【[^】]{1,12}】|(?:related(?: articles| stories| content| news)?|see also|read (?:more|also)|"
    r"more on this(?: topic)?|lesen sie auch|mehr zum thema|auch interessant|lire aussi|à lire aussi|"
    r"leer también|lee también|leggi anche|ilgili (?:konular|haberler)|tin liên quan|tin cùng chuyên mục|xem thêm|"
    r"đọc thêm|share this(?: article| story)?|bu haberi paylaşın|chia sẻ(?: bài viết)?|(?:zum )?weiterlesen|"
    r"czytaj (?:też|także|również|więcej)|dowiedz się więcej|related coverage|kommentieren|"
    r"leave a (?:comment|reply)|post a comment|schreibe einen kommentar|kommentar schreiben|"
    r"(?:das|dies)\b[^.!?]{0,25}\bauch interessieren|verwandte \w+|ähnliche (?:beiträge|artikel|themen)|"
    r"weitere (?:themen|artikel|beiträge|nachrichten|informationen|infos)|you (?:might|may) also like|more from|"
    r"(?:more|further) information|plus d'informations|más información|"
    r"(?:über den|about the|sobre el|à propos de l'|o) ?aut(?:or|hor|eur|orze))\b[^.!?]{0,30})[^\w.!?]*$",
    re.IGNORECASE)


def without_trailing_labels(blocks: list[Block]) -> list[Block]:
    """Drop related-links and share labels left dangling at the end of the
    body, and headings or "…:" labels with nothing after them: what they
    introduced (a teaser list, a comment form, an author box) was left out."""
    while blocks and _dangling(blocks[-1]):
        blocks = blocks[:-1]
    return blocks



# A closing call to subscribe, follow or install the app: the page's, not the article's.
_CALL_TO_ACTION = re.compile(
    r"(?:(?:^|[.!?¿¡]\s*)(?:subscribe|sign up|follow us|síguenos|siguenos|suscríbete|abonnieren sie|abonnez-vous|"
    r"suivez-nous|folgen sie uns|folge uns|jetzt kostenlos|jetzt abonnieren)|"
    r"\b(?:download (?:our|the) app|(?:join|follow|folgen?|abonniere|suivez|síguenos|únete)\b[^.!?]{0,40}"
    r"\b(?:telegram|whatsapp)|(?:canal|channel|kanal)\s+(?:de\s+|on\s+)?(?:telegram|whatsapp)|"
    r"(?:telegram|whatsapp)(?:[- ]?(?:channel|kanal|canal|gruppe|group)|\b[^.!?]{0,20}\b(?:join|únete|folgen))|"
    r"you must be logged in|"
    r"sie müssen (?:sich )?(?:einloggen|anmelden|angemeldet sein)))\b", re.IGNORECASE)
CALL_TO_ACTION = 120  # longest closing call to action, in characters


def _dangling(block: Block) -> bool:
    text = block.text
    if len(text) <= CALL_TO_ACTION and _CALL_TO_ACTION.search(text):
        return True
    if len(text) > 60:
        return False
    if len(text) <= 50 and text[-1] not in ".!;" and (block.tag in _HEADINGS or (text[-1] == ":" and block.emphasised)):
        return True  # a heading, or a bold "…:" label, that introduced what is gone
    return _TRAILING_LABEL.match(text) is not None
