"""Title rules on small hand-written pages: site names in headings and in
``<title>`` strings are not the headline."""

from __future__ import annotations

from scraper.extract import extract

BODY = "<p>" + "Ein langer Absatz mit genug Text, damit der Körper gefunden wird, und noch mehr Worte. " * 4 + "</p>"


def page(head: str, h1: str, extra: str = "") -> str:
    return (f"<html><head>{head}</head><body><header><h1>{h1}</h1></header>"
            f"<article>{extra}{BODY}</article></body></html>")


def test_blog_name_heading_is_not_the_headline() -> None:
    html = page("<title>Rinderleber mit Apfel und Zwiebel | Liebe geht durch den Magen</title>",
                "Liebe geht durch den Magen")
    assert extract(html, "https://blog.example.de/rezept", builtin=False).title == "Rinderleber mit Apfel und Zwiebel"


def test_breadcrumb_title_gives_its_leaf() -> None:
    html = page("<title>Time 4 talks » Blog Archiv » Weitere Digitalisierung der Kinos</title>", "Time 4 talks")
    assert extract(html, "https://time4talks.example/kinos", builtin=False).title == "Weitere Digitalisierung der Kinos"


def test_site_prefix_before_a_colon_is_dropped() -> None:
    html = page('<title>BDZV: Eliasson gestaltet Titelseite</title><meta property="og:title" content="Presse">'
                '<meta property="og:site_name" content="BDZV">', "Eliasson gestaltet Titelseite")
    assert extract(html, "https://www.bdzv.de/presse/x", builtin=False).title == "Eliasson gestaltet Titelseite"


def test_headline_first_title_keeps_a_leading_section() -> None:
    html = page("<title>BKA - Pressemitteilungen - Messengerdienste sind kein rechtsfreier Raum</title>",
                "Messengerdienste sind kein rechtsfreier Raum")
    assert extract(html, "https://www.bka.de/x", builtin=False).title == "Messengerdienste sind kein rechtsfreier Raum"


def test_kicker_added_by_metadata_is_dropped_when_the_heading_states_the_headline_alone() -> None:
    html = page('<title>Siemens und Adani: Kaeser verarscht Neubauer - taz.de</title>'
                '<meta property="og:title" content="Siemens und Adani: Kaeser verarscht Neubauer">',
                "Kaeser verarscht Neubauer")
    assert extract(html, "https://taz.de/x", builtin=False).title == "Kaeser verarscht Neubauer"


def test_kicker_in_every_source_stays() -> None:
    html = page('<title>Rückbau: Kühltürme gesprengt</title>'
                '<meta property="og:title" content="Rückbau: Kühltürme gesprengt">',
                "<span>Rückbau:</span> <span>Kühltürme gesprengt</span>")
    assert extract(html, "https://zeitung.example/x", builtin=False).title == "Rückbau: Kühltürme gesprengt"


def test_site_first_title_with_a_section_gives_the_headline() -> None:
    html = page("<title>Zoll online - Fachmeldungen - Verkündung des neuen Gesetzes</title>"
                '<meta property="og:site_name" content="Zoll online">', "Fachmeldungen",
                "<h1>Verkündung des neuen Gesetzes</h1>")
    assert extract(html, "https://www.zoll.de/x", builtin=False).title == "Verkündung des neuen Gesetzes"


def test_meta_title_cut_at_an_inner_quote_is_completed_from_the_title_tag() -> None:
    html = page('<title>Senador califica a Biden de "incapacitado"</title>'
                '<meta property="og:title" content="Senador califica a Biden de "incapacitado"">', "")
    title = extract(html, "https://www.diario.example/x", builtin=False).title
    assert title == 'Senador califica a Biden de "incapacitado"'


def test_site_name_followed_by_more_parts_goes_with_them() -> None:
    title = "Zelensky Is Now Considering Firing Top General * The Gateway Pundit * by Paul Serran"
    html = page(f'<title>{title}</title><meta property="og:site_name" content="The Gateway Pundit">',
                "Zelensky Is Now Considering Firing Top General")
    assert extract(html, "https://www.thegatewaypundit.com/x", builtin=False).title == \
        "Zelensky Is Now Considering Firing Top General"


def test_korean_section_and_site_suffix() -> None:
    html = page("<title>민주당 도입 또다시 불발-정치ㅣ한국일보</title>"
                '<meta property="og:site_name" content="한국일보">', "")
    assert extract(html, "https://www.hankookilbo.com/x", builtin=False).title == "민주당 도입 또다시 불발"


def test_theme_marked_post_title_beats_an_seo_title_tag() -> None:
    html = ("<html><head><title>Blockhaus Typ 3 in Ludorf. Günstige Ferienhäuser an der Müritz. | Müritzurlauber"
            "</title></head><body><header><h1 class='entry-title'>Blockhaus 3</h1></header><article>"
            f"{BODY}</article></body></html>")
    assert extract(html, "https://mueritzurlauber.example/blockhaus-3", builtin=False).title == "Blockhaus 3"


def test_the_heading_wins_over_an_seo_rewording_of_it() -> None:
    # og:title, <title> and JSON-LD agree on a shorter SEO wording; readers saw the heading.
    seo = "VW-Chef Diess warnt vor Tesla und Golf aus China"
    head = (f'<title>{seo}</title><meta property="og:title" content="{seo}">'
            f'<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "{seo}"}}</script>')
    html = page(head, "VW-Chef warnt vor Tesla und dem Golf aus China")
    title = extract(html, "https://auto.example.at/x", builtin=False).title
    assert title == "VW-Chef warnt vor Tesla und dem Golf aus China"


def test_a_heading_that_only_adds_a_kicker_does_not_replace_the_title() -> None:
    html = page('<title>Irme Stetter-Karp ist neue ZdK-Präsidentin</title>'
                '<meta property="og:title" content="Irme Stetter-Karp ist neue ZdK-Präsidentin">',
                '"Reformstau lösen" / Irme Stetter-Karp ist neue ZdK-Präsidentin')
    title = extract(html, "https://www.example.de/x", builtin=False).title
    assert title == "Irme Stetter-Karp ist neue ZdK-Präsidentin"


def test_an_unrelated_heading_does_not_replace_the_title() -> None:
    html = page('<title>Gefahrstoff-Service</title><meta property="og:title" content="Gefahrstoff-Service">',
                "Unsere Leistungen im Überblick für alle Kunden")
    assert extract(html, "https://www.example.eu/x", builtin=False).title == "Gefahrstoff-Service"


def test_the_heading_wins_over_a_title_that_adds_a_tagline() -> None:
    seo = "Alkohol auf dem Boot – Erfahre mehr zu den Risiken"
    html = page(f'<title>{seo}</title><meta property="og:title" content="{seo}">', "Alkohol auf dem Boot")
    assert extract(html, "https://www.example.de/alkohol", builtin=False).title == "Alkohol auf dem Boot"


def test_a_heading_classed_as_the_article_header_title_is_not_the_site_name() -> None:
    seo = "Seat Mo 125: Der Elektroroller im Test"
    head = (f'<title>{seo} | motor.example</title><meta property="og:title" content="{seo}">'
            '<script type="application/ld+json">{"@type": "Article", '
            '"headline": "Seat Mo 125: Was kann der Roller mit dem Akku-Trolley?"}</script>')
    html = (f"<html><head>{head}</head><body><h1 class='article-header-title'>"
            f"Seat Mo 125: Was kann der Roller mit dem Akku-Trolley?</h1><article>{BODY}</article></body></html>")
    title = extract(html, "https://motor.example/x", builtin=False).title
    assert title == "Seat Mo 125: Was kann der Roller mit dem Akku-Trolley?"


def test_a_long_part_that_mentions_the_site_is_not_its_name() -> None:
    seo = "FactCheck - Senator's campaign of half-truths: FactCheck's 2023 Lie of the Year"
    html = page(f'<title>{seo}</title><meta property="og:title" content="{seo}">'
                '<meta property="og:site_name" content="FactCheck">', "")
    assert (extract(html, "https://www.factcheck.example/x", builtin=False).title
            == "Senator's campaign of half-truths: FactCheck's 2023 Lie of the Year")


def test_a_heading_that_adds_a_subtitle_wins() -> None:
    short = "Radio star quits after 21 years on air"
    html = page(f'<title>{short}</title><meta property="og:title" content="{short}">',
                f"{short} - with the final show just weeks away")
    assert (extract(html, "https://www.example.co.uk/x", builtin=False).title
            == f"{short} - with the final show just weeks away")


def test_the_article_heading_wins_over_an_unrelated_seo_title() -> None:
    seo = "Clever Ideas to Set Up a Nursery in a Small Space"
    html = (f'<html><head><title>{seo}</title><meta property="og:title" content="{seo}"></head><body>'
            f'<article><header class="entry-header"><h1>20 Small Nursery Ideas When Space Is Tight</h1></header>'
            f'{BODY}</article></body></html>')
    title = extract(html, "https://blog.example.com/nursery", builtin=False).title
    assert title == "20 Small Nursery Ideas When Space Is Tight"


def test_a_navigation_heading_is_not_the_article_heading() -> None:
    seo = "Sicherheits-Check für Künstliche Intelligenz in Autos"
    html = (f'<html><head><title>{seo}</title><meta property="og:title" content="{seo}"></head><body>'
            f'<header><nav><h1 class="aural">Navigation und Service des Amtes</h1></nav></header>'
            f'<article>{BODY}</article></body></html>')
    assert extract(html, "https://www.amt.example/ki", builtin=False).title == seo


def test_a_headings_permalink_mark_is_not_part_of_the_title() -> None:
    html = page("<title>Evolve: Shared Mutable History — evolve extension</title>",
                'Evolve: Shared Mutable History<a class="headerlink" href="#evolve">¶</a>')
    assert extract(html, "https://docs.example.org/evolve", builtin=False).title == "Evolve: Shared Mutable History"


def test_a_section_label_heading_before_the_headline_is_skipped() -> None:
    seo = "Grab-Bote fliegt mit Hühnerreis nach Singapur, Thailand"
    html = (f'<html><head><title>{seo}</title><meta property="og:title" content="{seo}"></head><body>'
            f'<h1 class="category-title">Bangkok</h1>'
            f'<h1 class="page-title">Grab-Bote fliegt mit Hühnerreis nach Singapur</h1>'
            f'<article>{BODY}</article></body></html>')
    title = extract(html, "https://farang.example/pages/grab-bote", builtin=False).title
    assert title == "Grab-Bote fliegt mit Hühnerreis nach Singapur"


def test_furigana_readings_are_not_text() -> None:
    # NHK Easy style: a reading above every kanji, no <rp> fallback
    heading = ("<ruby>子<rt>こ</rt></ruby>どもへの<ruby>体罰<rt>たいばつ</rt></ruby>を"
               "<ruby>禁止<rt>きんし</rt></ruby>する")
    text = "<ruby>法律<rt>ほうりつ</rt></ruby>ができました。" * 20
    html = (f'<html><head><title>NEWS|子どもへの体罰を禁止する</title></head><body>'
            f'<article><h1 class="article-main__title">{heading}</h1><p>{text}</p></article></body></html>')
    article = extract(html, "https://news.example.jp/k1.html", builtin=False)
    assert article.title == "子どもへの体罰を禁止する"
    assert article.body.startswith("法律ができました。法律ができました。")


def test_furigana_with_parentheses_stays_inline() -> None:
    # the <rp> fallback asks a reader without ruby to show the reading in parentheses
    para = "韓国の<ruby>尹錫悦<rp>（</rp><rt>ユンソンニョル</rt><rp>）</rp></ruby>大統領は３日夜、緊急談話を出した。"
    html = (f'<html><head><title>韓国で非常戒厳</title></head><body><article><h1>韓国で非常戒厳</h1>'
            f'<p>{para * 6}</p></article></body></html>')
    assert "尹錫悦（ユンソンニョル）" in extract(html, "https://news.example.jp/k2", builtin=False).body
