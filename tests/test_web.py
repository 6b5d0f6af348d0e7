"""What a reader gets from ``scraper serve``, checked through the real server's JSON API.

The archive is built by the real ``scraper fetch`` from hand-written pages
(tests/fixtures/web) served on 127.0.0.1, with one page edited and fetched
again; the server is the real ``scraper serve`` subprocess on a free port.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import pytest
import yaml

from scraper.models import Article, Image
from scraper.store import Archive
from scraper.web import METADATA
from tests.browser.served import EDITS, SOURCE, Served, build_archive

NFD = unicodedata.normalize("NFD", "Đồng Văn")


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def server(archive, tmp_path_factory):
    served = Served(archive.db, log=tmp_path_factory.mktemp("serve") / "serve.log")
    yield served
    served.stop()


def keys_of(archive, urls):
    by_url = {url: key for key, url in archive.urls.items()}
    return [by_url[u] for u in urls]


# ---- search -----------------------------------------------------------------

SPELLINGS = ["dong van", "Dong Van", "DONG VAN", "Đồng Văn", "đồng văn", "ĐỒNG VĂN", NFD, "Đồng Van",
             "dong văn"]


@pytest.mark.parametrize("query", SPELLINGS)
def test_table_search_finds_dong_van_in_any_spelling(server, archive, query):
    rows = server.json("/archive/articles.json", _search=query, _shape="array", _col="url")
    # Newest published first: the Đồng Văn article (20 Oct), then the one that mentions it (18 Oct).
    assert keys_of(archive, [r["url"] for r in rows]) == ["dong_van", "meo_vac"], query


@pytest.mark.parametrize("query", SPELLINGS)
def test_ranked_search_puts_the_article_about_dong_van_first(server, archive, query):
    rows = server.json("/archive/search.json", q=query, _shape="array")
    assert keys_of(archive, [r["url"] for r in rows]) == ["dong_van", "meo_vac"], query


@pytest.mark.parametrize("query,expected", [
    ("dong thap", ["dong_thap"]), ("Đồng Tháp", ["dong_thap"]),
    ("meo vac", ["meo_vac"]), ("Mèo Vạc", ["meo_vac"]),
    ("cat dien", ["brief"]), ("lừa đảo", ["hostile"]),
    ("tam giac mach khong co", []),
    ("NEAR(", []), ("* OR ^", []),  # FTS syntax typed by a reader is just text
])
def test_search_matches_only_the_right_articles(server, archive, query, expected):
    table = server.json("/archive/articles.json", _search=query, _shape="array", _col="url")
    ranked = server.json("/archive/search.json", q=query, _shape="array")
    assert keys_of(archive, [r["url"] for r in table]) == expected
    assert keys_of(archive, [r["url"] for r in ranked]) == expected


@pytest.mark.parametrize("query", ["", '"', '""', " "])
def test_an_empty_search_box_lists_everything_instead_of_failing(server, query):
    table = server.json("/archive/articles.json", _search=query, _shape="array", _col="url")
    assert len(table) == 5
    assert server.get("/archive/articles", _search=query).status_code == 200
    assert server.json("/archive/search.json", q=query, _shape="array") == []


def test_search_follows_the_edit(server, archive):
    (old_title_words, new_title_words), (old_body, new_body) = EDITS
    assert server.json("/archive/articles.json", _search="no ro", _shape="array") == []
    assert server.json("/archive/articles.json", _search=old_body, _shape="array") == []
    found = server.json("/archive/articles.json", _search="khoe sac", _shape="array", _col="url")
    assert keys_of(archive, [r["url"] for r in found]) == ["dong_van"]
    found = server.json("/archive/articles.json", _search=new_body, _shape="array", _col="url")
    assert keys_of(archive, [r["url"] for r in found]) == ["dong_van"]


# ---- tables: sorts, facets, descriptions, permissions ---------------------------

def test_articles_default_to_newest_published_first_with_facets(server, archive):
    data = server.json("/archive/articles.json")
    urls = [row[data["columns"].index("url")] for row in data["rows"]]
    # 21, 20, 19, 18 October, then the brief without a date.
    assert keys_of(archive, urls) == ["hostile", "dong_van", "dong_thap", "meo_vac", "brief"]
    assert data["human_description_en"] == "sorted by published_at descending"
    assert data["allow_execute_sql"] is False
    facets = data["facet_results"]
    assert {"source", "authors", "published_at"} <= set(facets)
    assert [(r["value"], r["count"]) for r in facets["source"]["results"]] == [(SOURCE, 5)]
    assert {r["value"] for r in facets["authors"]["results"]} >= {"Nguyễn Thị Hòa", "Lý Seo Chúng"}
    # Days as the page states them (Đồng Tháp: 05:45 +07:00 on the 19th, still the 18th in UTC).
    days = facets["published_at"]["results"]
    assert (facets["published_at"]["type"], [d["value"] for d in days]) == (
        "day", ["2025-10-21", "2025-10-20", "2025-10-19", "2025-10-18"])
    assert "published_at__startswith=2025-10-19" in days[2]["toggle_url"]
    rows = server.json("/archive/articles.json", published_at__startswith="2025-10-19", _shape="array",
                       _col="url")
    assert keys_of(archive, [r["url"] for r in rows]) == ["dong_thap"]


def test_tables_and_columns_are_described(server):
    page = server.get("/archive/articles").text
    assert "One row per article, keyed by its canonical URL" in page
    assert 'data-column-description="Current headline. Links to the article&#39;s history."' in page
    metadata = server.json("/-/metadata.json")
    tables = metadata["databases"]["archive"]["tables"]
    assert tables["versions"]["columns"]["changed_fields"].startswith("JSON list of the fields")


def test_every_column_of_the_schema_is_described(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        schema = {t: {c[1] for c in archive.db.execute(f"PRAGMA table_info([{t}])")}
                  for t in ("articles", "versions", "images", "fetches", "pages", "aliases")}
    tables = yaml.safe_load(METADATA.read_text(encoding="utf-8"))["databases"]["archive"]["tables"]
    for table, columns in schema.items():
        assert set(tables[table]["columns"]) == columns, table
        assert tables[table].get("description"), table


def test_no_sql_editor_for_anonymous_readers(server):
    assert server.get("/archive.json", sql="select 1").status_code == 403
    assert server.get("/archive", sql="select title from articles").status_code == 403
    assert server.json("/-/actor.json") == {"actor": None}
    # Canned queries stay open: they are the reader's SQL.
    assert server.get("/archive/latest.json").status_code == 200
    assert "View and edit SQL" not in server.get("/archive/latest").text


def test_the_archive_is_served_live_not_immutable(server):
    [database] = server.json("/-/databases.json")
    assert (database["name"], database["is_mutable"]) == ("archive", True)


# ---- history ----------------------------------------------------------------------

def test_history_query_returns_every_version_in_order(server, archive):
    rows = server.json("/archive/history.json", url=archive.urls["dong_van"], _shape="array")
    assert [r["version"] for r in rows] == [1, 2]
    assert [json.loads(r["changed_fields"]) for r in rows] == [[], ["title", "body"]]
    assert rows[0]["captured_at"] <= rows[1]["captured_at"]
    assert "nở rộ" in rows[0]["title"] and "khoe sắc" in rows[1]["title"]
    assert json.loads(rows[0]["images"])[0]["url"].endswith("/img/tam-giac-mach.jpg")
    single = server.json("/archive/history.json", url=archive.urls["meo_vac"], _shape="array")
    assert [r["version"] for r in single] == [1]


def test_history_page_json_has_word_diffs_against_the_previous_version(server, archive):
    article_id = _article_id(server, archive.urls["dong_van"])
    data = server.json(f"/archive/-/history/{article_id}.json")
    assert [v["version"] for v in data["versions"]] == [1, 2]
    assert data["versions"][0]["changes"] == []
    changes = {c["name"]: c["spans"] for c in data["versions"][1]["changes"]}
    assert set(changes) == {"title", "body"}
    title_edits = [(s["op"], s["text"]) for s in changes["title"] if s["op"] != "equal"]
    assert title_edits == [("delete", "nở rộ"), ("insert", "khoe sắc")]
    body_edits = [(s["op"], s["text"]) for s in changes["body"] if s["op"] != "equal"]
    assert body_edits == [("delete", "hàng"), ("insert", "hơn mười")]


def test_history_page_shows_versions_and_highlighted_changes(server, archive):
    article_id = _article_id(server, archive.urls["dong_van"])
    page = server.get(f"/archive/-/history/{article_id}")
    assert page.status_code == 200
    html = page.text
    assert html.count('class="scraper-version"') == 2
    assert "<del>nở rộ</del> <ins>khoe sắc</ins>" in html
    assert "<del>hàng</del> <ins>hơn mười</ins>" in html
    assert server.get("/archive/-/history/999999").status_code == 404
    # Titles in the tables lead to the history page.
    assert f'<a href="/archive/-/history/{article_id}">' in server.get("/archive/articles").text
    versions = server.get(f"/archive/versions?article_id={article_id}").text
    assert f'<a href="/archive/-/history/{article_id}#v2">' in versions


def test_changed_query_lists_the_edit_with_what_changed(server, archive):
    rows = server.json("/archive/changed.json", days="7", _shape="array")
    assert [(r["url"], r["version"]) for r in rows] == [(archive.urls["dong_van"], 2)]
    assert json.loads(rows[0]["changed_fields"]) == ["title", "body"]
    assert rows[0]["what_changed"] == "Title: −“nở rộ” +“khoe sắc”; Body: −“hàng” +“hơn mười”"
    assert server.json("/archive/changed.json", days="", _shape="array") == rows  # 7 days by default


def test_latest_query_lists_articles_newest_first(server, archive):
    rows = server.json("/archive/latest.json", _shape="array")
    # The brief has no date: it counts as published when first seen (today).
    assert keys_of(archive, [r["url"] for r in rows]) == ["brief", "hostile", "dong_van", "dong_thap",
                                                         "meo_vac"]
    assert {r["versions"] for r in rows} == {1, 2}


def test_source_stats_count_articles_versions_and_fetch_errors(server):
    rows = server.json("/archive/source_stats.json", _shape="array")
    today = [r for r in rows if r["source"] == SOURCE]
    assert len(today) == 1
    stats = {k: today[0][k] for k in ("new_articles", "versions", "edits", "fetches", "fetch_errors")}
    assert stats == {"new_articles": 5, "versions": 6, "edits": 1, "fetches": 7, "fetch_errors": 1}


def test_extraction_health_flags_missing_fields(server):
    [row] = server.json("/archive/extraction_health.json", _shape="array")
    assert (row["source"], row["versions"]) == (SOURCE, 6)
    # The brief has no date, no author, no image and a short body: 1 of 6 versions.
    assert (row["pct_no_date"], row["pct_no_author"], row["pct_short_body"]) == (16.7, 16.7, 16.7)
    # Only the Đồng Văn article (two versions) has an image.
    assert row["pct_no_image"] == 66.7


def test_atom_feed_lists_recent_edits(server, archive):
    response = server.get("/archive/recent_changes.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.fromstring(response.content)
    assert feed.findtext("a:title", namespaces=ns) == "Recent changes to archived articles"
    [entry] = feed.findall("a:entry", ns)
    assert entry.findtext("a:title", namespaces=ns).endswith("(v2: title, body)")
    link = entry.find("a:link", ns).get("href")
    article_id = _article_id(server, archive.urls["dong_van"])
    assert link == f"{server.base}/archive/-/history/{article_id}#v2"
    assert entry.findtext("a:content", namespaces=ns).startswith("Title: −“nở rộ” +“khoe sắc”")


# ---- escaping -----------------------------------------------------------------------

HOSTILE_TITLE = '<script>alert("xss")</script> Cảnh báo lừa đảo qua tin nhắn'


def _article_id(server, url):
    [row] = server.json("/archive/articles.json", url=url, _shape="array", _col="id")
    return row["id"]


def test_scraped_script_comes_back_as_data_in_json(server, archive):
    [row] = server.json("/archive/articles.json", url=archive.urls["hostile"], _shape="array")
    assert row["title"] == HOSTILE_TITLE
    assert "javascript:alert(document.cookie)" in row["body"]
    assert "<img src=x onerror=alert(1)>" in row["body"]


def _assert_inert(html: str) -> None:
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in html or \
        "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert not re.search(r"""(href|src)\s*=\s*["']?\s*javascript:""", html, re.I)


def test_scraped_script_and_javascript_urls_come_back_escaped(server, archive):
    article_id = _article_id(server, archive.urls["hostile"])
    for path in ("/archive/articles", f"/archive/articles/{article_id}", f"/archive/-/history/{article_id}",
                 "/archive/latest", "/archive/search?q=lua+dao", "/archive/articles?_search=lua+dao",
                 f"/archive/versions?article_id={article_id}"):
        response = server.get(path)
        assert response.status_code == 200, path
        _assert_inert(response.text)
    body = server.get(f"/archive/-/history/{article_id}").text
    assert "javascript:alert(document.cookie)" in body  # shown, as text


# ---- a hand-made archive: what the extractor never lets through ------------------------

@pytest.fixture(scope="module")
def raw_server(tmp_path_factory):
    """An archive written through the store directly, holding values the extractor
    would drop (a javascript: image URL), served with --allow-sql."""
    tmp = tmp_path_factory.mktemp("raw")
    url = "https://baohagiang.vn/xa-hoi/tin.html"
    start = datetime.now(UTC) - timedelta(hours=3)
    images = [Image("javascript:alert('img')", "<b>chú thích</b>", None),
              Image("https://baohagiang.vn/anh/a.jpg", "Ảnh thật", "C.T.V")]
    with Archive(tmp / "raw.db") as archive:
        archive.save(url=url, source="bhg", captured_at=start, raw=b"1", article=Article(
            title="Tin gốc", body="Một hai ba.", authors=["javascript:alert(2)"], images=images))
        archive.save(url=url, source="bhg", captured_at=start + timedelta(hours=1), raw=b"2", article=Article(
            title="Tin gốc", body="Một hai bốn.", authors=["javascript:alert(2)"], images=images[::-1]))
    served = Served(tmp / "raw.db", "--allow-sql", log=tmp / "serve.log")
    served.db = tmp / "raw.db"
    yield served
    served.stop()


def test_only_http_image_urls_become_links_or_images(raw_server):
    pages = [raw_server.get(p).text for p in ("/raw/-/history/1", "/raw/images", "/raw/articles",
                                               "/raw/articles/1")]
    for html in pages:
        assert not re.search(r"""(href|src)\s*=\s*["']?\s*javascript:""", html, re.I)
        assert "<b>chú thích</b>" not in html
    history, images = pages[0], pages[1]
    assert '<img src="https://baohagiang.vn/anh/a.jpg"' in history
    assert "javascript:alert(&#39;img&#39;)" in history  # listed as text
    assert 'src="https://baohagiang.vn/anh/a.jpg"' in images
    assert "<del>ba.</del> <ins>bốn.</ins>" in history


def test_allow_sql_opens_the_editor(raw_server):
    data = raw_server.json("/raw.json", sql="select count(*) as n from versions where article_id = 1",
                           _shape="array")
    assert data == [{"n": 2}]


def test_writes_made_while_serving_show_up_at_once(raw_server):
    """The daemon writes while Datasette reads: the live file, not an immutable snapshot."""
    assert raw_server.json("/raw/articles.json", _search="dong van", _shape="array") == []
    with Archive(raw_server.db) as archive:
        archive.save(url="https://baohagiang.vn/du-lich/moi.html", source="bhg", raw=b"3",
                     article=Article(title="Khai trương đường đi bộ Đồng Văn", body="Phố cổ Đồng Văn."))
    [row] = raw_server.json("/raw/articles.json", _search="dong van", _shape="array", _col="title")
    assert row["title"] == "Khai trương đường đi bộ Đồng Văn"
    history = raw_server.get(f"/raw/-/history/{row['id']}")
    assert history.status_code == 200 and "Khai trương đường đi bộ Đồng Văn" in history.text


def test_empty_archive_serves_an_empty_feed(tmp_path):
    served = Served(tmp_path / "empty.db", log=tmp_path / "serve.log")
    try:
        response = served.get("/empty/recent_changes.atom")
        assert response.status_code == 200
        feed = ET.fromstring(response.content)
        assert feed.findall("{http://www.w3.org/2005/Atom}entry") == []
        assert served.json("/empty/articles.json", _search="dong van", _shape="array") == []
    finally:
        served.stop()
    assert sqlite3.connect(tmp_path / "empty.db").execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_serve_takes_the_archive_from_the_config(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[archive]\ndb = "data/mine.db"\n', encoding="utf-8")
    served = Served(None, "--config", str(config), log=tmp_path / "serve.log")
    try:
        assert [d["name"] for d in served.json("/-/databases.json")] == ["mine"]
        assert served.get("/mine/latest.json").status_code == 200
    finally:
        served.stop()
    assert (tmp_path / "data" / "mine.db").is_file()
