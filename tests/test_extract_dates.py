"""Publication dates on small hand-written pages: which calendar day a
UTC timestamp belongs to, and which labelled dateline is the publication."""

from __future__ import annotations

from datetime import timedelta

from scraper.extract import extract

BODY = "<p>" + "A long paragraph with enough words for the body to be found, and then some more. " * 4 + "</p>"


def page(head: str, dateline: str) -> str:
    return (f'<html lang="en-US"><head>{head}</head><body><article><h1>Access restored</h1>'
            f'<div class="byline"><span class="date">{dateline}</span></div>{BODY}</article></body></html>')


UTC_META = '<meta property="article:published_time" content="2020-01-15T01:01:01+00:00">'


def test_utc_time_stays_on_the_day_the_page_shows() -> None:
    # a .com page in US English: the zone guess is New York, where 01:01 UTC is still the 14th;
    # the page's own dateline says the 15th, so the publisher dates in UTC
    article = extract(page(UTC_META, "15 January 2020"), "https://foundation.example.com/news/turkey", builtin=False)
    assert article.published_at is not None
    assert article.published_at.isoformat() == "2020-01-15T01:01:01+00:00"


def test_utc_time_moves_to_the_local_day_the_page_shows() -> None:
    article = extract(page(UTC_META, "January 14, 2020"), "https://foundation.example.com/news/turkey", builtin=False)
    assert article.published_at is not None
    assert article.published_at.utcoffset() == timedelta(hours=-5)
    assert article.published_at.day == 14
    assert article.published_at.hour == 20
