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
"""

from __future__ import annotations

import re

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
    for body in _scripts(html):
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
    """The text of each <script> element, in one linear pass (no regex that
    could rescan the page from every unclosed tag)."""
    lower = html.lower()
    at = lower.find("<script")
    while at >= 0:
        opened = lower.find(">", at)
        if opened < 0:
            return
        closed = lower.find("</script", opened)
        yield html[opened + 1:closed if closed >= 0 else len(html)]
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
