"""Body rules on small hand-written pages: what around the article's
paragraphs is page furniture, not text."""

from __future__ import annotations

import pytest

from scraper.extract import extract

PARAS = ["Người dân Đồng Văn đón mùa hoa tam giác mạch trên cao nguyên đá, khách du lịch tăng mạnh.",
         "Các homestay ở phố cổ kín phòng từ đầu tuần; nhiều đoàn khách phải nghỉ lại tại Mèo Vạc.",
         "Huyện mở thêm hai điểm trông giữ xe và tăng cường lực lượng hướng dẫn giao thông."]


def page(inside: str = "", after: str = "") -> str:
    first, *rest = (f"<p>{p}</p>" for p in PARAS)
    return (f"<html><head><title>Đồng Văn đón khách</title></head><body><article><h1>Đồng Văn đón khách</h1>"
            f"<div class='article-body'>{first}{inside}{''.join(rest)}{after}</div>"
            f"</article></body></html>")


@pytest.mark.parametrize("furniture", [
    '<div class="Article_elementPoll__x"><p>Ja, unbedingt.</p><p>Nein, das wäre Zensur.</p></div>',
    '<div class="visually-hidden">Article content</div>',
    '<span class="sr-only">Advertisement</span>',
    '<div class="tagbox"><h3>Schlagwörter zu diesem Artikel</h3><a href="/t/a">Lesen</a></div>',
    '<div class="singlepostmeta">Abgelegt unter Israel. Kommentare sind geschlossen.</div>',
])
def test_page_furniture_inside_the_body_is_left_out(furniture: str) -> None:
    body = extract(page(inside=furniture), "https://news.example.vn/a", builtin=False).body
    assert body.split("\n\n") == PARAS


@pytest.mark.parametrize("label", ["【関連記事】", "Tin liên quan:", "Xem thêm", "Read more:", "İlgili konular",
                                   "Share this article"])
def test_a_related_links_label_left_at_the_end_is_dropped(label: str) -> None:
    body = extract(page(after=f"<p>{label}</p>"), "https://news.example.vn/a", builtin=False).body
    assert body.split("\n\n") == PARAS


def test_a_closing_sentence_that_starts_like_a_label_stays() -> None:
    last = "Xem thêm các tin bài về lễ hội hoa tam giác mạch sẽ được cập nhật trong những ngày tới."
    body = extract(page(after=f"<p>{last}</p>"), "https://news.example.vn/a", builtin=False).body
    assert body.split("\n\n") == PARAS + [last]
