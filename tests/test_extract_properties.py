"""Property tests: the extractor never raises anything but our own error, on
any input, and never lets script or style text into the body."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper.errors import ExtractError
from scraper.extract import extract

_TAGS = st.sampled_from(["div", "p", "span", "article", "section", "table", "td", "tr", "a", "b", "h1",
                         "figure", "figcaption", "img", "br", "time", "meta", "script", "style", "li"])
_ATTRS = st.sampled_from(["", ' class="content"', ' class="share"', ' datetime="2017-12-06T08:05"',
                          ' data-src="/a.jpg"', ' srcset="/x.jpg 2x, , ,"', ' property="og:title" content="T"',
                          ' type="application/ld+json"', ' style="text-align:right"', ' href="javascript:x"'])
_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@st.composite
def markup(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 40))):
        kind = draw(st.integers(0, 3))
        tag = draw(_TAGS)
        if kind == 0:
            parts.append(f"<{tag}{draw(_ATTRS)}>")
        elif kind == 1:
            parts.append(f"</{tag}>")
        else:
            parts.append(draw(_TEXT))
    return "".join(parts)


def _as_text(data: bytes | str) -> set[str]:
    """The markers that the HTML parser itself leaves as page text: random
    markup can swallow a <style> tag ("<?<style>" opens a bogus comment),
    and then its content is text a browser shows too."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(data if isinstance(data, str) else data.decode("utf-8", "replace"))
    for node in tree.css("script, style"):
        node.decompose()
    text = tree.root.text() if tree.root is not None else ""
    return {marker for marker in ("SCRIPTTEXT", "STYLETEXT") if marker in text}


def _check(data: bytes | str) -> None:
    try:
        article = extract(data, "https://example.vn/a/b.html")
    except ExtractError:
        return
    shown = _as_text(data)
    for marker in ("SCRIPTTEXT", "STYLETEXT"):
        assert marker in shown or marker not in article.body


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    _check(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markup(), markup())
def test_arbitrary_markup_never_leaks_script_text(before: str, after: str) -> None:
    html = (f"<html><head><script>var SCRIPTTEXT = 1;</script><style>.STYLETEXT{{}}</style></head><body>"
            f"{before}<p>Real words of the article, long enough to count as a paragraph here.</p>"
            f"<script>document.write('SCRIPTTEXT')</script>{after}<style>p.STYLETEXT{{}}</style></body></html>")
    _check(html)
    _check(html.encode("utf-8"))
