"""Author rules on small hand-written pages."""

from __future__ import annotations

from scraper.extract import extract

BODY = "<p>" + "Ein langer Absatz mit genug Text, damit der Körper gefunden wird, und noch mehr Worte. " * 4 + "</p>"


def page(head: str, body: str = "") -> str:
    return (f"<html><head><title>Eine Meldung</title>{head}</head><body><article><h1>Eine Meldung</h1>"
            f"{body}{BODY}</article></body></html>")


def test_site_name_in_meta_author_is_no_author() -> None:
    html = page('<meta property="og:site_name" content="Diakonie Deutschland">'
                '<meta name="author" content="Diakonie Deutschland">')
    assert extract(html, "https://www.diakonie.de/x", builtin=False).authors == []


def test_placeholder_meta_author_is_no_author() -> None:
    html = page('<meta name="author" content="publisher">')
    assert extract(html, "https://www.bmel.de/x", builtin=False).authors == []


def test_blog_owner_named_in_the_site_name_is_the_author() -> None:
    html = page('<meta property="og:site_name" content="Matthew Davis\'s Blog">'
                '<meta name="author" content="Matthew Davis">')
    assert extract(html, "https://mdavis.example/x", builtin=False).authors == ["Matthew Davis"]


def test_jsonld_organisation_stays_when_no_person_is_named() -> None:
    html = page('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Eine Meldung",'
                ' "author": {"@type": "Organization", "name": "Les Echos"}}</script>')
    assert extract(html, "https://www.lesechos.fr/x", builtin=False).authors == ["Les Echos"]


def test_blog_handle_in_an_hcard_is_the_author() -> None:
    html = page("", '<div class="entry-meta">von <span class="author vcard">'
                '<a class="url fn n" href="/author/gizzmo/">gizzmo</a></span></div>')
    assert extract(html, "https://bunterepublik.example/2011/talstrasse", builtin=False).authors == ["gizzmo"]


def test_blog_owner_named_like_the_host_is_the_author() -> None:
    html = page("", '<span class="author vcard"><a class="url fn n" href="/author/creeny/">Creeny</a></span>')
    assert extract(html, "https://creeny.wordpress.com/nebel", builtin=False).authors == ["Creeny"]


def test_byline_line_in_the_body_is_the_author_and_leaves_the_body() -> None:
    html = page("", "<p><i>von Daniela Obers</i></p>")
    article = extract(html, "https://www.7mind.example/grenzen", builtin=False)
    assert article.authors == ["Daniela Obers"]
    assert "Daniela" not in article.body


def test_labelled_byline_at_the_end_of_the_body() -> None:
    html = page("", "") .replace("</article>", "<p>Auteur : Kossivi Tiassou  Edition : M-A. Pioerron</p></article>")
    assert extract(html, "https://www.dw.example/fr/x", builtin=False).authors == ["Kossivi Tiassou"]


def test_dublin_core_creator_comes_before_meta_author() -> None:
    html = page('<meta name="author" content="Meta Name"><meta property="dc:creator" content="Dublin Core Name">')
    assert extract(html, "https://x.example/a", builtin=False).authors == ["Dublin Core Name"]


def test_article_author_name_meta() -> None:
    html = page('<meta property="article:author_name" content="Hazel Sheffield">')
    assert extract(html, "https://x.example/a", builtin=False).authors == ["Hazel Sheffield"]


def test_handles_urls_and_copyright_lines_are_not_names() -> None:
    html = page('<meta name="author" content="Williams Perdomo @wperdomod">')
    assert extract(html, "https://x.example/a", builtin=False).authors == ["Williams Perdomo"]
    html = page('<meta name="author" content="Bradley M. Kuhn (http://ebb.org/bkuhn/)">')
    assert extract(html, "https://x.example/a", builtin=False).authors == ["Bradley M. Kuhn"]
    html = page('<meta name="author" content="Haufe-Lexware GmbH &amp; Co. KG - all rights reserved">')
    assert extract(html, "https://x.example/a", builtin=False).authors == []


def test_site_names_roles_and_staff_labels_beside_people_go() -> None:
    html = page('<meta property="og:site_name" content="NBA.com">'
                '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Eine Meldung",'
                ' "author": [{"@type": "Person", "name": "Evan Orris"}, {"@type": "Person", "name": "NBA.com"},'
                ' {"@type": "Person", "name": "Head of Reality Labs"}]}</script>')
    assert extract(html, "https://www.nba.com/news/x", builtin=False).authors == ["Evan Orris"]
    html = page('<meta name="author" content="TMZ Staff">')
    assert extract(html, "https://www.tmz.example/x", builtin=False).authors == []


def test_middle_initial_is_not_a_conjunction() -> None:
    html = page('<meta name="author" content="Chris E. Hayner">')
    assert extract(html, "https://x.example/a", builtin=False).authors == ["Chris E. Hayner"]
    html = page('<meta name="author" content="Juan Pérez y María López">')
    assert extract(html, "https://x.example/a", builtin=False).authors == ["Juan Pérez", "María López"]


def test_labels_in_byline_boxes_are_not_authors() -> None:
    for box in ('<div class="author">By</div>', '<div class="post-author">Uncategorized</div>',
                '<span class="byline">Hinterlasse einen Kommentar</span>',
                '<span class="author-tags">Tricks für zu Hause</span>'):
        assert extract(page("", box), "https://blog.example.de/x", builtin=False).authors == [], box


def test_name_particles_stay_in_names() -> None:
    html = page("", '<span class="byline">Von Ursula von der Leyen</span>')
    assert extract(html, "https://blog.example.de/x", builtin=False).authors == ["Ursula von der Leyen"]


def ld(author: str) -> str:
    return ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Eine Meldung",'
            f' "author": {author}}}</script>')


def test_escaped_apostrophe_in_jsonld_name_is_no_separator() -> None:
    html = page(ld('{"@type": "Person", "name": "James O&#039;Neil"}'))
    assert extract(html, "https://cars.example/x", builtin=False).authors == ["James O'Neil"]


def test_jsonld_handle_gives_way_to_the_full_name_in_the_byline() -> None:
    html = page(ld('{"@type": "Person", "name": "admin"}'),
                '<div class="post-header__author">von Tobias Kuske</div>')
    assert extract(html, "https://zeitung.example/x", builtin=False).authors == ["Tobias Kuske"]


def test_jsonld_handle_stays_without_a_byline() -> None:
    html = page(ld('{"@type": "Person", "name": "gizzmo"}'))
    assert extract(html, "https://blog.example/x", builtin=False).authors == ["gizzmo"]


def test_meta_author_after_the_site_name_and_korean_reporter_suffix() -> None:
    html = page('<meta property="og:site_name" content="한국신문"><meta name="author" content="한국신문">'
                '<meta name="author" content="김민수 기자">')
    assert extract(html, "https://news.example.kr/x", builtin=False).authors == ["김민수"]


def test_agency_and_job_title_after_a_name_are_cut() -> None:
    html = page("", '<span class="byline">By Jane Roe The Associated Press</span>'
                    '<div class="author-meta"><span class="name">Aleks Petrov</span> '
                    '<span class="label">Senior Writer</span></div>')
    assert extract(html, "https://paper.example/x", builtin=False).authors == ["Jane Roe"]
    html = page('<meta name="author" content="Ann Kerr USA TODAY NETWORK">')
    assert extract(html, "https://paper.example/x", builtin=False).authors == ["Ann Kerr"]
    html = page('<meta name="author" content="Aleks Petrov Senior Writer">')
    assert extract(html, "https://paper.example/x", builtin=False).authors == ["Aleks Petrov"]
    html = page(ld('{"@type": "Person", "name": "The Associated Press"}'))
    assert extract(html, "https://paper.example/x", builtin=False).authors == ["The Associated Press"]


def test_author_links_in_a_menu_are_no_byline() -> None:
    html = page("", '<div class="author-line"><a href="/author/ben-lee">Ben Lee</a></div>')
    html = html.replace("<body>", '<body><ul class="nav-sub-links"><li><a href="/author/amy-fox">Amy Fox</a></li>'
                                  '<li><a href="/author/tom-ray">Tom Ray</a></li></ul>')
    assert extract(html, "https://finance.example/x", builtin=False).authors == ["Ben Lee"]


def test_author_bio_sentences_name_no_author() -> None:
    html = page("", '<p class="author-bio">Alles über Lautsprecher, Heimkino und HiFi. Zudem haben wir Tipps.</p>')
    assert extract(html, "https://blog.example/x", builtin=False).authors == []


def test_photo_credit_after_the_author_is_cut() -> None:
    html = page("", '<div class="article-author">Interview: Jens Berger Foto: Michael Huber</div>')
    assert extract(html, "https://blog.example/x", builtin=False).authors == ["Jens Berger"]


def test_outlet_name_read_with_the_byline_is_cut() -> None:
    html = page('<meta property="og:site_name" content="Lakeside Courier">',
                '<div class="byline-section"><span class="author"><a href="/staff/1/kim-hale/">Kim Hale</a></span> '
                '<span class="credit">Lakeside Courier</span></div>')
    assert extract(html, "https://lakesidecourier.example/x", builtin=False).authors == ["Kim Hale"]


def test_by_line_under_the_headline_without_byline_markup() -> None:
    html = ("<html><head><title>Woman Sees a Car</title></head><body><header><h1>Woman Sees a Car</h1>"
            "<div><span>Trending</span> | <span>By</span>  <span>Cara Stiles</span> | <time>April 13, 2020</time>"
            f"</div></header><article>{BODY}</article></body></html>")
    assert extract(html, "https://stories.example/x", builtin=False).authors == ["Cara Stiles"]


def test_site_name_under_the_headline_gives_way_to_a_body_byline() -> None:
    html = ('<html><head><title>Forests</title><meta property="og:site_name" content="The Planet Post"></head>'
            '<body><header><h1>Forests</h1><div>By The Planet Post - January 17, 2020</div></header>'
            f'<article><p><em>Written by: <a href="/x">Julie Moll</a></em></p>{BODY}</article></body></html>')
    assert extract(html, "https://planetpost.example/x", builtin=False).authors == ["Julie Moll"]


def test_outlet_and_column_label_after_the_name_are_cut() -> None:
    html = page('<meta property="og:site_name" content="The Harbour Times">',
                '<div class="article-byline"><a href="/author/bo-lind">Bo Lind</a> Harbour Times</div>')
    assert extract(html, "https://harbourtimes.example/x", builtin=False).authors == ["Bo Lind"]
    html = page('<meta name="author" content="Jon Tall Columnist">')
    assert extract(html, "https://harbourtimes.example/x", builtin=False).authors == ["Jon Tall"]


def test_a_newspaper_beside_the_person_is_dropped() -> None:
    html = page("", '<div class="byline">By Margit Schmid | The Bay Journal</div>')
    assert extract(html, "https://bay.example/x", builtin=False).authors == ["Margit Schmid"]


def test_meta_author_that_is_a_link_an_email_or_a_phrase_is_no_author() -> None:
    for value in ("facebook.com/vegolino", "cipha[at]cipha.example", "deinen Hochzeitsbloggern"):
        html = page(f'<meta name="author" content="{value}">')
        assert extract(html, "https://blog.example/x", builtin=False).authors == [], value


def test_text_label_above_photo_credits_at_the_end_of_the_body() -> None:
    html = page("", "").replace("</article>", "<p>(wird fortgesetzt)</p><p>Text: Klaus Fried</p>"
                                 "<p>Fotos: Helm Elster, Frank Jäger</p><p>Literatur:</p>"
                                 "<p>Gebhardt, Wolfgang: Büssing Lastwagen. Stuttgart 2007</p></article>")
    article = extract(html, "https://fahrzeuge.example/x", builtin=False)
    assert article.authors == ["Klaus Fried"]
    assert "Klaus Fried" not in article.body


def test_coauthors_in_the_by_line_beside_a_single_jsonld_author() -> None:
    html = page(ld('{"@type": "Person", "name": "Chris Hayden"}'),
                '<p class="news-byline">By Chris Hayden and Tom Castell on December 21, 2023 at 3:53PM PST</p>')
    assert extract(html, "https://games.example/x", builtin=False).authors == ["Chris Hayden", "Tom Castell"]


def test_date_after_the_last_name_in_a_byline() -> None:
    html = page("", '<div class="author">By Starr Bowen, Rana Anif, Anna Chen 12/22/2023</div>')
    assert extract(html, "https://music.example/x", builtin=False).authors == ["Starr Bowen", "Rana Anif", "Anna Chen"]


def test_owner_of_a_personal_blog_when_no_author_is_named() -> None:
    html = page('<meta property="og:site_name" content="Daniela Lemke&#039;s blog">')
    assert extract(html, "https://lemke.example/2019/json", builtin=False).authors == ["Daniela Lemke"]
    html = page('<meta property="og:site_name" content="Daniela Lemke&#039;s blog">',
                '<p class="byline">By Tom Berg</p>')
    assert extract(html, "https://lemke.example/2019/json", builtin=False).authors == ["Tom Berg"]


def headed(before: str, after: str) -> str:
    return (f"<html><head><title>Eine Meldung</title></head><body><header>{before}<h1>Eine Meldung</h1>{after}"
            f"</header><article>{BODY}</article></body></html>")


def test_name_beside_a_date_next_to_the_headline() -> None:
    html = headed("", "<h4>Ein Vorspann.</h4><div><span>Sehra Karas &nbsp;|</span> <span>05.04.2025</span></div>")
    assert extract(html, "https://ajans.example/x", builtin=False).authors == ["Sehra Karas"]
    html = headed("<small>04.02.2022 | 13:10 Uhr | Uta Helker</small>", "")
    assert extract(html, "https://pferde.example/x", builtin=False).authors == ["Uta Helker"]


def test_a_section_beside_a_date_is_no_name() -> None:
    html = headed("", "<div>Nächster ❯ | 05.04.2025</div><div>Politik | 05.04.2025</div>")
    assert extract(html, "https://ajans.example/x", builtin=False).authors == []


def test_a_legal_form_marks_an_organisation_that_a_person_outranks() -> None:
    html = page('<meta name="author" content="Hanns-Wendel-Stiftung e.V.">', '<p class="byline">Von Uta Stasch</p>')
    assert extract(html, "https://stiftung.example/x", builtin=False).authors == ["Uta Stasch"]
    html = page('<meta name="author" content="Bergportal GmbH">')  # no person named: the company stays
    assert extract(html, "https://alpen.example/x", builtin=False).authors == ["Bergportal GmbH"]


def test_german_author_line_class_is_a_byline() -> None:
    html = page("", '<p class="autorenzeile small">Von Anna Berger, Paul Krämer und Jonas Weil, WDR</p>')
    authors = extract(html, "https://www.sender.example/investigativ/x", builtin=False).authors
    assert authors[:3] == ["Anna Berger", "Paul Krämer", "Jonas Weil"]


def test_photographer_in_a_photo_credit_is_no_author() -> None:
    html = page("", '<figure><img src="/a.jpg"><div class="credit-box"><strong>Foto:</strong>'
                '<p class="autor">Jaime Ortega</p></div></figure>'
                '<div class="bildautor">Foto: Bild: AP/KEYSTONE/MARIA ROSSI</div>')
    assert extract(html, "https://www.zeitung.example/x", builtin=False).authors == []


def test_byline_in_a_posts_entry_meta_footer() -> None:
    html = page("", "").replace("</article>", '<footer class="entry-meta"><span class="posted-on">3. März 2021 '
                                '<span class="byline">von Karla</span></span></footer></article>'
                                '<footer class="site-footer"><span class="author">Theme von Jonas Frei</span></footer>')
    assert extract(html, "https://karla.example/2021/03/03/x", builtin=False).authors == ["Karla"]


def test_one_word_jsonld_person_takes_the_full_name_from_the_bio() -> None:
    html = page('<script type="application/ld+json">{"@graph": [{"@type": "Article", "headline": "Eine Meldung",'
                ' "author": {"@id": "#p1"}}, {"@type": "Person", "@id": "#p1", "name": "Greta",'
                ' "description": "Greta Lindqvist ist freie Autorin in Hamburg."}]}</script>')
    assert extract(html, "https://blog.example/x", builtin=False).authors == ["Greta Lindqvist"]


def test_remark_in_brackets_after_the_name_is_dropped() -> None:
    html = page("", '<p><em>Autor: Tobias Renner (Gastbeitrag), Pfarrer in Kassel</em></p>')
    assert extract(html, "https://kirche.example/x", builtin=False).authors == ["Tobias Renner"]


def test_site_address_in_brackets_keeps_an_organisation_out_of_people() -> None:
    html = page('<meta name="author" content="Radio Nord (www.radionord.example)">')
    assert extract(html, "https://www.radionord.example/x", builtin=False).authors == []


def test_byline_of_a_related_article_is_no_author() -> None:
    html = page("", "").replace("</article>", '</article><div class="relatedArticle"><p class="storyInfo">'
                                '<span class="author">Par Lucie Fabre</span></p></div>'
                                '<div class="fachartikel-listing"><div class="fachartikel-listing__item__author">'
                                'Von Ole Brandt am 08.12.2022</div></div>')
    assert extract(html, "https://www.journal.example/x", builtin=False).authors == []


def test_handle_with_a_year_in_an_hcard_is_the_author() -> None:
    html = page("", '<div class="byline">10. Dezember 2019 · von <span class="author vcard">'
                '<a class="url fn n" rel="author" href="/author/seefahrer1987/">seefahrer1987</a></span>'
                ' · in Uncategorized</div>')
    assert extract(html, "https://seefahrt.example/2019/12/10/x", builtin=False).authors == ["seefahrer1987"]


def test_von_line_in_a_posts_meta_box() -> None:
    html = page("", "").replace("</article>", '<p class="postmetadata">Von Ina Roth am 07.08.2013 um 09:07 Uhr '
                                'gespeichert unter Kino</p></article>')
    assert extract(html, "https://kino.example/2013/08/07/x", builtin=False).authors == ["Ina Roth"]
