"""The history page's building blocks: word diffs, safe URLs and Atom XML (pure functions)."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from scraper.web import feed, history
from scraper.web.history import DELETE, EQUAL, INSERT, SKIP, Span, word_diff


def test_word_diff_marks_replaced_words():
    assert word_diff("Hoa nở rộ ở Đồng Văn", "Hoa khoe sắc ở Đồng Văn") == [
        Span(EQUAL, "Hoa"), Span(DELETE, "nở rộ"), Span(INSERT, "khoe sắc"), Span(EQUAL, "ở Đồng Văn")]


def test_word_diff_keeps_paragraph_breaks_and_elides_long_unchanged_runs():
    words = " ".join(f"w{i}" for i in range(100))
    spans = word_diff(f"{words}\n\nMột hai.", f"{words}\n\nMột ba.", context=5)
    assert spans[0] == Span(SKIP, "… 97 unchanged words …")
    assert spans[1] == Span(EQUAL, "w97 w98 w99\n\nMột")
    assert spans[2:] == [Span(DELETE, "hai."), Span(INSERT, "ba.")]


def _side(spans, drop):
    return [w for s in spans if s.op != drop for w in history.tokens(s.text)]


@given(st.lists(st.sampled_from(["Đồng", "Văn", "hoa", "đá", "\n\n", "<script>"]), max_size=30),
       st.lists(st.sampled_from(["Đồng", "Văn", "hoa", "núi", "\n\n", "javascript:x"]), max_size=30))
def test_word_diff_without_context_rebuilds_both_texts(old, new):
    old_text, new_text = " ".join(old), " ".join(new)
    spans = word_diff(old_text, new_text, context=None)
    assert _side(spans, INSERT) == history.tokens(old_text)
    assert _side(spans, DELETE) == history.tokens(new_text)


def test_only_http_urls_are_safe():
    assert history.safe_url("https://baohagiang.vn/a.jpg") == "https://baohagiang.vn/a.jpg"
    assert history.safe_url(" HTTP://x.vn/a.jpg ") == "HTTP://x.vn/a.jpg"
    for bad in ("javascript:alert(1)", " javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:image/png;base64,x",
                "//evil.example/a.jpg", "/img/a.jpg", "https://x.vn/a b.jpg", "https:///x", None, 3):
        assert history.safe_url(bad) is None, bad


def test_build_history_compares_each_version_with_the_previous_one():
    rows = [
        {"id": 8, "version": 2, "captured_at": "t2", "title": "A", "body": "x y", "authors": '["B"]',
         "changed_fields": '["authors", "body"]', "published_at": None},
        {"id": 7, "version": 1, "captured_at": "t1", "title": "A", "body": "x", "authors": '["A"]',
         "changed_fields": "[]", "published_at": None},
    ]
    images = {7: [{"position": 0, "url": "javascript:1", "caption": None, "credit": None}]}
    views = history.build_history(rows, images)
    assert [v.version for v in views] == [1, 2]
    assert views[0].images[0].safe_url is None
    assert [(c.name, c.spans) for c in views[1].changes] == [
        ("authors", [Span(DELETE, "A"), Span(INSERT, "B")]),
        ("body", [Span(EQUAL, "x"), Span(INSERT, "y")]),
        ("images", [Span(DELETE, "javascript:1")])]
    assert history.summary(views[1].changes) == 'Authors: −“A” +“B”; Body: +“y”; Images: −“javascript:1”'


def test_atom_escapes_values_and_keeps_only_http_links():
    rows = [{"atom_id": "https://x.vn/a#v2", "atom_title": "<script>alert(1)</script>",
             "atom_updated": "2026-01-01T00:00:00+00:00", "atom_content": "<b>bold</b>",
             "atom_link": "javascript:alert(1)"},
            {"atom_id": "https://x.vn/b#v2", "atom_title": "B", "atom_updated": "2026-01-02T00:00:00",
             "atom_link": "-/history/2#v2"}]
    xml = feed.atom(rows, title="Changes", self_url="http://127.0.0.1:8001/archive/recent_changes.atom")
    assert b"<script>" not in xml and b"&lt;script&gt;" in xml
    ns = {"a": feed.ATOM}
    root = ET.fromstring(xml)
    first, second = root.findall("a:entry", ns)
    assert first.find("a:link", ns) is None
    assert first.find("a:content", ns).get("type") == "text"
    assert second.find("a:link", ns).get("href") == "http://127.0.0.1:8001/archive/-/history/2#v2"
    assert root.findtext("a:updated", namespaces=ns) == "2026-01-02T00:00:00+00:00"


def test_atom_of_no_rows_is_a_valid_empty_feed():
    root = ET.fromstring(feed.atom([], title="Changes", self_url="http://h/f.atom"))
    assert root.findall(f"{{{feed.ATOM}}}entry") == [] and root.findtext(f"{{{feed.ATOM}}}updated")
