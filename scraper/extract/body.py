"""The article body: pick the main content container by scoring paragraphs on
the lexbor tree, prune boilerplate inside it, and render paragraphs in reading
order.

Three steps, all on the one parsed tree:

1. ``prune_page`` drops what is never article text (scripts, navigation,
   forms, comment threads, share bars) so it cannot win the scoring;
2. ``select`` scores the parents and grandparents of text paragraphs
   (length, commas, link density, class hints) and returns the best container
   plus the siblings that continue it;
3. ``render`` removes captions, bylines, related boxes and ads inside the
   container and walks it once, emitting one ``Block`` per paragraph.

Selectors do the matching in C; Python only loops over the matches and over
the chosen container, so the work stays proportional to the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

NEVER_TEXT = ("script, style, noscript, template, svg, iframe, object, embed, canvas, button, select, "
              "input, textarea, nav, dialog, map, video, audio, [hidden], [role=navigation], "
              "[aria-hidden=true][class*=icon], .sr-only, .visually-hidden, .screen-reader-text")

# Words in class/id values that mark boilerplate. Matching runs in C (one
# selector); ``remove_junk`` spares any match that holds real paragraphs.
_WORDS = ("comment", "share", "sharing", "social", "related", "newsletter", "advert", "sidebar",
          "breadcrumb", "cookie", "popup", "modal", "subscribe", "promo", "recommend", "more-stories",
          "paywall", "signup", "sign-up", "tags", "tag-list", "taglist", "keywords", "widget", "banner",
          "sponsor", "outbrain", "taboola", "read-more", "readmore", "see-also", "also-read", "toolbar",
          "follow", "rating", "pagination", "pager", "skip-link", "login", "most-",
          "popular", "trending", "teaser-list", "navigation", "navbar", "menu", "masthead", "topbar", "footer")
_SELECTORS = (["aside", "footer", "[role=complementary]", "[role=contentinfo]", "#comments",
               "[class~=ad]", "[class^=ad-]", "[class*=\" ad-\"]", "[id^=ad-]", "[class~=ads]",
               "[class*=-ad-]", "[class*=advertis]", "[id*=advertis]"]
              + [f"[class*={w} i]" for w in _WORDS] + [f"[id*={w} i]" for w in _WORDS])
PAGE_JUNK = ", ".join(_SELECTORS)
BODY_JUNK = ", ".join(_SELECTORS + [
    "figure", "figcaption", "header", "h1", "[class*=caption i]", "[class*=byline i]", "[class*=author i]",
    "[rel=author]", "[itemprop=author]", "[class*=meta i]", "[class*=dateline i]", "[class*=timestamp i]",
    "time", "[class*=image_desc]", "[class*=credit i]", "[class*=photo-info i]", "table.image",
    "[class*=hidden i]", "[class*=print-only i]", "[class*=date i]:not(p)", "[class*=info i]:not(p)",
    "ul.list-news", "[type=RelatedOneNews]", "[class*=relate i]", "[class*=embed i]:not(p)"])
ALWAYS_JUNK = frozenset(("figure", "figcaption", "aside", "footer", "time", "h1"))
GOOD_PARAGRAPH = 80

_POSITIVE = re.compile(r"article|body|content|entry|main|page|post|text|blog|story|detail|fck|singular|"
                       r"chitiet|noidung|news-?content|prose|rich", re.I)
_NEGATIVE = re.compile(r"comment|meta|footer|footnote|sidebar|related|share|social|widget|promo|banner|"
                       r"sponsor|ad-|advert|menu|nav|masthead|hidden|teaser|header|breadcrumb|tags|"
                       r"recommend|popular|trending|most|list|rail|card", re.I)

BLOCK_TAGS = frozenset("""p div section article main h1 h2 h3 h4 h5 h6 li ul ol dl dd dt blockquote pre
    table thead tbody tfoot tr td th header footer address center details summary caption hr form
    fieldset figure figcaption aside""".split())
SKIP_TAGS = frozenset("script style noscript template svg iframe figure figcaption button select input "
                      "textarea nav head title meta link object embed canvas video audio picture img".split())
HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_SPACE = re.compile(r"\s+")


@dataclass
class Block:
    """One rendered paragraph, with the hints the byline rules read."""

    text: str
    tag: str
    link_chars: int = 0
    strong_chars: int = 0
    right: bool = False

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


def prune_page(tree: LexborHTMLParser) -> None:
    """Drop what is never article text, everywhere on the page."""
    decompose_all(tree.css(NEVER_TEXT))


def _class_weight(node: LexborNode) -> float:
    attrs = node.attributes
    label = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
    if not label.strip():
        return 0.0
    weight = 0.0
    if _NEGATIVE.search(label):
        weight -= 25
    if _POSITIVE.search(label):
        weight += 25
    if attrs.get("itemprop") == "articleBody" or "articleBody" in label:
        weight += 50
    return weight


def _text_len(text: str) -> int:
    return len(_SPACE.sub(" ", text).strip())


def dense_text(node: LexborNode | LexborHTMLParser, limit: float = 0.0) -> int:
    """Characters of text outside links under a node; links are only counted
    when the text alone exceeds ``limit`` (cheap for the many small nodes)."""
    root = node.body if isinstance(node, LexborHTMLParser) else node
    if root is None:
        return 0
    total = len(root.text(strip=True))
    if total <= limit:
        return total
    return total - sum(len(a.text(strip=True)) for a in root.css("a"))


def remove_junk(root: LexborNode | LexborHTMLParser, selector: str, limit: float) -> None:
    """Decompose nodes matching ``selector``, sparing any that holds more
    than ``limit`` characters of real paragraphs: a wrapper whose class
    merely mentions "widget" or "share" must not take the article with it."""
    doomed: list[LexborNode] = []
    removed: set[int] = set()
    for node in _safe_css(root, selector):
        if node.tag in ("html", "body") or _under(node, removed):
            continue
        if node.tag not in ALWAYS_JUNK and dense_text(node, limit) > limit:
            continue
        removed.add(node.mem_id)
        doomed.append(node)
    for node in doomed:
        node.decompose()


def select(tree: LexborHTMLParser, body_selector: str | None = None) -> list[LexborNode]:
    """The article's container(s), in document order."""
    if body_selector:
        nodes = _safe_css(tree, body_selector)
        if nodes:
            return nodes[:20]
    body = tree.body
    if body is None:
        return []
    remove_junk(tree, PAGE_JUNK, min(1500.0, 0.25 * len(body.text(strip=True))))
    scores: dict[int, float] = {}
    mass: dict[int, int] = {}
    nodes: dict[int, LexborNode] = {}
    paragraphs = tree.css("p, pre")
    paragraphs += _br_containers(tree)
    for para in paragraphs[:3000]:
        text = para.text(strip=True)
        length = len(text)
        if length < 25:
            continue
        score = 1 + text.count(",") + text.count("、") + text.count("，") + min(length // 100, 3)
        ancestor = para.parent
        level = 0
        while ancestor is not None and level < 10 and ancestor.tag not in ("html", None):
            key = ancestor.mem_id
            if key not in nodes:
                nodes[key] = ancestor
                scores[key] = _class_weight(ancestor) + (5 if ancestor.tag in ("div", "article", "section", "main") else 0)
                mass[key] = 0
            mass[key] += length
            if level < 4:
                scores[key] += score / (1 if level == 0 else 2 if level == 1 else level * 3)
            ancestor = ancestor.parent
            level += 1
    if not scores:
        return [body]
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)[:8]
    final = {}
    for key in ranked:
        final[key] = scores[key] * (1 - _link_density(nodes[key]))
    order = sorted(final, key=final.__getitem__, reverse=True)
    top = _climb(nodes[order[0]], mass)
    return _with_siblings(top, scores, nodes, final[order[0]])


def _br_containers(tree: LexborHTMLParser) -> list[LexborNode]:
    seen: dict[int, LexborNode] = {}
    for br in tree.css("br")[:2000]:
        parent = br.parent
        if parent is not None and parent.tag in ("div", "td", "section", "article", "font", "span"):
            seen.setdefault(parent.mem_id, parent)
    return list(seen.values())


def _link_density(node: LexborNode) -> float:
    text = len(node.text(strip=True))
    if not text:
        return 1.0
    links = sum(len(a.text(strip=True)) for a in node.css("a"))
    return min(1.0, links / text)


def _is_ancestor(ancestor: LexborNode, node: LexborNode) -> bool:
    target = ancestor.mem_id
    current = node.parent
    for _ in range(60):
        if current is None:
            return False
        if current.mem_id == target:
            return True
        current = current.parent
    return False


def _climb(top: LexborNode, mass: dict[int, int]) -> LexborNode:
    """Move up while an ancestor holds clearly more paragraph text: an article
    split over sibling blocks (each paragraph in its own wrapper, ads or
    images between them) is one article."""
    best = top
    ancestor = top.parent
    for _ in range(5):
        if ancestor is None or ancestor.tag in ("html", None):
            break
        here, there = mass.get(best.mem_id, 0), mass.get(ancestor.mem_id, 0)
        if there >= 1.25 * here and there - here >= 200 and _link_density(ancestor) < 0.35:
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
            text = sibling.text(strip=True)
            if len(text) > 80 and _link_density(sibling) < 0.25:
                chosen.append(sibling)
    return chosen or [top]


def render(containers: list[LexborNode], junk: str = BODY_JUNK, extra_remove: list[str] | None = None) -> list[Block]:
    """Remove boilerplate inside the containers and emit their paragraphs."""
    good = sum(dense_text(c) for c in containers)
    for container in containers:
        for selector in extra_remove or ():
            decompose_all(_safe_css(container, selector))
        remove_junk(container, junk, max(GOOD_PARAGRAPH * 3.0, 0.3 * good))
    blocks: list[Block] = []
    for container in containers:
        _walk(container, blocks)
    return [b for b in blocks if _keep(b)]


def _keep(block: Block) -> bool:
    if not block.text:
        return False
    if block.link_density > 0.6 and block.tag != "p":
        return False
    if block.link_density > 0.8:
        return False
    return True


class _Builder:
    __slots__ = ("parts", "links", "strong", "tag", "right", "out")

    def __init__(self, out: list[Block]) -> None:
        self.out = out
        self.parts: list[str] = []
        self.links = 0
        self.strong = 0
        self.tag = "p"
        self.right = False

    def flush(self) -> None:
        if self.parts:
            raw = "".join(self.parts)
            lines = [_SPACE.sub(" ", line).strip() for line in raw.split("\n")] if "\n" in raw else [
                _SPACE.sub(" ", raw).strip()]
            lines = [line for line in lines if line]
            total = sum(len(line) for line in lines) or 1
            for line in lines:
                share = len(line) / total
                self.out.append(Block(line, self.tag, round(self.links * share), round(self.strong * share),
                                      self.right))
        self.parts = []
        self.links = 0
        self.strong = 0
        self.right = False


def _is_right(node: LexborNode) -> bool:
    attrs = node.attributes
    style = (attrs.get("style") or "").replace(" ", "").lower()
    return ("text-align:right" in style or (attrs.get("align") or "").lower() == "right"
            or "right" in (attrs.get("class") or "").lower())


def _walk(container: LexborNode, out: list[Block]) -> None:
    """Iterative walk (no recursion limit on deep trees)."""
    builder = _Builder(out)
    builder.tag = container.tag if container.tag in BLOCK_TAGS else "p"
    stack: list[tuple[object, str, bool, bool]] = [(container.iter(include_text=True), container.tag or "", False, False)]
    link_depth = 0
    strong_depth = 0
    open_blocks = [builder.tag, builder.tag]
    while stack:
        iterator, tag, in_link, in_strong = stack[-1]
        child = next(iterator, None)  # type: ignore[call-overload]
        if child is None:
            stack.pop()
            if in_link:
                link_depth -= 1
            if in_strong:
                strong_depth -= 1
            if tag in BLOCK_TAGS:
                builder.flush()
                open_blocks.pop()
                builder.tag = open_blocks[-1]
            continue
        ctag = child.tag
        if ctag == "-text":
            text = child.text_content or ""
            if text:
                if "\n" in text:
                    text = text.replace("\n", " ")
                builder.parts.append(text)
                size = len(text.strip())
                if link_depth:
                    builder.links += size
                if strong_depth:
                    builder.strong += size
            continue
        if ctag is None or ctag.startswith("-") or ctag in SKIP_TAGS:
            continue
        if ctag == "br":
            builder.parts.append("\n")
            continue
        if ctag in BLOCK_TAGS:
            builder.flush()
            builder.tag = ctag
            builder.right = _is_right(child)
            open_blocks.append(ctag)
        is_link = ctag == "a"
        is_strong = ctag in ("strong", "b")
        link_depth += is_link
        strong_depth += is_strong
        if ctag in ("td", "th"):
            builder.parts.append(" ")
        stack.append((child.iter(include_text=True), ctag, is_link, is_strong))
    builder.flush()
