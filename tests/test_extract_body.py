"""Body rules on small hand-written pages: what around the article's
paragraphs is page furniture, not text."""

from __future__ import annotations

import json

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


def paragraphs_with(inside: str) -> list[str]:
    """The body's paragraphs when ``inside`` sits after the first one of ``page``."""
    return extract(page(inside=inside), "https://news.example.vn/a", builtin=False).body.split("\n\n")


@pytest.mark.parametrize("furniture", [
    '<div class="Article_elementPoll__x"><p>Ja, unbedingt.</p><p>Nein, das wäre Zensur.</p></div>',
    '<div class="visually-hidden">Article content</div>',
    '<span class="sr-only">Advertisement</span>',
    '<div class="tagbox"><h3>Schlagwörter zu diesem Artikel</h3><a href="/t/a">Lesen</a></div>',
    '<div class="singlepostmeta">Abgelegt unter Israel. Kommentare sind geschlossen.</div>',
    '<div class="kommentarBox"><p>Sie müssen angemeldet sein, um einen Kommentar zu schreiben.</p></div>',
    '<section id="respond"><h3>Schreibe einen Kommentar</h3><p>Deine E-Mail-Adresse wird nicht veröffentlicht.</p>'
    '</section>',
    '<div class="box-autor"><p>Anna Beispiel leitet das Ressort Reise und schreibt über Radwege.</p></div>',
    '<div class="news-letter-teaser"><p>Jeden Freitag die besten Geschichten der Woche in Ihrem Postfach.</p></div>',
    '<div class="wp-block-site-recirculation-box"><p>Mehr Kolumnen aus unserer Redaktion</p></div>',
    '<div class="affiliate-note"><p>Wir erhalten eine Provision, wenn Sie über diese Links einkaufen.</p></div>',
    '<p class="imagedescription">FOTO: AGENTUR / MAX MUSTER</p>',
    '<div class="licenceInfo"><p>Inhalt urheberrechtlich geschützt, Nutzung nur mit Genehmigung.</p></div>',
    '<p><em>Crédits photos : Agence Exemple</em></p>',
    '<p>Quelle: Landesamt für Statistik</p>',
])
def test_page_furniture_inside_the_body_is_left_out(furniture: str) -> None:
    assert paragraphs_with(furniture) == PARAS


@pytest.mark.parametrize("label", ["【関連記事】", "Tin liên quan:", "Xem thêm", "Read more:", "İlgili konular",
                                   "Share this article", "Das könnte Sie auch interessieren", "Über den Autor",
                                   "Verwandte Artikel", "You may also like"])
def test_a_related_links_label_left_at_the_end_is_dropped(label: str) -> None:
    body = extract(page(after=f"<p>{label}</p>"), "https://news.example.vn/a", builtin=False).body
    assert body.split("\n\n") == PARAS


@pytest.mark.parametrize("calls", [["Síguenos en Telegram y en Instagram para más noticias."],
                                   ["Kommentieren", "Sie müssen sich einloggen, um an der Diskussion teilzunehmen."],
                                   ["Leave a Reply", "You must be logged in to post a comment."],
                                   ["¿Ya sabías que tenemos canal de Telegram? Únete desde tu celular."],
                                   ["¿Quieres estar al día? Subscribe to our weekly digest.",
                                    "Get our stories on WhatsApp: join the channel."]])
def test_closing_calls_to_follow_or_subscribe_are_dropped(calls: list[str]) -> None:
    after = "".join(f"<p>{c}</p>" for c in calls)
    body = extract(page(after=after), "https://news.example.vn/a", builtin=False).body
    assert body.split("\n\n") == PARAS


def test_a_closing_sentence_that_mentions_subscribing_stays() -> None:
    last = "Readers can also subscribe to the council's bulletin at the town hall."
    body = extract(page(after=f"<p>{last}</p>"), "https://news.example.vn/a", builtin=False).body
    assert body.split("\n\n") == PARAS + [last]


@pytest.mark.parametrize("last", [
    "More from the ministry is expected on Monday.",
    "Telegram did not answer our questions about the leaked WhatsApp messages",
    "Xem thêm các tin bài về lễ hội hoa tam giác mạch sẽ được cập nhật trong những ngày tới."])
def test_a_closing_sentence_that_starts_like_a_label_stays(last: str) -> None:
    body = extract(page(after=f"<p>{last}</p>"), "https://news.example.vn/a", builtin=False).body
    assert body.split("\n\n") == PARAS + [last]


LEAD = ("Ein neues Gewächshaus am Stadtrand soll ab dem Frühjahr Gemüse für die Schulküchen der Stadt liefern, "
        "teilte die Verwaltung am Montag mit.")
BODY = ["Die Anlage entsteht auf einer ehemaligen Gärtnerei und wird mit Abwärme aus dem Klärwerk beheizt.",
        "Nach Angaben der Stadt sollen dort jährlich rund vierzig Tonnen Tomaten und Gurken wachsen, genug für "
        "alle Grundschulen.",
        "Der Gemeinderat hatte das Vorhaben im Herbst einstimmig beschlossen; die Kosten trägt zum Teil das Land."]


def lead_page(lead: str, description: str = "") -> str:
    """A headline block with the lead in it, then the body in a sibling box
    (the layout of many CMS news pages: the lead is styled apart)."""
    meta = f'<meta name="description" content="{description}">' if description else ""
    paragraphs = "".join(f"<p>{p}</p>" for p in BODY)
    return (f"<html><head><title>Gemüse für die Schulen</title>{meta}</head><body><nav><a href='/'>Start</a></nav>"
            f"<div class='article'><div class='row'><div class='intro-col'><h1>Gemüse für die Schulen</h1>"
            f"{lead}</div></div><div class='row'><div class='col-sm-8'><div class='news-text-wrap'>{paragraphs}"
            f"</div></div><div class='col-sm-4'><p>Kontakt: Presseamt der Stadt, Rathausplatz 1.</p></div></div>"
            f"</div></body></html>")


@pytest.mark.parametrize("lead", [f'<div class="teaser-text"><p>{LEAD}</p></div>',
                                  f'<p class="article__abstract">{LEAD}</p>',
                                  f'<div class="sommario"><p>{LEAD}</p></div>'])
def test_a_lead_styled_apart_above_the_body_comes_first(lead: str) -> None:
    body = extract(lead_page(lead), "https://stadt.example.de/a", builtin=False).body
    assert body.split("\n\n") == [LEAD] + BODY


def test_the_lead_the_description_starts_wins_over_another_lead_like_box() -> None:
    other = '<div class="summary-box">Alle Meldungen der Woche im Überblick, jeden Freitag neu für Sie.</div>'
    lead = f'<div class="intro"><p>{LEAD}</p></div>{other}'
    body = extract(lead_page(lead, LEAD[:80]), "https://stadt.example.de/a", builtin=False).body
    assert body.split("\n\n") == [LEAD] + BODY


@pytest.mark.parametrize("box", [
    '<h2 class="article-dek">Die Stadt setzt auf eigenes Gemüse aus einer neuen, beheizten Anlage am Stadtrand.</h2>',
    '<p class="leading-6 text-gray">Die Stadt setzt auf eigenes Gemüse aus einer neuen, beheizten Anlage am Rand.</p>',
    '<div class="lead-image"><img src="/a.jpg"><span>Die neue Anlage am Stadtrand, fotografiert im Herbst 2021.'
    '</span></div>',
])
def test_a_dek_or_a_picture_above_the_body_is_no_lead(box: str) -> None:
    body = extract(lead_page(box), "https://stadt.example.de/a", builtin=False).body
    assert body.split("\n\n") == BODY


def test_a_teaser_above_the_headline_is_no_lead() -> None:
    teaser = f'<div class="teaser"><p>{LEAD}</p></div>'
    html = lead_page("").replace("<div class='article'>", f"<div class='article'>{teaser}")
    body = extract(html, "https://stadt.example.de/a", builtin=False).body
    assert body.split("\n\n") == BODY


@pytest.mark.parametrize("dangling", ["<h3>Das könnte Sie auch interessieren</h3>", "<h2>Über die Autorin</h2>",
                                      "<p><strong>Mehr zum Thema:</strong></p>",
                                      "<h2>Weitere Beiträge</h2><h4>Kommentare</h4>"])
def test_a_heading_or_bold_label_with_nothing_after_it_is_dropped(dangling: str) -> None:
    body = extract(page(after=dangling), "https://news.example.vn/a", builtin=False).body
    assert body.split("\n\n") == PARAS


@pytest.mark.parametrize("closing", ["<h4>Gửi ảnh dự thi trước ngày 3/4 về tòa soạn.</h4>",
                                     "<p>Toàn văn kế hoạch xem tại đây:</p>"])
def test_a_closing_sentence_set_as_heading_or_a_plain_colon_line_stays(closing: str) -> None:
    body = extract(page(after=closing), "https://news.example.vn/a", builtin=False).body
    assert body.split("\n\n")[-1] != PARAS[-1]


WIDGET_PARAS = [
    "Bộ Tài chính đề xuất bổ sung bốn nghìn tỷ đồng cho ngành thuế trong năm nay để tăng năng lực thu nợ đọng.",
    "Theo dự thảo, cơ quan thuế sẽ tuyển thêm hơn một nghìn cán bộ chuyên trách xử lý nợ trong sáu tháng tới.",
    "Khoản nợ thuế khó thu hiện ước tính vượt năm mươi nghìn tỷ đồng, phần lớn tập trung ở các doanh nghiệp lớn.",
    "Đại diện Tổng cục Thuế cho biết đợt tuyển dụng đầu tiên đã hoàn tất và nhân sự mới bắt đầu làm việc từ tháng Sáu.",
    "Cơ quan này cũng đầu tư vào công nghệ phân tích dữ liệu để phát hiện sớm các trường hợp chây ì nộp thuế.",
    "Các chuyên gia nhận định việc tăng nguồn lực cho thu nợ là cần thiết khi ngân sách chịu áp lực chi lớn.",
    "Bộ Tài chính dự kiến báo cáo kết quả thu hồi nợ thuế lên Quốc hội vào kỳ họp cuối năm nay tại Hà Nội."]


def widget_page(first_id: str = "w1", second_id: str = "w2") -> str:
    """An article a CMS splits into text widgets: a short first one, a
    related-article widget, then the long rest."""
    def widget(wid: str, paras: list[str]) -> str:
        inner = "".join(f"<p>{p}</p>" for p in paras)
        return f"<div class='article-widget article-widget-text' id='{wid}'><div class='text'>{inner}</div></div>"
    related = ("<div class='article-widget article-widget-related'><a href='/b'>ĐỌC THÊM: Ngân sách 2025 "
               "và những con số đáng chú ý</a></div>")
    return (f"<html><body><h1>Thêm tiền cho ngành thuế thu nợ</h1><div class='article-widgets'>"
            f"{widget(first_id, WIDGET_PARAS[:2])}{related}{widget(second_id, WIDGET_PARAS[2:])}</div>"
            f"<div class='sidebar'><p>Bản tin sáng: đăng ký nhận tin mới nhất mỗi ngày qua email.</p></div>"
            f"</body></html>")


@pytest.mark.parametrize("ids", [("w1", "w2"), ("w1", "ad6ed79d-88fd-4c8e"), ("ad6ed79d-88fd-4c8e", "a1")])
def test_an_article_split_into_same_class_widgets_is_read_whole(ids: tuple[str, str]) -> None:
    body = extract(widget_page(*ids), "https://news.example.vn/a", builtin=False).body
    assert body.split("\n\n") == WIDGET_PARAS


def test_a_correspondents_box_is_no_comment_form() -> None:
    box = f"<div class='correspondent-report'><p>{PARAS[1]}</p></div>"
    html = page().replace(f"<p>{PARAS[1]}</p>", box)
    assert extract(html, "https://news.example.vn/a", builtin=False).body.split("\n\n") == PARAS


def test_a_widget_box_without_a_big_twin_is_still_left_out() -> None:
    share = "<div class='share-widget'><p>Chia sẻ bài viết này với bạn bè qua Facebook, Zalo hoặc email.</p></div>"
    assert paragraphs_with(share) == PARAS


def test_a_heading_whose_id_is_a_slug_of_its_text_stays() -> None:
    heading = "Làm sao để tận dụng tốt nhất mùa hoa"
    slug = "<h3 id='lam-sao-de-tan-dung-most-popular-mua-hoa'>" + heading + "</h3>"
    assert heading in paragraphs_with(slug)


def test_a_related_heading_named_by_its_id_is_left_out() -> None:
    heading = "<h3 id='inline-recommend-title'>Có thể bạn quan tâm</h3>"
    assert paragraphs_with(heading) == PARAS


def jsonld_page(html_text: str, article_body: str) -> str:
    data = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Tsai và bầu cử",
                       "articleBody": article_body}, ensure_ascii=False)
    return (f"<html><head><script type='application/ld+json'>{data}</script></head><body>"
            f"<h1>Tsai và bầu cử</h1><div class='article-body'><p>{html_text}</p></div>"
            f"<div id='app-root'></div></body></html>")


def test_the_json_ld_article_body_replaces_a_stub_the_html_shows() -> None:
    stub = "Bà Thái Anh Văn tận dụng khủng hoảng để giành chiến thắng lớn trong cuộc bầu cử tháng Một vừa qua."
    article = "\n".join(PARAS * 3 + [stub])
    body = extract(jsonld_page(stub, article), "https://news.example.vn/a", builtin=False).body
    assert body.split("\n\n") == PARAS * 3 + [stub]


def test_a_json_ld_article_body_no_longer_than_the_html_text_is_not_used() -> None:
    article = "\n".join(PARAS)
    html_text = " ".join(PARAS)
    body = extract(jsonld_page(html_text, article), "https://news.example.vn/a", builtin=False).body
    assert body == html_text


def test_a_sentence_about_a_source_stays() -> None:
    line = "Quelle des Streits ist ein Gutachten, das die Stadt im Frühjahr in Auftrag gegeben hatte."
    assert line in paragraphs_with(f"<p>{line}</p>")


def test_a_forum_thread_in_boxes_named_comment_is_read() -> None:
    posts = ["Seit dem Update kommt mein Telefon nicht mehr in den App-Store, weder über WLAN noch mobil.",
             "Bei mir dasselbe: die Einstellungen sind unverändert, der Zugriff ist für mobile Daten freigegeben.",
             "Abmelden und neu anmelden hat geholfen, danach lief der Store wieder ohne Fehlermeldung."]
    thread = "".join(f"<div class='ForumComment'><div class='ForumCommentText'>{p}</div></div>" for p in posts)
    html = (f"<html><body><nav><a href='/'>Forum</a></nav><h1>App-Store geht nicht</h1>"
            f"<main><div class='CommentList'>{thread}</div></main></body></html>")
    body = extract(html, "https://forum.example.de/t/1", builtin=False).body
    assert body.split("\n\n") == posts


def test_a_short_post_keeps_its_page_furniture_out() -> None:
    post = "Wer rutscht als Nächstes aus? Ich wette, du. Gewonnen!" * 2
    html = (f"<html><body><h1>Glatteis</h1><div class='entry-content'><p>{post}</p></div>"
            f"<div class='comments-area'><p>Kommentare sind geschlossen, aber Trackbacks und Pingbacks sind offen."
            f"</p></div></body></html>")
    body = extract(html, "https://blog.example.de/glatteis", builtin=False).body
    assert body == post


@pytest.mark.parametrize("label", ["<p><strong>Czytaj też</strong></p>", "<p><strong>Zum Weiterlesen:</strong></p>",
                                   "<h3>Ähnliche Beiträge</h3>", "<p>Lesen Sie auch:</p>",
                                   "<p><b>Weitere Informationen:</b></p>"])
def test_a_read_more_label_set_apart_inside_the_body_is_dropped(label: str) -> None:
    assert paragraphs_with(label) == PARAS


def test_a_sentence_starting_like_a_label_inside_the_body_stays() -> None:
    line = "Weiterlesen lohnt sich: der Bericht hat noch zwei Kapitel."
    assert line in paragraphs_with(f"<p>{line}</p>")


def test_a_quote_set_in_a_widget_box_stays() -> None:
    quote = "„Ein Sazerac gehört in ein gekühltes Glas, sonst schmeckt man nur den Alkohol“, sagt der Barchef."
    box = f"<div class='insert'><div class='widget quote longtext'><h6>{quote}</h6></div></div>"
    assert quote in paragraphs_with(box)


def test_a_box_hidden_with_visibility_hidden_is_left_out() -> None:
    hidden = '<div style="visibility: hidden"><p>Versteckter Entwurf, der nie auf der Seite erscheint.</p></div>'
    assert paragraphs_with(hidden) == PARAS


def test_the_paywalled_text_served_hidden_for_subscribers_is_read() -> None:
    """A paywall CMS ships the rest of the article hidden in "subscriber-only"
    boxes and shows it by script: it is the article's own text."""
    first, second, third = PARAS
    html = ("<html><head><title>Đồng Văn đón khách</title></head><body>"
            "<div class='subscribe-box'><p>Subscribe today for unlimited access to every story we publish.</p></div>"
            f"<article><h1>Đồng Văn đón khách</h1><div class='asset-content'><div class='subscriber-preview'>"
            f"<p>{first}</p></div><div class='subscriber-only' style='display:none'><p>{second}</p></div>"
            f"<div class='subscriber-only' style='display:none'><p>{third}</p></div></div></article></body></html>")
    body = extract(html, "https://news.example.vn/a", builtin=False).body
    assert body.split("\n\n") == PARAS
