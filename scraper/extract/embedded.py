"""The article's markup when it is only inside a script: app shells.

Sites built as JavaScript apps (Next.js, Nuxt and the like) may serve a page
whose DOM holds no article text at all: the body's HTML travels as a string
in the framework's data script (``self.__next_f.push([1, "..."])``,
``__NEXT_DATA__``), escaped once or twice (``\\u003cp\\u003e``, ``\\"``).
Asked only when the page's own DOM gave (almost) no text, this finds the
script that carries the most paragraphs, undoes the escaping and returns
the stretch from its first ``<p`` (or from the start of the JSON value that
holds it) to its last ``</p>`` as HTML, for the body renderer to read like any
other container.

Other apps ship the body as structured JSON instead of markup: a list of
paragraph objects in ``__NEXT_DATA__`` or another ``application/json``
script, or in an assignment such as ``Fusion.globalContent = {…}`` (Arc XP).
``structured_html`` reads those scripts with ``json.loads`` and turns the
largest such list into ``<p>`` markup. The shapes it knows:

* rich-text documents (Bloomberg, ProseMirror-like editors):
  ``{"type": "paragraph", "content": [{"type": "text", "value"|"text": "…"}, …]}``,
  text nodes possibly nested in link nodes;
* Arc XP ``content_elements``: ``{"type": "text", "content": "<html>"}``;
* Portable Text (Sanity): ``{"_type": "block", "children": [{"_type": "span", "text": "…"}]}``;
* markup as a JSON tree (htmlparser2's shape):
  ``{"type": "p", "children": [{"type": "text", "data": "…"}]}``.
"""

from __future__ import annotations

import html as html_mod
import json
import re
from typing import Any

_PARAGRAPH = re.compile(r"u003cp[\s>\\]|<p[\s>]", re.IGNORECASE)
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|[nrt/\"'\\])")
_SIMPLE = {"n": "\n", "t": " ", "r": "", "/": "/", '"': '"', "'": "'", "\\": "\\"}
_PLACEHOLDER = re.compile(r"\$\$[A-Z0-9_]{2,40}\$\$|\{\{\s*[\w.]{1,40}\s*\}\}")  # "$$ARTICLEAD$$", "{{ad}}"
MIN_PARAGRAPHS = 3
MAX_SCRIPT = 5_000_000


def article_html(html: str) -> str | None:
    """The paragraphs' markup from the script that holds most of them, or None."""
    if "<script" not in html and "<SCRIPT" not in html:
        return None
    best, most = None, MIN_PARAGRAPHS - 1
    for _, body in _scripts(html):
        if len(body) > MAX_SCRIPT:
            continue
        count = len(_PARAGRAPH.findall(body))
        if count > most:
            best, most = body, count
    if best is None:
        return None
    text = unescape(best)
    start, end = text.find("<p"), text.rfind("</p>")
    if not 0 <= start < end:
        return None
    # from the start of the JSON value holding the markup ("contentHtml":"<div…), if it starts with a tag
    value = text.rfind('":"', max(0, start - 5000), start) + 3
    if value >= 3 and text.startswith("<", value):
        start = value  # from its first tag, so wrappers such as a caption box stay whole
    return text[start:end + 4]


def _one(match: re.Match) -> str:
    code = match.group(1)
    return chr(int(code[1:], 16)) if code[0] == "u" else _SIMPLE[code]


def _scripts(html: str):
    """The opening tag and the text of each <script> element, in one linear
    pass (no regex that could rescan the page from every unclosed tag)."""
    lower = html.lower()
    at = lower.find("<script")
    while at >= 0:
        opened = lower.find(">", at)
        if opened < 0:
            return
        closed = lower.find("</script", opened)
        yield html[at:opened + 1], html[opened + 1:closed if closed >= 0 else len(html)]
        if closed < 0:
            return
        at = lower.find("<script", closed)


def unescape(text: str) -> str:
    """Undo JavaScript string escaping, twice if the string was escaped twice."""
    for _ in range(3):
        if "\\" not in text:
            break
        text = _ESCAPE.sub(_one, text)
    return text


def without_placeholders(markup: str) -> str:
    """Template slots left in the markup ("$$ARTICLEAD$$") are not text."""
    return _PLACEHOLDER.sub("", markup)


# the compact JSON that apps serialise: how each structured shape starts
_STRUCTURED = ('"type":"paragraph"', '"type":"text"', '"_type":"block"')
MAX_ASSIGNMENTS = 50  # "name = {" spots tried per script (most fail at once: JavaScript, not JSON)
_PARAGRAPHS = ("paragraph", "p")
_HEADINGS = {"heading": "h2", "header": "h2", "h2": "h2", "h3": "h2"}


def structured_count(html: str) -> int:
    """How many structured paragraphs the page's JSON may hold (a cheap
    count, to decide whether reading the JSON is worth it)."""
    return sum(html.count(marker) for marker in _STRUCTURED)


def structured_html(html: str) -> str | None:
    """``<p>`` markup of the largest list of structured paragraphs in the
    page's data scripts, or None."""
    best, most = None, 0
    for tag, body in _scripts(html):
        if len(body) > MAX_SCRIPT or not any(marker in body for marker in _STRUCTURED):
            continue
        for data in _json_values(tag, body):
            parts, size = _largest_list(data)
            if size > most:
                best, most = parts, size
    return "".join(best) if best else None


def _json_values(tag: str, body: str):
    """The JSON a script holds: all of it (``type="application/json"``), or
    the objects assigned in it (``Fusion.globalContent={…};``)."""
    kind = tag.lower()
    if "json" in kind and "ld+json" not in kind:
        try:
            yield json.loads(body)
        except (ValueError, RecursionError):
            pass
        return
    decoder, at, tries = json.JSONDecoder(), body.find("="), 0
    while at >= 0 and tries < MAX_ASSIGNMENTS:
        start = at + 1
        while start < len(body) and body[start] in " \t\r\n":
            start += 1
        if body.startswith("{", start):
            tries += 1
            try:
                value, end = decoder.raw_decode(body, start)
            except (ValueError, RecursionError):
                end = start
            else:
                yield value
        else:
            end = start
        at = body.find("=", end)


def _largest_list(data: Any) -> tuple[list[str], int]:
    """The markup of the list with the most paragraph text, and that text's size."""
    best: list[str] = []
    most = 0
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
            continue
        if not isinstance(node, list):
            continue
        stack.extend(v for v in node if isinstance(v, (dict, list)))
        parts, size, count = [], 0, 0
        for item in node:
            found = _block(item)
            if found:
                parts.append(found[0])
                size += found[1]
                count += found[1] > 0
        if count >= MIN_PARAGRAPHS and size > most:
            best, most = parts, size
    return best, most


def _block(item: Any) -> tuple[str, int] | None:
    """One list item as markup, and its paragraph text's size (0 for a heading)."""
    if not isinstance(item, dict):
        return None
    kind, content = item.get("type"), item.get("content")
    if isinstance(content, str) and kind in ("text", "header"):  # Arc XP: the item's HTML
        tag = "p" if kind == "text" else "h2"
        return (f"<{tag}>{content}</{tag}>", len(content) if kind == "text" else 0) if content.strip() else None
    if kind in _PARAGRAPHS or kind in _HEADINGS:
        children = content if isinstance(content, list) else item.get("children")
    elif item.get("_type") == "block":  # Portable Text
        children, kind = item.get("children"), "heading" if str(item.get("style", "")).startswith("h") else "paragraph"
    else:
        return None
    if not isinstance(children, list):
        return None
    text = "".join(_inline(children, 0)).strip()
    if not text:
        return None
    tag = _HEADINGS.get(kind, "p")
    return f"<{tag}>{html_mod.escape(text, quote=False)}</{tag}>", len(text) if tag == "p" else 0


def _inline(nodes: list[Any], depth: int) -> list[str]:
    """The text of a paragraph's inline nodes in order, links' text included."""
    out: list[str] = []
    for node in nodes:
        if not isinstance(node, dict):
            continue
        value = node.get("value", node.get("text", node.get("data")))
        if isinstance(value, str) and (node.get("type") == "text" or node.get("_type") == "span"):
            out.append(value)
        elif node.get("type") in ("br", "hard_break", "hardBreak"):
            out.append(" ")
        children = node.get("content", node.get("children"))
        if isinstance(children, list) and depth < 20:
            out.extend(_inline(children, depth + 1))
    return out
