"""Parse a page once into the shared object every field rule reads.

``Precomputed`` holds the lexbor tree, the meta tags, the JSON-LD objects
(``@graph`` flattened), the microdata ``itemprop`` values, the page language
and canonical URL. Field modules (metadata, dates, authors, body, images) only
read it; the body extractor is the one step that prunes the tree, and it runs
last.

Hostile input is bounded here: the text is capped at ``MAX_CHARS`` and markup
nested deeper than ``MAX_DEPTH`` is flattened before lexbor sees it (lexbor's
tree construction is quadratic in nesting depth).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

MAX_CHARS = 3_000_000
MAX_DEPTH = 400
_STRIDE = 241
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)[^<>]*?(/?)>")
_LONG_TAG = re.compile(r"(<[a-zA-Z][^<>]{0,3000})[^<>]{1000,}>")
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_JSONLD_JUNK = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?:-->|//\s*\]\]>|\]\]>)\s*$")
_LD_WORDS = ("rticle", "osting", "eport", "@graph", "author", "datePublished", "headline", "WebPage")
_ARTICLE_TYPES = ("article", "posting", "report", "newsarticle", "blogposting")


@dataclass
class Precomputed:
    """Everything the field rules read, computed once per page."""

    tree: LexborHTMLParser
    url: str | None
    meta: dict[str, list[str]] = field(default_factory=dict)
    jsonld: list[dict[str, Any]] = field(default_factory=list)
    jsonld_ids: dict[str, dict[str, Any]] = field(default_factory=dict)
    microdata: dict[str, list[str]] = field(default_factory=dict)  # filled on demand by itemprop()
    html_lang: str | None = None
    canonical: str | None = None
    title_tag: str | None = None
    offset: str | None = None
    html: str = ""  # the (bounded) markup, for last-resort pattern searches
    site_names: list[str] | None = None  # filled by metadata.site_names
    never_text: list[LexborNode] = field(default_factory=list, repr=False)  # scripts and styles, for the pruning
    paragraphs: list[LexborNode] = field(default_factory=list, repr=False)  # p, pre, br in page order, for body.select
    _article: dict[str, Any] | None = field(default=None, repr=False)
    _has_microdata: bool | None = field(default=None, repr=False)
    _h1s: list[LexborNode] | None = field(default=None, repr=False)

    def first_meta(self, *keys: str) -> str | None:
        """The first non-empty meta value among ``keys`` (in order)."""
        for key in keys:
            for value in self.meta.get(key, ()):
                if value and value.strip():
                    return value.strip()
        return None

    @property
    def article(self) -> dict[str, Any]:
        """The JSON-LD object describing the article itself ({} if none)."""
        if self._article is None:
            self._article = _main_article(self.jsonld, self.url)
        return self._article

    @property
    def h1s(self) -> list[LexborNode]:
        """The page's <h1> elements (one query for the title, the image scope
        and the date scan; ``build`` lists them in its head query; the
        pruning removes no heading)."""
        if self._h1s is None:
            self._h1s = self.tree.css("h1")
        return self._h1s

    def itemprop(self, name: str) -> list[str]:
        """Microdata values of ``itemprop=name`` outside <meta> (memoised)."""
        found = self.microdata.get(name)
        if found is None:
            found = []
            if self._has_microdata is None:  # one query rules out every later one on most pages
                self._has_microdata = self.tree.css_first("[itemprop]") is not None
            nodes = self.tree.css(f'[itemprop="{name}"]')[:5] if self._has_microdata else []
            for node in nodes:
                if node.tag != "meta":
                    value = _item_value(node)
                    if value:
                        found.append(value)
            self.microdata[name] = found
        return found

    def resolve(self, value: Any) -> Any:
        """A JSON-LD ``{"@id": ...}`` reference replaced by the object it names."""
        if isinstance(value, dict) and "@id" in value and "name" not in value:
            return self.jsonld_ids.get(value["@id"], value)
        return value

    def absolute(self, link: str | None) -> str | None:
        if not link:
            return None
        link = link.strip()
        if not link or link.startswith(("data:", "javascript:", "about:")):
            return None
        if link.startswith(("https://", "http://")) and " " not in link:
            return link  # already absolute: urljoin would hand it back unchanged
        if self.url:
            try:
                return urljoin(self.url, link)
            except ValueError:
                return None
        return link


def flatten_nesting(html: str) -> str:
    """Drop opening tags nested deeper than ``MAX_DEPTH`` (their text stays).

    Only run on tag-dense input: ordinary pages have far fewer tags per byte.
    """
    depth = 0
    out: list[str] = []
    last = 0
    for match in _TAG.finditer(html):
        closing, name, selfclose = match.group(1), match.group(2).lower(), match.group(3)
        if name in _VOID or selfclose:
            continue
        if closing:
            depth = max(0, depth - 1)
            continue
        depth += 1
        if depth > MAX_DEPTH:
            out.append(html[last:match.start()])
            last = match.end()
    if not out:
        return html
    out.append(html[last:])
    return "".join(out)


def bound(html: str) -> str:
    """Cap the size of the markup, flatten pathological nesting and cut tags
    holding thousands of attributes (lexbor checks duplicates quadratically
    and its tree construction is quadratic in depth).

    A strided sample estimates the tag and '=' counts cheaply; only a page
    the sample flags is counted exactly (counting a 300k-character page
    costs more than the rest of this function)."""
    if len(html) > MAX_CHARS:
        html = html[:MAX_CHARS]
    sample = html[::_STRIDE]
    tags_guess = sample.count("<") * _STRIDE
    equals_guess = sample.count("=") * _STRIDE
    if equals_guess > 30 * tags_guess + 20_000:
        tags = html.count("<")
        if html.count("=") > 30 * tags + 20_000:
            html = _LONG_TAG.sub(r"\1>", html)
    if tags_guess > 2 * MAX_DEPTH and (tags_guess * 20 > len(html) or tags_guess > 10_000):
        tags = html.count("<")
        if tags > 2 * MAX_DEPTH and (tags * 16 > len(html) or tags > 20_000):
            html = flatten_nesting(html)
    return html


def build(html: str, url: str | None, offset: str | None = None) -> Precomputed:
    html = bound(html)
    tree = LexborHTMLParser(html)
    pre = Precomputed(tree=tree, url=url, offset=offset, html=html)
    link, title, rubies = _read_head(pre)  # meta tags, JSON-LD, canonical link, title, h1s: one pass
    if rubies:
        _drop_ruby_readings(tree, rubies)
    root = tree.root
    if root is not None and root.tag == "html":
        pre.html_lang = (root.attributes.get("lang") or root.attributes.get("xml:lang") or "").strip() or None
    if title is not None:
        pre.title_tag = title.text(strip=True) or None
    if link is not None:
        pre.canonical = pre.absolute(link.attributes.get("href"))
    return pre


def _drop_ruby_readings(tree: LexborHTMLParser, rubies: list[LexborNode]) -> None:
    """Ruby readings (Japanese furigana: 子<rt>こ</rt>) are pronunciation
    hints drawn above the text: read as text they split every word
    ("子 こ ども"). Where the page gives <rp> parentheses, it asks a reader
    without ruby to show the reading inline, "尹錫悦（ユンソンニョル）", so
    those stay. The base text is joined up again, as CJK puts no space
    between words."""
    changed = False
    for ruby in rubies:
        if ruby.css_first("rp") is None:
            for reading in ruby.css("rt"):
                reading.decompose()
            ruby.unwrap()
            changed = True
    if changed:
        tree.merge_text_nodes()


# Every query walks the whole page: this one also finds the scripts and
# styles that body.prune_page removes later (JSON-LD: script[type*="ld+json" i]),
# the <title>, the <h1>s, the paragraphs body.select scores and any <ruby> (a
# scan of the markup for "<rt" costs half a parse: Python searches a
# non-ASCII str slowly).
_HEAD_SELECTOR = "meta[content], script, style, link[rel~=canonical i], title, h1, p, pre, br, ruby"
_PARSER = LexborHTMLParser("")


def tag_id(name: str) -> int:
    """lexbor's fixed id of a standard tag name: reading ``node.tag_id`` and
    comparing ints costs a fraction of reading ``node.tag`` (a new string per
    node). Custom elements get per-page ids (1024 and up): read those by name."""
    return _PARSER.create_node(name).tag_id


# the tag names the head query finds
_SCRIPT, _STYLE, _META, _LINK, _TITLE, _H1, _P, _PRE, _BR, _RUBY = map(
    tag_id, ("script", "style", "meta", "link", "title", "h1", "p", "pre", "br", "ruby"))
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _read_head(pre: Precomputed) -> tuple[LexborNode | None, LexborNode | None, list[LexborNode]]:
    """Fill the meta tags, JSON-LD objects (in page order), the lists of
    scripts and styles, of paragraphs and of h1s; return the first canonical
    link, the first <title> and the <ruby> elements."""
    meta = pre.meta
    link = title = None
    never_text = pre.never_text
    h1s: list[LexborNode] = []
    rubies: list[LexborNode] = []
    paragraphs = pre.paragraphs
    for node in pre.tree.css(_HEAD_SELECTOR):
        tag = node.tag_id
        if tag == _P or tag == _BR or tag == _PRE:
            paragraphs.append(node)
        elif tag == _SCRIPT:
            never_text.append(node)
            if "ld+json" in (node.attrs.get("type") or "").translate(_ASCII_LOWER):
                _read_jsonld(pre, node)
        elif tag == _STYLE:
            never_text.append(node)
        elif tag == _H1:
            h1s.append(node)
        elif tag == _RUBY:
            rubies.append(node)
        elif tag == _TITLE:
            if title is None:
                title = node
        elif tag == _META:
            attrs = node.attributes
            content = attrs.get("content")
            if content is None:
                continue
            for key in ("property", "name", "itemprop", "http-equiv"):
                name = attrs.get(key)
                if name:
                    meta.setdefault(name.strip().lower(), []).append(content)
        elif tag == _LINK and link is None:
            link = node
    for obj in pre.jsonld:
        ident = obj.get("@id")
        if isinstance(ident, str):
            pre.jsonld_ids.setdefault(ident, obj)
    pre._h1s = h1s
    return link, title, rubies


def _read_jsonld(pre: Precomputed, node: LexborNode) -> None:
    text = node.text(deep=True, strip=False) or ""
    if not any(word in text for word in _LD_WORDS):
        return  # breadcrumbs, site search boxes, logos: nothing we read
    data = _loads(text)
    if data is not None:
        _collect(data, pre.jsonld, 0)


def _loads(text: str) -> Any:
    text = text.strip()
    if text[:1] in ("<", "/") or text[-1:] == ">":  # comment or CDATA wrappers (rare): the regex scans it all
        text = _JSONLD_JUNK.sub("", text).strip()
    text = text.rstrip(";")
    if not text or len(text) > 2_000_000:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        pass
    try:  # control characters inside strings are common
        return json.loads(text, strict=False)
    except (ValueError, RecursionError):
        return None


def _collect(data: Any, out: list[dict[str, Any]], depth: int) -> None:
    if depth > 6 or len(out) > 200:
        return
    if isinstance(data, list):
        for item in data[:100]:
            _collect(item, out, depth + 1)
    elif isinstance(data, dict):
        graph = data.get("@graph")
        if "@type" in data:
            out.append(data)
        if isinstance(graph, (list, dict)):
            _collect(graph, out, depth + 1)
        main = data.get("mainEntity")
        if isinstance(main, dict) and "@type" in main:
            _collect(main, out, depth + 1)


def types_of(obj: dict[str, Any]) -> list[str]:
    kind = obj.get("@type")
    if isinstance(kind, str):
        return [kind.lower()]
    if isinstance(kind, list):
        return [k.lower() for k in kind if isinstance(k, str)]
    return []


def is_article(obj: dict[str, Any]) -> bool:
    return any(t.endswith(_ARTICLE_TYPES) or t in ("liveblogposting", "socialmediaposting") for t in types_of(obj))


def _main_article(objects: list[dict[str, Any]], url: str | None) -> dict[str, Any]:
    articles = [o for o in objects if is_article(o)]
    if not articles:
        pages = [o for o in objects if any(t in ("webpage", "itempage") for t in types_of(o))
                 and (o.get("datePublished") or o.get("author"))]
        return pages[0] if pages else {}
    if len(articles) > 1 and url:
        tail = url.rstrip("/").split("/")[-1]
        for obj in articles:
            ref = obj.get("url") or obj.get("mainEntityOfPage")
            if isinstance(ref, dict):
                ref = ref.get("@id") or ref.get("url")
            if isinstance(ref, str) and tail and ref.rstrip("/").endswith(tail):
                return obj
    with_body = [o for o in articles if o.get("headline") or o.get("articleBody")]
    return (with_body or articles)[0]


def _item_value(node: LexborNode) -> str | None:
    attrs = node.attributes
    for key in ("content", "datetime"):
        if attrs.get(key):
            return attrs[key]
    if node.tag in ("a", "link") and attrs.get("href") and node.attributes.get("itemprop") == "url":
        return attrs["href"]
    text = node.text(separator=" ", strip=True)
    return text[:300] if text else None


def jsonld_text(value: Any) -> str | None:
    """A string out of a JSON-LD value (string, list of strings, or {name})."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list) and value:
        return jsonld_text(value[0])
    if isinstance(value, dict):
        return jsonld_text(value.get("name") or value.get("@value"))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None
