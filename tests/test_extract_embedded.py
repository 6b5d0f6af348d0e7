"""The body when the page's DOM holds only a preview, or nothing, and the
article travels as paragraph objects in the app's data script; and live
tickers whose text sits in boxes named like comments."""

from __future__ import annotations

import json

from scraper.extract import embedded, extract

PARAGRAPHS = [
    "The harbour authority opened the new ferry terminal on Monday after three years of building work.",
    "Commuters from the northern islands will save about twenty minutes on each crossing, it said.",
    "The old pier, built in 1962, will be turned into a public promenade with benches and a small market.",
    "Local shop owners welcomed the change but asked for more parking near the new entrance.",
    "The council will vote on the promenade plans in the spring, after a public consultation.",
]
TITLE = "New ferry terminal opens"


def _page(dom_body: str, script: str) -> str:
    return (f"<html><head><title>{TITLE}</title></head><body><header><a href='/'>Home</a></header>"
            f"<main><h1>{TITLE}</h1><div class='story'>{dom_body}</div></main>{script}</body></html>")


def _next_data(data: dict) -> str:
    return f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(data, separators=(",", ":"))}</script>'


def _rich_text(paragraphs: list[str]) -> dict:
    """A rich-text document: text nodes in paragraphs, one of them inside a link."""
    content = [{"type": "ad", "data": {"slot": 1}, "content": []}]
    for i, text in enumerate(paragraphs):
        if i == 1:
            head, tail = text.split(" will ", 1)
            nodes = [{"type": "entity", "data": {"link": "https://example.com/x"},
                      "content": [{"type": "text", "value": head}]},
                     {"type": "text", "value": " will " + tail}]
        else:
            nodes = [{"type": "text", "value": text}]
        content.append({"type": "paragraph", "data": {}, "content": nodes})
    return {"type": "document", "content": content}


def test_a_paywall_preview_is_replaced_by_the_paragraphs_of_the_data_script() -> None:
    # the DOM shows the first paragraph; the whole story is in __NEXT_DATA__
    related = [{"type": "paragraph", "content": [{"type": "text", "value": "Another story's teaser."}]}]
    data = {"props": {"pageProps": {"story": {"body": _rich_text(PARAGRAPHS)}, "related": related}}}
    html = _page(f"<p>{PARAGRAPHS[0]}</p><div class='paywall'>Subscribe to read on</div>", _next_data(data))
    article = extract(html, "https://news.example.com/ferry", builtin=False)
    assert article.body.split("\n\n") == PARAGRAPHS


def test_the_full_dom_body_is_kept_when_the_script_holds_the_same_text() -> None:
    data = {"props": {"pageProps": {"story": {"body": _rich_text(PARAGRAPHS)}}}}
    dom = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:4])
    article = extract(_page(dom, _next_data(data)), "https://news.example.com/ferry", builtin=False)
    assert article.body.split("\n\n") == PARAGRAPHS[:4]


def test_a_short_dom_body_that_the_script_does_not_hold_is_kept() -> None:
    # the script holds another article: the page's own short text is right
    other = [p.replace("ferry", "tram") for p in PARAGRAPHS] * 3
    data = {"props": {"pageProps": {"recommended": {"body": _rich_text(other)}}}}
    dom = ("<p>The ferry timetable for the holidays is now online; boats run every hour from six "
           "in the morning until midnight on all days, and the last boat waits for the late train.</p>")
    article = extract(_page(dom, _next_data(data)), "https://news.example.com/ferry", builtin=False)
    assert "tram" not in article.body and article.body.startswith("The ferry timetable")


def test_arc_content_elements_in_an_assignment_fill_an_empty_shell() -> None:
    # Arc XP: Fusion.globalContent = {...content_elements: [{type: text, content: html}]}
    elements = [{"_id": "A1", "type": "image", "url": "https://example.com/a.jpg"}]
    elements += [{"_id": f"T{i}", "additional_properties": {}, "content": p.replace("ferry", "<b>ferry</b>"),
                  "type": "text"} for i, p in enumerate(PARAGRAPHS)]
    elements.insert(3, {"_id": "H", "type": "header", "level": 2, "content": "What changes"})
    story = {"_id": "S", "type": "story", "content_elements": elements}
    script = ('<script type="application/javascript">window.Fusion=window.Fusion||{};'
              'Fusion.arcSite="example";Fusion.layout = {a: 1};'
              f'Fusion.globalContent={json.dumps(story, separators=(",", ":"))};'
              'Fusion.globalContentConfig={"source":"content-api"};</script>')
    article = extract(_page("<div id='fusion-app'></div>", script), "https://news.example.com/ferry", builtin=False)
    assert article.body.split("\n\n") == PARAGRAPHS[:2] + ["What changes"] + PARAGRAPHS[2:]


def test_portable_text_and_json_markup_trees_are_read() -> None:
    blocks = [{"_type": "block", "style": "normal", "children": [{"_type": "span", "text": p}]} for p in PARAGRAPHS]
    markup = {"json": [{"type": "p", "children": [{"type": "text", "data": p}]} for p in PARAGRAPHS]}
    for data in ({"post": {"body": blocks}}, {"article": {"body": markup}}):
        html = _page("", _next_data(data))
        assert extract(html, "https://news.example.com/ferry", builtin=False).body.split("\n\n") == PARAGRAPHS


def test_structured_html_ignores_lists_of_fewer_than_three_paragraphs() -> None:
    data = {"teasers": [{"type": "paragraph", "content": [{"type": "text", "text": p}]} for p in PARAGRAPHS[:2]]}
    assert embedded.structured_html(_next_data(data)) is None
    assert embedded.structured_html('<script type="application/json">{"broken": [</script>') is None


MINUTES = [
    ("90'", "The referee blows the final whistle: a draw that suits neither side after a tense second half."),
    ("88'", "A header from the visiting captain flies just over the bar from a corner on the left."),
    ("75'", "Yellow card for the home goalkeeper, who took far too long over a goal kick."),
    ("62'", "Equaliser! The substitute curls the ball into the far corner from the edge of the box."),
    ("40'", "The home side press high but cannot find a way through a packed defence before the break."),
    ("12'", "Goal for the visitors: a low shot slips under the goalkeeper after a quick counter-attack."),
]


def _ticker_entries(box: str) -> str:
    return "".join(f"<div class='{box}'><span class='minute'>{m}</span><div class='{box}-text'><p>{t}</p></div></div>"
                   for m, t in MINUTES * 4)


def test_a_live_ticker_in_boxes_named_comment_is_read_beside_a_scoreboard() -> None:
    # the boxes named like comments are skipped; what is left is the scoreboard's scraps
    scoreboard = ("<div class='score'><p>Live</p><p>Riverside</p><p>(62') J. Moreau</p><p>1-1</p>"
                  "<p>Harbour City</p><p>(12') L. Dubois</p></div>")
    html = (f"<html><head><title>Riverside v Harbour City live</title></head><body>"
            f"<nav><a href='/'>Home</a> <a href='/football'>Football</a></nav><main>{scoreboard}"
            f"<div class='live-comments'>{_ticker_entries('live-comment')}</div></main></body></html>")
    body = extract(html, "https://sport.example.fr/live/1", builtin=False).body
    assert MINUTES[0][1] in body and MINUTES[-1][1] in body


def test_a_short_article_keeps_its_text_above_a_long_comment_thread() -> None:
    brief = ("The ferry timetable for the holidays is now online; boats run every hour from six in the "
             "morning until midnight, and the last boat waits for the late train.")
    comments = "".join(f"<div class='comment'><p class='comment-author'>Reader {i}</p><p>{t}</p></div>"
                       for i, (_, t) in enumerate(MINUTES * 6))
    html = (f"<html><head><title>Holiday timetable</title></head><body><main><h1>Holiday timetable</h1>"
            f"<div class='story'><p>{brief}</p></div><section class='comments'>{comments}</section></main>"
            f"</body></html>")
    assert extract(html, "https://news.example.com/timetable", builtin=False).body == brief
