"""Publication dates on small hand-written pages: which calendar day a
UTC timestamp belongs to, and which labelled dateline is the publication."""

from __future__ import annotations

from datetime import timedelta

from scraper.extract import extract
from scraper.extract.dates import parse_visible

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


def test_visible_dateline_settles_metadata_that_disagree() -> None:
    # JSON-LD keeps a draft's date; the article's meta and the dateline agree on the 6th
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Access restored",'
            ' "datePublished": "2023-11-03T10:25:56+00:00"}</script>'
            '<meta property="article:published_time" content="2023-11-06T14:25:00+00:00">')
    article = extract(page(head, "6 November 2023"), "https://news.example.co.uk/a", builtin=False)
    assert article.published_at is not None
    assert article.published_at.date().isoformat() == "2023-11-06"


def test_creation_dates_do_not_outvote_the_published_date() -> None:
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Access restored",'
            ' "datePublished": "2023-11-09T03:02:34-05:00"}</script>'
            '<meta name="dc.date" content="2023-11-08">'
            '<meta name="dcterms.created" content="2023-11-08T20:25:25-05:00">')
    article = extract(page(head, "Published November 9, 2023 3:02am EST"), "https://news.example.com/a",
                      builtin=False)
    assert article.published_at is not None
    assert article.published_at.isoformat() == "2023-11-09T03:02:34-05:00"


def test_an_updated_dateline_does_not_confirm_a_date() -> None:
    head = ('<meta property="article:published_time" content="2017-12-15T08:50:02-05:00">'
            '<meta name="sailthru.date" content="2018-07-24">')
    dateline = 'Updated <time datetime="2018-07-24T18:15:58+00:00">Jul 24, 2018, 2:15pm EDT</time>'
    article = extract(page(head, dateline), "https://www.example.com/a", builtin=False)
    assert article.published_at is not None
    assert article.published_at.isoformat() == "2017-12-15T08:50:02-05:00"


def test_local_midnight_stored_in_utc_is_the_local_day() -> None:
    # 23:00 UTC is midnight in Berlin: a date-only value, even where the page prints the UTC day
    head = '<meta property="article:published_time" content="2022-11-06T23:00:00.000Z">'
    html = page(head, "6.11.22").replace('lang="en-US"', 'lang="de-DE"')
    article = extract(html, "https://magazin.example.de/artikel/provence", builtin=False)
    assert article.published_at is not None
    assert article.published_at.date().isoformat() == "2022-11-07"


def test_a_dotted_date_with_a_two_digit_year() -> None:
    html = page("", "28.01.22 / 0 Kommentare").replace('lang="en-US"', 'lang="de-DE"')
    article = extract(html, "https://www.example.de/wein/wachstum", builtin=False)
    assert article.published_at is not None
    assert article.published_at.date().isoformat() == "2022-01-28"


def test_a_version_number_is_not_a_short_date() -> None:
    html = page("", "Version 10.12.13.4").replace('lang="en-US"', 'lang="de-DE"')
    assert extract(html, "https://www.example.de/software", builtin=False).published_at is None


def bare(dateline: str, lang: str = "en") -> str:
    """A page whose only date is ``dateline``, in a paragraph under the headline."""
    return (f'<html lang="{lang}"><head></head><body><article><h1>Access restored</h1>'
            f'<p>{dateline}</p>{BODY}</article></body></html>')


def published_day(html: str, url: str = "https://www.example.org/news/access-restored") -> str | None:
    article = extract(html, url, builtin=False)
    return article.published_at.date().isoformat() if article.published_at else None


def test_month_names_in_cyrillic_polish_and_turkish() -> None:
    assert published_day(bare("Германия 15 августа 2016, 13:43", "ru")) == "2016-08-15"
    assert published_day(bare("Київ, 3 травня 2019", "uk")) == "2019-05-03"
    assert published_day(bare("Warszawa, 12 października 2021", "pl")) == "2021-10-12"
    assert published_day(bare("Ankara, 3 Ekim 2020 14:00", "tr")) == "2020-10-03"


def test_words_that_start_like_a_polish_or_turkish_month_are_not_months() -> None:
    for text in ("12 Kassen 2020", "Gruppe 5, 2021", "Sieger 3 2019", "am 4 Temperaturen 2022"):
        assert parse_visible(text) is None, text


def test_a_comma_between_month_and_year() -> None:
    assert published_day(bare("Blog entry by Ann Example | 28 April, 2017")) == "2017-04-28"


def test_year_month_day_with_cjk_markers() -> None:
    assert published_day(bare("記事一覧 2020年07月12日 | 情報", "ja")) == "2020-07-12"
    assert published_day(bare("입력 2019년 6월 24일 10:30", "ko")) == "2019-06-24"


def test_a_month_name_in_the_url_picks_the_matching_dateline() -> None:
    # a fact-check: the claim's date comes first, the article's own date matches its URL
    html = (f'<html lang="en-US"><body><article><h1>Access restored</h1>'
            f'<div class="claim-meta">stated on December 13, 2023 in a post</div>'
            f'<div class="byline-meta">By Ann Example December 21, 2023</div>{BODY}</article></body></html>')
    assert published_day(html, "https://www.example.com/factchecks/2023/dec/21/posts/access/") == "2023-12-21"


def test_dates_in_comments_and_sidebar_widgets_are_not_the_articles() -> None:
    html = ('<html lang="de-DE"><body><div id="main"><h1>Access restored</h1>'
            '<p>Dieser Artikel wurde am 14. Dezember 2015 um 14:48 geschrieben.</p>' + BODY +
            '<ol class="commentlist"><li class="comment even" id="comment-1"><div class="comment-meta">'
            '15. Dezember 2015 at 11:21 · Antwort</div><p>Danke!</p></li></ol></div>'
            '<div id="footer"><ul class="sidebar_widget"><li class="widget widget_recent_entries"><ul>'
            '<li><a href="/x">Other</a><span class="post-date">09/09/2019</span></li></ul></li></ul>'
            '<aside><time datetime="2019-07-30">30 juil. 2019</time></aside></div></body></html>')
    assert published_day(html, "https://blog.example.de/arduino/roomba.php") == "2015-12-14"


def test_a_publication_label_after_an_update_label() -> None:
    html = bare('<span>Letzte Änderung: 31.10.2023 - 14:49:39<br>Erschienen am: 01.11.2023<br>Lesungen: 61</span>',
                "de-DE")
    assert published_day(html, "https://www.example.de/rezension,30063.html") == "2023-11-01"
    in_a_date_box = page("", "Modifié le 3 juillet 2019 · Publié le 29 juin 2019").replace('lang="en-US"', 'lang="fr"')
    assert published_day(in_a_date_box) == "2019-06-29"


def test_a_labelled_release_date_of_another_month_than_the_url() -> None:
    # a book review: "Erscheinungsdatum" is the book's release, the URL names the post's month
    html = bare("Samstag, 9. September 2017 · Verlag: Heyne · Erscheinungsdatum: 14.08.2017 · Preis: 12,99 €", "de")
    assert published_day(html, "https://books.example.com/2017/09/rezension.html") == "2017-09-09"


def test_the_mastheads_edition_date_is_only_a_last_resort() -> None:
    menu = "".join(f'<li><a href="/rubrique/{i}">Rubrique numéro {i} du journal</a></li>' for i in range(12))
    masthead = ('<header class="site"><a href="/">Club</a><span class="date-edition">lun. 5 août 2019</span>'
                f'<nav><ul>{menu}</ul></nav></header>')
    article = '<main><h1>Access restored</h1><p>27 juin 2019 · Par Elba</p>' + BODY + '</main>'
    html = f'<html lang="fr"><body>{masthead}{article}</body></html>'
    assert published_day(html, "https://blogs.example.fr/elba/blog/violences") == "2019-06-27"
    undated = html.replace("<p>27 juin 2019 · Par Elba</p>", "")
    assert published_day(undated, "https://blogs.example.fr/elba/blog/violences") == "2019-08-05"


def test_microdata_date_published_counts_against_generic_meta_dates() -> None:
    head = ('<meta name="date" content="2022-01-21T15:38:44+01:00">'
            '<meta name="DCTERMS.date" content="2022-01-21T15:38:44+01:00">')
    dateline = '<time itemprop="datePublished" datetime="2022-01-27">27.01.2022</time>'
    html = page(head, dateline).replace('lang="en-US"', 'lang="de"')
    assert published_day(html, "https://www.example.com/aktuelles/winter/") == "2022-01-27"


def test_a_drupal_submitted_byline_after_other_dates() -> None:
    # the node's byline sits after the text; a "next post" teaser above it carries its own date
    html = ('<html lang="de"><body><div id="content"><h1>Access restored</h1>' + BODY +
            '<ul class="links"><li><a href="/next">Weiter</a></li></ul>'
            '<div class="submitted">Gespeichert von <span class="username">ann</span> am 24. Juli 2017 - 18:55'
            '</div></div><div class="block"><div class="field-date">26. August 2017</div></div></body></html>')
    assert published_day(html, "https://www.example.at/hackathon") == "2017-07-24"


def test_an_update_stamp_beats_dates_written_in_the_text() -> None:
    # no publication date anywhere: the page's "Aktualisiert" stamp, not the caption's date
    text = ('<p>Abbildung: Satellitenbild vom 31.05.2021 (links)</p>' + BODY +
            '<p>Quelle: Universität, Pressemitteilung. Aktualisiert am 17.01.2022. Permalink</p>')
    html = bare(text, "de")
    assert published_day(html, "https://www.example.ch/news/detail/id/718") == "2022-01-17"
    english = bare('<p>A study from May 3, 2019 shows it.</p>' + BODY + '<p>Last updated: June 13, 2019</p>')
    assert published_day(english) == "2019-06-13"


def test_january_first_without_a_time_is_a_placeholder() -> None:
    head = '<meta itemprop="dateCreated" content="01/01/2004">'
    html = page(head, "Updated June 13, 2019").replace('<span class="date">', '<span class="recipe">')
    assert published_day(html, "https://www.example.com/recipes/cake/c4d3") == "2019-06-13"
    alone = page(head, "").replace('<span class="date">', '<span class="recipe">')
    assert published_day(alone, "https://www.example.com/recipes/cake/c4d3") == "2004-01-01"


def test_a_date_far_into_the_text_after_a_long_menu() -> None:
    menu = "".join(f'<li><a href="/forum/{i}">Forum section number {i} about hardware</a></li>' for i in range(700))
    html = (f'<html lang="de"><body><ul>{menu}</ul><div class="thread"><p>Von ann 07.05.19 10:12</p>'
            f'{BODY}</div></body></html>')
    assert published_day(html, "https://www.example.de/forum/thread.html") == "2019-05-07"
